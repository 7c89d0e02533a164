//! `aws-credentials` and `exec --aws-credentials`: temporary AWS
//! credentials from a Cognito identity pool. The ID token comes exactly as
//! `token` gets it (the same target, session, cache, refresh and flows);
//! core's `aws_credentials` makes the calls and keeps the credentials in
//! the store; this module resolves the options, says what went wrong, and
//! prints.

use std::process::ExitCode;

use anyhow::Context as _;
use cognito_token_core::aws_credentials::{
    AwsCredentials, AwsOwner, AwsSession, CredentialsFlow, IdentityPoolId, IdentityPools, Login,
    Place,
};
use cognito_token_core::store::Store;
use cognito_token_core::{Error, PoolId, Tokens, endpoint};

use crate::args::{AwsArgs, AwsCredentialsArgs, AwsOutputArg, SignInArgs};
use crate::fail::{Hinted, usage};
use crate::output::{emit, rfc3339};
use crate::target::{OAuthFlow, OAuthTarget, Pool, Settings, Target, non_empty};

/// How long the ID token must stay valid for the identity pool's calls.
const ID_TOKEN_MIN_TTL: u64 = 60;

/// `exec --aws-credentials`: the command's credentials last at least this
/// long (the AWS SDKs refresh 15 minutes before the expiration).
const EXEC_MIN_TTL: u64 = 900;

/// `aws-credentials`: the credentials as `--output` asks.
pub async fn run(a: AwsCredentialsArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::read(&a.identity)?;
    let r = resolve(&settings, &a.sign_in, &a.aws).await?;
    let credentials = r
        .current(a.min_ttl, || async {
            r.who.tokens(&a.sign_in, ID_TOKEN_MIN_TTL).await
        })
        .await?;
    print(&credentials, a.output)
}

/// `exec --aws-credentials`: the tokens (none for a guest) and the
/// credentials, and the identity pool's region.
pub async fn for_exec(
    settings: &Settings<'_>,
    sign_in: &SignInArgs,
    a: &AwsArgs,
    min_ttl: u64,
) -> anyhow::Result<(Option<Tokens>, AwsCredentials, String)> {
    let r = resolve(settings, sign_in, a).await?;
    let tokens = r.who.tokens(sign_in, min_ttl).await?;
    let credentials = r
        .current(min_ttl.max(EXEC_MIN_TTL), || async { Ok(tokens.clone()) })
        .await?;
    Ok((tokens, credentials, r.session.place.region.clone()))
}

/// Whose credentials: a guest, or the user `token` would sign in.
enum Who {
    Unauthenticated,
    /// An `InitiateAuth` flow's user (the name as typed).
    Pool(Box<Pool>, String),
    /// The browser flow's user.
    Browser(Box<OAuthTarget>),
}

impl Who {
    /// The current tokens as `token` gets them; none for a guest. (Boxed:
    /// the sign-in's future, nested in the credentials', is deep.)
    async fn tokens(&self, sign_in: &SignInArgs, min_ttl: u64) -> anyhow::Result<Option<Tokens>> {
        Ok(match self {
            Who::Unauthenticated => None,
            Who::Pool(pool, name) => {
                let id = pool.identity(name);
                Some(Box::pin(crate::current::current_tokens(pool, &id, sign_in, min_ttl)).await?)
            }
            Who::Browser(t) => Some(Box::pin(t.current(sign_in.no_cache, min_ttl)).await?),
        })
    }

    fn typed_name(&self) -> Option<&str> {
        match self {
            Who::Pool(_, name) => Some(name),
            Who::Unauthenticated | Who::Browser(_) => None,
        }
    }
}

/// The options resolved: who, which pool and flow, where.
struct Resolved {
    who: Who,
    user_pool_id: Option<PoolId>,
    session: AwsSession,
    client_id: Option<String>,
}

async fn resolve(
    settings: &Settings<'_>,
    sign_in: &SignInArgs,
    a: &AwsArgs,
) -> anyhow::Result<Resolved> {
    let args = settings.args;
    let pool: IdentityPoolId = non_empty(
        "the identity pool id",
        "--identity-pool-id",
        a.identity_pool_id
            .clone()
            .or(settings.profile.identity_pool_id.clone()),
    )?
    .ok_or_else(|| {
        usage!(
            "no identity pool: pass --identity-pool-id (REGION:GUID) or set COGNITO_IDENTITY_POOL_ID"
        )
    })?
    .parse()?;
    let flow = match (&a.role_arn, a.basic_flow) {
        (Some(role_arn), true) => CredentialsFlow::Basic {
            role_arn: check_arn(role_arn)?,
            session_name: non_empty(
                "the role session name",
                "--role-session-name",
                a.role_session_name.clone(),
            )?
            .map(|n| check_session_name(&n))
            .transpose()?,
            duration_secs: a.duration_seconds,
        },
        (None, true) => return Err(usage!("--basic-flow needs --role-arn: the role to assume")),
        (role_arn, false) => CredentialsFlow::Enhanced {
            role_arn: role_arn.as_deref().map(check_arn).transpose()?,
        },
    };
    let user_pool_id: Option<PoolId> = non_empty(
        "the user pool id",
        "--user-pool-id",
        args.user_pool_id
            .clone()
            .or(settings.profile.user_pool_id.clone()),
    )?
    .as_deref()
    .map(str::parse)
    .transpose()?;
    let who = if a.unauthenticated {
        Who::Unauthenticated
    } else {
        match crate::target::resolve(settings).await? {
            Target::InitiateAuth(pool) => {
                let name = crate::user::username(settings)?;
                Who::Pool(Box::new(pool), name)
            }
            Target::OAuth(t) if t.flow == OAuthFlow::ClientCredentials => {
                return Err(usage!(
                    "--flow client-credentials gives no ID token, and an identity pool needs a user's: \
                     sign in with another --flow, or pass --unauthenticated for a guest identity"
                ));
            }
            Target::OAuth(t) => Who::Browser(Box::new(t)),
        }
    };
    let provider = |p: &PoolId| format!("cognito-idp.{}.amazonaws.com/{p}", p.region());
    let (owner, provider) = match &who {
        Who::Unauthenticated => (AwsOwner::Unauthenticated, None),
        Who::Pool(pool, name) => (
            AwsOwner::User(pool.cache_key(name)),
            user_pool_id.as_ref().map(provider),
        ),
        Who::Browser(t) => (
            AwsOwner::User(t.cache_key()),
            user_pool_id.as_ref().map(provider),
        ),
    };
    let explicit = non_empty(
        "the endpoint URL",
        "--endpoint-url",
        args.endpoint_url.clone(),
    )?;
    let place = Place::resolve(
        &pool,
        explicit.as_deref(),
        settings
            .profile
            .endpoint_url
            .as_deref()
            .map(|e| (settings.pname.as_str(), e)),
        &endpoint::insecure_hosts(&args.allow_insecure_http),
        a.basic_flow,
        std::time::Duration::from_secs(args.timeout.unwrap_or(30)),
    )
    .await?;
    Ok(Resolved {
        who,
        user_pool_id,
        session: AwsSession {
            store: Store::default_dir().map(Store::at),
            owner,
            pool,
            place,
            flow,
            provider,
            write: !sign_in.no_cache,
        },
        client_id: args
            .client_id
            .clone()
            .or(settings.profile.client_id.clone()),
    })
}

/// What went wrong on the way: the sign-in's failure as it is, or the
/// identity pool's (or STS's) with a hint.
enum Failed {
    SignIn(anyhow::Error),
    Aws(Error),
}

impl From<Error> for Failed {
    fn from(e: Error) -> Self {
        Failed::Aws(e)
    }
}

impl Resolved {
    /// The session's current credentials, with the tokens `tokens` gives
    /// (asked only when the cache cannot serve).
    async fn current<F, Fut>(&self, min_ttl: u64, tokens: F) -> anyhow::Result<AwsCredentials>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<Option<Tokens>>>,
    {
        let connect = Connect {
            place: &self.session.place,
            client: tokio::sync::OnceCell::new(),
        };
        self.session
            .current(min_ttl, &connect, &crate::session::Stderr, || async {
                let tokens = tokens().await.map_err(Failed::SignIn)?;
                Ok(match tokens {
                    None => Login::Unauthenticated,
                    Some(t) => Login::user_pool(
                        self.user_pool_id.as_ref(),
                        t.id_token.clone(),
                        self.who.typed_name(),
                    )?,
                })
            })
            .await
            .map_err(|f| match f {
                Failed::SignIn(e) => e,
                Failed::Aws(e) => self.hinted(e),
            })
    }

    /// The identity pool's refusals, with what to fix.
    fn hinted(&self, e: Error) -> anyhow::Error {
        let s = &self.session;
        let pool = s.pool.as_str();
        let message = match &e {
            Error::Service { message, .. } => message.as_str(),
            _ => "",
        };
        let role = match &s.flow {
            CredentialsFlow::Enhanced { role_arn } => role_arn.as_deref(),
            CredentialsFlow::Basic { role_arn, .. } => Some(role_arn.as_str()),
        };
        let hint = match e.code() {
            Some("ResourceNotFoundException") => format!(
                "check --identity-pool-id: {} does not know the identity pool {pool} (an identity pool is found only at its own region's endpoint, {})",
                s.place.identity.url(),
                s.pool.region()
            ),
            // An emulator without identity pools (cognito-local: `CognitoLocal#Unsupported`).
            Some(
                "UnknownOperationException" | "Unsupported" | "UnknownOperation"
                | "InvalidAction" | "NotImplemented",
            ) => format!(
                "{} does not serve Cognito identity pools (cognito-local has none): point --endpoint-url or \
                 AWS_ENDPOINT_URL_COGNITO_IDENTITY at one that does (AWS, moto, fakecloud)",
                s.place.identity.url()
            ),
            Some("NotAuthorizedException") if message.starts_with("Unauthenticated access") => {
                "the identity pool allows no guest identities: sign in (without --unauthenticated), \
                 or allow unauthenticated identities in the identity pool"
                    .into()
            }
            Some("NotAuthorizedException") if message.contains("supported provider") => format!(
                "add the app client{} of user pool {} to the identity pool's Cognito user pool providers, \
                 or sign in with an app client it lists",
                self.client_id
                    .as_deref()
                    .map(|c| format!(" {c}"))
                    .unwrap_or_default(),
                self.user_pool_id
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| "(the token's)".into())
            ),
            Some("NotAuthorizedException") if message.starts_with("Invalid login token") => {
                "the identity pool refused the ID token: check that --user-pool-id names the user pool \
                 that issued it, and sign in again (`cognito-token login`) if it expired"
                    .into()
            }
            Some("NotAuthorizedException") if role.is_some() => format!(
                "the identity pool does not let this user have the role {}: check --role-arn \
                 (with role mapping by token, a role of the user's groups, cognito:roles)",
                role.unwrap_or_default()
            ),
            Some("InvalidIdentityPoolConfigurationException") => {
                "check the identity pool's roles: each must exist and trust this pool \
                 (cognito-identity.amazonaws.com:aud and :amr in its trust policy)"
                    .into()
            }
            Some("AccessDenied" | "AccessDeniedException") => format!(
                "the role {} does not trust this identity pool's identities for sts:AssumeRoleWithWebIdentity: \
                 check --role-arn and the role's trust policy",
                role.unwrap_or("asked for")
            ),
            Some("InvalidParameterException")
                if message.contains("Basic (classic) flow") || message.contains("classic flow") =>
            {
                "the identity pool does not allow the basic flow: leave out --basic-flow, or enable it on the pool".into()
            }
            _ => return e.into(),
        };
        Hinted { error: e, hint }.into()
    }
}

/// The identity-pool clients of this process, built on first use (a cache
/// hit builds none); the first use says which endpoints the requests go to
/// when they are not AWS's public ones.
struct Connect<'a> {
    place: &'a Place,
    client: tokio::sync::OnceCell<IdentityPools>,
}

impl cognito_token_core::aws_credentials::Connect for Connect<'_> {
    async fn identity_pools(&self) -> Result<&IdentityPools, Error> {
        self.client
            .get_or_try_init(|| async {
                let sts = self.place.sts.iter();
                for notice in std::iter::once(&self.place.identity)
                    .chain(sts)
                    .filter_map(|e| e.notice())
                {
                    eprintln!("{notice}");
                }
                IdentityPools::connect(self.place).await
            })
            .await
    }
}

/// A role ARN, checked for shape (IAM: `arn:PARTITION:iam::ACCOUNT:role/NAME`,
/// 20 to 2048 characters as `CustomRoleArn` and `RoleArn` allow).
fn check_arn(arn: &str) -> anyhow::Result<String> {
    let ok = (20..=2048).contains(&arn.len())
        && arn.starts_with("arn:")
        && arn.split(':').nth(2) == Some("iam")
        && arn
            .split(':')
            .nth(5)
            .is_some_and(|r| r.starts_with("role/"))
        && !arn.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(usage!(
            "invalid --role-arn {:?}: expected a role's ARN such as arn:aws:iam::123456789012:role/NAME",
            arn.chars().take(80).collect::<String>()
        ));
    }
    Ok(arn.to_owned())
}

/// A role session name STS accepts: 2 to 64 of `[\w+=,.@-]`.
fn check_session_name(name: &str) -> anyhow::Result<String> {
    let ok = (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if !ok {
        return Err(usage!(
            "invalid --role-session-name: 2 to 64 letters, digits and _+=,.@- (STS's rule)"
        ));
    }
    Ok(name.to_owned())
}

/// Prints the credentials: the `credential_process` JSON (AWS CLI user
/// guide, "Sourcing credentials with an external process": `Version` 1,
/// `AccessKeyId`, `SecretAccessKey`, `SessionToken`, `Expiration` in
/// ISO 8601), `export` lines, or that JSON with the identity id.
fn print(c: &AwsCredentials, output: AwsOutputArg) -> anyhow::Result<ExitCode> {
    let expiration = rfc3339(c.expiration);
    match output {
        AwsOutputArg::CredentialProcess | AwsOutputArg::Json => {
            let mut v = serde_json::json!({
                "Version": 1,
                "AccessKeyId": c.access_key_id,
                "SecretAccessKey": c.secret_access_key.expose(),
                "SessionToken": c.session_token.expose(),
                "Expiration": expiration,
            });
            if output == AwsOutputArg::Json {
                v["IdentityId"] = c.identity_id.clone().into();
            }
            emit(&v.to_string())
        }
        AwsOutputArg::Env => emit(&env_lines(c, &expiration)),
    }
}

/// `export NAME='value'` lines for `eval`: every value single-quoted, so
/// nothing a server sent is run by the shell.
fn env_lines(c: &AwsCredentials, expiration: &str) -> String {
    [
        ("AWS_ACCESS_KEY_ID", c.access_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", c.secret_access_key.expose()),
        ("AWS_SESSION_TOKEN", c.session_token.expose()),
        ("AWS_CREDENTIAL_EXPIRATION", expiration),
    ]
    .iter()
    .map(|(k, v)| format!("export {k}='{}'", v.replace('\'', r"'\''")))
    .collect::<Vec<_>>()
    .join("\n")
}

/// `logout`: forgets the user's AWS credentials and identity ids with the
/// tokens. Returns whether there were any.
pub fn forget(store: &Store, key: &cognito_token_core::session::CacheKey) -> std::io::Result<bool> {
    store.remove(&AwsOwner::User(key.clone()))
}

/// `logout --unauthenticated`: removes the guest identities and their
/// credentials (one file for every identity pool; no request: guest
/// identities have nothing to revoke).
pub fn logout_unauthenticated() -> anyhow::Result<ExitCode> {
    let Some(store) = Store::default_dir().map(Store::at) else {
        return Err(usage!("no cache directory (HOME and XDG_CACHE_HOME unset)"));
    };
    let removed = store.remove(&AwsOwner::Unauthenticated).with_context(|| {
        format!(
            "cannot remove the guest AWS credentials in {}",
            store.dir().display()
        )
    })?;
    if removed {
        eprintln!("forgot the cached guest identities and AWS credentials");
    } else {
        eprintln!("no cached guest identities");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognito_token_core::Secret;

    #[test]
    fn env_lines_quote_what_the_server_sent() {
        let c = AwsCredentials {
            access_key_id: "ASIA'; rm -rf ~; '".into(),
            secret_access_key: Secret::new("s$(id)"),
            session_token: Secret::new("t`x`"),
            expiration: 0,
            identity_id: String::new(),
        };
        assert_eq!(
            env_lines(&c, "1970-01-01T00:00:00Z"),
            "export AWS_ACCESS_KEY_ID='ASIA'\\''; rm -rf ~; '\\'''\n\
             export AWS_SECRET_ACCESS_KEY='s$(id)'\n\
             export AWS_SESSION_TOKEN='t`x`'\n\
             export AWS_CREDENTIAL_EXPIRATION='1970-01-01T00:00:00Z'"
        );
    }
}

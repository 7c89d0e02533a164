//! *Where* tokens come from: the endpoint, region, user pool, app client
//! and client secret of an `InitiateAuth` flow, or the domain, app client
//! and scopes of an OAuth2 grant. Flags beat environment variables (clap
//! merges the two), which beat the profile, which beats the AWS config
//! file. The profile is read once ([`Settings::read`]).
//!
//! *Who* signs in is the [`user`](crate::user) module's.

use std::time::Duration;

use cognito_token_core::endpoint::{self, Endpoint, EndpointRequest};
use cognito_token_core::oauth2::{self, Domain, OAuthClient, callback};
use cognito_token_core::session::{CacheKey, DeviceOwner, Session, Source};
use cognito_token_core::{Cognito, ConnectOptions, FirstFactor, Flow, Identity, PoolId, Secret};

use clap::ValueEnum as _;

use crate::args::{FlowArg, IdentityArgs};
use crate::fail::usage;
use crate::profile::Profile;

/// The options of one command with its profile, read once.
#[derive(Debug)]
pub struct Settings<'a> {
    pub args: &'a IdentityArgs,
    /// Whether a profile was named (and read).
    named: bool,
    /// The profile, or an empty one.
    pub profile: Profile,
    /// The profile's name, for messages.
    pub pname: String,
}

impl<'a> Settings<'a> {
    /// Reads the profile the options name (`--profile`, `COGNITO_TOKEN_PROFILE`).
    pub fn read(args: &'a IdentityArgs) -> anyhow::Result<Settings<'a>> {
        let profile = crate::profile::load(args.profile.as_deref())?;
        Ok(Settings {
            args,
            named: profile.is_some(),
            profile: profile.unwrap_or_default(),
            pname: args.profile.clone().unwrap_or_default(),
        })
    }

    /// The app client id (`--client-id`, `COGNITO_CLIENT_ID`, the profile),
    /// checked; every flow needs one.
    fn client_id(&self) -> anyhow::Result<String> {
        let client_id = non_empty(
            "the client id",
            "--client-id",
            self.args
                .client_id
                .clone()
                .or(self.profile.client_id.clone()),
        )?
        .ok_or_else(|| usage!("no app client id: pass --client-id or set COGNITO_CLIENT_ID"))?;
        if client_id.len() > 128
            || !client_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'_')
        {
            return Err(usage!(
                "invalid client id: expected up to 128 letters and digits"
            ));
        }
        Ok(client_id)
    }

    /// The client secret: `--client-secret` / `COGNITO_CLIENT_SECRET` (a
    /// warning when it came on the command line), else the profile's source.
    fn client_secret(&self) -> anyhow::Result<Option<Secret>> {
        let secret = match non_empty(
            "the client secret",
            "--client-secret",
            self.args.client_secret.clone(),
        )? {
            Some(s) => {
                if std::env::var_os("COGNITO_CLIENT_SECRET").is_none() {
                    eprintln!(
                        "warning: --client-secret on the command line is visible to other users (ps); prefer COGNITO_CLIENT_SECRET"
                    );
                }
                Some(s)
            }
            None if self.named => self
                .profile
                .client_secret(&self.pname)
                .map_err(|e| usage!("{e:#}"))?,
            None => None,
        };
        Ok(secret.map(Secret::new))
    }

    /// The flow: `--flow`, else the profile's `flow` (parsed with the file),
    /// else the password flow.
    pub fn flow(&self) -> FlowArg {
        self.args
            .flow
            .or(self.profile.flow)
            .unwrap_or(FlowArg::Password)
    }

    /// The OAuth2 flow when one is selected, else `None` (an `InitiateAuth`
    /// flow).
    pub fn oauth_flow(&self) -> Option<OAuthFlow> {
        match self.flow() {
            FlowArg::ClientCredentials => Some(OAuthFlow::ClientCredentials),
            FlowArg::Browser => Some(OAuthFlow::Browser),
            FlowArg::Password
            | FlowArg::Admin
            | FlowArg::Srp
            | FlowArg::UserAuth
            | FlowArg::Custom
            | FlowArg::AdminCustom => None,
        }
    }
}

/// A flag's (or variable's, or profile's) value: not blank, not huge.
pub fn non_empty(what: &str, flag: &str, v: Option<String>) -> anyhow::Result<Option<String>> {
    match v {
        Some(s) if s.trim().is_empty() => Err(usage!("{what} is empty: give a value to {flag}")),
        Some(s) if s.len() > 2048 => Err(usage!("{what} is too long ({} bytes)", s.len())),
        other => Ok(other),
    }
}

/// Where tokens come from: one of the token sources.
#[derive(Debug)]
pub enum Target {
    /// `InitiateAuth` at a Cognito endpoint.
    InitiateAuth(Pool),
    /// An OAuth2 grant at the user pool's domain.
    OAuth(OAuthTarget),
}

/// The target of a command's options.
pub async fn resolve(s: &Settings<'_>) -> anyhow::Result<Target> {
    Ok(match s.oauth_flow() {
        Some(flow) => Target::OAuth(oauth(s, flow)?),
        None => Target::InitiateAuth(pool(s).await?),
    })
}

/// Where an `InitiateAuth` flow goes: endpoint, region, pool, app client.
#[derive(Debug)]
pub struct Pool {
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub user_pool_id: Option<PoolId>,
    pub flow: Flow,
    pub region: String,
    /// Resolved once (core's `endpoint::resolve`): what the SDK is given,
    /// what is logged, and what keys the cache.
    pub endpoint: Endpoint,
    /// Hosts other than loopback that may be reached over plain HTTP.
    pub insecure_hosts: Vec<String>,
    pub timeout: Duration,
    /// The profile's `remember_device` (`--remember-device` also sets it).
    pub remember_device: bool,
    /// The profile as read (the answers' settings: `challenge_command`,
    /// `client_metadata`, `client_secret_env`).
    pub profile: Box<crate::profile::Profile>,
    /// The process's one SDK client, built on first use.
    client: tokio::sync::OnceCell<Cognito>,
}

impl Pool {
    /// The one SDK client of this process, built on first use (a token
    /// served from the cache builds none). The first use also says, once,
    /// which endpoint requests go to when it is not Cognito's public one.
    pub async fn cognito(&self) -> Result<&Cognito, cognito_token_core::Error> {
        self.client
            .get_or_try_init(|| async {
                if let Some(notice) = self.endpoint.notice() {
                    eprintln!("{notice}");
                }
                Cognito::connect(&self.connect_options()).await
            })
            .await
    }

    fn connect_options(&self) -> ConnectOptions {
        ConnectOptions {
            region: Some(self.region.clone()),
            endpoint_url: Some(self.endpoint.url().to_owned()),
            insecure_hosts: self.insecure_hosts.clone(),
            credentials: self.flow.is_admin(),
            timeout: Some(self.timeout),
            max_attempts: None,
        }
    }

    /// The identity of `username` at this pool and app client.
    pub fn identity(&self, username: &str) -> Identity {
        Identity {
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            username: username.to_owned(),
            user_pool_id: self.user_pool_id.clone(),
        }
    }

    /// Where `username`'s tokens are cached.
    pub fn cache_key(&self, username: &str) -> CacheKey {
        CacheKey {
            endpoint: self.endpoint.url().to_owned(),
            region: self.region.clone(),
            client_id: self.client_id.clone(),
            username: username.to_owned(),
        }
    }

    /// The record of tokens this pool's flow made.
    pub fn source(&self) -> Source {
        Source::initiate_auth(self.flow)
    }

    /// The tokens of `id` here: cached under its key, refreshed with its
    /// remembered device's key; `write`: new tokens are cached.
    pub fn session(&self, id: &Identity, write: bool) -> Session {
        Session {
            store: crate::session::store(),
            key: self.cache_key(&id.username),
            source: self.source(),
            client: id.clone(),
            device: Some(self.device_owner(id)),
            insecure_hosts: self.insecure_hosts.clone(),
            timeout: self.timeout,
            write,
        }
    }

    /// Whose device file `id`'s remembered device is in.
    pub fn device_owner(&self, id: &Identity) -> DeviceOwner {
        DeviceOwner::of(self.endpoint.url(), id)
    }
}

impl cognito_token_core::session::Connect for Pool {
    async fn cognito(&self) -> Result<&Cognito, cognito_token_core::Error> {
        Pool::cognito(self).await
    }
}

async fn pool(s: &Settings<'_>) -> anyhow::Result<Pool> {
    let (args, p, pname) = (s.args, &s.profile, s.pname.as_str());
    let client_id = s.client_id()?;
    let client_secret = s.client_secret()?;
    let pool_text = non_empty(
        "the user pool id",
        "--user-pool-id",
        args.user_pool_id.clone().or(p.user_pool_id.clone()),
    )?;
    let user_pool_id: Option<PoolId> = pool_text.as_deref().map(str::parse).transpose()?;

    let custom_srp = args.custom_srp || p.custom_srp.unwrap_or(false);
    if args.custom_srp && !matches!(s.flow(), FlowArg::Custom | FlowArg::AdminCustom) {
        return Err(usage!(
            "--custom-srp is for --flow custom or admin-custom, not --flow {}",
            s.flow()
                .to_possible_value()
                .map(|v| v.get_name().to_owned())
                .unwrap_or_default()
        ));
    }
    let flow = match s.flow() {
        FlowArg::Password => Flow::Password,
        FlowArg::Admin => Flow::Admin,
        FlowArg::Srp => Flow::Srp,
        FlowArg::UserAuth => Flow::UserAuth { preferred: None },
        FlowArg::Custom => Flow::Custom { srp: custom_srp },
        FlowArg::AdminCustom => Flow::AdminCustom { srp: custom_srp },
        FlowArg::ClientCredentials | FlowArg::Browser => {
            return Err(usage!(
                "the OAuth2 flows (client-credentials, browser) get tokens for one client or user at a time, not with InitiateAuth"
            ));
        }
    };
    let flow = preferred_challenge(flow, args.preferred_challenge.map(Into::into), p)?;
    if flow
        == (Flow::UserAuth {
            preferred: Some(FirstFactor::PasswordSrp),
        })
        && user_pool_id.is_none()
    {
        return Err(usage!(
            "--preferred-challenge password-srp needs the user pool id: pass --user-pool-id or set COGNITO_USER_POOL_ID"
        ));
    }
    if (flow.is_admin() || matches!(flow, Flow::Srp)) && user_pool_id.is_none() {
        return Err(usage!(
            "--flow {} needs the user pool id: pass --user-pool-id or set COGNITO_USER_POOL_ID",
            flow.name()
        ));
    }
    if matches!(
        flow,
        Flow::Custom { srp: true } | Flow::AdminCustom { srp: true }
    ) && user_pool_id.is_none()
    {
        return Err(usage!(
            "--custom-srp needs the user pool id: pass --user-pool-id or set COGNITO_USER_POOL_ID"
        ));
    }

    // cognito-local's pool ids (`local_…`) name no AWS region: the region
    // then comes from the options, the profile or the environment.
    let pool_region = user_pool_id
        .as_ref()
        .map(|pool| pool.region())
        .filter(|r| *r != cognito_token_core::LOCAL_POOL_REGION);
    let region = match non_empty("the region", "--region", args.region.clone())? {
        Some(r) => r,
        None => match (pool_region, &p.region) {
            (Some(pool), _) => pool.to_owned(),
            (None, Some(r)) => r.clone(),
            (None, None) => cognito_token_core::default_region().await.ok_or_else(|| {
                usage!("no region: pass --region or --user-pool-id (e.g. us-east-1_AbC123), or set AWS_REGION")
            })?,
        },
    };
    if !cognito_token_core::is_region(&region) {
        return Err(usage!(
            "invalid region {:?}: expected a name such as us-east-1",
            region.chars().take(40).collect::<String>()
        ));
    }
    if let (Some(pool), Some(pool_region), Some(_)) = (&user_pool_id, pool_region, &args.region)
        && pool_region != region
    {
        return Err(usage!(
            "--region {region} does not match the user pool id {pool}, which is in {pool_region}"
        ));
    }
    let explicit = non_empty(
        "the endpoint URL",
        "--endpoint-url",
        args.endpoint_url.clone(),
    )?;
    let insecure_hosts = endpoint::insecure_hosts(&args.allow_insecure_http);
    let endpoint = endpoint::resolve(&EndpointRequest {
        explicit: explicit.as_deref(),
        profile: p.endpoint_url.as_deref().map(|e| (pname, e)),
        region: &region,
        insecure_hosts: &insecure_hosts,
    })
    .await?;

    Ok(Pool {
        client_id,
        client_secret,
        user_pool_id,
        flow,
        region,
        endpoint,
        insecure_hosts,
        timeout: Duration::from_secs(args.timeout.unwrap_or(30)),
        remember_device: p.remember_device.unwrap_or(false),
        profile: Box::new(p.clone()),
        client: tokio::sync::OnceCell::new(),
    })
}

/// `--preferred-challenge` (or `COGNITO_PREFERRED_CHALLENGE`, or the
/// profile's `preferred_challenge`) into the user-auth flow; given for
/// another flow by flag or environment, it is a usage error.
fn preferred_challenge(
    flow: Flow,
    from_arg: Option<FirstFactor>,
    p: &Profile,
) -> anyhow::Result<Flow> {
    match flow {
        Flow::UserAuth { .. } => Ok(Flow::UserAuth {
            preferred: from_arg.or(p.preferred_challenge),
        }),
        other => match from_arg {
            Some(f) => Err(usage!(
                "--preferred-challenge {f} (or COGNITO_PREFERRED_CHALLENGE) is for --flow user-auth, not --flow {}",
                other.name()
            )),
            None => Ok(other),
        },
    }
}

/// Which OAuth2 flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthFlow {
    ClientCredentials,
    Browser,
}

impl OAuthFlow {
    pub fn name(self) -> &'static str {
        match self {
            OAuthFlow::ClientCredentials => "client-credentials",
            OAuthFlow::Browser => "browser",
        }
    }
}

/// Where an OAuth2 grant goes: the domain, the app client, the scopes.
#[derive(Debug)]
pub struct OAuthTarget {
    /// The app client as core's requests name it (no user: the OAuth2
    /// grants' requests carry none).
    pub app_client: Identity,
    pub flow: OAuthFlow,
    pub domain: Domain,
    pub client: OAuthClient,
    pub scopes: Vec<String>,
    /// Exactly as given: Cognito compares it byte for byte.
    pub redirect_uri: String,
    pub idp: Option<String>,
    pub no_browser: bool,
    /// The variable the profile takes the client secret from: the browser
    /// opener does not inherit it (nor any of `args::SECRET_VARS`).
    pub client_secret_env: Option<String>,
    /// The hosts the domain may be reached at over plain HTTP.
    pub insecure_hosts: Vec<String>,
    pub request_timeout: Duration,
    pub wait_timeout: Duration,
}

/// The default scopes of the browser flow.
const BROWSER_SCOPES: &str = "openid email profile";

fn oauth(s: &Settings<'_>, flow: OAuthFlow) -> anyhow::Result<OAuthTarget> {
    let (args, p) = (s.args, &s.profile);
    let name = flow.name();
    let client_id = s.client_id()?;
    let domain_text = non_empty(
        "the domain",
        "--domain",
        args.oauth.domain.clone().or(p.domain.clone()),
    )?
    .ok_or_else(|| {
        usage!(
            "--flow {name} needs the user pool's domain: pass --domain (e.g. \
             https://PREFIX.auth.REGION.amazoncognito.com) or set COGNITO_DOMAIN"
        )
    })?;
    // The same hosts as for endpoints: --allow-insecure-http and
    // COGNITO_ALLOW_INSECURE_HTTP.
    let insecure_hosts = endpoint::insecure_hosts(&args.allow_insecure_http);
    let domain = Domain::parse(&domain_text, &insecure_hosts)?;
    let client_secret = s.client_secret()?;
    let scope_text = non_empty(
        "the scope",
        "--scope",
        args.oauth.scope.clone().or(p.scope.clone()),
    )?;
    let scopes = oauth2::parse_scopes(scope_text.as_deref().unwrap_or(match flow {
        OAuthFlow::ClientCredentials => "",
        OAuthFlow::Browser => BROWSER_SCOPES,
    }))?;
    let redirect_uri = non_empty(
        "the redirect URI",
        "--redirect-uri",
        args.oauth.redirect_uri.clone().or(p.redirect_uri.clone()),
    )?
    .unwrap_or_else(|| oauth2::DEFAULT_REDIRECT_URI.to_owned());
    let idp = non_empty(
        "the identity provider",
        "--idp",
        args.oauth.idp.clone().or(p.idp.clone()),
    )?;
    if flow == OAuthFlow::Browser {
        callback::parse_redirect_uri(&redirect_uri)?;
    }
    if flow == OAuthFlow::ClientCredentials && client_secret.is_none() {
        return Err(usage!(
            "--flow client-credentials needs the app client's secret (only a client with a secret \
             may use client_credentials): set COGNITO_CLIENT_SECRET or pass --client-secret"
        ));
    }
    let request_timeout = Duration::from_secs(args.timeout.unwrap_or(30));
    Ok(OAuthTarget {
        app_client: Identity {
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            username: String::new(),
            user_pool_id: None,
        },
        flow,
        domain,
        client: OAuthClient {
            client_id,
            client_secret,
        },
        scopes,
        redirect_uri,
        idp,
        no_browser: args.oauth.no_browser,
        client_secret_env: p.client_secret_env.clone(),
        insecure_hosts,
        request_timeout: request_timeout.min(Duration::from_secs(30)),
        wait_timeout: Duration::from_secs(args.timeout.unwrap_or(300)),
    })
}

//! Turns flags, environment variables and the profile into an identity:
//! flags beat environment variables, which beat the profile.

use std::io::IsTerminal as _;
use std::io::{BufRead as _, Read as _};

use anyhow::Context as _;
use cognito_token_core::cache::CacheKey;
use cognito_token_core::endpoint::{self, Endpoint, EndpointRequest};
use cognito_token_core::{Cognito, ConnectOptions, FirstFactor, Flow, Identity, PoolId, Secret};

use crate::args::{FlowArg, IdentityArgs, PreferredChallengeArg, SignInArgs, config_path};
use crate::fail::usage;
use crate::profile::{Config, Profile};

/// Everything needed to sign in, refresh, or find the cache entry.
#[derive(Debug)]
pub struct Resolved {
    pub identity: Identity,
    pub flow: Flow,
    pub region: String,
    /// Resolved once (core's `endpoint::resolve`): what the SDK is given,
    /// what is logged, and what keys the cache.
    pub endpoint: Endpoint,
    /// Hosts other than loopback that may be reached over plain HTTP.
    pub insecure_hosts: Vec<String>,
    pub timeout: std::time::Duration,
    /// The process's one SDK client, built on first use.
    client: tokio::sync::OnceCell<Cognito>,
    /// The profile's `remember_device` (`--remember-device` also sets it).
    pub remember_device: bool,
}

impl Resolved {
    /// The one SDK client of this process, built on first use (a token
    /// served from the cache builds none). The first use also says, once,
    /// which endpoint requests go to when it is not Cognito's public one.
    pub async fn cognito(&self) -> anyhow::Result<&Cognito> {
        self.client
            .get_or_try_init(|| async {
                if let Some(notice) = self.endpoint.notice() {
                    eprintln!("{notice}");
                }
                Cognito::connect(&self.connect_options()).await
            })
            .await
            .map_err(Into::into)
    }

    pub fn connect_options(&self) -> ConnectOptions {
        ConnectOptions {
            region: Some(self.region.clone()),
            endpoint_url: Some(self.endpoint.url().to_owned()),
            insecure_hosts: self.insecure_hosts.clone(),
            credentials: self.flow == Flow::Admin,
            timeout: Some(self.timeout),
            max_attempts: None,
        }
    }

    pub fn cache_key(&self) -> CacheKey {
        CacheKey {
            endpoint: self.endpoint.url().to_owned(),
            region: self.region.clone(),
            client_id: self.identity.client_id.clone(),
            username: self.identity.username.clone(),
        }
    }
}

/// Loads the named profile (flag or COGNITO_TOKEN_PROFILE), if any.
pub fn load_profile(name: Option<&str>) -> anyhow::Result<Option<Profile>> {
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let path = config_path()
        .ok_or_else(|| usage!("cannot find the config directory for profile {name}"))?;
    let config = Config::load(&path).map_err(|e| usage!("{e:#}"))?;
    let profile = config.profile(name, &path).map_err(|e| usage!("{e:#}"))?;
    Ok(Some(profile.clone()))
}

/// A flag's (or variable's, or profile's) value: not blank, not huge.
pub(crate) fn non_empty(
    what: &str,
    flag: &str,
    v: Option<String>,
) -> anyhow::Result<Option<String>> {
    match v {
        Some(s) if s.trim().is_empty() => Err(usage!("{what} is empty: give a value to {flag}")),
        Some(s) if s.len() > 2048 => Err(usage!("{what} is too long ({} bytes)", s.len())),
        other => Ok(other),
    }
}

/// The app client id (`--client-id`, `COGNITO_CLIENT_ID`, the profile),
/// checked; every flow needs one.
pub(crate) fn client_id(args: &IdentityArgs, p: &Profile) -> anyhow::Result<String> {
    let client_id = non_empty(
        "the client id",
        "--client-id",
        args.client_id.clone().or(p.client_id.clone()),
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
pub(crate) fn client_secret(
    args: &IdentityArgs,
    profile: Option<&Profile>,
    pname: &str,
) -> anyhow::Result<Option<String>> {
    match non_empty(
        "the client secret",
        "--client-secret",
        args.client_secret.clone(),
    )? {
        Some(s) => {
            if std::env::var_os("COGNITO_CLIENT_SECRET").is_none() {
                eprintln!(
                    "warning: --client-secret on the command line is visible to other users (ps); prefer COGNITO_CLIENT_SECRET"
                );
            }
            Ok(Some(s))
        }
        None => match profile {
            Some(p) => p.client_secret(pname).map_err(|e| usage!("{e:#}")),
            None => Ok(None),
        },
    }
}

pub async fn resolve(args: &IdentityArgs) -> anyhow::Result<Resolved> {
    let profile = load_profile(args.profile.as_deref())?;
    let pname = args.profile.clone().unwrap_or_default();
    let p = profile.clone().unwrap_or_default();

    let client_id = client_id(args, &p)?;
    let username = non_empty(
        "the username",
        "--username",
        args.username.clone().or(p.username.clone()),
    )?
    .ok_or_else(|| usage!("no username: pass --username or set COGNITO_USERNAME"))?;
    if username.chars().count() > 256 || username.chars().any(char::is_control) {
        return Err(usage!(
            "invalid username: at most 256 characters, no control characters"
        ));
    }
    let client_secret = client_secret(args, profile.as_ref(), &pname)?;
    let pool_text = non_empty(
        "the user pool id",
        "--user-pool-id",
        args.user_pool_id.clone().or(p.user_pool_id.clone()),
    )?;
    let user_pool_id: Option<PoolId> = pool_text.as_deref().map(str::parse).transpose()?;

    let flow = match args.flow {
        Some(FlowArg::Password) => Flow::Password,
        Some(FlowArg::Admin) => Flow::Admin,
        Some(FlowArg::Srp) => Flow::Srp,
        Some(FlowArg::UserAuth) => Flow::UserAuth { preferred: None },
        Some(FlowArg::ClientCredentials | FlowArg::Browser) => {
            return Err(usage!(
                "the OAuth2 flows (client-credentials, browser) get tokens for one client or user at a time, not with InitiateAuth"
            ));
        }
        None => match p.flow.as_deref() {
            None | Some("password") => Flow::Password,
            Some("admin") => Flow::Admin,
            Some("srp") => Flow::Srp,
            Some("user-auth") => Flow::UserAuth { preferred: None },
            Some(other) => {
                return Err(usage!(
                    "profile {pname}: unknown flow {other:?}: expected password, admin, srp or user-auth"
                ));
            }
        },
    };
    let flow = preferred_challenge(flow, args.preferred_challenge, &p, &pname)?;
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
    if matches!(flow, Flow::Admin | Flow::Srp) && user_pool_id.is_none() {
        return Err(usage!(
            "--flow {} needs the user pool id: pass --user-pool-id or set COGNITO_USER_POOL_ID",
            flow.name()
        ));
    }

    let region = match non_empty("the region", "--region", args.region.clone())? {
        Some(r) => r,
        None => match (&user_pool_id, &p.region) {
            (Some(pool), _) => pool.region().to_owned(),
            (None, Some(r)) => r.clone(),
            (None, None) => cognito_token_core::default_region().await.ok_or_else(|| {
                usage!("no region: pass --region or --user-pool-id (e.g. us-east-1_AbC123), or set AWS_REGION")
            })?,
        },
    };
    if !cognito_token_core::is_region(&region) {
        return Err(usage!(
            "invalid region {:?}: expected a name such as us-east-1",
            truncate(&region)
        ));
    }
    if let (Some(pool), Some(_)) = (&user_pool_id, &args.region)
        && pool.region() != region
    {
        return Err(usage!(
            "--region {region} does not match the user pool id {pool}, which is in {}",
            pool.region()
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
        profile: p.endpoint_url.as_deref().map(|e| (pname.as_str(), e)),
        region: &region,
        insecure_hosts: &insecure_hosts,
    })
    .await?;

    Ok(Resolved {
        identity: Identity {
            client_id,
            client_secret: client_secret.map(Secret::new),
            username,
            user_pool_id,
        },
        flow,
        region,
        endpoint,
        insecure_hosts,
        timeout: std::time::Duration::from_secs(args.timeout.unwrap_or(30)),
        client: tokio::sync::OnceCell::new(),
        remember_device: p.remember_device.unwrap_or(false),
    })
}

/// `--preferred-challenge` (or `COGNITO_PREFERRED_CHALLENGE`, or the
/// profile's `preferred_challenge`) into the user-auth flow; given for
/// another flow by flag or environment, it is a usage error.
fn preferred_challenge(
    flow: Flow,
    arg: Option<PreferredChallengeArg>,
    p: &Profile,
    pname: &str,
) -> anyhow::Result<Flow> {
    let from_arg = arg.map(|a| match a {
        PreferredChallengeArg::Password => FirstFactor::Password,
        PreferredChallengeArg::PasswordSrp => FirstFactor::PasswordSrp,
        PreferredChallengeArg::EmailOtp => FirstFactor::EmailOtp,
        PreferredChallengeArg::SmsOtp => FirstFactor::SmsOtp,
    });
    match flow {
        Flow::UserAuth { .. } => {
            let preferred = match from_arg {
                Some(f) => Some(f),
                None => p
                    .preferred_challenge
                    .as_deref()
                    .map(|s| {
                        s.parse::<FirstFactor>()
                            .map_err(|e| usage!("profile {pname}: preferred_challenge: {e}"))
                    })
                    .transpose()?,
            };
            Ok(Flow::UserAuth { preferred })
        }
        other => match from_arg {
            Some(f) => Err(usage!(
                "--preferred-challenge {f} (or COGNITO_PREFERRED_CHALLENGE) is for --flow user-auth, not --flow {}",
                other.name()
            )),
            None => Ok(other),
        },
    }
}

/// Whether the password is asked before signing in. A choice-based sign-in
/// without a password factor named asks it only if the user picks one.
pub fn password_up_front(flow: Flow) -> bool {
    match flow {
        Flow::UserAuth { preferred } => preferred.is_some_and(FirstFactor::needs_password),
        _ => true,
    }
}

/// The password from sources that never prompt (`--password-stdin`,
/// `COGNITO_PASSWORD`).
pub fn password_no_prompt(sign_in: &SignInArgs) -> anyhow::Result<Option<Secret>> {
    if !sign_in.password_stdin && std::env::var_os("COGNITO_PASSWORD").is_none() {
        return Ok(None);
    }
    password(sign_in, "")
}

/// The password for a sign-in with `flow`: for the user-auth flow without a
/// password factor named, only from sources that never prompt.
pub fn password_for(
    flow: Flow,
    sign_in: &SignInArgs,
    username: &str,
) -> anyhow::Result<Option<Secret>> {
    if password_up_front(flow) {
        password(sign_in, username)
    } else {
        password_no_prompt(sign_in)
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// The password: `--password-stdin`, else `COGNITO_PASSWORD`, else a no-echo
/// prompt when standard input is a terminal. `None` when there is no source.
pub fn password(sign_in: &SignInArgs, username: &str) -> anyhow::Result<Option<Secret>> {
    if sign_in.password_stdin {
        let mut line = String::new();
        let n = std::io::stdin()
            .lock()
            .take(64 * 1024)
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let first = line.trim_end_matches(['\n', '\r']);
        if n == 0 || first.is_empty() {
            return Err(usage!(
                "--password-stdin: standard input is empty; give the password on its first line"
            ));
        }
        return Ok(Some(Secret::new(first)));
    }
    if let Ok(p) = std::env::var("COGNITO_PASSWORD") {
        if p.is_empty() {
            return Err(usage!("COGNITO_PASSWORD is set but empty"));
        }
        return Ok(Some(Secret::new(p)));
    }
    if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password(format!("Password for {username}: "))
            .context("cannot read the password")?;
        if p.is_empty() {
            return Err(usage!("the password is empty"));
        }
        return Ok(Some(Secret::new(p)));
    }
    Ok(None)
}

pub const NO_PASSWORD: &str =
    "no password: set COGNITO_PASSWORD, pass --password-stdin, or run on a terminal to be prompted";

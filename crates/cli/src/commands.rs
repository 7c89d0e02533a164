//! One function per subcommand.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::process::ExitCode;

use anyhow::Context as _;
use cognito_token_core::cache::{Cache, Entry, Lookup};
use cognito_token_core::{TokenKind, Tokens, jwt, now, verify};
use tracing::info;

use crate::answers::CliAnswers;
use crate::args::{
    Command, DecodeArgs, ExecArgs, LoginArgs, LogoutArgs, OutputArg, PrintArgs, ProfileAction,
    ProfileArgs, SignInArgs, TokenArg, TokenArgs, TokenUseArg, VerifyArgs, config_path,
};
use crate::fail::usage;
use crate::resolve::{NO_PASSWORD, Resolved, password_for, password_up_front, resolve};

pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Login(a) => login(a).await,
        Command::Token(a) => token(a).await,
        Command::Logout(a) => logout(a).await,
        Command::Decode(a) => decode(a),
        Command::Verify(a) => verify_cmd(a).await,
        Command::Exec(a) => exec(a).await,
        Command::Profile(a) => profile(a),
        Command::Proxy(a) => crate::proxy::run(a).await,
        Command::SrpTiming { runs } => crate::batch::srp_timing(runs),
    }
}

pub(crate) fn cache() -> Option<Cache> {
    Cache::default_dir().map(Cache::at)
}

async fn sign_in(
    r: &Resolved,
    sign_in: &SignInArgs,
    pw: Option<cognito_token_core::Secret>,
) -> anyhow::Result<Tokens> {
    let answers = CliAnswers::new(sign_in)?;
    let cognito = r.cognito().await?;
    let remember = sign_in.remember_device || r.remember_device;
    let tokens = crate::devices::login(cognito, r, pw.as_ref(), &answers, remember).await?;
    if !sign_in.no_cache {
        store(r, &tokens);
    }
    Ok(tokens)
}

fn store(r: &Resolved, tokens: &Tokens) {
    let Some(cache) = cache() else {
        eprintln!("warning: no cache directory (HOME and XDG_CACHE_HOME unset): tokens not cached");
        return;
    };
    if let Err(e) = cache.store(&Entry {
        key: r.cache_key(),
        tokens: tokens.clone(),
        source: Default::default(),
    }) {
        eprintln!(
            "warning: cannot write the token cache in {}: {e}",
            cache.dir().display()
        );
    }
}

async fn login(a: LoginArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = a.users_file.clone() {
        return crate::batch::login_many(a, &path).await;
    }
    if let Some(t) = crate::oauth::target(&a.identity)? {
        return crate::oauth::login(&t, a.sign_in.no_cache, &a.print).await;
    }
    let r = resolve(&a.identity).await?;
    // Check the answers' options before asking for a password.
    CliAnswers::new(&a.sign_in)?;
    let pw = password_for(r.flow, &a.sign_in, &r.identity.username)?;
    if pw.is_none() {
        if password_up_front(r.flow) {
            return Err(usage!("{NO_PASSWORD}"));
        }
        crate::answers::check_code_source()?;
    }
    let tokens = sign_in(&r, &a.sign_in, pw).await?;
    print_tokens(&tokens, &a.print)
}

/// Tokens for `token` and `exec`: the cache while more than `min_ttl`
/// seconds remain (no network), else refresh, else a full sign-in.
async fn current_tokens(
    r: &Resolved,
    sign_in_args: &SignInArgs,
    min_ttl: u64,
) -> anyhow::Result<Tokens> {
    let key = r.cache_key();
    let cache = cache();
    let cached = match cache.as_ref().map(|c| c.load(&key)) {
        Some(Lookup::Hit(e)) => Some(e.tokens),
        Some(Lookup::Unusable(why)) => {
            eprintln!("warning: ignoring the cached tokens: {why}");
            None
        }
        Some(Lookup::Miss) | None => None,
    };
    let now = now();
    if let Some(t) = &cached
        && t.expires_in(now) > i64::try_from(min_ttl).unwrap_or(i64::MAX)
    {
        info!(expires_in = t.expires_in(now), "using cached tokens");
        return Ok(t.clone());
    }
    let mut reused = None;
    if let Some(t) = cached.filter(|t| t.refresh_token.is_some()) {
        match crate::refresh::refresh(r, cache.as_ref(), t, min_ttl, !sign_in_args.no_cache).await?
        {
            crate::refresh::Refresh::Tokens(tokens) => return Ok(tokens),
            crate::refresh::Refresh::SignIn {
                error,
                reused: true,
            } => {
                reused = Some(error);
            }
            crate::refresh::Refresh::SignIn { error, .. } => {
                eprintln!("warning: refreshing failed ({error}); signing in again");
            }
        }
    }
    let pw = password_for(r.flow, sign_in_args, &r.identity.username)?;
    if let Some(e) = reused {
        if pw.is_none() && password_up_front(r.flow) {
            return Err(anyhow::Error::new(e).context(format!(
                "the cached refresh token of {} was already rotated away by another refresh: run `cognito-token login` again, or set COGNITO_PASSWORD to sign in again automatically",
                r.identity.username
            )));
        }
        eprintln!(
            "warning: the cached refresh token was already rotated away ({e}); signing in again"
        );
    }
    if pw.is_none() {
        if password_up_front(r.flow) {
            return Err(usage!(
                "no valid cached token for {}: run `cognito-token login` first, or set COGNITO_PASSWORD",
                r.identity.username
            ));
        }
        crate::answers::check_code_source()?;
    }
    sign_in(r, sign_in_args, pw).await
}

async fn token(a: TokenArgs) -> anyhow::Result<ExitCode> {
    if let Some(t) = crate::oauth::target(&a.identity)? {
        return crate::oauth::token(&t, a.sign_in.no_cache, &a.print, a.min_ttl).await;
    }
    let r = resolve(&a.identity).await?;
    let tokens = current_tokens(&r, &a.sign_in, a.min_ttl).await?;
    print_tokens(&tokens, &a.print)
}

async fn logout(a: LogoutArgs) -> anyhow::Result<ExitCode> {
    if let Some(t) = crate::oauth::target(&a.identity)? {
        return crate::oauth::logout(&t, a.local).await;
    }
    let r = resolve(&a.identity).await?;
    let Some(cache) = cache() else {
        return Err(usage!("no cache directory (HOME and XDG_CACHE_HOME unset)"));
    };
    let key = r.cache_key();
    let cached = match cache.load(&key) {
        Lookup::Hit(e) => Some(e.tokens),
        _ => None,
    };
    if a.forget_device {
        crate::devices::forget(&r, cached.as_ref(), a.local).await?;
    }
    let refresh = cached.and_then(|t| t.refresh_token);
    if let (Some(rt), false) = (&refresh, a.local) {
        let cognito = r.cognito().await?;
        match cognito.revoke(&r.identity, rt).await {
            Ok(()) => eprintln!("revoked the refresh token"),
            Err(e) => eprintln!(
                "warning: could not revoke the refresh token ({e}); forgetting it locally"
            ),
        }
    }
    let removed = cache
        .remove(&key)
        .with_context(|| format!("cannot remove the cache entry in {}", cache.dir().display()))?;
    if removed {
        eprintln!("forgot the cached tokens of {}", r.identity.username);
    } else {
        eprintln!("no cached tokens for {}", r.identity.username);
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a JSON value (claims from a token) to stdout, with the characters
/// a terminal would act on escaped; the JSON value is unchanged.
fn emit_json(v: &serde_json::Value) -> anyhow::Result<ExitCode> {
    let text = serde_json::to_string_pretty(v)?;
    emit(&cognito_token_core::sanitize::json_for_terminal(&text))
}

/// Writes one line to stdout; a closed pipe is not an error.
fn emit(line: &str) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{line}").and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

pub(crate) fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

pub(crate) fn print_tokens(tokens: &Tokens, p: &PrintArgs) -> anyhow::Result<ExitCode> {
    let kind = match p.token_kind.unwrap_or(TokenArg::Id) {
        TokenArg::Id => TokenKind::Id,
        TokenArg::Access => TokenKind::Access,
        TokenArg::Refresh => TokenKind::Refresh,
    };
    match p.output {
        OutputArg::Json => {
            let now = now();
            let v = serde_json::json!({
                // None for client credentials, which have no ID token.
                "id_token": (!tokens.id_token.is_empty()).then(|| tokens.id_token.expose()),
                "access_token": tokens.access_token.expose(),
                "refresh_token": tokens.refresh_token.as_ref().map(|t| t.expose()),
                "token_type": tokens.token_type,
                "expires_in": tokens.expires_in(now).max(0),
                "expires_at": rfc3339(tokens.expires_at),
            });
            emit(&v.to_string())
        }
        OutputArg::Token | OutputArg::Header => {
            let t = tokens.get(kind).ok_or_else(|| {
                usage!("no refresh token: Cognito returned none for this sign-in")
            })?;
            if p.output == OutputArg::Header {
                emit(&format!("Authorization: {}", t.expose()))
            } else {
                emit(t.expose())
            }
        }
    }
}

/// The token from the argument, or from standard input for `-` or none.
fn read_token(arg: Option<String>) -> anyhow::Result<String> {
    let raw = match arg.as_deref() {
        None | Some("-") => {
            if std::io::stdin().is_terminal() {
                return Err(usage!(
                    "no token: pass it as an argument or pipe it to standard input"
                ));
            }
            let mut buf = String::new();
            std::io::stdin()
                .lock()
                .take(jwt::MAX_TOKEN_LEN as u64 + 1024)
                .read_to_string(&mut buf)
                .map_err(|e| usage!("cannot read the token from standard input: {e}"))?;
            buf
        }
        Some(t) => t.to_owned(),
    };
    let t = raw.trim();
    let t = t.strip_prefix("Authorization:").map(str::trim).unwrap_or(t);
    let t = t.strip_prefix("Bearer ").map(str::trim).unwrap_or(t);
    if t.is_empty() {
        return Err(usage!("the token is empty"));
    }
    Ok(t.to_owned())
}

fn decode(a: DecodeArgs) -> anyhow::Result<ExitCode> {
    let token = read_token(a.token)?;
    let d = jwt::decode(&token)?;
    let out = serde_json::json!({ "header": d.header, "claims": d.claims });
    eprintln!(
        "not verified: this only shows what the token says; `cognito-token verify` checks it"
    );
    let now = now();
    for (claim, label) in [
        ("iat", "issued"),
        ("auth_time", "signed in"),
        ("exp", "expires"),
    ] {
        if let Some(t) = d.claims.get(claim).and_then(serde_json::Value::as_i64) {
            // Hostile claims (i64::MIN, i64::MAX) saturate, never overflow.
            let rel = t.saturating_sub(now);
            let when = if rel >= 0 {
                format!("in {}", human(rel))
            } else {
                format!("{} ago", human(rel.saturating_neg()))
            };
            eprintln!(
                "{label}: {} ({when})",
                rfc3339(t).replace('T', " ").replace('Z', " UTC")
            );
        }
    }
    emit_json(&out)
}

fn human(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

async fn verify_cmd(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    let token = read_token(a.token)?;
    let profile = crate::resolve::load_profile(a.profile.as_deref())?.unwrap_or_default();
    let issuer = a.issuer.filter(|i| !i.is_empty());
    if let Some(endpoint) = &a.endpoint_url {
        cognito_token_core::check_endpoint(endpoint)?;
    }
    crate::keys::require_issuer_for_other_keys(
        issuer.as_deref(),
        a.endpoint_url.as_deref(),
        a.jwks_url.as_deref(),
    )?;
    let pool = a
        .user_pool_id
        .or(profile.user_pool_id.clone())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<cognito_token_core::PoolId>())
        .transpose()?;
    let need_pool = || {
        pool.as_ref().ok_or_else(|| {
            usage!("no user pool id: pass --user-pool-id or set COGNITO_USER_POOL_ID")
        })
    };
    let mut opts = match &issuer {
        // The issuer names itself; the pool (if any) is not needed.
        Some(_) => verify::VerifyOptions::new(
            "",
            pool.as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
        ),
        None => {
            let pool = need_pool()?;
            let region = a.region.unwrap_or_else(|| pool.region().to_owned());
            if !cognito_token_core::is_region(&region) {
                return Err(usage!(
                    "invalid region {region:?}: expected a name such as us-east-1"
                ));
            }
            verify::VerifyOptions::new(region, pool.as_str())
        }
    };
    opts.issuer = issuer;
    let expected_issuer = opts.expected_issuer();
    let redirected = match (a.endpoint_url, a.jwks_url) {
        (Some(endpoint), _) => Some((
            "--endpoint-url",
            verify::jwks_url(&endpoint, need_pool()?.as_str()),
        )),
        (None, Some(url)) => Some(("--jwks-url", url)),
        (None, None) => None,
    };
    opts.jwks_url = match &redirected {
        Some((_, url)) => url.clone(),
        None => verify::issuer_jwks_url(&expected_issuer),
    };
    crate::keys::check_jwks_url(&opts.jwks_url)?;
    opts.client_id = a
        .client_id
        .or(profile.client_id.clone())
        .filter(|c| !c.is_empty());
    opts.token_use = a.token_use.map(|t| match t {
        TokenUseArg::Id => verify::TokenUse::Id,
        TokenUseArg::Access => verify::TokenUse::Access,
    });
    opts.leeway_secs = a.leeway;
    opts.cache_dir = Cache::default_dir();
    let audience = opts.client_id.is_some();
    let verifier = verify::Verifier::new(opts);
    let claims = verifier.verify(&token).await?;
    let keys = match &redirected {
        Some((flag, url)) => {
            format!("keys from {flag} {url}, trusted for issuer {expected_issuer}")
        }
        None => format!("keys from the issuer, {}", verifier.jwks_url()),
    };
    eprintln!(
        "valid: signature, expiry{}, issuer, token use{} checked ({keys})",
        if a.leeway > 0 {
            format!(" (leeway {} s)", a.leeway)
        } else {
            String::new()
        },
        if audience { ", audience" } else { "" }
    );
    emit_json(&claims)
}

async fn exec(a: ExecArgs) -> anyhow::Result<ExitCode> {
    // The variable the profile takes the client secret from, whatever the
    // flow: kept out of the child like our own secret variables.
    let secret_env = crate::resolve::load_profile(a.identity.profile.as_deref())?
        .and_then(|p| p.client_secret_env);
    let tokens = match crate::oauth::target(&a.identity)? {
        Some(t) => t.current(a.sign_in.no_cache, a.min_ttl).await?,
        None => {
            let r = resolve(&a.identity).await?;
            current_tokens(&r, &a.sign_in, a.min_ttl).await?
        }
    };
    let (program, args) = a
        .command
        .split_first()
        .ok_or_else(|| usage!("no command to run"))?;
    let mut child = std::process::Command::new(program);
    child
        .args(args)
        .env("COGNITO_ID_TOKEN", tokens.id_token.expose())
        .env("COGNITO_ACCESS_TOKEN", tokens.access_token.expose());
    // The command gets tokens, not the secrets that made them: not ours,
    // and not the variable the profile takes the client secret from.
    for k in [
        "COGNITO_PASSWORD",
        "COGNITO_NEW_PASSWORD",
        "COGNITO_CLIENT_SECRET",
        "COGNITO_TOTP_SECRET",
        "COGNITO_MFA_CODE",
    ]
    .into_iter()
    .chain(secret_env.as_deref())
    {
        child.env_remove(k);
    }
    let not_found = |e: &std::io::Error| {
        eprintln!(
            "error: cannot run {}: {}",
            program.to_string_lossy(),
            if e.kind() == std::io::ErrorKind::NotFound {
                "command not found".to_owned()
            } else {
                e.to_string()
            }
        );
        ExitCode::from(if e.kind() == std::io::ErrorKind::NotFound {
            127
        } else {
            126
        })
    };
    // Replace this process with the command: its exit status and signals are
    // then simply the command's own.
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        let e = child.exec();
        Ok(not_found(&e))
    }
    #[cfg(not(unix))]
    {
        match child.status() {
            Ok(s) => Ok(ExitCode::from(
                u8::try_from(s.code().unwrap_or(1) & 0xff).unwrap_or(1),
            )),
            Err(e) => Ok(not_found(&e)),
        }
    }
}

fn profile(a: ProfileArgs) -> anyhow::Result<ExitCode> {
    let path = config_path().ok_or_else(|| usage!("cannot find the config directory"))?;
    let config = crate::profile::Config::load(&path).map_err(|e| usage!("{e:#}"))?;
    match a.action {
        ProfileAction::List => {
            if config.profiles.is_empty() {
                eprintln!("no profiles in {}", path.display());
            }
            let names: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
            if names.is_empty() {
                return Ok(ExitCode::SUCCESS);
            }
            emit(&names.join("\n"))
        }
        ProfileAction::Show { name } => {
            let name = name
                .or_else(|| std::env::var("COGNITO_TOKEN_PROFILE").ok())
                .ok_or_else(|| usage!("which profile? pass a name or set COGNITO_TOKEN_PROFILE"))?;
            let p = config.profile(&name, &path).map_err(|e| usage!("{e:#}"))?;
            let lines: Vec<String> = std::iter::once(format!("[profiles.{name}]"))
                .chain(p.describe().into_iter().map(|(k, v)| format!("{k} = {v}")))
                .collect();
            emit(&lines.join("\n"))
        }
    }
}

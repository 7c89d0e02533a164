//! One function per subcommand.

use std::io::{IsTerminal as _, Read as _};
use std::process::ExitCode;

use anyhow::Context as _;
use cognito_token_core::store::{Lookup, Store};
use cognito_token_core::{jwt, now, verify};

use crate::args::{
    Command, DecodeArgs, ExecArgs, LoginArgs, LogoutArgs, ProfileAction, ProfileArgs, TokenArgs,
    TokenUseArg, VerifyArgs,
};
use crate::current::{current_tokens, is_custom, sign_in};
use crate::fail::usage;
use crate::output::{emit, emit_json, print_tokens, rfc3339};
use crate::profile::config_path;
use crate::target::{Settings, Target};
use crate::user::{NO_PASSWORD, password_for};

pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Login(a) => login(a).await,
        Command::Token(a) => token(a).await,
        Command::Logout(a) => logout(a).await,
        Command::Decode(a) => decode(a),
        Command::Verify(a) => verify_cmd(a).await,
        Command::Exec(a) => exec(a).await,
        Command::AwsCredentials(a) => crate::aws_credentials::run(a).await,
        Command::Profile(a) => profile(a),
        Command::Proxy(a) => crate::proxy::run(a).await,
        Command::Completions { shell } => completions(shell),
    }
}

/// `completions SHELL`: the shell's completion script, made from the same
/// clap definitions the parser uses.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    use clap::CommandFactory as _;
    // clap_complete 4.6's bash script spells a program name that has a
    // hyphen two ways, so after a subcommand nothing completes
    // (clap-rs/clap#6421, open): for bash the script is made for the name
    // without the hyphen and its function registered for the real one.
    let bash = shell == clap_complete::Shell::Bash;
    let name = if bash {
        "cognito_token"
    } else {
        "cognito-token"
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut crate::args::Cli::command(), name, &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if bash {
        script = script
            .lines()
            .map(|line| match line.strip_suffix(" cognito_token") {
                Some(head) if line.trim_start().starts_with("complete -F ") => {
                    format!("{head} cognito-token")
                }
                _ => line.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    crate::output::emit(script.trim_end())
}

async fn login(a: LoginArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = a.users_file.clone() {
        return crate::bulk::login_many(a, &path).await;
    }
    let settings = Settings::read(&a.identity)?;
    let pool = match crate::target::resolve(&settings).await? {
        Target::OAuth(t) => return crate::oauth::login(&t, a.sign_in.no_cache, &a.print).await,
        Target::InitiateAuth(pool) => pool,
    };
    let id = pool.identity(&crate::user::username(&settings)?);
    // Check the answers' options before asking for a password.
    let answers = crate::user::answers(&a.sign_in, &pool)?;
    let pw = password_for(pool.flow, &a.sign_in, &id.username)?;
    if pw.is_none() {
        if pool.flow.password_up_front() {
            return Err(usage!("{NO_PASSWORD}"));
        }
        if !is_custom(pool.flow) {
            crate::answers::check_code_source()?;
        }
    }
    let tokens = sign_in(&pool, &id, &a.sign_in, pw, &answers).await?;
    pool.session(&id, !a.sign_in.no_cache)
        .keep(&tokens, &crate::session::Stderr);
    print_tokens(&tokens, &a.print)
}

async fn token(a: TokenArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::read(&a.identity)?;
    let pool = match crate::target::resolve(&settings).await? {
        Target::OAuth(t) => {
            return crate::oauth::token(&t, a.sign_in.no_cache, &a.print, a.min_ttl).await;
        }
        Target::InitiateAuth(pool) => pool,
    };
    let id = pool.identity(&crate::user::username(&settings)?);
    let tokens = current_tokens(&pool, &id, &a.sign_in, a.min_ttl).await?;
    print_tokens(&tokens, &a.print)
}

async fn logout(a: LogoutArgs) -> anyhow::Result<ExitCode> {
    if a.unauthenticated {
        return crate::aws_credentials::logout_unauthenticated();
    }
    let settings = Settings::read(&a.identity)?;
    let pool = match crate::target::resolve(&settings).await? {
        Target::OAuth(t) => return crate::oauth::logout(&t, a.local).await,
        Target::InitiateAuth(pool) => pool,
    };
    let id = pool.identity(&crate::user::username(&settings)?);
    let session = pool.session(&id, true);
    let Some(store) = &session.store else {
        return Err(usage!("no cache directory (HOME and XDG_CACHE_HOME unset)"));
    };
    let cached = session.lookup().and_then(Lookup::hit);
    if a.forget_device {
        crate::devices::forget(&pool, &id, cached.as_ref().map(|e| &e.tokens), a.local).await?;
    }
    if let Some(e) = &cached
        && !a.local
        && let Some(revoked) = session.revoke(e, &pool).await
    {
        match revoked {
            Ok(()) => eprintln!("revoked the refresh token"),
            Err(e) => eprintln!(
                "warning: could not revoke the refresh token ({e}); forgetting it locally"
            ),
        }
    }
    let removed = session
        .remove()
        .with_context(|| format!("cannot remove the cache entry in {}", store.dir().display()))?;
    if removed {
        eprintln!("forgot the cached tokens of {}", id.username);
    } else {
        eprintln!("no cached tokens for {}", id.username);
    }
    if crate::aws_credentials::forget(store, &session.key).with_context(|| {
        format!(
            "cannot remove the AWS credentials in {}",
            store.dir().display()
        )
    })? {
        eprintln!("forgot the cached AWS credentials of {}", id.username);
    }
    Ok(ExitCode::SUCCESS)
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
    let crate::keys::Keys {
        mut opts,
        redirected,
        profile,
    } = crate::keys::resolve(crate::keys::KeysRequest {
        profile: a.profile.as_deref(),
        user_pool_id: a.user_pool_id,
        region: a.region,
        issuer: a.issuer,
        endpoint_url: a.endpoint_url,
        jwks_url: a.jwks_url,
        command: crate::keys::For::Verify,
    })?;
    let expected_issuer = opts.expected_issuer();
    opts.client_id = a
        .client_id
        .or(profile.client_id.clone())
        .filter(|c| !c.is_empty());
    opts.token_use = a.token_use.map(|t| match t {
        TokenUseArg::Id => verify::TokenUse::Id,
        TokenUseArg::Access => verify::TokenUse::Access,
    });
    opts.leeway_secs = a.leeway;
    opts.cache_dir = Store::default_dir();
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
    let settings = Settings::read(&a.identity)?;
    let secret_env = settings.profile.client_secret_env.clone();
    let mut aws = None;
    let tokens = if a.aws_credentials {
        let (tokens, credentials, region) =
            crate::aws_credentials::for_exec(&settings, &a.sign_in, &a.aws, a.min_ttl).await?;
        aws = Some((credentials, region));
        tokens
    } else {
        if a.aws.unauthenticated || a.aws.basic_flow || a.aws.role_arn.is_some() {
            return Err(usage!(
                "--unauthenticated, --basic-flow and --role-arn are for --aws-credentials: add it"
            ));
        }
        Some(match crate::target::resolve(&settings).await? {
            Target::OAuth(t) => t.current(a.sign_in.no_cache, a.min_ttl).await?,
            Target::InitiateAuth(pool) => {
                let id = pool.identity(&crate::user::username(&settings)?);
                current_tokens(&pool, &id, &a.sign_in, a.min_ttl).await?
            }
        })
    };
    let (program, args) = a
        .command
        .split_first()
        .ok_or_else(|| usage!("no command to run"))?;
    let mut child = std::process::Command::new(program);
    child.args(args);
    if let Some(tokens) = &tokens {
        child
            .env("COGNITO_ID_TOKEN", tokens.id_token.expose())
            .env("COGNITO_ACCESS_TOKEN", tokens.access_token.expose());
    }
    if let Some((c, region)) = &aws {
        child
            .env("AWS_ACCESS_KEY_ID", &c.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", c.secret_access_key.expose())
            .env("AWS_SESSION_TOKEN", c.session_token.expose())
            .env("AWS_REGION", region);
    }
    // The command gets tokens, not the secrets that made them: not ours,
    // and not the variable the profile takes the client secret from.
    for k in crate::args::secret_vars(secret_env.as_deref()) {
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

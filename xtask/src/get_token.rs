//! `cargo xtask token [--emulator moto|fakecloud] [--username NAME] [--keep]
//! [--flow client-credentials]`: a throw-away pool and user on a fresh
//! emulator; prints the user's ID token (or, with `--flow
//! client-credentials`, an access token from the domain's grant).

use anyhow::{Context, bail};
use cognito_token_emulator::{self as emu, Emulator, Kind, PoolOptions, Provisioned};

use crate::containers::{check_docker, ensure_image, remove_stale, start_kind};
use crate::exports::{print_exports, sh_quote};
use crate::select::take_emulator;
use crate::{USAGE, oauth, runtime, say, shell};

struct TokenArgs {
    kind: Kind,
    username: String,
    keep: bool,
    /// `--flow client-credentials`: an OAuth2 access token instead.
    client_credentials: bool,
}

fn parse_token_args(args: &[String]) -> anyhow::Result<TokenArgs> {
    // The OAuth2 grant needs fakecloud (moto has no OAuth endpoints).
    let cc = args
        .iter()
        .any(|a| a == "client-credentials" || a == "--flow=client-credentials");
    let default = if cc { Kind::Fakecloud } else { Kind::Moto };
    let (kinds, args) = take_emulator("token", args, &[default], false)?;
    let mut out = TokenArgs {
        kind: kinds[0],
        username: "alice".into(),
        keep: false,
        client_credentials: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--keep" => out.keep = true,
            "--flow" | "--flow=client-credentials" => {
                let v = if a == "--flow" {
                    it.next().context("--flow needs a value")?.as_str()
                } else {
                    "client-credentials"
                };
                if v != "client-credentials" {
                    bail!(
                        "`cargo xtask token --flow`: only client-credentials (the default signs in with a password)"
                    );
                }
                out.client_credentials = true;
            }
            "--username" => out.username = it.next().context("--username needs a value")?.clone(),
            s if s.starts_with("--username=") => out.username = s["--username=".len()..].to_owned(),
            other => bail!("`cargo xtask token`: unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    if out.username.trim().is_empty() {
        bail!("--username must not be empty");
    }
    if out.client_credentials && out.kind == Kind::Moto {
        bail!(
            "moto has no OAuth2 endpoints: `cargo xtask token --flow client-credentials` needs --emulator fakecloud (the default for this flow)"
        );
    }
    Ok(out)
}

pub(crate) fn token(args: &[String]) -> anyhow::Result<()> {
    let opts = parse_token_args(args)?;
    let sh = shell()?;
    check_docker(&sh)?;
    let tag = ensure_image(&sh, opts.kind)?;
    runtime()?.block_on(async move {
        remove_stale().await?;
        let emulator = start_kind(opts.kind, &tag, false, opts.keep).await?;
        if opts.client_credentials {
            client_credentials(&opts, emulator).await
        } else {
            password(&opts, emulator).await
        }
    })
}

/// `--flow client-credentials`: the access token on stdout.
async fn client_credentials(opts: &TokenArgs, emulator: Emulator) -> anyhow::Result<()> {
    let result = async {
        let p = emu::provision(emulator.endpoint(), &PoolOptions::default()).await?;
        let o = oauth::setup(&p).await?;
        let token = oauth::client_credentials_token(&o).await?;
        anyhow::Ok((o, token))
    }
    .await;
    conclude(emulator, opts.keep, result, |(o, token), emulator| {
        say!("the access token follows on stdout");
        println!("{token}");
        if opts.keep {
            for (k, v) in emulator.test_env() {
                println!("export {k}={}", sh_quote(&v));
            }
            oauth::print_exports(&o, sh_quote);
        }
    })
    .await
}

/// A password sign-in of a new user: the ID token on stdout.
async fn password(opts: &TokenArgs, emulator: Emulator) -> anyhow::Result<()> {
    let result = async {
        let p = emu::provision(emulator.endpoint(), &PoolOptions::default()).await?;
        say!("pool {} with client {} (with a secret)", p.pool_id, p.client_id);
        let password = Provisioned::password();
        p.create_user(&opts.username, &password, None).await?;
        say!("user {} created with a temporary password (FORCE_CHANGE_PASSWORD)", opts.username);
        let cog = cognito_token_core::Cognito::connect(&p.connect_options()).await?;
        say!("signing in (USER_PASSWORD_AUTH); NEW_PASSWORD_REQUIRED is answered by keeping the password");
        let tokens = cog
            .login(
                &p.identity(&opts.username)?,
                cognito_token_core::Flow::Password,
                &cognito_token_core::Secret::new(password.clone()),
                &cognito_token_core::StaticAnswers::keep_password(),
            )
            .await?;
        say!("signed in; the ID token follows on stdout");
        anyhow::Ok((p, password, tokens))
    }
    .await;
    conclude(
        emulator,
        opts.keep,
        result,
        |(p, password, tokens), emulator| {
            println!("{}", tokens.id_token.expose());
            if opts.keep {
                print_exports(&p, &opts.username, &password, emulator);
            }
        },
    )
    .await
}

/// After the sign-in: `show` prints what it got (the token, and with
/// `--keep` the `export` lines), then the emulator is kept (`--keep`) or
/// removed. On an error the emulator is removed and the error returned.
async fn conclude<T>(
    emulator: Emulator,
    keep: bool,
    result: anyhow::Result<T>,
    show: impl FnOnce(T, &Emulator),
) -> anyhow::Result<()> {
    let got = match result {
        Ok(got) => got,
        Err(e) => {
            if let Err(e2) = emulator.stop().await {
                say!("{e2:#}");
            }
            return Err(e);
        }
    };
    show(got, &emulator);
    if keep {
        let id = emulator.keep();
        say!("the emulator keeps running; remove it with `docker rm -f {id:.12}`");
    } else {
        emulator.stop().await?;
    }
    Ok(())
}

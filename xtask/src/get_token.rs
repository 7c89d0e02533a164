//! `cargo xtask token [--emulator moto|fakecloud|cognito-local] [--username
//! NAME] [--keep] [--flow client-credentials]`: a throw-away pool and user
//! on a fresh emulator; prints the user's ID token (or, with `--flow
//! client-credentials`, an access token from the domain's grant).

use anyhow::bail;
use cognito_token_emulator::{self as emu, Emulator, Kind, PoolOptions, Provisioned};

use crate::containers::{check_docker, ensure_image, remove_stale, start_kind};
use crate::exports::{print_exports, sh_quote};
use crate::select::One;
use crate::{oauth, runtime, say, shell};

/// How `cargo xtask token` gets its token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TokenFlow {
    /// An access token from the OAuth2 client-credentials grant (fakecloud).
    ClientCredentials,
}

/// `cargo xtask token`'s options.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The emulator (default: moto; fakecloud with `--flow client-credentials`).
    #[arg(long, value_enum)]
    emulator: Option<One>,
    /// The user to create.
    #[arg(long, default_value = "alice", value_parser = non_empty)]
    username: String,
    /// Leave the emulator running and print `export` lines.
    #[arg(long)]
    keep: bool,
    /// Instead of a password sign-in (the default).
    #[arg(long, value_enum)]
    flow: Option<TokenFlow>,
}

fn non_empty(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("must not be empty".to_owned())
    } else {
        Ok(s.to_owned())
    }
}

struct TokenArgs {
    kind: Kind,
    username: String,
    keep: bool,
    /// `--flow client-credentials`: an OAuth2 access token instead.
    client_credentials: bool,
}

fn resolve(args: Args) -> anyhow::Result<TokenArgs> {
    let client_credentials = args.flow == Some(TokenFlow::ClientCredentials);
    // The OAuth2 grant needs fakecloud (moto has no OAuth endpoints,
    // cognito-local no client-credentials grant).
    let kind = match args.emulator {
        Some(one) => Kind::from(one),
        None if client_credentials => Kind::Fakecloud,
        None => Kind::Moto,
    };
    if client_credentials && kind != Kind::Fakecloud {
        bail!(
            "{kind} has no OAuth2 client-credentials grant: `cargo xtask token --flow client-credentials` \
             needs --emulator fakecloud (the default for this flow)"
        );
    }
    Ok(TokenArgs {
        kind,
        username: args.username,
        keep: args.keep,
        client_credentials,
    })
}

pub(crate) fn token(args: Args) -> anyhow::Result<()> {
    let opts = resolve(args)?;
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

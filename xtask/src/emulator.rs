//! `cargo xtask emulator [--emulator moto|fakecloud|cognito-local] [--totp]`:
//! an emulator with a pool and a user, until Ctrl-C; prints `export` lines
//! for the CLI and the tests.

use cognito_token_emulator::{self as emu, Kind, PoolOptions, Provisioned};

use crate::containers::{check_docker, ensure_image, remove_stale, shutdown_signal, start_kind};
use crate::exports::{print_exports, sh_quote};
use crate::select::One;
use crate::{oauth, runtime, say, shell};

/// `cargo xtask emulator`'s options.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The emulator.
    #[arg(long, value_enum, default_value = "moto")]
    emulator: One,
    /// Make moto check TOTP codes (the others always do).
    #[arg(long)]
    totp: bool,
}

/// What of OAuth2 the emulator offers.
enum OAuth {
    /// Both grants (fakecloud).
    Both(cognito_token_emulator::OAuthSetup),
    /// The browser flow's client (cognito-local).
    Browser(String),
    /// Nothing (moto).
    None,
}

pub(crate) fn emulator(args: Args) -> anyhow::Result<()> {
    let kind = Kind::from(args.emulator);
    let totp = args.totp;
    let sh = shell()?;
    check_docker(&sh)?;
    let tag = ensure_image(&sh, kind)?;
    runtime()?.block_on(async move {
        remove_stale().await?;
        let emulator = start_kind(kind, &tag, totp, false).await?;
        let result = async {
            let p = emu::provision(emulator.endpoint(), &PoolOptions::default()).await?;
            let username = "alice";
            let password = Provisioned::password();
            p.create_user(username, &password, Some("alice@example.com")).await?;
            // Both OAuth2 flows need fakecloud: moto has no OAuth endpoints,
            // cognito-local only the authorization-code grant.
            let o = match kind {
                Kind::Fakecloud => OAuth::Both(oauth::setup(&p).await?),
                Kind::CognitoLocal => OAuth::Browser(oauth::web_client(&p).await?),
                Kind::Moto => OAuth::None,
            };
            anyhow::Ok((p, username, password, o))
        }
        .await;
        match result {
            Ok((p, username, password, o)) => {
                say!(
                    "pool {}: user {username} has a temporary password (the first login gets NEW_PASSWORD_REQUIRED)",
                    p.pool_id
                );
                print_exports(&p, username, &password, &emulator);
                match &o {
                    OAuth::Both(o) => oauth::print_exports(o, sh_quote),
                    OAuth::Browser(web_client_id) => {
                        oauth::print_browser_exports(&p.endpoint, web_client_id, sh_quote);
                        say!("cognito-local has no client-credentials grant: for --flow client-credentials, use --emulator fakecloud");
                    }
                    OAuth::None => say!("moto has no OAuth2 endpoints: for --flow client-credentials and --flow browser, use --emulator fakecloud"),
                }
                say!("the emulator runs until Ctrl-C");
                let sig = shutdown_signal().await;
                say!("{sig}: removing the emulator container");
            }
            Err(e) => {
                let _ = emulator.stop().await;
                return Err(e);
            }
        }
        emulator.stop().await
    })
}

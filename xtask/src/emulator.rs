//! `cargo xtask emulator [--emulator moto|fakecloud] [--totp]`: an emulator
//! with a pool and a user, until Ctrl-C; prints `export` lines for the CLI
//! and the tests.

use anyhow::bail;
use cognito_token_emulator::{self as emu, Kind, PoolOptions, Provisioned};

use crate::containers::{check_docker, ensure_image, remove_stale, shutdown_signal, start_kind};
use crate::exports::{print_exports, sh_quote};
use crate::select::take_emulator;
use crate::{USAGE, oauth, runtime, say, shell};

pub(crate) fn emulator(args: &[String]) -> anyhow::Result<()> {
    let (kinds, args) = take_emulator("emulator", args, &[Kind::Moto], false)?;
    let kind = kinds[0];
    let mut totp = false;
    for a in &args {
        match a.as_str() {
            "--totp" => totp = true,
            other => bail!("`cargo xtask emulator`: unknown argument {other:?}\n\n{USAGE}"),
        }
    }
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
            // The OAuth2 flows need fakecloud: moto has no OAuth endpoints.
            let o = match kind {
                Kind::Fakecloud => Some(oauth::setup(&p).await?),
                Kind::Moto => None,
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
                    Some(o) => oauth::print_exports(o, sh_quote),
                    None => say!("moto has no OAuth2 endpoints: for --flow client-credentials and --flow browser, use --emulator fakecloud"),
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

//! Docker, the emulator images and the emulator containers' lifetime, shared
//! by the subcommands; and `cargo xtask image`.

use std::time::Instant;

use anyhow::bail;
use cognito_token_emulator::{
    self as emu, CognitoLocal, Emulator, EmulatorImage, Fakecloud, Kind, Moto,
};
use xshell::{Shell, cmd};

use crate::select::OneOrAll;
use crate::{image, say, shell};

pub(crate) fn check_docker(sh: &Shell) -> anyhow::Result<()> {
    let ok = cmd!(sh, "docker info")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_ok();
    if !ok {
        bail!(
            "no Docker engine answers (`docker info` failed). Start one, e.g. `sudo systemctl start docker`, \
             or without systemd `sudo dockerd > /tmp/dockerd.log 2>&1 &`; on Debian install it first with \
             `sudo apt-get install -y docker.io`"
        );
    }
    Ok(())
}

/// Resolves when the process is asked to stop (Ctrl-C, SIGTERM, SIGHUP).
pub(crate) async fn shutdown_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        let _ = tokio::signal::ctrl_c().await;
        return "Ctrl-C";
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "Ctrl-C",
        _ = term.recv() => "SIGTERM",
        _ = hup.recv() => "SIGHUP",
    }
}

/// Removes emulator containers left by killed runs (any kind).
pub(crate) async fn remove_stale() -> anyhow::Result<()> {
    match tokio::task::spawn_blocking(emu::remove_stale_containers).await? {
        Ok(0) => {}
        Ok(n) => say!("removed {n} emulator container(s) left by an earlier run"),
        Err(e) => say!("could not look for containers left by earlier runs: {e:#}"),
    }
    Ok(())
}

/// Starts a container of `kind` from its image `<name>:<tag>`; `totp`
/// only matters to moto (the others always check codes).
pub(crate) async fn start_kind(
    kind: Kind,
    tag: &str,
    totp: bool,
    detached: bool,
) -> anyhow::Result<Emulator> {
    let name = kind.image_name();
    let image: EmulatorImage = match kind {
        Kind::Moto => Moto::new(tag).with_totp(totp).into(),
        Kind::Fakecloud => Fakecloud::new(tag).into(),
        Kind::CognitoLocal => CognitoLocal::new(tag).into(),
    };
    say!(
        "starting {kind} ({name}:{tag}{})",
        if kind == Kind::Moto && totp {
            ", TOTP checked"
        } else {
            ""
        }
    );
    let started = Instant::now();
    let e = if detached {
        Emulator::start_detached(image).await?
    } else {
        Emulator::start(image).await?
    };
    say!(
        "{kind} answers at {} (container {:.12}, {:.1?})",
        e.endpoint(),
        e.id(),
        started.elapsed()
    );
    Ok(e)
}

/// Builds the image of `kind` if needed; returns its tag.
pub(crate) fn ensure_image(sh: &Shell, kind: Kind) -> anyhow::Result<String> {
    image::ensure(sh, kind)
}

/// `cargo xtask image`'s options.
#[derive(Debug, clap::Args)]
pub(crate) struct ImageArgs {
    /// The images to build.
    #[arg(long, value_enum, default_value = "moto")]
    emulator: OneOrAll,
}

/// `cargo xtask image [--emulator E]`: builds the images; prints their names.
pub(crate) fn image(args: ImageArgs) -> anyhow::Result<()> {
    let sh = shell()?;
    check_docker(&sh)?;
    for kind in args.emulator.kinds() {
        let tag = ensure_image(&sh, kind)?;
        println!("{}:{tag}", kind.image_name());
    }
    Ok(())
}

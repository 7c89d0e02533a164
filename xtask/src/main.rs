//! `cargo xtask`: project automation.
//!
//! - `cargo xtask test-local [-- NEXTEST-ARGS…]`: builds the emulator image
//!   if needed, starts one moto container, runs every test of the workspace
//!   (unit tests and the emulator tests in tests/) against it, removes it.
//! - `cargo xtask token [--username NAME] [--keep]`: a throw-away pool and
//!   user on a fresh emulator; prints the user's ID token.
//! - `cargo xtask emulator [--totp]`: an emulator with a pool and a user,
//!   until Ctrl-C; prints `export` lines for the CLI and the tests.
//! - `cargo xtask image`: builds the emulator image; prints its name.

mod image;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use cognito_token_emulator::{self as emu, Emulator, Moto, PoolOptions, Provisioned};
use xshell::{Shell, cmd};

/// Progress on stderr.
macro_rules! say {
    ($($arg:tt)*) => { eprintln!("[xtask] {}", format_args!($($arg)*)) };
}
pub(crate) use say;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  test-local [-- ARGS…]          run all tests (unit + emulator) against a moto container;
                                 ARGS go to `cargo nextest run` (or `cargo test`)
  token [--username NAME] [--keep]
                                 provision a pool and user on a fresh emulator, sign in,
                                 print the ID token; --keep leaves the emulator running and
                                 prints `export` lines for `cognito-token login`
  emulator [--totp]              start an emulator with a pool and a user, print `export`
                                 lines, run until Ctrl-C; --totp makes moto check TOTP codes
  image                          build the emulator image if needed; print its name

environment:
  COGNITO_TOKEN_IMAGE_WAY=public|debootstrap   force how the image is built
  COGNITO_TOKEN_CACHE_DIR                      cache for the offline base and wheels
                                               (default ~/.cache/cognito-token)
  COGNITO_TOKEN_DEBIAN_MIRROR                  debootstrap mirror";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = match args.split_first() {
        Some((c, rest)) => (c.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match cmd {
        "test-local" => test_local(rest),
        "token" => token(rest),
        "emulator" => emulator(rest),
        "image" => image_cmd(rest),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => {
            eprintln!("unknown command {other:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        Some(d) => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                project_root().join(d)
            }
        }
        None => project_root().join("target"),
    }
}

fn shell() -> anyhow::Result<Shell> {
    let sh = Shell::new()?;
    sh.change_dir(project_root());
    Ok(sh)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn no_args(cmd: &str, args: &[String]) -> anyhow::Result<()> {
    if let Some(a) = args.first() {
        bail!("`cargo xtask {cmd}` takes no argument {a:?}\n\n{USAGE}");
    }
    Ok(())
}

fn check_docker(sh: &Shell) -> anyhow::Result<()> {
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
async fn shutdown_signal() -> &'static str {
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

/// Builds the image if needed and starts a container from it.
async fn start_emulator(tag: &str, totp: bool, detached: bool) -> anyhow::Result<Emulator> {
    match tokio::task::spawn_blocking(emu::remove_stale_containers).await? {
        Ok(0) => {}
        Ok(n) => say!("removed {n} emulator container(s) left by an earlier run"),
        Err(e) => say!("could not look for containers left by earlier runs: {e:#}"),
    }
    say!(
        "starting the emulator ({}:{tag}{})",
        emu::IMAGE_NAME,
        if totp { ", TOTP checked" } else { "" }
    );
    let started = Instant::now();
    let image = Moto::new(tag).with_totp(totp);
    let e = if detached {
        Emulator::start_detached(image).await?
    } else {
        Emulator::start(image).await?
    };
    say!(
        "moto answers at {} (container {:.12}, {:.1?})",
        e.endpoint(),
        e.id(),
        started.elapsed()
    );
    Ok(e)
}

fn image_cmd(args: &[String]) -> anyhow::Result<()> {
    no_args("image", args)?;
    let sh = shell()?;
    check_docker(&sh)?;
    let tag = image::ensure(&sh)?;
    println!("{}:{tag}", emu::IMAGE_NAME);
    Ok(())
}

fn has_nextest(sh: &Shell) -> bool {
    cmd!(sh, "cargo nextest --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_ok()
}

fn test_local(args: &[String]) -> anyhow::Result<()> {
    let extra: Vec<String> = match args.split_first() {
        None => Vec::new(),
        Some((dd, rest)) if dd == "--" => rest.to_vec(),
        Some((a, _)) => bail!(
            "`cargo xtask test-local` takes no argument {a:?}; pass test-runner arguments after `--`"
        ),
    };
    let started = Instant::now();
    let result = test_local_inner(&extra);
    let secs = started.elapsed().as_secs();
    match &result {
        Ok(()) => eprintln!("xtask test-local: all tests passed ({secs} s)"),
        Err(_) => eprintln!("xtask test-local: FAILED ({secs} s)"),
    }
    result
}

fn test_local_inner(extra: &[String]) -> anyhow::Result<()> {
    let sh = shell()?;
    check_docker(&sh)?;
    let tag = image::ensure(&sh)?;

    say!("building the CLI: cargo build -p cognito-token");
    cmd!(sh, "cargo build -p cognito-token")
        .run()
        .context("building the CLI failed")?;
    let bin = target_dir().join("debug").join("cognito-token");
    if !bin.is_file() {
        bail!("the CLI was built but {} is missing", bin.display());
    }

    // The whole workspace unless the extra arguments pick packages.
    let picks = extra.iter().any(|a| {
        a == "--workspace" || a == "--all" || a.starts_with("-p") || a.starts_with("--package")
    });
    let mut sel: Vec<String> = if picks {
        Vec::new()
    } else {
        vec!["--workspace".into()]
    };
    sel.extend(extra.iter().cloned());
    let args = &sel;
    let nextest = has_nextest(&sh);
    let mut test_cmd = if nextest {
        say!(
            "building the tests: cargo nextest run --no-run {}",
            args.join(" ")
        );
        cmd!(sh, "cargo nextest run --no-run {args...}")
            .run()
            .context("building the tests failed")?;
        cmd!(sh, "cargo nextest run --no-fail-fast {args...}")
    } else {
        say!("cargo-nextest is not installed: using cargo test");
        cmd!(sh, "cargo test --no-run {args...}")
            .run()
            .context("building the tests failed")?;
        cmd!(sh, "cargo test --no-fail-fast {args...}")
    };
    test_cmd = test_cmd.env(emu::BIN_ENV, &bin);

    let rt = runtime()?;
    rt.block_on(async move {
        let emulator = start_emulator(&tag, true, false).await?;
        for (k, v) in emulator.test_env() {
            test_cmd = test_cmd.env(k, v);
        }
        say!("running the tests against {}", emulator.endpoint());
        let mut command: std::process::Command = test_cmd.into();
        let mut child = command.spawn().context("cannot start the test runner")?;
        let child_pid = child.id().to_string();
        let mut run = tokio::task::spawn_blocking(move || child.wait());
        let outcome = tokio::select! {
            r = &mut run => Ok(r),
            sig = shutdown_signal() => Err(sig),
        };
        if outcome.is_err() {
            // Stop the test runner too (a terminal's Ctrl-C reaches it
            // anyway; a SIGTERM sent to this process alone does not).
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &child_pid])
                .status();
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), run).await;
        }
        say!("removing the emulator container");
        if let Err(e) = emulator.stop().await {
            say!("{e:#}");
        }
        match outcome {
            Err(sig) => {
                eprintln!("xtask test-local: interrupted by {sig}; the emulator was removed");
                std::process::exit(130);
            }
            Ok(r) => {
                let status = r
                    .context("the test runner panicked")?
                    .context("cannot run the test runner")?;
                if !status.success() {
                    bail!("tests failed ({status})");
                }
                Ok(())
            }
        }
    })
}

/// Single-quotes a value for a POSIX shell.
fn sh_quote(v: &str) -> String {
    if !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@%+=,".contains(&b))
    {
        v.to_owned()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

/// `export` lines for the CLI (and the tests) on stdout. They print the
/// client secret and the password on purpose: that is their job.
fn print_exports(p: &Provisioned, username: &str, password: &str, emulator: &Emulator) {
    let lines: Vec<(&str, String)> = vec![
        (emu::ENDPOINT_ENV, p.endpoint.clone()),
        (emu::TOTP_FLAG_ENV, emulator.totp().to_string()),
        (
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
            p.endpoint.clone(),
        ),
        ("AWS_REGION", p.region.clone()),
        ("COGNITO_USER_POOL_ID", p.pool_id.clone()),
        ("COGNITO_CLIENT_ID", p.client_id.clone()),
        ("COGNITO_CLIENT_SECRET", p.client_secret.expose().to_owned()),
        ("COGNITO_USERNAME", username.to_owned()),
        ("COGNITO_PASSWORD", password.to_owned()),
    ];
    for (k, v) in lines {
        println!("export {k}={}", sh_quote(&v));
    }
}

struct TokenArgs {
    username: String,
    keep: bool,
}

fn parse_token_args(args: &[String]) -> anyhow::Result<TokenArgs> {
    let mut out = TokenArgs {
        username: "alice".into(),
        keep: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--keep" => out.keep = true,
            "--username" => out.username = it.next().context("--username needs a value")?.clone(),
            s if s.starts_with("--username=") => out.username = s["--username=".len()..].to_owned(),
            other => bail!("`cargo xtask token`: unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    if out.username.trim().is_empty() {
        bail!("--username must not be empty");
    }
    Ok(out)
}

fn token(args: &[String]) -> anyhow::Result<()> {
    let opts = parse_token_args(args)?;
    let sh = shell()?;
    check_docker(&sh)?;
    let tag = image::ensure(&sh)?;
    runtime()?.block_on(async move {
        let emulator = start_emulator(&tag, false, opts.keep).await?;
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
        match result {
            Ok((p, password, tokens)) => {
                println!("{}", tokens.id_token.expose());
                if opts.keep {
                    print_exports(&p, &opts.username, &password, &emulator);
                    let id = emulator.keep();
                    say!("the emulator keeps running; remove it with `docker rm -f {id:.12}`");
                } else {
                    emulator.stop().await?;
                }
                Ok(())
            }
            Err(e) => {
                if let Err(e2) = emulator.stop().await {
                    say!("{e2:#}");
                }
                Err(e)
            }
        }
    })
}

fn emulator(args: &[String]) -> anyhow::Result<()> {
    let mut totp = false;
    for a in args {
        match a.as_str() {
            "--totp" => totp = true,
            other => bail!("`cargo xtask emulator`: unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    let sh = shell()?;
    check_docker(&sh)?;
    let tag = image::ensure(&sh)?;
    runtime()?.block_on(async move {
        let emulator = start_emulator(&tag, totp, false).await?;
        let result = async {
            let p = emu::provision(emulator.endpoint(), &PoolOptions::default()).await?;
            let username = "alice";
            let password = Provisioned::password();
            p.create_user(username, &password, Some("alice@example.com")).await?;
            anyhow::Ok((p, username, password))
        }
        .await;
        match result {
            Ok((p, username, password)) => {
                say!(
                    "pool {}: user {username} has a temporary password (the first login gets NEW_PASSWORD_REQUIRED)",
                    p.pool_id
                );
                print_exports(&p, username, &password, &emulator);
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

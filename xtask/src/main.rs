//! `cargo xtask`: project automation.
//!
//! - `cargo xtask test-local [--emulator moto|fakecloud|all] [-- NEXTEST-ARGS…]`:
//!   builds the emulator images if needed, starts one container per
//!   emulator, runs every test of the workspace (unit tests and the
//!   emulator tests in tests/) against them, removes them.
//! - `cargo xtask token [--emulator moto|fakecloud] [--username NAME] [--keep]`:
//!   a throw-away pool and user on a fresh emulator; prints the user's ID token.
//!   `--flow client-credentials` (fakecloud, the default then): an access
//!   token from the domain's client-credentials grant.
//! - `cargo xtask emulator [--emulator moto|fakecloud] [--totp]`: an emulator
//!   with a pool and a user, until Ctrl-C; prints `export` lines for the CLI
//!   and the tests.
//! - `cargo xtask image [--emulator moto|fakecloud|all]`: builds the
//!   emulator images; prints their names.
//! - `cargo xtask bench [--quick]`: what a token costs, as whole processes,
//!   against curl's floor and the AWS CLI and boto3 (see bench.rs); and
//!   what `cognito-token proxy` adds (bench_proxy.rs; alone: `bench-proxy`).

mod bench;
mod bench_proxy;
mod fakecloud_image;
mod image;
mod oauth;
mod select;
#[cfg(test)]
mod tidy;
#[cfg(test)]
mod tidy_cycles;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use cognito_token_emulator::{
    self as emu, Emulator, EmulatorImage, Fakecloud, Kind, Moto, PoolOptions, Provisioned,
};
use select::{excluded_prefixes, names, take_emulator, with_nextest_filter};
use xshell::{Shell, cmd};

/// Progress on stderr.
macro_rules! say {
    ($($arg:tt)*) => { eprintln!("[xtask] {}", format_args!($($arg)*)) };
}
pub(crate) use say;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  test-local [--emulator E] [-- ARGS…]
                                 run all tests (unit + emulator) against emulator containers
                                 (E: moto, fakecloud or all, the default); ARGS go to
                                 `cargo nextest run` (or `cargo test`)
  token [--emulator E] [--username NAME] [--keep] [--flow client-credentials]
                                 provision a pool and user on a fresh emulator (E: moto, the
                                 default, or fakecloud), sign in, print the ID token; --keep
                                 leaves the emulator running and prints `export` lines;
                                 --flow client-credentials (fakecloud): print an access token
                                 from the OAuth2 client-credentials grant
  emulator [--emulator E] [--totp]
                                 start an emulator (moto or fakecloud) with a pool and a user,
                                 print `export` lines, run until Ctrl-C; --totp makes moto
                                 check TOTP codes (fakecloud always does)
  image [--emulator E]           build an emulator image if needed (moto, fakecloud or all;
                                 default moto); print its name
  bench [--quick] [--runs N] [--users N] [--concurrency N] [--bin PATH] [--no-peers]
                                 measure login / token / SRP / many users as whole processes
                                 against the floor (curl) and peers (AWS CLI, boto3); reuses
                                 COGNITO_EMULATOR_ENDPOINT_MOTO if set, else starts moto; writes
                                 target/bench/report.md (--quick: debug build, few runs,
                                 report-quick.md; test-local runs it after the tests); then
                                 the proxy's rows (alone: bench-proxy [--quick] [--bin PATH])

The fakecloud image needs the fakecloud binary: `cargo install fakecloud` (pinned) into
the cache directory, about 35 minutes once per machine, unless its published image can
be pulled.

environment:
  COGNITO_TOKEN_IMAGE_WAY=public|debootstrap   force how the image is built
  COGNITO_TOKEN_CACHE_DIR                      cache for the offline base, wheels and
                                               the fakecloud binary
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
        "bench" => bench::bench(rest),
        "bench-proxy" => bench_proxy::standalone(rest),
        "__measure" => return bench::measure_child(rest),
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

/// Removes emulator containers left by killed runs (either kind).
async fn remove_stale() -> anyhow::Result<()> {
    match tokio::task::spawn_blocking(emu::remove_stale_containers).await? {
        Ok(0) => {}
        Ok(n) => say!("removed {n} emulator container(s) left by an earlier run"),
        Err(e) => say!("could not look for containers left by earlier runs: {e:#}"),
    }
    Ok(())
}

/// Starts a moto container from `cognito-token/moto:<tag>`.
#[allow(dead_code)]
async fn start_emulator(tag: &str, totp: bool, detached: bool) -> anyhow::Result<Emulator> {
    remove_stale().await?;
    start_kind(Kind::Moto, tag, totp, detached).await
}

/// Starts a container of `kind` from its image `<name>:<tag>`; `totp`
/// only matters to moto (fakecloud always checks codes).
async fn start_kind(kind: Kind, tag: &str, totp: bool, detached: bool) -> anyhow::Result<Emulator> {
    let (name, image): (&str, EmulatorImage) = match kind {
        Kind::Moto => (emu::IMAGE_NAME, Moto::new(tag).with_totp(totp).into()),
        Kind::Fakecloud => (emu::FAKECLOUD_IMAGE_NAME, Fakecloud::new(tag).into()),
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
fn ensure_image(sh: &Shell, kind: Kind) -> anyhow::Result<String> {
    match kind {
        Kind::Moto => image::ensure(sh),
        Kind::Fakecloud => fakecloud_image::ensure(sh),
    }
}

fn image_cmd(args: &[String]) -> anyhow::Result<()> {
    let (kinds, rest) = take_emulator("image", args, &[Kind::Moto], true)?;
    no_args("image", &rest)?;
    let sh = shell()?;
    check_docker(&sh)?;
    for kind in kinds {
        let tag = ensure_image(&sh, kind)?;
        let name = match kind {
            Kind::Moto => emu::IMAGE_NAME,
            Kind::Fakecloud => emu::FAKECLOUD_IMAGE_NAME,
        };
        println!("{name}:{tag}");
    }
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
    let (ours, extra) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], args[i + 1..].to_vec()),
        None => (args, Vec::new()),
    };
    let (kinds, rest) = take_emulator("test-local", ours, &Kind::ALL, true)?;
    if let Some(a) = rest.first() {
        bail!(
            "`cargo xtask test-local` takes no argument {a:?}; pass test-runner arguments after `--`"
        );
    }
    let started = Instant::now();
    let result = test_local_inner(&kinds, &extra);
    let secs = started.elapsed().as_secs();
    match &result {
        Ok(()) => eprintln!("xtask test-local: all tests passed ({secs} s)"),
        Err(_) => eprintln!("xtask test-local: FAILED ({secs} s)"),
    }
    result
}

fn test_local_inner(kinds: &[Kind], extra: &[String]) -> anyhow::Result<()> {
    let sh = shell()?;
    check_docker(&sh)?;
    let mut tags = Vec::new();
    for &kind in kinds {
        tags.push((kind, ensure_image(&sh, kind)?));
    }

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
    let excluded = excluded_prefixes(kinds);
    let nextest = has_nextest(&sh);
    let mut test_cmd = if nextest {
        say!(
            "building the tests: cargo nextest run --no-run {}",
            args.join(" ")
        );
        cmd!(sh, "cargo nextest run --no-run {args...}")
            .run()
            .context("building the tests failed")?;
        let run_args = if excluded.is_empty() {
            args.clone()
        } else {
            let filter = excluded
                .iter()
                .map(|p| format!("not test(/^{p}::/)"))
                .collect::<Vec<_>>()
                .join(" and ");
            say!("only {}: nextest filter -E '{filter}'", names(kinds));
            with_nextest_filter(args, &filter)
        };
        cmd!(sh, "cargo nextest run --no-fail-fast {run_args...}")
    } else {
        say!("cargo-nextest is not installed: using cargo test");
        cmd!(sh, "cargo test --no-run {args...}")
            .run()
            .context("building the tests failed")?;
        let mut run_args = args.clone();
        if !excluded.is_empty() {
            if !run_args.iter().any(|a| a == "--") {
                run_args.push("--".into());
            }
            for p in &excluded {
                run_args.extend(["--skip".to_owned(), format!("{p}::")]);
            }
            say!(
                "only {}: skipping tests named {}",
                names(kinds),
                excluded
                    .iter()
                    .map(|p| format!("{p}::…"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        cmd!(sh, "cargo test --no-fail-fast {run_args...}")
    };
    test_cmd = test_cmd.env(emu::BIN_ENV, &bin);

    // Only a whole run (no test-runner arguments) includes the quick bench.
    let run_bench = extra.is_empty();
    let bench_bin = bin.clone();
    let rt = runtime()?;
    rt.block_on(async move {
        remove_stale().await?;
        // Start them side by side; if one fails, remove the others.
        let starts: Vec<_> = tags
            .into_iter()
            .map(|(kind, tag)| {
                tokio::spawn(async move { start_kind(kind, &tag, kind == Kind::Moto, false).await })
            })
            .collect();
        let mut emulators = Vec::new();
        let mut failure = None;
        for start in starts {
            match start.await {
                Ok(Ok(e)) => emulators.push(e),
                Ok(Err(e)) => failure = Some(failure.unwrap_or(e)),
                Err(e) => {
                    failure =
                        Some(failure.unwrap_or_else(|| {
                            anyhow::anyhow!("starting an emulator panicked: {e}")
                        }))
                }
            }
        }
        if let Some(e) = failure {
            for em in emulators {
                let _ = em.stop().await;
            }
            return Err(e);
        }
        for emulator in &emulators {
            for (k, v) in emulator.test_env() {
                test_cmd = test_cmd.env(k, v);
            }
        }
        say!(
            "running the tests against {}",
            emulators
                .iter()
                .map(|e| format!("{} at {}", e.kind(), e.endpoint()))
                .collect::<Vec<_>>()
                .join(" and ")
        );
        let mut command: std::process::Command = test_cmd.into();
        let spawned = command.spawn().context("cannot start the test runner");
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                for em in emulators {
                    let _ = em.stop().await;
                }
                return Err(e);
            }
        };
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
        // `cargo xtask bench --quick`, so that the bench does not rot: after
        // the tests passed, against their moto emulator and the debug CLI.
        let bench_result = match (&outcome, emulators.iter().find(|e| e.kind() == Kind::Moto)) {
            (Ok(Ok(Ok(status))), Some(moto)) if status.success() && run_bench => {
                Some(bench::quick_step(moto.endpoint(), &bench_bin).await)
            }
            _ => None,
        };
        say!(
            "removing the emulator container{}",
            if emulators.len() > 1 { "s" } else { "" }
        );
        for em in emulators {
            if let Err(e) = em.stop().await {
                say!("{e:#}");
            }
        }
        match outcome {
            Err(sig) => {
                eprintln!("xtask test-local: interrupted by {sig}; the emulators were removed");
                std::process::exit(130);
            }
            Ok(r) => {
                let status = r
                    .context("the test runner panicked")?
                    .context("cannot run the test runner")?;
                if !status.success() {
                    bail!("tests failed ({status})");
                }
                if let Some(Err(e)) = bench_result {
                    return Err(e.context("`cargo xtask bench --quick` failed"));
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
    let mut lines: Vec<(&str, String)> = emulator.test_env();
    lines.extend([
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
    ]);
    for (k, v) in lines {
        println!("export {k}={}", sh_quote(&v));
    }
    // `verify` takes keys from an emulator only for an issuer named
    // explicitly; moto and fakecloud sign with the pool's real issuer.
    say!(
        "verify a token: cognito-token verify --issuer {} --endpoint-url {}",
        cognito_token_core::verify::default_issuer(&p.region, &p.pool_id),
        p.endpoint
    );
    print_proxy_command(p);
}

/// The `cognito-token proxy` command for this pool, as a shell comment
/// after the `export` lines (so that `eval` ignores it). Keys from an
/// emulator are trusted only for an issuer named explicitly, as in `verify`.
fn print_proxy_command(p: &Provisioned) {
    println!(
        "# API Gateway's Cognito authorizer in front of your local API (e.g. `chalice local --port 8000`):\n\
         # cognito-token proxy --upstream http://127.0.0.1:8000 --listen 127.0.0.1:8001 --user-pool-id {} --client-id {} --issuer {} --endpoint-url {}",
        sh_quote(&p.pool_id),
        sh_quote(&p.client_id),
        sh_quote(&cognito_token_core::verify::default_issuer(
            &p.region, &p.pool_id
        )),
        sh_quote(&p.endpoint)
    );
}

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

fn token(args: &[String]) -> anyhow::Result<()> {
    let opts = parse_token_args(args)?;
    let sh = shell()?;
    check_docker(&sh)?;
    let tag = ensure_image(&sh, opts.kind)?;
    runtime()?.block_on(async move {
        remove_stale().await?;
        let emulator = start_kind(opts.kind, &tag, false, opts.keep).await?;
        if opts.client_credentials {
            let result = async {
                let p = emu::provision(emulator.endpoint(), &PoolOptions::default()).await?;
                let o = oauth::setup(&p).await?;
                let token = oauth::client_credentials_token(&o).await?;
                anyhow::Ok((o, token))
            }
            .await;
            return match result {
                Ok((o, token)) => {
                    say!("the access token follows on stdout");
                    println!("{token}");
                    if opts.keep {
                        for (k, v) in emulator.test_env() {
                            println!("export {k}={}", sh_quote(&v));
                        }
                        oauth::print_exports(&o, sh_quote);
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
            };
        }
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

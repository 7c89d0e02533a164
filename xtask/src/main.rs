//! `cargo xtask`: project automation. This file parses the command line and
//! dispatches; each subcommand lives in its own module.
//!
//! - `cargo xtask test-local [--emulator moto|fakecloud|all] [--no-lint] [-- NEXTEST-ARGS…]`
//!   (test_local.rs): runs the lint step, builds the emulator images if
//!   needed, starts one container per emulator, runs every test of the
//!   workspace (unit tests and the emulator tests in tests/) against them,
//!   removes them.
//! - `cargo xtask lint` (lint.rs): `cargo fmt --all --check` and `cargo
//!   clippy --workspace --all-targets -- -D warnings`, silent when clean.
//! - `cargo xtask token [--emulator moto|fakecloud] [--username NAME] [--keep]`
//!   (get_token.rs): a throw-away pool and user on a fresh emulator; prints
//!   the user's ID token. `--flow client-credentials` (fakecloud, the default
//!   then): an access token from the domain's client-credentials grant.
//! - `cargo xtask emulator [--emulator moto|fakecloud] [--totp]` (emulator.rs):
//!   an emulator with a pool and a user, until Ctrl-C; prints `export` lines
//!   for the CLI and the tests (exports.rs).
//! - `cargo xtask image [--emulator moto|fakecloud|all]` (containers.rs, with
//!   the containers' lifetime): builds the emulator images (image.rs,
//!   fakecloud_image.rs); prints their names.
//! - `cargo xtask bench [--quick]`: what a token costs, as whole processes,
//!   against curl's floor and the AWS CLI and boto3 (see bench/); and
//!   what `cognito-token proxy` adds (bench_proxy.rs; alone: `bench-proxy`).

mod bench;
mod bench_proxy;
mod containers;
mod emulator;
mod exports;
mod fakecloud_image;
mod get_token;
mod image;
mod lint;
mod oauth;
mod select;
mod test_local;
#[cfg(test)]
mod tidy;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use xshell::Shell;

/// Progress on stderr.
macro_rules! say {
    ($($arg:tt)*) => { eprintln!("[xtask] {}", format_args!($($arg)*)) };
}
pub(crate) use say;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  test-local [--emulator E] [--no-lint] [-- ARGS…]
                                 lint (see `lint`; --no-lint skips it), then run all tests
                                 (unit + emulator) against emulator containers
                                 (E: moto, fakecloud or all, the default); ARGS go to
                                 `cargo nextest run` (or `cargo test`)
  lint                           cargo fmt --all --check, then cargo clippy --workspace
                                 --all-targets -- -D warnings; silent when clean
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
        "test-local" => test_local::test_local(rest),
        "lint" => lint::lint(rest),
        "token" => get_token::token(rest),
        "emulator" => emulator::emulator(rest),
        "image" => containers::image(rest),
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

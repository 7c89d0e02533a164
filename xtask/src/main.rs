//! `cargo xtask`: project automation. This file declares the command line
//! (clap) and dispatches; each subcommand lives in its own module, with its
//! options.
//!
//! - `cargo xtask test-local [--emulator moto|fakecloud|cognito-local|all] [--no-lint] [--allow-skips] [-- NEXTEST-ARGS…]`
//!   (test_local.rs): checks the tools (doctor.rs), runs the lint step,
//!   builds the emulator images if needed, starts one container per
//!   emulator, runs every test of the workspace (unit tests and the emulator
//!   tests in tests/) against them, removes them, and closes with a summary
//!   (summary.rs).
//! - `cargo xtask doctor [--install]` (doctor.rs): every outside tool the
//!   suites need, its status and install command; `--install` installs them.
//! - `cargo xtask man [--out DIR]` (man.rs): the manual pages, from the
//!   CLI's clap definitions.
//! - `cargo xtask lint` (lint.rs): `cargo fmt --all --check` and `cargo
//!   clippy --workspace --all-targets -- -D warnings`, silent when clean.
//! - `cargo xtask token [--emulator moto|fakecloud|cognito-local] [--username NAME] [--keep]`
//!   (get_token.rs): a throw-away pool and user on a fresh emulator; prints
//!   the user's ID token. `--flow client-credentials` (fakecloud, the default
//!   then): an access token from the domain's client-credentials grant.
//! - `cargo xtask emulator [--emulator moto|fakecloud|cognito-local] [--totp]` (emulator.rs):
//!   an emulator with a pool and a user, until Ctrl-C; prints `export` lines
//!   for the CLI and the tests (exports.rs).
//! - `cargo xtask image [--emulator moto|fakecloud|cognito-local|all]`
//!   (containers.rs, with the containers' lifetime): builds the emulator
//!   images (image/); prints their names.
//! - `cargo xtask bench [--quick]`: what a token costs, as whole processes,
//!   against curl's floor and the AWS CLI and boto3 (see bench/); and
//!   what `cognito-token proxy` adds (bench_proxy.rs; alone: `bench-proxy`).

mod bench;
mod bench_proxy;
mod containers;
mod doctor;
mod emulator;
mod exports;
mod get_token;
mod image;
mod lint;
mod man;
mod oauth;
mod project;
mod select;
mod summary;
mod test_local;
#[cfg(test)]
mod tidy;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// What every subcommand shares lives in a file of its own, below all of them.
pub(crate) use project::{project_root, runtime, say, shell, target_dir};

const AFTER_HELP: &str = "\
The fakecloud image holds fakecloud's Cognito, built from docker/fakecloud once per
machine (about 3 to 4 minutes on 2 idle cores) unless its published image can be pulled;
the cognito-local image needs npm on the host to fetch its pinned packages.

environment:
  COGNITO_TOKEN_IMAGE_WAY=public|debootstrap   force how the images are built
  COGNITO_TOKEN_CACHE_DIR                      cache for the offline bases, wheels, npm
                                               packages and the fakecloud build
                                               (default ~/.cache/cognito-token)
  COGNITO_TOKEN_DEBIAN_MIRROR                  debootstrap mirror";

/// Project automation for cognito-token.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the tools (see `doctor`), lint (see `lint`), then run all tests (unit + emulator)
    /// against emulator containers; ends with `test-local: N passed, N failed, N skipped`.
    TestLocal(test_local::Args),
    /// List every tool the suites need, its status and install command; fail if one is missing.
    Doctor(doctor::Args),
    /// Write the manual pages (cognito-token.1 and one per subcommand) from the CLI's clap definitions.
    Man(man::Args),
    /// `cargo fmt --all --check`, then `cargo clippy --workspace --all-targets -- -D warnings`; silent when clean.
    Lint,
    /// Provision a pool and user on a fresh emulator, sign in, print the ID token.
    Token(get_token::Args),
    /// Start an emulator with a pool and a user, print `export` lines, run until Ctrl-C.
    Emulator(emulator::Args),
    /// Build the emulator images if needed; print their names.
    Image(containers::ImageArgs),
    /// Measure login / token / SRP / many users as whole processes against curl and the peers;
    /// then the proxy's rows.
    Bench(bench::Args),
    /// The proxy's rows of the bench alone (no emulator needed).
    BenchProxy(bench_proxy::Args),
    /// The bench's measuring wrapper: `xtask __measure -- PROGRAM ARGS…`.
    #[command(name = "__measure", hide = true)]
    Measure {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::TestLocal(a) => test_local::test_local(a),
        Command::Lint => lint::lint(),
        Command::Doctor(a) => doctor::doctor(a),
        Command::Man(a) => man::man(a),
        Command::Token(a) => get_token::token(a),
        Command::Emulator(a) => emulator::emulator(a),
        Command::Image(a) => containers::image(a),
        Command::Bench(a) => bench::bench(a),
        Command::BenchProxy(a) => bench_proxy::standalone(a),
        Command::Measure { args } => return bench::measure_child(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

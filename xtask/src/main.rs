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
mod project;
mod select;
mod test_local;
#[cfg(test)]
mod tidy;
mod usage;

use std::process::ExitCode;

// What every subcommand shares lives in a file of its own, below all of them.
pub(crate) use project::{project_root, runtime, say, shell, target_dir};
pub(crate) use usage::{USAGE, no_args};

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

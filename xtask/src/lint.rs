//! `cargo xtask lint`: the rules only clippy and rustfmt check, enforced.
//! `cargo fmt --all --check`, then `cargo clippy --workspace --all-targets
//! --keep-going -- -D warnings` (the workspace's and each crate's lint
//! tables, e.g. core's `clippy::print_stdout`, as errors). Silent but for a
//! line when clean; the diff or clippy's diagnostics and an error otherwise.
//! `cargo xtask test-local` runs it before the tests (`--no-lint` skips it
//! there); `.ci/run` thereby runs it on every CI run.

use std::io::IsTerminal as _;
use std::time::Instant;

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

use crate::{say, shell};

/// `cargo xtask lint`.
pub(crate) fn lint() -> anyhow::Result<()> {
    run(&shell()?)
}

/// The lint step: `Ok` when rustfmt and clippy have nothing to say.
pub(crate) fn run(sh: &Shell) -> anyhow::Result<()> {
    let started = Instant::now();
    say!("lint: cargo fmt --all --check; cargo clippy --workspace --all-targets -- -D warnings");
    for (tool, component) in [("fmt", "rustfmt"), ("clippy", "clippy")] {
        let present = cmd!(sh, "cargo {tool} --version")
            .quiet()
            .ignore_stdout()
            .ignore_stderr()
            .run()
            .is_ok();
        if !present {
            bail!("lint: `cargo {tool}` is not installed (`rustup component add {component}`)");
        }
    }

    // The diff is captured, then shown on stderr: colour it as cargo would.
    let color = match std::env::var("CARGO_TERM_COLOR").as_deref() {
        Ok("always") => "always",
        Ok("never") => "never",
        _ if std::io::stderr().is_terminal() => "always",
        _ => "never",
    };
    let fmt = cmd!(sh, "cargo fmt --all --check -- --color {color}")
        .quiet()
        .ignore_status()
        .output()
        .context("cannot run cargo fmt")?;
    if !fmt.status.success() {
        // On stderr: stdout is left to the commands' results.
        eprint!(
            "{}{}",
            String::from_utf8_lossy(&fmt.stdout),
            String::from_utf8_lossy(&fmt.stderr)
        );
        bail!(
            "lint: `cargo fmt --all --check` found unformatted code (above); `cargo fmt --all` fixes it"
        );
    }

    // `--quiet`: nothing on a clean run; clippy's diagnostics as they come
    // otherwise. `--keep-going`: every crate's, not only the first's.
    let clippy = cmd!(
        sh,
        "cargo clippy --quiet --workspace --all-targets --keep-going -- -D warnings"
    )
    .quiet()
    .run();
    if clippy.is_err() {
        bail!(
            "lint: `cargo clippy --workspace --all-targets -- -D warnings` failed (diagnostics above)"
        );
    }
    say!("lint: clean ({:.1?})", started.elapsed());
    Ok(())
}

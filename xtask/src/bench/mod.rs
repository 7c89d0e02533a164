//! `cargo xtask bench [--quick]`: what a token costs, as whole processes,
//! side by side with the floor (the same InitiateAuth request posted by
//! curl) and the tools people use today (the AWS CLI, a boto3 script).
//!
//! Every row is measured the same way: the xtask re-executes itself as a
//! tiny wrapper (`xtask __measure -- PROGRAM ARGS…`) that spawns the
//! program, times spawn→exit with `Instant`, and reads the peak resident
//! set of its (only) child from `getrusage(RUSAGE_CHILDREN).ru_maxrss`
//! after reaping it. The wrapper's own start-up is outside the timing, and
//! because the wrapper has one child, the maximum `getrusage` reports is
//! that child's peak (a process tree's largest member, for shell wrappers).
//!
//! Secrets never go on a command line: passwords and client secrets travel
//! in environment variables or in 0600 files (curl's `--data-binary @file`,
//! the AWS CLI's `--cli-input-json file://…`).
//!
//! The report goes to stdout and to `target/bench/report.md`
//! (`report-quick.md` for `--quick`, which uses the debug build and few runs
//! so that `cargo xtask test-local` can exercise it on every run).
//!
//! The files: `measure.rs` (the wrapper, a command and its runs), `stats.rs`,
//! `sandbox.rs` (private files, clean environments), `service.rs` (moto or the
//! strict stub as a target), `capacity.rs` (the emulator's own capacity),
//! `opts.rs` (the options), `setup.rs` (the pool, users and files every
//! scenario shares), `scenarios.rs` with `peers.rs` and `stub.rs` (what is
//! measured, in order) and `report.rs` (the markdown table).

mod capacity;
mod measure;
mod opts;
mod peers;
mod report;
mod sandbox;
mod scenarios;
mod service;
mod setup;
mod stats;
mod stub;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use cognito_token_emulator::{self as emu, Emulator, Kind};

pub(crate) use measure::measure_child;
pub(crate) use opts::Args;
use opts::Opts;

use crate::containers::{check_docker, ensure_image, remove_stale, start_kind};
use crate::{say, target_dir};
use sandbox::private_dir;

/// `cargo xtask bench …`: builds the CLI, finds or starts the emulator, runs.
pub(crate) fn bench(args: Args) -> anyhow::Result<()> {
    let opts = args.opts();
    let sh = crate::shell()?;
    let bin = build_cli(&sh, &opts)?;
    let reuse = std::env::var(emu::ENDPOINT_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty());
    let tag = match reuse {
        Some(_) => None,
        None => {
            check_docker(&sh)?;
            Some(ensure_image(&sh, Kind::Moto)?)
        }
    };
    crate::runtime()?.block_on(async move {
        match (reuse, tag) {
            (Some(endpoint), _) => {
                say!("reusing the emulator at {endpoint} ({})", emu::ENDPOINT_ENV);
                run(&opts, &bin, endpoint.trim(), "moto (reused)").await
            }
            (None, Some(tag)) => {
                remove_stale().await?;
                let emulator: Emulator = start_kind(Kind::Moto, &tag, false, false).await?;
                let what = format!("moto ({}:{tag})", emu::IMAGE_NAME);
                let r = run(&opts, &bin, emulator.endpoint(), &what).await;
                if let Err(e) = emulator.stop().await {
                    say!("{e:#}");
                }
                r
            }
            (None, None) => unreachable!(),
        }
    })
}

/// The quick bench as a step of `cargo xtask test-local`, against its
/// running moto emulator and its debug CLI.
pub(crate) async fn quick_step(endpoint: &str, bin: &Path) -> anyhow::Result<()> {
    let opts = Args {
        quick: true,
        bin: Some(bin.to_owned()),
        ..Args::default()
    }
    .opts();
    say!("cargo xtask bench --quick (against the test emulator, debug CLI)");
    run(&opts, bin, endpoint, "moto (test-local's)").await
}

fn build_cli(sh: &xshell::Shell, opts: &Opts) -> anyhow::Result<PathBuf> {
    if let Some(b) = &opts.bin {
        if !b.is_file() {
            bail!("--bin {}: no such file", b.display());
        }
        return Ok(b.clone());
    }
    let (args, dir): (&[&str], &str) = if opts.quick {
        (&["build", "-p", "cognito-token"], "debug")
    } else {
        (&["build", "--release", "-p", "cognito-token"], "release")
    };
    say!("building the CLI: cargo {}", args.join(" "));
    xshell::cmd!(sh, "cargo {args...}")
        .run()
        .context("building the CLI failed")?;
    let bin = target_dir().join(dir).join("cognito-token");
    if !bin.is_file() {
        bail!("the CLI was built but {} is missing", bin.display());
    }
    Ok(bin)
}

async fn run(opts: &Opts, bin: &Path, endpoint: &str, emulator_desc: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let out_dir = target_dir().join("bench");
    let work = out_dir.join(format!("work-{}", std::process::id()));
    private_dir(&work)?;
    let result = scenarios::run_in(opts, bin, endpoint, emulator_desc, &work).await;
    let _ = std::fs::remove_dir_all(&work);
    let report = result?;
    let name = if opts.quick {
        "report-quick.md"
    } else {
        "report.md"
    };
    let path = out_dir.join(name);
    std::fs::write(&path, &report).with_context(|| format!("cannot write {}", path.display()))?;
    println!("{report}");
    say!(
        "bench done in {:.0?}; report in {}",
        started.elapsed(),
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::capacity::host_port;
    use super::opts::Args;
    use super::stats::stats;

    #[test]
    fn median_and_parse() {
        let s = stats(vec![3.0, 1.0, 2.0, 10.0]);
        assert_eq!((s.min, s.median, s.max), (1.0, 2.5, 10.0));
        // The options as clap parses them: --quick's defaults, a number
        // given, and 0 refused (a usage error).
        let parse = |args: &[&str]| {
            #[derive(clap::Parser)]
            struct Bench {
                #[command(flatten)]
                args: Args,
            }
            <Bench as clap::Parser>::try_parse_from(
                std::iter::once("bench").chain(args.iter().copied()),
            )
            .map(|b| b.args.opts())
        };
        let o = parse(&["--quick", "--users", "5"]).unwrap();
        assert!(o.quick && o.users == 5 && o.runs == 3 && o.concurrency == 16);
        let o = parse(&[]).unwrap();
        assert!(!o.quick && o.users == 200 && o.runs == 15 && o.peers);
        assert!(parse(&["--runs", "0"]).is_err());
        assert_eq!(
            host_port("http://127.0.0.1:5000/").unwrap(),
            "127.0.0.1:5000"
        );
    }
}

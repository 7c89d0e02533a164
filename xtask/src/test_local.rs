//! `cargo xtask test-local [--emulator moto|fakecloud|cognito-local|all]
//! [--no-lint] [--allow-skips] [-- NEXTEST-ARGS…]`: the tools' check
//! (doctor.rs), the lint step (lint.rs) and the test build while the
//! emulator images build on another thread if needed, one container per
//! emulator, every test of the workspace (unit tests, the
//! tidy rules and the emulator tests in tests/) against them, the quick
//! bench on a whole run; the containers are removed at the end, and the
//! summary (summary.rs) closes the run.

use std::process::ExitStatus;
use std::time::Instant;

use anyhow::{Context, bail};
use cognito_token_emulator::{self as emu, Emulator, Kind};
use xshell::{Shell, cmd};

use crate::containers::{check_docker, ensure_image, remove_stale, shutdown_signal, start_kind};
use crate::select::{OneOrAll, excluded_prefixes, names, nextest_filter, with_nextest_filter};
use crate::summary::{self, Summary};
use crate::{bench, doctor, lint, runtime, say, shell, target_dir};

/// `cargo xtask test-local`'s options.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The emulators to start (their tests run; the others' are left out).
    #[arg(long, value_enum, default_value = "all")]
    emulator: OneOrAll,
    /// Skip the lint step (CI runs it).
    #[arg(long)]
    no_lint: bool,
    /// Run although tools that tests need are missing: those tests are
    /// skipped and listed in the summary (refused under CI).
    #[arg(long)]
    allow_skips: bool,
    /// Arguments for `cargo nextest run`.
    #[arg(last = true)]
    runner_args: Vec<String>,
}

pub(crate) fn test_local(args: Args) -> anyhow::Result<()> {
    let kinds = args.emulator.kinds();
    let started = Instant::now();
    let result = test_local_inner(
        &kinds,
        &args.runner_args,
        !args.no_lint,
        args.allow_skips,
        started,
    );
    if result.is_err() {
        eprintln!(
            "xtask test-local: FAILED ({} s)",
            started.elapsed().as_secs()
        );
    }
    result
}

fn test_local_inner(
    kinds: &[Kind],
    extra: &[String],
    lint: bool,
    allow_skips: bool,
    started: Instant,
) -> anyhow::Result<()> {
    doctor::before_tests(allow_skips)?;
    let sh = shell()?;
    check_docker(&sh)?;
    // The images build (on a new machine: debootstrap, pip and npm
    // downloads, fakecloud's compile) while the lint step and the test
    // build run: much of an image build waits on the network and the disk.
    let images = spawn_image_builds(kinds);
    let compiled = (|| {
        if lint {
            lint::run(&sh)?;
        } else {
            say!("--no-lint: the lint step is skipped (CI runs it)");
        }
        build_tests(&sh, kinds, extra)
    })();
    let tags = images
        .join()
        .map_err(|_| anyhow::anyhow!("the image builds panicked"))??;
    let (test_cmd, selection) = compiled?;
    let bin = target_dir().join("debug").join("cognito-token");
    if !bin.is_file() {
        bail!("the CLI was built but {} is missing", bin.display());
    }
    let mut test_cmd = test_cmd.env(emu::BIN_ENV, &bin);
    let _ = std::fs::remove_file(summary::junit_path());

    // Only a whole run (no test-runner arguments) includes the quick bench.
    let run_bench = extra.is_empty();
    runtime()?.block_on(async move {
        remove_stale().await?;
        let emulators = start_all(tags).await?;
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
        let outcome = match run_tests(test_cmd.into()).await {
            Ok(o) => o,
            Err(e) => {
                for em in emulators {
                    let _ = em.stop().await;
                }
                return Err(e);
            }
        };
        let summary = match &outcome {
            Ok(Ok(Ok(_))) => Some(Summary::collect(&selection)),
            _ => None,
        };
        // `cargo xtask bench --quick`, so that the bench does not rot: after
        // the tests passed, against their moto emulator and the debug CLI.
        let bench_result = match (&outcome, emulators.iter().find(|e| e.kind() == Kind::Moto)) {
            (Ok(Ok(Ok(status))), Some(moto)) if status.success() && run_bench => {
                Some(bench::quick_step(moto.endpoint(), &bin).await)
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
                let summary = summary.context("no summary")?;
                if let Ok(s) = &summary {
                    eprint!("{}", s.render(started.elapsed().as_secs()));
                }
                if !status.success() {
                    bail!("tests failed ({status})");
                }
                match summary {
                    Ok(s) => s.verdict(cognito_token_tools::is_ci())?,
                    // Under CI the skips must be known; elsewhere (say,
                    // runner arguments `nextest list` refuses) a warning.
                    Err(e) if cognito_token_tools::is_ci() => {
                        return Err(e.context("cannot list the skipped tests"));
                    }
                    Err(e) => {
                        say!("skipped tests not listed: {e:#}");
                        eprintln!("xtask test-local: all tests passed");
                    }
                }
                if let Some(Err(e)) = bench_result {
                    return Err(e.context("`cargo xtask bench --quick` failed"));
                }
                Ok(())
            }
        }
    })
}

/// Builds (or finds) each emulator's image on a thread of its own; the
/// handle gives the images' tags.
fn spawn_image_builds(
    kinds: &[Kind],
) -> std::thread::JoinHandle<anyhow::Result<Vec<(Kind, String)>>> {
    let kinds = kinds.to_vec();
    std::thread::spawn(move || {
        let sh = shell()?;
        kinds
            .into_iter()
            .map(|kind| Ok((kind, ensure_image(&sh, kind)?)))
            .collect()
    })
}

/// Builds the tests (the whole workspace unless `extra` picks packages) and
/// returns the nextest command that runs them, with the filter that leaves
/// out the tests of emulators not in `kinds`; and that selection (package
/// and filter arguments) for the summary's list of skipped tests.
fn build_tests<'a>(
    sh: &'a Shell,
    kinds: &[Kind],
    extra: &[String],
) -> anyhow::Result<(xshell::Cmd<'a>, Vec<String>)> {
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
    say!(
        "building the tests: cargo nextest run --no-run {}",
        args.join(" ")
    );
    cmd!(sh, "cargo nextest run --no-run {args...}")
        .run()
        .context("building the tests failed")?;
    // The workspace's tests build the CLI too (its integration tests run
    // it), with the same features: a separate `cargo build -p
    // cognito-token` would build its dependencies a second time with the
    // package's own features. A partial selection may not include it.
    if picks {
        say!("building the CLI: cargo build -p cognito-token");
        cmd!(sh, "cargo build -p cognito-token")
            .run()
            .context("building the CLI failed")?;
    }
    let run_args = if excluded.is_empty() {
        args.clone()
    } else {
        let filter = nextest_filter(&excluded);
        say!("only {}: nextest filter -E '{filter}'", names(kinds));
        with_nextest_filter(args, &filter)
    };
    let profile = summary::PROFILE;
    let selection: Vec<String> = run_args
        .iter()
        .take_while(|a| *a != "--")
        .cloned()
        .collect();
    Ok((
        cmd!(
            sh,
            "cargo nextest run --profile {profile} --no-fail-fast {run_args...}"
        ),
        selection,
    ))
}

/// Starts the emulators side by side; if one fails, removes the others.
async fn start_all(tags: Vec<(Kind, String)>) -> anyhow::Result<Vec<Emulator>> {
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
                failure = Some(
                    failure
                        .unwrap_or_else(|| anyhow::anyhow!("starting an emulator panicked: {e}")),
                )
            }
        }
    }
    if let Some(e) = failure {
        for em in emulators {
            let _ = em.stop().await;
        }
        return Err(e);
    }
    Ok(emulators)
}

/// What became of the test runner: its exit (through the blocking task
/// that waited for it), or the signal that stopped this process first.
type Outcome = Result<Result<std::io::Result<ExitStatus>, tokio::task::JoinError>, &'static str>;

/// Runs the tests until they end or this process is asked to stop; `Err`
/// only when the runner cannot be started.
async fn run_tests(mut command: std::process::Command) -> anyhow::Result<Outcome> {
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
    Ok(outcome)
}

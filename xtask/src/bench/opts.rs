//! The bench's options (`cargo xtask bench --quick --runs N …`).

use std::path::PathBuf;

use anyhow::{Context, bail};

/// What the bench does.
#[derive(Clone, Debug)]
pub(crate) struct Opts {
    pub(super) quick: bool,
    pub(super) runs: usize,
    pub(super) warmup: usize,
    pub(super) users: usize,
    pub(super) concurrency: usize,
    pub(super) bin: Option<PathBuf>,
    pub(super) peers: bool,
}

pub(crate) const USAGE: &str = "\
  bench [--quick] [--runs N] [--users N] [--concurrency N] [--bin PATH] [--no-peers]
                                 measure login / token / SRP / many-users as whole processes
                                 against the floor (curl) and peers (AWS CLI, boto3); uses
                                 COGNITO_EMULATOR_ENDPOINT_MOTO if set, else starts moto;
                                 writes target/bench/report.md (--quick: debug build, few
                                 runs, report-quick.md)";

pub(super) fn parse(args: &[String]) -> anyhow::Result<Opts> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut o = Opts {
        quick,
        runs: if quick { 3 } else { 15 },
        warmup: if quick { 1 } else { 2 },
        users: if quick { 20 } else { 200 },
        concurrency: 16,
        bin: None,
        peers: true,
    };
    let mut it = args.iter();
    let num = |v: Option<&String>, what: &str| -> anyhow::Result<usize> {
        v.with_context(|| format!("{what} needs a value"))?
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .with_context(|| format!("{what} needs a positive number"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => {}
            "--runs" => o.runs = num(it.next(), "--runs")?,
            "--users" => o.users = num(it.next(), "--users")?,
            "--concurrency" => o.concurrency = num(it.next(), "--concurrency")?,
            "--bin" => o.bin = Some(PathBuf::from(it.next().context("--bin needs a path")?)),
            "--no-peers" => o.peers = false,
            other => bail!("`cargo xtask bench`: unknown argument {other:?}\n\nusage:\n{USAGE}"),
        }
    }
    Ok(o)
}

/// Measured (raw requests, CLI) pairs for the many-token rows.
pub(super) fn many_runs(opts: &Opts) -> usize {
    if opts.quick { 1 } else { 5 }
}

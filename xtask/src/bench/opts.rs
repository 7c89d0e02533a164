//! The bench's options (`cargo xtask bench --quick --runs N …`, clap derive).

use std::num::NonZeroUsize;
use std::path::PathBuf;

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

/// `cargo xtask bench`'s options, as clap parses them.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct Args {
    /// Debug build, few runs, few users (what `cargo xtask test-local` runs).
    #[arg(long)]
    pub(super) quick: bool,
    /// Runs per row (default 15; 3 with --quick).
    #[arg(long)]
    pub(super) runs: Option<NonZeroUsize>,
    /// Users of the many-users rows (default 200; 20 with --quick).
    #[arg(long)]
    pub(super) users: Option<NonZeroUsize>,
    /// Concurrent sign-ins of the many-users rows (default 16).
    #[arg(long)]
    pub(super) concurrency: Option<NonZeroUsize>,
    /// The CLI to measure (default: built now).
    #[arg(long)]
    pub(super) bin: Option<PathBuf>,
    /// Leave out the AWS CLI and boto3 rows.
    #[arg(long)]
    pub(super) no_peers: bool,
}

impl Args {
    /// The options with their defaults filled in.
    pub(super) fn opts(self) -> Opts {
        let quick = self.quick;
        Opts {
            quick,
            runs: self
                .runs
                .map_or(if quick { 3 } else { 15 }, NonZeroUsize::get),
            warmup: if quick { 1 } else { 2 },
            users: self
                .users
                .map_or(if quick { 20 } else { 200 }, NonZeroUsize::get),
            concurrency: self.concurrency.map_or(16, NonZeroUsize::get),
            bin: self.bin,
            peers: !self.no_peers,
        }
    }
}

/// Measured (raw requests, CLI) pairs for the many-token rows.
pub(super) fn many_runs(opts: &Opts) -> usize {
    if opts.quick { 1 } else { 5 }
}

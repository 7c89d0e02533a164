//! The measuring wrapper and what it measures: the xtask re-executes itself
//! as `xtask __measure -- PROGRAM ARGS…`, which spawns the program, times
//! spawn→exit and reads the peak resident set of its (only) child from
//! `getrusage(RUSAGE_CHILDREN)`; [`Cmd`] is one program to run that way, in
//! a clean environment, with warm-up runs and a check of its output.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

const MEASURE_MARK: &str = "@@xtask-measure";

/// `xtask __measure -- PROGRAM ARGS…`: runs PROGRAM (stdio inherited), then
/// prints `@@xtask-measure WALL_NS MAXRSS_KIB CODE CPU_NS` on stdout (CPU =
/// user + system time of the child); exits 0.
pub(crate) fn measure_child(args: &[String]) -> ExitCode {
    let args = match args.first().map(String::as_str) {
        Some("--") => &args[1..],
        _ => args,
    };
    let Some((program, rest)) = args.split_first() else {
        eprintln!("usage: xtask __measure -- PROGRAM ARGS…");
        return ExitCode::from(2);
    };
    let started = Instant::now();
    let status = Command::new(program).args(rest).status();
    let wall = started.elapsed();
    let code = match status {
        Ok(s) => s.code().unwrap_or(-1),
        Err(e) => {
            eprintln!("cannot run {program}: {e}");
            -127
        }
    };
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).ok();
    let rss = usage.map_or(0, |u| u.max_rss());
    let cpu_ns = usage.map_or(0, |u| {
        let ns = |t: nix::sys::time::TimeVal| {
            t.tv_sec() as i128 * 1_000_000_000 + t.tv_usec() as i128 * 1000
        };
        ns(u.user_time()) + ns(u.system_time())
    });
    println!("\n{MEASURE_MARK} {} {rss} {code} {cpu_ns}", wall.as_nanos());
    ExitCode::SUCCESS
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Sample {
    pub(super) wall: Duration,
    pub(super) rss_kib: u64,
    /// User + system CPU time of the process.
    pub(super) cpu: Duration,
}

/// A command to measure: program, arguments, a clean environment.
#[derive(Clone, Debug)]
pub(super) struct Cmd {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin_file: Option<PathBuf>,
}

impl Cmd {
    pub(super) fn new(program: impl Into<PathBuf>, args: &[&str], env: &[(String, String)]) -> Cmd {
        Cmd {
            program: program.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            env: env.to_vec(),
            stdin_file: None,
        }
    }

    pub(super) fn shown(&self) -> String {
        let name = self
            .program
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        std::iter::once(name)
            .chain(self.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// One measured run: the sample and the program's stdout (less the mark).
    fn run_once(&self) -> anyhow::Result<(Sample, String, String)> {
        let me = std::env::current_exe().context("cannot find the xtask binary")?;
        let mut c = Command::new(me);
        c.arg("__measure")
            .arg("--")
            .arg(&self.program)
            .args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match &self.stdin_file {
            Some(p) => c.stdin(std::fs::File::open(p)?),
            None => c.stdin(Stdio::null()),
        };
        let out = c
            .output()
            .with_context(|| format!("cannot run {}", self.shown()))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let (body, mark) = stdout.rsplit_once(MEASURE_MARK).with_context(|| {
            format!(
                "the measuring wrapper printed no result for {}: {stderr}",
                self.shown()
            )
        })?;
        let f: Vec<i64> = mark
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let [wall_ns, rss, code, cpu_ns] = f[..] else {
            bail!("bad measure line {mark:?}")
        };
        if code != 0 {
            let first = stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .to_owned();
            bail!("{} exited with {code}: {first}", self.shown());
        }
        let sample = Sample {
            wall: Duration::from_nanos(wall_ns as u64),
            rss_kib: rss.max(0) as u64,
            cpu: Duration::from_nanos(cpu_ns.max(0) as u64),
        };
        Ok((sample, body.trim_end().to_owned(), stderr))
    }

    /// Warm-up runs, then `runs` measured runs; `check` validates stdout.
    pub(super) fn measure(
        &self,
        warmup: usize,
        runs: usize,
        check: &dyn Fn(&str) -> bool,
    ) -> anyhow::Result<Vec<Sample>> {
        for _ in 0..warmup {
            self.run_checked(check)?;
        }
        let mut samples = Vec::with_capacity(runs);
        for _ in 0..runs {
            samples.push(self.run_checked(check)?);
        }
        Ok(samples)
    }

    /// One measured run whose stdout `check` accepts.
    fn run_checked(&self, check: &dyn Fn(&str) -> bool) -> anyhow::Result<Sample> {
        let (s, out, err) = self.run_once()?;
        if !check(&out) {
            bail!(
                "{}: unexpected output (stderr: {})",
                self.shown(),
                err.trim()
            );
        }
        Ok(s)
    }
}

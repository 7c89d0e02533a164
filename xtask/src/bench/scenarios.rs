//! What the bench measures, in the report's order: moto's floor (curl), the
//! CLI's rows, the peers (peers.rs), the emulator's capacity against
//! `login --users-file`, the strict stub's rows (stub.rs) and the SRP client
//! math.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

use super::capacity::{capacity, host_port};
use super::measure::Cmd;
use super::opts::{Opts, many_runs};
use super::report::{Figures, Row, render};
use super::setup::{Setup, is_jwt, setup};
use super::stats::{ms, stats};
use super::{peers, stub};
use crate::say;

/// Every scenario, then the report (with the proxy's section).
pub(super) async fn run_in(
    opts: &Opts,
    bin: &Path,
    endpoint: &str,
    emulator_desc: &str,
    work: &Path,
) -> anyhow::Result<String> {
    let s = setup(opts, bin, endpoint, work).await?;
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let floor = floor(&s, &mut rows)?;
    cli_rows(&s, &mut rows)?;
    if !opts.peers {
        notes.push("peers skipped (--no-peers)".to_owned());
    } else {
        peers::rows(&s, &mut rows);
    }
    let cap = many_tokens(&s, &mut rows, &mut notes).await?;
    let stub_rows = stub::rows(&s)?;
    let srp_us = srp_math(&s)?;

    rows.extend(stub_rows);
    let figures = Figures { floor, cap, srp_us };
    let mut report = render(opts, bin, emulator_desc, figures, &rows, &notes);
    report.push_str(&crate::bench_proxy::section(opts.quick, bin).await?);
    Ok(report)
}

/// The floor: the same InitiateAuth request posted by curl; its median (ms).
fn floor(s: &Setup<'_>, rows: &mut Vec<Row>) -> anyhow::Result<f64> {
    let (warmup, runs) = (s.opts.warmup, s.opts.runs);
    let curl_cmd = s.moto.curl(&s.curl, &s.req_file, &s.home);
    say!("measuring: curl (the floor)");
    let floor_samples =
        tokio::task::block_in_place(|| curl_cmd.measure(warmup, runs, &|o| o.trim() == "200"))?;
    let floor = ms(&floor_samples).median;
    rows.push(Row::timed(
        "InitiateAuth posted by curl (the floor)",
        &curl_cmd,
        &floor_samples,
        "floor",
    ));
    Ok(floor)
}

/// `cognito-token login` / `token` / `login --flow srp` against moto.
fn cli_rows(s: &Setup<'_>, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let (warmup, runs) = (s.opts.warmup, s.opts.runs);
    // moto's SRP is fake (random B, the proof unchecked), but the exchange is
    // real: two round trips and the client's whole computation.
    for (args, name, target) in [
        (
            &["login"][..],
            "`cognito-token login` (password flow)",
            "≤ 1.5 × floor, ≤ 20 MiB",
        ),
        (
            &["token"],
            "`cognito-token token` (from the cache)",
            "≤ 1.0 × floor, ≤ 20 MiB",
        ),
        (
            &["login", "--flow", "srp", "--no-cache"],
            "`cognito-token login --flow srp --no-cache` (2 round trips; moto does not check the proof)",
            "≤ 20 MiB",
        ),
    ] {
        let cmd = Cmd::new(s.bin, args, &s.cli_env);
        say!("measuring: {}", cmd.shown());
        let samples = tokio::task::block_in_place(|| cmd.measure(warmup, runs, &is_jwt))?;
        rows.push(Row::timed(name, &cmd, &samples, target));
    }
    Ok(())
}

/// Many tokens: the emulator's capacity (raw requests, in process) and
/// `cognito-token login --users-file`, interleaved; the capacity (users/s).
async fn many_tokens(
    s: &Setup<'_>,
    rows: &mut Vec<Row>,
    notes: &mut Vec<String>,
) -> anyhow::Result<f64> {
    let opts = s.opts;
    let addr = host_port(s.endpoint)?;
    let bodies: Vec<Vec<u8>> = s
        .load_users
        .iter()
        .map(|(u, pw)| s.moto.request_json(u, pw).to_string().into_bytes())
        .collect();
    let many_runs = many_runs(opts);
    let conc = opts.concurrency.to_string();
    let many = Cmd::new(
        s.bin,
        &[
            "login",
            "--users-file",
            &s.users_csv.display().to_string(),
            "--concurrency",
            &conc,
        ],
        &s.cli_env,
    );
    let users_n = opts.users;
    let all_tokens =
        |o: &str| o.lines().count() == users_n && o.lines().all(|l| l.contains("\"id_token\""));
    // Interleaved, so that both see the emulator in the same state (moto
    // keeps every token it issues, and a busy neighbour comes and goes):
    // one warm-up of each, then pairs of (raw requests, the CLI).
    say!(
        "measuring: the emulator's capacity ({} raw InitiateAuth, {} at once) and \
         cognito-token login --users-file, interleaved",
        opts.users,
        opts.concurrency
    );
    capacity(&addr, &bodies, opts.concurrency).await?;
    tokio::task::block_in_place(|| many.measure(1, 0, &all_tokens))?;
    let mut caps = Vec::new();
    let mut cap_walls = Vec::new();
    let mut samples = Vec::new();
    for _ in 0..many_runs {
        let t = Instant::now();
        caps.push(capacity(&addr, &bodies, opts.concurrency).await?);
        cap_walls.push(t.elapsed().as_secs_f64() * 1e3);
        samples.extend(tokio::task::block_in_place(|| {
            many.measure(0, 1, &all_tokens)
        })?);
    }
    let pairs: Vec<String> = cap_walls
        .iter()
        .zip(&samples)
        .map(|(c, x)| format!("{c:.0}/{:.0}", x.wall.as_secs_f64() * 1e3))
        .collect();
    notes.push(format!(
        "many tokens, wall ms per pair (raw requests / CLI), in order: {}",
        pairs.join(", ")
    ));
    let cap = stats(caps).median;
    rows.push(Row {
        name: format!(
            "emulator capacity: {} raw InitiateAuth requests, {} at once",
            opts.users, opts.concurrency
        ),
        command: "in-process HTTP/1.1 client (xtask)".into(),
        wall: Some(stats(cap_walls)),
        peak_mib: None,
        rate: Some(cap),
        target: "capacity".into(),
        note: String::new(),
        floor: None,
    });

    let rate = opts.users as f64 / ms(&samples).median * 1e3;
    let mut r = Row::timed(
        &format!(
            "`cognito-token login --users-file` ({} users, --concurrency {})",
            opts.users, opts.concurrency
        ),
        &many,
        &samples,
        "≥ 0.8 × capacity",
    );
    r.command = format!(
        "cognito-token login --users-file users.csv --concurrency {}",
        opts.concurrency
    );
    r.rate = Some(rate);
    let cpu_ms = stats(samples.iter().map(|x| x.cpu.as_secs_f64() * 1e3).collect()).median;
    notes.push(format!(
        "`login --users-file` used {cpu_ms:.0} ms of CPU (user + system) for {users_n} users, \
         {:.2} ms per user, in {:.0} ms of wall time (median run).",
        cpu_ms / users_n as f64,
        ms(&samples).median
    ));
    rows.push(r);
    Ok(cap)
}

/// The SRP client math per sign-in, in µs: core's `srp_timing` example,
/// built like the CLI under test (debug for `--quick`, else release). A
/// benchmark helper, so not a subcommand of the shipped binary.
fn srp_math(s: &Setup<'_>) -> anyhow::Result<f64> {
    let srp_runs = if s.opts.quick { "20" } else { "200" };
    let mut build = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    build.args([
        "build",
        "-p",
        "cognito-token-core",
        "--example",
        "srp_timing",
    ]);
    if !s.opts.quick {
        build.arg("--release");
    }
    let status = build
        .current_dir(crate::project_root())
        .status()
        .context("cannot build the srp_timing example")?;
    if !status.success() {
        bail!("building the srp_timing example failed ({status})");
    }
    let profile = if s.opts.quick { "debug" } else { "release" };
    let example = crate::target_dir()
        .join(profile)
        .join("examples")
        .join("srp_timing");
    let out = Command::new(&example)
        .args(["--runs", srp_runs])
        .env_clear()
        .output()
        .with_context(|| format!("cannot run {}", example.display()))?;
    if !out.status.success() {
        bail!(
            "srp_timing failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("srp_timing printed no JSON")?;
    v["per_sign_in_us"]
        .as_f64()
        .context("srp_timing: no per_sign_in_us")
}

//! The proxy's rows of `cargo xtask bench`: what `cognito-token proxy` adds
//! per request and how many requests per second it passes, against calling
//! the upstream directly; beside what one verification costs with the JWKS
//! cached.
//!
//! Two upstreams, each measured directly and through the proxy:
//! - the real `chalice local` app of the end-to-end test
//!   (`tests/chalice-app/`, with the chalice `cargo xtask doctor
//!   --install` puts in `tests/venvs/`): what the proxy is
//!   for, and what the throughput target is judged on;
//! - a do-nothing hyper server in this process (it answers `ok`): the worst
//!   case. On a machine whose CPUs the load generator, the upstream and the
//!   proxy share, a request through the proxy adds the HTTP work of a
//!   second hop; were the load generator and the upstream as cheap as the
//!   proxy, the ratio would be near 0.5 however cheap the proxy is.
//!
//! The strict stub (in process) serves the pool's JWKS and signs the token.
//! The load comes from keep-alive connections, one OS thread each, with
//! blocking std sockets (the xtask is a debug build: the std library's I/O
//! is optimised, an unoptimised async runtime would not be). Direct and
//! proxied runs alternate, several rounds; the figures are medians. The
//! proxy is the built CLI, a process of its own; its CPU time per request
//! (from `/proc`) is the machine-independent measure of its cost.

use std::fmt::Write as _;
use std::io::{BufRead as _, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::say;

mod load;
mod servers;

use load::*;
use servers::*;

/// How much to measure.
struct Plan {
    rounds: usize,
    /// Requests one after another, per round and side.
    sequential: usize,
    clients: usize,
    /// Length of each throughput run.
    run: Duration,
}

/// One upstream's figures, directly and through the proxy.
struct Figures {
    direct50: f64,
    direct99: f64,
    proxied50: f64,
    proxied99: f64,
    direct_rps: f64,
    proxied_rps: f64,
    /// The proxy's CPU time per request in the throughput runs (µs).
    proxy_cpu_us: Option<f64>,
}

impl Figures {
    fn ratio(&self) -> f64 {
        self.proxied_rps / self.direct_rps
    }
    fn added50(&self) -> f64 {
        (self.proxied50 - self.direct50) / 1e3
    }
    fn added99(&self) -> f64 {
        (self.proxied99 - self.direct99) / 1e3
    }
}

/// Measures `upstream` directly and through the proxy at `proxy`
/// (process `pid`), alternating, `plan.rounds` rounds.
fn measure(
    upstream: &str,
    proxy: &str,
    pid: u32,
    req: &[u8],
    plan: &Plan,
) -> anyhow::Result<Figures> {
    // Warm-up: connections, the proxy's memo of the token, Python's imports.
    latencies(upstream, req, plan.sequential / 10 + 1)?;
    latencies(proxy, req, plan.sequential / 10 + 1)?;
    throughput(upstream, req, plan.clients, plan.run / 4)?;
    throughput(proxy, req, plan.clients, plan.run / 4)?;

    let (mut direct, mut proxied) = (Vec::new(), Vec::new());
    let (mut direct_rps, mut proxied_rps, mut cpu) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..plan.rounds {
        // Which side goes first alternates too.
        let sides: [bool; 2] = if round % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        for through in sides {
            let addr = if through { proxy } else { upstream };
            let lat = latencies(addr, req, plan.sequential)?;
            let before = cpu_secs(pid);
            let (rps, served) = throughput(addr, req, plan.clients, plan.run)?;
            if through {
                proxied.extend(lat);
                proxied_rps.push(rps);
                if let (Some(a), Some(b)) = (before, cpu_secs(pid)) {
                    cpu.push((b - a) * 1e6 / served as f64);
                }
            } else {
                direct.extend(lat);
                direct_rps.push(rps);
            }
        }
    }
    Ok(Figures {
        direct50: percentile(&mut direct, 0.5),
        direct99: percentile(&mut direct, 0.99),
        proxied50: percentile(&mut proxied, 0.5),
        proxied99: percentile(&mut proxied, 0.99),
        direct_rps: median(direct_rps),
        proxied_rps: median(proxied_rps),
        proxy_cpu_us: (!cpu.is_empty()).then(|| median(cpu)),
    })
}

/// The three rows of one upstream (`judged`: whether the targets are
/// judged on it).
fn rows(s: &mut String, name: &str, f: &Figures, judged: bool) {
    let yes = |b: bool| if b { "yes" } else { "**no**" };
    let ratio = f.ratio();
    let cpu = f
        .proxy_cpu_us
        .map_or(String::new(), |c| format!("; proxy CPU {c:.0} µs/request"));
    let _ = writeln!(
        s,
        "| {name}, called directly | {:.3} ms | {:.3} ms | {:.0} | | |",
        f.direct50 / 1e3,
        f.direct99 / 1e3,
        f.direct_rps
    );
    let (t_target, t_met, l_target, l_met) = if judged {
        (
            "≥ 0.8 × upstream",
            yes(ratio >= 0.8).to_owned(),
            "< 1 ms at the median",
            yes(f.added50() < 1.0).to_owned(),
        )
    } else {
        (
            "(worst case, not judged)",
            String::new(),
            "(not judged)",
            String::new(),
        )
    };
    let _ = writeln!(
        s,
        "| {name}, through `cognito-token proxy` | {:.3} ms | {:.3} ms | {:.0} ({ratio:.2} × upstream{cpu}) | {t_target} | {t_met} |",
        f.proxied50 / 1e3,
        f.proxied99 / 1e3,
        f.proxied_rps,
    );
    let _ = writeln!(
        s,
        "| {name}, added by the proxy | {:.3} ms | {:.3} ms | | {l_target} | {l_met} |",
        f.added50(),
        f.added99()
    );
}

/// Measures and returns the report's proxy section (markdown).
pub async fn section(quick: bool, bin: &Path) -> anyhow::Result<String> {
    say!("measuring the proxy: added latency, throughput, verification cost");
    let stub = cognito_stub::Stub::start();
    let pool = stub.add_pool(cognito_stub::PoolSpec::default());
    let client = stub.add_client(&pool, cognito_stub::ClientSpec::default());
    let token = stub.sign_id_token(&pool, &client.id, "bench", serde_json::json!({}));
    let endpoint = stub.endpoint();
    let keys = Pool {
        pool: &pool,
        endpoint: &endpoint,
        client: &client.id,
    };
    let plan = |fast: bool| match (quick, fast) {
        (true, fast) => Plan {
            rounds: 1,
            sequential: if fast { 100 } else { 20 },
            clients: 16,
            run: Duration::from_millis(300),
        },
        (false, true) => Plan {
            rounds: 5,
            sequential: 2000,
            clients: 16,
            run: Duration::from_secs(2),
        },
        (false, false) => Plan {
            rounds: 5,
            sequential: 100,
            clients: 16,
            run: Duration::from_secs(3),
        },
    };

    // (b) the real `chalice local` app, if chalice is installed.
    let chalice_plan = plan(false);
    let chalice = match chalice_bin() {
        None => None,
        Some(bin_chalice) => {
            say!("proxy bench: `chalice local` ({})", bin_chalice.display());
            let dir = tempfile_dir("chalice-app")?;
            let token = token.clone();
            let bin = bin.to_owned();
            let (pool, endpoint, client_id) = (pool.clone(), endpoint.clone(), client.id.clone());
            let dir2 = dir.clone();
            let f = tokio::task::spawn_blocking(move || -> anyhow::Result<(Figures, Figures)> {
                let (_chalice, up) = start_chalice(&bin_chalice, &dir2)?;
                let keys = Pool {
                    pool: &pool,
                    endpoint: &endpoint,
                    client: &client_id,
                };
                let app = dir2.to_string_lossy().into_owned();
                let (proxy, paddr) = start_proxy(&bin, &up, &keys, &["--chalice-app", &app])?;
                // A route behind the authorizer: chalice local decodes the
                // token and answers with its username.
                let keep = request(&up, "/user-pools", &token, false);
                let keep = measure(&up, &paddr, proxy.0.id(), &keep, &chalice_plan)?;
                let close = request(&up, "/user-pools", &token, true);
                let close = measure(&up, &paddr, proxy.0.id(), &close, &chalice_plan)?;
                Ok((keep, close))
            })
            .await?;
            let _ = std::fs::remove_dir_all(&dir);
            Some(f?)
        }
    };

    // (a) the do-nothing hyper upstream.
    say!("proxy bench: a do-nothing hyper upstream");
    let up = hyper_upstream().await?;
    let (proxy, paddr) = tokio::task::block_in_place(|| start_proxy(bin, &up, &keys, &[]))?;
    let req = request(&up, "/bench?x=1", &token, false);
    let hyper_plan = plan(true);
    let (up2, paddr2, pid) = (up.clone(), paddr.clone(), proxy.0.id());
    let hyper = tokio::task::spawn_blocking(move || measure(&up2, &paddr2, pid, &req, &hyper_plan))
        .await??;
    drop(proxy);

    // One verification with the JWKS cached (today's core API keeps it on
    // disk): distinct tokens, so each is a full RS256 check.
    let dir = tempfile_dir("jwks")?;
    let mut opts = cognito_token_core::verify::VerifyOptions::new("us-east-1", pool.as_str());
    opts.jwks_url = stub.jwks_url(&pool);
    opts.cache_dir = Some(dir.clone());
    let tokens: Vec<String> = (0..if quick { 20 } else { 200 })
        .map(|i| stub.sign_id_token(&pool, &client.id, &format!("u{i}"), serde_json::json!({})))
        .collect();
    cognito_token_core::verify::verify(&tokens[0], &opts).await?;
    let mut verify_us = Vec::new();
    for t in &tokens {
        let s = Instant::now();
        cognito_token_core::verify::verify(t, &opts).await?;
        verify_us.push(s.elapsed().as_secs_f64() * 1e6);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let v50 = percentile(&mut verify_us, 0.5);

    let p = plan(true);
    let pc = plan(false);
    let mut s = String::new();
    let _ = writeln!(s, "\n### `cognito-token proxy`\n");
    let _ = writeln!(
        s,
        "One valid ID token (the strict stub's pool) on every request; the proxy verifies it once, \
         then remembers it (checking `exp` each time). Each upstream is measured directly and \
         through the proxy, alternately, {} rounds; medians. Latency: requests one after another \
         on one keep-alive connection ({} per round; {} for chalice). Throughput: {} keep-alive \
         connections sending back to back for {} s per round ({} s for chalice). The load \
         generator, the upstream and the proxy share this machine's CPUs. The targets are \
         judged on `chalice local` (the upstream the proxy is for); the do-nothing upstream is \
         the worst case, not judged: there a proxied request adds the HTTP work of a second \
         hop on the same CPUs, and were the load generator and the upstream (this debug-built \
         xtask) as cheap as the proxy, the ratio would be near 0.5 however cheap the proxy is. \
         The proxy's CPU time per request is from /proc.\n",
        p.rounds,
        p.sequential,
        pc.sequential,
        p.clients,
        p.run.as_secs_f64(),
        pc.run.as_secs_f64(),
    );
    let _ = writeln!(s, "| what | median | p99 | requests/s | target | met |");
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    match &chalice {
        Some((keep, close)) => {
            rows(&mut s, "`chalice local`, keep-alive clients", keep, true);
            rows(
                &mut s,
                "`chalice local`, a connection per request",
                close,
                true,
            );
        }
        None => {
            let _ = writeln!(
                s,
                "| `chalice local`: not measured, chalice is not installed (`cargo xtask doctor --install`) | | | | ≥ 0.8 × upstream | not measured |"
            );
        }
    }
    rows(&mut s, "do-nothing hyper server (`ok`)", &hyper, false);
    let _ = writeln!(
        s,
        "| one verification, JWKS cached (`verify::verify`, distinct tokens, in process) | {:.3} ms | | | | |",
        v50 / 1e3
    );
    if quick {
        let _ = writeln!(
            s,
            "\nQuick mode: debug build, short runs; the figures are not the targets."
        );
    }
    for (what, f) in chalice
        .iter()
        .flat_map(|(k, c)| [("keep-alive", k), ("connection per request", c)])
    {
        say!(
            "proxy (chalice local, {what}): +{:.3} ms median, +{:.3} ms p99; {:.0} req/s vs {:.0} ({:.2} ×)",
            f.added50(),
            f.added99(),
            f.proxied_rps,
            f.direct_rps,
            f.ratio()
        );
    }
    say!(
        "proxy (do-nothing hyper): +{:.3} ms median, +{:.3} ms p99; {:.0} req/s vs {:.0} ({:.2} ×), proxy CPU {} µs/request; verify {:.3} ms",
        hyper.added50(),
        hyper.added99(),
        hyper.proxied_rps,
        hyper.direct_rps,
        hyper.ratio(),
        hyper
            .proxy_cpu_us
            .map_or("?".to_owned(), |c| format!("{c:.1}")),
        v50 / 1e3
    );
    drop(stub);
    Ok(s)
}

/// A fresh private directory.
fn tempfile_dir(what: &str) -> anyhow::Result<PathBuf> {
    let d = std::env::temp_dir().join(format!(
        "cognito-token-bench-{what}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

/// `cargo xtask bench-proxy`'s options.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Debug build, few runs.
    #[arg(long)]
    quick: bool,
    /// The CLI to measure (default: built now).
    #[arg(long)]
    bin: Option<PathBuf>,
}

/// `cargo xtask bench-proxy [--quick] [--bin PATH]`: the proxy's rows
/// alone (no emulator needed); prints the section on stdout.
pub fn standalone(args: Args) -> anyhow::Result<()> {
    let quick = args.quick;
    let bin = match args.bin {
        Some(b) => b,
        None => {
            let sh = crate::shell()?;
            let profile = if quick { "debug" } else { "release" };
            say!("building the CLI ({profile})");
            if quick {
                xshell::cmd!(sh, "cargo build -p cognito-token").run()?;
            } else {
                xshell::cmd!(sh, "cargo build --release -p cognito-token").run()?;
            }
            crate::target_dir().join(profile).join("cognito-token")
        }
    };
    let report = crate::runtime()?.block_on(section(quick, &bin))?;
    println!("{report}");
    Ok(())
}

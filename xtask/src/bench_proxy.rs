//! The proxy's rows of `cargo xtask bench`: what `cognito-token proxy` adds
//! per request and how many requests per second it passes, against calling
//! a fast upstream directly; beside what one verification costs with the
//! JWKS cached.
//!
//! Everything runs on this machine: the strict stub (in process) serves the
//! pool's JWKS and signs the token; the upstream is a minimal hyper
//! HTTP/1.1 server in this process (it answers `ok`); the load comes from
//! keep-alive clients in this process. The proxy is the built CLI, a process of its own.

use std::fmt::Write as _;
use std::io::BufRead as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::say;

/// Reads one response (head, then a Content-Length body) from `s`; `buf`
/// keeps what was read past it. Returns the status.
async fn read_response(s: &mut TcpStream, buf: &mut Vec<u8>) -> anyhow::Result<u16> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let status: u16 = head
                .split(' ')
                .nth(1)
                .and_then(|c| c.parse().ok())
                .context("no status line")?;
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            let total = end + 4 + len;
            while buf.len() < total {
                read_more(s, buf).await?;
            }
            buf.drain(..total);
            return Ok(status);
        }
        read_more(s, buf).await?;
    }
}

async fn read_more(s: &mut TcpStream, buf: &mut Vec<u8>) -> anyhow::Result<()> {
    let mut chunk = [0u8; 16 * 1024];
    let n = s.read(&mut chunk).await?;
    if n == 0 {
        bail!("the connection closed");
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

/// The upstream: a minimal hyper HTTP/1.1 server answering every request
/// `200 ok`, keep-alive.
async fn upstream() -> anyhow::Result<String> {
    let l = TcpListener::bind("127.0.0.1:0").await?;
    let addr = l.local_addr()?.to_string();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            let _ = s.set_nodelay(true);
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(|_req| async {
                    Ok::<_, std::convert::Infallible>(hyper::Response::new(
                        http_body_util::Full::new(hyper::body::Bytes::from_static(b"ok")),
                    ))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(s), svc)
                    .await;
            });
        }
    });
    Ok(addr)
}

fn request(addr: &str, token: &str) -> Vec<u8> {
    format!("GET /bench?x=1 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {token}\r\n\r\n")
        .into_bytes()
}

/// `n` requests one after another on one keep-alive connection: each
/// request's latency (µs).
async fn latencies(addr: &str, token: &str, n: usize) -> anyhow::Result<Vec<f64>> {
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let req = request(addr, token);
    let mut buf = Vec::new();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        s.write_all(&req).await?;
        let status = read_response(&mut s, &mut buf).await?;
        out.push(t.elapsed().as_secs_f64() * 1e6);
        if status != 200 {
            bail!("{addr} answered {status}");
        }
    }
    Ok(out)
}

/// `clients` keep-alive connections, `per_client` requests each: requests/s.
async fn throughput(
    addr: &str,
    token: &str,
    clients: usize,
    per_client: usize,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (addr, token) = (addr.to_owned(), token.to_owned());
        tasks.spawn(async move { latencies(&addr, &token, per_client).await.map(|_| ()) });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    Ok((clients * per_client) as f64 / started.elapsed().as_secs_f64())
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// The proxy process; killed when dropped.
struct ProxyProc(std::process::Child);

impl Drop for ProxyProc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `bin proxy` in front of `upstream`; returns it and its address.
fn start_proxy(
    bin: &Path,
    upstream: &str,
    pool: &str,
    endpoint: &str,
    client: &str,
) -> anyhow::Result<(ProxyProc, String)> {
    // Keys from the emulator are trusted only for an issuer named
    // explicitly; moto signs with the pool's real issuer.
    let region = pool.split('_').next().unwrap_or("us-east-1");
    let issuer = cognito_token_core::verify::default_issuer(region, pool);
    let mut child = Command::new(bin)
        .args([
            "proxy",
            "--upstream",
            &format!("http://{upstream}"),
            "--listen",
            "127.0.0.1:0",
            "--user-pool-id",
            pool,
            "--client-id",
            client,
            "--endpoint-url",
            endpoint,
            "--issuer",
            &issuer,
        ])
        .env_clear()
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start cognito-token proxy")?;
    let stderr = child.stderr.take().context("no stderr")?;
    let proc = ProxyProc(child);
    let mut lines = std::io::BufReader::new(stderr).lines();
    let addr = loop {
        match lines.next() {
            Some(Ok(l)) => {
                if let Some(rest) = l.strip_prefix("proxy: listening on http://") {
                    break rest.split(' ').next().unwrap_or("").to_owned();
                }
            }
            _ => bail!("cognito-token proxy did not start"),
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Ok((proc, addr))
}

/// Measures and returns the report's proxy section (markdown).
pub async fn section(quick: bool, bin: &Path) -> anyhow::Result<String> {
    say!("measuring the proxy: added latency, throughput, verification cost");
    let stub = cognito_stub::Stub::start();
    let pool = stub.add_pool(cognito_stub::PoolSpec::default());
    let client = stub.add_client(&pool, cognito_stub::ClientSpec::default());
    let token = stub.sign_id_token(&pool, &client.id, "bench", serde_json::json!({}));

    let up = upstream().await?;
    let (proxy, paddr) =
        tokio::task::block_in_place(|| start_proxy(bin, &up, &pool, &stub.endpoint(), &client.id))?;
    let (n, clients, per_client) = if quick {
        (200, 16, 50)
    } else {
        (3000, 16, 1000)
    };

    // Warm-up (connections, the proxy's pool and its memo of the token).
    latencies(&up, &token, n / 10).await?;
    latencies(&paddr, &token, n / 10).await?;
    let mut direct = latencies(&up, &token, n).await?;
    let mut through = latencies(&paddr, &token, n).await?;
    let (d50, d99) = (percentile(&mut direct, 0.5), percentile(&mut direct, 0.99));
    let (p50, p99) = (
        percentile(&mut through, 0.5),
        percentile(&mut through, 0.99),
    );

    throughput(&up, &token, clients, per_client / 5).await?;
    throughput(&paddr, &token, clients, per_client / 5).await?;
    let up_rps = throughput(&up, &token, clients, per_client).await?;
    let px_rps = throughput(&paddr, &token, clients, per_client).await?;
    drop(proxy);

    // One verification with the JWKS cached (today's core API keeps it on
    // disk): distinct tokens, so each is a full RS256 check.
    let dir = tempfile_dir()?;
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

    let added50 = (p50 - d50) / 1e3;
    let added99 = (p99 - d99) / 1e3;
    let ratio = px_rps / up_rps;
    let yes = |b: bool| if b { "yes" } else { "**no**" };
    let mut s = String::new();
    let _ = writeln!(s, "\n### `cognito-token proxy`\n");
    let _ = writeln!(
        s,
        "A minimal hyper server in the xtask is the upstream (it answers `ok`, keep-alive); one valid ID token (the strict \
         stub's pool) on every request. Latency: {n} requests one after another on one \
         connection. Throughput: {clients} connections × {per_client} requests at once. The \
         proxy verifies the token once and then remembers it (checking `exp` each time); the \
         last row is what a first verification costs.\n"
    );
    let _ = writeln!(s, "| what | median | p99 | requests/s | target | met |");
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    let _ = writeln!(
        s,
        "| upstream called directly | {:.3} ms | {:.3} ms | {up_rps:.0} | | |",
        d50 / 1e3,
        d99 / 1e3
    );
    let _ = writeln!(
        s,
        "| through `cognito-token proxy` | {:.3} ms | {:.3} ms | {px_rps:.0} ({ratio:.2} × upstream) | ≥ 0.8 × upstream | {} |",
        p50 / 1e3,
        p99 / 1e3,
        yes(ratio >= 0.8)
    );
    let _ = writeln!(
        s,
        "| added by the proxy | {added50:.3} ms | {added99:.3} ms | | < 1 ms at the median | {} |",
        yes(added50 < 1.0)
    );
    let _ = writeln!(
        s,
        "| one verification, JWKS cached (`verify::verify`, distinct tokens, in process) | {:.3} ms | | | | |",
        v50 / 1e3
    );
    if quick {
        let _ = writeln!(
            s,
            "\nQuick mode: debug build; the figures are not the targets."
        );
    }
    say!(
        "proxy: +{added50:.3} ms median, +{added99:.3} ms p99; {px_rps:.0} req/s vs {up_rps:.0} ({ratio:.2} ×); verify {:.3} ms",
        v50 / 1e3
    );
    drop(stub);
    Ok(s)
}

/// A fresh private directory for the JWKS cache.
fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!(
        "cognito-token-bench-jwks-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

/// `cargo xtask bench-proxy [--quick] [--bin PATH]`: the proxy's rows
/// alone (no emulator needed); prints the section on stdout.
pub fn standalone(args: &[String]) -> anyhow::Result<()> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut bin = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => {}
            "--bin" => {
                bin = Some(std::path::PathBuf::from(
                    it.next().context("--bin needs a path")?,
                ))
            }
            other => bail!("`cargo xtask bench-proxy`: unknown argument {other:?}"),
        }
    }
    let bin = match bin {
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

//! The proxy's rows of `cargo xtask bench`: what `cognito-token proxy` adds
//! per request and how many requests per second it passes, against calling
//! the upstream directly; beside what one verification costs with the JWKS
//! cached.
//!
//! Two upstreams, each measured directly and through the proxy:
//! - the real `chalice local` app of the end-to-end test
//!   (`tests/chalice-app/`, from `COGNITO_TOKEN_CHALICE` or
//!   `target/chalice-venv`, which `.ci/run` installs): what the proxy is
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

/// One keep-alive client connection (reopened when the server closes it).
/// Written for a debug build: one buffer, allocated and zeroed once, and
/// plain loops.
struct Client {
    addr: String,
    s: TcpStream,
    buf: Vec<u8>,
    /// What `buf[start..end]` holds has been read and not yet consumed.
    start: usize,
    end: usize,
}

/// Where the first `\r\n\r\n` of `b` starts.
fn head_end(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 3 < b.len() {
        if b[i + 3] != b'\n' {
            // The last byte of the pattern is the one most often wrong.
            i += 1;
            continue;
        }
        if b[i] == b'\r' && b[i + 1] == b'\n' && b[i + 2] == b'\r' {
            return Some(i);
        }
        i += 1;
    }
    None
}

impl Client {
    fn connect(addr: &str) -> anyhow::Result<Client> {
        let s = TcpStream::connect(addr).with_context(|| format!("cannot connect to {addr}"))?;
        s.set_nodelay(true)?;
        Ok(Client {
            addr: addr.to_owned(),
            s,
            buf: vec![0; 64 * 1024],
            start: 0,
            end: 0,
        })
    }

    /// Sends `req`, reads the response (head, then its Content-Length
    /// body): its status.
    fn call(&mut self, req: &[u8]) -> anyhow::Result<u16> {
        self.s.write_all(req)?;
        let (status, close) = self.read_response()?;
        // Closed by the server, or by this client (see `request`).
        if close || req.ends_with(b"Connection: close\r\n\r\n") {
            self.s = TcpStream::connect(&self.addr)?;
            self.s.set_nodelay(true)?;
            (self.start, self.end) = (0, 0);
        }
        Ok(status)
    }

    /// Reads what the server sent next into the buffer.
    fn read_more(&mut self) -> anyhow::Result<()> {
        if self.end == self.buf.len() {
            if self.start == 0 {
                bail!("{}: a response head over 64 KiB", self.addr);
            }
            self.buf.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, self.end - self.start);
        }
        let n = self.s.read(&mut self.buf[self.end..])?;
        if n == 0 {
            bail!("{} closed the connection", self.addr);
        }
        self.end += n;
        Ok(())
    }

    /// The status and whether the server closes the connection.
    fn read_response(&mut self) -> anyhow::Result<(u16, bool)> {
        let end = loop {
            if let Some(i) = head_end(&self.buf[self.start..self.end]) {
                break self.start + i;
            }
            self.read_more()?;
        };
        let head =
            std::str::from_utf8(&self.buf[self.start..end]).context("response head not text")?;
        let status: u16 = head
            .get(9..12)
            .and_then(|c| c.parse().ok())
            .context("no status line")?;
        let (mut len, mut close) = (None, false);
        for l in head.split("\r\n").skip(1) {
            let Some((k, v)) = l.split_once(':') else {
                continue;
            };
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse::<usize>().ok();
            } else if k.eq_ignore_ascii_case("connection") {
                close = v.trim().eq_ignore_ascii_case("close");
            } else if k.eq_ignore_ascii_case("transfer-encoding") {
                bail!("{} answered with a chunked body (not measured)", self.addr);
            }
        }
        // Skip the body.
        let mut left = len.context("no Content-Length")?;
        self.start = end + 4;
        loop {
            let have = (self.end - self.start).min(left);
            self.start += have;
            left -= have;
            if left == 0 {
                break;
            }
            (self.start, self.end) = (0, 0);
            self.read_more()?;
        }
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        }
        Ok((status, close))
    }
}

/// A GET with the token; `close`: the client closes the connection after
/// the response (and opens a new one for the next request).
fn request(host: &str, path: &str, token: &str, close: bool) -> Vec<u8> {
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\n{connection}\r\n")
        .into_bytes()
}

/// `n` requests one after another on one connection: each one's latency (µs).
fn latencies(addr: &str, req: &[u8], n: usize) -> anyhow::Result<Vec<f64>> {
    let mut c = Client::connect(addr)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let status = c.call(req)?;
        out.push(t.elapsed().as_secs_f64() * 1e6);
        if status != 200 {
            bail!("{addr} answered {status}");
        }
    }
    Ok(out)
}

/// `clients` connections sending requests back to back for `run`:
/// requests/s, and how many were answered.
fn throughput(addr: &str, req: &[u8], clients: usize, run: Duration) -> anyhow::Result<(f64, u64)> {
    let start = Arc::new(Barrier::new(clients + 1));
    let mut threads = Vec::new();
    for _ in 0..clients {
        let (addr, req, start) = (addr.to_owned(), req.to_vec(), start.clone());
        threads.push(std::thread::spawn(
            move || -> anyhow::Result<(u64, Instant)> {
                let mut c = Client::connect(&addr)?;
                start.wait();
                let deadline = Instant::now() + run;
                let mut done = 0u64;
                loop {
                    let status = c.call(&req)?;
                    if status != 200 {
                        bail!("{addr} answered {status}");
                    }
                    done += 1;
                    let t = Instant::now();
                    if t >= deadline {
                        return Ok((done, t));
                    }
                }
            },
        ));
    }
    start.wait();
    let began = Instant::now();
    let (mut total, mut last) = (0u64, began);
    for t in threads {
        let (n, end) = t
            .join()
            .map_err(|_| anyhow::anyhow!("a client panicked"))??;
        total += n;
        last = last.max(end);
    }
    Ok((total as f64 / (last - began).as_secs_f64(), total))
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

fn median(mut v: Vec<f64>) -> f64 {
    percentile(&mut v, 0.5)
}

/// A child process, killed when dropped.
struct Proc(std::process::Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// CPU time (user + system) a process has used so far, from
/// `/proc/PID/stat` (ticks of 1/100 s); `None` where there is no `/proc`.
fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name (in parentheses): state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The do-nothing upstream: a minimal hyper HTTP/1.1 server answering
/// every request `200 ok`, keep-alive.
async fn hyper_upstream() -> anyhow::Result<String> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
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

/// The `chalice` program: `COGNITO_TOKEN_CHALICE` (as `.ci/run` sets it),
/// else `target/chalice-venv/bin/chalice` (as the proxy's tests find it).
fn chalice_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("COGNITO_TOKEN_CHALICE").filter(|p| !p.is_empty()) {
        return Some(p.into());
    }
    let guess = crate::target_dir().join("chalice-venv/bin/chalice");
    guess.is_file().then_some(guess)
}

/// A free loopback port.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// `chalice local` serving a copy of `tests/chalice-app/` (in `dir`):
/// the process and its address.
fn start_chalice(chalice: &Path, dir: &Path) -> anyhow::Result<(Proc, String)> {
    let src = crate::project_root().join("tests/chalice-app");
    std::fs::create_dir_all(dir.join(".chalice"))?;
    for f in ["app.py", ".chalice/config.json"] {
        std::fs::copy(src.join(f), dir.join(f)).with_context(|| format!("cannot copy {f}"))?;
    }
    let port = free_port()?;
    let child = Command::new(chalice)
        .args(["local", "--host", "127.0.0.1", "--port", &port.to_string()])
        .arg("--no-autoreload")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", chalice.display()))?;
    let proc = Proc(child);
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(&addr).is_err() {
        if Instant::now() > deadline {
            bail!("chalice local did not listen on {addr} within 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((proc, addr))
}

/// Where the proxy's keys come from and whose tokens it accepts.
struct Pool<'a> {
    pool: &'a str,
    endpoint: &'a str,
    client: &'a str,
}

/// Starts `bin proxy` in front of `upstream` (`extra`: more options);
/// returns it and its address.
fn start_proxy(
    bin: &Path,
    upstream: &str,
    p: &Pool<'_>,
    extra: &[&str],
) -> anyhow::Result<(Proc, String)> {
    // Keys from the stub are trusted only for an issuer named explicitly.
    let region = p.pool.split('_').next().unwrap_or("us-east-1");
    let issuer = cognito_token_core::verify::default_issuer(region, p.pool);
    let mut child = Command::new(bin)
        .args(["proxy", "--upstream", &format!("http://{upstream}")])
        .args(["--listen", "127.0.0.1:0", "--user-pool-id", p.pool])
        .args(["--client-id", p.client, "--endpoint-url", p.endpoint])
        .args(["--issuer", &issuer])
        .args(extra)
        .env_clear()
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start cognito-token proxy")?;
    let stderr = child.stderr.take().context("no stderr")?;
    let proc = Proc(child);
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
                "| `chalice local`: not measured, chalice is not installed (`target/chalice-venv`, see Development) | | | | ≥ 0.8 × upstream | not measured |"
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

/// `cargo xtask bench-proxy [--quick] [--bin PATH]`: the proxy's rows
/// alone (no emulator needed); prints the section on stdout.
pub fn standalone(args: &[String]) -> anyhow::Result<()> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut bin = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => {}
            "--bin" => bin = Some(PathBuf::from(it.next().context("--bin needs a path")?)),
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

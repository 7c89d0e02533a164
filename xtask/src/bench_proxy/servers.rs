//! What is measured: the do-nothing hyper upstream, `chalice local`, and
//! the proxy itself as a process of its own (with its CPU time).

use super::*;

/// A child process, killed when dropped.
pub(super) struct Proc(pub(super) std::process::Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// CPU time (user + system) a process has used so far, from
/// `/proc/PID/stat` (ticks of 1/100 s); `None` where there is no `/proc`.
pub(super) fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name (in parentheses): state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The do-nothing upstream: a minimal hyper HTTP/1.1 server answering
/// every request `200 ok`, keep-alive.
pub(super) async fn hyper_upstream() -> anyhow::Result<String> {
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

/// The `chalice` program, where `cargo xtask doctor --install` puts it
/// (the proxy's tests find it the same way: crates/tools).
pub(super) fn chalice_bin() -> Option<PathBuf> {
    cognito_token_tools::find("chalice")?
        .locate(&cognito_token_tools::Env::current())
        .ok()
}

/// A free loopback port.
pub(super) fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// `chalice local` serving a copy of `tests/chalice-app/` (in `dir`):
/// the process and its address.
pub(super) fn start_chalice(chalice: &Path, dir: &Path) -> anyhow::Result<(Proc, String)> {
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
pub(super) struct Pool<'a> {
    pub(super) pool: &'a str,
    pub(super) endpoint: &'a str,
    pub(super) client: &'a str,
}

/// Starts `bin proxy` in front of `upstream` (`extra`: more options);
/// returns it and its address.
pub(super) fn start_proxy(
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

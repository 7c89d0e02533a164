//! `cognito-token proxy` between a raw HTTP client and a small upstream
//! server that records every byte it receives, with tokens signed by the
//! strict stub (its JWKS is the pool's keys).
//!
//! Every refusal is checked twice: the client gets API Gateway's answer
//! (status, JSON body, `x-amzn-ErrorType`), and the upstream's request
//! count does not move. The expected answers come from API Gateway's
//! documentation and observed responses (README, "API Gateway's answers"),
//! not from the proxy's code.

use std::io::{BufRead as _, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Child;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use crate::support::*;

mod bypass;
mod chalice;
mod http_api;
mod options;
mod serverless;
mod template;
mod transport;
mod verdicts;

const UNAUTHORIZED: &str = r#"{"message":"Unauthorized"}"#;
const EXPIRED: &str = r#"{"message":"The incoming token has expired"}"#;
const WAIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// A recording upstream

/// What the upstream does for a path.
#[derive(Clone)]
struct Hooks {
    /// `/stream…`: after the first MiB of the request body, send on this.
    got_first_mib: Option<mpsc::Sender<()>>,
    /// `/stream…`: after the first MiB of the response body, wait on this.
    send_rest: Option<Arc<Mutex<mpsc::Receiver<()>>>>,
}

struct Upstream {
    addr: String,
    count: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

/// Reads one HTTP/1.1 head (through the blank line); `None` at EOF.
fn read_head(r: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = r.read_until(b'\n', &mut line).ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(&line);
        if line == b"\r\n" {
            return Some(head);
        }
    }
}

/// A header's value in a raw head (first match, case-insensitive name).
fn head_value(head: &[u8], name: &str) -> Option<String> {
    String::from_utf8_lossy(head).lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

/// Reads a body framed by Content-Length or chunked; returns its bytes.
fn read_body(r: &mut BufReader<TcpStream>, head: &[u8], mut on_mib: impl FnMut()) -> Vec<u8> {
    let mut body = Vec::new();
    if head_value(head, "transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            let mut size = String::new();
            r.read_line(&mut size).unwrap();
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap(), 16).unwrap();
            if n == 0 {
                let mut end = String::new();
                r.read_line(&mut end).unwrap();
                return body;
            }
            let mut chunk = vec![0; n];
            r.read_exact(&mut chunk).unwrap();
            let before = body.len();
            body.extend_from_slice(&chunk);
            if before < (1 << 20) && body.len() >= (1 << 20) {
                on_mib();
            }
            let mut crlf = [0; 2];
            r.read_exact(&mut crlf).unwrap();
        }
    }
    let len: usize = head_value(head, "content-length").map_or(0, |v| v.parse().unwrap());
    let mut buf = vec![0; 64 * 1024];
    while body.len() < len {
        let want = (len - body.len()).min(buf.len());
        let n = r.read(&mut buf[..want]).unwrap();
        assert!(n > 0, "upstream: the body ended early");
        let before = body.len();
        body.extend_from_slice(&buf[..n]);
        if before < (1 << 20) && body.len() >= (1 << 20) {
            on_mib();
        }
    }
    body
}

impl Upstream {
    fn start() -> Upstream {
        Upstream::with(Hooks {
            got_first_mib: None,
            send_rest: None,
        })
    }

    /// Answers every request with 200, `X-Upstream: yes` and a body:
    /// `/big/N` N bytes, `/echo…` and `/stream…` the request's body,
    /// anything else `hello from upstream`. Keeps connections alive.
    fn with(hooks: Hooks) -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let count = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (c, rq) = (count.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (c, rq, hooks) = (c.clone(), rq.clone(), hooks.clone());
                std::thread::spawn(move || {
                    let mut w = stream.try_clone().unwrap();
                    let mut r = BufReader::new(stream);
                    while let Some(head) = read_head(&mut r) {
                        c.fetch_add(1, Ordering::SeqCst);
                        let target = String::from_utf8_lossy(&head)
                            .split(' ')
                            .nth(1)
                            .unwrap_or("")
                            .to_owned();
                        let streaming = target.starts_with("/stream");
                        let body = read_body(&mut r, &head, || {
                            if streaming && let Some(tx) = &hooks.got_first_mib {
                                tx.send(()).unwrap();
                            }
                        });
                        let mut raw = head.clone();
                        raw.extend_from_slice(&body);
                        rq.lock().unwrap().push(raw);
                        let out: Vec<u8> = if let Some(n) = target.strip_prefix("/big/") {
                            (0..n.parse::<usize>().unwrap())
                                .map(|i| (i % 251) as u8)
                                .collect()
                        } else if target.starts_with("/echo") || streaming {
                            body
                        } else {
                            b"hello from upstream".to_vec()
                        };
                        let head = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nX-Upstream: yes\r\nContent-Length: {}\r\n\r\n",
                            out.len()
                        );
                        if w.write_all(head.as_bytes()).is_err() {
                            return;
                        }
                        if streaming && let Some(rx) = &hooks.send_rest {
                            let split = (1 << 20).min(out.len());
                            w.write_all(&out[..split]).unwrap();
                            w.flush().unwrap();
                            rx.lock().unwrap().recv_timeout(WAIT).unwrap();
                            w.write_all(&out[split..]).unwrap();
                        } else if w.write_all(&out).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Upstream {
            addr,
            count,
            requests,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    fn last(&self) -> Vec<u8> {
        self.requests.lock().unwrap().last().unwrap().clone()
    }
}

// ---------------------------------------------------------------------------
// The proxy process

struct Proxy {
    child: Child,
    addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Proxy {
    /// Starts `cognito-token proxy --upstream URL --listen 127.0.0.1:0 ARGS`
    /// in the world's environment (stub endpoint, pool, client); waits for
    /// its "listening on" line.
    fn start(w: &World, upstream: &str, args: &[&str]) -> Proxy {
        Proxy::try_start(w, upstream, args).unwrap_or_else(|e| panic!("proxy did not start: {e}"))
    }

    fn try_start(w: &World, upstream: &str, args: &[&str]) -> Result<Proxy, String> {
        let mut all = vec!["proxy", "--upstream", upstream, "--listen", "127.0.0.1:0"];
        // The stub's keys are trusted only for its issuer, named explicitly
        // (as `verify` requires); tests that choose their own keep theirs.
        let (iss, endpoint) = (w.stub.issuer(&w.pool), w.stub.endpoint());
        if !args.contains(&"--issuer") {
            all.extend_from_slice(&["--issuer", &iss]);
        }
        if !args
            .iter()
            .any(|a| *a == "--jwks-url" || *a == "--endpoint-url")
        {
            all.extend_from_slice(&["--endpoint-url", &endpoint]);
        }
        all.extend_from_slice(args);
        let mut child = w.cmd(&all).spawn();
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        let buf = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.strip_prefix("proxy: listening on http://") {
                    let _ = tx.send(rest.split(' ').next().unwrap_or("").to_owned());
                }
                let mut b = buf.lock().unwrap();
                b.push_str(&line);
                b.push('\n');
            }
        });
        match rx.recv_timeout(WAIT) {
            Ok(addr) => Ok(Proxy {
                child,
                addr,
                stderr,
            }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                Err(stderr.lock().unwrap().clone())
            }
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------
// A raw HTTP client

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn read_response(r: &mut BufReader<TcpStream>) -> Resp {
    let head = read_head(r).expect("a response");
    let text = String::from_utf8_lossy(&head).into_owned();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    let headers = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let body = read_body(r, &head, || {});
    Resp {
        status,
        headers,
        body,
    }
}

/// Sends raw bytes and reads one response.
fn send_raw(addr: &str, raw: &[u8]) -> Resp {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    (&s).write_all(raw).unwrap();
    read_response(&mut BufReader::new(s))
}

/// A request with these headers (and `Host`), no body.
fn get(addr: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    send_raw(addr, raw.as_bytes())
}

fn assert_refused(r: &Resp, body: &str, what: &str) {
    assert_eq!(r.status, 401, "{what}: {r:?}");
    assert_eq!(r.text(), body, "{what}");
    assert_eq!(r.header("content-type"), Some("application/json"), "{what}");
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("UnauthorizedException"),
        "{what}"
    );
    assert!(r.header("x-upstream").is_none(), "{what}");
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The token with one claim changed and the signature kept.
fn tampered(token: &str, claim: &str, value: serde_json::Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload[claim] = value;
    format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap()),
        parts[2]
    )
}

fn world() -> World {
    World::with(PoolSpec::default(), ClientSpec::default())
}

// ---------------------------------------------------------------------------
// Outside tools (chalice, Flask) and the servers they run

/// A server process (killed when dropped) and what it printed.
struct Served {
    child: Child,
    addr: String,
    log: Arc<Mutex<String>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

/// A free loopback port.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `cmd` (a server listening on 127.0.0.1:`port`) with only PATH,
/// a HOME and `env`, and waits until it accepts connections.
fn serve(
    mut cmd: std::process::Command,
    port: u16,
    home: &std::path::Path,
    env: &[(&str, &str)],
) -> Served {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start the server");
    let log = Arc::new(Mutex::new(String::new()));
    for pipe in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let mut l = log.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
    }
    let served = Served {
        child,
        addr: format!("127.0.0.1:{port}"),
        log,
    };
    let deadline = std::time::Instant::now() + WAIT;
    while TcpStream::connect(&served.addr).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not listen: {}",
            served.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    served
}

/// A copy of `tests/<app>` (chalice writes next to the app) in `dir`.
fn copy_app(app: &str, dir: &std::path::Path, files: &[&str]) -> std::path::PathBuf {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests")
        .join(app);
    let dst = dir.join(app);
    std::fs::create_dir_all(dst.join(".chalice")).unwrap();
    for f in files {
        std::fs::copy(src.join(f), dst.join(f)).unwrap();
    }
    dst
}

/// `chalice local` serving `app` (a copy), on a free port.
fn chalice_local(
    chalice: &std::path::Path,
    app: &std::path::Path,
    home: &std::path::Path,
    env: &[(&str, &str)],
) -> Served {
    let port = free_port();
    let mut cmd = std::process::Command::new(chalice);
    cmd.args([
        "local",
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--no-autoreload",
    ])
    .current_dir(app);
    serve(cmd, port, home, env)
}

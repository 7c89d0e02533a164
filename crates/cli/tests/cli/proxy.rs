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
// Tests

#[test]
fn valid_id_token_reaches_the_upstream_byte_for_byte() {
    let w = world();
    let up = Upstream::start();
    let p = Proxy::start(&w, &up.url(), &[]);
    let token = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));

    let raw = format!(
        "POST /hello/world?x=1&y=%20z&x=2 HTTP/1.1\r\nHost: example.test:8001\r\nX-Mixed-Case: Value 1\r\nX-Mixed-Case: value 2\r\nauthorization: {token}\r\nAccept: */*\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"
    );
    let r = send_raw(&p.addr, raw.as_bytes());
    assert_eq!(r.status, 200, "{r:?} {}", p.stderr());
    assert_eq!(r.text(), "hello from upstream");
    assert_eq!(r.header("x-upstream"), Some("yes"));
    assert_eq!(up.count(), 1);
    assert_eq!(
        String::from_utf8_lossy(&up.last()),
        raw,
        "the upstream sees the request as sent"
    );

    // `Bearer <token>` is accepted too (API Gateway's console and clients
    // send both), and forwarded as sent; hop-by-hop headers are not.
    let r = get(
        &p.addr,
        "GET",
        "/x",
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Connection", "keep-alive, X-Hop"),
            ("X-Hop", "1"),
            ("Keep-Alive", "timeout=5"),
            ("X-Kept", "1"),
        ],
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(up.count(), 2);
    let seen = String::from_utf8_lossy(&up.last()).into_owned();
    assert!(
        seen.contains(&format!("Authorization: Bearer {token}\r\n")),
        "{seen}"
    );
    assert!(seen.contains("X-Kept: 1\r\n"), "{seen}");
    for hop in ["Connection", "X-Hop", "Keep-Alive"] {
        assert!(
            !seen.contains(&format!("{hop}:")),
            "{hop} forwarded: {seen}"
        );
    }

    // Repeated fields keep their order among themselves (RFC 9110 §5.3);
    // they are grouped at the first one's place (hyper's header map).
    let r = get(
        &p.addr,
        "GET",
        "/x",
        &[
            ("X-Rep", "1"),
            ("Authorization", &token),
            ("X-Rep", "2"),
            ("x-rep", "3"),
        ],
    );
    assert_eq!(r.status, 200, "{r:?}");
    let seen = String::from_utf8_lossy(&up.last()).into_owned();
    assert!(
        seen.contains(&format!(
            "X-Rep: 1\r\nX-Rep: 2\r\nx-rep: 3\r\nAuthorization: {token}\r\n"
        )),
        "{seen}"
    );
}

#[test]
fn refused_requests_get_api_gateways_answer_and_never_reach_the_upstream() {
    let w = world();
    let up = Upstream::start();
    let p = Proxy::start(
        &w,
        &up.url(),
        &["--scope", "GET /admin/*=api/admin,api/root"],
    );
    let (pool, client) = (&w.pool, &w.client.id);
    let id = w.stub.sign_id_token(pool, client, "alice", json!({}));
    let access = w.stub.sign_access_token(pool, client, "alice", json!({}));
    let admin =
        w.stub
            .sign_access_token(pool, client, "alice", json!({"scope": "openid api/admin"}));
    let expired = w.stub.sign_id_token(
        pool,
        client,
        "alice",
        json!({"iat": now() - 3600, "exp": now() - 1}),
    );
    let other_pool = w.stub.add_pool(PoolSpec::default());
    let other_client = w.stub.add_client(&other_pool, ClientSpec::default());
    let foreign = w
        .stub
        .sign_id_token(&other_pool, &other_client.id, "alice", json!({}));
    // Another pool's key, with this pool's issuer and client.
    let foreign_key = w.stub.sign_jwt(
        &other_pool,
        false,
        json!({}),
        serde_json::Value::Object(
            cognito_token_core::jwt::decode(&id)
                .unwrap()
                .claims
                .as_object()
                .unwrap()
                .clone(),
        ),
    );
    let another_client = w.stub.add_client(pool, ClientSpec::default());
    let wrong_client = w
        .stub
        .sign_id_token(pool, &another_client.id, "alice", json!({}));
    let wrong_client_access = w.stub.sign_access_token(
        pool,
        &another_client.id,
        "alice",
        json!({"scope": "api/admin"}),
    );
    let alg_none = {
        let parts: Vec<&str> = id.split('.').collect();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","kid":"x"}"#);
        format!("{header}.{}.", parts[1])
    };
    let bearer = |t: &str| format!("Bearer {t}");

    let cases: Vec<(&str, &str, Option<String>, &str)> = vec![
        ("missing header", "/x", None, UNAUTHORIZED),
        ("empty header", "/x", Some(String::new()), UNAUTHORIZED),
        ("Bearer alone", "/x", Some("Bearer ".into()), UNAUTHORIZED),
        ("malformed", "/x", Some("not-a-jwt".into()), UNAUTHORIZED),
        (
            "SigV4 header",
            "/x",
            Some("AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=abc".into()),
            UNAUTHORIZED,
        ),
        ("alg none", "/x", Some(alg_none), UNAUTHORIZED),
        ("expired", "/x", Some(expired.clone()), EXPIRED),
        ("expired, Bearer", "/x", Some(bearer(&expired)), EXPIRED),
        (
            "expired and tampered",
            "/x",
            Some(tampered(&expired, "exp", json!(now() + 3600))),
            UNAUTHORIZED,
        ),
        (
            "tampered",
            "/x",
            Some(tampered(&id, "cognito:username", json!("admin"))),
            UNAUTHORIZED,
        ),
        ("other pool", "/x", Some(foreign), UNAUTHORIZED),
        ("other pool's key", "/x", Some(foreign_key), UNAUTHORIZED),
        ("other client", "/x", Some(wrong_client), UNAUTHORIZED),
        (
            "other client, access token",
            "/admin/users",
            Some(wrong_client_access),
            UNAUTHORIZED,
        ),
        (
            "access token, route without scopes",
            "/x",
            Some(access.clone()),
            UNAUTHORIZED,
        ),
        (
            "ID token, scoped route",
            "/admin/users",
            Some(id.clone()),
            UNAUTHORIZED,
        ),
        (
            "access token without the scope",
            "/admin/users",
            Some(access.clone()),
            UNAUTHORIZED,
        ),
        (
            "scope on another method",
            "/x",
            Some(admin.clone()),
            UNAUTHORIZED,
        ),
    ];
    for (what, path, header, body) in &cases {
        let headers: Vec<(&str, &str)> = header
            .as_deref()
            .map(|h| vec![("Authorization", h)])
            .unwrap_or_default();
        let r = get(&p.addr, "GET", path, &headers);
        assert_refused(&r, body, what);
        assert_eq!(up.count(), 0, "{what} reached the upstream");
    }
    // POST to the scoped path is outside the route: an ID token is needed there.
    let r = get(
        &p.addr,
        "POST",
        "/admin/users",
        &[("Authorization", &admin)],
    );
    assert_refused(&r, UNAUTHORIZED, "access token on POST /admin/users");
    assert_eq!(up.count(), 0);

    // The same proxy lets the right tokens through.
    for (path, token) in [
        ("/x", id.clone()),
        ("/x", bearer(&id)),
        ("/admin/users", admin.clone()),
        ("/admin/users/1", bearer(&admin)),
    ] {
        let before = up.count();
        let r = get(&p.addr, "GET", path, &[("Authorization", &token)]);
        assert_eq!(r.status, 200, "{path}: {r:?}");
        assert_eq!(up.count(), before + 1);
    }
}

#[test]
fn routes_file_open_routes_custom_header_and_claims_header() {
    let w = world();
    let up = Upstream::start();
    let routes = w.dir.path().join("routes.toml");
    std::fs::write(
        &routes,
        "[[route]]\npath = \"/health\"\nauth = \"none\"\n\n[[route]]\nmethod = \"DELETE\"\npath = \"/items/{id}\"\nscopes = [\"api/delete\"]\n",
    )
    .unwrap();
    let p = Proxy::start(
        &w,
        &up.url(),
        &[
            "--routes",
            routes.to_str().unwrap(),
            "--header",
            "X-Token",
            "--claims-header",
            "X-Claims",
        ],
    );
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));

    // Open: no token needed; a forged claims header is removed.
    let r = get(
        &p.addr,
        "GET",
        "/health",
        &[("X-Claims", r#"{"sub":"forged"}"#)],
    );
    assert_eq!(r.status, 200, "{r:?}");
    let seen = String::from_utf8_lossy(&up.last()).into_owned();
    assert!(!seen.to_ascii_lowercase().contains("x-claims"), "{seen}");

    // The token is read from X-Token; Authorization is not the identity source.
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &id)]);
    assert_refused(&r, UNAUTHORIZED, "token in the wrong header");
    assert_eq!(up.count(), 1);
    let r = get(
        &p.addr,
        "GET",
        "/x",
        &[("X-Token", &id), ("X-Claims", r#"{"sub":"forged"}"#)],
    );
    assert_eq!(r.status, 200, "{r:?}");
    let seen = String::from_utf8_lossy(&up.last()).into_owned();
    let claims_lines: Vec<&str> = seen
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("x-claims:"))
        .collect();
    assert_eq!(claims_lines.len(), 1, "{seen}");
    let forwarded: serde_json::Value =
        serde_json::from_str(claims_lines[0].split_once(':').unwrap().1.trim()).unwrap();
    assert_eq!(
        forwarded,
        claims(&id),
        "the verified claims, not the forged ones"
    );

    // DELETE /items/{id} needs api/delete; GET /items/1 an ID token.
    let del = w.stub.sign_access_token(
        &w.pool,
        &w.client.id,
        "alice",
        json!({"scope": "api/delete"}),
    );
    let r = get(&p.addr, "DELETE", "/items/1", &[("X-Token", &id)]);
    assert_refused(&r, UNAUTHORIZED, "ID token on DELETE /items/1");
    let before = up.count();
    let r = get(&p.addr, "DELETE", "/items/1", &[("X-Token", &del)]);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(up.count(), before + 1);
    let r = get(&p.addr, "GET", "/items/1", &[("X-Token", &id)]);
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn upstream_down_gives_502_and_the_proxy_recovers() {
    let w = world();
    // A port nobody listens on.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let p = Proxy::start(&w, &format!("http://{dead}"), &["--log"]);
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &id)]);
    assert_eq!(r.status, 502, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let msg = body["message"].as_str().unwrap();
    assert!(msg.starts_with("Bad Gateway"), "{msg}");
    assert!(msg.contains(&dead), "{msg}");
    // A refused request is still answered 401 (the upstream is not asked).
    let r = get(&p.addr, "GET", "/x", &[]);
    assert_refused(&r, UNAUTHORIZED, "no token, upstream down");
    let r = get(&p.addr, "GET", "/y", &[("Authorization", &id)]);
    assert_eq!(r.status, 502, "{r:?}");
}

/// An upstream that answers each connection's first request `ok` and then
/// closes the connection without saying so (no `Connection: close`), as
/// servers do with idle keep-alive connections; it stops (closes its
/// listener) when asked.
struct ClosingUpstream {
    count: Arc<AtomicUsize>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ClosingUpstream {
    fn start(listener: TcpListener) -> ClosingUpstream {
        let count = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (c, st) = (count.clone(), stop.clone());
        listener.set_nonblocking(true).unwrap();
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                let stream = match listener.accept() {
                    Ok((s, _)) => s,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                    Err(_) => continue,
                };
                stream.set_nonblocking(false).unwrap();
                let mut w = stream.try_clone().unwrap();
                let mut r = BufReader::new(stream);
                if read_head(&mut r).is_some() {
                    c.fetch_add(1, Ordering::SeqCst);
                    let _ = w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                }
                // Dropped: closed.
            }
        });
        ClosingUpstream {
            count,
            stop,
            thread: Some(thread),
        }
    }

    fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Closes the listener (and returns when it is closed).
    fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for ClosingUpstream {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The proxy opens its connection to the upstream per client connection:
/// when the upstream closes it (idle keep-alive timeout) or goes away and
/// comes back, the client's keep-alive connection keeps working.
#[test]
fn a_client_connection_outlives_its_upstream_connections() {
    let w = world();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut up = ClosingUpstream::start(listener);
    let p = Proxy::start(&w, &format!("http://{addr}"), &[]);
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let raw = format!(
        "GET /x HTTP/1.1\r\nHost: {}\r\nAuthorization: {id}\r\n\r\n",
        p.addr
    );
    let client = TcpStream::connect(&p.addr).unwrap();
    client.set_read_timeout(Some(WAIT)).unwrap();
    let mut r = BufReader::new(client.try_clone().unwrap());
    let mut call = || {
        (&client).write_all(raw.as_bytes()).unwrap();
        read_response(&mut r)
    };
    for i in 1..=3 {
        let resp = call();
        assert_eq!(resp.status, 200, "request {i}: {resp:?}");
        assert_eq!(resp.text(), "ok");
        assert_eq!(up.count(), i);
        // Time for the upstream's close to arrive.
        std::thread::sleep(Duration::from_millis(200));
    }
    // The upstream goes away: 502 on the same client connection.
    up.stop();
    let resp = call();
    assert_eq!(resp.status, 502, "{resp:?}");
    assert_eq!(up.count(), 3);
    // And comes back on the same port: the same client connection is served.
    let up2 = ClosingUpstream::start(TcpListener::bind(addr).unwrap());
    let resp = call();
    assert_eq!(resp.status, 200, "{resp:?}");
    assert_eq!(resp.text(), "ok");
    assert_eq!(up2.count(), 1);
}

#[test]
fn bodies_of_a_few_mib_stream_both_ways() {
    let w = world();
    let (first_tx, first_rx) = mpsc::channel();
    let (rest_tx, rest_rx) = mpsc::channel();
    let up = Upstream::with(Hooks {
        got_first_mib: Some(first_tx),
        send_rest: Some(Arc::new(Mutex::new(rest_rx))),
    });
    let p = Proxy::start(&w, &up.url(), &[]);
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let body: Vec<u8> = (0..(4 << 20)).map(|i: usize| (i * 7 % 256) as u8).collect();

    // The request: the head and the first 2 MiB; the upstream must have the
    // first MiB before the client sends the rest (nothing buffers it whole).
    let s = TcpStream::connect(&p.addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let head = format!(
        "PUT /stream HTTP/1.1\r\nHost: x\r\nAuthorization: {id}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    (&s).write_all(head.as_bytes()).unwrap();
    (&s).write_all(&body[..2 << 20]).unwrap();
    first_rx
        .recv_timeout(WAIT)
        .expect("the upstream got the first MiB while the client was still sending");
    (&s).write_all(&body[2 << 20..]).unwrap();

    // The response: the upstream sends 1 MiB and waits until the client has
    // it, then sends the rest.
    let mut r = BufReader::new(s);
    let head = read_head(&mut r).unwrap();
    assert!(
        head.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    let len: usize = head_value(&head, "content-length")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(len, body.len());
    let mut got = vec![0; 1 << 20];
    r.read_exact(&mut got).unwrap();
    rest_tx.send(()).unwrap();
    let mut rest = vec![0; len - got.len()];
    r.read_exact(&mut rest).unwrap();
    got.extend_from_slice(&rest);
    assert!(got == body, "the echoed body differs");
    assert!(up.last().ends_with(&body));

    // A 6 MiB response to a GET, and a 3 MiB request echoed.
    let r = get(
        &p.addr,
        "GET",
        &format!("/big/{}", 6 << 20),
        &[("Authorization", &id)],
    );
    assert_eq!(r.body.len(), 6 << 20);
    assert!(
        r.body
            .iter()
            .enumerate()
            .all(|(i, b)| *b == (i % 251) as u8)
    );
    let mut raw = format!(
        "POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: {id}\r\nContent-Length: {}\r\n\r\n",
        3 << 20
    )
    .into_bytes();
    raw.extend_from_slice(&body[..3 << 20]);
    let r = send_raw(&p.addr, &raw);
    assert_eq!(r.status, 200);
    assert!(r.body == body[..3 << 20]);
}

#[test]
fn hundred_concurrent_requests_all_get_the_right_verdict() {
    let w = world();
    let up = Upstream::start();
    let p = Proxy::start(&w, &up.url(), &["--scope", "GET /admin/*=api/admin"]);
    let (pool, client) = (&w.pool, &w.client.id);
    let id = w.stub.sign_id_token(pool, client, "alice", json!({}));
    let admin = w
        .stub
        .sign_access_token(pool, client, "alice", json!({"scope": "api/admin"}));
    let expired = w
        .stub
        .sign_id_token(pool, client, "alice", json!({"exp": now() - 5}));
    // Distinct valid tokens too, so that not every check is a repeat.
    let fresh: Vec<String> = (0..20)
        .map(|i| {
            w.stub
                .sign_id_token(pool, client, &format!("user{i}"), json!({}))
        })
        .collect();
    let mut jobs: Vec<(String, Option<String>, u16, Option<&str>)> = Vec::new();
    for i in 0..100 {
        jobs.push(match i % 6 {
            0 => ("/a".into(), Some(id.clone()), 200, None),
            1 => ("/a".into(), Some(fresh[i % 20].clone()), 200, None),
            2 => ("/admin/x".into(), Some(admin.clone()), 200, None),
            3 => ("/admin/x".into(), Some(id.clone()), 401, Some(UNAUTHORIZED)),
            4 => ("/a".into(), Some(expired.clone()), 401, Some(EXPIRED)),
            _ => ("/a".into(), None, 401, Some(UNAUTHORIZED)),
        });
    }
    let passes = jobs.iter().filter(|j| j.2 == 200).count();
    let addr = p.addr.clone();
    let barrier = Arc::new(std::sync::Barrier::new(jobs.len()));
    let handles: Vec<_> = jobs
        .into_iter()
        .map(|(path, token, status, body)| {
            let (addr, barrier) = (addr.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let headers: Vec<(&str, &str)> = token
                    .as_deref()
                    .map(|t| vec![("Authorization", t)])
                    .unwrap_or_default();
                let r = get(&addr, "GET", &path, &headers);
                assert_eq!(r.status, status, "{path}: {r:?}");
                if let Some(b) = body {
                    assert_eq!(r.text(), b);
                } else {
                    assert_eq!(r.text(), "hello from upstream");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("a request got the wrong verdict");
    }
    assert_eq!(
        up.count(),
        passes,
        "exactly the accepted requests reached the upstream"
    );
}

#[test]
fn oversized_header_is_refused_and_the_proxy_keeps_serving() {
    let w = world();
    let up = Upstream::start();
    let p = Proxy::start(&w, &up.url(), &[]);
    let big = "a".repeat(100 * 1024);
    let r = get(&p.addr, "GET", "/x", &[("X-Big", &big)]);
    assert!(r.status == 431 || r.status == 400, "{r:?}");
    let big_token = "a".repeat(70 * 1024);
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &big_token)]);
    assert!([431, 400, 401].contains(&r.status), "{r:?}");
    assert_eq!(up.count(), 0);
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &id)]);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(!p.stderr().contains("panicked"), "{}", p.stderr());
}

#[test]
fn log_lines_name_method_path_verdict_and_reason_never_the_token() {
    let w = world();
    let up = Upstream::start();
    let p = Proxy::start(&w, &up.url(), &["--log"]);
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let expired = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({"exp": now() - 5}));
    assert_eq!(
        get(&p.addr, "GET", "/ok?secret=1", &[("Authorization", &id)]).status,
        200
    );
    assert_eq!(
        get(&p.addr, "POST", "/old", &[("Authorization", &expired)]).status,
        401
    );
    assert_eq!(get(&p.addr, "PUT", "/none", &[]).status, 401);
    // The log is written when each response starts: wait for the three lines.
    let deadline = std::time::Instant::now() + WAIT;
    while p.stderr().lines().filter(|l| l.contains(" ms)")).count() < 3 {
        assert!(std::time::Instant::now() < deadline, "{}", p.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = p.stderr();
    let line = |needle: &str| {
        log.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} line in {log}"))
            .to_owned()
    };
    let ok = line("GET /ok");
    assert!(ok.contains(" 200 forwarded"), "{ok}");
    assert!(!ok.contains("secret"), "the query is not logged: {ok}");
    let old = line("POST /old");
    assert!(old.contains(" 401 refused: token expired"), "{old}");
    let none = line("PUT /none");
    assert!(
        none.contains(" 401 refused: no authorization header"),
        "{none}"
    );
    for t in [&id, &expired] {
        for piece in t.split('.').filter(|s| s.len() >= 20) {
            assert!(!log.contains(piece), "a token piece is in the log: {log}");
        }
    }
}

#[test]
fn ctrl_c_stops_the_proxy_cleanly() {
    let w = world();
    let up = Upstream::start();
    let mut p = Proxy::start(&w, &up.url(), &[]);
    let status = std::process::Command::new("kill")
        .args(["-INT", &p.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + WAIT;
    let code = loop {
        if let Some(s) = p.child.try_wait().unwrap() {
            break s.code();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(0), "{}", p.stderr());
    // The reader thread gets the last line when it gets it.
    while !p.stderr().contains("stopped") && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        p.stderr().contains("proxy: Ctrl-C: stopped"),
        "{}",
        p.stderr()
    );
    assert!(TcpStream::connect(&p.addr).is_err(), "still listening");
}

#[test]
fn bad_input_is_one_clear_error() {
    let w = world();
    let up = Upstream::start();
    let (stub_iss, stub_endpoint) = (w.stub.issuer(&w.pool), w.stub.endpoint());
    let run = |args: &[&str]| {
        let mut all = vec!["proxy"];
        all.extend_from_slice(args);
        // The stub's keys, named explicitly (never a real AWS URL).
        if !args.contains(&"--endpoint-url") {
            all.extend_from_slice(&["--issuer", &stub_iss, "--endpoint-url", &stub_endpoint]);
        }
        w.cmd(&all).run()
    };
    let url = up.url();

    run(&["--upstream", "https://example.com"]).fails(2, "--upstream");
    run(&["--upstream", "http://example.com:8000"]).fails(2, "on this machine");
    run(&["--upstream", "localhost:8000"]).fails(2, "http://");
    run(&["--upstream", &url, "--listen", "nowhere"]).fails(2, "--listen");
    run(&["--upstream", &url, "--scope", "GET /admin"]).fails(2, "--scope");
    run(&["--upstream", &url, "--user-pool-id", "bad"]).fails(2, "");

    let routes = w.dir.path().join("bad.toml");
    std::fs::write(
        &routes,
        "[[route]]\npath = \"/a\"\n\n[[route]]\npath = \"/b\"\nauth = \"maybe\"\n",
    )
    .unwrap();
    let err = run(&["--upstream", &url, "--routes", routes.to_str().unwrap()]).fails(2, "line 4");
    assert!(err.contains("unknown auth"), "{err}");
    std::fs::write(&routes, "[[route]\npath = \"/a\"\n").unwrap();
    run(&["--upstream", &url, "--routes", routes.to_str().unwrap()]).fails(2, "line 1");
    run(&["--upstream", &url, "--routes", "/nonexistent/routes.toml"]).fails(2, "cannot read");

    // The JWKS cannot be fetched: exit 4, saying from where.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let iss = w.stub.issuer(&w.pool);
    // Keys from elsewhere than the issuer need the issuer named (as verify).
    w.cmd(&["proxy", "--upstream", &url, "--endpoint-url", &dead])
        .run()
        .fails(2, "needs --issuer");
    let err = run(&[
        "--upstream",
        &url,
        "--endpoint-url",
        &dead,
        "--issuer",
        &iss,
    ])
    .fails(4, "JWKS");
    assert!(err.contains(&dead), "{err}");

    // The port is taken.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let err = run(&["--upstream", &url, "--listen", &addr]).fails(2, "in use");
    assert!(err.contains(&addr), "{err}");
    assert_eq!(up.count(), 0);
}

// ---------------------------------------------------------------------------
// In front of a real `chalice local`

/// The `chalice` program: `COGNITO_TOKEN_CHALICE` (set by `.ci/run`, which
/// installs it in a virtual environment), else `target/chalice-venv/bin/chalice`.
fn chalice_bin() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("COGNITO_TOKEN_CHALICE").filter(|p| !p.is_empty()) {
        return Some(p.into());
    }
    let guess = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/chalice-venv/bin/chalice");
    guess.is_file().then_some(guess)
}

#[test]
fn chalice_local_behind_the_proxy() {
    let Some(chalice) = chalice_bin() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chalice is not installed: .ci/run installs it (python3 -m venv target/chalice-venv; \
             target/chalice-venv/bin/pip install chalice==1.34.0) and sets COGNITO_TOKEN_CHALICE"
        );
        eprintln!(
            "chalice_local_behind_the_proxy: chalice not installed (target/chalice-venv); not run outside CI"
        );
        return;
    };
    let w = world();
    // The app, copied (chalice writes next to it).
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/chalice-app");
    let app = w.dir.path().join("chalice-app");
    std::fs::create_dir_all(app.join(".chalice")).unwrap();
    for f in ["app.py", ".chalice/config.json"] {
        std::fs::copy(src.join(f), app.join(f)).unwrap();
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new(&chalice)
        .args([
            "local",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--no-autoreload",
        ])
        .current_dir(&app)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", w.dir.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start chalice local");
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let log = Arc::new(Mutex::new(String::new()));
    for pipe in [
        Box::new(server.stdout.take().unwrap()) as Box<dyn Read + Send>,
        Box::new(server.stderr.take().unwrap()),
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
    let server = Kill(server);
    let upstream = format!("127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + WAIT;
    while TcpStream::connect(&upstream).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "chalice local did not listen: {}",
            log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let served = || {
        log.lock()
            .unwrap()
            .lines()
            .filter(|l| l.contains("HTTP/1.1\""))
            .count()
    };

    // The gap: chalice local lets a request without a token through.
    let r = get(&upstream, "GET", "/user-pools", &[]);
    assert_eq!(r.status, 200, "{r:?}");

    let p = Proxy::start(
        &w,
        &format!("http://{upstream}"),
        &["--chalice-app", app.to_str().unwrap(), "--log"],
    );
    assert!(
        p.stderr()
            .contains("3 behind the Cognito authorizer, 1 open"),
        "{}",
        p.stderr()
    );
    let (pool, client) = (&w.pool, &w.client.id);
    let id = w.stub.sign_id_token(pool, client, "alice", json!({}));
    let expired = w
        .stub
        .sign_id_token(pool, client, "alice", json!({"exp": now() - 5}));
    let plain_access = w.stub.sign_access_token(pool, client, "alice", json!({}));
    let admin =
        w.stub
            .sign_access_token(pool, client, "alice", json!({"scope": "openid api/admin"}));

    for (what, method, path, token, body) in [
        ("no token", "GET", "/user-pools", None, UNAUTHORIZED),
        (
            "expired",
            "GET",
            "/user-pools",
            Some(expired.clone()),
            EXPIRED,
        ),
        (
            "tampered",
            "GET",
            "/user-pools",
            Some(tampered(&id, "cognito:username", json!("root"))),
            UNAUTHORIZED,
        ),
        (
            "access token, no scopes",
            "GET",
            "/user-pools",
            Some(plain_access.clone()),
            UNAUTHORIZED,
        ),
        (
            "ID token, scoped",
            "POST",
            "/admin/x",
            Some(id.clone()),
            UNAUTHORIZED,
        ),
        (
            "access token without the scope",
            "GET",
            "/admin/x",
            Some(plain_access.clone()),
            UNAUTHORIZED,
        ),
    ] {
        let headers: Vec<(&str, &str)> = token
            .as_deref()
            .map(|t| vec![("Authorization", t)])
            .unwrap_or_default();
        let r = get(&p.addr, method, path, &headers);
        assert_refused(&r, body, what);
    }
    let ok = |method: &str, path: &str, token: Option<&str>| {
        let headers: Vec<(&str, &str)> = token
            .map(|t| vec![("Authorization", t)])
            .unwrap_or_default();
        let r = get(&p.addr, method, path, &headers);
        assert_eq!(r.status, 200, "{method} {path}: {r:?} {}", p.stderr());
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()
    };
    assert_eq!(ok("GET", "/health", None), json!({"ok": true}));
    assert_eq!(
        ok("GET", "/user-pools", Some(&id)),
        json!({"success": true, "username": "alice"})
    );
    assert_eq!(
        ok("POST", "/admin/x", Some(&format!("Bearer {admin}"))),
        json!({"admin": "x"})
    );

    // chalice saw the first direct request and the three accepted ones only.
    let deadline = std::time::Instant::now() + WAIT;
    while served() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(served(), 4, "{}", log.lock().unwrap());
    drop(server);
}

#[test]
fn jwks_url_issuer_and_client_list_options() {
    let w = world();
    let up = Upstream::start();
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let second = w.stub.add_client(&w.pool, ClientSpec::default());
    let third = w.stub.add_client(&w.pool, ClientSpec::default());
    // The keys from --jwks-url (the endpoint is dead); two allowed clients.
    let clients = format!("{},{}", w.client.id, second.id);
    let p = Proxy::start(
        &w,
        &up.url(),
        &[
            "--endpoint-url",
            &dead,
            "--jwks-url",
            &w.stub.jwks_url(&w.pool),
            "--client-id",
            &clients,
        ],
    );
    for (client, status) in [(&w.client.id, 200), (&second.id, 200), (&third.id, 401)] {
        let t = w.stub.sign_id_token(&w.pool, client, "alice", json!({}));
        let r = get(&p.addr, "GET", "/x", &[("Authorization", &t)]);
        assert_eq!(r.status, status, "client {client}: {r:?}");
    }
    assert_eq!(up.count(), 2);
    drop(p);

    // Another issuer expected: the pool's own tokens are refused.
    let p = Proxy::start(&w, &up.url(), &["--issuer", "https://issuer.invalid/other"]);
    let t = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &t)]);
    assert_refused(&r, UNAUTHORIZED, "token of another issuer");
    assert_eq!(up.count(), 2);
    drop(p);

    // An unknown key id right after the keys were fetched is refused
    // without fetching them again (the shared Verifier pauses refetches for
    // 10 s, as aws-jwt-verify does), so made-up key ids cannot make the
    // proxy hammer the JWKS endpoint: even with the endpoint failing, the
    // answer is a plain 401.
    let p = Proxy::start(&w, &up.url(), &[]);
    let good = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let rotated = w
        .stub
        .sign_jwt(&w.pool, false, json!({"kid": "rotated-key"}), claims(&good));
    w.stub.set_fault(Some(Fault::CloseConnection));
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &rotated)]);
    assert_refused(
        &r,
        UNAUTHORIZED,
        "an unknown key id within the refetch pause",
    );
    w.stub.set_fault(None);
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &rotated)]);
    assert_refused(&r, UNAUTHORIZED, "a key id the pool does not have");
    assert_eq!(up.count(), 2);
}

//! The proxy as a library, in process: a [`RouteTable`] built by hand, the
//! strict stub's pool for keys and tokens, a recording upstream, and a raw
//! HTTP client. The expected answers are API Gateway's (README, "API
//! Gateway's answers", with their sources), not the proxy's code.

use std::sync::{Arc, Mutex};

use cognito_stub::{ClientSpec, PoolSpec, Stub};
use cognito_token_core::verify::VerifyOptions;
use cognito_token_proxy::routes::{Auth, Authorizer, Route, RouteTable};
use cognito_token_proxy::{Config, HeaderName, Upstream};
use serde_json::{Value, json};

pub(crate) use cognito_token_proxy::routes::ApiType as Api;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

mod http_api;
mod rest_api;

/// What the upstream saw: the request line and headers of each request.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    fn last(&self) -> String {
        self.0.lock().unwrap().last().cloned().unwrap_or_default()
    }
}

/// An upstream answering `200 upstream` to everything, recording heads.
async fn upstream() -> (String, Seen) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let seen = Seen::default();
    let s = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = l.accept().await {
            let s = s.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    buf.drain(..end);
                    s.0.lock().unwrap().push(head);
                    let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nupstream";
                    if sock.write_all(resp).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, seen)
}

/// The stub's pool and client.
struct Pool {
    stub: Stub,
    pool: String,
    client: String,
}

impl Pool {
    fn new() -> Pool {
        let stub = Stub::start();
        let pool = stub.add_pool(PoolSpec::default());
        let client = stub.add_client(&pool, ClientSpec::default()).id;
        Pool { stub, pool, client }
    }

    fn keys(&self) -> VerifyOptions {
        let mut o = VerifyOptions::new("us-east-1", self.pool.clone());
        o.issuer = Some(self.stub.issuer(&self.pool));
        o.jwks_url = self.stub.jwks_url(&self.pool);
        o
    }

    fn id(&self, extra: Value) -> String {
        self.stub
            .sign_id_token(&self.pool, &self.client, "alice", extra)
    }

    fn access(&self, extra: Value) -> String {
        self.stub
            .sign_access_token(&self.pool, &self.client, "alice", extra)
    }
}

/// A running proxy; stops when dropped.
struct Running {
    addr: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(p: &Pool, upstream: &str, routes: RouteTable) -> Running {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        upstream: Upstream::parse(upstream).unwrap(),
        header: HeaderName::from_static("authorization"),
        claims_header: Some(HeaderName::from_static("x-claims")),
        routes,
        keys: p.keys(),
        client_ids: vec![p.client.clone()],
        log: false,
    };
    let server = cognito_token_proxy::bind(config).await.unwrap();
    let addr = server.local_addr().to_string();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve_until(async move {
        let _ = rx.await;
        "test over"
    }));
    Running { addr, _stop: tx }
}

fn route(method: &str, path: &str, auth: Auth) -> Route {
    Route::new(method, path, auth, "test".into()).unwrap()
}

/// A response: status, headers (lower-case names), body.
#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One request on a new connection (closed after it).
async fn send(addr: &str, method: &str, target: &str, headers: &[(&str, &str)]) -> Resp {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    s.write_all(raw.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Resp {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn claims_header(seen: &Seen) -> Value {
    let last = seen.last();
    let line = last
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("x-claims:"))
        .unwrap_or_else(|| panic!("no claims header in {last}"));
    serde_json::from_str(line.split_once(':').unwrap().1.trim()).unwrap()
}

fn scoped(authorizer: &Authorizer, scopes: &[&str]) -> Auth {
    Auth::By {
        authorizer: authorizer.clone(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
    }
}

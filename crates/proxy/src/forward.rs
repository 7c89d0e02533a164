//! Forwarding to the upstream: each downstream connection gets its own
//! upstream HTTP/1.1 connection ([`Conn`]: opened as the client connects,
//! while its first request is on the way, reopened when the upstream closed
//! it, closed with it), so a request costs no pool lookup, no lock shared
//! between connections and no hop between tasks beyond the upstream
//! connection's own. (Opening it costs the upstream a TCP connection, never
//! a request: a refused request still never reaches it.) Bodies stream
//! both ways; method, path, query and headers go untouched except the
//! hop-by-hop headers (RFC 9110 §7.6.1), which belong to one connection
//! and are not forwarded in either direction: `Connection` and every header
//! it names, `Keep-Alive`, `Proxy-Connection`, `TE`, `Trailer`,
//! `Transfer-Encoding`, `Upgrade`, `Proxy-Authenticate` and
//! `Proxy-Authorization`. (The message framing is redone by each
//! connection: a chunked body is forwarded chunked, a `Content-Length`
//! stays.) Header names keep the client's spelling and order. The claims
//! header is removed in every spelling a gateway or a CGI/WSGI mapping
//! takes for the same name (any case, `_` for `-`: `X_Claims` becomes
//! `HTTP_X_CLAIMS` as `X-Claims` does).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{CONNECTION, HOST, HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, Uri};

use crate::Body;

/// The hop-by-hop headers of RFC 9110 §7.6.1 (and the historical
/// `Proxy-Connection` and `Keep-Alive`).
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "proxy-authenticate",
    "proxy-authorization",
];

/// How long opening a connection to the upstream may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether `a` and `b` name the same header once a CGI/WSGI mapping has
/// upper-cased it and turned `-` into `_` (header names are lower case here).
fn same_cgi_name(a: &HeaderName, b: &HeaderName) -> bool {
    let (a, b) = (a.as_str().as_bytes(), b.as_str().as_bytes());
    let fold = |c: u8| if c == b'_' { b'-' } else { c };
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| fold(*x) == fold(*y))
}

/// `headers` without the hop-by-hop ones and without `also` (the claims
/// header, in every spelling a CGI mapping takes for it), in their
/// original order.
pub(crate) fn end_to_end(headers: &HeaderMap, also: Option<&HeaderName>) -> HeaderMap {
    let named: Vec<String> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let n = name.as_str();
        if HOP_BY_HOP.contains(&n)
            || named.iter().any(|t| t == n)
            || also.is_some_and(|a| same_cgi_name(a, name))
        {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// Removes what [`end_to_end`] removes, in place: the usual message has
/// none of those headers and is left as it is (no copy); otherwise the map
/// is rebuilt, which keeps the order (removing from a `HeaderMap` would
/// not). Every header `Connection` names is only hop-by-hop when
/// `Connection` is there, which is itself one.
pub(crate) fn strip_hop_by_hop(headers: &mut HeaderMap, also: Option<&HeaderName>) {
    let dirty = headers
        .keys()
        .any(|n| HOP_BY_HOP.contains(&n.as_str()) || also.is_some_and(|a| same_cgi_name(a, n)));
    if dirty {
        *headers = end_to_end(headers, also);
    }
}

/// The upstream: where requests go.
#[derive(Debug)]
pub(crate) struct Upstream {
    /// `http://host:port`, no trailing slash.
    pub(crate) base: String,
    /// `host:port`, what is connected to.
    authority: Arc<str>,
    /// The `Host` a request without one gets (an HTTP/1.0 client's).
    host: HeaderValue,
}

/// One downstream connection's own connection to the upstream. A
/// downstream HTTP/1.1 connection sends its requests one after another, so
/// this is never contended: the lock only satisfies the type system.
#[derive(Debug, Default)]
pub(crate) struct Conn(Mutex<Slot>);

#[derive(Debug, Default)]
enum Slot {
    #[default]
    None,
    /// Being opened ([`Upstream::preconnect`]); nothing comes if that failed.
    Opening(tokio::sync::oneshot::Receiver<SendRequest<Incoming>>),
    Open(SendRequest<Incoming>),
}

impl Conn {
    /// Puts `s` in the slot; returns what was there.
    fn set(&self, s: Slot) -> Slot {
        std::mem::replace(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()), s)
    }
}

/// Why forwarding failed.
#[derive(Debug)]
pub(crate) struct ForwardError(pub(crate) String);

/// The error and its sources, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// How long the first attempt to connect may take (then twice as long, and
/// so on, up to [`CONNECT_TIMEOUT`] in all). The upstream is on this
/// machine: a connection takes microseconds, unless the upstream's accept
/// queue is full (`chalice local`'s, like every Python `http.server`'s,
/// holds 5 connections) and the kernel dropped the SYN, which it would send
/// again only after a second. A new attempt sends a new SYN now.
const FIRST_ATTEMPT: Duration = Duration::from_millis(100);

/// A TCP connection to `authority` (see [`FIRST_ATTEMPT`]).
async fn tcp_connect(authority: &str) -> Result<tokio::net::TcpStream, ForwardError> {
    let deadline = tokio::time::Instant::now() + CONNECT_TIMEOUT;
    let mut wait = FIRST_ATTEMPT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(wait.min(left), tokio::net::TcpStream::connect(authority)).await
        {
            Ok(Ok(s)) => return Ok(s),
            Ok(Err(e)) => return Err(ForwardError(format!("cannot connect: {e}"))),
            Err(_) if left <= wait => {
                return Err(ForwardError(format!(
                    "cannot connect: no connection within {} s",
                    CONNECT_TIMEOUT.as_secs()
                )));
            }
            Err(_) => wait *= 2,
        }
    }
}

/// A new connection to `authority`, driven by a task of its own (it ends
/// when the connection closes or its [`SendRequest`] is dropped).
async fn connect(authority: &str) -> Result<SendRequest<Incoming>, ForwardError> {
    let stream = tcp_connect(authority).await?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) = hyper::client::conn::http1::Builder::new()
        .preserve_header_case(true)
        .handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .map_err(|e| ForwardError(chain(&e)))?;
    tokio::spawn(conn);
    Ok(sender)
}

impl Upstream {
    /// `base` as [`crate::config::upstream`] returns it: `http://host:port`.
    pub(crate) fn new(base: String) -> Upstream {
        let authority = base.strip_prefix("http://").unwrap_or(&base).to_owned();
        let with_port = if authority
            .parse::<hyper::http::uri::Authority>()
            .is_ok_and(|a| a.port().is_some())
        {
            authority
        } else {
            format!("{authority}:80")
        };
        let host = HeaderValue::from_str(base.strip_prefix("http://").unwrap_or(&base))
            .unwrap_or_else(|_| HeaderValue::from_static("localhost"));
        Upstream {
            base,
            authority: with_port.into(),
            host,
        }
    }

    /// Starts opening `conn`'s upstream connection (its client has just
    /// connected): by the time the first request has arrived and its token
    /// is checked, the connection is open.
    pub(crate) fn preconnect(&self, conn: &Conn) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        conn.set(Slot::Opening(rx));
        let authority = self.authority.clone();
        tokio::spawn(async move {
            if let Ok(s) = connect(&authority).await {
                let _ = tx.send(s);
            }
        });
    }

    /// `conn`'s upstream connection, ready for a request: the one it has if
    /// the upstream kept it open (or the one being opened, if that worked),
    /// else a new one.
    async fn sender(&self, conn: &Conn) -> Result<SendRequest<Incoming>, ForwardError> {
        let mut s = match conn.set(Slot::None) {
            Slot::Open(s) => s,
            Slot::Opening(rx) => match rx.await {
                Ok(s) => s,
                Err(_) => return connect(&self.authority).await,
            },
            Slot::None => return connect(&self.authority).await,
        };
        match s.ready().await {
            Ok(()) => Ok(s),
            Err(_) => connect(&self.authority).await,
        }
    }

    /// Sends the request (head already cleaned) to the upstream on `conn`;
    /// the response's body streams back as it arrives.
    pub(crate) async fn send(
        &self,
        conn: &Conn,
        mut req: Request<Incoming>,
    ) -> Result<Response<Body>, ForwardError> {
        // Origin form (`/path?query`), as the request line had it; an
        // absolute-form request line (`GET http://…`) keeps its path and query.
        if req.uri().scheme().is_some() || req.uri().authority().is_some() {
            let pq = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
            let uri: Uri = pq
                .parse()
                .map_err(|_| ForwardError(format!("cannot build the upstream URL for {pq:?}")))?;
            *req.uri_mut() = uri;
        }
        if !req.headers().contains_key(HOST) {
            req.headers_mut().insert(HOST, self.host.clone());
        }
        let mut sender = self.sender(conn).await?;
        let resp = match sender.try_send_request(req).await {
            Ok(r) => r,
            Err(mut e) => match e.take_message() {
                // Closed by the upstream before the request was written
                // (an idle connection it timed out): once more on a new one.
                Some(req) => {
                    sender = connect(&self.authority).await?;
                    sender
                        .send_request(req)
                        .await
                        .map_err(|e| ForwardError(chain(&e)))?
                }
                None => return Err(ForwardError(chain(&e.into_error()))),
            },
        };
        conn.set(Slot::Open(sender));
        let (mut parts, body) = resp.into_parts();
        strip_hop_by_hop(&mut parts.headers, None);
        Ok(Response::from_parts(parts, body.boxed()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_go_and_the_rest_keeps_its_order() {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("x-b", "1"),
            ("connection", "keep-alive, X-Private"),
            ("x-private", "p"),
            ("host", "h"),
            ("te", "trailers"),
            ("transfer-encoding", "chunked"),
            ("x-a", "2"),
            ("x-b", "3"),
            ("upgrade", "websocket"),
            ("proxy-authorization", "Basic x"),
            ("keep-alive", "timeout=5"),
            ("x-claims", "forged"),
            ("x_claims", "forged too"),
            ("x_claims_extra", "kept"),
            ("authorization", "t"),
        ] {
            h.append(HeaderName::from_static(k), v.parse().unwrap());
        }
        let claims = HeaderName::from_static("x-claims");
        let out = end_to_end(&h, Some(&claims));
        let got: Vec<(String, String)> = out
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        let want = [
            ("x-b", "1"),
            ("x-b", "3"),
            ("host", "h"),
            ("x-a", "2"),
            ("x_claims_extra", "kept"),
            ("authorization", "t"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()));
        assert_eq!(got, want);
    }
}

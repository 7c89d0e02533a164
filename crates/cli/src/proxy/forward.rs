//! Forwarding to the upstream: a pooled HTTP/1.1 client (keep-alive),
//! bodies streamed both ways, method, path, query and headers untouched
//! except the hop-by-hop headers (RFC 9110 §7.6.1), which belong to one
//! connection and are not forwarded in either direction: `Connection` and
//! every header it names, `Keep-Alive`, `Proxy-Connection`, `TE`,
//! `Trailer`, `Transfer-Encoding`, `Upgrade`, `Proxy-Authenticate` and
//! `Proxy-Authorization`. (The message framing is redone by each
//! connection: a chunked body is forwarded chunked, a `Content-Length`
//! stays.) Header names keep the client's spelling and order.

use std::time::Duration;

use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::header::{CONNECTION, HeaderMap, HeaderName};
use hyper::{Request, Response, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;

use super::Body;

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

/// `headers` without the hop-by-hop ones and without `also` (the claims
/// header), in their original order.
pub fn end_to_end(headers: &HeaderMap, also: Option<&HeaderName>) -> HeaderMap {
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
        if HOP_BY_HOP.contains(&n) || named.iter().any(|t| t == n) || Some(name) == also {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// The upstream: where requests go, and the pooled client that takes them.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// `http://host:port`, no trailing slash.
    pub base: String,
    client: Client<HttpConnector, Incoming>,
}

/// Why forwarding failed.
#[derive(Debug)]
pub struct ForwardError(pub String);

impl Upstream {
    pub fn new(base: String) -> Upstream {
        let mut conn = HttpConnector::new();
        conn.set_nodelay(true);
        conn.set_connect_timeout(Some(Duration::from_secs(10)));
        let client = Client::builder(hyper_util::rt::TokioExecutor::new())
            .http1_preserve_header_case(true)
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(64)
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .build(conn);
        Upstream { base, client }
    }

    /// Sends the request (head already cleaned) to the upstream; the
    /// response's body streams back as it arrives.
    pub async fn send(&self, mut req: Request<Incoming>) -> Result<Response<Body>, ForwardError> {
        let pq = req
            .uri()
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned();
        let uri: Uri = format!("{}{pq}", self.base)
            .parse()
            .map_err(|_| ForwardError(format!("cannot build the upstream URL for {pq:?}")))?;
        *req.uri_mut() = uri;
        let resp = self.client.request(req).await.map_err(|e| {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                src = s.source();
            }
            ForwardError(msg)
        })?;
        let (mut parts, body) = resp.into_parts();
        parts.headers = end_to_end(&parts.headers, None);
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
            ("authorization", "t"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()));
        assert_eq!(got, want);
    }
}

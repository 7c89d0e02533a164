//! The one HTTP client of the library for what is not the AWS SDK's: JWKS
//! documents (`verify`) and the user pool's OAuth2 domain (`oauth2`). The
//! same hyper + rustls (aws-lc-rs) stack the SDK already links: plain HTTP
//! or HTTPS with the system's roots, HTTP/1.1, one request per call, no
//! redirect followed, a time limit on the whole exchange (connecting
//! included), and a cap on the body read (the declared length is checked
//! first, then the stream itself is limited).
//!
//! Which URLs may be asked for is the callers' rule (`endpoint::check`:
//! plain HTTP only to loopback or named hosts); this module only speaks
//! HTTP. Failures come back as [`Failure`], which each caller turns into
//! its own error with its own words.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt as _;
use hyper::body::Bytes;

use crate::Secret;

/// One request.
pub(crate) struct Request<'a> {
    /// An `http://` or `https://` URL.
    pub(crate) url: &'a str,
    /// `None`: a GET; else a POST of this `application/x-www-form-urlencoded` body.
    pub(crate) form: Option<&'a Secret>,
    /// An `Authorization` header (sent as a sensitive header value).
    pub(crate) authorization: Option<&'a Secret>,
    /// Send `Accept: application/json`.
    pub(crate) json: bool,
    /// The limit for the whole exchange (connecting, TLS, headers, body).
    pub(crate) timeout: Duration,
    /// The largest body read.
    pub(crate) max_bytes: usize,
}

/// What came back.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    /// The `Location` header (redirects are not followed).
    pub(crate) location: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// Why there is no [`Response`]. `Display` is one line without secrets.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Not an `http://` or `https://` URL.
    Url(&'static str),
    /// The system's root certificates cannot be loaded.
    Roots(String),
    /// A header value HTTP cannot carry.
    Header,
    /// The request failed before an answer came (connection, TLS, …).
    Request(String),
    /// The answer's body could not be read to its end.
    Read(String),
    /// The body is larger than allowed.
    TooLarge { declared: Option<u64>, limit: usize },
    /// No complete answer within the time limit.
    Timeout(Duration),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Url(why) => f.write_str(why),
            Failure::Roots(e) => write!(f, "cannot load the system's root certificates: {e}"),
            Failure::Header => f.write_str("a header value has characters HTTP cannot carry"),
            Failure::Request(e) => write!(f, "request failed: {e}"),
            Failure::Read(e) => write!(f, "reading the response failed: {e}"),
            Failure::TooLarge {
                declared: Some(n),
                limit,
            } => write!(f, "response too large ({n} bytes, limit {limit})"),
            Failure::TooLarge {
                declared: None,
                limit,
            } => write!(f, "response too large (limit {limit} bytes)"),
            Failure::Timeout(t) => write!(f, "timed out after {} s", t.as_secs()),
        }
    }
}

/// Sends `req` and reads the whole answer, whatever its status.
pub(crate) async fn send(req: &Request<'_>) -> Result<Response, Failure> {
    let uri: hyper::Uri = req
        .url
        .parse()
        .map_err(|_| Failure::Url("not a valid URL"))?;
    let connect_timeout = req.timeout.min(Duration::from_secs(10));
    let work = async {
        match uri.scheme_str() {
            Some("http") => {
                let mut conn = hyper_util::client::legacy::connect::HttpConnector::new();
                conn.set_connect_timeout(Some(connect_timeout));
                exchange(conn, uri, req).await
            }
            Some("https") => {
                // Explicit provider: never depends on a process-default rustls
                // provider (which panics if several crypto features are on).
                let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
                let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
                http.set_connect_timeout(Some(connect_timeout));
                http.enforce_http(false);
                let conn = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_provider_and_native_roots(provider)
                    .map_err(|e| Failure::Roots(e.to_string()))?
                    .https_only()
                    .enable_http1()
                    .wrap_connector(http);
                exchange(conn, uri, req).await
            }
            _ => Err(Failure::Url("only http:// and https:// URLs are supported")),
        }
    };
    tokio::time::timeout(req.timeout, work)
        .await
        .map_err(|_| Failure::Timeout(req.timeout))?
}

async fn exchange<C>(connector: C, uri: hyper::Uri, req: &Request<'_>) -> Result<Response, Failure>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, http_body_util::Full<Bytes>>(connector);
    let mut builder = hyper::Request::builder().uri(uri).header(
        hyper::header::USER_AGENT,
        concat!("cognito-token/", env!("CARGO_PKG_VERSION")),
    );
    builder = match req.form {
        Some(_) => builder.method(hyper::Method::POST).header(
            hyper::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        ),
        None => builder.method(hyper::Method::GET),
    };
    if req.json {
        builder = builder.header(hyper::header::ACCEPT, "application/json");
    }
    if let Some(auth) = req.authorization {
        let mut v =
            hyper::header::HeaderValue::from_str(auth.expose()).map_err(|_| Failure::Header)?;
        v.set_sensitive(true);
        builder = builder.header(hyper::header::AUTHORIZATION, v);
    }
    let body = req
        .form
        .map(|f| Bytes::from(f.expose().as_bytes().to_vec()))
        .unwrap_or_default();
    let request = builder
        .body(http_body_util::Full::new(body))
        .map_err(|_| Failure::Header)?;
    let resp = client
        .request(request)
        .await
        .map_err(|e| Failure::Request(crate::error_chain(&e)))?;
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get(hyper::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let limit = req.max_bytes;
    if let Some(len) = resp
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > limit as u64
    {
        return Err(Failure::TooLarge {
            declared: Some(len),
            limit,
        });
    }
    let body = http_body_util::Limited::new(resp.into_body(), limit)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                Failure::TooLarge {
                    declared: None,
                    limit,
                }
            } else {
                Failure::Read(crate::error_chain(&*e))
            }
        })?;
    Ok(Response {
        status,
        location,
        body: body.to_bytes().to_vec(),
    })
}

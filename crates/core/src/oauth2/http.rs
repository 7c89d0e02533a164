//! The one request the OAuth endpoints need: a form POST over hyper, with
//! rustls (aws-lc-rs) for https, a time limit and a size cap on the answer.
//! Redirects are not followed.

use std::time::Duration;

use http_body_util::BodyExt as _;
use hyper::body::Bytes;

use super::{Domain, FormRequest, MAX_RESPONSE_BYTES};
use crate::Error;

/// What came back.
pub(super) struct Answer {
    pub status: u16,
    /// The `Location` header (redirects are not followed).
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// POSTs the form and returns the status and body.
pub(super) async fn post_form(
    req: &FormRequest,
    domain: &Domain,
    timeout: Duration,
) -> Result<(u16, Vec<u8>), Error> {
    let a = request(Some(req), &req.url, domain, timeout).await?;
    Ok((a.status, a.body))
}

/// GETs `url` (on the domain), without following redirects.
pub(super) async fn get(url: &str, domain: &Domain, timeout: Duration) -> Result<Answer, Error> {
    request(None, url, domain, timeout).await
}

async fn request(
    req: Option<&FormRequest>,
    url: &str,
    domain: &Domain,
    timeout: Duration,
) -> Result<Answer, Error> {
    let endpoint = domain.to_string();
    let uri: hyper::Uri = url
        .parse()
        .map_err(|_| Error::Config(format!("invalid domain {endpoint}: not a valid URL")))?;
    let work = async {
        match uri.scheme_str() {
            Some("http") => {
                let mut conn = hyper_util::client::legacy::connect::HttpConnector::new();
                conn.set_connect_timeout(Some(timeout.min(Duration::from_secs(10))));
                send(conn, uri, req).await
            }
            Some("https") => {
                // Explicit provider: never depends on a process-default rustls provider.
                let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
                let conn = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_provider_and_native_roots(provider)
                    .map_err(|e| format!("cannot load the system's root certificates: {e}"))
                    .map_err(Error::Config)?
                    .https_only()
                    .enable_http1()
                    .build();
                send(conn, uri, req).await
            }
            _ => Err(Error::Config(format!(
                "invalid domain {endpoint}: only http:// and https:// are supported"
            ))),
        }
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(r) => r.map_err(|e| with_endpoint(e, &endpoint)),
        Err(_) => Err(Error::Timeout {
            endpoint,
            message: format!("no answer within {} s", timeout.as_secs()),
        }),
    }
}

/// Errors from `send` carry an empty endpoint; fill it in.
fn with_endpoint(e: Error, endpoint: &str) -> Error {
    match e {
        Error::Network { message, .. } => Error::Network {
            endpoint: endpoint.to_owned(),
            message,
        },
        Error::BadResponse { message, .. } => Error::BadResponse {
            endpoint: endpoint.to_owned(),
            message,
        },
        other => other,
    }
}

async fn send<C>(connector: C, uri: hyper::Uri, req: Option<&FormRequest>) -> Result<Answer, Error>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, http_body_util::Full<Bytes>>(connector);
    let mut builder = hyper::Request::builder().uri(uri).header(
        hyper::header::USER_AGENT,
        concat!("cognito-token/", env!("CARGO_PKG_VERSION")),
    );
    builder = match req {
        Some(_) => builder
            .method(hyper::Method::POST)
            .header(
                hyper::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(hyper::header::ACCEPT, "application/json"),
        None => builder.method(hyper::Method::GET),
    };
    if let Some(auth) = req.and_then(|r| r.authorization.as_ref()) {
        let mut v = hyper::header::HeaderValue::from_str(auth.expose()).map_err(|_| {
            Error::Config("the client id or secret has characters HTTP cannot carry".into())
        })?;
        v.set_sensitive(true);
        builder = builder.header(hyper::header::AUTHORIZATION, v);
    }
    let request = builder
        .body(http_body_util::Full::new(Bytes::from(
            req.map(|r| r.body.expose().as_bytes().to_vec())
                .unwrap_or_default(),
        )))
        .map_err(|_| Error::Config("cannot build the request".into()))?;
    let resp = client.request(request).await.map_err(|e| Error::Network {
        endpoint: String::new(),
        message: crate::error::source_chain(&e),
    })?;
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get(hyper::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let too_large = || Error::BadResponse {
        endpoint: String::new(),
        message: format!("answer larger than {MAX_RESPONSE_BYTES} bytes"),
    };
    if let Some(len) = resp
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > MAX_RESPONSE_BYTES as u64
    {
        return Err(too_large());
    }
    let body = http_body_util::Limited::new(resp.into_body(), MAX_RESPONSE_BYTES)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                too_large()
            } else {
                Error::Network {
                    endpoint: String::new(),
                    message: format!(
                        "reading the answer failed: {}",
                        crate::error::source_chain(&*e)
                    ),
                }
            }
        })?;
    Ok(Answer {
        status,
        location,
        body: body.to_bytes().to_vec(),
    })
}

//! Fetching a JWKS over HTTP(S): the rustls/aws-lc-rs stack the AWS SDK
//! already uses, a timeout on the whole exchange ([`JWKS_HTTP_TIMEOUT`]),
//! status 200 only and a size limit ([`MAX_JWKS_BYTES`]).

use http_body_util::BodyExt as _;

use super::{JWKS_HTTP_TIMEOUT, MAX_JWKS_BYTES};

/// GETs `url` (http or https) with a timeout and a size cap; 200 only.
pub(super) async fn fetch(url: &str) -> Result<Vec<u8>, String> {
    let uri: hyper::Uri = url.parse().map_err(|_| "not a valid URL".to_owned())?;
    match uri.scheme_str() {
        Some("http") => {
            let mut conn = hyper_util::client::legacy::connect::HttpConnector::new();
            conn.set_connect_timeout(Some(JWKS_HTTP_TIMEOUT));
            get(conn, uri).await
        }
        Some("https") => {
            // Explicit provider: never depends on a process-default rustls
            // provider (which panics if several crypto features are on).
            let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let conn = hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_native_roots(provider)
                .map_err(|e| format!("cannot load the system's root certificates: {e}"))?
                .https_only()
                .enable_http1()
                .build();
            get(conn, uri).await
        }
        _ => Err("only http:// and https:// URLs are supported".to_owned()),
    }
}

async fn get<C>(connector: C, uri: hyper::Uri) -> Result<Vec<u8>, String>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    use hyper::body::Bytes;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, http_body_util::Empty<Bytes>>(connector);
    let req = hyper::Request::get(uri)
        .header(hyper::header::ACCEPT, "application/json")
        .header(
            hyper::header::USER_AGENT,
            concat!("cognito-token/", env!("CARGO_PKG_VERSION")),
        )
        .body(http_body_util::Empty::new())
        .map_err(|e| format!("cannot build the request: {e}"))?;
    let work = async {
        let resp = client
            .request(req)
            .await
            .map_err(|e| format!("request failed: {}", error_chain(&e)))?;
        let status = resp.status();
        if status != hyper::StatusCode::OK {
            return Err(format!("HTTP {status}"));
        }
        if let Some(len) = resp
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            && len > MAX_JWKS_BYTES as u64
        {
            return Err(format!(
                "response too large ({len} bytes, limit {MAX_JWKS_BYTES})"
            ));
        }
        let body = http_body_util::Limited::new(resp.into_body(), MAX_JWKS_BYTES)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    format!("response too large (limit {MAX_JWKS_BYTES} bytes)")
                } else {
                    format!("reading the response failed: {}", error_chain(&*e))
                }
            })?;
        Ok(body.to_bytes().to_vec())
    };
    tokio::time::timeout(JWKS_HTTP_TIMEOUT, work)
        .await
        .map_err(|_| format!("timed out after {} s", JWKS_HTTP_TIMEOUT.as_secs()))?
}

/// `a: b: c` from an error and its sources, skipping repeats.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let m = s.to_string();
        if !out.contains(&m) {
            out.push_str(": ");
            out.push_str(&m);
        }
        cur = s.source();
    }
    out
}

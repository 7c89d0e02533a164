//! Fetching a JWKS over the library's one HTTP client (`transport.rs`):
//! a timeout on the whole exchange ([`JWKS_HTTP_TIMEOUT`]), status 200 only
//! and a size limit ([`MAX_JWKS_BYTES`]).

use super::options::{JWKS_HTTP_TIMEOUT, MAX_JWKS_BYTES};
use crate::transport;

/// GETs `url` (http or https) with a timeout and a size cap; 200 only.
pub(super) async fn fetch(url: &str) -> Result<Vec<u8>, String> {
    let response = transport::send(&transport::Request {
        url,
        form: None,
        authorization: None,
        json: true,
        timeout: JWKS_HTTP_TIMEOUT,
        max_bytes: MAX_JWKS_BYTES,
    })
    .await
    .map_err(|f| f.to_string())?;
    match response.status {
        200 => Ok(response.body),
        status => Err(format!(
            "HTTP {status} {}",
            hyper::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("")
        )
        .trim_end()
        .to_owned()),
    }
}

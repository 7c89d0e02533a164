//! The answers API Gateway (REST API, `COGNITO_USER_POOLS` authorizer,
//! default gateway responses) gives a request it refuses, and the proxy's
//! own answers when the upstream cannot be reached. Sources: README,
//! "API Gateway's answers".

use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};

use super::Body;

/// A refusal or a failure, answered without the upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Gateway response `UNAUTHORIZED`: no token, a malformed or invalid
    /// one, the wrong token use or scopes. 401 `{"message":"Unauthorized"}`.
    Unauthorized,
    /// An authentic but expired token: 401
    /// `{"message":"The incoming token has expired"}`.
    Expired,
    /// The pool's keys cannot be had (the proxy's stand-in for
    /// `AUTHORIZER_CONFIGURATION_ERROR`, whose default status is 500).
    AuthorizerConfigurationError,
    /// The upstream does not answer (the proxy's own answer; API Gateway's
    /// nearest is `INTEGRATION_FAILURE`).
    BadGateway,
}

impl Answer {
    /// Status, `message` and `x-amzn-ErrorType`.
    pub fn parts(self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Answer::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "UnauthorizedException",
            ),
            Answer::Expired => (
                StatusCode::UNAUTHORIZED,
                "The incoming token has expired",
                "UnauthorizedException",
            ),
            Answer::AuthorizerConfigurationError => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error",
                "AuthorizerConfigurationException",
            ),
            Answer::BadGateway => (
                StatusCode::BAD_GATEWAY,
                "Bad Gateway: the upstream does not answer",
                "BadGatewayException",
            ),
        }
    }

    /// The response: JSON body `{"message":…}`, `Content-Type:
    /// application/json`, `x-amzn-ErrorType` and a fresh `x-amzn-RequestId`.
    pub fn response(self) -> Response<Body> {
        let (status, message, error_type) = self.parts();
        json_response(status, message, error_type)
    }
}

/// 502 with `{"message":"Bad Gateway: the upstream URL does not answer (why)"}`.
pub fn bad_gateway(upstream: &str, why: &str) -> Response<Body> {
    let (status, _, error_type) = Answer::BadGateway.parts();
    json_response(
        status,
        &format!("Bad Gateway: the upstream {upstream} does not answer ({why})"),
        error_type,
    )
}

/// 431 with `{"message":"Request Header Fields Too Large"}`.
pub fn too_large() -> Response<Body> {
    json_response(
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "Request Header Fields Too Large",
        "RequestHeaderFieldsTooLargeException",
    )
}

fn json_response(status: StatusCode, message: &str, error_type: &'static str) -> Response<Body> {
    {
        let body = serde_json::json!({ "message": message }).to_string();
        let len = body.len();
        let mut r = Response::new(
            Full::new(Bytes::from(body))
                .map_err(|never| match never {})
                .boxed(),
        );
        *r.status_mut() = status;
        let h = r.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        h.insert(CONTENT_LENGTH, HeaderValue::from(len));
        h.insert("x-amzn-ErrorType", HeaderValue::from_static(error_type));
        if let Ok(v) = HeaderValue::from_str(&request_id()) {
            h.insert("x-amzn-RequestId", v);
        }
        r
    }
}

/// A random UUID-shaped request id (not a secret: std's random hasher keys
/// are enough).
fn request_id() -> String {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut bytes = [0u8; 16];
    for chunk in bytes.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0);
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bodies_are_api_gateways() {
        for (a, body, status) in [
            (Answer::Unauthorized, r#"{"message":"Unauthorized"}"#, 401),
            (
                Answer::Expired,
                r#"{"message":"The incoming token has expired"}"#,
                401,
            ),
        ] {
            let r = a.response();
            assert_eq!(r.status().as_u16(), status);
            assert_eq!(r.headers()["content-type"], "application/json");
            assert_eq!(r.headers()["x-amzn-errortype"], "UnauthorizedException");
            assert_eq!(
                r.headers()["content-length"],
                body.len().to_string().as_str()
            );
            let got = r.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(got, body.as_bytes());
        }
        // 26 bytes, as the Content-Length of a real 401 shows.
        assert_eq!(r#"{"message":"Unauthorized"}"#.len(), 26);
        let (a, b) = (request_id(), request_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
    }
}

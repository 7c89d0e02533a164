//! The answers the proxy gives without the upstream: API Gateway's, per API
//! type (status, JSON body, headers), and its own when the upstream cannot
//! be reached or a request's target is ambiguous. Sources: README, "API
//! Gateway's answers" (each row with its source).
//!
//! A REST API's answers carry `x-amzn-ErrorType` and `x-amzn-RequestId`; an
//! HTTP API's carry `apigw-requestid`, and its authorizer's 401 and 403 a
//! `www-authenticate` header laid out as AWS's troubleshooting page shows
//! it (`Bearer scope="" error="invalid_token" error_description="…"`).

use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::{Response, StatusCode};

use crate::Body;
use crate::canonical::BadTarget;
use crate::routes::ApiType;

/// The description an HTTP API puts in `www-authenticate` for a token it
/// refuses with 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Invalid {
    /// No token at all: `Bearer` alone (RFC 6750 §3.1: no error code
    /// without authentication information).
    NoToken,
    /// "the token does not have a valid audience" (AWS's published text).
    Audience,
    /// "the token does not have a valid issuer".
    Issuer,
    /// "the token has expired".
    Expired,
    /// "the token is not valid yet" (`nbf`).
    NotYetValid,
    /// "the token was issued in the future" (`iat`).
    IssuedInTheFuture,
    /// "the token is not valid" (anything else: malformed, signature, key).
    Other,
}

impl Invalid {
    fn description(self) -> &'static str {
        match self {
            Invalid::NoToken => "",
            Invalid::Audience => "the token does not have a valid audience",
            Invalid::Issuer => "the token does not have a valid issuer",
            Invalid::Expired => "the token has expired",
            Invalid::NotYetValid => "the token is not valid yet",
            Invalid::IssuedInTheFuture => "the token was issued in the future",
            Invalid::Other => "the token is not valid",
        }
    }
}

/// A refusal or a failure, answered without the upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The authorizer refused the token (or there is none): 401
    /// `{"message":"Unauthorized"}`.
    Unauthorized(Invalid),
    /// An authentic but expired token: a REST API's 401 `{"message":"The
    /// incoming token has expired"}` (an HTTP API's is
    /// `Unauthorized(Invalid::Expired)`).
    Expired,
    /// An HTTP API route's scopes (space-separated) missing from the token:
    /// 403 `{"message":"Forbidden"}`, `insufficient_scope`.
    InsufficientScope(String),
    /// No route for the method and path, and the routes are the whole API:
    /// REST 403 `{"message":"Missing Authentication Token"}`, HTTP 404
    /// `{"message":"Not Found"}`.
    NoRoute,
    /// A target upstreams would route differently (the proxy's own 400).
    BadRequest(BadTarget),
    /// The keys cannot be had (`AUTHORIZER_CONFIGURATION_ERROR`, 500).
    AuthorizerConfigurationError,
    /// The upstream does not answer (the proxy's own 502): the message.
    BadGateway(String),
    /// The request line and headers are over the proxy's limit (431).
    TooLarge,
}

impl Answer {
    /// Status, body message and (REST) `x-amzn-ErrorType`.
    fn parts(&self, api: ApiType) -> (StatusCode, String, &'static str) {
        let s = |m: &str| m.to_owned();
        match (self, api) {
            (Answer::Unauthorized(_), _) | (Answer::Expired, ApiType::Http) => (
                StatusCode::UNAUTHORIZED,
                s("Unauthorized"),
                "UnauthorizedException",
            ),
            (Answer::Expired, ApiType::Rest) => (
                StatusCode::UNAUTHORIZED,
                s("The incoming token has expired"),
                "UnauthorizedException",
            ),
            (Answer::InsufficientScope(_), _) => (
                StatusCode::FORBIDDEN,
                s("Forbidden"),
                "AccessDeniedException",
            ),
            (Answer::NoRoute, ApiType::Rest) => (
                StatusCode::FORBIDDEN,
                s("Missing Authentication Token"),
                "MissingAuthenticationTokenException",
            ),
            (Answer::NoRoute, ApiType::Http) => {
                (StatusCode::NOT_FOUND, s("Not Found"), "NotFoundException")
            }
            (Answer::BadRequest(why), _) => (
                StatusCode::BAD_REQUEST,
                format!("Bad Request: {why}"),
                "BadRequestException",
            ),
            (Answer::AuthorizerConfigurationError, ApiType::Rest) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                s("Internal server error"),
                "AuthorizerConfigurationException",
            ),
            (Answer::AuthorizerConfigurationError, ApiType::Http) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                s("Internal Server Error"),
                "AuthorizerConfigurationException",
            ),
            (Answer::BadGateway(m), _) => {
                (StatusCode::BAD_GATEWAY, m.clone(), "BadGatewayException")
            }
            (Answer::TooLarge, _) => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                s("Request Header Fields Too Large"),
                "RequestHeaderFieldsTooLargeException",
            ),
        }
    }

    /// An HTTP API's `www-authenticate` for this answer, if any.
    fn www_authenticate(&self) -> Option<String> {
        match self {
            Answer::Unauthorized(Invalid::NoToken) => Some("Bearer".to_owned()),
            Answer::Unauthorized(why) => Some(format!(
                r#"Bearer scope="" error="invalid_token" error_description="{}""#,
                why.description()
            )),
            Answer::Expired => Some(format!(
                r#"Bearer scope="" error="invalid_token" error_description="{}""#,
                Invalid::Expired.description()
            )),
            Answer::InsufficientScope(scopes) => Some(format!(
                r#"Bearer scope="{scopes}" error="insufficient_scope" error_description="the token does not have the scopes the route requires""#
            )),
            _ => None,
        }
    }

    /// The response for `api`.
    pub(crate) fn response(&self, api: ApiType) -> Response<Body> {
        let (status, message, error_type) = self.parts(api);
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
        match api {
            ApiType::Rest => {
                h.insert("x-amzn-ErrorType", HeaderValue::from_static(error_type));
                if let Ok(v) = HeaderValue::from_str(&rest_request_id()) {
                    h.insert("x-amzn-RequestId", v);
                }
            }
            ApiType::Http => {
                if let Some(v) = self
                    .www_authenticate()
                    .and_then(|w| HeaderValue::from_str(&w).ok())
                {
                    h.insert(WWW_AUTHENTICATE, v);
                }
                if let Ok(v) = HeaderValue::from_str(&http_request_id()) {
                    h.insert("apigw-requestid", v);
                }
            }
        }
        r
    }
}

/// Random bytes (not secret: std's randomly keyed hasher is enough).
fn random_bytes<const N: usize>() -> [u8; N] {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut bytes = [0u8; N];
    for chunk in bytes.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0);
        let v = h.finish().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
    bytes
}

/// A REST API's request id: a random UUID.
fn rest_request_id() -> String {
    let mut bytes = random_bytes::<16>();
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

/// An HTTP API's request id: 11 random bytes in base64 (16 characters,
/// as AWS's example `Mc7UVioPPHcEKPA=`).
fn http_request_id() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(random_bytes::<11>())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(r: Response<Body>) -> String {
        String::from_utf8(r.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
    }

    #[tokio::test]
    async fn rest_api_answers() {
        for (a, status, text, error_type) in [
            (
                Answer::Unauthorized(Invalid::NoToken),
                401,
                r#"{"message":"Unauthorized"}"#,
                "UnauthorizedException",
            ),
            (
                Answer::Expired,
                401,
                r#"{"message":"The incoming token has expired"}"#,
                "UnauthorizedException",
            ),
            (
                Answer::NoRoute,
                403,
                r#"{"message":"Missing Authentication Token"}"#,
                "MissingAuthenticationTokenException",
            ),
        ] {
            let r = a.response(ApiType::Rest);
            assert_eq!(r.status().as_u16(), status);
            let h = r.headers().clone();
            assert_eq!(h["content-type"], "application/json");
            assert_eq!(h["x-amzn-errortype"], error_type);
            assert_eq!(h["x-amzn-requestid"].len(), 36);
            assert!(h.get("www-authenticate").is_none());
            assert_eq!(h["content-length"], text.len().to_string().as_str());
            assert_eq!(body(r).await, text);
        }
        // 26 bytes, as the Content-Length of a real 401 shows.
        assert_eq!(r#"{"message":"Unauthorized"}"#.len(), 26);
        assert_ne!(rest_request_id(), rest_request_id());
    }

    #[tokio::test]
    async fn http_api_answers() {
        for (a, status, text, www) in [
            (
                Answer::Unauthorized(Invalid::NoToken),
                401,
                r#"{"message":"Unauthorized"}"#,
                Some("Bearer"),
            ),
            (
                Answer::Unauthorized(Invalid::Audience),
                401,
                r#"{"message":"Unauthorized"}"#,
                Some(
                    r#"Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience""#,
                ),
            ),
            (
                Answer::Expired,
                401,
                r#"{"message":"Unauthorized"}"#,
                Some(
                    r#"Bearer scope="" error="invalid_token" error_description="the token has expired""#,
                ),
            ),
            (
                Answer::InsufficientScope("api/admin api/root".into()),
                403,
                r#"{"message":"Forbidden"}"#,
                Some(
                    r#"Bearer scope="api/admin api/root" error="insufficient_scope" error_description="the token does not have the scopes the route requires""#,
                ),
            ),
            (Answer::NoRoute, 404, r#"{"message":"Not Found"}"#, None),
        ] {
            let r = a.response(ApiType::Http);
            assert_eq!(r.status().as_u16(), status, "{a:?}");
            let h = r.headers().clone();
            assert_eq!(h.get("www-authenticate").map(|v| v.to_str().unwrap()), www);
            assert_eq!(h["apigw-requestid"].len(), 16);
            assert!(h.get("x-amzn-errortype").is_none());
            assert_eq!(body(r).await, text);
        }
    }

    #[tokio::test]
    async fn a_bad_request_says_why() {
        let r = Answer::BadRequest(BadTarget::Semicolon).response(ApiType::Rest);
        assert_eq!(r.status().as_u16(), 400);
        let b = body(r).await;
        assert!(
            b.starts_with(r#"{"message":"Bad Request: the path has a ;"#),
            "{b}"
        );
    }
}

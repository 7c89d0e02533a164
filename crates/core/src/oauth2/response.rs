//! What the token endpoint answers: the token response parsed into
//! [`Tokens`], Cognito's JSON errors (`{"error":…,"error_description":…}`)
//! as [`Error::Service`] in Cognito's words (RFC 6749 §5.2's meaning when
//! there is no description), anything else as [`Error::BadResponse`] naming
//! the domain.

use serde::Deserialize;

use super::domain::Domain;
use crate::{Error, Tokens};

/// What `/oauth2/token` returns.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
}

/// An OAuth error answer.
#[derive(Deserialize)]
pub(super) struct ErrorResponse {
    pub(super) error: String,
    #[serde(default)]
    pub(super) error_description: Option<String>,
}

/// The tokens of a `200` answer from `/oauth2/token`.
pub(super) fn tokens(domain: &Domain, status: u16, body: &[u8]) -> Result<Tokens, Error> {
    let t: TokenResponse = serde_json::from_slice(body).map_err(|_| Error::BadResponse {
        endpoint: domain.to_string(),
        message: format!(
            "HTTP {status} from /oauth2/token is not a token response (is --domain a Cognito user pool domain?)"
        ),
    })?;
    if t.access_token.is_empty() {
        return Err(Error::BadResponse {
            endpoint: domain.to_string(),
            message: "the token response has an empty access_token".into(),
        });
    }
    Ok(Tokens::from_result(
        t.id_token.unwrap_or_default(),
        t.access_token,
        t.refresh_token,
        t.token_type,
        t.expires_in,
        crate::now(),
    ))
}

/// An OAuth error code and description as an [`Error::Service`].
pub(super) fn oauth_error(code: String, description: Option<String>) -> Error {
    let code: String = code
        .chars()
        .filter(char::is_ascii_graphic)
        .take(64)
        .collect();
    let message = description
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.chars().filter(|c| !c.is_control()).take(500).collect())
        .unwrap_or_else(|| rfc6749_meaning(&code).to_owned());
    Error::Service { code, message }
}

/// Cognito's JSON error, or a protocol error naming the domain.
pub(super) fn service_error(
    domain: &Domain,
    status: u16,
    body: &[u8],
    secrets: &[String],
) -> Error {
    match serde_json::from_slice::<ErrorResponse>(body) {
        Ok(e)
            if !e.error.is_empty()
                && e.error.len() <= 64
                && e.error.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            let message = e
                .error_description
                .filter(|d| !d.trim().is_empty())
                .map(|d| d.chars().filter(|c| !c.is_control()).take(500).collect())
                .unwrap_or_else(|| rfc6749_meaning(&e.error).to_owned());
            Error::Service {
                code: e.error,
                message,
            }
            .redact(secrets)
        }
        _ => Error::BadResponse {
            endpoint: domain.to_string(),
            message: format!(
                "HTTP {status} without a Cognito OAuth error (is --domain the user pool's domain?)"
            ),
        },
    }
}

/// RFC 6749 §5.2's meaning of an error code, for answers without a description.
fn rfc6749_meaning(code: &str) -> &'static str {
    match code {
        "invalid_request" => "the request is missing a parameter or is malformed",
        "invalid_client" => {
            "client authentication failed (unknown client, wrong or missing client secret)"
        }
        "invalid_grant" => {
            "the code, refresh token or redirect URI is invalid, expired, revoked or for another client"
        }
        "unauthorized_client" => "this app client may not use this grant type",
        "unsupported_grant_type" => "the grant type is not supported",
        "invalid_scope" => "a requested scope is invalid, unknown or not allowed for this client",
        "access_denied" => "the user or the server denied the request",
        "unsupported_token_type" => "this token cannot be revoked",
        "redirect_mismatch" => "the redirect URI is not one of the app client's callback URLs",
        "server_error" => "the authorization server failed",
        _ => "no description",
    }
}

#[cfg(test)]
mod tests {
    use super::super::domain::tests::domain;
    use super::*;

    #[test]
    fn cognito_errors_keep_cognitos_words_and_hide_secrets() {
        let e = service_error(
            &domain(),
            400,
            br#"{"error":"invalid_grant","error_description":"bad code c0de"}"#,
            &["c0de".into()],
        );
        assert_eq!(e.to_string(), "invalid_grant: bad code ***");
        assert_eq!(e.kind(), crate::ErrorKind::Rejected);
        let e = service_error(&domain(), 400, br#"{"error":"invalid_client"}"#, &[]);
        assert_eq!(e.code(), Some("invalid_client"));
        assert!(
            e.to_string().contains("client authentication failed"),
            "{e}"
        );
        for garbage in [&b"<html>nope</html>"[..], b"", b"{\"message\":\"x\"}"] {
            let e = service_error(&domain(), 404, garbage, &[]);
            assert_eq!(e.kind(), crate::ErrorKind::Protocol);
            assert!(e.to_string().contains("example.auth.us-east-1"), "{e}");
        }
    }
}

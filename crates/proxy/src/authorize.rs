//! What a route's authorizer requires of a verified token, beyond what
//! `check.rs` verified (signature, issuer, audience, `exp`, `nbf`).
//!
//! - A REST API's Cognito authorizer (`COGNITO_USER_POOLS`): without
//!   authorization scopes, an ID token (an access token is refused); with
//!   scopes, an access token whose `scope` has one of them (an ID token is
//!   refused). Every refusal is a 401 (README, "API Gateway's answers").
//! - An HTTP API's JWT authorizer: any token use; `iat` not in the future;
//!   with authorization scopes, `scope` (or `scp`) has one of them, else
//!   403 `insufficient_scope`. Source: "Control access to HTTP APIs with
//!   JWT authorizers", <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html>.

use serde_json::Value;

use crate::check::claim_secs;
use crate::routes::Authorizer;

/// Why a verified token does not open the route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Denied {
    /// 401: the token is not one this route takes.
    Unauthorized(String),
    /// 401 (HTTP API): `iat` is in the future.
    IssuedInTheFuture(String),
    /// 403 (HTTP API): none of the route's scopes (joined with spaces).
    InsufficientScope(String),
}

/// What the integration is told about the scopes (HTTP API:
/// `requestContext.authorizer.jwt.scopes`): the token's, when the route
/// has authorization scopes; `None` (JSON `null`) when it has none.
pub(crate) type GrantedScopes = Option<Vec<String>>;

/// The token's scopes: `scope` (space-separated), else `scp` (a string or
/// an array of strings).
fn token_scopes(claims: &Value) -> Vec<String> {
    let words = |s: &str| s.split_whitespace().map(str::to_owned).collect();
    match (claims.get("scope"), claims.get("scp")) {
        (Some(Value::String(s)), _) => words(s),
        (_, Some(Value::String(s))) => words(s),
        (_, Some(Value::Array(a))) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether `claims` (verified) open a route behind `authorizer` with
/// `scopes`, at `now` (unix seconds).
pub(crate) fn authorize(
    authorizer: &Authorizer,
    scopes: &[String],
    claims: &Value,
    now: i64,
) -> Result<GrantedScopes, Denied> {
    match authorizer {
        Authorizer::Cognito => cognito(scopes, claims).map(|()| None),
        Authorizer::Jwt { .. } => jwt(scopes, claims, now),
    }
}

fn cognito(scopes: &[String], claims: &Value) -> Result<(), Denied> {
    let token_use = claims
        .get("token_use")
        .and_then(Value::as_str)
        .unwrap_or("");
    if scopes.is_empty() {
        return if token_use == "id" {
            Ok(())
        } else {
            Err(Denied::Unauthorized(format!(
                "a {token_use} token on a route without scopes: API Gateway wants an ID token here"
            )))
        };
    }
    if token_use != "access" {
        return Err(Denied::Unauthorized(format!(
            "an {token_use} token on a route with scopes ({}): API Gateway wants an access token here",
            scopes.join(", ")
        )));
    }
    if token_scopes(claims).iter().any(|s| scopes.contains(s)) {
        Ok(())
    } else {
        Err(Denied::Unauthorized(format!(
            "the access token has none of the route's scopes ({})",
            scopes.join(", ")
        )))
    }
}

fn jwt(scopes: &[String], claims: &Value, now: i64) -> Result<GrantedScopes, Denied> {
    if let Some(iat) = claim_secs(claims, "iat")
        && iat > now
    {
        return Err(Denied::IssuedInTheFuture(format!(
            "the token was issued in the future (iat {iat}, now {now})"
        )));
    }
    if scopes.is_empty() {
        return Ok(None);
    }
    let have = token_scopes(claims);
    if have.iter().any(|s| scopes.contains(s)) {
        Ok(Some(have))
    } else {
        Err(Denied::InsufficientScope(scopes.join(" ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_767_323_045;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_cognito_authorizer_wants_the_token_use_its_scopes_say() {
        let id = json!({"token_use": "id"});
        let access = json!({"token_use": "access", "scope": "openid api/read api/admin"});
        let c = |scopes: &[&str], claims: &Value| {
            authorize(&Authorizer::Cognito, &v(scopes), claims, NOW)
        };
        assert_eq!(c(&[], &id), Ok(None));
        assert!(matches!(c(&[], &access), Err(Denied::Unauthorized(_))));
        assert_eq!(c(&["x/y", "api/admin"], &access), Ok(None));
        assert!(matches!(
            c(&["api/admin"], &id),
            Err(Denied::Unauthorized(_))
        ));
        assert!(matches!(
            c(&["api/write"], &access),
            Err(Denied::Unauthorized(_))
        ));
        // A scope is a whole word of the claim, not a substring.
        assert!(matches!(
            c(&["api/adm"], &access),
            Err(Denied::Unauthorized(_))
        ));
    }

    #[test]
    fn a_jwt_authorizer_takes_any_token_and_answers_missing_scopes_with_403() {
        let jwt = Authorizer::Jwt {
            issuer: "i".into(),
            audience: v(&["c"]),
        };
        let j = |scopes: &[&str], claims: &Value| authorize(&jwt, &v(scopes), claims, NOW);
        let id = json!({"token_use": "id", "iat": NOW});
        let access = json!({"token_use": "access", "scope": "openid api/read", "iat": NOW - 5});
        assert_eq!(j(&[], &id), Ok(None));
        assert_eq!(j(&[], &access), Ok(None));
        assert_eq!(
            j(&["api/read", "api/x"], &access),
            Ok(Some(v(&["openid", "api/read"])))
        );
        assert_eq!(
            j(&["api/admin", "api/root"], &access),
            Err(Denied::InsufficientScope("api/admin api/root".into()))
        );
        // An ID token has no scope claim.
        assert_eq!(
            j(&["api/read"], &id),
            Err(Denied::InsufficientScope("api/read".into()))
        );
        // `scp`, as a string or an array.
        assert!(j(&["a"], &json!({"scp": "b a"})).is_ok());
        assert!(j(&["a"], &json!({"scp": ["b", "a"]})).is_ok());
        // iat must not be in the future.
        assert!(matches!(
            j(&[], &json!({"iat": NOW + 1})),
            Err(Denied::IssuedInTheFuture(_))
        ));
    }
}

//! The header and claim rules, on decoded JSON. No I/O.
//!
//! Where a rule has a choice, it follows `aws-jwt-verify` (5.x:
//! `jwt.js` `assertJwtHeader`/`assertJwtPayload`/`validateJwtFields`,
//! `cognito-verifier.js` `validateCognitoJwtFields`), checked by the CLI's
//! differential test `verify_differential`.

use serde_json::Value;

use super::error::VerifyError;
use super::options::TokenUse;
use crate::jwt;

/// What a token's claims must satisfy (everything but the signature).
#[derive(Debug, Clone)]
pub(super) struct Rules {
    /// The exact `iss`.
    pub(super) issuer: String,
    /// Allowed app client ids; empty: no audience check.
    pub(super) client_ids: Vec<String>,
    /// Required `token_use`, or either.
    pub(super) token_use: Option<TokenUse>,
    /// Clock-skew allowance for `exp` and `nbf`.
    pub(super) leeway_secs: u64,
}

/// The header: `alg` exactly `RS256` (rejects `none`, HS256 key confusion,
/// RS512, …), and a non-empty string `kid`, which is returned.
pub(super) fn check_header(header: &Value) -> Result<&str, VerifyError> {
    let alg = header.get("alg");
    if alg.and_then(Value::as_str) != Some("RS256") {
        let alg = match alg {
            Some(Value::String(s)) => format!("{s:?}"),
            Some(other) => format!("{other}"),
            None => "(none given)".to_owned(),
        };
        return Err(VerifyError::UnsupportedAlgorithm { alg });
    }
    jwt::claim_str(header, "kid")
        .filter(|k| !k.is_empty())
        .ok_or(VerifyError::MissingKeyId)
}

/// Registered claims, when present, must have their JSON type (as
/// `aws-jwt-verify` rejects, e.g., a string `iat` or a numeric `sub`).
pub(super) fn check_types(claims: &Value) -> Result<(), VerifyError> {
    for claim in ["exp", "nbf", "iat"] {
        if claims.get(claim).is_some_and(|v| !v.is_number()) {
            return Err(VerifyError::MissingClaim { claim });
        }
    }
    for claim in ["iss", "sub", "scope", "jti"] {
        if claims.get(claim).is_some_and(|v| !v.is_string()) {
            return Err(VerifyError::MissingClaim { claim });
        }
    }
    match claims.get("aud") {
        None | Some(Value::String(_)) => Ok(()),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => Ok(()),
        Some(_) => Err(VerifyError::MissingClaim { claim: "aud" }),
    }
}

/// `iss` is exactly the expected issuer. Checked before the key lookup:
/// rejecting on an unverified claim is safe, gives a far better message
/// than "unknown key id" for a token of another pool, and saves a fetch.
pub(super) fn check_issuer(claims: &Value, expected: &str) -> Result<(), VerifyError> {
    let iss = jwt::claim_str(claims, "iss").ok_or(VerifyError::MissingClaim { claim: "iss" })?;
    if iss != expected {
        return Err(VerifyError::WrongIssuer {
            expected: expected.to_owned(),
            found: iss.to_owned(),
        });
    }
    Ok(())
}

/// Checks on the (now authenticated) claims, except `iss`.
pub(super) fn check_claims(claims: &Value, rules: &Rules, now: i64) -> Result<(), VerifyError> {
    let leeway = i64::try_from(rules.leeway_secs).unwrap_or(i64::MAX);

    // Cognito always sets `exp`; a token without one would be valid forever.
    // (aws-jwt-verify accepts it: a deliberate difference.)
    let exp = jwt::claim_secs(claims, "exp").ok_or(VerifyError::MissingClaim { claim: "exp" })?;
    // aws-jwt-verify: expired when `exp + grace < now` with a fractional
    // `now`; with whole seconds that is `exp + grace <= now`.
    if exp.saturating_add(leeway) <= now {
        return Err(VerifyError::Expired { exp, now });
    }
    if claims.get("nbf").is_some() {
        let nbf =
            jwt::claim_secs(claims, "nbf").ok_or(VerifyError::MissingClaim { claim: "nbf" })?;
        if nbf.saturating_sub(leeway) > now {
            return Err(VerifyError::NotYetValid { nbf, now });
        }
    }
    // `iat` is not compared with the clock (neither aws-jwt-verify nor API
    // Gateway does): a token issued "in the future" by a skewed clock works.

    let found_use = jwt::claim_str(claims, "token_use")
        .ok_or(VerifyError::MissingClaim { claim: "token_use" })?;
    let token_use = match (found_use, rules.token_use) {
        ("id", None | Some(TokenUse::Id)) => TokenUse::Id,
        ("access", None | Some(TokenUse::Access)) => TokenUse::Access,
        (found, expected) => {
            return Err(VerifyError::WrongTokenUse {
                expected: expected.map_or("id or access", TokenUse::as_str).to_owned(),
                found: found.to_owned(),
            });
        }
    };

    if rules.client_ids.is_empty() {
        return Ok(());
    }
    // ID tokens: `aud`; access tokens: `client_id`. Either must be a single
    // string (Cognito's shape; aws-jwt-verify refuses an `aud` array here).
    let claim = match token_use {
        TokenUse::Id => "aud",
        TokenUse::Access => "client_id",
    };
    let found = jwt::claim_str(claims, claim)
        .filter(|c| !c.is_empty())
        .ok_or(VerifyError::MissingClaim { claim })?;
    if !rules.client_ids.iter().any(|c| c == found) {
        return Err(VerifyError::WrongAudience {
            expected: rules.client_ids.join(" or "),
            found: found.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_767_323_045;

    fn rules() -> Rules {
        Rules {
            issuer: "https://issuer".into(),
            client_ids: vec!["a".into(), "b".into()],
            token_use: None,
            leeway_secs: 0,
        }
    }

    fn id(extra: Value) -> Value {
        let mut c =
            json!({"iss": "https://issuer", "token_use": "id", "aud": "a", "exp": NOW + 10});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    }

    #[test]
    fn expiry_is_exact_without_leeway_and_allows_skew_with_it() {
        let r = rules();
        // Valid through the last second before `exp` (aws-jwt-verify: `exp < now` expires).
        check_claims(&id(json!({"exp": NOW + 1})), &r, NOW).unwrap();
        let err = check_claims(&id(json!({"exp": NOW})), &r, NOW).unwrap_err();
        assert!(matches!(err, VerifyError::Expired { .. }), "{err:?}");
        let r5 = Rules {
            leeway_secs: 5,
            ..rules()
        };
        check_claims(&id(json!({"exp": NOW - 4})), &r5, NOW).unwrap();
        assert!(check_claims(&id(json!({"exp": NOW - 5})), &r5, NOW).is_err());
        // nbf: the leeway applies too; iat is never compared with the clock.
        assert!(check_claims(&id(json!({"nbf": NOW + 1})), &r, NOW).is_err());
        check_claims(&id(json!({"nbf": NOW})), &r, NOW).unwrap();
        check_claims(&id(json!({"nbf": NOW + 5})), &r5, NOW).unwrap();
        check_claims(&id(json!({"iat": NOW + 3600})), &r, NOW).unwrap();
        // Hostile values saturate instead of overflowing.
        check_claims(&id(json!({"exp": i64::MAX})), &rules(), NOW).unwrap();
        let huge = Rules {
            leeway_secs: u64::MAX,
            ..rules()
        };
        let _ = check_claims(&id(json!({"exp": i64::MIN, "nbf": i64::MAX})), &huge, NOW);
        let _ = check_claims(
            &id(json!({"exp": i64::MAX, "nbf": i64::MIN})),
            &huge,
            i64::MIN,
        );
    }

    #[test]
    fn any_of_several_client_ids() {
        let r = rules();
        check_claims(&id(json!({"aud": "b"})), &r, NOW).unwrap();
        let err = check_claims(&id(json!({"aud": "c"})), &r, NOW).unwrap_err();
        assert_eq!(
            err.to_string(),
            "wrong audience: token is for client c, expected a or b"
        );
        // An `aud` array is not Cognito's shape (and aws-jwt-verify refuses it).
        let err = check_claims(&id(json!({"aud": ["a"]})), &r, NOW).unwrap_err();
        assert!(
            matches!(err, VerifyError::MissingClaim { claim: "aud" }),
            "{err:?}"
        );
        let access = json!({"iss": "https://issuer", "token_use": "access", "client_id": "a", "exp": NOW + 10});
        check_claims(&access, &r, NOW).unwrap();
    }

    #[test]
    fn registered_claims_have_their_types() {
        check_types(&id(
            json!({"iat": 1, "nbf": 2.5, "sub": "s", "aud": ["x", "y"]}),
        ))
        .unwrap();
        for bad in [
            json!({"exp": "soon"}),
            json!({"iat": "yesterday"}),
            json!({"nbf": null}),
            json!({"iss": 1}),
            json!({"sub": {}}),
            json!({"scope": ["a"]}),
            json!({"jti": 5}),
            json!({"aud": 5}),
            json!({"aud": ["a", 1]}),
        ] {
            assert!(
                matches!(
                    check_types(&id(bad.clone())),
                    Err(VerifyError::MissingClaim { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn header_rules() {
        assert_eq!(
            check_header(&json!({"alg": "RS256", "kid": "k"})).unwrap(),
            "k"
        );
        for h in [
            json!({"alg": "RS256"}),
            json!({"alg": "RS256", "kid": ""}),
            json!({"alg": "RS256", "kid": 7}),
        ] {
            assert!(
                matches!(check_header(&h), Err(VerifyError::MissingKeyId)),
                "{h}"
            );
        }
        for h in [
            json!({"kid": "k"}),
            json!({"alg": "none", "kid": "k"}),
            json!({"alg": "HS256", "kid": "k"}),
            json!({"alg": "RS512", "kid": "k"}),
            json!({"alg": "rs256", "kid": "k"}),
            json!({"alg": ["RS256"], "kid": "k"}),
        ] {
            assert!(
                matches!(
                    check_header(&h),
                    Err(VerifyError::UnsupportedAlgorithm { .. })
                ),
                "{h}"
            );
        }
    }
}

//! `AssumeRoleWithWebIdentity` with an identity pool's OpenID token (the
//! basic flow): no AWS credentials, the token's signature checked with the
//! identity service's key, its expiry, then the role's trust: its
//! `cognito-identity.amazonaws.com:aud` condition (the identity pool) and
//! `:amr` condition (authenticated or unauthenticated). A role that does
//! not exist or does not trust the token is `AccessDenied`, "Not authorized
//! to perform sts:AssumeRoleWithWebIdentity" (AWS, Cognito developer guide,
//! "Role trust and permissions"). `DurationSeconds` defaults to 3600 and may
//! not exceed the role's `MaxSessionDuration` (STS API reference).

use serde_json::Value;

use super::params::Params;
use super::xml::{StsError, element, iso8601, result};
use crate::iam::Iam;
use crate::tokens::{self, IDENTITY_ISSUER, KeyUse, Unverified};

fn invalid_token(message: impl Into<String>) -> StsError {
    StsError::new("InvalidIdentityToken", message)
}

/// `AssumeRoleWithWebIdentity`.
pub(crate) fn assume(iam: &mut Iam, p: &mut Params, now: i64) -> Result<String, StsError> {
    let role_arn = p.string("RoleArn", "roleArn", 20, 2048, true);
    let session = p.session_name();
    let token = p.string("WebIdentityToken", "webIdentityToken", 4, 20000, true);
    let duration = p.duration();
    p.check()?;
    let (Some(role_arn), Some(session), Some(token)) = (role_arn, session, token) else {
        unreachable!("required parameters were checked");
    };
    let claims = tokens::peek_claims(&token)
        .and_then(|c| c.as_object().cloned())
        .ok_or_else(|| {
            invalid_token(
                "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
            )
        })?;
    let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("");
    if iss != IDENTITY_ISSUER {
        return Err(invalid_token(format!(
            "No OpenIDConnect provider found in your account for {iss}"
        )));
    }
    let aud = claims.get("aud").and_then(Value::as_str).unwrap_or("");
    let region = aud.split_once(':').map_or("", |(r, _)| r);
    match tokens::verify(&token, KeyUse::OpenId, &tokens::identity_kid(region)) {
        Ok(_) => {}
        Err(Unverified::Malformed) => {
            return Err(invalid_token(
                "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
            ));
        }
        // The stub's wording for a signature that does not verify.
        Err(Unverified::Signature) => {
            return Err(invalid_token(
                "The web identity token's signature does not verify with cognito-identity.amazonaws.com's keys",
            ));
        }
    }
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if now >= exp {
        // STS's words, as reported for expired web identity tokens (also
        // the missing space before the second time).
        return Err(StsError::new(
            "ExpiredTokenException",
            format!(
                "Token expired: current date/time {now} must be before the expiration date/time{exp}"
            ),
        ));
    }
    let amr: Vec<String> = claims
        .get("amr")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let denied = || {
        StsError::forbidden(
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        )
    };
    let role = iam.role(&role_arn).cloned().ok_or_else(denied)?;
    if !role.trusts(aud, &amr) {
        return Err(denied());
    }
    let duration = duration.unwrap_or(3600);
    if duration > role.spec.max_session_secs {
        return Err(StsError::new(
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("");
    let c = iam.issue(
        &role,
        &session,
        Some(sub),
        "AssumeRoleWithWebIdentity",
        now,
        duration,
    );
    let body = [
        element("SubjectFromWebIdentityToken", sub),
        element("Audience", aud),
        format!(
            "<AssumedRoleUser>{}{}</AssumedRoleUser>",
            element("Arn", &c.assumed_role_arn()),
            element("AssumedRoleId", &c.assumed_role_id())
        ),
        format!(
            "<Credentials>{}{}{}{}</Credentials>",
            element("SessionToken", &c.session_token),
            element("SecretAccessKey", &c.secret_access_key),
            element("Expiration", &iso8601(c.expiration)),
            element("AccessKeyId", &c.access_key_id)
        ),
        element("Provider", "cognito-identity.amazonaws.com"),
    ]
    .join("\n");
    Ok(result("AssumeRoleWithWebIdentity", &body))
}

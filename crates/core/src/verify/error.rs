//! Why a token is refused: [`VerifyError`], and what was wrong with the
//! JWKS ([`JwksProblem`]).

use crate::jwt::JwtError;

/// Why a token was rejected. One precise line each; never contains the token.
///
/// Not [`Error`](crate::Error): callers act on the variant (an invalid token, exit code 6, vs. a JWKS
/// that cannot be fetched or read: [`VerifyError::Jwks`]'s [`JwksProblem`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a decodable JWT. (Not a `source`: the message already says it,
    /// and an error chain would print it twice.)
    #[error("malformed token: {0}")]
    Malformed(JwtError),
    /// `alg` is not RS256 (e.g. `none` or `HS256`).
    #[error("unsupported algorithm {alg}: Cognito user pool tokens are signed with RS256")]
    UnsupportedAlgorithm {
        /// The header's `alg` (or a description when absent).
        alg: String,
    },
    /// The header has no `kid`.
    #[error("token header has no key id (kid)")]
    MissingKeyId,
    /// `kid` is not in the JWKS, even after a refetch.
    #[error("unknown key id {kid}: not in the user pool's JWKS")]
    UnknownKey {
        /// The header's `kid`.
        kid: String,
    },
    /// The signature does not verify.
    #[error("bad signature: the token was altered or signed by another key")]
    BadSignature,
    /// A required claim is absent or has the wrong type.
    #[error("token has no valid {claim} claim")]
    MissingClaim {
        /// Claim name.
        claim: &'static str,
    },
    /// `exp` (+ leeway) is in the past.
    #[error("token expired at {} (now {})", fmt_time(*exp), fmt_time(*now))]
    Expired {
        /// The `exp` claim (unix seconds).
        exp: i64,
        /// Current time (unix seconds).
        now: i64,
    },
    /// `nbf` (− leeway) is in the future.
    #[error("token not valid before {} (now {})", fmt_time(*nbf), fmt_time(*now))]
    NotYetValid {
        /// The `nbf` claim (unix seconds).
        nbf: i64,
        /// Current time (unix seconds).
        now: i64,
    },
    /// `iss` is not the user pool.
    #[error("wrong issuer: token is from {found}, expected {expected}")]
    WrongIssuer {
        /// The expected issuer.
        expected: String,
        /// The token's `iss`.
        found: String,
    },
    /// `aud` (ID token) or `client_id` (access token) is another client.
    #[error("wrong audience: token is for client {found}, expected {expected}")]
    WrongAudience {
        /// The expected client id (several joined with " or ").
        expected: String,
        /// The token's client id(s).
        found: String,
    },
    /// `token_use` is not the requested one (or neither `id` nor `access`).
    #[error("wrong token use: token is {found:?}, expected {expected}")]
    WrongTokenUse {
        /// `"id"`, `"access"` or `"id or access"`.
        expected: String,
        /// The token's `token_use`.
        found: String,
    },
    /// The JWKS could not be fetched, parsed or used.
    #[error("cannot use the user pool's JWKS from {url}: {reason}")]
    Jwks {
        /// The JWKS URL.
        url: String,
        /// What went wrong.
        reason: String,
        /// Which kind of problem (for exit codes).
        problem: JwksProblem,
    },
}

/// What was wrong with the JWKS in a [`VerifyError::Jwks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwksProblem {
    /// It could not be fetched (connection, timeout, HTTP status, size).
    Unreachable,
    /// The document is not a JWKS (not JSON, no `keys`, malformed keys).
    NotAJwks,
    /// The key the token names cannot verify it (not RSA, `use` not `sig`,
    /// `alg` not RS256, bad modulus): the token is not verifiable.
    UnusableKey,
}

impl From<JwtError> for VerifyError {
    fn from(e: JwtError) -> Self {
        VerifyError::Malformed(e)
    }
}

/// `2026-01-02 03:04:05 UTC`, or `unix time N` when out of range.
fn fmt_time(secs: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .map(|s| format!("{s} UTC"))
        .unwrap_or_else(|| format!("unix time {secs}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_323_045; // 2026-01-02 03:04:05 UTC

    #[test]
    fn time_format() {
        assert_eq!(fmt_time(NOW), "2026-01-02 03:04:05 UTC");
        assert_eq!(fmt_time(i64::MAX), format!("unix time {}", i64::MAX));
        let e = VerifyError::Expired {
            exp: NOW,
            now: NOW + 3355,
        };
        assert_eq!(
            e.to_string(),
            "token expired at 2026-01-02 03:04:05 UTC (now 2026-01-02 04:00:00 UTC)"
        );
    }
}

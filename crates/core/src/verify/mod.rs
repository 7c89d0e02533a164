//! Verifying Cognito user-pool tokens with the rules of AWS's own verifier
//! (npm `aws-jwt-verify`, `CognitoJwtVerifier`) and API Gateway's Cognito
//! user pool authorizer:
//!
//! 1. the header's `alg` is `RS256` and its `kid` names a key of the issuer's
//!    JWKS; a key is used only if its `kty` is `RSA`, its `use` (when given)
//!    is `sig` and its `alg` (when given) is `RS256`;
//! 2. the RS256 signature is valid for that key;
//! 3. `exp` is not in the past (leeway 0 unless asked, as `graceSeconds`),
//!    `nbf` (if any) is not in the future; `iat` is only type-checked;
//! 4. `iss` is the expected issuer (by default the user pool,
//!    `https://cognito-idp.<region>.amazonaws.com/<pool>`);
//! 5. `token_use` is `id` or `access` (or the one asked for);
//! 6. when client ids are given: `aud` (ID tokens) or `client_id` (access
//!    tokens) is one of them.
//!
//! **Whose keys.** By default the keys come from
//! `{issuer}/.well-known/jwks.json` ([`issuer_jwks_url`]); nothing in the
//! environment changes that. A caller may point [`VerifyOptions::jwks_url`]
//! elsewhere (an emulator), and then names the issuer explicitly.
//!
//! The module's rooms: [`Verifier`] (`verifier.rs`: the reusable verifier,
//! JWKS in memory), `claims.rs` (header and claim rules), `jwks.rs` (parsing
//! a JWKS and choosing the key), `fetch.rs` (HTTP with timeout and size
//! limit), `disk_cache.rs` (the JWKS cache file shared by processes).
//!
//! Error messages may contain claims, key ids and URLs, never the token.

use std::path::PathBuf;
use std::time::Duration;

use crate::jwt::JwtError;

mod claims;
mod disk_cache;
mod fetch;
mod jwks;
mod verifier;

pub use jwks::parse_jwks_for_fuzzing;
pub use verifier::Verifier;

/// Default clock-skew allowance for `exp`/`nbf`, in seconds: none, as in
/// `aws-jwt-verify` (`graceSeconds: 0`) and API Gateway's authorizer.
pub const DEFAULT_LEEWAY_SECS: u64 = 0;
/// Default lifetime of the JWKS cache (on disk and in a [`Verifier`]).
pub const DEFAULT_JWKS_TTL: Duration = Duration::from_secs(60 * 60);
/// Timeout for the whole JWKS request (connect, TLS, headers and body).
pub const JWKS_HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest JWKS document accepted (over HTTP or from the cache).
pub const MAX_JWKS_BYTES: usize = 1024 * 1024;
/// Most keys accepted in one JWKS (Cognito publishes 2).
pub const MAX_JWKS_KEYS: usize = 100;
/// After a JWKS fetched over the network lacked a token's `kid`, a
/// [`Verifier`] does not fetch again for an unknown `kid` for this long
/// (as `aws-jwt-verify`'s penalty box): garbage tokens cannot make it
/// hammer the JWKS URL.
pub const UNKNOWN_KID_REFETCH_PAUSE: Duration = Duration::from_secs(10);

/// Which Cognito token a caller expects (the `token_use` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenUse {
    /// An ID token (`token_use: "id"`): `aud` is the app client id.
    Id,
    /// An access token (`token_use: "access"`): `client_id` is the app client id.
    Access,
}

impl TokenUse {
    /// The claim value: `"id"` or `"access"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenUse::Id => "id",
            TokenUse::Access => "access",
        }
    }
}

impl std::fmt::Display for TokenUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TokenUse {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "id" => Ok(TokenUse::Id),
            "access" => Ok(TokenUse::Access),
            other => Err(format!(
                "unknown token use {other:?}: expected \"id\" or \"access\""
            )),
        }
    }
}

/// What to verify a token against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// AWS region of the user pool, e.g. `eu-west-1`.
    pub region: String,
    /// User pool id, e.g. `eu-west-1_AbCdEf123`.
    pub user_pool_id: String,
    /// App client id to require (`aud` for ID tokens, `client_id` for access
    /// tokens). `None` skips the audience check. Several: see
    /// [`Verifier::with_client_ids`].
    pub client_id: Option<String>,
    /// Token type to require. `None` accepts `id` or `access` (but one of them).
    pub token_use: Option<TokenUse>,
    /// Expected `iss`; `None` means [`default_issuer`]`(region, user_pool_id)`.
    pub issuer: Option<String>,
    /// Where to fetch the JWKS from: by default the issuer's
    /// ([`issuer_jwks_url`]). Point it elsewhere only for an issuer you
    /// name in [`VerifyOptions::issuer`].
    pub jwks_url: String,
    /// Directory for the JWKS cache; `None` fetches on every call.
    pub cache_dir: Option<PathBuf>,
    /// Clock-skew allowance for `exp` and `nbf`, in seconds (default 0).
    pub leeway_secs: u64,
    /// How long a cached JWKS is used before refetching (default 1 h).
    pub jwks_ttl: Duration,
}

impl VerifyOptions {
    /// Options for a real Cognito pool: issuer
    /// `https://cognito-idp.<region>.amazonaws.com/<pool>`, its JWKS at
    /// `{issuer}/.well-known/jwks.json`, no client/token-use check, no
    /// cache, no leeway, 1 h TTL.
    pub fn new(region: impl Into<String>, user_pool_id: impl Into<String>) -> Self {
        let region = region.into();
        let user_pool_id = user_pool_id.into();
        VerifyOptions {
            jwks_url: issuer_jwks_url(&default_issuer(&region, &user_pool_id)),
            region,
            user_pool_id,
            client_id: None,
            token_use: None,
            issuer: None,
            cache_dir: None,
            leeway_secs: DEFAULT_LEEWAY_SECS,
            jwks_ttl: DEFAULT_JWKS_TTL,
        }
    }

    /// The issuer a token must have.
    pub fn expected_issuer(&self) -> String {
        self.issuer
            .clone()
            .unwrap_or_else(|| default_issuer(&self.region, &self.user_pool_id))
    }
}

/// The `iss` of a real Cognito user pool's tokens:
/// `https://cognito-idp.<region>.amazonaws.com/<pool>`.
pub fn default_issuer(region: &str, user_pool_id: &str) -> String {
    format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}")
}

/// Where an issuer publishes its keys: `{issuer}/.well-known/jwks.json`
/// (without a double slash when `issuer` ends with `/`).
pub fn issuer_jwks_url(issuer: &str) -> String {
    format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'))
}

/// `<endpoint>/<pool>/.well-known/jwks.json`, without a double slash when
/// `endpoint` ends with `/` (where Cognito emulators serve a pool's keys).
pub fn jwks_url(endpoint: &str, user_pool_id: &str) -> String {
    format!(
        "{}/{user_pool_id}/.well-known/jwks.json",
        endpoint.trim_end_matches('/')
    )
}

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

fn now_unix() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Verifies `token` against the user pool and returns its claims.
///
/// A one-shot [`Verifier`]: the JWKS comes from the disk cache (if any) or
/// the network. Callers verifying many tokens build one [`Verifier`].
pub async fn verify(token: &str, opts: &VerifyOptions) -> Result<serde_json::Value, VerifyError> {
    Verifier::new(opts.clone()).verify(token).await
}

/// [`verify`] with an explicit current time (unix seconds), for tests and
/// for explaining past failures.
pub async fn verify_at(
    token: &str,
    opts: &VerifyOptions,
    now: i64,
) -> Result<serde_json::Value, VerifyError> {
    Verifier::new(opts.clone()).verify_at(token, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_323_045; // 2026-01-02 03:04:05 UTC

    #[test]
    fn urls_and_issuer() {
        assert_eq!(
            default_issuer("us-east-1", "us-east-1_X"),
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X"
        );
        assert_eq!(
            jwks_url("http://localhost:9229/", "p"),
            "http://localhost:9229/p/.well-known/jwks.json"
        );
        assert_eq!(
            jwks_url("http://localhost:9229", "p"),
            "http://localhost:9229/p/.well-known/jwks.json"
        );
        assert_eq!(
            issuer_jwks_url("http://localhost:9229/p/"),
            "http://localhost:9229/p/.well-known/jwks.json"
        );
        let o = VerifyOptions::new("us-east-1", "us-east-1_X");
        assert_eq!(
            o.jwks_url,
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X/.well-known/jwks.json"
        );
        assert_eq!(o.jwks_url, issuer_jwks_url(&o.expected_issuer()));
        // No leeway by default, as aws-jwt-verify's graceSeconds (issue 13).
        assert_eq!((o.leeway_secs, o.jwks_ttl), (0, Duration::from_secs(3600)));
        assert_eq!("access".parse::<TokenUse>(), Ok(TokenUse::Access));
        assert!("refresh".parse::<TokenUse>().is_err());
    }

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

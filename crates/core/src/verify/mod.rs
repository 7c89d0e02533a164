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
//! JWKS in memory), `options.rs` (what to verify against, the limits),
//! `error.rs` (why a token is refused), `claims.rs` (header and claim
//! rules), `jwks.rs` (parsing a JWKS and choosing the key), `fetch.rs` (the
//! JWKS over the library's one HTTP client), `disk_cache.rs` (the JWKS
//! record of the store, shared by processes).
//!
//! Error messages may contain claims, key ids and URLs, never the token.

mod claims;
mod disk_cache;
mod error;
mod fetch;
mod jwks;
mod options;
mod verifier;

pub use error::{JwksProblem, VerifyError};
pub use jwks::parse_jwks_for_fuzzing;
pub use options::{
    DEFAULT_JWKS_TTL, DEFAULT_LEEWAY_SECS, JWKS_HTTP_TIMEOUT, MAX_JWKS_BYTES, MAX_JWKS_KEYS,
    TokenUse, UNKNOWN_KID_REFETCH_PAUSE, VerifyOptions, default_issuer, issuer_jwks_url, jwks_url,
};
pub use verifier::Verifier;

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

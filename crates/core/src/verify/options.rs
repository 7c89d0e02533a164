//! What to verify a token against ([`VerifyOptions`]), which token
//! ([`TokenUse`]), where an issuer's keys are, and the limits.

use std::path::PathBuf;
use std::time::Duration;

/// Default clock-skew allowance for `exp`/`nbf`, in seconds: none, as in
/// `aws-jwt-verify` (`graceSeconds: 0`) and API Gateway's authorizer.
pub const DEFAULT_LEEWAY_SECS: u64 = 0;
/// Default lifetime of the JWKS cache (on disk and in a [`Verifier`](super::Verifier)).
pub const DEFAULT_JWKS_TTL: Duration = Duration::from_secs(60 * 60);
/// Timeout for the whole JWKS request (connect, TLS, headers and body).
pub const JWKS_HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest JWKS document accepted (over HTTP or from the cache).
pub const MAX_JWKS_BYTES: usize = 1024 * 1024;
/// Most keys accepted in one JWKS (Cognito publishes 2).
pub const MAX_JWKS_KEYS: usize = 100;
/// After a JWKS fetched over the network lacked a token's `kid`, a
/// [`Verifier`](super::Verifier) does not fetch again for an unknown `kid` for this long
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
    /// [`Verifier::with_client_ids`](super::Verifier::with_client_ids).
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

pub(super) fn now_unix() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

//! The one place the proxy verifies a token: [`TokenCheck`], and its
//! implementation over `cognito_token_core::verify` ([`CoreCheck`]).
//!
//! The checks are API Gateway's: RS256 signature against the pool's JWKS,
//! `exp` with no leeway, `iss` the pool, `token_use` `id` or `access`, and,
//! when app clients are given, `aud` (ID token) or `client_id` (access
//! token) one of them. Which token use a route accepts (and its scopes) is
//! the caller's business (`mod.rs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cognito_token_core::verify::{self, VerifyError, VerifyOptions};

/// Verified claims.
pub type Claims = Arc<serde_json::Value>;

/// Why a token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Authentic but expired: API Gateway's "The incoming token has expired".
    Expired(String),
    /// Anything else wrong with the token (malformed, signature, issuer,
    /// client, token use): API Gateway's "Unauthorized".
    Invalid(String),
    /// The keys could not be had (JWKS unreachable or broken).
    Unavailable(String),
}

/// Verifies a token (without the `Bearer ` prefix).
pub trait TokenCheck: Send + Sync + 'static {
    fn check(
        &self,
        token: &str,
    ) -> impl std::future::Future<Output = Result<Claims, Refusal>> + Send;
}

/// Most verified tokens remembered (see [`CoreCheck`]).
const MEMO_MAX: usize = 4096;

/// [`TokenCheck`] over the core's [`verify::Verifier`] (the code of
/// `cognito-token verify`) with no
/// leeway and no audience (the client list is checked here). The JWKS is
/// cached in a private temporary directory (fetched once at start by
/// [`CoreCheck::preflight`], refetched on an unknown key id or after an
/// hour); a token that passed is remembered (at most 4096, forgotten all at
/// once when full), so a repeated token costs a map lookup and an `exp`
/// comparison instead of a file read and an RSA verification. Its `exp` is
/// checked again on every request.
#[derive(Debug)]
pub struct CoreCheck {
    opts: VerifyOptions,
    /// The shared verifier: the JWKS in memory in front of the disk cache.
    verifier: verify::Verifier,
    clients: Vec<String>,
    memo: Mutex<HashMap<String, (Claims, i64)>>,
}

fn now() -> i64 {
    cognito_token_core::now()
}

impl CoreCheck {
    /// `opts` says where the keys are and whose tokens to accept; its
    /// client id, token use, leeway and cache directory are replaced.
    pub fn new(mut opts: VerifyOptions, clients: Vec<String>) -> std::io::Result<CoreCheck> {
        opts.client_id = None;
        opts.token_use = None;
        opts.leeway_secs = 0;
        // The verifier keeps the keys in memory for the proxy's lifetime:
        // no disk cache to trust or to clean up.
        opts.cache_dir = None;
        Ok(CoreCheck {
            verifier: verify::Verifier::new(opts.clone()),
            opts,
            clients,
            memo: Mutex::new(HashMap::new()),
        })
    }

    /// The JWKS URL.
    pub fn jwks_url(&self) -> &str {
        &self.opts.jwks_url
    }

    /// The issuer tokens must have.
    pub fn issuer(&self) -> String {
        self.opts.expected_issuer()
    }

    /// Fetches the JWKS now (and caches it): `Err` says why it cannot be
    /// had. Done by verifying a made-up token with the pool's issuer and a
    /// key id no JWKS has, which makes the verifier fetch the keys.
    pub async fn preflight(&self) -> Result<(), VerifyError> {
        use base64::Engine as _;
        let b64 = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let probe = format!(
            "{}.{}.AA",
            b64(serde_json::json!({"alg": "RS256", "kid": "cognito-token-proxy-probe"})),
            b64(serde_json::json!({"iss": self.opts.expected_issuer()})),
        );
        match self.verifier.verify_at(&probe, now()).await {
            Err(e @ VerifyError::Jwks { .. }) => Err(e),
            _ => Ok(()),
        }
    }

    fn client_ok(&self, claims: &serde_json::Value) -> Result<(), String> {
        if self.clients.is_empty() {
            return Ok(());
        }
        let (claim, found): (&str, Vec<&str>) =
            match claims.get("token_use").and_then(|v| v.as_str()) {
                Some("access") => (
                    "client_id",
                    claims
                        .get("client_id")
                        .and_then(|v| v.as_str())
                        .into_iter()
                        .collect(),
                ),
                _ => (
                    "aud",
                    match claims.get("aud") {
                        Some(serde_json::Value::String(s)) => vec![s.as_str()],
                        Some(serde_json::Value::Array(a)) => {
                            a.iter().filter_map(|v| v.as_str()).collect()
                        }
                        _ => Vec::new(),
                    },
                ),
            };
        if found.iter().any(|f| self.clients.iter().any(|c| c == f)) {
            Ok(())
        } else {
            Err(format!(
                "wrong audience: token is for client {} ({claim}), expected {}",
                if found.is_empty() {
                    "(none)".to_owned()
                } else {
                    found.join(", ")
                },
                self.clients.join(" or ")
            ))
        }
    }
}

impl TokenCheck for CoreCheck {
    async fn check(&self, token: &str) -> Result<Claims, Refusal> {
        let now = now();
        let remembered = self
            .memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(token)
            .cloned();
        if let Some((claims, exp)) = remembered {
            if exp <= now {
                return Err(Refusal::Expired(format!(
                    "token expired (exp {exp}, now {now})"
                )));
            }
            return Ok(claims);
        }
        let claims = match self.verifier.verify_at(token, now).await {
            Ok(c) => c,
            Err(e @ VerifyError::Expired { .. }) => return Err(Refusal::Expired(e.to_string())),
            Err(e @ VerifyError::Jwks { .. }) => return Err(Refusal::Unavailable(e.to_string())),
            Err(e) => return Err(Refusal::Invalid(e.to_string())),
        };
        self.client_ok(&claims).map_err(Refusal::Invalid)?;
        let exp = match claims.get("exp") {
            Some(v) => v
                .as_i64()
                .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
            None => None,
        }
        .unwrap_or(now);
        let claims = Arc::new(claims);
        let mut memo = self.memo.lock().unwrap_or_else(|p| p.into_inner());
        if memo.len() >= MEMO_MAX {
            memo.clear();
        }
        memo.insert(token.to_owned(), (claims.clone(), exp));
        Ok(claims)
    }
}

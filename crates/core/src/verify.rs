//! Verifying Cognito user-pool tokens the way API Gateway's Cognito user
//! pool authorizer (and AWS's guidance) does:
//!
//! 1. the header's `alg` is `RS256` and its `kid` is in the pool's JWKS;
//! 2. the RS256 signature is valid for that key;
//! 3. `exp` is in the future (with leeway), `nbf` (if any) is not;
//! 4. `iss` is the user pool (`https://cognito-idp.<region>.amazonaws.com/<pool>`);
//! 5. `token_use` is `id` or `access` (or the one asked for);
//! 6. when a client id is given: `aud` (ID tokens) or `client_id` (access
//!    tokens) is that client.
//!
//! The JWKS is fetched over HTTP(S) with the rustls/aws-lc-rs stack the AWS
//! SDK already uses, and cached on disk for [`VerifyOptions::jwks_ttl`]. A
//! `kid` missing from a cached JWKS causes exactly one refetch (key rotation).
//!
//! Error messages may contain claims, key ids and URLs, never the token.

use std::path::{Path, PathBuf};
use std::time::Duration;

use http_body_util::BodyExt as _;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::jwt::{self, JwtError};

/// Default clock-skew allowance for `exp`/`nbf`, in seconds.
pub const DEFAULT_LEEWAY_SECS: u64 = 60;
/// Default lifetime of the on-disk JWKS cache.
pub const DEFAULT_JWKS_TTL: Duration = Duration::from_secs(60 * 60);
/// Timeout for the whole JWKS request (connect, TLS, headers and body).
pub const JWKS_HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest JWKS document accepted (over HTTP or from the cache).
pub const MAX_JWKS_BYTES: usize = 1024 * 1024;
/// Most keys accepted in one JWKS (Cognito publishes 2).
pub const MAX_JWKS_KEYS: usize = 100;

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
    /// tokens). `None` skips the audience check.
    pub client_id: Option<String>,
    /// Token type to require. `None` accepts `id` or `access` (but one of them).
    pub token_use: Option<TokenUse>,
    /// Expected `iss`; `None` means [`default_issuer`]`(region, user_pool_id)`.
    pub issuer: Option<String>,
    /// Where to fetch the JWKS from (see [`jwks_url`]).
    pub jwks_url: String,
    /// Directory for the JWKS cache; `None` fetches on every call.
    pub cache_dir: Option<PathBuf>,
    /// Clock-skew allowance for `exp` and `nbf`, in seconds (default 60).
    pub leeway_secs: u64,
    /// How long a cached JWKS is used before refetching (default 1 h).
    pub jwks_ttl: Duration,
}

impl VerifyOptions {
    /// Options for a real Cognito pool: JWKS at
    /// `https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json`,
    /// default issuer, no client/token-use check, no cache, 60 s leeway, 1 h TTL.
    pub fn new(region: impl Into<String>, user_pool_id: impl Into<String>) -> Self {
        let region = region.into();
        let user_pool_id = user_pool_id.into();
        let endpoint = format!("https://cognito-idp.{region}.amazonaws.com");
        VerifyOptions {
            jwks_url: jwks_url(&endpoint, &user_pool_id),
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

/// `<endpoint>/<pool>/.well-known/jwks.json`, without a double slash when
/// `endpoint` ends with `/`.
pub fn jwks_url(endpoint: &str, user_pool_id: &str) -> String {
    format!(
        "{}/{user_pool_id}/.well-known/jwks.json",
        endpoint.trim_end_matches('/')
    )
}

/// Why a token was rejected. One precise line each; never contains the token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a decodable JWT.
    #[error("malformed token: {0}")]
    Malformed(#[from] JwtError),
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
        /// The expected client id.
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
    },
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
pub async fn verify(token: &str, opts: &VerifyOptions) -> Result<serde_json::Value, VerifyError> {
    verify_at(token, opts, now_unix()).await
}

/// [`verify`] with an explicit current time (unix seconds), for tests and
/// for explaining past failures.
pub async fn verify_at(
    token: &str,
    opts: &VerifyOptions,
    now: i64,
) -> Result<serde_json::Value, VerifyError> {
    let token = token.trim();
    let decoded = jwt::decode(token)?;

    // Header: RS256 only (rejects `none`, HS256 key-confusion, etc.).
    let alg = decoded.header.get("alg");
    if alg.and_then(|a| a.as_str()) != Some("RS256") {
        let alg = match alg {
            Some(serde_json::Value::String(s)) => format!("{s:?}"),
            Some(other) => format!("{other}"),
            None => "(none given)".to_owned(),
        };
        return Err(VerifyError::UnsupportedAlgorithm { alg });
    }
    let kid = jwt::claim_str(&decoded.header, "kid")
        .filter(|k| !k.is_empty())
        .ok_or(VerifyError::MissingKeyId)?;

    // The issuer is checked before the key lookup. Rejecting on an
    // unverified claim is safe, gives a far better message than "unknown
    // key id" for a token of another pool, and saves a fetch.
    let expected_iss = opts.expected_issuer();
    let iss =
        jwt::claim_str(&decoded.claims, "iss").ok_or(VerifyError::MissingClaim { claim: "iss" })?;
    if iss != expected_iss {
        return Err(VerifyError::WrongIssuer {
            expected: expected_iss,
            found: iss.to_owned(),
        });
    }

    let key = find_key(kid, opts).await?;
    let (message, signature) = token
        .rsplit_once('.')
        .expect("jwt::decode checked there are 3 parts");
    match jsonwebtoken::crypto::verify(signature, message.as_bytes(), &key, Algorithm::RS256) {
        Ok(true) => {}
        // Err: the signature is not base64url-no-pad, or the key is unusable
        // (e.g. too short) -- either way it does not verify.
        Ok(false) | Err(_) => return Err(VerifyError::BadSignature),
    }

    check_claims(&decoded.claims, opts, now)?;
    Ok(decoded.claims)
}

/// Checks on the (now authenticated) claims, except `iss`.
fn check_claims(
    claims: &serde_json::Value,
    opts: &VerifyOptions,
    now: i64,
) -> Result<(), VerifyError> {
    let leeway = i64::try_from(opts.leeway_secs).unwrap_or(i64::MAX);

    let exp = jwt::claim_secs(claims, "exp").ok_or(VerifyError::MissingClaim { claim: "exp" })?;
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

    let found_use = jwt::claim_str(claims, "token_use")
        .ok_or(VerifyError::MissingClaim { claim: "token_use" })?;
    let token_use = match (found_use, opts.token_use) {
        ("id", None | Some(TokenUse::Id)) => TokenUse::Id,
        ("access", None | Some(TokenUse::Access)) => TokenUse::Access,
        (found, expected) => {
            return Err(VerifyError::WrongTokenUse {
                expected: expected.map_or("id or access", TokenUse::as_str).to_owned(),
                found: found.to_owned(),
            });
        }
    };

    if let Some(expected) = &opts.client_id {
        match token_use {
            TokenUse::Id => {
                // Cognito's `aud` is a string; RFC 7519 also allows an array.
                let ok = match claims.get("aud") {
                    Some(serde_json::Value::String(a)) => a == expected,
                    Some(serde_json::Value::Array(a)) => {
                        a.iter().any(|v| v.as_str() == Some(expected))
                    }
                    _ => return Err(VerifyError::MissingClaim { claim: "aud" }),
                };
                if !ok {
                    let found = match claims.get("aud") {
                        Some(serde_json::Value::String(a)) => a.clone(),
                        Some(other) => other.to_string(),
                        None => String::new(),
                    };
                    return Err(VerifyError::WrongAudience {
                        expected: expected.clone(),
                        found,
                    });
                }
            }
            TokenUse::Access => {
                let found = jwt::claim_str(claims, "client_id")
                    .ok_or(VerifyError::MissingClaim { claim: "client_id" })?;
                if found != expected {
                    return Err(VerifyError::WrongAudience {
                        expected: expected.clone(),
                        found: found.to_owned(),
                    });
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// JWKS

/// One JSON Web Key, as much as we need of it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Jwk {
    kid: String,
    kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alg: Option<String>,
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    e: Option<String>,
}

/// The on-disk cache record.
#[derive(Debug, Serialize, Deserialize)]
struct CacheRecord {
    /// The URL the JWKS came from (guards against hash collisions / copies).
    url: String,
    /// When it was fetched (unix seconds).
    fetched_at: i64,
    /// The JWKS document as served.
    jwks: serde_json::Value,
}

/// Parses and bounds a JWKS document. Keys we cannot use (non-RSA, not for
/// signing) are kept so that lookup can say why; structure is checked here.
fn parse_jwks(doc: &serde_json::Value) -> Result<Vec<Jwk>, String> {
    let keys = doc
        .get("keys")
        .and_then(|k| k.as_array())
        .ok_or_else(|| "not a JWKS: no \"keys\" array".to_owned())?;
    if keys.len() > MAX_JWKS_KEYS {
        return Err(format!(
            "too many keys ({}, limit {MAX_JWKS_KEYS})",
            keys.len()
        ));
    }
    keys.iter()
        .enumerate()
        .map(|(i, k)| {
            Jwk::deserialize(k).map_err(|e| {
                format!(
                    "key {i} is malformed: {}",
                    e.to_string().lines().next().unwrap_or("")
                )
            })
        })
        .collect()
}

fn parse_jwks_bytes(body: &[u8]) -> Result<(serde_json::Value, Vec<Jwk>), String> {
    let doc: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| format!("not valid JSON (line {} column {})", e.line(), e.column()))?;
    let keys = parse_jwks(&doc)?;
    Ok((doc, keys))
}

/// Parses a JWKS document exactly as [`verify`] does with a fetched body,
/// then turns every key into a verification key. Returns how many keys are
/// usable RS256 keys. For the fuzz targets and property tests only: not part
/// of the supported API.
#[doc(hidden)]
pub fn parse_jwks_for_fuzzing(body: &[u8]) -> Result<usize, String> {
    let (_, keys) = parse_jwks_bytes(body)?;
    Ok(keys
        .iter()
        .filter(|k| matches!(key_for(&keys, &k.kid, "fuzz"), Some(Ok(_))))
        .count())
}

/// Turns the JWK for `kid` into a verification key, if present.
fn key_for(keys: &[Jwk], kid: &str, url: &str) -> Option<Result<DecodingKey, VerifyError>> {
    let jwk = keys.iter().find(|k| k.kid == kid)?;
    let bad = |reason: String| VerifyError::Jwks {
        url: url.to_owned(),
        reason,
    };
    Some((|| {
        if jwk.kty != "RSA" {
            return Err(bad(format!("key {kid} is a {} key, not RSA", jwk.kty)));
        }
        if let Some(alg) = jwk.alg.as_deref().filter(|a| *a != "RS256") {
            return Err(bad(format!("key {kid} is for {alg}, not RS256")));
        }
        if let Some(u) = jwk.use_.as_deref().filter(|u| *u != "sig") {
            return Err(bad(format!("key {kid} is for use {u:?}, not signatures")));
        }
        let (Some(n), Some(e)) = (&jwk.n, &jwk.e) else {
            return Err(bad(format!("key {kid} has no modulus (n) or exponent (e)")));
        };
        DecodingKey::from_rsa_components(n, e)
            .map_err(|_| bad(format!("key {kid} has an invalid modulus or exponent")))
    })())
}

/// Finds the key for `kid`: cache (if fresh), else fetch; on a miss in a
/// cached JWKS, refetch once.
async fn find_key(kid: &str, opts: &VerifyOptions) -> Result<DecodingKey, VerifyError> {
    let url = opts.jwks_url.as_str();
    let cache = opts.cache_dir.as_deref().map(|d| cache_path(d, url));
    let now = now_unix();

    if let Some(path) = &cache
        && let Some(keys) = read_cache(path, url, now, opts.jwks_ttl)
    {
        if let Some(found) = key_for(&keys, kid, url) {
            return found;
        }
        tracing::debug!(kid, "key id not in cached JWKS; refetching");
    }

    let body = fetch(url).await.map_err(|reason| VerifyError::Jwks {
        url: url.to_owned(),
        reason,
    })?;
    let (doc, keys) = parse_jwks_bytes(&body).map_err(|reason| VerifyError::Jwks {
        url: url.to_owned(),
        reason,
    })?;
    if let Some(path) = &cache {
        let record = CacheRecord {
            url: url.to_owned(),
            fetched_at: now,
            jwks: doc,
        };
        if let Err(e) = write_cache(path, &record) {
            tracing::warn!(path = %path.display(), error = %e, "cannot write the JWKS cache");
        }
    }
    key_for(&keys, kid, url).unwrap_or_else(|| {
        Err(VerifyError::UnknownKey {
            kid: kid.to_owned(),
        })
    })
}

/// `<cache_dir>/jwks-<sha256(url) hex>.json`.
fn cache_path(dir: &Path, url: &str) -> PathBuf {
    let digest = sha2::Sha256::digest(url.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("jwks-{hex}.json"))
}

/// A fresh cached JWKS, or `None` (missing, stale, unreadable or corrupt:
/// all mean "fetch").
fn read_cache(path: &Path, url: &str, now: i64, ttl: Duration) -> Option<Vec<Jwk>> {
    let meta = std::fs::metadata(path).ok()?;
    // Allow for the wrapper around a maximal JWKS.
    if meta.len() > (MAX_JWKS_BYTES as u64) * 2 {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let record: CacheRecord = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(_) => {
            tracing::debug!(path = %path.display(), "ignoring corrupt JWKS cache");
            return None;
        }
    };
    let age = now.checked_sub(record.fetched_at)?;
    let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    // A record from the future (clock change) is treated as stale.
    if record.url != url || age < 0 || age >= ttl {
        return None;
    }
    parse_jwks(&record.jwks).ok()
}

/// Writes the cache atomically (temp file in the same directory, then
/// rename); the file is 0600 on Unix (tempfile's default).
fn write_cache(path: &Path, record: &CacheRecord) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(&mut tmp, record)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        b.mode(0o700);
    }
    b.create(dir)
}

// ---------------------------------------------------------------------------
// HTTP

/// GETs `url` (http or https) with a timeout and a size cap; 200 only.
async fn fetch(url: &str) -> Result<Vec<u8>, String> {
    let uri: hyper::Uri = url.parse().map_err(|_| "not a valid URL".to_owned())?;
    match uri.scheme_str() {
        Some("http") => {
            let mut conn = hyper_util::client::legacy::connect::HttpConnector::new();
            conn.set_connect_timeout(Some(JWKS_HTTP_TIMEOUT));
            get(conn, uri).await
        }
        Some("https") => {
            // Explicit provider: never depends on a process-default rustls
            // provider (which panics if several crypto features are on).
            let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let conn = hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_native_roots(provider)
                .map_err(|e| format!("cannot load the system's root certificates: {e}"))?
                .https_only()
                .enable_http1()
                .build();
            get(conn, uri).await
        }
        _ => Err("only http:// and https:// URLs are supported".to_owned()),
    }
}

async fn get<C>(connector: C, uri: hyper::Uri) -> Result<Vec<u8>, String>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    use hyper::body::Bytes;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, http_body_util::Empty<Bytes>>(connector);
    let req = hyper::Request::get(uri)
        .header(hyper::header::ACCEPT, "application/json")
        .header(
            hyper::header::USER_AGENT,
            concat!("cognito-token/", env!("CARGO_PKG_VERSION")),
        )
        .body(http_body_util::Empty::new())
        .map_err(|e| format!("cannot build the request: {e}"))?;
    let work = async {
        let resp = client
            .request(req)
            .await
            .map_err(|e| format!("request failed: {}", error_chain(&e)))?;
        let status = resp.status();
        if status != hyper::StatusCode::OK {
            return Err(format!("HTTP {status}"));
        }
        if let Some(len) = resp
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            && len > MAX_JWKS_BYTES as u64
        {
            return Err(format!(
                "response too large ({len} bytes, limit {MAX_JWKS_BYTES})"
            ));
        }
        let body = http_body_util::Limited::new(resp.into_body(), MAX_JWKS_BYTES)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    format!("response too large (limit {MAX_JWKS_BYTES} bytes)")
                } else {
                    format!("reading the response failed: {}", error_chain(&*e))
                }
            })?;
        Ok(body.to_bytes().to_vec())
    };
    tokio::time::timeout(JWKS_HTTP_TIMEOUT, work)
        .await
        .map_err(|_| format!("timed out after {} s", JWKS_HTTP_TIMEOUT.as_secs()))?
}

/// `a: b: c` from an error and its sources, skipping repeats.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let m = s.to_string();
        if !out.contains(&m) {
            out.push_str(": ");
            out.push_str(&m);
        }
        cur = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::KeyPair as _;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex, OnceLock};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    const REGION: &str = "eu-west-1";
    const POOL: &str = "eu-west-1_TestPool1";
    const CLIENT: &str = "client-abc";
    const NOW: i64 = 1_767_323_045; // 2026-01-02 03:04:05 UTC

    struct TestKey {
        kid: &'static str,
        pair: aws_lc_rs::rsa::KeyPair,
    }

    impl TestKey {
        fn jwk(&self) -> serde_json::Value {
            let c = aws_lc_rs::rsa::PublicKeyComponents::<Vec<u8>>::from(self.pair.public_key());
            json!({"kid": self.kid, "kty": "RSA", "alg": "RS256", "use": "sig",
                   "n": jwt::b64url_encode(&c.n), "e": jwt::b64url_encode(&c.e)})
        }

        fn sign(&self, header: &serde_json::Value, claims: &serde_json::Value) -> String {
            let msg = format!(
                "{}.{}",
                jwt::b64url_encode(header.to_string().as_bytes()),
                jwt::b64url_encode(claims.to_string().as_bytes())
            );
            let mut sig = vec![0u8; self.pair.public_modulus_len()];
            self.pair
                .sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &aws_lc_rs::rand::SystemRandom::new(),
                    msg.as_bytes(),
                    &mut sig,
                )
                .unwrap();
            format!("{msg}.{}", jwt::b64url_encode(&sig))
        }

        fn token(&self, claims: &serde_json::Value) -> String {
            self.sign(&json!({"alg": "RS256", "kid": self.kid}), claims)
        }
    }

    /// Two 2048-bit keys, generated once per test run with aws-lc-rs.
    fn keys() -> &'static (TestKey, TestKey) {
        static KEYS: OnceLock<(TestKey, TestKey)> = OnceLock::new();
        KEYS.get_or_init(|| {
            let gen_key = |kid| TestKey {
                kid,
                pair: aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap(),
            };
            (gen_key("pool-key-1"), gen_key("other-key-9"))
        })
    }

    /// A tiny HTTP/1.1 server answering every request with `status` and the
    /// current `body`, counting requests.
    struct Server {
        url: String,
        hits: Arc<AtomicUsize>,
        body: Arc<Mutex<String>>,
    }

    async fn serve(status: &'static str, body: String) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let body = Arc::new(Mutex::new(body));
        let (h, b) = (hits.clone(), body.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let (h, b) = (h.clone(), b.clone());
                tokio::spawn(async move {
                    let mut req = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => req.extend_from_slice(&buf[..n]),
                        }
                    }
                    assert!(req.starts_with(
                        format!("GET /{POOL}/.well-known/jwks.json HTTP/1.1\r\n").as_bytes()
                    ));
                    h.fetch_add(1, Ordering::SeqCst);
                    let body = b.lock().unwrap().clone();
                    let resp = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = sock.write_all(resp.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Server {
            url: jwks_url(&format!("http://{addr}/"), POOL),
            hits,
            body,
        }
    }

    fn jwks(keys: &[&TestKey]) -> String {
        json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()}).to_string()
    }

    #[test]
    fn fuzzing_hook_counts_usable_keys() {
        let (k1, k2) = keys();
        assert_eq!(parse_jwks_for_fuzzing(jwks(&[k1, k2]).as_bytes()), Ok(2));
        let ec = json!({"keys": [k1.jwk(), {"kid": "e", "kty": "EC", "crv": "P-256"}]});
        assert_eq!(parse_jwks_for_fuzzing(ec.to_string().as_bytes()), Ok(1));
        assert!(parse_jwks_for_fuzzing(b"{not json").is_err());
        assert!(parse_jwks_for_fuzzing(b"{}").is_err());
    }

    fn opts(url: &str, cache: Option<&Path>) -> VerifyOptions {
        VerifyOptions {
            jwks_url: url.to_owned(),
            cache_dir: cache.map(Path::to_path_buf),
            client_id: Some(CLIENT.to_owned()),
            ..VerifyOptions::new(REGION, POOL)
        }
    }

    fn id_claims() -> serde_json::Value {
        json!({"sub": "user-1", "aud": CLIENT, "iss": default_issuer(REGION, POOL), "token_use": "id",
               "cognito:username": "alice", "iat": NOW - 100, "exp": NOW + 3500})
    }

    fn access_claims() -> serde_json::Value {
        json!({"sub": "user-1", "client_id": CLIENT, "iss": default_issuer(REGION, POOL), "token_use": "access",
               "scope": "aws.cognito.signin.user.admin", "iat": NOW - 100, "exp": NOW + 3500})
    }

    fn with(mut v: serde_json::Value, k: &str, val: serde_json::Value) -> serde_json::Value {
        v[k] = val;
        v
    }

    /// Asserts the message does not contain the token or any of its segments.
    fn assert_no_token(err: &VerifyError, token: &str) {
        let msg = err.to_string();
        for part in token.split('.').filter(|p| p.len() > 8) {
            assert!(!msg.contains(part), "message leaks the token: {msg}");
        }
        assert!(!msg.contains('\n'), "not one line: {msg}");
    }

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
        let o = VerifyOptions::new("us-east-1", "us-east-1_X");
        assert_eq!(
            o.jwks_url,
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X/.well-known/jwks.json"
        );
        assert_eq!((o.leeway_secs, o.jwks_ttl), (60, Duration::from_secs(3600)));
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

    #[tokio::test]
    async fn valid_id_and_access_tokens_and_cache() {
        let (k1, _) = keys();
        let srv = serve("200 OK", jwks(&[k1])).await;
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("sub");
        let o = opts(&srv.url, Some(&cache_dir));

        let claims = verify_at(&k1.token(&id_claims()), &o, NOW).await.unwrap();
        assert_eq!(claims, id_claims());
        assert_eq!(srv.hits.load(Ordering::SeqCst), 1);

        // Served from the cache now.
        let claims = verify_at(&k1.token(&access_claims()), &o, NOW)
            .await
            .unwrap();
        assert_eq!(claims, access_claims());
        let o_access = VerifyOptions {
            token_use: Some(TokenUse::Access),
            ..o.clone()
        };
        verify_at(&k1.token(&access_claims()), &o_access, NOW)
            .await
            .unwrap();
        let o_id = VerifyOptions {
            token_use: Some(TokenUse::Id),
            client_id: None,
            ..o.clone()
        };
        verify_at(&format!("  {}\n", k1.token(&id_claims())), &o_id, NOW)
            .await
            .unwrap();
        assert_eq!(
            srv.hits.load(Ordering::SeqCst),
            1,
            "cache should prevent a second fetch"
        );

        // The cache file: one file, 0600, valid record.
        let files: Vec<_> = std::fs::read_dir(&cache_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files, vec![cache_path(&cache_dir, &srv.url)]);
        let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
        assert!(
            name.starts_with("jwks-") && name.ends_with(".json") && name.len() == 5 + 64 + 5,
            "{name}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(
                std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }

        // Without a cache every call fetches.
        let o_nocache = VerifyOptions {
            cache_dir: None,
            ..o.clone()
        };
        verify_at(&k1.token(&id_claims()), &o_nocache, NOW)
            .await
            .unwrap();
        assert_eq!(srv.hits.load(Ordering::SeqCst), 2);

        // A zero TTL makes the cache stale: refetch.
        let o_stale = VerifyOptions {
            jwks_ttl: Duration::ZERO,
            ..o.clone()
        };
        verify_at(&k1.token(&id_claims()), &o_stale, NOW)
            .await
            .unwrap();
        assert_eq!(srv.hits.load(Ordering::SeqCst), 3);

        // A corrupt cache file is ignored and replaced.
        std::fs::write(&files[0], b"{not json").unwrap();
        verify_at(&k1.token(&id_claims()), &o, NOW).await.unwrap();
        assert_eq!(srv.hits.load(Ordering::SeqCst), 4);
        verify_at(&k1.token(&id_claims()), &o, NOW).await.unwrap();
        assert_eq!(srv.hits.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn unknown_key_refetches_once_then_fails() {
        let (k1, k2) = keys();
        let srv = serve("200 OK", jwks(&[k1])).await;
        let dir = tempfile::tempdir().unwrap();
        let o = opts(&srv.url, Some(dir.path()));
        verify_at(&k1.token(&id_claims()), &o, NOW).await.unwrap();
        assert_eq!(srv.hits.load(Ordering::SeqCst), 1);

        let t = k2.token(&id_claims());
        let err = verify_at(&t, &o, NOW).await.unwrap_err();
        assert!(
            matches!(&err, VerifyError::UnknownKey { kid } if kid == "other-key-9"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "unknown key id other-key-9: not in the user pool's JWKS"
        );
        assert_no_token(&err, &t);
        assert_eq!(srv.hits.load(Ordering::SeqCst), 2, "exactly one refetch");

        // Key rotation: once the JWKS has the new key, the refetch finds it.
        *srv.body.lock().unwrap() = jwks(&[k1, k2]);
        verify_at(&t, &o, NOW).await.unwrap();
        assert_eq!(srv.hits.load(Ordering::SeqCst), 3);
        verify_at(&t, &o, NOW).await.unwrap();
        assert_eq!(srv.hits.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn unknown_key_without_cache_fetches_once() {
        let (k1, k2) = keys();
        let srv = serve("200 OK", jwks(&[k1])).await;
        let o = opts(&srv.url, None);
        let err = verify_at(&k2.token(&id_claims()), &o, NOW)
            .await
            .unwrap_err();
        assert!(matches!(err, VerifyError::UnknownKey { .. }), "{err:?}");
        assert_eq!(srv.hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn altered_payload_is_a_bad_signature() {
        let (k1, k2) = keys();
        let srv = serve("200 OK", jwks(&[k1])).await;
        let o = opts(&srv.url, None);
        let good = k1.token(&id_claims());
        let parts: Vec<&str> = good.split('.').collect();
        let evil = with(id_claims(), "sub", json!("admin"));
        let t = format!(
            "{}.{}.{}",
            parts[0],
            jwt::b64url_encode(evil.to_string().as_bytes()),
            parts[2]
        );
        let err = verify_at(&t, &o, NOW).await.unwrap_err();
        assert!(matches!(err, VerifyError::BadSignature), "{err:?}");
        assert_eq!(
            err.to_string(),
            "bad signature: the token was altered or signed by another key"
        );
        assert_no_token(&err, &t);

        // Signed by another key claiming the pool's kid.
        let t = k2.sign(&json!({"alg": "RS256", "kid": k1.kid}), &id_claims());
        let err = verify_at(&t, &o, NOW).await.unwrap_err();
        assert!(matches!(err, VerifyError::BadSignature), "{err:?}");

        // Truncated / non-base64 signature.
        for sig in ["", "AAAA", "!!!!"] {
            let t = format!("{}.{}.{sig}", parts[0], parts[1]);
            let err = verify_at(&t, &o, NOW).await.unwrap_err();
            assert!(
                matches!(err, VerifyError::BadSignature | VerifyError::Malformed(_)),
                "{err:?}"
            );
        }
    }

    #[tokio::test]
    async fn claim_checks() {
        let (k1, _) = keys();
        let srv = serve("200 OK", jwks(&[k1])).await;
        let o = opts(&srv.url, None);
        let iss = default_issuer(REGION, POOL);

        // Expired (beyond the 60 s leeway); within the leeway is fine.
        let t = k1.token(&with(id_claims(), "exp", json!(NOW - 3235)));
        let err = verify_at(&t, &o, NOW).await.unwrap_err();
        assert!(matches!(err, VerifyError::Expired { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "token expired at 2026-01-02 02:10:10 UTC (now 2026-01-02 03:04:05 UTC)"
        );
        assert_no_token(&err, &t);
        verify_at(
            &k1.token(&with(id_claims(), "exp", json!(NOW - 30))),
            &o,
            NOW,
        )
        .await
        .unwrap();
        let o_strict = VerifyOptions {
            leeway_secs: 0,
            ..o.clone()
        };
        let err = verify_at(
            &k1.token(&with(id_claims(), "exp", json!(NOW - 30))),
            &o_strict,
            NOW,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, VerifyError::Expired { .. }), "{err:?}");

        // Missing exp.
        let mut c = id_claims();
        c.as_object_mut().unwrap().remove("exp");
        let err = verify_at(&k1.token(&c), &o, NOW).await.unwrap_err();
        assert_eq!(err.to_string(), "token has no valid exp claim");

        // nbf in the future.
        let err = verify_at(
            &k1.token(&with(id_claims(), "nbf", json!(NOW + 600))),
            &o,
            NOW,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, VerifyError::NotYetValid { .. }), "{err:?}");

        // Wrong audience (ID token) and wrong client_id (access token).
        let t = k1.token(&with(id_claims(), "aud", json!("someone-else")));
        let err = verify_at(&t, &o, NOW).await.unwrap_err();
        assert!(matches!(err, VerifyError::WrongAudience { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "wrong audience: token is for client someone-else, expected client-abc"
        );
        let t = k1.token(&with(access_claims(), "client_id", json!("someone-else")));
        let err = verify_at(&t, &o, NOW).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "wrong audience: token is for client someone-else, expected client-abc"
        );
        // An access token has no aud: its client_id is what counts.
        let c = with(access_claims(), "aud", json!("someone-else"));
        verify_at(&k1.token(&c), &o, NOW).await.unwrap();
        // Without a client id there is no audience check.
        let o_any = VerifyOptions {
            client_id: None,
            ..o.clone()
        };
        verify_at(
            &k1.token(&with(id_claims(), "aud", json!("x"))),
            &o_any,
            NOW,
        )
        .await
        .unwrap();

        // Wrong issuer.
        let other = default_issuer(REGION, "eu-west-1_Other");
        let err = verify_at(&k1.token(&with(id_claims(), "iss", json!(other))), &o, NOW)
            .await
            .unwrap_err();
        assert!(matches!(err, VerifyError::WrongIssuer { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("wrong issuer: token is from {other}, expected {iss}")
        );
        // A custom issuer (emulators).
        let o_custom = VerifyOptions {
            issuer: Some("http://localhost:9229/pool".into()),
            ..o.clone()
        };
        let c = with(id_claims(), "iss", json!("http://localhost:9229/pool"));
        verify_at(&k1.token(&c), &o_custom, NOW).await.unwrap();
        let err = verify_at(&k1.token(&id_claims()), &o_custom, NOW)
            .await
            .unwrap_err();
        assert!(matches!(err, VerifyError::WrongIssuer { .. }), "{err:?}");

        // Wrong token_use.
        let o_access = VerifyOptions {
            token_use: Some(TokenUse::Access),
            ..o.clone()
        };
        let err = verify_at(&k1.token(&id_claims()), &o_access, NOW)
            .await
            .unwrap_err();
        assert!(matches!(err, VerifyError::WrongTokenUse { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "wrong token use: token is \"id\", expected access"
        );
        let err = verify_at(
            &k1.token(&with(id_claims(), "token_use", json!("refresh"))),
            &o,
            NOW,
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "wrong token use: token is \"refresh\", expected id or access"
        );
        let mut c = id_claims();
        c.as_object_mut().unwrap().remove("token_use");
        let err = verify_at(&k1.token(&c), &o, NOW).await.unwrap_err();
        assert!(
            matches!(err, VerifyError::MissingClaim { claim: "token_use" }),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn algorithms_other_than_rs256_are_rejected() {
        let (k1, _) = keys();
        // No server: these must fail before any fetch.
        let o = opts("http://127.0.0.1:9/unused/.well-known/jwks.json", None);
        let claims = jwt::b64url_encode(id_claims().to_string().as_bytes());

        let none = format!(
            "{}.{claims}.",
            jwt::b64url_encode(br#"{"alg":"none","kid":"pool-key-1"}"#)
        );
        let err = verify_at(&none, &o, NOW).await.unwrap_err();
        assert!(
            matches!(err, VerifyError::UnsupportedAlgorithm { .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "unsupported algorithm \"none\": Cognito user pool tokens are signed with RS256"
        );

        // HS256 signed with the public modulus as secret (key confusion).
        let h = jwt::b64url_encode(br#"{"alg":"HS256","kid":"pool-key-1"}"#);
        let n = k1.jwk()["n"].as_str().unwrap().to_owned();
        let sig = jsonwebtoken::crypto::sign(
            format!("{h}.{claims}").as_bytes(),
            &jsonwebtoken::EncodingKey::from_secret(n.as_bytes()),
            Algorithm::HS256,
        )
        .unwrap();
        let err = verify_at(&format!("{h}.{claims}.{sig}"), &o, NOW)
            .await
            .unwrap_err();
        assert!(
            matches!(err, VerifyError::UnsupportedAlgorithm { .. }),
            "{err:?}"
        );

        for header in [
            r#"{"kid":"pool-key-1"}"#,
            r#"{"alg":"RS512","kid":"pool-key-1"}"#,
            r#"{"alg":"rs256"}"#,
            r#"{"alg":256}"#,
        ] {
            let t = format!("{}.{claims}.AAAA", jwt::b64url_encode(header.as_bytes()));
            let err = verify_at(&t, &o, NOW).await.unwrap_err();
            assert!(
                matches!(err, VerifyError::UnsupportedAlgorithm { .. }),
                "{header}: {err:?}"
            );
        }
        let t = format!(
            "{}.{claims}.AAAA",
            jwt::b64url_encode(br#"{"alg":"RS256"}"#)
        );
        assert!(matches!(
            verify_at(&t, &o, NOW).await.unwrap_err(),
            VerifyError::MissingKeyId
        ));
    }

    #[tokio::test]
    async fn garbage_is_malformed() {
        let o = opts("http://127.0.0.1:9/unused/.well-known/jwks.json", None);
        for t in [
            "",
            "garbage",
            "a.b",
            "a.b.c.d",
            "!!!.e30.",
            "e30.!!!.",
            "W10.e30.",
            "eyJhbGciOiJSUzI1NiJ9",
        ] {
            let err = verify_at(t, &o, NOW).await.unwrap_err();
            assert!(matches!(err, VerifyError::Malformed(_)), "{t:?}: {err:?}");
            assert!(err.to_string().starts_with("malformed token: "), "{err}");
        }
        let err = verify_at("not-a-token-but-a-secret", &o, NOW)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed token: not a JWT: expected 3 dot-separated parts, found 1"
        );
    }

    #[tokio::test]
    async fn jwks_problems_are_clear_errors() {
        let (k1, _) = keys();
        let t = k1.token(&id_claims());

        let srv = serve("404 Not Found", "nope".into()).await;
        let err = verify_at(&t, &opts(&srv.url, None), NOW).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot use the user pool's JWKS from {}: HTTP 404 Not Found",
                srv.url
            )
        );

        let cases: Vec<(String, &str)> = vec![
            ("{not json".into(), "not valid JSON"),
            ("[]".into(), "no \"keys\" array"),
            (r#"{"keys": {}}"#.into(), "no \"keys\" array"),
            (r#"{"keys": [{"kty": "RSA"}]}"#.into(), "key 0 is malformed"),
            (
                json!({"keys": vec![k1.jwk(); MAX_JWKS_KEYS + 1]}).to_string(),
                "too many keys (101, limit 100)",
            ),
            ("x".repeat(MAX_JWKS_BYTES + 1), "response too large"),
            (
                json!({"keys": [{"kid": k1.kid, "kty": "EC", "crv": "P-256"}]}).to_string(),
                "key pool-key-1 is a EC key, not RSA",
            ),
            (
                json!({"keys": [with(k1.jwk(), "alg", json!("RS512"))]}).to_string(),
                "key pool-key-1 is for RS512, not RS256",
            ),
            (
                json!({"keys": [with(k1.jwk(), "n", json!("!!"))]}).to_string(),
                "key pool-key-1 has an invalid modulus or exponent",
            ),
        ];
        for (body, want) in cases {
            let srv = serve("200 OK", body).await;
            let err = verify_at(&t, &opts(&srv.url, None), NOW).await.unwrap_err();
            assert!(matches!(err, VerifyError::Jwks { .. }), "{err:?}");
            assert!(err.to_string().contains(want), "{err} (wanted {want})");
        }

        // Connection refused: bind then drop a listener to get a free port.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = jwks_url(&format!("http://127.0.0.1:{port}"), POOL);
        let err = verify_at(&t, &opts(&url, None), NOW).await.unwrap_err();
        assert!(
            err.to_string().starts_with(&format!(
                "cannot use the user pool's JWKS from {url}: request failed"
            )),
            "{err}"
        );

        let err = verify_at(&t, &opts("ftp://example.com/jwks.json", None), NOW)
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .ends_with("only http:// and https:// URLs are supported"),
            "{err}"
        );
    }
}

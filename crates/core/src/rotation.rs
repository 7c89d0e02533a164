//! Refreshing that survives refresh-token rotation.
//!
//! `GetTokensFromRefreshToken` works whether or not the app client rotates
//! refresh tokens; when it rotates, the answer carries a **new** refresh
//! token and the old one stops working. It takes the client secret itself
//! (no SECRET_HASH, so no username to get wrong). Services that do not know
//! the operation (moto) get `REFRESH_TOKEN_AUTH` instead, and
//! [`RefreshMemory`] remembers that per endpoint so later refreshes cost one
//! request.
//!
//! Concurrent refreshes of one cache entry are serialized by
//! [`Cache::lock_entry`]: with rotation, two processes refreshing with the
//! same token would see the second refused and one new refresh token lost.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::PathBuf;

use aws_sdk_cognitoidentityprovider::config::http::HttpResponse;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use serde::{Deserialize, Serialize};
use tracing::{info, warn};

use crate::cache::{Cache, CacheKey};
use crate::login::{Step, step};
use crate::{Cognito, Error, Identity, Secret, Tokens};

/// Which operation refreshes tokens at an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshApi {
    /// `GetTokensFromRefreshToken` (Cognito; rotation-safe).
    GetTokens,
    /// `InitiateAuth` with `REFRESH_TOKEN_AUTH` (services without the former).
    InitiateAuth,
}

/// What a refresh returned.
#[derive(Clone, Debug)]
pub struct Refreshed {
    /// The new tokens; `refresh_token` is the new one when the client
    /// rotates, else the one refreshed with.
    pub tokens: Tokens,
    /// Whether Cognito returned a new refresh token (the old one is now dead).
    pub rotated: bool,
    /// The operation that worked.
    pub api: RefreshApi,
}

/// The error code Cognito gives a refresh token already rotated away.
pub const REUSE_CODE: &str = "RefreshTokenReuseException";

impl Cognito {
    /// Refreshes with `GetTokensFromRefreshToken` (unless `api` says the
    /// endpoint does not know it), falling back to `REFRESH_TOKEN_AUTH`
    /// (SECRET_HASH over `internal_username`) when the service does not know
    /// the operation. A refresh token already rotated away fails with
    /// Cognito's [`REUSE_CODE`].
    pub async fn refresh_rotating(
        &self,
        id: &Identity,
        refresh_token: &Secret,
        internal_username: &str,
        api: RefreshApi,
        device_key: Option<&str>,
    ) -> Result<Refreshed, Error> {
        if api == RefreshApi::GetTokens {
            match self.get_tokens(id, refresh_token, device_key).await {
                Ok(r) => return Ok(r),
                Err(Probe::Unknown(why)) => {
                    info!(
                        endpoint = self.endpoint(),
                        why, "GetTokensFromRefreshToken unknown here; using REFRESH_TOKEN_AUTH"
                    );
                }
                Err(Probe::Failed(e)) => return Err(e),
            }
        }
        let tokens = self
            .refresh_with_device(id, refresh_token, internal_username, device_key)
            .await?;
        Ok(Refreshed {
            rotated: false,
            tokens,
            api: RefreshApi::InitiateAuth,
        })
    }

    async fn get_tokens(
        &self,
        id: &Identity,
        refresh_token: &Secret,
        device_key: Option<&str>,
    ) -> Result<Refreshed, Probe> {
        info!(
            endpoint = self.endpoint(),
            "refreshing (GetTokensFromRefreshToken)"
        );
        let request = || {
            let mut req = self
                .sdk
                .get_tokens_from_refresh_token()
                .client_id(&id.client_id)
                .refresh_token(refresh_token.expose());
            if let Some(s) = &id.client_secret {
                req = req.client_secret(s.expose());
            }
            // A remembered device's refresh token is accepted only with its
            // device key.
            if let Some(k) = device_key {
                req = req.device_key(k);
            }
            req
        };
        let mut secrets = vec![refresh_token.expose().to_owned()];
        secrets.extend(id.client_secret.iter().map(|s| s.expose().to_owned()));
        // The first attempt alone, so a service that does not know the
        // operation costs one request (moto's HTML 500 would be retried);
        // anything that may pass on a retry then gets the usual retries.
        let once = request()
            .customize()
            .config_override(
                aws_sdk_cognitoidentityprovider::config::Builder::default()
                    .retry_config(RetryConfig::disabled()),
            )
            .send()
            .await;
        let out = match once {
            Ok(out) => out,
            Err(e) => {
                if let Some(why) = unknown_operation(&e, self.endpoint()) {
                    return Err(Probe::Unknown(why));
                }
                if !worth_retrying(&e) {
                    return Err(Probe::Failed(self.err(e).redact(&secrets)));
                }
                request()
                    .send()
                    .await
                    .map_err(|e| Probe::Failed(self.err(e).redact(&secrets)))?
            }
        };
        match step(
            "GetTokensFromRefreshToken response",
            out.authentication_result(),
            None,
            None,
            None,
        )
        .map_err(Probe::Failed)?
        {
            Step::Done(mut tokens) => {
                let rotated = tokens
                    .refresh_token
                    .as_ref()
                    .is_some_and(|t| t != refresh_token);
                if tokens.refresh_token.is_none() {
                    tokens.refresh_token = Some(refresh_token.clone());
                }
                Ok(Refreshed {
                    tokens,
                    rotated,
                    api: RefreshApi::GetTokens,
                })
            }
            Step::Challenge(_) => Err(Probe::Failed(Error::Protocol {
                context: "GetTokensFromRefreshToken response",
                message: "a challenge instead of tokens".into(),
            })),
        }
    }
}

enum Probe {
    /// The service does not know the operation (the reason, for the log).
    Unknown(&'static str),
    Failed(Error),
}

/// Whether an error says the service does not implement an operation: an
/// error code saying so, or, from an endpoint other than AWS's own,
/// cognito-local's `Unsupported` or an HTTP 404/405/500/501 whose body is
/// not JSON (moto answers an unknown action with an HTML 500 page). AWS's endpoints always know the operation, so
/// their errors are never taken for this.
fn unknown_operation<E: ProvideErrorMetadata>(
    e: &SdkError<E, HttpResponse>,
    endpoint: &str,
) -> Option<&'static str> {
    if let SdkError::ServiceError(se) = e
        && matches!(
            se.err().code(),
            Some(
                "UnknownOperationException"
                    | "InvalidAction"
                    | "NotImplementedException"
                    | "NotImplemented"
                    | "UnsupportedOperationException"
            )
        )
    {
        return Some("the service says the operation is unknown");
    }
    if is_aws_endpoint(endpoint) {
        return None;
    }
    // cognito-local answers an operation it lacks with a JSON 500 of type
    // `CognitoLocal#Unsupported` (checked by the emulator suite's
    // `cognito_local::cache::refresh_hashes_over_the_internal_username`).
    if let SdkError::ServiceError(se) = e
        && se.err().code() == Some("Unsupported")
    {
        return Some("the emulator says it does not support the operation");
    }
    let raw = e.raw_response()?;
    let status = raw.status().as_u16();
    if !matches!(status, 404 | 405 | 500 | 501) {
        return None;
    }
    let body = raw.body().bytes().unwrap_or_default();
    let json = serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| v.is_object());
    (!json).then_some("the service answered the operation with a non-JSON error page")
}

/// Whether a failed first attempt may pass when tried again: throttling,
/// server errors and connection failures, not a refusal or a timeout (which
/// already took the whole time limit).
fn worth_retrying<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> bool {
    match e {
        SdkError::TimeoutError(_) | SdkError::ConstructionFailure(_) => false,
        SdkError::DispatchFailure(d) => !d.is_timeout(),
        SdkError::ServiceError(se) => {
            let status = se.raw().status().as_u16();
            status == 429
                || status >= 500
                || matches!(
                    se.err().code(),
                    Some("TooManyRequestsException" | "ThrottlingException" | "Throttling")
                )
        }
        _ => true,
    }
}

fn is_aws_endpoint(endpoint: &str) -> bool {
    url_host(endpoint)
        .is_some_and(|h| h.ends_with(".amazonaws.com") || h.ends_with(".amazonaws.com.cn"))
}

fn url_host(endpoint: &str) -> Option<&str> {
    let rest = endpoint.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next(),
        None => host.split(':').next(),
    }
}

// ------------------------------------------------------------------ memory

const MEMORY_FILE: &str = "refresh-api.json";
const MEMORY_FORMAT: u32 = 1;
const MAX_MEMORY_BYTES: u64 = 64 * 1024;

#[derive(Default, Serialize, Deserialize)]
struct MemoryOnDisk {
    format: u32,
    /// Endpoints that do not know `GetTokensFromRefreshToken`.
    initiate_auth: BTreeSet<String>,
}

/// Per endpoint, which refresh operation works: a small file
/// (`refresh-api.json`) in the cache directory, with the cache's file rules
/// (0600, written atomically). A missing or corrupt file means "try
/// `GetTokensFromRefreshToken`"; it never holds a secret.
#[derive(Clone, Debug)]
pub struct RefreshMemory {
    path: PathBuf,
    cache: Cache,
}

impl RefreshMemory {
    /// The memory kept next to `cache`'s entries.
    pub fn of(cache: &Cache) -> RefreshMemory {
        RefreshMemory {
            path: cache.dir().join(MEMORY_FILE),
            cache: cache.clone(),
        }
    }

    fn read(&self) -> MemoryOnDisk {
        let Ok(f) = fs::File::open(&self.path) else {
            return MemoryOnDisk::default();
        };
        let mut buf = Vec::new();
        if f.take(MAX_MEMORY_BYTES + 1).read_to_end(&mut buf).is_err()
            || buf.len() as u64 > MAX_MEMORY_BYTES
        {
            return MemoryOnDisk::default();
        }
        match serde_json::from_slice::<MemoryOnDisk>(&buf) {
            Ok(m) if m.format == MEMORY_FORMAT => m,
            _ => MemoryOnDisk::default(),
        }
    }

    /// The operation to try first at `endpoint`.
    pub fn api_for(&self, endpoint: &str) -> RefreshApi {
        if self.read().initiate_auth.contains(endpoint) {
            RefreshApi::InitiateAuth
        } else {
            RefreshApi::GetTokens
        }
    }

    /// Records which operation worked at `endpoint` (only a change writes).
    pub fn record(&self, endpoint: &str, api: RefreshApi) -> io::Result<()> {
        let mut m = self.read();
        m.format = MEMORY_FORMAT;
        let changed = match api {
            RefreshApi::InitiateAuth => m.initiate_auth.insert(endpoint.to_owned()),
            RefreshApi::GetTokens => m.initiate_auth.remove(endpoint),
        };
        if !changed {
            return Ok(());
        }
        crate::private_file::ensure_private_dir(self.cache.dir())
            .map_err(|why| io::Error::other(why.to_string()))?;
        let data = serde_json::to_vec(&m).map_err(io::Error::other)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(self.cache.dir())?;
        tmp.write_all(&data)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

// ------------------------------------------------------------------ lock

/// An exclusive advisory lock on one cache entry (a `.lock` file beside
/// it, 0600), held until dropped. Blocks while another process holds it.
#[derive(Debug)]
pub struct EntryLock {
    _file: fs::File,
}

impl Cache {
    /// Takes the entry's lock, waiting for another process to release it.
    /// Hold it from reading the refresh token until the refreshed tokens are
    /// stored, and read the entry again after taking it.
    pub fn lock_entry(&self, key: &CacheKey) -> io::Result<EntryLock> {
        crate::private_file::ensure_private_dir(self.dir())
            .map_err(|why| io::Error::other(why.to_string()))?;
        let path = self.path(key).with_extension("lock");
        let mut opts = fs::OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        let file = opts.open(&path)?;
        if let Err(e) = file.lock() {
            warn!(error = %e, "cannot lock the cache entry");
            return Err(e);
        }
        Ok(EntryLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_endpoints() {
        assert_eq!(
            url_host("https://cognito-idp.us-east-1.amazonaws.com"),
            Some("cognito-idp.us-east-1.amazonaws.com")
        );
        assert_eq!(url_host("http://127.0.0.1:5000/"), Some("127.0.0.1"));
        assert_eq!(url_host("http://localhost:4566"), Some("localhost"));
        assert!(is_aws_endpoint(
            "https://cognito-idp.ap-northeast-1.amazonaws.com/"
        ));
        assert!(!is_aws_endpoint("http://127.0.0.1:5000"));
        assert!(!is_aws_endpoint("http://amazonaws.com.evil.test"));
    }

    #[test]
    fn memory_round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().join("c"));
        let m = RefreshMemory::of(&cache);
        assert_eq!(m.api_for("http://127.0.0.1:1"), RefreshApi::GetTokens);
        m.record("http://127.0.0.1:1", RefreshApi::InitiateAuth)
            .unwrap();
        assert_eq!(m.api_for("http://127.0.0.1:1"), RefreshApi::InitiateAuth);
        assert_eq!(m.api_for("http://127.0.0.1:2"), RefreshApi::GetTokens);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("c").join(MEMORY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        m.record("http://127.0.0.1:1", RefreshApi::GetTokens)
            .unwrap();
        assert_eq!(m.api_for("http://127.0.0.1:1"), RefreshApi::GetTokens);
        fs::write(dir.path().join("c").join(MEMORY_FILE), b"{garbage").unwrap();
        assert_eq!(m.api_for("http://127.0.0.1:1"), RefreshApi::GetTokens);
    }

    #[test]
    fn entry_lock_excludes_a_second_holder() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().join("c"));
        let key = CacheKey {
            endpoint: "e".into(),
            region: "us-east-1".into(),
            client_id: "c".into(),
            username: "u".into(),
        };
        let held = cache.lock_entry(&key).unwrap();
        let path = cache.path(&key).with_extension("lock");
        let other = fs::OpenOptions::new().write(true).open(&path).unwrap();
        assert!(matches!(
            other.try_lock(),
            Err(fs::TryLockError::WouldBlock)
        ));
        drop(held);
        other.try_lock().unwrap();
    }
}

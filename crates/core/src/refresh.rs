//! Refreshing tokens and revoking refresh tokens through the user-pool API.
//!
//! `GetTokensFromRefreshToken` works whether or not the app client rotates
//! refresh tokens; when it rotates, the answer carries a **new** refresh
//! token and the old one stops working. It takes the client secret itself
//! (no SECRET_HASH, so no username to get wrong). Services that do not know
//! the operation (moto) get `REFRESH_TOKEN_AUTH` instead (SECRET_HASH over
//! the ID token's `cognito:username`), and [`KnownOperations`], a record of
//! the store, remembers that per endpoint so later refreshes cost one
//! request. `RevokeToken` takes the client secret itself.
//!
//! Concurrent refreshes of one cache entry are serialized by the session
//! (`session/current.rs`) with the store's per-record lock.

use std::collections::BTreeSet;

use aws_sdk_cognitoidentityprovider::config::http::HttpResponse;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use serde::{Deserialize, Serialize};
use tracing::info;

use crate::sdk::Sdk;
use crate::sign_in::{Step, answer_of, step};
use crate::store::{Key, Lookup, Record, Store};
use crate::{Error, Identity, Secret, Tokens};

/// Which operation refreshes tokens at an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshOperation {
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
    /// Whether a new refresh token came (the old one is now dead).
    pub rotated: bool,
    /// The operation that worked.
    pub operation: RefreshOperation,
}

/// The error code Cognito gives a refresh token already rotated away.
pub const REUSE_CODE: &str = "RefreshTokenReuseException";

/// Refreshes with `GetTokensFromRefreshToken` (unless `operation` says the
/// endpoint does not know it), falling back to `REFRESH_TOKEN_AUTH`
/// (SECRET_HASH over `internal_username`) when the service does not know
/// the operation. A refresh token already rotated away fails with Cognito's
/// [`REUSE_CODE`].
pub(crate) async fn rotating(
    sdk: &Sdk,
    id: &Identity,
    refresh_token: &Secret,
    internal_username: &str,
    operation: RefreshOperation,
    device_key: Option<&str>,
) -> Result<Refreshed, Error> {
    if operation == RefreshOperation::GetTokens {
        match get_tokens(sdk, id, refresh_token, device_key).await {
            Ok(r) => return Ok(r),
            Err(Probe::Unknown(why)) => {
                info!(
                    endpoint = sdk.endpoint(),
                    why, "GetTokensFromRefreshToken unknown here; using REFRESH_TOKEN_AUTH"
                );
            }
            Err(Probe::Failed(e)) => return Err(e),
        }
    }
    let tokens = initiate_auth(sdk, id, refresh_token, internal_username, device_key).await?;
    Ok(Refreshed {
        rotated: false,
        tokens,
        operation: RefreshOperation::InitiateAuth,
    })
}

async fn get_tokens(
    sdk: &Sdk,
    id: &Identity,
    refresh_token: &Secret,
    device_key: Option<&str>,
) -> Result<Refreshed, Probe> {
    info!(
        endpoint = sdk.endpoint(),
        "refreshing (GetTokensFromRefreshToken)"
    );
    let request = || {
        let mut req = sdk
            .client
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
            if let Some(why) = unknown_operation(&e, sdk.endpoint()) {
                return Err(Probe::Unknown(why));
            }
            if !worth_retrying(&e) {
                return Err(Probe::Failed(sdk.err(e).redact(&secrets)));
            }
            request()
                .send()
                .await
                .map_err(|e| Probe::Failed(sdk.err(e).redact(&secrets)))?
        }
    };
    let answer = crate::sign_in::challenge::Answer {
        result: out.authentication_result(),
        name: None,
        params: None,
        session: None,
        available: &[],
    };
    match step("GetTokensFromRefreshToken response", answer).map_err(Probe::Failed)? {
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
                operation: RefreshOperation::GetTokens,
            })
        }
        Step::Challenge(_) => Err(Probe::Failed(Error::Protocol {
            context: "GetTokensFromRefreshToken response",
            message: "a challenge instead of tokens".into(),
        })),
    }
}

/// Gets fresh ID and access tokens with `REFRESH_TOKEN_AUTH`. The
/// SECRET_HASH is computed over `internal_username` (the ID token's
/// `cognito:username`), which is what Cognito checks; a remembered device's
/// tokens need its `DEVICE_KEY`. The refresh token is kept in the result,
/// since Cognito returns none.
pub(crate) async fn initiate_auth(
    sdk: &Sdk,
    id: &Identity,
    refresh_token: &Secret,
    internal_username: &str,
    device_key: Option<&str>,
) -> Result<Tokens, Error> {
    info!(endpoint = sdk.endpoint(), "refreshing");
    let mut req = sdk
        .client
        .initiate_auth()
        .client_id(&id.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh_token.expose());
    let hash = id.secret_hash(internal_username);
    if let Some(h) = &hash {
        req = req.auth_parameters("SECRET_HASH", h.expose());
    }
    if let Some(k) = device_key {
        req = req.auth_parameters("DEVICE_KEY", k);
    }
    let mut secrets = vec![refresh_token.expose().to_owned()];
    secrets.extend(hash.map(|h| h.expose().to_owned()));
    secrets.extend(id.client_secret.iter().map(|s| s.expose().to_owned()));
    let out = req.send().await.map_err(|e| sdk.err(e).redact(&secrets))?;
    match step("InitiateAuth response", answer_of!(out))? {
        Step::Done(mut tokens) => {
            if tokens.refresh_token.is_none() {
                tokens.refresh_token = Some(refresh_token.clone());
            }
            Ok(tokens)
        }
        Step::Challenge(ch) => Err(Error::UnsupportedChallenge(format!(
            "{} during refresh",
            ch.name.as_str()
        ))),
    }
}

/// Revokes a refresh token (and the tokens issued from it).
pub(crate) async fn revoke(sdk: &Sdk, id: &Identity, refresh_token: &Secret) -> Result<(), Error> {
    let mut req = sdk
        .client
        .revoke_token()
        .client_id(&id.client_id)
        .token(refresh_token.expose());
    if let Some(s) = &id.client_secret {
        req = req.client_secret(s.expose());
    }
    let mut secrets = vec![refresh_token.expose().to_owned()];
    secrets.extend(id.client_secret.iter().map(|s| s.expose().to_owned()));
    req.send().await.map_err(|e| sdk.err(e).redact(&secrets))?;
    Ok(())
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

/// The name of the one [`KnownOperations`] record.
#[derive(Clone, Copy, Debug)]
pub struct KnownOperationsFile;

impl Key for KnownOperationsFile {
    fn file_name(&self) -> String {
        "refresh-api.json".into()
    }
}

/// Per endpoint, which refresh operation works: a record of the store
/// (`refresh-api.json`, beside the cache's entries). Missing or unusable
/// means "try `GetTokensFromRefreshToken`"; it never holds a secret.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct KnownOperations {
    /// Endpoints that do not know `GetTokensFromRefreshToken`.
    initiate_auth: BTreeSet<String>,
}

impl Record for KnownOperations {
    type Key = KnownOperationsFile;
    const FORMAT: u32 = 1;
    const MAX_BYTES: u64 = 64 * 1024;
    const WHAT: &'static str = "a list of refresh operations";

    fn is_for(&self, _: &KnownOperationsFile) -> bool {
        true
    }
}

impl KnownOperations {
    /// What `store` knows (nothing when the record is missing or unusable).
    pub fn read(store: &Store) -> KnownOperations {
        match store.load::<KnownOperations>(&KnownOperationsFile) {
            Lookup::Hit(k) => k,
            Lookup::Miss => KnownOperations::default(),
            Lookup::Unusable(why) => {
                tracing::debug!(why, "ignoring the refresh operations file");
                KnownOperations::default()
            }
        }
    }

    /// The operation to try first at `endpoint`.
    pub fn operation_at(&self, endpoint: &str) -> RefreshOperation {
        if self.initiate_auth.contains(endpoint) {
            RefreshOperation::InitiateAuth
        } else {
            RefreshOperation::GetTokens
        }
    }

    /// These operations, with `operation` the one that works at `endpoint`.
    #[must_use]
    pub fn with(mut self, endpoint: &str, operation: RefreshOperation) -> KnownOperations {
        match operation {
            RefreshOperation::InitiateAuth => self.initiate_auth.insert(endpoint.to_owned()),
            RefreshOperation::GetTokens => self.initiate_auth.remove(endpoint),
        };
        self
    }

    /// Writes them to `store`.
    pub fn write(&self, store: &Store) -> std::io::Result<()> {
        store.put(&KnownOperationsFile, self).map(drop)
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
    fn known_operations_round_trip_private_and_ignore_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join("c"));
        let e1 = "http://127.0.0.1:1";
        let k = KnownOperations::read(&store);
        assert_eq!(k.operation_at(e1), RefreshOperation::GetTokens);
        k.with(e1, RefreshOperation::InitiateAuth)
            .write(&store)
            .unwrap();
        let k = KnownOperations::read(&store);
        assert_eq!(k.operation_at(e1), RefreshOperation::InitiateAuth);
        assert_eq!(
            k.operation_at("http://127.0.0.1:2"),
            RefreshOperation::GetTokens
        );
        let path = store.path(&KnownOperationsFile);
        assert!(path.ends_with("refresh-api.json"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            // Read with the store's rules now: a file others can change is
            // not believed (it was read with a plain open before).
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
            assert_eq!(
                KnownOperations::read(&store).operation_at(e1),
                RefreshOperation::GetTokens
            );
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        k.with(e1, RefreshOperation::GetTokens)
            .write(&store)
            .unwrap();
        assert_eq!(
            KnownOperations::read(&store).operation_at(e1),
            RefreshOperation::GetTokens
        );
        std::fs::write(&path, b"{garbage").unwrap();
        assert_eq!(
            KnownOperations::read(&store).operation_at(e1),
            RefreshOperation::GetTokens
        );
        // The first format's file still reads.
        std::fs::write(&path, format!(r#"{{"format":1,"initiate_auth":["{e1}"]}}"#)).unwrap();
        assert_eq!(
            KnownOperations::read(&store).operation_at(e1),
            RefreshOperation::InitiateAuth
        );
    }
}

//! Refreshing cached tokens for `token` and `exec`, whatever source made
//! them, safe under refresh-token rotation and concurrent processes.
//!
//! Where the refresh goes is the cache record's business: core's
//! `source::refresh` dispatches on the entry's source (`InitiateAuth`:
//! `GetTokensFromRefreshToken` / `REFRESH_TOKEN_AUTH`; the browser grant:
//! the domain's `/oauth2/token`; client credentials: grant again).
//!
//! The entry's lock is held from reading the refresh token until the new
//! tokens are stored, and the entry is read again once the lock is held: a
//! process that waited finds the tokens another one just stored and makes
//! no request. The new refresh token (when the client rotates) is stored in
//! the same atomic write as the new ID and access tokens.

use std::time::Duration;

use cognito_token_core::cache::{Cache, CacheKey, Entry, Lookup, Source};
use cognito_token_core::rotation::{REUSE_CODE, RefreshApi, RefreshMemory};
use cognito_token_core::source::{self, Connect};
use cognito_token_core::{Error, ErrorKind, Identity, Tokens, now};
use tracing::info;

/// What refreshing gave.
pub enum Refresh {
    /// Fresh tokens (already stored unless `--no-cache`).
    Tokens(Tokens),
    /// No refresh: a full sign-in may follow. `error`: why (none when the
    /// source has no refresh); `reused`: the refresh token had been rotated
    /// away (`RefreshTokenReuseException`).
    SignIn { error: Option<Error>, reused: bool },
}

/// What a refresh needs besides the cached entry.
pub struct Refresher<'a, C> {
    /// The process's one SDK client, built on first use.
    pub connect: &'a C,
    /// The app client (id and secret) the tokens were issued to.
    pub client: &'a Identity,
    /// Hosts other than loopback that may be reached over plain HTTP.
    pub insecure_hosts: &'a [String],
    /// The timeout of one OAuth2 request.
    pub timeout: Duration,
    /// The remembered device's key, if any (read only when a request is made).
    pub device_key: &'a dyn Fn() -> Option<String>,
    /// Whether to hold the entry's lock (a `.lock` file next to it) while
    /// refreshing: `InitiateAuth` entries. The OAuth2 entries refresh
    /// without it, and their `logout` leaves the directory as it found it.
    pub lock: bool,
}

/// Refreshes `cached` (which has a refresh token), under the entry's lock.
/// Failures Cognito gives a reason for come back as [`Refresh::SignIn`].
pub async fn refresh<C: Connect>(
    r: &Refresher<'_, C>,
    cache: Option<&Cache>,
    key: &CacheKey,
    cached: Entry,
    min_ttl: u64,
    store: bool,
) -> Result<Refresh, Error> {
    let _lock = match cache
        .filter(|_| r.lock)
        .map(|c| c.lock_entry(key))
        .transpose()
    {
        Ok(l) => l,
        Err(e) => {
            eprintln!("warning: cannot lock the token cache ({e}); refreshing without the lock");
            None
        }
    };
    // Another process may have refreshed (and rotated) while this one waited.
    let current = match cache.map(|c| c.load(key)) {
        Some(Lookup::Hit(e)) => e,
        _ => cached,
    };
    if current.tokens.expires_in(now()) > i64::try_from(min_ttl).unwrap_or(i64::MAX) {
        info!("another process refreshed the tokens");
        return Ok(Refresh::Tokens(current.tokens));
    }
    let Some(refresh_token) = current.tokens.refresh_token.clone() else {
        return Ok(Refresh::SignIn {
            error: current
                .source
                .refreshes()
                .then(|| Error::Config("no refresh token".into())),
            reused: false,
        });
    };
    let internal = current
        .tokens
        .internal_username()
        .unwrap_or_else(|| r.client.username.clone());
    let endpoint = key.endpoint.clone();
    let memory = cache.map(RefreshMemory::of);
    let api = memory
        .as_ref()
        .map(|m| m.api_for(&endpoint))
        .unwrap_or(RefreshApi::GetTokens);
    let device_key = (r.device_key)();
    let req = source::Request {
        client: r.client,
        refresh_token: &refresh_token,
        internal_username: &internal,
        api,
        device_key: device_key.as_deref(),
        insecure_hosts: r.insecure_hosts,
        timeout: r.timeout,
    };
    match source::refresh(&current.source, &req, r.connect).await {
        Ok(source::Refresh::Done(done)) => {
            if done.api != api
                && let Some(m) = &memory
                && let Err(e) = m.record(&endpoint, done.api)
            {
                eprintln!("warning: cannot remember how {endpoint} refreshes tokens: {e}");
            }
            if let Some(c) = cache
                && (store || done.rotated)
            {
                // With rotation the old refresh token is dead: keep the new
                // one even under --no-cache, or the session is lost.
                let source = match current.source {
                    Source::Browser { domain, user } => Source::Browser {
                        domain,
                        user: user.or_else(|| done.tokens.internal_username()),
                    },
                    other => other,
                };
                crate::store::store_in(
                    c,
                    &Entry {
                        key: key.clone(),
                        tokens: done.tokens.clone(),
                        source,
                    },
                );
            }
            Ok(Refresh::Tokens(done.tokens))
        }
        Ok(source::Refresh::GrantAgain) => Ok(Refresh::SignIn {
            error: None,
            reused: false,
        }),
        Err(e) if e.code() == Some(REUSE_CODE) => Ok(Refresh::SignIn {
            error: Some(e),
            reused: true,
        }),
        Err(e) if e.kind() == ErrorKind::Rejected => Ok(Refresh::SignIn {
            error: Some(e),
            reused: false,
        }),
        Err(e) => Err(e),
    }
}

//! Refreshing cached tokens for `token` and `exec`, safe under refresh-token
//! rotation and concurrent processes.
//!
//! The entry's lock is held from reading the refresh token until the new
//! tokens are stored, and the entry is read again once the lock is held: a
//! process that waited finds the tokens another one just stored and makes
//! no request. The new refresh token (when the client rotates) is stored in
//! the same atomic write as the new ID and access tokens.

use cognito_token_core::cache::{Cache, Entry, Lookup};
use cognito_token_core::rotation::{REUSE_CODE, RefreshMemory};
use cognito_token_core::{ErrorKind, Tokens, now};
use tracing::info;

use crate::resolve::Resolved;

/// What refreshing gave.
pub enum Refresh {
    /// Fresh tokens (already stored unless `--no-cache`).
    Tokens(Tokens),
    /// Cognito refused the refresh token; a full sign-in may follow.
    /// `reused`: it had been rotated away (`RefreshTokenReuseException`).
    SignIn {
        error: cognito_token_core::Error,
        reused: bool,
    },
}

/// Refreshes `cached` (which has a refresh token), under the entry's lock.
pub async fn refresh(
    r: &Resolved,
    cache: Option<&Cache>,
    cached: Tokens,
    min_ttl: u64,
    store: bool,
) -> anyhow::Result<Refresh> {
    let key = r.cache_key();
    let _lock = match cache.map(|c| c.lock_entry(&key)).transpose() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("warning: cannot lock the token cache ({e}); refreshing without the lock");
            None
        }
    };
    // Another process may have refreshed (and rotated) while this one waited.
    let current = match cache.map(|c| c.load(&key)) {
        Some(Lookup::Hit(e)) => e.tokens,
        _ => cached,
    };
    if current.expires_in(now()) > min_ttl as i64 {
        info!("another process refreshed the tokens");
        return Ok(Refresh::Tokens(current));
    }
    let Some(refresh_token) = current.refresh_token.clone() else {
        return Ok(Refresh::SignIn {
            error: cognito_token_core::Error::Config("no refresh token".into()),
            reused: false,
        });
    };
    let internal = current
        .internal_username()
        .unwrap_or_else(|| r.identity.username.clone());
    let endpoint = key.endpoint.clone();
    let memory = cache.map(RefreshMemory::of);
    let api = memory
        .as_ref()
        .map(|m| m.api_for(&endpoint))
        .unwrap_or(cognito_token_core::rotation::RefreshApi::GetTokens);
    let cognito = r.cognito().await?;
    let device = crate::devices::load(r);
    match cognito
        .refresh_rotating(
            &r.identity,
            &refresh_token,
            &internal,
            api,
            device.as_ref().map(|d| d.key.as_str()),
        )
        .await
    {
        Ok(done) => {
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
                if let Err(e) = c.store(&Entry {
                    key,
                    tokens: done.tokens.clone(),
                    source: Default::default(),
                }) {
                    eprintln!(
                        "warning: cannot write the token cache in {}: {e}",
                        c.dir().display()
                    );
                }
            }
            Ok(Refresh::Tokens(done.tokens))
        }
        Err(e) if e.code() == Some(REUSE_CODE) => Ok(Refresh::SignIn {
            error: e,
            reused: true,
        }),
        Err(e) if e.kind() == ErrorKind::Rejected => Ok(Refresh::SignIn {
            error: e,
            reused: false,
        }),
        Err(e) => Err(e.into()),
    }
}

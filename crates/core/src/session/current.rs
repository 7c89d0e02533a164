//! The one algorithm for current tokens, whatever their source:
//!
//! 1. the cached entry while more than `min_ttl` seconds remain (no lock,
//!    no network);
//! 2. else, with a refresh token: take the entry's lock, read it again (a
//!    process that waited finds what another one just stored and makes no
//!    request), refresh where the entry's source says, and store the new
//!    tokens, the new refresh token included when the client rotates, in
//!    the same atomic write, even under `--no-cache` (the old refresh token
//!    is dead by then);
//! 3. else the sign-in the caller supplies, told why the cache could not
//!    serve ([`Stale`]), and its tokens stored.
//!
//! Nothing here prints: what went wrong on the way comes to the caller's
//! [`Report`] as a [`Warning`], and the caller decides what to say.

use std::future::Future;
use std::io;
use std::path::Path;
use std::time::Duration;

use tracing::info;

use super::records::{CacheKey, DeviceOwner, DeviceRecord, Entry};
use super::source::{self, Connect, Request, Source};
use crate::refresh::{KnownOperations, REUSE_CODE, RefreshOperation};
use crate::store::{Lookup, Store};
use crate::{Error, ErrorKind, Identity, Tokens, now};

/// Something the caller may want to tell the user about; none stops the
/// session.
#[derive(Debug)]
#[non_exhaustive]
pub enum Warning<'a> {
    /// The cached entry cannot be used (the reason names the file).
    CacheUnusable(&'a str),
    /// The remembered device's file cannot be used.
    DeviceUnusable(&'a str),
    /// There is no store (no cache directory): tokens are not kept.
    NoStore,
    /// The tokens could not be written to the store.
    NotStored {
        /// The store's directory.
        dir: &'a Path,
        /// Why.
        error: &'a io::Error,
    },
    /// The entry's lock could not be taken: refreshing without it.
    NotLocked(&'a io::Error),
    /// Which refresh operation works at `endpoint` could not be remembered.
    OperationNotKept {
        /// The endpoint.
        endpoint: &'a str,
        /// Why.
        error: &'a io::Error,
    },
}

/// Where a session's warnings go.
pub trait Report {
    /// Tells the user, or not.
    fn warn(&self, warning: Warning<'_>);
}

/// Why the cache could not serve current tokens: what the sign-in the
/// caller supplies is told.
#[derive(Debug)]
pub enum Stale {
    /// No usable entry, or one without a refresh token, or a source that
    /// grants again instead of refreshing.
    Missing,
    /// The refresh was refused (the reason, Cognito's or the domain's).
    Refused(Error),
    /// The refresh token had been rotated away by another refresh
    /// (`RefreshTokenReuseException`): signing in again is the only way.
    RotatedAway(Error),
}

/// The tokens of one identity at one place: where they are kept, which
/// source makes them, and what a refresh needs.
#[derive(Debug)]
pub struct Session {
    /// Where entries are kept; `None`: nowhere (no cache directory).
    pub store: Option<Store>,
    /// The entry's key.
    pub key: CacheKey,
    /// The source a sign-in here makes tokens with; a cached entry of
    /// another kind of source is not used.
    pub source: Source,
    /// The app client (and, for `InitiateAuth`, the user) the tokens are for.
    pub client: Identity,
    /// Where this user's remembered device is kept (`InitiateAuth`): its key
    /// goes with a refresh.
    pub device: Option<DeviceOwner>,
    /// Hosts other than loopback that may be reached over plain HTTP.
    pub insecure_hosts: Vec<String>,
    /// The timeout of one OAuth2 request.
    pub timeout: Duration,
    /// Whether new tokens are written to the store (`false`: `--no-cache`;
    /// a rotated refresh token is written all the same).
    pub write: bool,
}

impl Session {
    /// The cached entry as stored, whatever its source; `None` without a
    /// store.
    pub fn lookup(&self) -> Option<Lookup<Entry>> {
        self.store.as_ref().map(|s| s.load::<Entry>(&self.key))
    }

    /// The cached entry, when it is usable and of this session's kind of
    /// source.
    pub fn cached(&self, report: &dyn Report) -> Option<Entry> {
        match self.lookup()? {
            Lookup::Hit(e) if e.source.same_kind(&self.source) => Some(e),
            Lookup::Hit(_) | Lookup::Miss => None,
            Lookup::Unusable(why) => {
                report.warn(Warning::CacheUnusable(&why));
                None
            }
        }
    }

    /// Current tokens: the cache while more than `min_ttl` seconds remain,
    /// else a refresh (under the entry's lock), else `sign_in`, told why.
    /// Failures the service gives a reason for come to `sign_in` as
    /// [`Stale`]; others (unreachable, a broken answer) end the call.
    pub async fn current<C, F, Fut, E>(
        &self,
        min_ttl: u64,
        connect: &C,
        report: &dyn Report,
        sign_in: F,
    ) -> Result<Tokens, E>
    where
        C: Connect,
        F: FnOnce(Stale) -> Fut,
        Fut: Future<Output = Result<Tokens, E>>,
        E: From<Error>,
    {
        let min_ttl = i64::try_from(min_ttl).unwrap_or(i64::MAX);
        let cached = self.cached(report);
        let now = now();
        if let Some(e) = &cached
            && e.tokens.expires_in(now) > min_ttl
        {
            info!(expires_in = e.tokens.expires_in(now), "using cached tokens");
            return Ok(e.tokens.clone());
        }
        let stale = match cached.filter(|e| e.tokens.refresh_token.is_some()) {
            Some(entry) => match self.refresh(entry, min_ttl, connect, report).await? {
                Ok(tokens) => return Ok(tokens),
                Err(stale) => stale,
            },
            None => Stale::Missing,
        };
        let tokens = sign_in(stale).await?;
        self.keep(&tokens, report);
        Ok(tokens)
    }

    /// Writes `tokens` (a sign-in's) to the store, unless the session does
    /// not write; a failure is a warning.
    pub fn keep(&self, tokens: &Tokens, report: &dyn Report) {
        if self.write {
            self.put(tokens, &self.source, report);
        }
    }

    fn put(&self, tokens: &Tokens, source: &Source, report: &dyn Report) {
        let Some(store) = &self.store else {
            report.warn(Warning::NoStore);
            return;
        };
        let entry = Entry {
            key: self.key.clone(),
            tokens: tokens.clone(),
            source: source.for_tokens(tokens),
        };
        if let Err(error) = store.put(&self.key, &entry) {
            report.warn(Warning::NotStored {
                dir: store.dir(),
                error: &error,
            });
        }
    }

    /// The remembered device's key, read from its file.
    fn device_key(&self, report: &dyn Report) -> Option<String> {
        let (store, owner) = (self.store.as_ref()?, self.device.as_ref()?);
        match store.load::<DeviceRecord>(owner) {
            Lookup::Hit(r) => Some(r.device.key),
            Lookup::Miss => None,
            Lookup::Unusable(why) => {
                report.warn(Warning::DeviceUnusable(&why));
                None
            }
        }
    }

    /// Refreshes `cached` (which has a refresh token) under the entry's
    /// lock. `Ok(Err(_))`: why a sign-in must follow.
    async fn refresh(
        &self,
        cached: Entry,
        min_ttl: i64,
        connect: &impl Connect,
        report: &dyn Report,
    ) -> Result<Result<Tokens, Stale>, Error> {
        let _lock = match self.store.as_ref().map(|s| s.lock(&self.key)).transpose() {
            Ok(lock) => lock,
            Err(e) => {
                report.warn(Warning::NotLocked(&e));
                None
            }
        };
        // Another process may have refreshed (and rotated) while this one waited.
        let current = match self.lookup() {
            Some(Lookup::Hit(e)) if e.source.same_kind(&self.source) => e,
            _ => cached,
        };
        if current.tokens.expires_in(now()) > min_ttl {
            info!("another process refreshed the tokens");
            return Ok(Ok(current.tokens));
        }
        let Some(refresh_token) = current.tokens.refresh_token.clone() else {
            return Ok(Err(if current.source.refreshes() {
                Stale::Refused(Error::Config("no refresh token".into()))
            } else {
                Stale::Missing
            }));
        };
        let internal = current
            .tokens
            .internal_username()
            .unwrap_or_else(|| self.client.username.clone());
        let endpoint = self.key.endpoint.as_str();
        let known = self
            .store
            .as_ref()
            .map(KnownOperations::read)
            .unwrap_or_default();
        let operation = known.operation_at(endpoint);
        let device_key = match current.source {
            Source::InitiateAuth { .. } => self.device_key(report),
            _ => None,
        };
        let req = Request {
            client: &self.client,
            refresh_token: &refresh_token,
            internal_username: &internal,
            operation,
            device_key: device_key.as_deref(),
            insecure_hosts: &self.insecure_hosts,
            timeout: self.timeout,
        };
        match source::refresh(&current.source, &req, connect).await {
            Ok(Some(done)) => {
                if done.operation != operation
                    && let Some(store) = &self.store
                    && let Err(error) = known.with(endpoint, done.operation).write(store)
                {
                    report.warn(Warning::OperationNotKept {
                        endpoint,
                        error: &error,
                    });
                }
                // With rotation the old refresh token is dead: keep the new
                // one even when the session does not write, or it is lost.
                if self.write || done.rotated {
                    self.put(&done.tokens, &current.source, report);
                }
                Ok(Ok(done.tokens))
            }
            Ok(None) => Ok(Err(Stale::Missing)),
            Err(e) if e.code() == Some(REUSE_CODE) => Ok(Err(Stale::RotatedAway(e))),
            Err(e) if e.kind() == ErrorKind::Rejected => Ok(Err(Stale::Refused(e))),
            Err(e) => Err(e),
        }
    }

    /// Revokes `entry`'s refresh token where its source says (`RevokeToken`
    /// or the domain's `/oauth2/revoke`); `None`: it has none.
    pub async fn revoke(&self, entry: &Entry, connect: &impl Connect) -> Option<Result<(), Error>> {
        let refresh_token = entry.tokens.refresh_token.as_ref()?;
        let req = Request {
            client: &self.client,
            refresh_token,
            internal_username: &self.client.username,
            operation: RefreshOperation::GetTokens,
            device_key: None,
            insecure_hosts: &self.insecure_hosts,
            timeout: self.timeout,
        };
        Some(source::revoke(&entry.source, &req, connect).await)
    }

    /// Removes the entry (and its lock file). Returns whether there was one.
    pub fn remove(&self) -> io::Result<bool> {
        match &self.store {
            Some(store) => store.remove(&self.key),
            None => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests;

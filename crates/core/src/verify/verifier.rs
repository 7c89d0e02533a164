//! [`Verifier`]: the rules and the issuer's keys, built once, shared by
//! every task that verifies tokens (the `verify` command, a local proxy).

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey};

use super::claims::{self, Rules};
use super::disk_cache::{CacheRecord, read_cache, write_cache};
use super::error::{JwksProblem, VerifyError};
use super::fetch;
use super::jwks::{KeySet, parse_jwks_bytes};
use super::options::{UNKNOWN_KID_REFETCH_PAUSE, VerifyOptions, now_unix};
use crate::jwt;
use crate::store::Store;

/// A reusable token verifier: the rules (issuer, client ids, token use,
/// leeway) and the issuer's JWKS, held in memory in front of the disk cache.
///
/// Cheap to clone (an `Arc`); clones share the keys. Once the JWKS is in
/// memory, verifying a token touches neither the disk nor the network: it
/// decodes the token, checks an RS256 signature and compares claims. The
/// JWKS is loaded on first use (disk cache if fresh, else the network),
/// refetched when older than [`VerifyOptions::jwks_ttl`], and refetched once
/// when a token names a `kid` it lacks (key rotation), but not again for an
/// unknown `kid` within [`UNKNOWN_KID_REFETCH_PAUSE`] of a network fetch.
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    rules: Rules,
    jwks_url: String,
    /// Where the JWKS is cached on disk.
    cache: Option<Store>,
    jwks_ttl: Duration,
    /// The keys in use; read on every verification, replaced after a load.
    keys: RwLock<Option<Arc<KeySet>>>,
    /// One load (disk or network) at a time; the others wait and reuse it.
    loading: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("rules", &self.inner.rules)
            .field("jwks_url", &self.inner.jwks_url)
            .field("cache", &self.inner.cache.as_ref().map(Store::dir))
            .field("jwks_ttl", &self.inner.jwks_ttl)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for `opts` (no I/O until the first token).
    pub fn new(opts: VerifyOptions) -> Verifier {
        let rules = Rules {
            issuer: opts.expected_issuer(),
            client_ids: opts.client_id.clone().into_iter().collect(),
            token_use: opts.token_use,
            leeway_secs: opts.leeway_secs,
        };
        let cache = opts.cache_dir.clone().map(Store::at);
        Verifier {
            inner: Arc::new(Inner {
                rules,
                jwks_url: opts.jwks_url,
                cache,
                jwks_ttl: opts.jwks_ttl,
                keys: RwLock::new(None),
                loading: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Accepts any of `client_ids` (`aud` of ID tokens, `client_id` of
    /// access tokens) instead of [`VerifyOptions::client_id`]; none: no
    /// audience check. Empty ids are ignored.
    #[must_use]
    pub fn with_client_ids<I, S>(self, client_ids: I) -> Verifier
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let inner = &self.inner;
        let rules = Rules {
            client_ids: client_ids
                .into_iter()
                .map(Into::into)
                .filter(|c: &String| !c.is_empty())
                .collect(),
            ..inner.rules.clone()
        };
        Verifier {
            inner: Arc::new(Inner {
                rules,
                jwks_url: inner.jwks_url.clone(),
                cache: inner.cache.clone(),
                jwks_ttl: inner.jwks_ttl,
                keys: RwLock::new(self.current()),
                loading: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The issuer tokens must have.
    pub fn issuer(&self) -> &str {
        &self.inner.rules.issuer
    }

    /// Where the keys come from.
    pub fn jwks_url(&self) -> &str {
        &self.inner.jwks_url
    }

    /// Loads the keys now, as a first verification would (fresh memory,
    /// else the disk cache if fresh, else the network), so that a server
    /// fails at start rather than on its first request. `Err` is always
    /// [`VerifyError::Jwks`]: the keys cannot be fetched or read.
    pub async fn prefetch(&self) -> Result<(), VerifyError> {
        let _one_at_a_time = self.inner.loading.lock().await;
        let now = now_unix();
        if self
            .current()
            .is_some_and(|s| s.is_fresh(now, self.inner.jwks_ttl))
        {
            return Ok(());
        }
        if let Some(store) = &self.inner.cache
            && let Some((fetched_at, keys)) =
                read_cache(store, &self.inner.jwks_url, now, self.inner.jwks_ttl)
        {
            self.install(KeySet::new(keys, fetched_at, None));
            return Ok(());
        }
        self.fetch(now).await.map(|_| ())
    }

    /// Verifies `token` (surrounding whitespace ignored) and returns its claims.
    pub async fn verify(&self, token: &str) -> Result<serde_json::Value, VerifyError> {
        self.verify_at(token, now_unix()).await
    }

    /// [`Verifier::verify`] with an explicit current time (unix seconds) for
    /// the `exp`/`nbf` checks; the JWKS's age is always measured on the
    /// real clock.
    pub async fn verify_at(&self, token: &str, now: i64) -> Result<serde_json::Value, VerifyError> {
        let token = token.trim();
        let decoded = jwt::decode(token)?;
        let kid = claims::check_header(&decoded.header)?;
        claims::check_types(&decoded.claims)?;
        claims::check_issuer(&decoded.claims, &self.inner.rules.issuer)?;

        let key = self.key(kid).await?;
        let (message, signature) = token
            .rsplit_once('.')
            .expect("jwt::decode checked there are 3 parts");
        // Segments may carry `=` padding (jwt::decode and aws-jwt-verify
        // accept it); the signature is checked over the segments as given.
        let signature = signature.trim_end_matches('=');
        match jsonwebtoken::crypto::verify(signature, message.as_bytes(), &key, Algorithm::RS256) {
            Ok(true) => {}
            // Err: the signature is not base64url-no-pad, or the key is unusable
            // (e.g. too short) -- either way it does not verify.
            Ok(false) | Err(_) => return Err(VerifyError::BadSignature),
        }

        claims::check_claims(&decoded.claims, &self.inner.rules, now)?;
        Ok(decoded.claims)
    }

    fn current(&self) -> Option<Arc<KeySet>> {
        match self.inner.keys.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn install(&self, set: KeySet) -> Arc<KeySet> {
        let set = Arc::new(set);
        match self.inner.keys.write() {
            Ok(mut g) => *g = Some(set.clone()),
            Err(poisoned) => *poisoned.into_inner() = Some(set.clone()),
        }
        set
    }

    fn bad_jwks(&self, problem: JwksProblem, reason: String) -> VerifyError {
        VerifyError::Jwks {
            url: self.inner.jwks_url.clone(),
            reason,
            problem,
        }
    }

    fn unknown(kid: &str) -> VerifyError {
        VerifyError::UnknownKey {
            kid: kid.to_owned(),
        }
    }

    /// What a key set says about `kid`: the key, an unusable-key error, or
    /// `None` when a refetch may help.
    fn answer(&self, set: &KeySet, kid: &str) -> Option<Result<Arc<DecodingKey>, VerifyError>> {
        match set.get(kid) {
            Some(found) => {
                Some(found.map_err(|reason| self.bad_jwks(JwksProblem::UnusableKey, reason)))
            }
            // Fetched over the network a moment ago: another fetch would
            // return the same document (and a flood of made-up kids must not
            // turn into a flood of fetches).
            None if set
                .network_at
                .is_some_and(|t| t.elapsed() < UNKNOWN_KID_REFETCH_PAUSE) =>
            {
                Some(Err(Self::unknown(kid)))
            }
            None => None,
        }
    }

    /// The key for `kid`. The fast path only reads memory.
    async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, VerifyError> {
        let ttl = self.inner.jwks_ttl;
        if let Some(set) = self.current().filter(|s| s.is_fresh(now_unix(), ttl))
            && let Some(answer) = self.answer(&set, kid)
        {
            return answer;
        }
        self.load(kid).await
    }

    /// Loads keys that know `kid`: memory again (another task may have just
    /// loaded), then the disk cache, then the network, once.
    async fn load(&self, kid: &str) -> Result<Arc<DecodingKey>, VerifyError> {
        let _one_at_a_time = self.inner.loading.lock().await;
        let now = now_unix();
        let ttl = self.inner.jwks_ttl;

        let mut have = self.current().filter(|s| s.is_fresh(now, ttl));
        if let Some(set) = &have
            && let Some(answer) = self.answer(set, kid)
        {
            return answer;
        }
        if have.is_none()
            && let Some(store) = &self.inner.cache
            && let Some((fetched_at, keys)) = read_cache(store, &self.inner.jwks_url, now, ttl)
        {
            let set = self.install(KeySet::new(keys, fetched_at, None));
            if let Some(answer) = self.answer(&set, kid) {
                return answer;
            }
            have = Some(set);
        }
        if have.is_some() {
            tracing::debug!(kid, "key id not in the cached JWKS; refetching");
        }

        let set = self.fetch(now).await?;
        set.get(kid)
            .map(|found| found.map_err(|reason| self.bad_jwks(JwksProblem::UnusableKey, reason)))
            .unwrap_or_else(|| Err(Self::unknown(kid)))
    }

    /// Fetches the JWKS over the network, installs it and writes the disk
    /// cache (the caller holds the loading lock).
    async fn fetch(&self, now: i64) -> Result<Arc<KeySet>, VerifyError> {
        let url = self.inner.jwks_url.as_str();
        let body = fetch::fetch(url)
            .await
            .map_err(|reason| self.bad_jwks(JwksProblem::Unreachable, reason))?;
        let (doc, keys) = parse_jwks_bytes(&body)
            .map_err(|reason| self.bad_jwks(JwksProblem::NotAJwks, reason))?;
        let set = self.install(KeySet::new(keys, now, Some(Instant::now())));
        if let Some(store) = &self.inner.cache {
            let record = CacheRecord {
                url: url.to_owned(),
                fetched_at: now,
                jwks: doc,
            };
            if let Err(e) = write_cache(store, &record) {
                tracing::warn!(dir = %store.dir().display(), error = %e, "cannot write the JWKS cache");
            }
        }
        Ok(set)
    }
}

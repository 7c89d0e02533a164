//! The JWKS cache, shared by processes (each `cognito-token verify` is
//! one): a record of the store, `jwks-<sha256(url) hex>.json`. Anything
//! unusable, stale or for another URL is simply "not cached"; a file the
//! store does not trust is also logged (a planted JWKS would make forged
//! tokens verify).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::jwks::{Jwk, parse_jwks};
use super::options::MAX_JWKS_BYTES;
use crate::store::{Key, Lookup, Record, Store};

/// Which JWKS: its URL.
#[derive(Clone, Debug)]
pub(super) struct JwksUrl(pub(super) String);

impl Key for JwksUrl {
    fn file_name(&self) -> String {
        let digest = sha2::Sha256::digest(self.0.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("jwks-{hex}.json")
    }
}

/// The cache record.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CacheRecord {
    /// The URL the JWKS came from (guards against hash collisions / copies).
    pub(super) url: String,
    /// When it was fetched (unix seconds).
    pub(super) fetched_at: i64,
    /// The JWKS document as served.
    pub(super) jwks: serde_json::Value,
}

impl Record for CacheRecord {
    type Key = JwksUrl;
    const FORMAT: u32 = 1;
    // Allow for the wrapper around a maximal JWKS.
    const MAX_BYTES: u64 = (MAX_JWKS_BYTES as u64) * 2;
    const WHAT: &'static str = "a JWKS cache file";
    // The first records had no format field.
    const UNVERSIONED_IS_CURRENT: bool = true;

    fn is_for(&self, key: &JwksUrl) -> bool {
        self.url == key.0
    }
}

/// A fresh cached JWKS with its fetch time, or `None` (missing, stale,
/// unusable: all mean "fetch").
pub(super) fn read_cache(
    store: &Store,
    url: &str,
    now: i64,
    ttl: Duration,
) -> Option<(i64, Vec<Jwk>)> {
    let record = match store.load::<CacheRecord>(&JwksUrl(url.to_owned())) {
        Lookup::Hit(r) => r,
        Lookup::Miss => return None,
        Lookup::Unusable(why) => {
            tracing::warn!("ignoring the JWKS cache: {why}");
            return None;
        }
    };
    let age = now.checked_sub(record.fetched_at)?;
    let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    // A record from the future (clock change) is treated as stale.
    if age < 0 || age >= ttl {
        return None;
    }
    Some((record.fetched_at, parse_jwks(&record.jwks).ok()?))
}

/// Writes the cache record (atomically, 0600 in a 0700 directory).
pub(super) fn write_cache(store: &Store, record: &CacheRecord) -> std::io::Result<()> {
    store.put(&JwksUrl(record.url.clone()), record).map(drop)
}

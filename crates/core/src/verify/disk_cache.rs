//! The JWKS cache file, shared by processes (each `cognito-token verify`
//! is one): `<cache_dir>/jwks-<sha256(url) hex>.json`, written atomically,
//! 0600 in a 0700 directory. Anything unreadable, corrupt, stale or for
//! another URL is simply "not cached".

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::MAX_JWKS_BYTES;
use super::jwks::{Jwk, parse_jwks};

/// The on-disk cache record.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CacheRecord {
    /// The URL the JWKS came from (guards against hash collisions / copies).
    pub(super) url: String,
    /// When it was fetched (unix seconds).
    pub(super) fetched_at: i64,
    /// The JWKS document as served.
    pub(super) jwks: serde_json::Value,
}

/// `<cache_dir>/jwks-<sha256(url) hex>.json`.
pub(super) fn cache_path(dir: &Path, url: &str) -> PathBuf {
    let digest = sha2::Sha256::digest(url.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("jwks-{hex}.json"))
}

/// A fresh cached JWKS with its fetch time, or `None` (missing, stale,
/// unreadable or corrupt: all mean "fetch").
pub(super) fn read_cache(
    path: &Path,
    url: &str,
    now: i64,
    ttl: Duration,
) -> Option<(i64, Vec<Jwk>)> {
    // A planted JWKS would make forged tokens verify: the directory and the
    // file must be ours and private, and no link is followed (SECURITY.md).
    let dir = path.parent().unwrap_or(Path::new("."));
    let trusted = crate::private_file::check_private_dir(dir).and_then(|exists| {
        // Allow for the wrapper around a maximal JWKS.
        let max = (MAX_JWKS_BYTES as u64) * 2;
        match exists {
            true => crate::private_file::read(path, crate::private_file::Sensitivity::Secret, max),
            false => Ok(None),
        }
    });
    let bytes = match trusted {
        Ok(bytes) => bytes?,
        Err(crate::private_file::Distrust::TooLarge(_)) => return None,
        Err(why) => {
            tracing::warn!("ignoring the JWKS cache: {why}");
            return None;
        }
    };
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
    Some((record.fetched_at, parse_jwks(&record.jwks).ok()?))
}

/// Writes the cache atomically (temp file in the same directory, then
/// rename); the file is 0600 on Unix (tempfile's default).
pub(super) fn write_cache(path: &Path, record: &CacheRecord) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::private_file::ensure_private_dir(dir)
        .map_err(|why| std::io::Error::other(why.to_string()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(&mut tmp, record)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

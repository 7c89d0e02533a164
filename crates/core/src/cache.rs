//! The token cache: one JSON file per identity under the user's cache
//! directory (`$XDG_CACHE_HOME/cognito-token/` on Linux), directory 0700,
//! files 0600, written atomically (temporary file + rename) so concurrent
//! processes never read half a file.
//!
//! Entries hold tokens and their expiry, never a password or client secret.
//! A missing, unreadable or corrupt entry is a miss, never a failure.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Tokens;
use crate::private_file::{self, Sensitivity};
pub use crate::source::Source;

pub(crate) mod record;

const FORMAT: u32 = 1;
/// Entries larger than this are corrupt by definition.
const MAX_ENTRY_BYTES: u64 = 256 * 1024;

/// What identifies an entry: where, which app client, which user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheKey {
    /// The endpoint (or the default endpoint of the region).
    pub endpoint: String,
    /// The region.
    pub region: String,
    /// The app client id.
    pub client_id: String,
    /// The name the user signs in with.
    pub username: String,
}

impl CacheKey {
    fn file_name(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            &self.endpoint,
            &self.region,
            &self.client_id,
            &self.username,
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        let digest = h.finalize();
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        format!("{hex}.json")
    }
}

/// A cached entry.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// The key it was stored under (checked on load).
    pub key: CacheKey,
    /// The tokens (written with their values by `cache/record.rs`: `Tokens` and
    /// `Secret` have no `Serialize` of their own).
    #[serde(serialize_with = "record::tokens")]
    pub tokens: Tokens,
    /// Which token source made them: where a refresh or a revocation goes.
    /// Entries written before sources were recorded have none: InitiateAuth.
    #[serde(default)]
    pub source: Source,
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    format: u32,
    #[serde(flatten)]
    entry: Entry,
}

/// The result of a lookup.
#[derive(Debug)]
// One short-lived value per command: boxing the entry would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Lookup {
    /// An entry for this key.
    Hit(Entry),
    /// Nothing stored.
    Miss,
    /// Something was stored but could not be used; the reason is safe to
    /// show (it never contains a token).
    Unusable(String),
}

/// A token cache directory.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The platform cache directory: `$XDG_CACHE_HOME/cognito-token`
    /// (`~/.cache/cognito-token`) on Linux.
    pub fn default_dir() -> Option<PathBuf> {
        dirs::cache_dir().map(|d| d.join("cognito-token"))
    }

    /// A cache in `dir` (created on first store).
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file an entry lives in.
    pub fn path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(key.file_name())
    }

    /// Looks an entry up. Never fails: problems are [`Lookup::Unusable`].
    /// Only a private directory (ours, 0700) and a private file (ours, a
    /// regular file reached without a symbolic link, 0600) are used.
    pub fn load(&self, key: &CacheKey) -> Lookup {
        let path = self.path(key);
        match private_file::check_private_dir(&self.dir) {
            Ok(true) => {}
            Ok(false) => return Lookup::Miss,
            Err(why) => return Lookup::Unusable(why.to_string()),
        }
        let buf = match private_file::read(&path, Sensitivity::Secret, MAX_ENTRY_BYTES) {
            Ok(Some(buf)) => buf,
            Ok(None) => return Lookup::Miss,
            Err(why) => return Lookup::Unusable(why.to_string()),
        };
        match serde_json::from_slice::<OnDisk>(&buf) {
            Ok(d) if d.format != FORMAT => Lookup::Unusable(format!(
                "{} has an unknown format version {}",
                path.display(),
                d.format
            )),
            Ok(d) if d.entry.key != *key => Lookup::Miss,
            Ok(d) => Lookup::Hit(d.entry),
            // serde_json's message names a line and column, never the content.
            Err(e) => Lookup::Unusable(format!(
                "{} is corrupt ({}); it will be replaced",
                path.display(),
                e.classify_name()
            )),
        }
    }

    /// Stores an entry atomically, creating the directory (0700) if needed.
    /// A directory that is not private (another owner, a symbolic link,
    /// open to group or others) is refused, never written to.
    pub fn store(&self, entry: &Entry) -> io::Result<PathBuf> {
        private_file::ensure_private_dir(&self.dir)
            .map_err(|why| io::Error::other(why.to_string()))?;
        let path = self.path(&entry.key);
        let data = serde_json::to_vec(&OnDisk {
            format: FORMAT,
            entry: entry.clone(),
        })
        .map_err(io::Error::other)?;
        // NamedTempFile is created 0600 in the same directory, so the rename
        // is atomic and the file is never readable by others.
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(&self.dir)?;
        tmp.write_all(&data)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(path)
    }

    /// Removes an entry. Returns whether there was one.
    pub fn remove(&self, key: &CacheKey) -> io::Result<bool> {
        match fs::remove_file(self.path(key)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "unexpected fields",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    fn key(user: &str) -> CacheKey {
        CacheKey {
            endpoint: "http://127.0.0.1:1".into(),
            region: "us-east-1".into(),
            client_id: "client".into(),
            username: user.into(),
        }
    }

    fn entry(user: &str) -> Entry {
        Entry {
            key: key(user),
            tokens: Tokens {
                id_token: Secret::new("id.token.x"),
                access_token: Secret::new("access.token.x"),
                refresh_token: Some(Secret::new("refresh")),
                token_type: "Bearer".into(),
                expires_at: 1_900_000_000,
                new_device: None,
            },
            source: Source::default(),
        }
    }

    #[test]
    fn round_trip_permissions_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().join("nested/cognito-token"));
        assert!(matches!(cache.load(&key("a")), Lookup::Miss));
        let path = cache.store(&entry("a")).unwrap();
        match cache.load(&key("a")) {
            Lookup::Hit(e) => assert_eq!(e, entry("a")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(cache.load(&key("b")), Lookup::Miss));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
            assert_eq!(
                fs::metadata(cache.dir()).unwrap().permissions().mode() & 0o777,
                0o700
            );
        }
        // Corrupt, truncated, huge: unusable, never a panic, and the message
        // never shows the file's content.
        for bad in [b"{not json".to_vec(), b"".to_vec(), vec![b' '; 300 * 1024]] {
            fs::write(&path, &bad).unwrap();
            match cache.load(&key("a")) {
                Lookup::Unusable(why) => assert!(!why.contains("not json\""), "{why}"),
                other => panic!("{other:?}"),
            }
        }
        // A store replaces a corrupt file.
        cache.store(&entry("a")).unwrap();
        assert!(matches!(cache.load(&key("a")), Lookup::Hit(_)));
        assert!(cache.remove(&key("a")).unwrap());
        assert!(!cache.remove(&key("a")).unwrap());
        // No temporary files left behind.
        let left: Vec<_> = fs::read_dir(cache.dir()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn entries_without_a_source_are_initiate_auth_and_sources_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().join("cache"));
        let path = cache.store(&entry("a")).unwrap();
        // A file written before sources existed.
        let mut v: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        v.as_object_mut().unwrap().remove("source");
        fs::write(&path, v.to_string()).unwrap();
        match cache.load(&key("a")) {
            Lookup::Hit(e) => assert_eq!(e.source, Source::InitiateAuth { flow: None }),
            other => panic!("{other:?}"),
        }
        let mut e = entry("a");
        e.source = Source::Browser {
            domain: "https://d.example".into(),
            user: Some("alice".into()),
        };
        cache.store(&e).unwrap();
        let raw = fs::read_to_string(&path).unwrap();
        assert!(
            raw.contains(
                r#""source":{"kind":"browser","domain":"https://d.example","user":"alice"}"#
            ),
            "{raw}"
        );
        match cache.load(&key("a")) {
            Lookup::Hit(got) => assert_eq!(got, e),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keys_do_not_collide_on_concatenation() {
        let a = CacheKey {
            endpoint: "ab".into(),
            region: "c".into(),
            client_id: "x".into(),
            username: "y".into(),
        };
        let b = CacheKey {
            endpoint: "a".into(),
            region: "bc".into(),
            client_id: "x".into(),
            username: "y".into(),
        };
        assert_ne!(a.file_name(), b.file_name());
    }
}

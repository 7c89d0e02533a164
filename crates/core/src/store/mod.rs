//! One private store: every file this library keeps for the user (the
//! token cache's entries, remembered devices, the refresh operations known
//! per endpoint, JWKS documents) is a [`Record`] in a [`Store`] directory,
//! written and read by the code of this module only.
//!
//! - **Names**: a record's file name comes from its [`Key`]; a file read
//!   back that names another key is a [`Lookup::Miss`] (a copied file, a
//!   hash collision).
//! - **Reading**: the directory must be ours and 0700, the file is opened
//!   without following a symbolic link and used only when it is a regular
//!   file, ours, 0600 (`file.rs`), no larger than the kind's
//!   [`Record::MAX_BYTES`], JSON with the kind's [`Record::FORMAT`]. Anything
//!   else is [`Lookup::Unusable`] with a one-line reason that names the file
//!   and never its content: a store never fails a caller.
//! - **Writing**: atomic (a 0600 temporary file in the same directory,
//!   synced, renamed over the old one, which replaces a symbolic link rather
//!   than following it), in a directory created 0700.
//! - **Locking**: [`Store::lock`] takes an exclusive advisory lock on one
//!   record (a `.lock` file beside it), for a read-modify-write across
//!   processes (`lock.rs`).
//!
//! A new kind of record is a type with `Serialize`/`Deserialize` and a key
//! type: implement [`Key`] for the key (its file name) and [`Record`] for
//! the type (format version, size cap, which key it belongs to).

pub mod file;
mod lock;

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest as _, Sha256};

pub use lock::RecordLock;

/// What names a record: its file name in the store.
pub trait Key {
    /// The file name (no directory part), such as `device-<hash>.json`.
    fn file_name(&self) -> String;
}

/// A kind of record kept in the store.
pub trait Record: Serialize + DeserializeOwned {
    /// The key a record of this kind is stored under.
    type Key: Key;
    /// The format version written into every record of this kind (the
    /// `format` field); a file of another version is unusable.
    const FORMAT: u32;
    /// A file larger than this is not a record of this kind.
    const MAX_BYTES: u64;
    /// What a file of this kind is called in messages (`a device file`).
    const WHAT: &'static str;
    /// Files of this kind written before the format was recorded have no
    /// `format` field: `true` reads them as [`Record::FORMAT`].
    const UNVERSIONED_IS_CURRENT: bool = false;

    /// Whether this record was stored under `key`.
    fn is_for(&self, key: &Self::Key) -> bool;

    /// Checks beyond the JSON shape (no empty secret, …); `false`: corrupt.
    fn is_sound(&self) -> bool {
        true
    }
}

/// The result of [`Store::load`].
#[derive(Debug)]
// One short-lived value per lookup: boxing the record would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Lookup<R> {
    /// The record stored under the key.
    Hit(R),
    /// Nothing stored under the key.
    Miss,
    /// Something is there but must not be used; the reason is one line, safe
    /// to show (it names the file, never its content).
    Unusable(String),
}

impl<R> Lookup<R> {
    /// The record of a hit.
    pub fn hit(self) -> Option<R> {
        match self {
            Lookup::Hit(r) => Some(r),
            Lookup::Miss | Lookup::Unusable(_) => None,
        }
    }
}

/// A directory of private records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The platform's cache directory for this tool:
    /// `$XDG_CACHE_HOME/cognito-token` (`~/.cache/cognito-token`) on Linux.
    pub fn default_dir() -> Option<PathBuf> {
        dirs::cache_dir().map(|d| d.join("cognito-token"))
    }

    /// A store in `dir` (created 0700 on the first write).
    pub fn at(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file the record under `key` lives in.
    pub fn path(&self, key: &impl Key) -> PathBuf {
        self.dir.join(key.file_name())
    }

    /// Reads the record under `key`. Never fails: a problem is
    /// [`Lookup::Unusable`].
    pub fn load<R: Record>(&self, key: &R::Key) -> Lookup<R> {
        match file::check_private_dir(&self.dir) {
            Ok(true) => {}
            Ok(false) => return Lookup::Miss,
            Err(why) => return Lookup::Unusable(why.to_string()),
        }
        let path = self.path(key);
        let shown = file::shown(&path);
        let bytes = match file::read(&path, file::Sensitivity::Secret, R::MAX_BYTES) {
            Ok(Some(b)) => b,
            Ok(None) => return Lookup::Miss,
            Err(file::Distrust::TooLarge(_)) => {
                return Lookup::Unusable(format!("{shown} is too large to be {}", R::WHAT));
            }
            Err(why) => return Lookup::Unusable(why.to_string()),
        };
        let corrupt = |why: &str| {
            Lookup::Unusable(format!("{shown} is corrupt ({why}); it will be replaced"))
        };
        let mut value = match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(serde_json::Value::Object(m)) => m,
            Ok(_) => return corrupt("not a JSON object"),
            Err(e) => return corrupt(category(&e)),
        };
        match value.remove("format").map(|f| f.as_u64()) {
            Some(Some(f)) if f == u64::from(R::FORMAT) => {}
            None if R::UNVERSIONED_IS_CURRENT => {}
            Some(Some(f)) => {
                return Lookup::Unusable(format!("{shown} has an unknown format version {f}"));
            }
            Some(None) | None => return corrupt("no format version"),
        }
        let record = match serde_json::from_value::<R>(serde_json::Value::Object(value)) {
            Ok(r) if r.is_sound() => r,
            Ok(_) => return corrupt("empty fields"),
            Err(e) => return corrupt(category(&e)),
        };
        if record.is_for(key) {
            Lookup::Hit(record)
        } else {
            Lookup::Miss
        }
    }

    /// Writes `record` under `key` atomically (0600 file, 0700 directory,
    /// created if needed). A directory that is not private (another owner,
    /// a symbolic link, open to group or others) is refused, never written
    /// to. Returns the file's path.
    pub fn put<R: Record>(&self, key: &R::Key, record: &R) -> io::Result<PathBuf> {
        file::ensure_private_dir(&self.dir).map_err(|why| io::Error::other(why.to_string()))?;
        let path = self.path(key);
        // `format` first, then the record's own fields in their order.
        #[derive(Serialize)]
        struct Versioned<'a, R> {
            format: u32,
            #[serde(flatten)]
            record: &'a R,
        }
        let bytes = serde_json::to_vec(&Versioned {
            format: R::FORMAT,
            record,
        })
        .map_err(io::Error::other)?;
        // Created 0600 in the same directory: the rename is atomic and the
        // file is never readable by others.
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(&self.dir)?;
        tmp.write_all(&bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(path)
    }

    /// Removes the record under `key` (and its lock file). Returns whether
    /// there was one.
    pub fn remove(&self, key: &impl Key) -> io::Result<bool> {
        let path = self.path(key);
        match std::fs::remove_file(lock::lock_path(&path)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Takes the exclusive lock of the record under `key`, waiting while
    /// another process holds it. Hold it from reading the record until the
    /// new one is written, and read the record again once it is held.
    pub fn lock(&self, key: &impl Key) -> io::Result<RecordLock> {
        file::ensure_private_dir(&self.dir).map_err(|why| io::Error::other(why.to_string()))?;
        lock::take(&lock::lock_path(&self.path(key)))
    }
}

/// `<prefix><hex>.json`: the hex of the first 16 bytes of SHA-256 over
/// `tag` and each part, length-prefixed (so `("ab", "c")` and `("a", "bc")`
/// differ).
pub fn hashed_name(prefix: &str, tag: &[u8], parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(tag);
    for part in parts {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    let hex: String = h
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{prefix}{hex}.json")
}

/// serde_json's category of a parse error: never the content.
fn category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "unexpected fields",
        serde_json::error::Category::Eof => "truncated",
    }
}

#[cfg(test)]
mod tests;

//! The per-record lock: an exclusive advisory lock (`std::fs::File::lock`)
//! on a `.lock` file beside the record (0600), held until dropped. With
//! refresh-token rotation, two processes refreshing one entry with the same
//! refresh token would see the second refused and one new refresh token
//! lost; the lock makes them take turns.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// An exclusive lock on one record, released when dropped.
#[derive(Debug)]
pub struct RecordLock {
    _file: fs::File,
}

/// The lock file of the record at `record`: `<name>.lock`.
pub(super) fn lock_path(record: &Path) -> PathBuf {
    record.with_extension("lock")
}

/// Takes the lock at `path`, waiting while another process holds it.
pub(super) fn take(path: &Path) -> io::Result<RecordLock> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let file = opts.open(path)?;
    file.lock()?;
    Ok(RecordLock { _file: file })
}

//! Files trusted only when they are ours: the store's records and the
//! profile file are opened without following symbolic links, and used only
//! when they are regular files owned by the current user and not writable
//! (secrets: not readable either) by group or others. A directory that
//! holds secrets must be ours and 0700.
//!
//! Anything else is [`Distrust`]: callers ignore the file with a one-line
//! warning (its `Display`), never use it, and never fail because of it.
//! This file is the only place the library opens a private file.

use std::fmt;
use std::fs::File;
use std::io::{self, Read as _};
use std::path::Path;

/// How much a file's contents matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sensitivity {
    /// Holds secrets (tokens, device passwords): neither readable nor
    /// writable by group or others.
    Secret,
    /// Steers what the tool does (a config file): not writable by group
    /// or others.
    Config,
}

impl Sensitivity {
    /// The permission bits that must be clear.
    fn forbidden_bits(self) -> u32 {
        match self {
            Sensitivity::Secret => 0o077,
            Sensitivity::Config => 0o022,
        }
    }
}

/// Why a file or directory is not used. Its `Display` is one line, safe to
/// show: it names the path and the reason, never the contents. Its own type,
/// not [`Error`](crate::Error): callers choose per variant whether to skip
/// the file or to stop.
#[derive(Debug)]
pub enum Distrust {
    /// A symbolic link where a file or directory was expected.
    Symlink(String),
    /// Not a regular file (or, for a directory, not a directory).
    NotRegular(String),
    /// Owned by another user.
    NotOurs {
        /// The path.
        path: String,
        /// Its owner's uid.
        owner: u32,
    },
    /// Permission bits that let others read or change it.
    Mode {
        /// The path.
        path: String,
        /// Its permission bits.
        mode: u32,
        /// What the mode should be.
        want: &'static str,
    },
    /// Larger than any such file can be.
    TooLarge(String),
    /// It could not be opened or read.
    Io(String, io::Error),
}

impl fmt::Display for Distrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Distrust::Symlink(p) => {
                write!(f, "{p} is a symbolic link; not following it")
            }
            Distrust::NotRegular(p) => write!(f, "{p} is not a regular file"),
            Distrust::NotOurs { path, owner } => write!(
                f,
                "{path} belongs to another user (uid {owner}); not using it"
            ),
            Distrust::Mode { path, mode, want } => write!(
                f,
                "{path} can be read or changed by other users (mode {mode:o}); not using it (run chmod {want} on it)"
            ),
            Distrust::TooLarge(p) => write!(f, "{p} is too large"),
            Distrust::Io(p, e) => write!(f, "cannot read {p}: {e}"),
        }
    }
}

impl std::error::Error for Distrust {}

/// Reads a file we trust, up to `max` bytes. `Ok(None)`: it does not exist.
pub fn read(path: &Path, sensitivity: Sensitivity, max: u64) -> Result<Option<Vec<u8>>, Distrust> {
    let Some(file) = open(path, sensitivity)? else {
        return Ok(None);
    };
    let mut buf = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Distrust::Io(shown(path), e))?;
    if buf.len() as u64 > max {
        return Err(Distrust::TooLarge(shown(path)));
    }
    Ok(Some(buf))
}

/// Opens a file for reading without following a symbolic link, and checks
/// that it is a regular file, ours, with no forbidden permission bits.
/// `Ok(None)`: it does not exist.
pub fn open(path: &Path, sensitivity: Sensitivity) -> Result<Option<File>, Distrust> {
    let file = match open_nofollow(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if is_symlink_error(&e) => return Err(Distrust::Symlink(shown(path))),
        Err(e) => return Err(Distrust::Io(shown(path), e)),
    };
    let meta = file.metadata().map_err(|e| Distrust::Io(shown(path), e))?;
    if !meta.is_file() {
        return Err(Distrust::NotRegular(shown(path)));
    }
    check_owner_and_mode(
        path,
        &meta,
        sensitivity.forbidden_bits(),
        match sensitivity {
            Sensitivity::Secret => "600",
            Sensitivity::Config => "go-w",
        },
    )?;
    Ok(Some(file))
}

/// Checks a directory that holds secrets: a real directory (not a link),
/// ours, mode 0700. `Ok(false)`: it does not exist yet.
pub fn check_private_dir(dir: &Path) -> Result<bool, Distrust> {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Distrust::Io(shown(dir), e)),
    };
    if meta.file_type().is_symlink() {
        return Err(Distrust::Symlink(shown(dir)));
    }
    if !meta.is_dir() {
        return Err(Distrust::NotRegular(shown(dir)));
    }
    check_owner_and_mode(dir, &meta, 0o077, "700")?;
    Ok(true)
}

/// Creates a directory for secrets (0700, parents as needed) unless it
/// exists, then checks it as [`check_private_dir`] does.
pub fn ensure_private_dir(dir: &Path) -> Result<(), Distrust> {
    if !check_private_dir(dir)? {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            b.mode(0o700);
        }
        b.create(dir).map_err(|e| Distrust::Io(shown(dir), e))?;
        check_private_dir(dir)?;
    }
    Ok(())
}

/// A path as shown in a message: escaped for the terminal.
pub(crate) fn shown(p: &Path) -> String {
    crate::sanitize::for_terminal(&p.display().to_string()).into_owned()
}

/// Opens a file for reading without following a symbolic link (the error
/// then satisfies [`is_symlink_error`]); no owner or mode check.
pub fn open_no_follow(path: &Path) -> io::Result<File> {
    open_nofollow(path)
}

#[cfg(unix)]
fn open_nofollow(path: &Path) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK,
        Mode::empty(),
    )?;
    Ok(File::from(fd))
}

#[cfg(not(unix))]
fn open_nofollow(path: &Path) -> io::Result<File> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(io::Error::other("symbolic link"));
    }
    File::open(path)
}

/// `open(O_NOFOLLOW)` on a link fails with ELOOP (Linux, BSD) or EMLINK
/// (some BSDs for the last component).
pub fn is_symlink_error(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        let code = e.raw_os_error();
        code == Some(rustix::io::Errno::LOOP.raw_os_error())
            || code == Some(rustix::io::Errno::MLINK.raw_os_error())
    }
    #[cfg(not(unix))]
    {
        e.kind() == io::ErrorKind::Other
    }
}

#[cfg(unix)]
fn check_owner_and_mode(
    path: &Path,
    meta: &std::fs::Metadata,
    forbidden: u32,
    want: &'static str,
) -> Result<(), Distrust> {
    use std::os::unix::fs::MetadataExt as _;
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(Distrust::NotOurs {
            path: shown(path),
            owner: meta.uid(),
        });
    }
    let mode = meta.mode() & 0o7777;
    if mode & forbidden != 0 {
        return Err(Distrust::Mode {
            path: shown(path),
            mode,
            want,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_and_mode(
    _path: &Path,
    _meta: &std::fs::Metadata,
    _forbidden: u32,
    _want: &'static str,
) -> Result<(), Distrust> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn write(path: &Path, mode: u32) {
        std::fs::write(path, b"{}").unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn a_private_file_of_ours_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        write(&p, 0o600);
        assert_eq!(read(&p, Sensitivity::Secret, 10).unwrap().unwrap(), b"{}");
        assert!(
            read(&dir.path().join("missing"), Sensitivity::Secret, 10)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn secrets_readable_by_others_are_refused_and_configs_only_when_writable() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        for mode in [0o640, 0o604, 0o620, 0o602] {
            write(&p, mode);
            let e = read(&p, Sensitivity::Secret, 10).unwrap_err();
            assert!(matches!(e, Distrust::Mode { .. }), "{mode:o}: {e}");
            assert!(e.to_string().contains("chmod 600"), "{e}");
        }
        write(&p, 0o644);
        read(&p, Sensitivity::Config, 10).unwrap().unwrap();
        for mode in [0o664, 0o646] {
            write(&p, mode);
            let e = read(&p, Sensitivity::Config, 10).unwrap_err();
            assert!(matches!(e, Distrust::Mode { .. }), "{mode:o}: {e}");
        }
    }

    #[test]
    fn symbolic_links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        write(&target, 0o600);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = read(&link, Sensitivity::Secret, 10).unwrap_err();
        assert!(matches!(e, Distrust::Symlink(_)), "{e}");
        let dlink = dir.path().join("dlink");
        std::os::unix::fs::symlink(dir.path(), &dlink).unwrap();
        assert!(matches!(
            check_private_dir(&dlink).unwrap_err(),
            Distrust::Symlink(_)
        ));
    }

    #[test]
    fn too_large_and_not_regular_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        write(&p, 0o600);
        assert!(matches!(
            read(&p, Sensitivity::Secret, 1).unwrap_err(),
            Distrust::TooLarge(_)
        ));
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(matches!(
            read(&sub, Sensitivity::Secret, 10).unwrap_err(),
            Distrust::NotRegular(_)
        ));
    }

    #[test]
    fn a_secret_directory_must_be_0700() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("cache");
        ensure_private_dir(&d).unwrap();
        assert_eq!(
            std::fs::metadata(&d).unwrap().permissions().mode() & 0o777,
            0o700
        );
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o750)).unwrap();
        let e = check_private_dir(&d).unwrap_err();
        assert!(e.to_string().contains("chmod 700"), "{e}");
        assert!(ensure_private_dir(&d).is_err());
    }

    #[test]
    fn files_of_other_users_are_refused() {
        // Only root can give a file away; elsewhere this check is covered by
        // the owner comparison in the other tests (our own files pass).
        if rustix::process::geteuid().as_raw() != 0 {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        write(&p, 0o600);
        rustix::fs::chown(
            &p,
            Some(rustix::fs::Uid::from_raw(65534)),
            Some(rustix::fs::Gid::from_raw(65534)),
        )
        .unwrap();
        let e = read(&p, Sensitivity::Secret, 10).unwrap_err();
        assert!(matches!(e, Distrust::NotOurs { owner: 65534, .. }), "{e}");
    }
}

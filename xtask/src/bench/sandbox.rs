//! Where the measured programs run: private (0600/0700) files and
//! directories for the requests and secrets, the clean environment every
//! measured program gets (a fresh HOME, no AWS configuration), and the
//! programs found on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

pub(super) fn write_private(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(data)?;
    Ok(())
}

pub(super) fn private_dir(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// A clean environment: PATH, a fresh HOME with no AWS configuration.
pub(super) fn base_env(home: &Path) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "PATH".to_owned(),
            std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into()),
        ),
        ("HOME".to_owned(), home.display().to_string()),
        (
            "XDG_CACHE_HOME".to_owned(),
            home.join(".cache").display().to_string(),
        ),
        (
            "XDG_CONFIG_HOME".to_owned(),
            home.join(".config").display().to_string(),
        ),
        ("LANG".to_owned(), "C.UTF-8".to_owned()),
    ];
    // pyenv's interpreters find their own files through these.
    for k in ["PYENV_ROOT", "PYENV_VERSION"] {
        if let Ok(v) = std::env::var(k) {
            env.push((k.to_owned(), v));
        }
    }
    env
}

/// The real program behind a pyenv shim (a shim costs a bash and a
/// `pyenv exec` per run, which would be unfair to the peers).
pub(super) fn real_program(name: &str) -> Option<PathBuf> {
    let path = which(name)?;
    if path.to_string_lossy().contains("/shims/") {
        let out = Command::new("pyenv").args(["which", name]).output().ok()?;
        if out.status.success() {
            let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if p.is_file() {
                return Some(p);
            }
        }
    }
    Some(path)
}

pub(super) fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

//! What the emulator images' builds share: the way `COGNITO_TOKEN_IMAGE_WAY`
//! forces, the inputs' hash that tags an image, the cache directory,
//! `docker pull`/`image inspect`/`build`, and build contexts in the cache.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use xshell::{Shell, cmd};

use crate::say;

/// The environment variable that forces a way.
pub(crate) const WAY_ENV: &str = "COGNITO_TOKEN_IMAGE_WAY";

/// The way `COGNITO_TOKEN_IMAGE_WAY` forces: `Some(true)` for `public`,
/// `Some(false)` for `debootstrap`, `None` when unset.
pub(crate) fn forced_public() -> anyhow::Result<Option<bool>> {
    match std::env::var(WAY_ENV).ok().as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some("public") => Ok(Some(true)),
        Some("debootstrap") => Ok(Some(false)),
        Some(other) => bail!("{WAY_ENV}={other:?}: expected `public` or `debootstrap`"),
    }
}

/// The first 12 hex digits of a SHA-256 over length-prefixed parts.
pub(crate) fn hash12(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The cache directory (created).
pub(crate) fn cache_dir() -> anyhow::Result<PathBuf> {
    let dir = if let Some(d) = std::env::var_os("COGNITO_TOKEN_CACHE_DIR").filter(|d| !d.is_empty())
    {
        PathBuf::from(d)
    } else if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        PathBuf::from(d).join("cognito-token")
    } else if let Some(h) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        PathBuf::from(h).join(".cache").join("cognito-token")
    } else {
        bail!("no cache directory: set COGNITO_TOKEN_CACHE_DIR or HOME");
    };
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

pub(crate) fn image_exists(sh: &Shell, image: &str) -> bool {
    cmd!(sh, "docker image inspect {image}")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_ok()
}

/// `docker pull` (at most `secs` seconds); whether it worked.
pub(crate) fn pull(image: &str, secs: u32) -> bool {
    say!("docker pull {image}");
    Command::new("timeout")
        .args([&secs.to_string(), "docker", "pull", "--quiet", image])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `image` is present, or a registry gave it now.
pub(crate) fn present_or_pulled(sh: &Shell, image: &str) -> bool {
    image_exists(sh, image) || pull(image, 120)
}

pub(crate) fn stderr_stdio() -> Stdio {
    Stdio::from(std::io::stderr())
}

/// A build context in the cache: `name-PID`, emptied; removed by the caller.
pub(crate) fn fresh_context(cache: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let ctx = cache.join(format!("context-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&ctx);
    fs::create_dir_all(&ctx)?;
    Ok(ctx)
}

/// Puts `src` at `dst`: a hard link when the two share a file system,
/// else a copy.
pub(crate) fn link_or_copy(src: &Path, dst: &Path) -> anyhow::Result<()> {
    if fs::hard_link(src, dst).is_err() {
        fs::copy(src, dst)
            .with_context(|| format!("cannot copy {} to {}", src.display(), dst.display()))?;
    }
    Ok(())
}

/// `docker build` of the context `ctx` on `BASE=base`, labelled with the
/// inputs' hash `tag`, as `image`; the build's output goes to stderr.
pub(crate) fn docker_build(base: &str, tag: &str, image: &str, ctx: &Path) -> anyhow::Result<()> {
    let status = Command::new("docker")
        .args(["build", "--build-arg"])
        .arg(format!("BASE={base}"))
        .args([
            "--label",
            &format!("cognito-token.inputs={tag}"),
            "-t",
            image,
        ])
        .arg(ctx)
        .stdout(stderr_stdio())
        .status()
        .context("cannot run `docker build`")?;
    if !status.success() {
        bail!("`docker build` of {image} failed ({status})");
    }
    Ok(())
}

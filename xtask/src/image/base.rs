//! The offline way's base images: Debian made with debootstrap on this host
//! (as root), packed as a tarball in the cache and imported into Docker as
//! `cognito-token/<name>:<hash12 of the recipe>`.
//!
//! - [`BOOKWORM_PYTHON`]: bookworm with Python 3.11 (moto's wheels are
//!   cp311) and the C and TLS libraries; moto and fakecloud build on it.
//! - [`TRIXIE_NODE`]: trixie with Node.js 20.19: cognito-local 5.3.0's
//!   dependencies are ES modules that its CommonJS code `require()`s, which
//!   Node.js does from 20.19 on (bookworm has 18.19).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

use super::build::{hash12, image_exists};
use crate::say;

/// What a base is made of; changing it changes the base's tag.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Base {
    /// The image repository (`cognito-token/…`); its last part names the
    /// tarball in the cache.
    repo: &'static str,
    suite: &'static str,
    /// debootstrap's `--include` (on top of `--variant=minbase`).
    include: &'static str,
}

/// bookworm with Python (moto; fakecloud's binary).
pub(crate) const BOOKWORM_PYTHON: Base = Base {
    repo: "cognito-token/bookworm-python",
    suite: "bookworm",
    include: "python3,python3-venv,ca-certificates",
};

/// trixie with Node.js (cognito-local).
pub(crate) const TRIXIE_NODE: Base = Base {
    repo: "cognito-token/trixie-node",
    suite: "trixie",
    include: "nodejs,ca-certificates",
};

const TAR_EXCLUDES: [&str; 6] = [
    "./var/cache/apt/archives/*.deb",
    "./var/lib/apt/lists/*",
    "./usr/share/doc/*",
    "./usr/share/man/*",
    "./usr/share/locale/*",
    "./usr/share/info/*",
];
const RECIPE_VERSION: &str = "1";

impl Base {
    /// `cognito-token/<name>:<hash12 of the recipe>`.
    pub(crate) fn tag(self) -> String {
        let recipe = format!(
            "debootstrap --variant=minbase --include={} {}; excludes {TAR_EXCLUDES:?}; v{RECIPE_VERSION}",
            self.include, self.suite
        );
        format!("{}:{}", self.repo, hash12(&[recipe.as_bytes()]))
    }

    fn file_stem(self) -> &'static str {
        self.repo.rsplit('/').next().unwrap_or(self.repo)
    }

    /// Imports the base into Docker when missing, from its tarball in
    /// `cache` (made first with debootstrap when missing: needs root).
    pub(crate) fn ensure(self, sh: &Shell, cache: &Path) -> anyhow::Result<String> {
        let base = self.tag();
        if image_exists(sh, &base) {
            say!("base image {base} is present");
            return Ok(base);
        }
        let hash = base.rsplit(':').next().unwrap_or("x");
        let stem = self.file_stem();
        let tarball = cache.join(format!("{stem}-{hash}.tar"));
        if !tarball.exists() {
            self.debootstrap(sh, cache, &tarball)?;
        }
        say!("importing {} as {base}", tarball.display());
        let tb = tarball.clone();
        if let Err(e) = cmd!(sh, "docker import {tb} {base}")
            .quiet()
            .ignore_stdout()
            .run()
        {
            // A bad tarball must not poison later runs.
            let _ = fs::remove_file(&tarball);
            return Err(anyhow::Error::from(e).context("`docker import` of the base failed"));
        }
        Ok(base)
    }

    fn debootstrap(self, sh: &Shell, cache: &Path, tarball: &Path) -> anyhow::Result<()> {
        if !is_root(sh) {
            bail!(
                "building the offline base needs debootstrap as root: run as root (e.g. `sudo -E cargo xtask image`)"
            );
        }
        if cmd!(sh, "debootstrap --version")
            .quiet()
            .ignore_stdout()
            .ignore_stderr()
            .run()
            .is_err()
        {
            bail!("debootstrap is missing: `apt-get install -y debootstrap`");
        }
        let stem = self.file_stem();
        let rootfs = cache.join(format!("rootfs-{stem}.tmp"));
        if rootfs.exists() {
            fs::remove_dir_all(&rootfs)
                .with_context(|| format!("cannot remove {}", rootfs.display()))?;
        }
        let mirror = std::env::var("COGNITO_TOKEN_DEBIAN_MIRROR")
            .unwrap_or_else(|_| "http://deb.debian.org/debian".into());
        let log = cache.join(format!("debootstrap-{stem}.log"));
        say!(
            "debootstrap {} (minbase + {}) from {mirror}: a few minutes; log {}",
            self.suite,
            self.include,
            log.display()
        );
        let started = Instant::now();
        let logf = fs::File::create(&log)?;
        let status = Command::new("debootstrap")
            .args([
                "--variant=minbase",
                &format!("--include={}", self.include),
                self.suite,
            ])
            .arg(&rootfs)
            .arg(&mirror)
            .stdout(logf.try_clone()?)
            .stderr(logf)
            .status()
            .context("cannot run debootstrap")?;
        if !status.success() {
            let tail = fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(15).collect();
            let _ = fs::remove_dir_all(&rootfs);
            bail!(
                "debootstrap failed ({status}); last lines of {}:\n{}",
                log.display(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        say!(
            "debootstrap done in {:.0?}; packing the rootfs",
            started.elapsed()
        );
        let tmp = tarball.with_extension("tar.tmp");
        let mut tar = Command::new("tar");
        tar.arg("-C").arg(&rootfs).arg("-cf").arg(&tmp);
        for ex in TAR_EXCLUDES {
            tar.arg(format!("--exclude={ex}"));
        }
        tar.arg(".");
        let status = tar.status().context("cannot run tar")?;
        let _ = fs::remove_dir_all(&rootfs);
        if !status.success() {
            let _ = fs::remove_file(&tmp);
            bail!("packing the rootfs failed ({status})");
        }
        fs::rename(&tmp, tarball)?;
        Ok(())
    }
}

pub(crate) fn is_root(sh: &Shell) -> bool {
    cmd!(sh, "id -u")
        .quiet()
        .read()
        .map(|s| s.trim() == "0")
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bookworm_base_keeps_its_tag() {
        // The tag machines already have (built before the bases were
        // parameterised): a change of the recipe's wording would rebuild it
        // and the moto image on every machine.
        assert_eq!(
            BOOKWORM_PYTHON.tag(),
            "cognito-token/bookworm-python:520462480647"
        );
        assert!(TRIXIE_NODE.tag().starts_with("cognito-token/trixie-node:"));
    }
}

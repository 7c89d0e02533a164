//! The cognito-local image (docker/cognito-local): cognito-local on Node.js,
//! built offline.
//!
//! The npm tree (package.json and package-lock.json in docker/cognito-local,
//! every package pinned with its integrity hash) is installed on the host
//! with `npm ci --omit=dev --ignore-scripts`, once per machine per version
//! of the lock file, into the cache directory (`cognito-local-<hash12>/`),
//! and put in the build context, so the container needs no network. Two
//! ways for the base, chosen automatically (or by `COGNITO_TOKEN_IMAGE_WAY`):
//! - `public`: `node:20-bookworm-slim`, when present or pulled;
//! - `debootstrap`: the trixie base of `base.rs` (Node.js 20.19 from Debian).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use cognito_token_emulator::COGNITO_LOCAL_IMAGE_NAME;
use xshell::Shell;

use super::base::TRIXIE_NODE;
use super::build::{
    cache_dir, docker_build, forced_public, fresh_context, hash12, image_exists, present_or_pulled,
    stderr_stdio,
};
use crate::{project_root, say};

/// The public base image.
const PUBLIC_BASE: &str = "node:20-bookworm-slim";

/// Makes sure the cognito-local image exists; returns its tag (the part
/// after `cognito-token/cognito-local:`).
pub(crate) fn ensure(sh: &Shell) -> anyhow::Result<String> {
    let dir = project_root().join("docker/cognito-local");
    let read = |f: &str| {
        fs::read(dir.join(f)).with_context(|| format!("cannot read docker/cognito-local/{f}"))
    };
    let (dockerfile, config, package, lock) = (
        read("Dockerfile")?,
        read("config.json")?,
        read("package.json")?,
        read("package-lock.json")?,
    );
    let local_base = TRIXIE_NODE.tag();
    let tag_of = |base: &str| hash12(&[&dockerfile, &config, &package, &lock, base.as_bytes()]);
    let candidates: Vec<&str> = match forced_public()? {
        Some(true) => vec![PUBLIC_BASE],
        Some(false) => vec![&local_base],
        None => vec![PUBLIC_BASE, &local_base],
    };
    for base in &candidates {
        let image = format!("{COGNITO_LOCAL_IMAGE_NAME}:{}", tag_of(base));
        if image_exists(sh, &image) {
            say!("cognito-local image {image} is present (base {base})");
            return Ok(tag_of(base));
        }
    }

    let cache = cache_dir()?;
    let base = match candidates.as_slice() {
        [only] if *only == local_base => TRIXIE_NODE.ensure(sh, &cache)?,
        [only] => (*only).to_owned(),
        _ if present_or_pulled(sh, PUBLIC_BASE) => PUBLIC_BASE.to_owned(),
        _ => {
            say!(
                "no registry reached: cognito-local goes on a Debian trixie base built on this host"
            );
            TRIXIE_NODE.ensure(sh, &cache)?
        }
    };
    let tag = tag_of(&base);
    let image = format!("{COGNITO_LOCAL_IMAGE_NAME}:{tag}");
    say!("building the cognito-local image {image} (base {base})");
    let tree = ensure_tree(sh, &cache, &package, &lock)?;

    let started = Instant::now();
    let ctx = fresh_context(&cache, "cognito-local")?;
    let result = (|| -> anyhow::Result<()> {
        fs::write(ctx.join("Dockerfile"), &dockerfile)?;
        fs::write(ctx.join("config.json"), &config)?;
        // A hard-linked copy of the tree (a plain copy across file systems).
        let status = Command::new("cp")
            .arg("-al")
            .arg(&tree)
            .arg(ctx.join("app"))
            .status()
            .context("cannot run cp")?;
        if !status.success() {
            let status = Command::new("cp")
                .arg("-a")
                .arg(&tree)
                .arg(ctx.join("app"))
                .status()
                .context("cannot run cp")?;
            if !status.success() {
                bail!("cannot copy {} into the build context", tree.display());
            }
        }
        docker_build(&base, &tag, &image, &ctx)
    })();
    let _ = fs::remove_dir_all(&ctx);
    result?;
    say!("built {image} in {:.0?}", started.elapsed());
    Ok(tag)
}

/// The installed npm tree for these package files, from the cache; made
/// with `npm ci` on the host when missing.
fn ensure_tree(sh: &Shell, cache: &Path, package: &[u8], lock: &[u8]) -> anyhow::Result<PathBuf> {
    let dir = cache.join(format!("cognito-local-{}", hash12(&[package, lock])));
    if dir.join(".complete").exists() {
        say!("cognito-local's npm tree cached in {}", dir.display());
        return Ok(dir);
    }
    if xshell::cmd!(sh, "npm --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_err()
    {
        bail!(
            "npm is missing: the cognito-local image needs its packages fetched on the host \
             (`apt-get install -y nodejs npm`)"
        );
    }
    let tmp = cache.join(format!("cognito-local-{}.tmp", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    fs::write(tmp.join("package.json"), package)?;
    fs::write(tmp.join("package-lock.json"), lock)?;
    say!(
        "fetching cognito-local's packages: npm ci --omit=dev --ignore-scripts in {}",
        tmp.display()
    );
    let started = Instant::now();
    let status = Command::new("npm")
        .args([
            "ci",
            "--omit=dev",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ])
        .current_dir(&tmp)
        .stdin(Stdio::null())
        .stdout(stderr_stdio())
        .status()
        .context("cannot run npm")?;
    if !status.success() {
        let _ = fs::remove_dir_all(&tmp);
        bail!("`npm ci` of cognito-local's packages failed ({status})");
    }
    fs::write(tmp.join(".complete"), b"")?;
    let _ = fs::remove_dir_all(&dir);
    fs::rename(&tmp, &dir)?;
    say!(
        "cognito-local's packages fetched in {:.0?}",
        started.elapsed()
    );
    Ok(dir)
}

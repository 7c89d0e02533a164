//! The fakecloud image (docker/fakecloud).
//!
//! fakecloud (AGPL-3.0-or-later) runs as a separate program in its own
//! container; nothing of it is linked into cognito-token. The image is
//! tagged `cognito-token/fakecloud:<hash12>` over its inputs; an existing
//! tag is reused. Ways, chosen automatically (or by
//! `COGNITO_TOKEN_IMAGE_WAY=public|debootstrap`):
//! - `public`: the Cognito-only binary (below) on `debian:bookworm-slim`,
//!   when a registry answers;
//! - `debootstrap` (offline): the same binary on the bookworm base of
//!   `base.rs`.
//!
//! The published full image (`ghcr.io/faiscadev/fakecloud`) is not used:
//! it runs Lambda triggers its own way, while the custom-challenge emulator
//! tests need docker/fakecloud's forwarder (`FAKECLOUD_LAMBDA_URL`), so
//! every machine runs the same Cognito-only build.
//!
//! The Cognito-only binary is docker/fakecloud: fakecloud's Cognito, IAM
//! and STS crates behind its own small server (its own Cargo.toml and
//! Cargo.lock, outside the workspace), `cargo build --release --locked`ed
//! once per machine per version of its inputs into the cache directory:
//! `fakecloud-cognito-<hash12>/fakecloud-cognito-only`, with cargo's target
//! directory in `fakecloud-cognito-build/`, so an interrupted build
//! resumes. It needs crates.io and a C compiler (ring's assembly).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use cognito_token_emulator::{FAKECLOUD_IMAGE_NAME, FAKECLOUD_VERSION};
use xshell::Shell;

use super::base::BOOKWORM_PYTHON;
use super::build::{
    cache_dir, docker_build, forced_public, fresh_context, hash12, image_exists, link_or_copy,
    present_or_pulled, stderr_stdio,
};
use crate::{project_root, say};

/// The public base for the locally built binary.
const PUBLIC_BASE: &str = "debian:bookworm-slim";
/// The binary's name (docker/fakecloud/Cargo.toml's `[[bin]]`).
pub(crate) const BIN: &str = "fakecloud-cognito-only";
/// The files the binary is built from, relative to docker/fakecloud; their
/// hash names the cached binary.
const SOURCES: [&str; 3] = ["Cargo.toml", "Cargo.lock", "src/main.rs"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Way {
    /// The binary on `debian:bookworm-slim`.
    Public,
    /// The binary on the local debootstrap base.
    Debootstrap,
}

/// Makes sure the fakecloud image exists; returns its tag (the part after
/// `cognito-token/fakecloud:`).
pub(crate) fn ensure(sh: &Shell) -> anyhow::Result<String> {
    let dir = project_root().join("docker/fakecloud");
    let dockerfile =
        fs::read(dir.join("Dockerfile")).context("cannot read docker/fakecloud/Dockerfile")?;
    let sources = sources_hash(&dir)?;
    let local_base = BOOKWORM_PYTHON.tag();
    let tag_of = |way: Way| match way {
        Way::Public => hash12(&[&dockerfile, sources.as_bytes(), PUBLIC_BASE.as_bytes()]),
        Way::Debootstrap => hash12(&[&dockerfile, sources.as_bytes(), local_base.as_bytes()]),
    };
    let name = |way: Way| format!("{FAKECLOUD_IMAGE_NAME}:{}", tag_of(way));

    let forced = forced_public()?.map(|public| {
        if public {
            Way::Public
        } else {
            Way::Debootstrap
        }
    });
    let candidates: &[Way] = match forced {
        Some(Way::Debootstrap) => &[Way::Debootstrap],
        Some(_) => &[Way::Public],
        None => &[Way::Public, Way::Debootstrap],
    };
    for &way in candidates {
        if image_exists(sh, &name(way)) {
            say!("fakecloud image {} is present ({way:?})", name(way));
            return Ok(tag_of(way));
        }
    }

    let way = match forced {
        Some(w) => w,
        None if present_or_pulled(sh, PUBLIC_BASE) => Way::Public,
        None => Way::Debootstrap,
    };
    let cache = cache_dir()?;
    let base = match way {
        Way::Debootstrap => BOOKWORM_PYTHON.ensure(sh, &cache)?,
        _ => {
            if !present_or_pulled(sh, PUBLIC_BASE) {
                bail!(
                    "cannot pull {PUBLIC_BASE}; without a registry use the offline way ({}=debootstrap)",
                    super::build::WAY_ENV
                );
            }
            PUBLIC_BASE.to_owned()
        }
    };
    let image = name(way);
    say!("fakecloud image {image}: fakecloud {FAKECLOUD_VERSION}'s Cognito on {base}");
    let bin = ensure_binary(&cache, &dir, &sources)?;

    // A private build context: the Dockerfile and the binary.
    let started = Instant::now();
    let ctx = fresh_context(&cache, "fakecloud")?;
    let result = (|| -> anyhow::Result<()> {
        fs::write(ctx.join("Dockerfile"), &dockerfile)?;
        link_or_copy(&bin, &ctx.join(BIN))?;
        docker_build(&base, &tag_of(way), &image, &ctx)
    })();
    let _ = fs::remove_dir_all(&ctx);
    result?;
    say!("built {image} in {:.0?}", started.elapsed());
    Ok(tag_of(way))
}

/// The hash of the binary's sources (and of the pinned version).
fn sources_hash(dir: &Path) -> anyhow::Result<String> {
    let mut parts = vec![FAKECLOUD_VERSION.as_bytes().to_vec()];
    for f in SOURCES {
        parts.push(
            fs::read(dir.join(f)).with_context(|| format!("cannot read docker/fakecloud/{f}"))?,
        );
    }
    Ok(hash12(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>()))
}

/// The Cognito-only binary for these sources, from the cache; built with
/// `cargo build` when missing.
fn ensure_binary(cache: &Path, dir: &Path, sources: &str) -> anyhow::Result<PathBuf> {
    let out = cache.join(format!("fakecloud-cognito-{sources}"));
    let bin = out.join(BIN);
    if bin.is_file() {
        say!("fakecloud's Cognito binary cached: {}", bin.display());
        return Ok(bin);
    }
    let target = cache.join("fakecloud-cognito-build");
    let manifest = dir.join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    say!(
        "building fakecloud {FAKECLOUD_VERSION}'s Cognito (docker/fakecloud) from crates.io, once per \
         machine: about 3 to 4 minutes on 2 idle cores; an interrupted build resumes from {}",
        target.display()
    );
    say!(
        "cargo build --release --locked --manifest-path {} --target-dir {}",
        manifest.display(),
        target.display()
    );
    let started = Instant::now();
    let status = Command::new(&cargo)
        .args(["build", "--release", "--locked", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        // Outside the checkout, so its .cargo/config.toml does not apply.
        .current_dir(cache)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .stdin(Stdio::null())
        .stdout(stderr_stdio())
        .status()
        .context("cannot run `cargo build`")?;
    if !status.success() {
        bail!(
            "building docker/fakecloud failed ({status}); it needs crates.io and a C compiler \
             (`apt-get install -y build-essential`); run the xtask again to resume"
        );
    }
    let built = target.join("release").join(BIN);
    let tmp = cache.join(format!("fakecloud-cognito-{sources}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    fs::copy(&built, tmp.join(BIN))
        .with_context(|| format!("the build left no {}", built.display()))?;
    let _ = fs::remove_dir_all(&out);
    fs::rename(&tmp, &out)?;
    say!(
        "fakecloud's Cognito built in {:.0?}: {}",
        started.elapsed(),
        bin.display()
    );
    Ok(bin)
}

//! Building the fakecloud emulator image (docker/fakecloud).
//!
//! fakecloud (AGPL-3.0-or-later) runs as a separate program in its own
//! container; nothing of it is linked into this project. The image is
//! tagged `cognito-token/fakecloud:<hash12>` over its inputs (Dockerfile,
//! pinned version, base image); an existing tag is reused. Ways, chosen
//! automatically (or by `COGNITO_TOKEN_IMAGE_WAY=public|debootstrap`):
//! - `public`: the published image (`ghcr.io/faiscadev/fakecloud:<version>`) when `docker pull` gets
//!   it and it reports the pinned version; else the binary (below) on
//!   `debian:bookworm-slim`, whose build installs the libraries from apt;
//! - `debootstrap` (offline): the binary on the local Debian base the moto
//!   image uses (`cognito-token/bookworm-python:<hash>`), which already has
//!   libssl3, libcrypto3 and zlib.
//!
//! The binary is `cargo install --locked --version <pinned> fakecloud`,
//! built once per machine into the cache directory (`COGNITO_TOKEN_CACHE_DIR`,
//! else `$XDG_CACHE_HOME/cognito-token`, else `~/.cache/cognito-token`):
//! `fakecloud-<version>/bin/fakecloud`, with cargo's target directory in
//! `fakecloud-build/`, so an interrupted build resumes. It takes about 35
//! minutes on 2 cores; cargo's progress goes to stderr.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use cognito_token_emulator::{FAKECLOUD_IMAGE_NAME, FAKECLOUD_VERSION};
use xshell::Shell;

use crate::image::{
    WAY_ENV, cache_dir, ensure_local_base, hash12, image_exists, local_base_tag, stderr_stdio,
};
use crate::{project_root, say};

/// The repository of the published image, tried first when a registry
/// answers (tag: the pinned version).
const PUBLISHED_REPO: &str = "ghcr.io/faiscadev/fakecloud";
/// The public base for the locally built binary.
const PUBLIC_BASE: &str = "debian:bookworm-slim";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Way {
    /// The published image, re-tagged.
    Published,
    /// The binary on `debian:bookworm-slim`.
    Public,
    /// The binary on the local debootstrap base.
    Debootstrap,
}

/// Makes sure the fakecloud image exists; returns its tag (the part after
/// `cognito-token/fakecloud:`).
pub fn ensure(sh: &Shell) -> anyhow::Result<String> {
    let published = format!("{PUBLISHED_REPO}:{FAKECLOUD_VERSION}");
    let dockerfile = fs::read(project_root().join("docker/fakecloud/Dockerfile"))
        .context("cannot read docker/fakecloud/Dockerfile")?;
    let local_base = local_base_tag();
    let tag_of = |way: Way| match way {
        Way::Published => hash12(&[b"published", published.as_bytes()]),
        Way::Public => hash12(&[
            &dockerfile,
            FAKECLOUD_VERSION.as_bytes(),
            PUBLIC_BASE.as_bytes(),
        ]),
        Way::Debootstrap => hash12(&[
            &dockerfile,
            FAKECLOUD_VERSION.as_bytes(),
            local_base.as_bytes(),
        ]),
    };
    let name = |way: Way| format!("{FAKECLOUD_IMAGE_NAME}:{}", tag_of(way));

    let forced = match std::env::var(WAY_ENV).ok().as_deref().map(str::trim) {
        None | Some("") => None,
        Some("public") => Some(Way::Public),
        Some("debootstrap") => Some(Way::Debootstrap),
        Some(other) => bail!("{WAY_ENV}={other:?}: expected `public` or `debootstrap`"),
    };
    let candidates: &[Way] = match forced {
        Some(Way::Debootstrap) => &[Way::Debootstrap],
        Some(_) => &[Way::Published, Way::Public],
        None => &[Way::Published, Way::Public, Way::Debootstrap],
    };
    for &way in candidates {
        if image_exists(sh, &name(way)) {
            say!("fakecloud image {} is present ({way:?})", name(way));
            return Ok(tag_of(way));
        }
    }

    if forced != Some(Way::Debootstrap) && try_published(sh, &published, &name(Way::Published))? {
        return Ok(tag_of(Way::Published));
    }
    let way = match forced {
        Some(w) => w,
        None if image_exists(sh, PUBLIC_BASE) || pull(PUBLIC_BASE) => Way::Public,
        None => Way::Debootstrap,
    };
    let base = match way {
        Way::Debootstrap => local_base.clone(),
        _ => PUBLIC_BASE.to_owned(),
    };
    let image = name(way);
    say!("fakecloud image {image}: fakecloud {FAKECLOUD_VERSION} on {base}");

    let cache = cache_dir()?;
    let bin = ensure_binary(&cache)?;
    match way {
        Way::Debootstrap => ensure_local_base(sh, &cache, &base)?,
        _ => {
            if !image_exists(sh, &base) && !pull(&base) {
                bail!(
                    "cannot pull {base}; without a registry use the offline way ({WAY_ENV}=debootstrap)"
                );
            }
        }
    }

    // A private build context: the Dockerfile and the binary (hard-linked
    // when the cache and the context share a file system).
    let started = Instant::now();
    let ctx = cache.join(format!("context-fakecloud-{}", std::process::id()));
    let _ = fs::remove_dir_all(&ctx);
    fs::create_dir_all(&ctx)?;
    let result = (|| -> anyhow::Result<()> {
        fs::write(ctx.join("Dockerfile"), &dockerfile)?;
        if fs::hard_link(&bin, ctx.join("fakecloud")).is_err() {
            fs::copy(&bin, ctx.join("fakecloud"))?;
        }
        let tag = image.rsplit(':').next().unwrap_or_default();
        crate::image::docker_build(&base, tag, &image, &ctx)
    })();
    let _ = fs::remove_dir_all(&ctx);
    result?;
    say!("built {image} in {:.0?}", started.elapsed());
    Ok(tag_of(way))
}

/// `docker pull` (at most 5 minutes); whether it worked.
fn pull(image: &str) -> bool {
    say!("docker pull {image}");
    Command::new("timeout")
        .args(["300", "docker", "pull", "--quiet", image])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Pulls the published image and re-tags it as `image`, when a registry
/// answers and the image reports the pinned version; whether it did.
fn try_published(sh: &Shell, published: &str, image: &str) -> anyhow::Result<bool> {
    if !pull(published) {
        say!("no published fakecloud image reached: it is built from source (once per machine)");
        return Ok(false);
    }
    let version = Command::new("docker")
        .args(["run", "--rm", published, "--version"])
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    if version != format!("fakecloud {FAKECLOUD_VERSION}") {
        say!(
            "{published} reports {version:?}, not fakecloud {FAKECLOUD_VERSION}: building from source instead"
        );
        return Ok(false);
    }
    let src = published;
    xshell::cmd!(sh, "docker tag {src} {image}")
        .quiet()
        .run()
        .context("`docker tag` of the published fakecloud image failed")?;
    say!("using the published image {published} as {image}");
    Ok(true)
}

/// Whether `root` holds an installed fakecloud of the pinned version.
fn installed(root: &Path, bin: &Path) -> bool {
    if !bin.is_file() {
        return false;
    }
    let want = format!("\"fakecloud {FAKECLOUD_VERSION} (registry+");
    if fs::read_to_string(root.join(".crates.toml")).is_ok_and(|s| s.contains(&want)) {
        return true;
    }
    Command::new(bin).arg("--version").output().is_ok_and(|o| {
        String::from_utf8_lossy(&o.stdout).trim() == format!("fakecloud {FAKECLOUD_VERSION}")
    })
}

/// The fakecloud binary of the pinned version, from the cache; built with
/// `cargo install` when missing.
fn ensure_binary(cache: &Path) -> anyhow::Result<PathBuf> {
    let root = cache.join(format!("fakecloud-{FAKECLOUD_VERSION}"));
    let bin = root.join("bin").join("fakecloud");
    if installed(&root, &bin) {
        say!(
            "fakecloud {FAKECLOUD_VERSION} binary cached: {}",
            bin.display()
        );
        return Ok(bin);
    }
    let target = cache.join("fakecloud-build");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    say!(
        "building fakecloud {FAKECLOUD_VERSION} from crates.io, once per machine: about 25 minutes \
         on 2 cores; an interrupted build resumes from {}",
        target.display()
    );
    say!(
        "cargo install --locked --version {FAKECLOUD_VERSION} fakecloud --root {} --target-dir {}",
        root.display(),
        target.display()
    );
    let started = Instant::now();
    let status = Command::new(&cargo)
        .args([
            "install",
            "--locked",
            "--version",
            FAKECLOUD_VERSION,
            "fakecloud",
        ])
        .arg("--root")
        .arg(&root)
        .arg("--target-dir")
        .arg(&target)
        // Measured on a 2-core machine: opt-level 1 with many codegen units
        // builds in ~24 minutes instead of ~35 and answers sign-ins as fast.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        // Outside the checkout, so its .cargo/config.toml does not apply.
        .current_dir(cache)
        .stdin(Stdio::null())
        .stdout(stderr_stdio())
        .status()
        .context("cannot run `cargo install`")?;
    if !status.success() {
        bail!(
            "`cargo install fakecloud@{FAKECLOUD_VERSION}` failed ({status}); it needs crates.io, \
             a C compiler, pkg-config and the OpenSSL headers (`apt-get install -y build-essential pkg-config libssl-dev`); \
             run the xtask again to resume"
        );
    }
    if !installed(&root, &bin) {
        bail!(
            "`cargo install` succeeded but {} is not fakecloud {FAKECLOUD_VERSION}",
            bin.display()
        );
    }
    say!(
        "fakecloud {FAKECLOUD_VERSION} built in {:.0?}: {}",
        started.elapsed(),
        bin.display()
    );
    Ok(bin)
}

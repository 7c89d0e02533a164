//! Building the moto emulator image (docker/moto), offline when no
//! container registry can be reached.
//!
//! The image is tagged `cognito-token/moto:<hash12>` over its inputs
//! (Dockerfile, requirements.txt, base image); an existing tag is reused.
//! Two ways, chosen automatically (or by `COGNITO_TOKEN_IMAGE_WAY=public|debootstrap`):
//! - `public`: `FROM python:3.11-slim`, when that image is present or
//!   `docker pull` gets it;
//! - `debootstrap`: a Debian bookworm base made with debootstrap on this
//!   host and imported as `cognito-token/bookworm-python:<hash12>`.
//!
//! Wheels for requirements.txt are fetched on the host with `pip download`
//! and put in the build context, so the container needs no network (the
//! debootstrap way requires them; the public way falls back to PyPI from
//! inside the build when the host has no pip). The rootfs tarball and
//! wheels are cached outside the checkout, in `COGNITO_TOKEN_CACHE_DIR`,
//! else `$XDG_CACHE_HOME/cognito-token`, else `~/.cache/cognito-token`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use xshell::{Shell, cmd};

use crate::{project_root, say};

/// The public base image.
pub const PUBLIC_BASE: &str = "python:3.11-slim";
/// The repository of the local debootstrap base.
const LOCAL_BASE_REPO: &str = "cognito-token/bookworm-python";
/// What the local base is made of; changing it changes the base's tag.
const DEBOOTSTRAP_SUITE: &str = "bookworm";
const DEBOOTSTRAP_INCLUDE: &str = "python3,python3-venv,ca-certificates";
const TAR_EXCLUDES: [&str; 6] = [
    "./var/cache/apt/archives/*.deb",
    "./var/lib/apt/lists/*",
    "./usr/share/doc/*",
    "./usr/share/man/*",
    "./usr/share/locale/*",
    "./usr/share/info/*",
];
const RECIPE_VERSION: &str = "1";
/// The environment variable that forces a way.
pub(crate) const WAY_ENV: &str = "COGNITO_TOKEN_IMAGE_WAY";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Way {
    Public,
    Debootstrap,
}

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

pub(crate) fn local_base_tag() -> String {
    let recipe = format!(
        "debootstrap --variant=minbase --include={DEBOOTSTRAP_INCLUDE} {DEBOOTSTRAP_SUITE}; excludes {TAR_EXCLUDES:?}; v{RECIPE_VERSION}"
    );
    format!("{LOCAL_BASE_REPO}:{}", hash12(&[recipe.as_bytes()]))
}

/// The cache directory (created).
pub fn cache_dir() -> anyhow::Result<PathBuf> {
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

pub(crate) fn stderr_stdio() -> Stdio {
    Stdio::from(std::io::stderr())
}

/// Makes sure the emulator image exists; returns its tag (the part after
/// `cognito-token/moto:`).
pub fn ensure(sh: &Shell) -> anyhow::Result<String> {
    let dir = project_root().join("docker/moto");
    let dockerfile =
        fs::read(dir.join("Dockerfile")).context("cannot read docker/moto/Dockerfile")?;
    let requirements = fs::read(dir.join("requirements.txt"))
        .context("cannot read docker/moto/requirements.txt")?;
    let tag_for = |base: &str| hash12(&[&dockerfile, &requirements, base.as_bytes()]);
    let local_base = local_base_tag();
    let base_of = |way: Way| match way {
        Way::Public => PUBLIC_BASE.to_owned(),
        Way::Debootstrap => local_base.clone(),
    };

    let forced = match std::env::var(WAY_ENV).ok().as_deref().map(str::trim) {
        None | Some("") => None,
        Some("public") => Some(Way::Public),
        Some("debootstrap") => Some(Way::Debootstrap),
        Some(other) => bail!("{WAY_ENV}={other:?}: expected `public` or `debootstrap`"),
    };
    let candidates: Vec<Way> = match forced {
        Some(w) => vec![w],
        None => vec![Way::Public, Way::Debootstrap],
    };
    for way in &candidates {
        let tag = tag_for(&base_of(*way));
        if image_exists(sh, &format!("{}:{tag}", cognito_token_emulator::IMAGE_NAME)) {
            say!(
                "emulator image {}:{tag} is present (base {})",
                cognito_token_emulator::IMAGE_NAME,
                base_of(*way)
            );
            return Ok(tag);
        }
    }

    let way = match forced {
        Some(w) => {
            say!("image way forced by {WAY_ENV}: {w:?}");
            w
        }
        None => choose_way(sh),
    };
    let base = base_of(way);
    let tag = tag_for(&base);
    let image = format!("{}:{tag}", cognito_token_emulator::IMAGE_NAME);
    let started = Instant::now();
    say!("building the emulator image {image} (base {base})");

    let cache = cache_dir()?;
    if way == Way::Debootstrap {
        ensure_local_base(sh, &cache, &base)?;
    }
    let wheels = match ensure_wheels(sh, &cache, &requirements) {
        Ok(w) => Some(w),
        Err(e) if way == Way::Public => {
            say!("no wheels from the host ({e:#}); the image build will install from PyPI");
            None
        }
        Err(e) => {
            return Err(
                e.context("the offline (debootstrap) image needs wheels fetched on the host")
            );
        }
    };

    // A private build context: Dockerfile, requirements.txt, wheels/.
    let ctx = cache.join(format!("context-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&ctx);
    fs::create_dir_all(&ctx)?;
    let result = (|| -> anyhow::Result<()> {
        fs::write(ctx.join("Dockerfile"), &dockerfile)?;
        fs::write(ctx.join("requirements.txt"), &requirements)?;
        if let Some(w) = &wheels {
            let dst = ctx.join("wheels");
            fs::create_dir_all(&dst)?;
            for e in fs::read_dir(w)? {
                let e = e?;
                let name = e.file_name();
                if name.to_string_lossy().ends_with(".whl")
                    && fs::hard_link(e.path(), dst.join(&name)).is_err()
                {
                    fs::copy(e.path(), dst.join(&name))?;
                }
            }
        }
        docker_build(&base, &tag, &image, &ctx)
    })();
    let _ = fs::remove_dir_all(&ctx);
    result?;
    say!("built {image} in {:.0?}", started.elapsed());
    Ok(tag)
}

fn choose_way(sh: &Shell) -> Way {
    if image_exists(sh, PUBLIC_BASE) {
        say!("image way: public ({PUBLIC_BASE} is present)");
        return Way::Public;
    }
    say!("checking for a container registry: docker pull {PUBLIC_BASE}");
    let pulled = Command::new("timeout")
        .args(["120", "docker", "pull", "--quiet", PUBLIC_BASE])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if pulled {
        say!("image way: public (pulled {PUBLIC_BASE})");
        Way::Public
    } else {
        say!("image way: debootstrap (no registry reached: a Debian base is built on this host)");
        Way::Debootstrap
    }
}

fn is_root(sh: &Shell) -> bool {
    cmd!(sh, "id -u")
        .quiet()
        .read()
        .map(|s| s.trim() == "0")
        .unwrap_or(false)
}

pub(crate) fn ensure_local_base(sh: &Shell, cache: &Path, base: &str) -> anyhow::Result<()> {
    if image_exists(sh, base) {
        say!("base image {base} is present");
        return Ok(());
    }
    let hash = base.rsplit(':').next().unwrap_or("x");
    let tarball = cache.join(format!("bookworm-python-{hash}.tar"));
    if !tarball.exists() {
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
        let rootfs = cache.join(format!("rootfs-{hash}.tmp"));
        if rootfs.exists() {
            fs::remove_dir_all(&rootfs)
                .with_context(|| format!("cannot remove {}", rootfs.display()))?;
        }
        let mirror = std::env::var("COGNITO_TOKEN_DEBIAN_MIRROR")
            .unwrap_or_else(|_| "http://deb.debian.org/debian".into());
        let log = cache.join("debootstrap.log");
        say!(
            "debootstrap {DEBOOTSTRAP_SUITE} (minbase + {DEBOOTSTRAP_INCLUDE}) from {mirror}: about a minute; log {}",
            log.display()
        );
        let started = Instant::now();
        let logf = fs::File::create(&log)?;
        let status = Command::new("debootstrap")
            .args([
                "--variant=minbase",
                &format!("--include={DEBOOTSTRAP_INCLUDE}"),
                DEBOOTSTRAP_SUITE,
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
        let tmp = cache.join(format!("bookworm-python-{hash}.tar.tmp"));
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
        fs::rename(&tmp, &tarball)?;
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
    Ok(())
}

/// A pip on this host: `python3 -m pip`, else `pip3`.
fn host_pip(sh: &Shell) -> Option<Vec<String>> {
    let candidates: [&[&str]; 3] = [
        &["python3", "-m", "pip"],
        &["/usr/bin/python3", "-m", "pip"],
        &["pip3"],
    ];
    for c in candidates {
        let (prog, args) = (c[0], &c[1..]);
        if cmd!(sh, "{prog} {args...} --version")
            .quiet()
            .ignore_stdout()
            .ignore_stderr()
            .run()
            .is_ok()
        {
            return Some(c.iter().map(|s| s.to_string()).collect());
        }
    }
    None
}

fn ensure_wheels(sh: &Shell, cache: &Path, requirements: &[u8]) -> anyhow::Result<PathBuf> {
    let dir = cache.join(format!(
        "wheels-{}",
        hash12(&[requirements, b"cp311-manylinux-x86_64"])
    ));
    if dir.join(".complete").exists() {
        say!("wheels cached in {}", dir.display());
        return Ok(dir);
    }
    let Some(pip) = host_pip(sh) else {
        bail!("no pip on this host (`apt-get install -y python3-pip`)");
    };
    let tmp = cache.join(format!("wheels-{}.tmp", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    let req = tmp.join("requirements.txt");
    fs::write(&req, requirements)?;
    say!("fetching wheels with pip download into {}", dir.display());
    let started = Instant::now();
    let (prog, args) = (&pip[0], &pip[1..]);
    let res = cmd!(
        sh,
        "{prog} {args...} download --quiet --disable-pip-version-check --only-binary=:all:
            --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none
            --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 --platform any
            -d {tmp} -r {req}"
    )
    .quiet()
    .run();
    if let Err(e) = res {
        let _ = fs::remove_dir_all(&tmp);
        return Err(
            anyhow::Error::from(e).context("`pip download` of the emulator's wheels failed")
        );
    }
    fs::remove_file(&req)?;
    fs::write(tmp.join(".complete"), b"")?;
    let _ = fs::remove_dir_all(&dir);
    fs::rename(&tmp, &dir)?;
    say!("wheels fetched in {:.0?}", started.elapsed());
    Ok(dir)
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

//! The moto image (docker/moto): moto in server mode, from pinned wheels.
//!
//! Two ways, chosen automatically (or by `COGNITO_TOKEN_IMAGE_WAY`):
//! - `public`: `FROM python:3.11-slim`, when that image is present or
//!   `docker pull` gets it;
//! - `debootstrap`: the bookworm base of `base.rs`.
//!
//! Wheels for requirements.txt are fetched on the host with `pip download`
//! and put in the build context, so the container needs no network (the
//! debootstrap way requires them; the public way falls back to PyPI from
//! inside the build when the host has no pip); they are cached in the
//! cache directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

use super::base::BOOKWORM_PYTHON;
use super::build::{
    WAY_ENV, cache_dir, docker_build, forced_public, fresh_context, hash12, image_exists,
    link_or_copy, pull,
};
use crate::{project_root, say};

/// The public base image.
pub(super) const PUBLIC_BASE: &str = "python:3.11-slim";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Way {
    Public,
    Debootstrap,
}

/// Makes sure the moto image exists; returns its tag (the part after
/// `cognito-token/moto:`).
pub(crate) fn ensure(sh: &Shell) -> anyhow::Result<String> {
    let dir = project_root().join("docker/moto");
    let dockerfile =
        fs::read(dir.join("Dockerfile")).context("cannot read docker/moto/Dockerfile")?;
    let requirements = fs::read(dir.join("requirements.txt"))
        .context("cannot read docker/moto/requirements.txt")?;
    let tag_for = |base: &str| hash12(&[&dockerfile, &requirements, base.as_bytes()]);
    let local_base = BOOKWORM_PYTHON.tag();
    let base_of = |way: Way| match way {
        Way::Public => PUBLIC_BASE.to_owned(),
        Way::Debootstrap => local_base.clone(),
    };

    let forced = forced_public()?.map(|public| {
        if public {
            Way::Public
        } else {
            Way::Debootstrap
        }
    });
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
        BOOKWORM_PYTHON.ensure(sh, &cache)?;
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
    let ctx = fresh_context(&cache, "moto")?;
    let result = (|| -> anyhow::Result<()> {
        fs::write(ctx.join("Dockerfile"), &dockerfile)?;
        fs::write(ctx.join("requirements.txt"), &requirements)?;
        if let Some(w) = &wheels {
            let dst = ctx.join("wheels");
            fs::create_dir_all(&dst)?;
            for e in fs::read_dir(w)? {
                let e = e?;
                let name = e.file_name();
                if name.to_string_lossy().ends_with(".whl") {
                    link_or_copy(&e.path(), &dst.join(&name))?;
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
        Way::Public
    } else if pull(PUBLIC_BASE, 120) {
        say!("image way: public (pulled {PUBLIC_BASE})");
        Way::Public
    } else {
        say!("image way: debootstrap (no registry reached: a Debian base is built on this host)");
        Way::Debootstrap
    }
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

//! Building the emulator images, offline when no container registry can be
//! reached: moto (`moto.rs`, docker/moto), fakecloud (`fakecloud.rs`,
//! docker/fakecloud) and cognito-local (`cognito_local.rs`,
//! docker/cognito-local); the Debian bases made with debootstrap for the
//! offline way (`base.rs`); and what the builds share (`build.rs`). This
//! file picks the emulator's.
//!
//! Every image is tagged `cognito-token/<kind>:<hash12>` over its inputs
//! (Dockerfile, pinned packages, base image); an existing tag is reused.
//! Each chooses its way automatically (a public base when a registry
//! answers, else a debootstrap base), or as `COGNITO_TOKEN_IMAGE_WAY=public|debootstrap`
//! says. What is fetched on the host (debootstrap root file systems,
//! wheels, the npm tree, the fakecloud build) is cached outside the
//! checkout, in `COGNITO_TOKEN_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/cognito-token`, else `~/.cache/cognito-token`.

mod base;
mod build;
mod cognito_local;
mod fakecloud;
mod moto;

use cognito_token_emulator::Kind;
use xshell::Shell;

pub(crate) use base::is_root;

/// Makes sure the image of `kind` exists; returns its tag (the part after
/// `cognito-token/<kind>:`).
pub(crate) fn ensure(sh: &Shell, kind: Kind) -> anyhow::Result<String> {
    match kind {
        Kind::Moto => moto::ensure(sh),
        Kind::Fakecloud => fakecloud::ensure(sh),
        Kind::CognitoLocal => cognito_local::ensure(sh),
    }
}

/// Whether the images come from a registry (doctor: the tools that build
/// them here are then not needed): as `COGNITO_TOKEN_IMAGE_WAY` forces,
/// else whether moto's public base is present or can be pulled.
pub(crate) fn registry_answers() -> bool {
    match build::forced_public() {
        Ok(Some(public)) => public,
        Ok(None) => Shell::new().is_ok_and(|sh| build::present_or_pulled(&sh, moto::PUBLIC_BASE)),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use cognito_token_emulator::{COGNITO_LOCAL_VERSION, FAKECLOUD_VERSION};

    use crate::project_root;

    fn read(path: &str) -> String {
        std::fs::read_to_string(project_root().join(path)).unwrap()
    }

    #[test]
    fn the_pinned_versions_agree() {
        // The fakecloud crates docker/fakecloud links, its version, and the
        // version the emulator crate (the published image's tag, the README)
        // names are one.
        let manifest = read("docker/fakecloud/Cargo.toml");
        for krate in ["fakecloud-cognito", "fakecloud-core", "fakecloud-iam"] {
            assert!(
                manifest.contains(&format!("{krate} = \"={FAKECLOUD_VERSION}\"")),
                "{krate} is not pinned to ={FAKECLOUD_VERSION} in docker/fakecloud/Cargo.toml"
            );
        }
        assert!(manifest.contains(&format!("version = \"{FAKECLOUD_VERSION}\"")));
        let lock = read("docker/fakecloud/Cargo.lock");
        assert!(
            lock.contains(&format!(
                "name = \"fakecloud-cognito\"\nversion = \"{FAKECLOUD_VERSION}\""
            )),
            "docker/fakecloud/Cargo.lock"
        );
        // cognito-local: package.json and its lock.
        let package = read("docker/cognito-local/package.json");
        assert!(
            package.contains(&format!("\"cognito-local\": \"{COGNITO_LOCAL_VERSION}\"")),
            "{package}"
        );
        let lock = read("docker/cognito-local/package-lock.json");
        assert!(
            lock.contains(&format!(
                "\"node_modules/cognito-local\": {{\n      \"version\": \"{COGNITO_LOCAL_VERSION}\""
            )),
            "docker/cognito-local/package-lock.json"
        );
    }
}

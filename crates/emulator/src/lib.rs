//! Cognito emulators in Docker: the moto, fakecloud and cognito-local
//! images as testcontainers [`Image`](testcontainers::Image)s, a handle on a
//! running container of any kind ([`Emulator`]), and provisioning of user
//! pools, app clients and users through the AWS SDK admin APIs
//! ([`provision`], [`Provisioned`]).
//!
//! The images themselves are built by `cargo xtask image --emulator
//! moto|fakecloud|cognito-local` (docker/moto, docker/fakecloud,
//! docker/cognito-local), which tags them `cognito-token/<kind>:<hash>`
//! over their inputs: pass that tag to [`Moto::new`], [`Fakecloud::new`] or
//! [`CognitoLocal::new`].
//!
//! One process owns the emulators' lifetime: `cargo xtask test-local`
//! starts one container per emulator, exports each one's endpoint
//! ([`Kind::endpoint_env`]) to the tests it runs and removes the containers
//! at the end. Tests read the endpoint with [`Kind::endpoint_from_env`] (or
//! [`endpoint_from_env`] for moto) and provision their own pool (every
//! pool, client and user name carries a random suffix). One exception: a
//! test of Cognito's Lambda triggers starts a fakecloud of its own (tag
//! from [`FAKECLOUD_TAG_ENV`]) whose triggers go to the test's own HTTP
//! server ([`Fakecloud::with_lambda_url`]), since that URL is fixed when the
//! container starts.

// Every public item says what it is; internals are `pub(crate)`.
#![deny(missing_docs)]
#![deny(unreachable_pub)]

mod cognito_local;
mod container;
mod fakecloud;
mod iam;
mod identity_pool;
mod moto;
mod oauth;
mod ownership;
mod provision;
mod users;

use std::fmt;
use std::str::FromStr;

pub use cognito_local::{
    COGNITO_LOCAL_IMAGE_NAME, COGNITO_LOCAL_PORT, COGNITO_LOCAL_VERSION, CognitoLocal,
};
pub use container::{Emulator, EmulatorImage};
pub use fakecloud::{
    DOCKER_HOST_NAME, FAKECLOUD_IMAGE_NAME, FAKECLOUD_LAMBDA_URL_ENV, FAKECLOUD_PORT,
    FAKECLOUD_VERSION, Fakecloud,
};
pub use iam::{ACCOUNT_ID, Trust, create_role};
pub use identity_pool::{IdentityPool, identity_pool};
pub use moto::{CONTAINER_PORT, IMAGE_NAME, Moto, TOTP_ENV};
pub use oauth::{OAuthSetup, RESOURCE_SERVER};
pub use ownership::{LABEL, LABEL_PID, remove_stale_containers};
pub use provision::{
    Mfa, PasswordPolicy, PoolOptions, Provisioned, admin_client, provision, unique_suffix,
};

/// The environment variable that carries the moto endpoint
/// (`http://127.0.0.1:PORT`) to the emulator tests.
pub const ENDPOINT_ENV: &str = "COGNITO_EMULATOR_ENDPOINT_MOTO";

/// The environment variable that carries the fakecloud endpoint
/// (`http://127.0.0.1:PORT`) to the emulator tests.
pub const ENDPOINT_ENV_FAKECLOUD: &str = "COGNITO_EMULATOR_ENDPOINT_FAKECLOUD";

/// The environment variable that carries the cognito-local endpoint
/// (`http://127.0.0.1:PORT`) to the emulator tests.
pub const ENDPOINT_ENV_COGNITO_LOCAL: &str = "COGNITO_EMULATOR_ENDPOINT_COGNITO_LOCAL";

/// The environment variable that carries the fakecloud image's tag to the
/// emulator tests (`cognito-token/fakecloud:<tag>`), for the tests that
/// start a fakecloud of their own with [`Fakecloud::with_lambda_url`].
pub const FAKECLOUD_TAG_ENV: &str = "COGNITO_EMULATOR_FAKECLOUD_TAG";

/// `true` when the moto container checks TOTP codes
/// (`MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true`, see [`Moto::with_totp`]).
pub const TOTP_FLAG_ENV: &str = "COGNITO_EMULATOR_MOTO_TOTP";

/// The environment variable that names the `cognito-token` binary the
/// emulator tests run.
pub const BIN_ENV: &str = "COGNITO_TOKEN_BIN";

/// The region the emulator's pools live in.
pub const REGION: &str = "us-east-1";

/// The emulators this project runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// moto (Python, `moto_server`): lenient; proves the message flow.
    Moto,
    /// fakecloud (Rust): checks SECRET_HASH on `InitiateAuth`, real SRP,
    /// `ExplicitAuthFlows`, real TOTP.
    Fakecloud,
    /// cognito-local (Node.js): the local Cognito many users run; the
    /// password flow only (no SRP, no devices, no identity pools).
    CognitoLocal,
}

impl Kind {
    /// Every kind, in the order they are started.
    pub const ALL: [Kind; 3] = [Kind::Moto, Kind::Fakecloud, Kind::CognitoLocal];

    /// `moto`, `fakecloud` or `cognito-local` (also the [`LABEL`] value and
    /// what `--emulator` takes).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Moto => "moto",
            Kind::Fakecloud => "fakecloud",
            Kind::CognitoLocal => "cognito-local",
        }
    }

    /// The first segment of its tests' names: `moto`, `fakecloud`,
    /// `cognito_local` (`cognito_local::srp::…`).
    pub fn test_prefix(self) -> &'static str {
        match self {
            Kind::Moto => "moto",
            Kind::Fakecloud => "fakecloud",
            Kind::CognitoLocal => "cognito_local",
        }
    }

    /// The environment variable that carries its endpoint to the tests.
    pub fn endpoint_env(self) -> &'static str {
        match self {
            Kind::Moto => ENDPOINT_ENV,
            Kind::Fakecloud => ENDPOINT_ENV_FAKECLOUD,
            Kind::CognitoLocal => ENDPOINT_ENV_COGNITO_LOCAL,
        }
    }

    /// The issuer (`iss`) of the tokens it signs for `pool_id`: the real
    /// pool's for moto and fakecloud, cognito-local's own address in its
    /// container (`http://0.0.0.0:9229/<pool>`) for cognito-local.
    pub fn issuer(self, region: &str, pool_id: &str) -> String {
        match self {
            Kind::Moto | Kind::Fakecloud => {
                cognito_token_core::verify::default_issuer(region, pool_id)
            }
            Kind::CognitoLocal => format!("http://0.0.0.0:{COGNITO_LOCAL_PORT}/{pool_id}"),
        }
    }

    /// The repository of its image (`cognito-token/<name>`).
    pub fn image_name(self) -> &'static str {
        match self {
            Kind::Moto => IMAGE_NAME,
            Kind::Fakecloud => FAKECLOUD_IMAGE_NAME,
            Kind::CognitoLocal => COGNITO_LOCAL_IMAGE_NAME,
        }
    }

    /// Its endpoint from [`Kind::endpoint_env`], or an error that says how
    /// to get one: emulator tests fail, never skip, without an emulator.
    pub fn endpoint_from_env(self) -> anyhow::Result<String> {
        let var = self.endpoint_env();
        match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
            _ => anyhow::bail!(
                "{var} is not set: the emulator tests need a running {self} emulator. \
                 Run them with `cargo xtask test-local` (it starts one and sets the variable), \
                 or start one with `cargo xtask emulator --emulator {self}` and export the lines it prints"
            ),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> anyhow::Result<Kind> {
        match s.trim() {
            "moto" => Ok(Kind::Moto),
            "fakecloud" => Ok(Kind::Fakecloud),
            "cognito-local" => Ok(Kind::CognitoLocal),
            other => anyhow::bail!(
                "unknown emulator {other:?}: expected `moto`, `fakecloud` or `cognito-local`"
            ),
        }
    }
}

/// The moto endpoint from [`ENDPOINT_ENV`], or an error that says how to
/// get one: emulator tests fail, never skip, without an emulator.
pub fn endpoint_from_env() -> anyhow::Result<String> {
    Kind::Moto.endpoint_from_env()
}

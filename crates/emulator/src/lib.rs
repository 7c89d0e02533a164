//! Cognito emulators in Docker: the moto image as a testcontainers
//! [`Image`](testcontainers::Image), a handle on a running container
//! ([`Emulator`]), and provisioning of user pools, app clients and users
//! through the AWS SDK admin APIs ([`provision`], [`Provisioned`]).
//!
//! The image itself is built by `cargo xtask image` (docker/moto), which
//! tags it `cognito-token/moto:<hash of its inputs>`: pass that tag to
//! [`Moto::new`].
//!
//! One process owns the emulator's lifetime: `cargo xtask test-local`
//! starts one container, exports [`ENDPOINT_ENV`] to the tests it runs and
//! removes the container at the end. Tests never start containers; they
//! read the endpoint with [`endpoint_from_env`] and provision their own
//! pool (every pool, client and user name carries a random suffix).

mod moto;
mod provision;

pub use moto::{
    CONTAINER_PORT, Emulator, IMAGE_NAME, LABEL, LABEL_PID, Moto, TOTP_ENV, remove_stale_containers,
};
pub use provision::{
    Mfa, PasswordPolicy, PoolOptions, Provisioned, admin_client, provision, unique_suffix,
};

/// The environment variable that carries the moto endpoint
/// (`http://127.0.0.1:PORT`) to the emulator tests.
pub const ENDPOINT_ENV: &str = "COGNITO_EMULATOR_ENDPOINT_MOTO";

/// `true` when the moto container checks TOTP codes
/// (`MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true`, see [`Moto::with_totp`]).
pub const TOTP_FLAG_ENV: &str = "COGNITO_EMULATOR_MOTO_TOTP";

/// The environment variable that names the `cognito-token` binary the
/// emulator tests run.
pub const BIN_ENV: &str = "COGNITO_TOKEN_BIN";

/// The region the emulator's pools live in.
pub const REGION: &str = "us-east-1";

/// The moto endpoint from [`ENDPOINT_ENV`], or an error that says how to
/// get one: emulator tests fail, never skip, without an emulator.
pub fn endpoint_from_env() -> anyhow::Result<String> {
    match std::env::var(ENDPOINT_ENV) {
        Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        _ => anyhow::bail!(
            "{ENDPOINT_ENV} is not set: the emulator tests need a running moto emulator. \
             Run them with `cargo xtask test-local` (it starts one and sets the variable), \
             or start one with `cargo xtask emulator` and export the lines it prints"
        ),
    }
}

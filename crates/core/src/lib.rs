//! The cognito-token core library: signs users in to Amazon Cognito user
//! pools with every flow and challenge done to the real service's rules,
//! caches and refreshes tokens, and decodes and verifies JWTs.
//!
//! Invariants: no terminal I/O (answers to challenges come through the
//! [`Answers`] trait, warnings through [`session::Report`]); no secret
//! (password, client secret, SECRET_HASH, token, SRP value) is ever logged
//! or put in an error message.
//!
//! The layers, each importing only those below it (ARCHITECTURE.md):
//! `session` (current tokens of any source) · `cognito.rs` (the user-pool
//! API in one place) · `sign_in`, `refresh.rs`, `oauth2`, `verify` (the
//! mechanisms) · `sdk`, `transport.rs`, `store` (the SDK client, the one
//! HTTP client, the one private store) · the foundation (`secret.rs`,
//! `error.rs`, `identity.rs`, `tokens.rs`, `endpoint.rs`, `jwt.rs`,
//! `hash.rs`, `totp.rs`, `srp`, `sanitize.rs`). `aws_credentials` (temporary
//! AWS credentials from an identity pool) sits beside `session`, over the
//! same store and SDK configuration.
//!
//! ```no_run
//! # async fn demo() -> Result<(), cognito_token_core::Error> {
//! use cognito_token_core::*;
//! let cognito = Cognito::connect(&ConnectOptions { region: Some("us-east-1".into()), ..Default::default() }).await?;
//! let id = Identity { client_id: "client".into(), client_secret: None, username: "alice".into(), user_pool_id: None };
//! let tokens = cognito.login(&id, Flow::Password, &Secret::new("pw"), &StaticAnswers::keep_password()).await?;
//! println!("{}", tokens.id_token.expose());
//! # Ok(()) }
//! ```

// Every public item says what it is; internals are `pub(crate)`, so `pub`
// means the API (lib.rs re-exports it).
#![deny(missing_docs)]
#![deny(unreachable_pub)]
// No terminal I/O: the library returns values and emits `tracing` events;
// only the binary writes to stdout and stderr.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod aws_credentials;
mod cognito;
pub mod endpoint;
mod error;
mod hash;
mod identity;
pub mod jwt;
pub mod oauth2;
pub mod refresh;
pub mod sanitize;
mod sdk;
mod secret;
pub mod session;
pub mod sign_in;
pub mod srp;
pub mod store;
mod tokens;
pub mod totp;
mod transport;
pub mod verify;

pub use cognito::Cognito;
pub use error::{Error, ErrorKind, error_chain};
pub use hash::secret_hash;
pub use identity::{Identity, LOCAL_POOL_REGION, PoolId, is_region};
pub use sdk::{ConnectOptions, MAX_RESPONSE_BYTES, check_endpoint, default_region};
pub use secret::Secret;
pub use sign_in::{
    Answers, Challenge, CustomChallenge, Device, FirstFactor, Flow, MAX_ROUNDS, MfaKind,
    NewPassword, NoAnswer, StaticAnswers,
};
pub use tokens::{NewDevice, TokenKind, Tokens, now};

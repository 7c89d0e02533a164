//! The cognito-token core library: signs users in to Amazon Cognito user
//! pools with every flow and challenge done to the real service's rules,
//! caches and refreshes tokens, and decodes and verifies JWTs.
//!
//! Invariants: no terminal I/O (answers to challenges come through the
//! [`Answers`] trait); no secret (password, client secret, SECRET_HASH,
//! token, SRP value) is ever logged or put in an error message.
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

mod answers;
mod body_limit;
pub mod cache;
mod client;
pub mod device;
pub mod device_store;
pub mod endpoint;
mod error;
mod hash;
mod identity;
pub mod jwt;
mod login;
pub mod oauth2;
pub mod private_file;
pub mod rotation;
pub mod sanitize;
mod secret;
pub mod source;
pub mod srp;
mod tokens;
pub mod totp;
mod user_auth;
pub mod verify;

pub use answers::{Answers, MfaKind, NewPassword, NoAnswer, StaticAnswers};
pub use body_limit::MAX_RESPONSE_BYTES;
pub use client::{Cognito, ConnectOptions, check_endpoint, default_region};
pub use error::{Error, ErrorKind};
pub use hash::secret_hash;
pub use identity::{Identity, LOCAL_POOL_REGION, PoolId, is_region};
pub use login::{Challenge, Flow, MAX_ROUNDS};
pub use secret::Secret;
pub use tokens::{TokenKind, Tokens, now};
pub use user_auth::FirstFactor;

//! `cognito-token-proxy`: API Gateway's authorizers in front of a local
//! API. A REST API's Cognito user pool authorizer or an HTTP API's JWT
//! authorizer checks each request's token against what its route requires;
//! a refused request gets API Gateway's answer and never reaches the
//! upstream; an accepted one is forwarded in one canonical form.
//!
//! The layers of one request (each a module): the canonical method and
//! path, or 400 (`canonical`); the route in API Gateway's order
//! ([`routes`]); the token verified by core's verifier for the route's
//! authorizer (`check`) and held to the route's rules (`authorize`);
//! API Gateway's answer (`answer`) or the request forwarded (`forward`)
//! with the claims header (`claims_header`). `handle` runs them, `server`
//! accepts connections, `log` writes (sanitized) lines on stderr.
//!
//! The caller (the CLI's `proxy` subcommand) resolves the pool and its keys
//! and reads the route sources ([`routes::chalice`], [`routes::file`],
//! [`routes::flags`]) into a [`routes::RouteTable`], then calls [`run`].
//! A template reader only has to produce [`routes::Route`]s and say what
//! it knows of the API ([`routes::RouteTable::set_whole_api`],
//! [`routes::RouteTable::set_cors_preflight`]).

#![deny(missing_docs)]
#![deny(unreachable_pub)]

mod answer;
mod authorize;
mod canonical;
mod check;
mod claims_header;
mod config;
mod forward;
mod handle;
mod log;
pub mod routes;
mod server;

use std::net::SocketAddr;

use cognito_token_core::verify::VerifyError;
use http_body_util::combinators::BoxBody;
use hyper::body::Bytes;

pub use config::{Config, Upstream, header_name};
pub use hyper::header::HeaderName;
pub use server::{Server, bind, run};

/// The body of every response the proxy sends.
type Body = BoxBody<Bytes, hyper::Error>;

/// Why the proxy could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is wrong; the message says which.
    #[error("{0}")]
    Config(String),
    /// An authorizer's keys cannot be fetched or read.
    #[error("{0}")]
    Keys(VerifyError),
    /// The listening address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why (`AddrInUse`: another process has it).
        source: std::io::Error,
    },
}

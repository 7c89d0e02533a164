//! The library's one integration-test binary (the AWS SDK links once, not
//! once per file):
//! - against the strict stub through the real SDK: `flows` (with the
//!   hostile `flows::scripted` server), `custom_auth`, `devices`, `user_auth`, sharing
//!   `support`;
//! - `srp_loopback`: the SRP client against the stub's server side;
//! - `verify`: JWT checks over a JWKS served on loopback;
//! - `oauth2_callback`: the browser flow's loopback listener;
//! - `props`: property tests of every parser of untrusted input;
//! - `aws_credentials`: identity pools and STS (the stub) for AWS credentials.
//!
//! Known-answer vectors stay in `tests/data/` (read by the unit tests).

mod aws_credentials;
mod custom_auth;
mod devices;
mod flows;
mod oauth2_callback;
mod props;
mod srp_loopback;
mod support;
mod user_auth;
mod verify;

//! The `cognito-token` binary end to end, against the strict in-process
//! Cognito stub (`cognito-stub`) on loopback: real processes, real HTTP,
//! the real AWS SDK, and a server that checks SECRET_HASH and SRP the way
//! Cognito does.

mod support;

mod bad_input;
mod batch;
mod cache;
mod devices;
mod help;
mod house;
mod hygiene;
mod login;
mod mfa;
mod oauth;
mod proxy;
mod real_browser;
mod signals;
mod srp;
mod tools;
mod trust;
mod user_auth;
mod verify_differential;

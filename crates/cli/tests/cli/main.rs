//! The `cognito-token` binary end to end, against the strict in-process
//! Cognito stub (`cognito-stub`) on loopback: real processes, real HTTP,
//! the real AWS SDK, and a server that checks SECRET_HASH and SRP the way
//! Cognito does.

mod support;

mod aws_credentials;
mod bad_input;
mod cache;
mod custom_auth;
mod decode_verify_exec_profile;
mod devices;
mod help;
mod login;
mod mfa;
mod oauth;
mod one_path;
mod proxy;
mod real_browser;
mod secrets_in_logs;
mod signals;
mod srp;
mod trust_rules;
mod user_auth;
mod users_file;
mod verify_differential;

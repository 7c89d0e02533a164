//! The stub's one integration-test binary (one link instead of one per
//! file), one module per subject, over the shared HTTP client and fixture
//! of `support`.

mod admin;
mod challenges;
mod custom_auth;
mod devices;
mod faults;
mod identity_pools;
mod jwks;
mod oauth;
mod password_auth;
mod protocol;
mod refresh;
mod sdk;
mod secret_hash;
mod srp;
mod sts;
mod support;
mod user_auth;

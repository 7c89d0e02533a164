//! Emulator integration tests: the core library and the `cognito-token`
//! CLI against a moto emulator in Docker.
//!
//! Run them with `cargo xtask test-local`, which starts the emulator and
//! sets `COGNITO_EMULATOR_ENDPOINT_MOTO` and `COGNITO_TOKEN_BIN`. Without
//! the endpoint every test here fails (never skips) and says so. Every
//! test provisions its own pool, clients and users (random names), so the
//! tests run in parallel against one emulator.

mod support;

mod cli_login;
mod provisioning;

//! Fixtures shared by the emulator tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

#[allow(unused_imports)]
pub use cognito_token_emulator::{Mfa, PasswordPolicy, PoolOptions, Provisioned};

mod cli;
mod recorder;
pub use cli::*;
pub use recorder::*;

/// The variable that carries the fakecloud endpoint (`http://127.0.0.1:4566`)
/// to the tests, as [`cognito_token_emulator::ENDPOINT_ENV`] does moto's.
pub const FAKECLOUD_ENDPOINT_ENV: &str = "COGNITO_EMULATOR_ENDPOINT_FAKECLOUD";

/// An emulator the flow tests run against. Every flow test is written once
/// as `async fn test(emu: Emu)` and instantiated per emulator by
/// `emulator_tests!` in `main.rs` (`moto::…`, `fakecloud::…`,
/// `cognito_local::…`). Where the emulators differ, the test says so with
/// one `match emu` next to the assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emu {
    /// moto in Docker: lenient (no SECRET_HASH check on USER_PASSWORD_AUTH,
    /// fake SRP), see the README's table.
    Moto,
    /// fakecloud: the stricter emulator.
    Fakecloud,
    /// cognito-local: the password flow only (no SRP, no devices), any
    /// SECRET_HASH, OAuth2's authorization code with PKCE.
    CognitoLocal,
}

impl Emu {
    /// The emulator crate's kind.
    pub fn kind(self) -> cognito_token_emulator::Kind {
        match self {
            Emu::Moto => cognito_token_emulator::Kind::Moto,
            Emu::Fakecloud => cognito_token_emulator::Kind::Fakecloud,
            Emu::CognitoLocal => cognito_token_emulator::Kind::CognitoLocal,
        }
    }

    /// Its name, as `--emulator` takes it.
    pub fn name(self) -> &'static str {
        self.kind().name()
    }

    /// The variable that holds its endpoint.
    pub fn endpoint_env(self) -> &'static str {
        self.kind().endpoint_env()
    }

    /// The nextest filter that leaves out this emulator's tests, for runs
    /// where it is not started.
    pub fn without_filter(self) -> String {
        format!("not test(/^{}::/)", self.kind().test_prefix())
    }

    /// Its endpoint. Panics, saying how to get one, when the variable is not
    /// set: these tests fail, never skip.
    pub fn endpoint(self) -> String {
        match self.kind().endpoint_from_env() {
            Ok(e) => e.trim_end_matches('/').to_owned(),
            Err(e) => panic!(
                "{e:#}; to run the other emulators' tests without it, filter with -E '{}'",
                self.without_filter()
            ),
        }
    }

    /// Whether the emulator checks TOTP codes against the secret
    /// `AssociateSoftwareToken` returned.
    pub fn totp_checked(self) -> bool {
        match self {
            // moto only with MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true,
            // which `cargo xtask test-local` sets (and reports to us).
            Emu::Moto => {
                std::env::var(cognito_token_emulator::TOTP_FLAG_ENV).is_ok_and(|v| v == "true")
            }
            Emu::Fakecloud | Emu::CognitoLocal => true,
        }
    }

    /// A new pool with a secret client and a public client.
    pub async fn pool(self, opts: &PoolOptions) -> Provisioned {
        let endpoint = self.endpoint();
        cognito_token_emulator::provision(&endpoint, opts)
            .await
            .unwrap_or_else(|e| panic!("provisioning a pool on {} failed: {e:#}", self.name()))
    }

    /// A new pool with default options.
    pub async fn default_pool(self) -> Provisioned {
        self.pool(&PoolOptions::default()).await
    }

    /// A pool with a user that has a temporary password: (pool, username, password).
    pub async fn pool_with_new_user(self) -> (Provisioned, String, String) {
        let p = self.default_pool().await;
        let user = Provisioned::username("user");
        let password = Provisioned::password();
        p.create_user(&user, &password, None)
            .await
            .unwrap_or_else(|e| panic!("creating a user failed: {e:#}"));
        (p, user, password)
    }

    /// A pool with a confirmed user (permanent password): (pool, username, password).
    pub async fn pool_with_confirmed_user(self) -> (Provisioned, String, String) {
        let p = self.default_pool().await;
        let user = Provisioned::username("user");
        let password = Provisioned::password();
        p.create_confirmed_user(&user, &password, None)
            .await
            .unwrap_or_else(|e| panic!("creating a user failed: {e:#}"));
        (p, user, password)
    }

    /// A pool whose username is the email address (`UsernameAttributes=email`)
    /// with one user, `temporary` or confirmed: (pool, email, password,
    /// internal username).
    pub async fn email_pool_with_user(
        self,
        temporary: bool,
    ) -> (Provisioned, String, String, String) {
        let p = self
            .pool(&PoolOptions {
                email_as_username: true,
                ..Default::default()
            })
            .await;
        let email = email();
        let password = Provisioned::password();
        if temporary {
            p.create_user(&email, &password, Some(&email)).await
        } else {
            p.create_confirmed_user(&email, &password, Some(&email))
                .await
        }
        .unwrap_or_else(|e| panic!("creating {email} failed: {e:#}"));
        let internal = internal_username(&p, &email).await;
        (p, email, password, internal)
    }
}

/// Which of a [`Provisioned`] pool's two app clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// The client with a secret (the CLI gets it in `COGNITO_CLIENT_SECRET`).
    Secret,
    /// The public client.
    Public,
}

/// A random email address for an `email_as_username` pool.
pub fn email() -> String {
    format!(
        "user-{}@example.com",
        cognito_token_emulator::unique_suffix()
    )
}

/// The internal username (`Username` of `AdminGetUser`) of a user, found by
/// the name the user signs in with.
pub async fn internal_username(p: &Provisioned, name: &str) -> String {
    p.admin
        .admin_get_user()
        .user_pool_id(&p.pool_id)
        .username(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminGetUser {name}: {e}"))
        .username()
        .to_owned()
}

/// Signs in through the core library (password flow) and returns the tokens.
pub async fn core_login(p: &Provisioned, user: &str, password: &str) -> cognito_token_core::Tokens {
    let cog = cognito_token_core::Cognito::connect(&p.connect_options())
        .await
        .unwrap();
    cog.login(
        &p.identity(user).unwrap(),
        cognito_token_core::Flow::Password,
        &cognito_token_core::Secret::new(password),
        &cognito_token_core::StaticAnswers::keep_password(),
    )
    .await
    .unwrap_or_else(|e| panic!("core login of {user}: {e}"))
}

/// Waits, if needed, until at least `secs` seconds remain in the current
/// 30-second TOTP step, so a code computed now is still the current one
/// when the emulator checks it (moto accepts the current step only).
pub fn wait_for_totp_window(secs: u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let step = cognito_token_core::totp::STEP_SECS;
    let into = now.as_secs_f64() % step as f64;
    let left = step as f64 - into;
    if left < secs as f64 {
        std::thread::sleep(std::time::Duration::from_secs_f64(left + 0.05));
    }
}

/// A loopback URL where nothing listens (a port just released).
pub fn dead_endpoint() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

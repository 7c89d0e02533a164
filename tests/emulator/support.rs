//! Fixtures shared by the emulator tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

#[allow(unused_imports)]
pub use cognito_token_emulator::{Mfa, PasswordPolicy, PoolOptions, Provisioned};

/// The moto endpoint. Panics with how to start an emulator when
/// `COGNITO_EMULATOR_ENDPOINT_MOTO` is not set: these tests never skip.
pub fn endpoint() -> String {
    cognito_token_emulator::endpoint_from_env().unwrap_or_else(|e| panic!("{e:#}"))
}

/// Whether the emulator checks TOTP codes (`cargo xtask test-local` starts
/// it so).
pub fn totp_checked() -> bool {
    std::env::var(cognito_token_emulator::TOTP_FLAG_ENV).is_ok_and(|v| v == "true")
}

/// A new pool with a secret client and a public client.
pub async fn pool(opts: &PoolOptions) -> Provisioned {
    cognito_token_emulator::provision(&endpoint(), opts)
        .await
        .unwrap_or_else(|e| panic!("provisioning a pool on the emulator failed: {e:#}"))
}

/// A new pool with default options.
pub async fn default_pool() -> Provisioned {
    pool(&PoolOptions::default()).await
}

/// A pool with a user that has a temporary password: (pool, username, password).
pub async fn pool_with_new_user() -> (Provisioned, String, String) {
    let p = default_pool().await;
    let user = Provisioned::username("user");
    let password = Provisioned::password();
    p.create_user(&user, &password, None)
        .await
        .unwrap_or_else(|e| panic!("creating a user failed: {e:#}"));
    (p, user, password)
}

/// The `cognito-token` binary: `COGNITO_TOKEN_BIN`, else `cognito-token`
/// in the target directory this test binary was built in.
pub fn cli_bin() -> PathBuf {
    if let Some(p) = std::env::var_os(cognito_token_emulator::BIN_ENV).filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "{} names {}, which is not a file",
            cognito_token_emulator::BIN_ENV,
            p.display()
        );
        return p;
    }
    // target/debug/deps/emulator-HASH -> target/debug/cognito-token
    let exe = std::env::current_exe().expect("the test executable's path");
    let guess = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join("cognito-token"))
        .expect("the test executable lives in <target>/<profile>/deps");
    assert!(
        guess.is_file(),
        "the CLI is not built: {} is missing and {} is not set; run `cargo xtask test-local` \
         (or `cargo build -p cognito-token` first)",
        guess.display(),
        cognito_token_emulator::BIN_ENV
    );
    guess
}

/// Variables the CLI reads that must not leak into a test from the
/// developer's shell.
const SCRUB: &[&str] = &[
    "COGNITO_TOKEN_PROFILE",
    "COGNITO_CLIENT_ID",
    "COGNITO_CLIENT_SECRET",
    "COGNITO_USERNAME",
    "COGNITO_USER_POOL_ID",
    "COGNITO_PASSWORD",
    "COGNITO_NEW_PASSWORD",
    "COGNITO_MFA_CODE",
    "COGNITO_TOTP_SECRET",
    "COGNITO_ID_TOKEN",
    "COGNITO_ACCESS_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// A CLI invocation isolated from the developer's environment: its own
/// HOME (so config and token cache land in a temporary directory), no
/// Cognito or AWS variables but those the test sets, no stdin.
#[derive(Debug)]
pub struct Cli {
    home: tempfile::TempDir,
    cmd: Command,
}

impl Cli {
    /// `cognito-token ARGS…`.
    pub fn new<I, S>(args: I) -> Cli
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let home = tempfile::tempdir().expect("a temporary HOME");
        let mut cmd = Command::new(cli_bin());
        cmd.args(args);
        for k in SCRUB {
            cmd.env_remove(k);
        }
        cmd.env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .env("XDG_CACHE_HOME", home.path().join(".cache"))
            .env("AWS_CONFIG_FILE", home.path().join("aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                home.path().join("aws-credentials"),
            )
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null());
        Cli { home, cmd }
    }

    /// Sets a variable.
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Cli {
        self.cmd.env(k, v);
        self
    }

    /// The temporary HOME.
    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }

    /// Runs it to the end.
    pub fn run(mut self) -> CliOutput {
        let out = self.cmd.output().expect("running the cognito-token CLI");
        CliOutput {
            out,
            _home: self.home,
        }
    }
}

/// What the CLI did.
#[derive(Debug)]
pub struct CliOutput {
    pub out: Output,
    _home: tempfile::TempDir,
}

impl CliOutput {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }

    pub fn code(&self) -> Option<i32> {
        self.out.status.code()
    }

    /// Panics (showing stderr) unless the exit status is 0.
    pub fn assert_success(&self) -> &Self {
        assert!(
            self.out.status.success(),
            "cognito-token failed ({}); stderr:\n{}",
            self.out.status,
            self.stderr()
        );
        self
    }

    /// Panics if `secret` appears in stdout or stderr.
    pub fn assert_not_leaked(&self, what: &str, secret: &str) -> &Self {
        assert!(!secret.is_empty());
        assert!(
            !self.stderr().contains(secret),
            "the {what} appears on stderr"
        );
        assert!(
            !self.stdout().contains(secret),
            "the {what} appears on stdout"
        );
        self
    }
}

/// The claims of a JWT (unverified), or a panic naming what is wrong.
pub fn claims(token: &str) -> serde_json::Value {
    cognito_token_core::jwt::decode(token)
        .unwrap_or_else(|e| panic!("not a JWT: {e}"))
        .claims
}

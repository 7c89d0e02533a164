//! Running the built `cognito-token` binary in a private home: `Cli`,
//! its output, and claims of the tokens it prints.

#![allow(dead_code)]

use super::*;

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

/// A private HOME (config and token cache) that several CLI runs share:
/// the cache tests log in and then call `token` in the same one.
#[derive(Debug)]
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("a temporary HOME"),
        }
    }

    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// `$XDG_CONFIG_HOME/cognito-token/config.toml`.
    pub fn config_file(&self) -> PathBuf {
        self.path()
            .join(".config")
            .join("cognito-token")
            .join("config.toml")
    }

    /// `$XDG_CACHE_HOME/cognito-token`.
    pub fn cache_dir(&self) -> PathBuf {
        self.path().join(".cache").join("cognito-token")
    }

    /// The files in the token cache.
    pub fn cache_entries(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.cache_dir())
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    }

    /// `cognito-token ARGS…` in this HOME.
    pub fn cli<I, S>(&self, args: I) -> Cli
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Cli::build(self.path(), None, args)
    }
}

/// A CLI invocation isolated from the developer's environment: its own
/// HOME (so config and token cache land in a temporary directory), no
/// Cognito or AWS variables but those the test sets, no stdin.
#[derive(Debug)]
pub struct Cli {
    home: Option<tempfile::TempDir>,
    cmd: Command,
}

impl Cli {
    /// `cognito-token ARGS…` in a HOME of its own.
    pub fn new<I, S>(args: I) -> Cli
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let home = tempfile::tempdir().expect("a temporary HOME");
        let path = home.path().to_owned();
        Cli::build(&path, Some(home), args)
    }

    fn build<I, S>(home: &std::path::Path, owned: Option<tempfile::TempDir>, args: I) -> Cli
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = Command::new(cli_bin());
        cmd.args(args);
        for k in SCRUB {
            cmd.env_remove(k);
        }
        cmd.env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("AWS_CONFIG_FILE", home.join("aws-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null());
        Cli { home: owned, cmd }
    }

    /// Starts it without waiting: stdout null, stderr piped. The HOME
    /// (when the invocation owns one) must outlive the process.
    pub fn spawn(mut self) -> (std::process::Child, Option<tempfile::TempDir>) {
        self.cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        let child = self.cmd.spawn().expect("spawn cognito-token");
        (child, self.home)
    }

    /// Sets a variable.
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Cli {
        self.cmd.env(k, v);
        self
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Cli
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// `--client-id`, `--username`, `--user-pool-id` (which gives the
    /// region) and `--endpoint-url` for `user` on one of `p`'s clients; the
    /// secret client's secret goes in `COGNITO_CLIENT_SECRET`.
    pub fn identity(self, p: &Provisioned, client: Client, user: &str) -> Cli {
        self.identity_at(p, client, user, &p.endpoint)
    }

    /// [`Cli::identity`] with another endpoint (e.g. a [`Recorder`]'s).
    pub fn identity_at(self, p: &Provisioned, client: Client, user: &str, endpoint: &str) -> Cli {
        let client_id = match client {
            Client::Secret => &p.client_id,
            Client::Public => &p.public_client_id,
        };
        let c = self.identity_args_at(p, client_id, user, endpoint);
        match client {
            Client::Secret => c.env("COGNITO_CLIENT_SECRET", p.client_secret.expose()),
            Client::Public => c,
        }
    }

    /// The identity arguments alone, for any client id (one `p` does not
    /// know, or the secret client without its secret): nothing goes into
    /// the environment.
    pub fn identity_args(self, p: &Provisioned, client_id: &str, user: &str) -> Cli {
        self.identity_args_at(p, client_id, user, &p.endpoint)
    }

    fn identity_args_at(self, p: &Provisioned, client_id: &str, user: &str, endpoint: &str) -> Cli {
        let c = self.args([
            "--client-id",
            client_id,
            "--username",
            user,
            "--user-pool-id",
            &p.pool_id,
            "--endpoint-url",
            endpoint,
        ]);
        // cognito-local's pool ids (`local_…`) name no region to derive.
        if p.pool_id.starts_with("local_") {
            c.args(["--region", &p.region])
        } else {
            c
        }
    }

    /// `COGNITO_PASSWORD`.
    pub fn password(self, password: &str) -> Cli {
        self.env("COGNITO_PASSWORD", password)
    }

    /// The temporary HOME.
    pub fn home(&self) -> &std::path::Path {
        self.cmd
            .get_envs()
            .find(|(k, _)| *k == "HOME")
            .and_then(|(_, v)| v)
            .map(std::path::Path::new)
            .expect("HOME is set")
    }

    /// Starts it without waiting: stdout and stderr piped. Use with a
    /// [`Home`] (`home.cli(…)`), which outlives the process.
    pub fn spawn_piped(mut self) -> std::process::Child {
        self.cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starting the cognito-token CLI")
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
    _home: Option<tempfile::TempDir>,
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

    /// Success, and exactly one line on stdout; returns it.
    pub fn line(&self) -> String {
        self.assert_success();
        let stdout = self.stdout();
        assert!(stdout.ends_with('\n'), "stdout is one line: {stdout:?}");
        let line = stdout.trim_end_matches('\n');
        assert!(
            !line.contains('\n'),
            "stdout holds more than one line: {} lines",
            stdout.lines().count()
        );
        line.to_owned()
    }

    /// Failure with exit status `code`, nothing on stdout, and an `error:`
    /// line on stderr that contains `needle`; returns that line.
    pub fn fails(&self, code: i32, needle: &str) -> String {
        let stderr = self.stderr();
        assert_eq!(
            self.code(),
            Some(code),
            "exit status; stdout: {:?}; stderr:\n{stderr}",
            self.stdout()
        );
        assert_eq!(self.stdout(), "", "stdout stays empty on failure");
        assert!(!stderr.contains("panicked"), "{stderr}");
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .collect();
        assert_eq!(errors.len(), 1, "one error line on stderr:\n{stderr}");
        assert!(
            errors[0].contains(needle),
            "the error {:?} does not say {needle:?}",
            errors[0]
        );
        errors[0].to_owned()
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
pub fn claims(token: impl AsRef<str>) -> serde_json::Value {
    cognito_token_core::jwt::decode(token.as_ref())
        .unwrap_or_else(|e| panic!("not a JWT: {e}"))
        .claims
}

impl Emu {
    /// A confirmed user signed in with the CLI (`login --output json`, the
    /// client with a secret): the pool, the username and the two tokens.
    pub async fn signed_in(self) -> SignedIn {
        let (pool, user, password) = self.pool_with_confirmed_user().await;
        let out = Cli::new(["login", "--output", "json"])
            .identity(&pool, Client::Secret, &user)
            .password(&password)
            .run();
        let v: serde_json::Value = serde_json::from_str(&out.line()).unwrap();
        let id = v["id_token"].as_str().unwrap().to_owned();
        let access = v["access_token"].as_str().unwrap().to_owned();
        let iss = claims(&id)["iss"].as_str().unwrap().to_owned();
        SignedIn {
            pool,
            user,
            id,
            access,
            iss,
        }
    }
}

/// What [`Emu::signed_in`] gives.
pub struct SignedIn {
    pub pool: Provisioned,
    pub user: String,
    pub id: String,
    pub access: String,
    /// The ID token's `iss`.
    pub iss: String,
}

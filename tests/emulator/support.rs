//! Fixtures shared by the emulator tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

#[allow(unused_imports)]
pub use cognito_token_emulator::{Mfa, PasswordPolicy, PoolOptions, Provisioned};

/// The variable that carries the fakecloud endpoint (`http://127.0.0.1:4566`)
/// to the tests, as [`cognito_token_emulator::ENDPOINT_ENV`] does moto's.
pub const FAKECLOUD_ENDPOINT_ENV: &str = "COGNITO_EMULATOR_ENDPOINT_FAKECLOUD";

/// The nextest filter that leaves out the fakecloud instantiations, for
/// runs where only moto is started.
pub const MOTO_ONLY_FILTER: &str = "not test(/^fakecloud::/)";

/// An emulator the flow tests run against. Every flow test is written once
/// as `async fn test(emu: Emu)` and instantiated per emulator by
/// `emulator_tests!` in `main.rs` (`moto::…` and `fakecloud::…`). Where the
/// emulators differ, the test says so with one `match emu` next to the
/// assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emu {
    /// moto in Docker: lenient (no SECRET_HASH check on USER_PASSWORD_AUTH,
    /// fake SRP), see the README's table.
    Moto,
    /// fakecloud: the stricter emulator.
    Fakecloud,
}

impl Emu {
    /// Its name, as in the test paths.
    pub fn name(self) -> &'static str {
        match self {
            Emu::Moto => "moto",
            Emu::Fakecloud => "fakecloud",
        }
    }

    /// The variable that holds its endpoint.
    pub fn endpoint_env(self) -> &'static str {
        match self {
            Emu::Moto => cognito_token_emulator::ENDPOINT_ENV,
            Emu::Fakecloud => FAKECLOUD_ENDPOINT_ENV,
        }
    }

    /// Its endpoint. Panics, saying how to get one, when the variable is not
    /// set: these tests fail, never skip.
    pub fn endpoint(self) -> String {
        match std::env::var(self.endpoint_env()) {
            Ok(v) if !v.trim().is_empty() => v.trim().trim_end_matches('/').to_owned(),
            _ => match self {
                Emu::Moto => match cognito_token_emulator::endpoint_from_env() {
                    Ok(e) => e,
                    Err(e) => panic!("{e:#}"),
                },
                Emu::Fakecloud => panic!(
                    "{FAKECLOUD_ENDPOINT_ENV} is not set: the fakecloud::… tests need a running \
                     fakecloud emulator. Run them with `cargo xtask test-local` (it starts the \
                     emulators and sets the variables); to run the moto tests alone, filter \
                     with `-E '{MOTO_ONLY_FILTER}'`"
                ),
            },
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
            Emu::Fakecloud => true,
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
        self.args([
            "--client-id",
            client_id,
            "--username",
            user,
            "--user-pool-id",
            &p.pool_id,
            "--endpoint-url",
            endpoint,
        ])
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

/// A recording TCP proxy in front of an emulator: the CLI talks to
/// [`Recorder::endpoint`], every byte is forwarded both ways, and what the
/// client sent is kept, so a test can count requests and read their
/// headers (moto records neither).
#[derive(Debug)]
pub struct Recorder {
    endpoint: String,
    sent: Connections,
}

/// What the client sent, one buffer per connection.
type Connections = std::sync::Arc<std::sync::Mutex<Vec<std::sync::Arc<std::sync::Mutex<Vec<u8>>>>>>;

/// One HTTP request the client sent through a [`Recorder`].
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names in lower case, values trimmed, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The operation: `InitiateAuth` from
    /// `X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth`.
    pub fn operation(&self) -> &str {
        self.header("x-amz-target")
            .map(|t| t.rsplit('.').next().unwrap_or(t))
            .unwrap_or("")
    }

    /// The JSON body (`null` when there is none).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl Recorder {
    /// Listens on a free loopback port and forwards to `upstream`
    /// (`http://HOST:PORT`).
    pub fn start(upstream: &str) -> Recorder {
        use std::io::{Read, Write};
        use std::net::{Shutdown, TcpListener, TcpStream};
        use std::sync::{Arc, Mutex};

        let target = upstream
            .strip_prefix("http://")
            .unwrap_or_else(|| panic!("the recorder forwards to http:// endpoints, not {upstream}"))
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port for the recorder");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let sent: Connections = Arc::default();
        let conns = Arc::clone(&sent);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { continue };
                let Ok(mut server) = TcpStream::connect(&target) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                let record: Arc<Mutex<Vec<u8>>> = Arc::default();
                conns.lock().unwrap().push(Arc::clone(&record));
                let (Ok(mut client_r), Ok(mut server_w)) = (client.try_clone(), server.try_clone())
                else {
                    continue;
                };
                // Client to server: recorded before it is forwarded, so a
                // request is on record before its answer can come back.
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    loop {
                        match client_r.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                record.lock().unwrap().extend_from_slice(&buf[..n]);
                                if server_w.write_all(&buf[..n]).is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    let _ = server_w.shutdown(Shutdown::Write);
                });
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut server, &mut client);
                    let _ = client.shutdown(Shutdown::Write);
                });
            }
        });
        Recorder { endpoint, sent }
    }

    /// `http://127.0.0.1:PORT`: give this to the CLI.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Every complete request sent so far, connection by connection in the
    /// order they were opened.
    pub fn requests(&self) -> Vec<Request> {
        let conns: Vec<Vec<u8>> = self
            .sent
            .lock()
            .unwrap()
            .iter()
            .map(|c| c.lock().unwrap().clone())
            .collect();
        conns
            .iter()
            .flat_map(|bytes| parse_requests(bytes))
            .collect()
    }

    /// The operations of every request so far (`InitiateAuth`, …).
    pub fn operations(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| r.operation().to_owned())
            .collect()
    }

    /// Forgets what was recorded.
    pub fn clear(&self) {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .for_each(|c| c.lock().unwrap().clear());
    }
}

/// HTTP/1.1 requests with `Content-Length` bodies, back to back (what the
/// AWS SDK sends over plain HTTP).
fn parse_requests(mut bytes: &[u8]) -> Vec<Request> {
    let mut out = Vec::new();
    while let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let method = first.next().unwrap_or("").to_owned();
        let path = first.next().unwrap_or("").to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        assert!(
            !headers
                .iter()
                .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")),
            "the recorder does not parse chunked request bodies"
        );
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let rest = &bytes[end + 4..];
        if rest.len() < len {
            break;
        }
        out.push(Request {
            method,
            path,
            headers,
            body: rest[..len].to_vec(),
        });
        bytes = &rest[len..];
    }
    out
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

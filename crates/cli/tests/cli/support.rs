//! A stub Cognito, a private HOME, and a way to run the binary in it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub use cognito_stub::{
    ClientInfo, ClientSpec, Fault, Mfa, PoolSpec, RecordedRequest, Stub, UserSpec,
};

/// A password that satisfies the stub's default (Cognito's default) policy.
pub const PW: &str = "Passw0rd!";
pub const NEW_PW: &str = "N3w-passw0rd!";

pub struct World {
    pub stub: Stub,
    pub dir: tempfile::TempDir,
    pub pool: String,
    pub client: ClientInfo,
}

impl World {
    /// A pool with default settings and a client with a secret.
    pub fn new() -> World {
        World::with(
            PoolSpec::default(),
            ClientSpec {
                generate_secret: true,
                ..Default::default()
            },
        )
    }

    pub fn with(pool: PoolSpec, client: ClientSpec) -> World {
        let stub = Stub::start();
        let pool = stub.add_pool(pool);
        let client = stub.add_client(&pool, client);
        World {
            stub,
            dir: tempfile::tempdir().unwrap(),
            pool,
            client,
        }
    }

    pub fn user(&self, spec: UserSpec) -> cognito_stub::UserInfo {
        self.stub.add_user(&self.pool, spec)
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.dir.path().join("cache").join("cognito-token")
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config").join("cognito-token")
    }

    /// The binary with an empty environment (no AWS credentials or config),
    /// a private HOME, and the identity in environment variables.
    pub fn cmd(&self, args: &[&str]) -> Cmd {
        let c = Cmd::bare(self.dir.path(), args)
            .env("AWS_ENDPOINT_URL", &self.stub.endpoint())
            .env("COGNITO_USER_POOL_ID", &self.pool)
            .env("COGNITO_CLIENT_ID", &self.client.id);
        match &self.client.secret {
            Some(s) => c.env("COGNITO_CLIENT_SECRET", s),
            None => c,
        }
    }

    pub fn requests(&self, target: &str) -> Vec<RecordedRequest> {
        self.stub
            .requests()
            .into_iter()
            .filter(|r| r.target == target)
            .collect()
    }
}

pub struct Cmd {
    cmd: Command,
    stdin: Option<String>,
}

impl Cmd {
    /// The binary with nothing but PATH and a private HOME.
    pub fn bare(home: &Path, args: &[&str]) -> Cmd {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cognito-token"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                home.join("no-aws-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true");
        Cmd { cmd, stdin: None }
    }

    pub fn env(mut self, k: &str, v: &str) -> Cmd {
        self.cmd.env(k, v);
        self
    }

    pub fn env_remove(mut self, k: &str) -> Cmd {
        self.cmd.env_remove(k);
        self
    }

    pub fn args(mut self, args: &[&str]) -> Cmd {
        self.cmd.args(args);
        self
    }

    pub fn stdin(mut self, s: &str) -> Cmd {
        self.stdin = Some(s.to_owned());
        self
    }

    /// Starts the binary without waiting for it: stdin empty, stdout and
    /// stderr piped (read them with `wait_with_output`).
    pub fn spawn(mut self) -> std::process::Child {
        assert!(self.stdin.is_none(), "spawn() does not feed stdin");
        self.cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.cmd.spawn().expect("spawn cognito-token")
    }

    pub fn run(mut self) -> Out {
        self.cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("spawn cognito-token");
        if let Some(s) = self.stdin.take() {
            let mut i = child.stdin.take().unwrap();
            // The binary may exit before reading (e.g. a usage error).
            let _ = i.write_all(s.as_bytes());
        }
        // A watchdog: a hang (say, a timeout that stopped working) fails the
        // test after a minute instead of stalling the run.
        let pid = child.id();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watchdog = {
            let done = done.clone();
            std::thread::spawn(move || {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
                while std::time::Instant::now() < deadline {
                    if done.load(std::sync::atomic::Ordering::SeqCst) {
                        return false;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
                true
            })
        };
        let out = child.wait_with_output().unwrap();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(
            !watchdog.join().unwrap(),
            "cognito-token did not finish within 60 s"
        );
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Success, and exactly one line on stdout; returns it.
    pub fn line(&self) -> String {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        assert!(self.stdout.ends_with('\n'), "stdout: {:?}", self.stdout);
        let l = self.stdout.trim_end_matches('\n');
        assert!(!l.contains('\n'), "more than one line: {:?}", self.stdout);
        l.to_owned()
    }

    /// Failure with `code`, an empty stdout, and one `error:` line on stderr containing `needle`.
    pub fn fails(&self, code: i32, needle: &str) -> String {
        assert_eq!(
            self.code, code,
            "stdout: {:?} stderr: {}",
            self.stdout, self.stderr
        );
        assert_eq!(self.stdout, "", "stdout must stay empty on failure");
        let err = self
            .stderr
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or_else(|| panic!("no error line in {:?}", self.stderr));
        assert!(err.contains(needle), "{err:?} lacks {needle:?}");
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        err.to_owned()
    }
}

/// The claims of a JWT, without verifying it.
pub fn claims(jwt: impl AsRef<str>) -> serde_json::Value {
    cognito_token_core::jwt::decode(jwt.as_ref())
        .expect("a JWT")
        .claims
}

//! The moto image and a running moto container.

use std::borrow::Cow;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::Context;
use testcontainers::core::{ContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, Image, ImageExt};

/// The repository of the image `cargo xtask image` builds.
pub const IMAGE_NAME: &str = "cognito-token/moto";

/// The port moto listens on inside the container.
pub const CONTAINER_PORT: u16 = 5000;

/// moto's switch for checking TOTP codes; read from the server's
/// environment, so it is fixed when the container starts.
pub const TOTP_ENV: &str = "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP";

/// The label every emulator container carries (value: the emulator kind,
/// `moto`), so containers left by a killed run can be found.
pub const LABEL: &str = "cognito-token.emulator";

/// The label that names the process owning a container, as
/// `PID:STARTTIME` (the start time from `/proc/PID/stat`, so a reused pid
/// is not mistaken for the owner).
pub const LABEL_PID: &str = "cognito-token.owner";

const EXPOSED: [ContainerPort; 1] = [ContainerPort::Tcp(CONTAINER_PORT)];

/// The moto emulator image, `cognito-token/moto:<tag>`.
#[derive(Clone, Debug)]
pub struct Moto {
    tag: String,
    totp: bool,
}

impl Moto {
    /// The image with this tag (the hash `cargo xtask image` prints).
    pub fn new(tag: impl Into<String>) -> Self {
        Moto {
            tag: tag.into(),
            totp: false,
        }
    }

    /// Whether moto checks TOTP codes (`MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP`).
    /// With `true`, codes must be computed from the secret that
    /// `AssociateSoftwareToken` returns (one fixed secret for all users);
    /// with `false` (the default), moto accepts any code.
    pub fn with_totp(mut self, totp: bool) -> Self {
        self.totp = totp;
        self
    }

    /// Whether TOTP codes are checked.
    pub fn totp(&self) -> bool {
        self.totp
    }
}

impl Image for Moto {
    fn name(&self) -> &str {
        IMAGE_NAME
    }

    fn tag(&self) -> &str {
        &self.tag
    }

    fn ready_conditions(&self) -> Vec<WaitFor> {
        // werkzeug's start-up banner; the HTTP API is then checked by
        // `Emulator::start` (GET /moto-api/ must answer 200).
        vec![WaitFor::message_on_either_std("Running on http")]
    }

    fn env_vars(
        &self,
    ) -> impl IntoIterator<Item = (impl Into<Cow<'_, str>>, impl Into<Cow<'_, str>>)> {
        [(TOTP_ENV, if self.totp { "true" } else { "false" })]
    }

    fn expose_ports(&self) -> &[ContainerPort] {
        &EXPOSED
    }
}

/// A running moto container. Remove it with [`Emulator::stop`]; dropping
/// it also removes it (in the background), [`Emulator::keep`] leaves it
/// running.
#[derive(Debug)]
pub struct Emulator {
    container: ContainerAsync<Moto>,
    endpoint: String,
    totp: bool,
}

impl Emulator {
    /// Starts a container of `image`, labelled with [`LABEL`] and this
    /// process as [`LABEL_PID`], on a random host port, and waits until
    /// moto's HTTP API answers.
    pub async fn start(image: Moto) -> anyhow::Result<Emulator> {
        Self::start_owned(image, owner_label()).await
    }

    /// Like [`Emulator::start`], for a container meant to outlive this
    /// process ([`Emulator::keep`]): [`remove_stale_containers`] leaves it
    /// alone (its [`LABEL_PID`] is `detached`); remove it with `docker rm -f`.
    pub async fn start_detached(image: Moto) -> anyhow::Result<Emulator> {
        Self::start_owned(image, DETACHED.to_owned()).await
    }

    async fn start_owned(image: Moto, owner: String) -> anyhow::Result<Emulator> {
        let totp = image.totp;
        let tag = format!("{IMAGE_NAME}:{}", image.tag);
        let container = image
            .with_label(LABEL, "moto")
            .with_label(LABEL_PID, owner)
            .with_startup_timeout(Duration::from_secs(90))
            .start()
            .await
            .with_context(|| {
                format!(
                    "cannot start the emulator container {tag} (was it built? `cargo xtask image`)"
                )
            })?;
        let port = container
            .get_host_port_ipv4(CONTAINER_PORT)
            .await
            .context("cannot read the emulator's host port")?;
        let endpoint = format!("http://127.0.0.1:{port}");
        let emulator = Emulator {
            container,
            endpoint,
            totp,
        };
        let probe = emulator.endpoint.clone();
        let ready =
            tokio::task::spawn_blocking(move || wait_http_ok(&probe, Duration::from_secs(30)))
                .await;
        match ready {
            Ok(Ok(())) => Ok(emulator),
            Ok(Err(e)) => {
                let _ = emulator.container.rm().await;
                Err(e)
            }
            Err(e) => {
                let _ = emulator.container.rm().await;
                Err(anyhow::anyhow!("the readiness check panicked: {e}"))
            }
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The container id.
    pub fn id(&self) -> &str {
        self.container.id()
    }

    /// Whether TOTP codes are checked.
    pub fn totp(&self) -> bool {
        self.totp
    }

    /// The environment lines for the tests: [`crate::ENDPOINT_ENV`] and
    /// [`crate::TOTP_FLAG_ENV`].
    pub fn test_env(&self) -> Vec<(&'static str, String)> {
        vec![
            (crate::ENDPOINT_ENV, self.endpoint.clone()),
            (crate::TOTP_FLAG_ENV, self.totp.to_string()),
        ]
    }

    /// Removes the container.
    pub async fn stop(self) -> anyhow::Result<()> {
        let id = self.container.id().to_owned();
        self.container
            .rm()
            .await
            .with_context(|| format!("cannot remove the emulator container {id}"))
    }

    /// Leaves the container running after this process ends; returns its id
    /// (`docker rm -f ID` removes it).
    pub fn keep(self) -> String {
        let id = self.container.id().to_owned();
        std::mem::forget(self.container);
        id
    }
}

/// Removes emulator containers ([`LABEL`]) whose owning process
/// ([`LABEL_PID`]) is gone: ones left by a killed run. Containers of live
/// runs are left alone. Returns how many were removed.
pub fn remove_stale_containers() -> anyhow::Result<usize> {
    let out = std::process::Command::new("docker")
        .args([
            "ps",
            "-a",
            "--filter",
            &format!("label={LABEL}"),
            "--format",
        ])
        .arg(format!("{{{{.ID}}}} {{{{.Label \"{LABEL_PID}\"}}}}"))
        .output()
        .context("cannot run `docker ps`")?;
    anyhow::ensure!(
        out.status.success(),
        "`docker ps` failed: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let mut removed = 0;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut parts = line.split_whitespace();
        let (Some(id), owner) = (parts.next(), parts.next().unwrap_or("")) else {
            continue;
        };
        if owner_alive(owner) {
            continue;
        }
        let status = std::process::Command::new("docker")
            .args(["rm", "-f", "-v", id])
            .stdout(std::process::Stdio::null())
            .status()
            .context("cannot run `docker rm`")?;
        if status.success() {
            removed += 1;
        }
    }
    Ok(removed)
}

fn proc_start_time(pid: &str) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    // starttime is field 22 overall, the 20th after the command name.
    rest.split_whitespace().nth(19).map(str::to_owned)
}

fn owner_label() -> String {
    let pid = std::process::id().to_string();
    let start = proc_start_time(&pid).unwrap_or_else(|| "0".into());
    format!("{pid}:{start}")
}

/// The owner label of containers that outlive their process.
const DETACHED: &str = "detached";

fn owner_alive(owner: &str) -> bool {
    if owner == DETACHED {
        return true;
    }
    let Some((pid, start)) = owner.split_once(':') else {
        return false;
    };
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match proc_start_time(pid) {
        Some(s) => start == "0" || s == start,
        None => false,
    }
}

/// Polls `GET {endpoint}/moto-api/` until it answers 200.
fn wait_http_ok(endpoint: &str, limit: Duration) -> anyhow::Result<()> {
    let hostport = endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let deadline = Instant::now() + limit;
    loop {
        let last = match http_status(&hostport, "/moto-api/") {
            Ok(200) => return Ok(()),
            Ok(code) => format!("HTTP {code}"),
            Err(e) => e.to_string(),
        };
        if Instant::now() > deadline {
            anyhow::bail!(
                "moto at {endpoint} did not answer GET /moto-api/ with 200 within {limit:?} (last: {last})"
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn http_status(hostport: &str, path: &str) -> std::io::Result<u16> {
    let addr = hostport.parse().map_err(|e| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{hostport}: {e}"))
    })?;
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {hostport}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 32];
    let mut n = 0;
    while n < 12 {
        let k = s.read(&mut head[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    let line = String::from_utf8_lossy(&head[..n]);
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("not an HTTP answer: {line:?}"),
            )
        })
}

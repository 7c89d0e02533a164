//! A running emulator container (moto or fakecloud), its labels and the
//! removal of containers left by killed runs.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::Context;
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, ImageExt};

use crate::{Fakecloud, Kind, Moto};

/// The label every emulator container carries (value: the emulator kind,
/// `moto` or `fakecloud`), so containers left by a killed run can be found.
pub const LABEL: &str = "cognito-token.emulator";

/// The label that names the process owning a container, as
/// `PID:STARTTIME` (the start time from `/proc/PID/stat`, so a reused pid
/// is not mistaken for the owner).
pub const LABEL_PID: &str = "cognito-token.owner";

/// An emulator image of either kind, for [`Emulator::start`].
#[derive(Clone, Debug)]
pub enum EmulatorImage {
    /// moto.
    Moto(Moto),
    /// fakecloud.
    Fakecloud(Fakecloud),
}

impl EmulatorImage {
    /// Which emulator this is.
    pub fn kind(&self) -> Kind {
        match self {
            EmulatorImage::Moto(_) => Kind::Moto,
            EmulatorImage::Fakecloud(_) => Kind::Fakecloud,
        }
    }
}

impl From<Moto> for EmulatorImage {
    fn from(m: Moto) -> Self {
        EmulatorImage::Moto(m)
    }
}

impl From<Fakecloud> for EmulatorImage {
    fn from(f: Fakecloud) -> Self {
        EmulatorImage::Fakecloud(f)
    }
}

#[derive(Debug)]
enum Container {
    Moto(ContainerAsync<Moto>),
    Fakecloud(ContainerAsync<Fakecloud>),
}

impl Container {
    fn id(&self) -> &str {
        match self {
            Container::Moto(c) => c.id(),
            Container::Fakecloud(c) => c.id(),
        }
    }

    async fn host_port(&self) -> testcontainers::core::error::Result<u16> {
        match self {
            Container::Moto(c) => c.get_host_port_ipv4(crate::CONTAINER_PORT).await,
            Container::Fakecloud(c) => c.get_host_port_ipv4(crate::FAKECLOUD_PORT).await,
        }
    }

    async fn rm(self) -> testcontainers::core::error::Result<()> {
        match self {
            Container::Moto(c) => c.rm().await,
            Container::Fakecloud(c) => c.rm().await,
        }
    }

    fn forget(self) {
        match self {
            Container::Moto(c) => std::mem::forget(c),
            Container::Fakecloud(c) => std::mem::forget(c),
        }
    }
}

/// A running emulator container. Remove it with [`Emulator::stop`];
/// dropping it also removes it (in the background), [`Emulator::keep`]
/// leaves it running.
#[derive(Debug)]
pub struct Emulator {
    container: Container,
    kind: Kind,
    endpoint: String,
    totp: bool,
}

impl Emulator {
    /// Starts a container of `image` ([`Moto`] or [`Fakecloud`]), labelled
    /// with [`LABEL`] and this process as [`LABEL_PID`], on a random host
    /// port, and waits until the emulator's HTTP API answers.
    pub async fn start(image: impl Into<EmulatorImage>) -> anyhow::Result<Emulator> {
        Self::start_owned(image.into(), owner_label()).await
    }

    /// Like [`Emulator::start`], for a container meant to outlive this
    /// process ([`Emulator::keep`]): [`remove_stale_containers`] leaves it
    /// alone (its [`LABEL_PID`] is `detached`); remove it with `docker rm -f`.
    pub async fn start_detached(image: impl Into<EmulatorImage>) -> anyhow::Result<Emulator> {
        Self::start_owned(image.into(), DETACHED.to_owned()).await
    }

    async fn start_owned(image: EmulatorImage, owner: String) -> anyhow::Result<Emulator> {
        let kind = image.kind();
        let timeout = Duration::from_secs(90);
        let (container, totp, name, ready_path) = match image {
            EmulatorImage::Moto(m) => {
                let totp = m.totp();
                let name = format!("{}:{}", crate::IMAGE_NAME, testcontainers::Image::tag(&m));
                let c = m
                    .with_label(LABEL, kind.name())
                    .with_label(LABEL_PID, owner)
                    .with_startup_timeout(timeout)
                    .start()
                    .await
                    .map(Container::Moto);
                (c, totp, name, crate::moto::READY_PATH)
            }
            EmulatorImage::Fakecloud(f) => {
                let name = format!(
                    "{}:{}",
                    crate::FAKECLOUD_IMAGE_NAME,
                    testcontainers::Image::tag(&f)
                );
                let c = f
                    .with_label(LABEL, kind.name())
                    .with_label(LABEL_PID, owner)
                    .with_startup_timeout(timeout)
                    .start()
                    .await
                    .map(Container::Fakecloud);
                // fakecloud always checks TOTP codes against the user's own secret.
                (c, true, name, crate::fakecloud::READY_PATH)
            }
        };
        let container = container.with_context(|| {
            format!(
                "cannot start the {kind} container {name} (was it built? `cargo xtask image --emulator {kind}`)"
            )
        })?;
        let port = match container.host_port().await {
            Ok(p) => p,
            Err(e) => {
                let _ = container.rm().await;
                return Err(anyhow::Error::from(e).context("cannot read the emulator's host port"));
            }
        };
        let endpoint = format!("http://127.0.0.1:{port}");
        let probe = endpoint.clone();
        let ready = tokio::task::spawn_blocking(move || {
            wait_http_ok(kind, &probe, ready_path, Duration::from_secs(60))
        })
        .await;
        let err = match ready {
            Ok(Ok(())) => {
                return Ok(Emulator {
                    container,
                    kind,
                    endpoint,
                    totp,
                });
            }
            Ok(Err(e)) => e,
            Err(e) => anyhow::anyhow!("the readiness check panicked: {e}"),
        };
        let _ = container.rm().await;
        Err(err)
    }

    /// Which emulator this is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The container id.
    pub fn id(&self) -> &str {
        self.container.id()
    }

    /// Whether TOTP codes are checked (moto: as configured with
    /// [`Moto::with_totp`]; fakecloud: always).
    pub fn totp(&self) -> bool {
        self.totp
    }

    /// The environment lines for the tests: moto's [`crate::ENDPOINT_ENV`]
    /// and [`crate::TOTP_FLAG_ENV`], or fakecloud's
    /// [`crate::ENDPOINT_ENV_FAKECLOUD`].
    pub fn test_env(&self) -> Vec<(&'static str, String)> {
        match self.kind {
            Kind::Moto => vec![
                (crate::ENDPOINT_ENV, self.endpoint.clone()),
                (crate::TOTP_FLAG_ENV, self.totp.to_string()),
            ],
            Kind::Fakecloud => vec![(crate::ENDPOINT_ENV_FAKECLOUD, self.endpoint.clone())],
        }
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
        self.container.forget();
        id
    }
}

/// Removes emulator containers ([`LABEL`], either kind) whose owning
/// process ([`LABEL_PID`]) is gone: ones left by a killed run. Containers
/// of live runs are left alone. Returns how many were removed.
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

/// Polls `GET {endpoint}{path}` until it answers 200.
fn wait_http_ok(kind: Kind, endpoint: &str, path: &str, limit: Duration) -> anyhow::Result<()> {
    let hostport = endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let deadline = Instant::now() + limit;
    loop {
        let last = match http_status(&hostport, path) {
            Ok(200) => return Ok(()),
            Ok(code) => format!("HTTP {code}"),
            Err(e) => e.to_string(),
        };
        if Instant::now() > deadline {
            anyhow::bail!(
                "{kind} at {endpoint} did not answer GET {path} with 200 within {limit:?} (last: {last})"
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

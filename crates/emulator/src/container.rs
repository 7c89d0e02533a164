//! A running emulator container (moto or fakecloud): starting it with its
//! labels (`ownership.rs`), waiting until it answers (`ready.rs`), stopping
//! or keeping it.

use std::time::Duration;

use anyhow::Context;
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, ImageExt};

use crate::ownership::{DETACHED, LABEL, LABEL_PID, owner_label};
use crate::ready::wait_http_ok;
use crate::{Fakecloud, Kind, Moto};

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
    /// process ([`Emulator::keep`]): [`remove_stale_containers`](crate::remove_stale_containers) leaves it
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

//! A running emulator container (moto, fakecloud or cognito-local):
//! starting it with its labels (`ownership.rs`) and waiting until it answers
//! (each image's testcontainers ready conditions: a start-up line, then an
//! HTTP route answering 200), stopping or keeping it.

use std::time::Duration;

use anyhow::Context;
use testcontainers::core::Host;
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, Image, ImageExt};

use crate::ownership::{DETACHED, LABEL, LABEL_PID, owner_label};
use crate::{CognitoLocal, DOCKER_HOST_NAME, Fakecloud, Kind, Moto};

/// An emulator image of any kind, for [`Emulator::start`].
#[derive(Clone, Debug)]
pub enum EmulatorImage {
    /// moto.
    Moto(Moto),
    /// fakecloud.
    Fakecloud(Fakecloud),
    /// cognito-local.
    CognitoLocal(CognitoLocal),
}

impl EmulatorImage {
    /// Which emulator this is.
    pub fn kind(&self) -> Kind {
        match self {
            EmulatorImage::Moto(_) => Kind::Moto,
            EmulatorImage::Fakecloud(_) => Kind::Fakecloud,
            EmulatorImage::CognitoLocal(_) => Kind::CognitoLocal,
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

impl From<CognitoLocal> for EmulatorImage {
    fn from(c: CognitoLocal) -> Self {
        EmulatorImage::CognitoLocal(c)
    }
}

#[derive(Debug)]
enum Container {
    Moto(ContainerAsync<Moto>),
    Fakecloud(ContainerAsync<Fakecloud>),
    CognitoLocal(ContainerAsync<CognitoLocal>),
}

impl Container {
    fn id(&self) -> &str {
        match self {
            Container::Moto(c) => c.id(),
            Container::Fakecloud(c) => c.id(),
            Container::CognitoLocal(c) => c.id(),
        }
    }

    async fn host_port(&self) -> testcontainers::core::error::Result<u16> {
        match self {
            Container::Moto(c) => c.get_host_port_ipv4(crate::CONTAINER_PORT).await,
            Container::Fakecloud(c) => c.get_host_port_ipv4(crate::FAKECLOUD_PORT).await,
            Container::CognitoLocal(c) => c.get_host_port_ipv4(crate::COGNITO_LOCAL_PORT).await,
        }
    }

    async fn rm(self) -> testcontainers::core::error::Result<()> {
        match self {
            Container::Moto(c) => c.rm().await,
            Container::Fakecloud(c) => c.rm().await,
            Container::CognitoLocal(c) => c.rm().await,
        }
    }

    fn forget(self) {
        match self {
            Container::Moto(c) => std::mem::forget(c),
            Container::Fakecloud(c) => std::mem::forget(c),
            Container::CognitoLocal(c) => std::mem::forget(c),
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
    /// `<name>:<tag>`.
    image: String,
    endpoint: String,
    totp: bool,
}

/// Starts `image` labelled as `kind`, owned by `owner`, and waits for its
/// ready conditions; the error names the image. With `reach_host` the
/// container resolves [`DOCKER_HOST_NAME`] to the Docker host (a server
/// there must listen on an address the bridge reaches, e.g. 0.0.0.0).
async fn run<I: Image>(
    image: I,
    kind: Kind,
    owner: String,
    reach_host: bool,
) -> anyhow::Result<ContainerAsync<I>> {
    let name = format!("{}:{}", image.name(), image.tag());
    let mut request = image
        .with_label(LABEL, kind.name())
        .with_label(LABEL_PID, owner);
    if reach_host {
        request = request.with_host(DOCKER_HOST_NAME, Host::HostGateway);
    }
    request
        .with_startup_timeout(Duration::from_secs(90))
        .start()
        .await
        .with_context(|| {
            format!(
                "cannot start the {kind} container {name}, or it did not answer in time \
                 (was it built? `cargo xtask image --emulator {kind}`)"
            )
        })
}

impl Emulator {
    /// Starts a container of `image` ([`Moto`], [`Fakecloud`] or
    /// [`CognitoLocal`]), labelled with [`LABEL`] and this process as
    /// [`LABEL_PID`], on a random host port, and waits until the emulator's
    /// HTTP API answers.
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
        let (container, totp, image) = match image {
            EmulatorImage::Moto(m) => {
                let totp = m.totp();
                let name = format!("{}:{}", m.name(), m.tag());
                (
                    Container::Moto(run(m, kind, owner, false).await?),
                    totp,
                    name,
                )
            }
            // fakecloud always checks TOTP codes against the user's own secret.
            EmulatorImage::Fakecloud(f) => {
                let name = format!("{}:{}", f.name(), f.tag());
                let reach_host = f.lambda_url().is_some();
                (
                    Container::Fakecloud(run(f, kind, owner, reach_host).await?),
                    true,
                    name,
                )
            }
            // cognito-local checks codes against the secret it handed out.
            EmulatorImage::CognitoLocal(c) => {
                let name = format!("{}:{}", c.name(), c.tag());
                (
                    Container::CognitoLocal(run(c, kind, owner, false).await?),
                    true,
                    name,
                )
            }
        };
        match container.host_port().await {
            Ok(port) => Ok(Emulator {
                container,
                kind,
                image,
                endpoint: format!("http://127.0.0.1:{port}"),
                totp,
            }),
            Err(e) => {
                let _ = container.rm().await;
                Err(anyhow::Error::from(e).context("cannot read the emulator's host port"))
            }
        }
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
    /// [`Moto::with_totp`]; fakecloud and cognito-local: always).
    pub fn totp(&self) -> bool {
        self.totp
    }

    /// Its image, `<name>:<tag>`.
    pub fn image(&self) -> &str {
        &self.image
    }

    /// The environment lines for the tests: its endpoint
    /// ([`Kind::endpoint_env`]), for moto [`crate::TOTP_FLAG_ENV`], for
    /// fakecloud its image's tag ([`crate::FAKECLOUD_TAG_ENV`]: the tests
    /// that need Lambda triggers start a container of their own).
    pub fn test_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![(self.kind.endpoint_env(), self.endpoint.clone())];
        match self.kind {
            Kind::Moto => env.push((crate::TOTP_FLAG_ENV, self.totp.to_string())),
            Kind::Fakecloud => {
                let tag = self.image.rsplit_once(':').map_or("", |(_, t)| t);
                env.push((crate::FAKECLOUD_TAG_ENV, tag.to_owned()));
            }
            Kind::CognitoLocal => {}
        }
        env
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

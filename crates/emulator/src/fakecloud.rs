//! The fakecloud image: fakecloud (<https://github.com/faiscadev/fakecloud>,
//! AGPL-3.0-or-later) runs as a separate program in its own container;
//! nothing of it is linked into this project. The image holds the
//! Cognito-only build of docker/fakecloud (the full binary's crates, port
//! and paths, and a forwarder for Lambda triggers).

use std::borrow::Cow;

use testcontainers::Image;
use testcontainers::core::wait::HttpWaitStrategy;
use testcontainers::core::{ContainerPort, WaitFor};

/// The repository of the image `cargo xtask image --emulator fakecloud` builds.
pub const FAKECLOUD_IMAGE_NAME: &str = "cognito-token/fakecloud";

/// The fakecloud version of the image: the version of the fakecloud crates
/// docker/fakecloud pins (a tidy test keeps
/// them equal). Changing it changes the image tag.
pub const FAKECLOUD_VERSION: &str = "0.51.0";

/// The port fakecloud listens on inside the container (its default,
/// `--addr 0.0.0.0:4566`).
pub const FAKECLOUD_PORT: u16 = 4566;

/// The variable of docker/fakecloud's Cognito-only binary that forwards
/// Cognito's Lambda triggers over HTTP: each invocation is a POST of the
/// event to `$FAKECLOUD_LAMBDA_URL/<function name>`, and the response body
/// is the function's answer.
pub const FAKECLOUD_LAMBDA_URL_ENV: &str = "FAKECLOUD_LAMBDA_URL";

/// The name a container with a Lambda URL ([`Fakecloud::with_lambda_url`])
/// reaches the Docker host by (Docker's `host-gateway`).
pub const DOCKER_HOST_NAME: &str = "host.docker.internal";

const EXPOSED: [ContainerPort; 1] = [ContainerPort::Tcp(FAKECLOUD_PORT)];

/// The fakecloud emulator image, `cognito-token/fakecloud:<tag>`.
#[derive(Clone, Debug)]
pub struct Fakecloud {
    tag: String,
    lambda_url: Option<String>,
}

impl Fakecloud {
    /// The image with this tag (the hash `cargo xtask image --emulator
    /// fakecloud` prints).
    pub fn new(tag: impl Into<String>) -> Self {
        Fakecloud {
            tag: tag.into(),
            lambda_url: None,
        }
    }

    /// Its Lambda triggers forwarded to `url` ([`FAKECLOUD_LAMBDA_URL_ENV`];
    /// a server on the Docker host is `http://host.docker.internal:PORT`,
    /// [`DOCKER_HOST_NAME`], which such a container resolves): docker/fakecloud's
    /// forwarder.
    pub fn with_lambda_url(mut self, url: impl Into<String>) -> Self {
        self.lambda_url = Some(url.into());
        self
    }

    /// The URL its Lambda triggers go to, if any.
    pub fn lambda_url(&self) -> Option<&str> {
        self.lambda_url.as_deref()
    }
}

impl Image for Fakecloud {
    fn name(&self) -> &str {
        FAKECLOUD_IMAGE_NAME
    }

    fn tag(&self) -> &str {
        &self.tag
    }

    fn ready_conditions(&self) -> Vec<WaitFor> {
        // fakecloud prints `FAKECLOUD_PORT=<port>` on stdout once it has
        // bound its socket, before its routes are ready; then its health
        // route answers 200.
        vec![
            WaitFor::message_on_stdout("FAKECLOUD_PORT="),
            WaitFor::http(
                HttpWaitStrategy::new("/_fakecloud/health").with_expected_status_code(200_u16),
            ),
        ]
    }

    fn expose_ports(&self) -> &[ContainerPort] {
        &EXPOSED
    }

    fn env_vars(
        &self,
    ) -> impl IntoIterator<Item = (impl Into<Cow<'_, str>>, impl Into<Cow<'_, str>>)> {
        self.lambda_url
            .as_deref()
            .map(|url| (FAKECLOUD_LAMBDA_URL_ENV, url))
    }
}

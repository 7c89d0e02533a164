//! The fakecloud image: fakecloud (<https://github.com/faiscadev/fakecloud>,
//! AGPL-3.0-or-later) runs as a separate program in its own container;
//! nothing of it is linked into this project. The image holds either the
//! published full binary or the Cognito-only build of docker/fakecloud
//! (same crates, same port and paths).

use testcontainers::Image;
use testcontainers::core::wait::HttpWaitStrategy;
use testcontainers::core::{ContainerPort, WaitFor};

/// The repository of the image `cargo xtask image --emulator fakecloud` builds.
pub const FAKECLOUD_IMAGE_NAME: &str = "cognito-token/fakecloud";

/// The fakecloud version of the image: the published image's tag, and the
/// version of the fakecloud crates docker/fakecloud pins (a tidy test keeps
/// them equal). Changing it changes the image tag.
pub const FAKECLOUD_VERSION: &str = "0.51.0";

/// The port fakecloud listens on inside the container (its default,
/// `--addr 0.0.0.0:4566`).
pub const FAKECLOUD_PORT: u16 = 4566;

const EXPOSED: [ContainerPort; 1] = [ContainerPort::Tcp(FAKECLOUD_PORT)];

/// The fakecloud emulator image, `cognito-token/fakecloud:<tag>`.
#[derive(Clone, Debug)]
pub struct Fakecloud {
    tag: String,
}

impl Fakecloud {
    /// The image with this tag (the hash `cargo xtask image --emulator
    /// fakecloud` prints).
    pub fn new(tag: impl Into<String>) -> Self {
        Fakecloud { tag: tag.into() }
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
}

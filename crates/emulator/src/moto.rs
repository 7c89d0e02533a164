//! The moto image.

use std::borrow::Cow;

use testcontainers::Image;
use testcontainers::core::wait::HttpWaitStrategy;
use testcontainers::core::{ContainerPort, WaitFor};

/// The repository of the image `cargo xtask image` builds.
pub const IMAGE_NAME: &str = "cognito-token/moto";

/// The port moto listens on inside the container.
pub const CONTAINER_PORT: u16 = 5000;

/// moto's switch for checking TOTP codes; read from the server's
/// environment, so it is fixed when the container starts.
pub const TOTP_ENV: &str = "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP";

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
        // werkzeug's start-up banner, then moto's own API answering 200.
        vec![
            WaitFor::message_on_either_std("Running on http"),
            WaitFor::http(HttpWaitStrategy::new("/moto-api/").with_expected_status_code(200_u16)),
        ]
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

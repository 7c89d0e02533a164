//! The cognito-local image: cognito-local (<https://github.com/jagregory/cognito-local>,
//! MIT) on Node.js, built offline from the npm tree pinned in
//! docker/cognito-local.

use std::borrow::Cow;

use testcontainers::Image;
use testcontainers::core::wait::HttpWaitStrategy;
use testcontainers::core::{ContainerPort, WaitFor};

/// The repository of the image `cargo xtask image --emulator cognito-local` builds.
pub const COGNITO_LOCAL_IMAGE_NAME: &str = "cognito-token/cognito-local";

/// The cognito-local version the image runs (docker/cognito-local/package.json
/// pins it; a tidy test keeps the two equal).
pub const COGNITO_LOCAL_VERSION: &str = "5.3.0";

/// The port cognito-local listens on inside the container (its default).
pub const COGNITO_LOCAL_PORT: u16 = 9229;

const EXPOSED: [ContainerPort; 1] = [ContainerPort::Tcp(COGNITO_LOCAL_PORT)];

/// The cognito-local emulator image, `cognito-token/cognito-local:<tag>`.
#[derive(Clone, Debug)]
pub struct CognitoLocal {
    tag: String,
}

impl CognitoLocal {
    /// The image with this tag (the hash `cargo xtask image --emulator
    /// cognito-local` prints).
    pub fn new(tag: impl Into<String>) -> Self {
        CognitoLocal { tag: tag.into() }
    }
}

impl Image for CognitoLocal {
    fn name(&self) -> &str {
        COGNITO_LOCAL_IMAGE_NAME
    }

    fn tag(&self) -> &str {
        &self.tag
    }

    fn ready_conditions(&self) -> Vec<WaitFor> {
        // Its start-up line once listening, then its health route.
        vec![
            WaitFor::message_on_stdout("Cognito Local running on"),
            WaitFor::http(HttpWaitStrategy::new("/health").with_expected_status_code(200_u16)),
        ]
    }

    fn env_vars(
        &self,
    ) -> impl IntoIterator<Item = (impl Into<Cow<'_, str>>, impl Into<Cow<'_, str>>)> {
        // Listen on every interface of the container (its default is
        // localhost, unreachable through a published port).
        [("HOST", "0.0.0.0"), ("PORT", "9229")]
    }

    fn expose_ports(&self) -> &[ContainerPort] {
        &EXPOSED
    }
}

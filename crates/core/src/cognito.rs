//! [`Cognito`]: the user-pool API as this library offers it, every
//! operation in one place. Each method is the door to one mechanism:
//! signing in (`sign_in/`), refreshing and revoking (`refresh.rs`),
//! remembered devices (`sign_in/device.rs`); the SDK client they share is
//! `sdk/`'s.

use crate::endpoint::Endpoint;
use crate::refresh::{self, RefreshOperation, Refreshed};
use crate::sdk::{ConnectOptions, Sdk};
use crate::sign_in::{self, Answers, Device, DeviceSignIn, Flow};
use crate::{Error, Identity, NewDevice, Secret, Tokens};

/// A connected Cognito user-pool API client.
#[derive(Clone, Debug)]
pub struct Cognito {
    sdk: Sdk,
}

impl Cognito {
    /// Builds the client. No network request is made, and the credential
    /// chain is not consulted unless `opts.credentials` is set.
    pub async fn connect(opts: &ConnectOptions) -> Result<Cognito, Error> {
        Ok(Cognito {
            sdk: Sdk::connect(opts).await?,
        })
    }

    /// The region requests go to.
    pub fn region(&self) -> &str {
        self.sdk.region()
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &str {
        self.sdk.endpoint()
    }

    /// The endpoint requests go to, and where it came from.
    pub fn resolved_endpoint(&self) -> &Endpoint {
        self.sdk.resolved_endpoint()
    }

    /// The underlying SDK client, for operations this crate does not wrap.
    pub fn sdk(&self) -> &aws_sdk_cognitoidentityprovider::Client {
        &self.sdk.client
    }

    // ------------------------------------------------------------ sign-in

    /// Signs in and answers challenges until tokens arrive.
    ///
    /// `InitiateAuth` hashes the name the user typed; every later step uses
    /// the internal username the first challenge names.
    pub async fn login(
        &self,
        id: &Identity,
        flow: Flow,
        password: &Secret,
        answers: &dyn Answers,
    ) -> Result<Tokens, Error> {
        self.login_with(id, flow, Some(password), answers).await
    }

    /// Like [`Cognito::login`], with the password optional: a choice-based
    /// sign-in ([`Flow::UserAuth`]) can go without one (one-time codes), and
    /// asks [`Answers::password`] if a password factor is picked later.
    /// The other flows need one.
    pub async fn login_with(
        &self,
        id: &Identity,
        flow: Flow,
        password: Option<&Secret>,
        answers: &dyn Answers,
    ) -> Result<Tokens, Error> {
        sign_in::sign_in(&self.sdk, id, flow, password, answers, None)
            .await
            .map(|s| s.tokens)
    }

    /// Signs in like [`Cognito::login_with`], as the remembered `device`
    /// when one is given: `DEVICE_KEY` goes with the sign-in and every
    /// answer, and `DEVICE_SRP_AUTH` / `DEVICE_PASSWORD_VERIFIER` are
    /// answered. A device Cognito refuses is dropped and the sign-in done
    /// again without it ([`DeviceSignIn::dropped`] says why).
    pub async fn login_with_device(
        &self,
        id: &Identity,
        flow: Flow,
        password: Option<&Secret>,
        answers: &dyn Answers,
        device: Option<&Device>,
    ) -> Result<DeviceSignIn, Error> {
        sign_in::sign_in(&self.sdk, id, flow, password, answers, device).await
    }

    // ------------------------------------------------------------ refresh

    /// Gets fresh ID and access tokens with `REFRESH_TOKEN_AUTH`; the
    /// SECRET_HASH is computed over `internal_username` (the ID token's
    /// `cognito:username`). The refresh token is kept in the result.
    pub async fn refresh(
        &self,
        id: &Identity,
        refresh_token: &Secret,
        internal_username: &str,
    ) -> Result<Tokens, Error> {
        refresh::initiate_auth(&self.sdk, id, refresh_token, internal_username, None).await
    }

    /// [`Cognito::refresh`] for tokens a remembered device got: Cognito
    /// wants its `DEVICE_KEY` with the refresh token.
    pub async fn refresh_with_device(
        &self,
        id: &Identity,
        refresh_token: &Secret,
        internal_username: &str,
        device_key: Option<&str>,
    ) -> Result<Tokens, Error> {
        refresh::initiate_auth(&self.sdk, id, refresh_token, internal_username, device_key).await
    }

    /// Refreshes with `GetTokensFromRefreshToken` (rotation-safe; unless
    /// `operation` says the endpoint does not know it), falling back to
    /// `REFRESH_TOKEN_AUTH` where the service does not know the operation.
    /// A refresh token already rotated away fails with Cognito's
    /// [`REUSE_CODE`](crate::refresh::REUSE_CODE).
    pub async fn refresh_rotating(
        &self,
        id: &Identity,
        refresh_token: &Secret,
        internal_username: &str,
        operation: RefreshOperation,
        device_key: Option<&str>,
    ) -> Result<Refreshed, Error> {
        refresh::rotating(
            &self.sdk,
            id,
            refresh_token,
            internal_username,
            operation,
            device_key,
        )
        .await
    }

    /// Revokes a refresh token (and the tokens issued from it).
    pub async fn revoke(&self, id: &Identity, refresh_token: &Secret) -> Result<(), Error> {
        refresh::revoke(&self.sdk, id, refresh_token).await
    }

    // ------------------------------------------------------------ devices

    /// Registers the device a sign-in offered (`NewDeviceMetadata`) as
    /// remembered (`ConfirmDevice`, then `UpdateDeviceStatus` when the user
    /// must opt in). Returns what to keep.
    pub async fn remember_device(
        &self,
        access_token: &Secret,
        new: &NewDevice,
        device_name: &str,
    ) -> Result<Device, Error> {
        sign_in::remember_device(&self.sdk, access_token, new, device_name).await
    }

    /// `ForgetDevice`: Cognito stops knowing the device.
    pub async fn forget_device(
        &self,
        access_token: &Secret,
        device_key: &str,
    ) -> Result<(), Error> {
        sign_in::forget_device(&self.sdk, access_token, device_key).await
    }
}

//! What the stub reports back to a test: the ids it created
//! ([`ClientInfo`], [`UserInfo`]), a user's state ([`UserState`]), the
//! requests it received ([`RecordedRequest`]), identity-pool identities
//! ([`IdentityInfo`]) and the AWS credentials it issued ([`CredentialsInfo`]).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Mfa;

/// What [`Stub::add_client`](crate::Stub::add_client) created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// 26 lower-case alphanumerics.
    pub id: String,
    /// 50 lower-case alphanumerics, when `generate_secret`.
    pub secret: Option<String>,
}

/// What [`Stub::add_user`](crate::Stub::add_user) created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// Internal username (`cognito:username`, `USER_ID_FOR_SRP`): a UUID in `username_is_email` pools.
    pub username: String,
    /// The e-mail attribute, if any.
    pub email: Option<String>,
    /// The `sub` claim.
    pub sub: String,
}

/// A snapshot of a user, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserState {
    /// Internal username.
    pub username: String,
    /// `sub`.
    pub sub: String,
    /// E-mail attribute.
    pub email: Option<String>,
    /// Current password (plain text, so tests can check a new password was set).
    pub password: String,
    /// `CONFIRMED` or `FORCE_CHANGE_PASSWORD`.
    pub status: String,
    /// Enabled?
    pub enabled: bool,
    /// Current MFA configuration (`Totp` after a completed `MFA_SETUP`).
    pub mfa: Mfa,
    /// Attributes as Cognito shows them (`email`, `email_verified`, others; not `sub`).
    pub attributes: BTreeMap<String, String>,
    /// The code `SMS_MFA` expects (fixed per user, 6 digits).
    pub sms_code: String,
    /// The code `EMAIL_OTP` expects (fixed per user, 8 digits).
    pub email_code: String,
    /// The TOTP secret of the user's software token, if one is set up.
    pub software_token_secret: Option<String>,
}

/// One request the stub received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// The operation (`X-Amz-Target` without the service prefix) for POSTs,
    /// else `"<METHOD> <path>"`, e.g. `"GET /us-east-1_abc/.well-known/jwks.json"`.
    pub target: String,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The JSON body (`{}` when empty; a JSON string holding the raw text when not JSON).
    pub body: Value,
}

/// Temporary AWS credentials the stub issued (`GetCredentialsForIdentity`,
/// `AssumeRoleWithWebIdentity`), without their secret parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsInfo {
    /// `ASIA…`, 20 characters.
    pub access_key_id: String,
    /// The role they act as.
    pub role_arn: String,
    /// The role session's name (`CognitoIdentityCredentials` for an identity
    /// pool's, `RoleSessionName` for STS's).
    pub session_name: String,
    /// The identity they were issued to, by an identity pool.
    pub identity_id: Option<String>,
    /// Unix time they expire.
    pub expiration: i64,
    /// The operation that issued them.
    pub issued_by: String,
}

/// An identity of an identity pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityInfo {
    /// `<region>:<uuid>`.
    pub id: String,
    /// The identity pool.
    pub pool_id: String,
    /// The logins linked to it: (provider name, the user's `sub`); empty for
    /// an unauthenticated identity.
    pub logins: Vec<(String, String)>,
}

/// One invocation of a custom-auth trigger, as the Lambda would see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerInvocation {
    /// `DefineAuthChallenge`, `CreateAuthChallenge` or `VerifyAuthChallengeResponse`.
    pub trigger: String,
    /// The call that invoked it: `InitiateAuth`, `RespondToAuthChallenge`,
    /// `AdminInitiateAuth`, `AdminRespondToAuthChallenge`.
    pub operation: String,
    /// The event's `userName`: the internal username.
    pub username: String,
    /// The event's `clientMetadata`: the answer's `ClientMetadata`. Cognito
    /// does not pass `InitiateAuth`'s to these triggers (API reference,
    /// `InitiateAuth` `ClientMetadata`), so it is empty on `InitiateAuth`.
    pub client_metadata: BTreeMap<String, String>,
    /// The event's `session`: each earlier challenge's name (`SRP_A`,
    /// `PASSWORD_VERIFIER`, `CUSTOM_CHALLENGE`) and result.
    pub session: Vec<(String, bool)>,
}

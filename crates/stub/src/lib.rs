//! `cognito-stub`: a **strict** in-process stand-in for Amazon Cognito's
//! user-pool API, its identity pools and the part of STS they need, for
//! tests.
//!
//! [`Stub::start`] runs an HTTP/1.1 server on `127.0.0.1:<random port>` (in a
//! background thread with its own tokio runtime, so plain `#[test]`s can use
//! it) that speaks Cognito's real wire protocol: `POST /` with
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>` and an
//! `application/x-amz-json-1.1` body; errors are HTTP 400 with
//! `x-amzn-ErrorType` and `{"__type", "message"}`. Point the AWS SDK (or the
//! `cognito-token` binary) at [`Stub::endpoint`].
//!
//! Unlike lenient emulators, it enforces the rules real Cognito enforces, so
//! client bugs fail tests:
//! - app-client explicit auth flows; `SECRET_HASH` presence and value — over
//!   the username *as typed* on `InitiateAuth`, over the *internal* username
//!   (`USER_ID_FOR_SRP`) on every challenge answer and on refresh;
//! - challenge answers must name the internal username in `USERNAME` (Cognito:
//!   "the USERNAME attribute can't be an alias");
//! - `Session`s are single-use (also after a wrong code or wrong SRP proof),
//!   expire after 3 minutes ([`Stub::expire_sessions`]), are bound to the app
//!   client, the user, the challenge and the API family (admin or not);
//! - SRP: `TIMESTAMP` format (`Tue Mar 3 04:05:06 UTC 2026`, day not padded,
//!   weekday matching the date) and ±5 minutes, the SRP-6a proof itself
//!   (via [`srp`]), the echoed `SECRET_BLOCK`;
//! - `NEW_PASSWORD_REQUIRED`: password policy, required attributes,
//!   no writes to `sub` / `email_verified` / the sign-in e-mail;
//! - TOTP (RFC 6238, ±1 step), SMS and e-mail codes, `SELECT_MFA_TYPE`,
//!   `MFA_SETUP` through `AssociateSoftwareToken` / `VerifySoftwareToken`;
//! - refresh tokens bound to their client, revocation through `RevokeToken`;
//! - `CUSTOM_AUTH` only for clients allowing `ALLOW_CUSTOM_AUTH`, with the
//!   triggers configured; a session per round;
//! - the admin APIs require a SigV4 `Authorization` header scoped to
//!   `cognito-idp` and the pool's region (the signature is not verified);
//! - wrong JSON types, missing fields, bad JSON, unknown targets: Cognito's
//!   error codes, never a panic.
//!
//! Tokens are RS256 JWTs with Cognito's claims; ID and access tokens are
//! signed with two different keys, both in the pool's JWKS at
//! `GET /<pool id>/.well-known/jwks.json`.
//!
//! Operations implemented: `InitiateAuth`, `AdminInitiateAuth`,
//! `RespondToAuthChallenge`, `AdminRespondToAuthChallenge`,
//! `AssociateSoftwareToken`, `VerifySoftwareToken`, `RevokeToken`, `GetUser`,
//! and for device tracking ([`DeviceTracking`], `api/devices.rs`)
//! `ConfirmDevice`, `UpdateDeviceStatus`, `ForgetDevice`.
//! `GetTokensFromRefreshToken` (with refresh-token rotation),
//! `USER_AUTH` (choice-based sign-in: `SELECT_CHALLENGE`, `PASSWORD`,
//! `PASSWORD_SRP`, `EMAIL_OTP`, `SMS_OTP`; codes via [`Stub::otp_code`]),
//! and `CUSTOM_AUTH` (`api/custom_auth.rs`): the pool's Define, Create and
//! Verify triggers ([`CustomAuthTriggers`], each configured, failing or
//! missing as Cognito would answer) play a script per user
//! ([`CustomAuthScript`]: rounds with answers and public parameters, an
//! optional SRP password check first, failure after N wrong answers);
//! [`Stub::trigger_invocations`] records what the Lambdas saw.
//! Anything else is `UnknownOperationException`.
//!
//! The stub is also the pool's OAuth 2.0 domain ([`Stub::domain`]):
//! `POST /oauth2/token` (`client_credentials`, `authorization_code` with
//! PKCE S256, `refresh_token`), `GET /oauth2/authorize` with a small login
//! page (`/login`), `POST /oauth2/revoke`, for app clients given
//! [`OAuthSpec`] settings ([`Stub::add_oauth_client`],
//! [`Stub::add_resource_server`]). Confidential clients must use HTTP Basic;
//! `redirect_uri` matches exactly; codes are single-use, bound to client,
//! redirect URI and verifier, valid five minutes; errors are Cognito's
//! `{"error": …}`. [`Stub::oauth_requests`] records what arrived;
//! [`Stub::sign_in`] plays the browser.
//!
//! On the same port it is Cognito's identity-pool service
//! (`X-Amz-Target: AWSCognitoIdentityService.<op>`: `GetId`,
//! `GetCredentialsForIdentity`, `GetOpenIdToken`; [`Stub::add_identity_pool`],
//! [`Stub::add_role`]) with Cognito's rules: the `Logins` key names a
//! configured user pool, its ID token verifies and is for a listed app
//! client, an identity is bound to the user's `sub`, unauthenticated
//! identities only where the pool allows them, `CustomRoleArn` only among
//! the token's roles, roles must trust the pool, pool ids are `REGION:GUID`
//! and another region's pools are not found at a regional endpoint
//! ([`Stub::regional_endpoint`]). And it is STS for the basic flow and for
//! checking what a client signs: a form POST naming an `Action`
//! (`AssumeRoleWithWebIdentity` with the OpenID token, checked against the
//! role's trust; `GetCallerIdentity`, whose SigV4 signature is recomputed
//! with the credentials issued). [`Stub::issued_credentials`] and
//! [`Stub::identities`] read back what happened.
//!
//! ```no_run
//! use cognito_stub::{ClientSpec, PoolSpec, Stub, UserSpec};
//! let stub = Stub::start();
//! let pool = stub.add_pool(PoolSpec::default());
//! let client = stub.add_client(&pool, ClientSpec { generate_secret: true, ..Default::default() });
//! let user = stub.add_user(&pool, UserSpec::new("alice", "Passw0rd!"));
//! // point the SDK at stub.endpoint() ...
//! # let _ = (client, user);
//! ```

// Every public item is documented; what only the crate uses says so.
#![deny(missing_docs)]
#![deny(unreachable_pub)]

pub mod srp;

// The layers, bottom to top (no module imports one above it; the tidy rule
// `xtask/src/tidy/cycles.rs` checks the files):
// - leaves: `util`, `tokens`, `totp`, `srp`, `specs`, `records`, `fault`,
//   `request`;
// - `json`: AWS's JSON 1.1 errors and request bodies;
// - `state`: what every service shares (pools, clients, users, keys, clock);
// - `iam`: roles and temporary credentials (identity pools and STS);
// - the services, siblings that never import each other: `api` (the
//   user-pool JSON protocol), `oauth` (the pool's domain), `identity` (the
//   identity pools), `sts`;
// - `shared` (every service's state under one mutex), `server` (HTTP),
//   `stub` (the running server's handle), `control` (the test's controls).
mod api;
mod control;
mod fault;
mod iam;
mod identity;
mod json;
mod oauth;
mod records;
mod request;
mod server;
mod shared;
mod specs;
mod state;
mod sts;
mod stub;
mod tokens;
mod totp;
mod util;

pub use api::DeviceInfo;
pub use control::{HttpResponse, http_get, http_post_form};
pub use fault::Fault;
pub use oauth::{OAuthRequest, OAuthSpec};
pub use records::{
    ClientInfo, CredentialsInfo, IdentityInfo, RecordedRequest, TriggerInvocation, UserInfo,
    UserState,
};
pub use specs::{
    ACCOUNT_ID, AmbiguousRoleResolution, ClientSpec, CustomAuthScript, CustomAuthTriggers,
    CustomRound, DeviceTracking, IdentityPoolSpec, Mfa, PoolSpec, RoleSpec, RoleTrust, TokenRoles,
    Trigger, UserGroup, UserSpec, role_arn,
};
pub use stub::Stub;
pub use totp::totp_code;
pub use util::secret_hash;

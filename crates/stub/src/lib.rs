//! `cognito-stub`: a **strict** in-process stand-in for Amazon Cognito's
//! user-pool API, for tests.
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
//! `GetTokensFromRefreshToken` (with refresh-token rotation), and
//! `USER_AUTH` (choice-based sign-in: `SELECT_CHALLENGE`, `PASSWORD`,
//! `PASSWORD_SRP`, `EMAIL_OTP`, `SMS_OTP`; codes via [`Stub::otp_code`]).
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
//! ```no_run
//! use cognito_stub::{ClientSpec, PoolSpec, Stub, UserSpec};
//! let stub = Stub::start();
//! let pool = stub.add_pool(PoolSpec::default());
//! let client = stub.add_client(&pool, ClientSpec { generate_secret: true, ..Default::default() });
//! let user = stub.add_user(&pool, UserSpec::new("alice", "Passw0rd!"));
//! // point the SDK at stub.endpoint() ...
//! # let _ = (client, user);
//! ```

pub mod srp;

mod api;
mod oauth;
mod server;
mod tokens;
mod totp;
mod util;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{Map, Value};

pub use api::devices::DeviceInfo;
pub use oauth::{HttpResponse, OAuthRequest, OAuthSpec, http_get};
pub use totp::totp_code;
pub use util::secret_hash;

use server::Shared;
use tokens::KeyUse;

/// Settings of a user pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSpec {
    /// AWS region; the pool id is `<region>_<9 random alphanumerics>`.
    pub region: String,
    /// Pool name (informational).
    pub name: String,
    /// `UsernameAttributes = [email]`: users sign in with their e-mail; the
    /// internal username is a UUID (equal to `sub`).
    pub username_is_email: bool,
    /// `AliasAttributes = [email]`: users sign in by username or by e-mail.
    pub email_alias: bool,
    /// Minimum length of a new password.
    pub min_password_length: usize,
    /// New passwords need an upper-case letter.
    pub require_uppercase: bool,
    /// New passwords need a lower-case letter.
    pub require_lowercase: bool,
    /// New passwords need a digit.
    pub require_digits: bool,
    /// New passwords need one of Cognito's symbols (`^$*.[]{}()?"!@#%&/\,><':;|_~\`=+-`).
    pub require_symbols: bool,
    /// Whether `PASSWORD_VERIFIER` carries a `Session` (real Cognito: yes).
    /// Without one, the pending SRP state is keyed by client and user.
    pub srp_session: bool,
    /// `ExpiresIn` in `AuthenticationResult`; `None` omits it (like some emulators).
    pub expires_in: Option<i64>,
    /// Lifetime of ID and access tokens (their `exp - iat`).
    pub access_ttl_secs: i64,
    /// The pool's allowed first factors of choice-based sign-in
    /// (`SignInPolicy.AllowedFirstAuthFactors`): `PASSWORD` (which covers
    /// `PASSWORD_SRP`), `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`.
    pub first_auth_factors: Vec<String>,
    /// Device tracking (`DeviceConfiguration`): off by default.
    pub device_tracking: DeviceTracking,
}

/// A pool's device tracking (`DeviceConfiguration`). With tracking on, a
/// sign-in without `DEVICE_KEY` returns `NewDeviceMetadata`; a remembered
/// device (confirmed, and remembered) answers `DEVICE_SRP_AUTH` /
/// `DEVICE_PASSWORD_VERIFIER` instead of MFA (`ChallengeRequiredOnNewDevice`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeviceTracking {
    /// No `DeviceConfiguration`.
    #[default]
    Off,
    /// `DeviceOnlyRememberedOnUserPrompt = false`: `ConfirmDevice` remembers.
    Always,
    /// `DeviceOnlyRememberedOnUserPrompt = true`: `ConfirmDevice` answers
    /// `UserConfirmationNecessary`; `UpdateDeviceStatus remembered` remembers.
    UserOptIn,
}

impl Default for PoolSpec {
    /// `us-east-1`, username sign-in, Cognito's default password policy
    /// (8 characters, upper, lower, digit, symbol), SRP with Session,
    /// `ExpiresIn` 3600, one-hour tokens.
    fn default() -> Self {
        PoolSpec {
            region: "us-east-1".into(),
            name: "test-pool".into(),
            username_is_email: false,
            email_alias: false,
            min_password_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_digits: true,
            require_symbols: true,
            srp_session: true,
            expires_in: Some(3600),
            access_ttl_secs: 3600,
            device_tracking: DeviceTracking::Off,
            first_auth_factors: ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// Settings of an app client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSpec {
    /// Give the client a (50-character) secret; `SECRET_HASH` is then required.
    pub generate_secret: bool,
    /// `ALLOW_USER_PASSWORD_AUTH`, `ALLOW_USER_SRP_AUTH`, `ALLOW_REFRESH_TOKEN_AUTH`,
    /// `ALLOW_ADMIN_USER_PASSWORD_AUTH`, `ALLOW_USER_AUTH` (legacy names without `ALLOW_` work too).
    pub explicit_auth_flows: Vec<String>,
    /// Refresh-token rotation: `GetTokensFromRefreshToken` returns a new
    /// refresh token and the old one stops working; `REFRESH_TOKEN_AUTH` is refused.
    pub rotate_refresh_tokens: bool,
}

impl Default for ClientSpec {
    /// No secret; all four flows allowed.
    fn default() -> Self {
        ClientSpec {
            generate_secret: false,
            explicit_auth_flows: [
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            ]
            .map(String::from)
            .to_vec(),
            rotate_refresh_tokens: false,
        }
    }
}

/// A user's MFA configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Mfa {
    /// No MFA: tokens right after the password.
    #[default]
    None,
    /// `SOFTWARE_TOKEN_MFA` with this base32 TOTP secret.
    Totp {
        /// RFC 4648 base32 secret (as shown to the user when setting up an authenticator app).
        secret_base32: String,
    },
    /// `SMS_MFA`; the code is [`UserState::sms_code`].
    Sms,
    /// `EMAIL_OTP`; the code is [`UserState::email_code`].
    Email,
    /// `SELECT_MFA_TYPE` between these (only `Totp`, `Sms`, `Email` entries count).
    Choose(Vec<Mfa>),
    /// `MFA_SETUP`: the user must associate and verify a software token first;
    /// afterwards the user has `Totp` with the new secret.
    SetupTotp,
}

/// A user to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSpec {
    /// The sign-in name; for `username_is_email` pools, the e-mail.
    pub username: String,
    /// The `email` attribute (for `username_is_email` pools defaults to `username`).
    pub email: Option<String>,
    /// Current password (temporary when `temporary`). Not checked against the policy.
    pub password: String,
    /// `FORCE_CHANGE_PASSWORD`: sign-in yields `NEW_PASSWORD_REQUIRED`.
    pub temporary: bool,
    /// Attributes (without the `userAttributes.` prefix, e.g. `"name"`) that
    /// `NEW_PASSWORD_REQUIRED` lists in `requiredAttributes` when not yet set,
    /// and requires answered.
    pub required_attributes: Vec<String>,
    /// Further attributes (e.g. `name`), shown in tokens and `userAttributes`.
    pub attributes: BTreeMap<String, String>,
    /// MFA configuration.
    pub mfa: Mfa,
    /// `false`: sign-in fails with `NotAuthorizedException: User is disabled.`
    pub enabled: bool,
    /// The user has a passkey: `USER_AUTH` offers `WEB_AUTHN` (which the stub
    /// cannot complete). An empty `password` makes a passwordless user; a
    /// `phone_number` attribute enables `SMS_OTP`, an e-mail `EMAIL_OTP`.
    pub passkey: bool,
}

impl Default for UserSpec {
    fn default() -> Self {
        UserSpec {
            username: "alice".into(),
            email: None,
            password: "Passw0rd!".into(),
            temporary: false,
            required_attributes: Vec::new(),
            attributes: BTreeMap::new(),
            mfa: Mfa::None,
            enabled: true,
            passkey: false,
        }
    }
}

impl UserSpec {
    /// A confirmed, enabled user without MFA.
    pub fn new(username: &str, password: &str) -> UserSpec {
        UserSpec {
            username: username.into(),
            password: password.into(),
            ..UserSpec::default()
        }
    }
}

/// What [`Stub::add_client`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// 26 lower-case alphanumerics.
    pub id: String,
    /// 50 lower-case alphanumerics, when `generate_secret`.
    pub secret: Option<String>,
}

/// What [`Stub::add_user`] created.
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

/// Misbehaviour to inject, for hardening tests. Faults apply to every
/// request (API calls and JWKS fetches) that arrives after [`Stub::set_fault`];
/// the requests are still recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 400 `TooManyRequestsException: Rate exceeded` for the next `times` requests, then normal.
    Throttle {
        /// How many requests to throttle.
        times: u32,
    },
    /// 500 `InternalErrorException` for the next `times` requests, then normal.
    ServerError {
        /// How many requests to fail.
        times: u32,
    },
    /// 200 with a body that is not JSON, until cleared.
    Garbage,
    /// Close the connection without answering, until cleared.
    CloseConnection,
    /// Read the request and never answer, until cleared (or the stub is dropped).
    Hang,
    /// Answer with this status and body (content type JSON 1.1), until cleared.
    Status(u16, String),
}

/// A running stub server; stops when dropped.
pub struct Stub {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Stub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stub")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Stub {
    /// Starts the server on `127.0.0.1:0` in a background thread with its own
    /// (current-thread) tokio runtime.
    pub fn start() -> Stub {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared::default());
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("cognito-stub-{}", addr.port()))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    loop {
                        tokio::select! {
                            _ = &mut rx => break,
                            accepted = listener.accept() => {
                                let Ok((stream, _)) = accepted else { continue };
                                let state = state.clone();
                                tokio::spawn(async move {
                                    let svc = hyper::service::service_fn(move |req| server::handle(state.clone(), req));
                                    let _ = hyper::server::conn::http1::Builder::new()
                                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                                        .await;
                                });
                            }
                        }
                    }
                });
                // Dropping the runtime cancels connections still open (e.g. hanging ones).
                drop(rt);
            })
            .expect("spawn stub thread");
        // Generate the signing keys now rather than inside the first request.
        let _ = tokens::jwks(&[String::new(), String::new()]);
        Stub {
            shared,
            addr,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`, for the SDK's endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where the pool's JWKS is served: `<endpoint>/<pool id>/.well-known/jwks.json`.
    pub fn jwks_url(&self, pool_id: &str) -> String {
        format!("{}/{pool_id}/.well-known/jwks.json", self.endpoint())
    }

    /// The `iss` of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<pool id>`.
    /// Panics if the pool does not exist.
    pub fn issuer(&self, pool_id: &str) -> String {
        let st = self.shared.lock();
        format!(
            "https://cognito-idp.{}.amazonaws.com/{pool_id}",
            st.pool(pool_id).spec.region
        )
    }

    /// Creates a user pool; returns its id.
    pub fn add_pool(&self, pool: PoolSpec) -> String {
        self.shared.lock().add_pool(pool)
    }

    /// Creates an app client in the pool. Panics if the pool does not exist.
    pub fn add_client(&self, pool_id: &str, client: ClientSpec) -> ClientInfo {
        self.shared.lock().add_client(pool_id, client)
    }

    /// Creates a user. Panics if the pool does not exist or the username is taken.
    pub fn add_user(&self, pool_id: &str, user: UserSpec) -> UserInfo {
        self.shared.lock().add_user(pool_id, user)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// Sets (or with `None` clears) the fault applied to the following requests.
    pub fn set_fault(&self, fault: Option<Fault>) {
        self.shared.lock().fault = fault;
    }

    /// A snapshot of a user, looked up by internal username or (where the pool allows) e-mail.
    pub fn user(&self, pool_id: &str, name_or_alias: &str) -> Option<UserState> {
        self.shared.lock().user_state(pool_id, name_or_alias)
    }

    fn with_user(&self, pool_id: &str, name_or_alias: &str, f: impl FnOnce(&mut api::User)) {
        let mut st = self.shared.lock();
        let user = st
            .user_mut(pool_id, name_or_alias)
            .unwrap_or_else(|| panic!("cognito-stub: no user {name_or_alias} in {pool_id}"));
        f(user);
    }

    /// Disables a user (`AdminDisableUser`). Panics if there is no such user.
    pub fn disable_user(&self, pool_id: &str, name_or_alias: &str) {
        self.with_user(pool_id, name_or_alias, |u| u.enabled = false);
    }

    /// Enables a user again.
    pub fn enable_user(&self, pool_id: &str, name_or_alias: &str) {
        self.with_user(pool_id, name_or_alias, |u| u.enabled = true);
    }

    /// Changes a user's MFA configuration.
    pub fn set_user_mfa(&self, pool_id: &str, name_or_alias: &str, mfa: Mfa) {
        self.with_user(pool_id, name_or_alias, |u| u.mfa = mfa);
    }

    /// Sets a user's password (`AdminSetUserPassword`); `temporary` puts the user in `FORCE_CHANGE_PASSWORD`.
    pub fn set_user_password(
        &self,
        pool_id: &str,
        name_or_alias: &str,
        password: &str,
        temporary: bool,
    ) {
        self.with_user(pool_id, name_or_alias, |u| {
            u.password = password.to_owned();
            u.temporary = temporary;
        });
    }

    /// Revokes every refresh token of a user (`AdminUserGlobalSignOut`).
    pub fn global_sign_out(&self, pool_id: &str, username: &str) {
        let mut st = self.shared.lock();
        let internal = st
            .user_mut(pool_id, username)
            .map(|u| u.username.clone())
            .unwrap_or_else(|| username.to_owned());
        st.revoke_user_tokens(pool_id, &internal);
    }

    /// The one-time code (`EMAIL_OTP`/`SMS_OTP` of `USER_AUTH`) last sent to
    /// a user and not yet used, as the user would read it in their mail.
    pub fn otp_code(&self, pool_id: &str, name_or_alias: &str) -> Option<String> {
        self.shared.lock().otp_code(pool_id, name_or_alias)
    }

    /// Fixes the one-time codes sent to a user from now on (`None`: random
    /// again), for tests that must give the code before it is sent. Each
    /// code is still single-use. Panics if there is no such user.
    pub fn set_otp_code(&self, pool_id: &str, name_or_alias: &str, code: Option<&str>) {
        self.shared
            .lock()
            .pin_otp_code(pool_id, name_or_alias, code.map(str::to_owned));
    }

    /// Answers `op` (e.g. `GetTokensFromRefreshToken`) with
    /// `UnknownOperationException` from now on, as a service without it would.
    pub fn forget_operation(&self, op: &str) {
        self.shared.lock().ua.unknown_ops.push(op.to_owned());
    }

    /// Makes every challenge `Session` issued so far expired.
    pub fn expire_sessions(&self) {
        self.shared.lock().expire_sessions();
    }

    /// Shifts the stub's clock by `secs` (token `iat`/`exp`, TOTP, the SRP
    /// `TIMESTAMP` window, session expiry).
    pub fn set_time_offset(&self, secs: i64) {
        self.shared.lock().time_offset = secs;
    }

    /// An ID token signed by the pool's ID-token key, with the claims Cognito
    /// would issue for `username` (internal name or alias; an unknown name is
    /// used as is) and `client_id`, then `overrides` (a JSON object) applied:
    /// each key replaces the claim, `null` removes it — e.g.
    /// `json!({"exp": 1})` for an expired token. Panics if the pool does not exist.
    pub fn sign_id_token(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        overrides: Value,
    ) -> String {
        self.sign_token(pool_id, KeyUse::Id, client_id, username, &overrides)
    }

    /// Like [`Stub::sign_id_token`] for an access token (signed with the access-token key).
    pub fn sign_access_token(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        overrides: Value,
    ) -> String {
        self.sign_token(pool_id, KeyUse::Access, client_id, username, &overrides)
    }

    fn sign_token(
        &self,
        pool_id: &str,
        key: KeyUse,
        client_id: &str,
        username: &str,
        overrides: &Value,
    ) -> String {
        let st = self.shared.lock();
        let now = st.now();
        let origin = util::uuid_v4();
        let mut claims = match key {
            KeyUse::Id => st.id_claims(pool_id, client_id, username, now, &origin),
            KeyUse::Access => st.access_claims(pool_id, client_id, username, now, &origin),
        };
        apply(&mut claims, overrides);
        st.sign(pool_id, key, &Map::new(), &Value::Object(claims))
    }

    /// Signs arbitrary `claims` with the pool's ID-token key (`access_key`:
    /// the access-token key); `header` entries override the default
    /// `{"kid": <pool kid>, "alg": "RS256"}` (`null` removes one). The
    /// signature is always RS256.
    pub fn sign_jwt(
        &self,
        pool_id: &str,
        access_key: bool,
        header: Value,
        claims: Value,
    ) -> String {
        let st = self.shared.lock();
        let key = if access_key {
            KeyUse::Access
        } else {
            KeyUse::Id
        };
        let header = match header {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        st.sign(pool_id, key, &header, &claims)
    }
}

fn apply(claims: &mut Map<String, Value>, overrides: &Value) {
    if let Value::Object(o) = overrides {
        for (k, v) in o {
            if v.is_null() {
                claims.remove(k);
            } else {
                claims.insert(k.clone(), v.clone());
            }
        }
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

//! The user-pool state and the Cognito operations the stub implements.
//!
//! Everything here is synchronous and runs under the stub's state mutex.

use std::collections::{BTreeMap, HashMap, HashSet};

pub(crate) mod devices;

use serde_json::{Map, Value, json};

mod rotation;
mod user_auth;

use user_auth::{UaKind, UaState};

use crate::srp;
use crate::tokens::{self, KeyUse};
use crate::totp;
use crate::util::{self, opaque, random_digits, secret_hash, unix_now, uuid_v4};
use crate::{
    ClientInfo, ClientSpec, Fault, Mfa, PoolSpec, RecordedRequest, UserInfo, UserSpec, UserState,
};

/// How long a challenge `Session` stays valid (Cognito's default: 3 minutes).
pub(crate) const SESSION_TTL_SECS: i64 = 180;
/// How far the SRP `TIMESTAMP` may be from the stub's clock.
const TIMESTAMP_SKEW_SECS: i64 = 300;

const AUTH_FLOWS: [&str; 8] = [
    "USER_SRP_AUTH",
    "REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN",
    "CUSTOM_AUTH",
    "ADMIN_NO_SRP_AUTH",
    "USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH",
    "USER_AUTH",
];

const CHALLENGE_NAMES: [&str; 14] = [
    "SMS_MFA",
    "EMAIL_OTP",
    "SOFTWARE_TOKEN_MFA",
    "SELECT_MFA_TYPE",
    "MFA_SETUP",
    "PASSWORD_VERIFIER",
    "CUSTOM_CHALLENGE",
    "SELECT_CHALLENGE",
    "DEVICE_SRP_AUTH",
    "DEVICE_PASSWORD_VERIFIER",
    "ADMIN_NO_SRP_AUTH",
    "NEW_PASSWORD_REQUIRED",
    "SMS_OTP",
    "WEB_AUTHN",
];

/// Attributes an app client may never write.
const UNWRITABLE: [&str; 4] = [
    "sub",
    "email_verified",
    "phone_number_verified",
    "cognito:username",
];

// ---------------------------------------------------------------- errors

/// A Cognito error: HTTP status, `__type` code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

pub(crate) fn err(code: &str, message: impl Into<String>) -> ApiError {
    ApiError {
        status: 400,
        code: code.to_owned(),
        message: message.into(),
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    err("InvalidParameterException", message)
}

/// Cognito's validation error for a value outside an enum (`field` as the
/// service names it, e.g. `authFlow`).
fn check_enum(value: &str, field: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(invalid(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    )))
}

fn not_authorized(message: impl Into<String>) -> ApiError {
    err("NotAuthorizedException", message)
}

fn bad_credentials() -> ApiError {
    not_authorized("Incorrect username or password.")
}

fn no_user() -> ApiError {
    err("UserNotFoundException", "User does not exist.")
}

fn missing(param: &str) -> ApiError {
    invalid(format!("Missing required parameter {param}"))
}

type ApiResult<T = Value> = Result<T, ApiError>;

// ---------------------------------------------------------------- input

/// Typed access to a request body, failing the way Cognito does.
struct Input<'a>(&'a Map<String, Value>);

fn camel(field: &str) -> String {
    let mut c = field.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

impl<'a> Input<'a> {
    /// A string field; wrong JSON type → `SerializationException`.
    fn opt_str(&self, field: &str) -> ApiResult<Option<&'a str>> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(err(
                "SerializationException",
                format!("Unexpected value type for field {field}: expected a string"),
            )),
        }
    }

    /// A required, non-empty string field.
    fn req_str(&self, field: &str) -> ApiResult<&'a str> {
        match self.opt_str(field)? {
            None => Err(invalid(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                camel(field)
            ))),
            Some("") => Err(invalid(format!(
                "1 validation error detected: Value '' at '{}' failed to satisfy constraint: Member must have length greater than or equal to 1",
                camel(field)
            ))),
            Some(s) => Ok(s),
        }
    }

    /// A string-to-string map field (missing → empty).
    fn map(&self, field: &str) -> ApiResult<BTreeMap<String, String>> {
        let wrong = || {
            err(
                "SerializationException",
                format!("Unexpected value type for field {field}: expected a map of strings"),
            )
        };
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(BTreeMap::new()),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    _ => Err(wrong()),
                })
                .collect(),
            Some(_) => Err(wrong()),
        }
    }
}

// ---------------------------------------------------------------- state

#[derive(Debug)]
pub(crate) struct Pool {
    #[allow(dead_code)]
    pub id: String,
    pub spec: PoolSpec,
    /// Key ids: ID-token key, access-token key.
    pub kids: [String; 2],
    pub clients: BTreeMap<String, Client>,
    pub users: Vec<User>,
}

#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub id: String,
    pub secret: Option<String>,
    pub flows: Vec<String>,
    /// Refresh-token rotation (see `rotation.rs`).
    pub rotate: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub username: String,
    pub sub: String,
    pub email: Option<String>,
    pub password: String,
    pub temporary: bool,
    pub enabled: bool,
    pub mfa: Mfa,
    pub attributes: BTreeMap<String, String>,
    pub required_attributes: Vec<String>,
    pub sms_code: String,
    pub email_code: String,
    /// Secret from `AssociateSoftwareToken {AccessToken}` awaiting verification.
    pub pending_totp: Option<String>,
    /// Secret verified through `VerifySoftwareToken {AccessToken}`.
    pub verified_totp: Option<String>,
    /// Has a passkey (`WEB_AUTHN` is offered).
    pub passkey: bool,
}

impl User {
    /// Attributes as `GetUser` / `userAttributes` show them (no `sub`).
    fn visible_attributes(&self) -> BTreeMap<String, String> {
        let mut m = self.attributes.clone();
        if let Some(e) = &self.email {
            m.insert("email".into(), e.clone());
            m.insert("email_verified".into(), "true".into());
        }
        m
    }

    fn state(&self) -> UserState {
        UserState {
            username: self.username.clone(),
            sub: self.sub.clone(),
            email: self.email.clone(),
            password: self.password.clone(),
            status: if self.temporary {
                "FORCE_CHANGE_PASSWORD"
            } else {
                "CONFIRMED"
            }
            .to_owned(),
            enabled: self.enabled,
            mfa: self.mfa.clone(),
            attributes: self.visible_attributes(),
            sms_code: self.sms_code.clone(),
            email_code: self.email_code.clone(),
            software_token_secret: match &self.mfa {
                Mfa::Totp { secret_base32 } => Some(secret_base32.clone()),
                _ => self.verified_totp.clone(),
            },
        }
    }
}

/// Who is signing in, through which client and API family.
#[derive(Debug, Clone)]
struct AuthCtx {
    pool_id: String,
    client_id: String,
    /// Internal username.
    username: String,
    admin: bool,
    auth_time: i64,
    /// `DEVICE_KEY` of the sign-in, if any.
    device_key: Option<String>,
}

#[derive(Debug, Clone)]
enum Kind {
    PasswordVerifier(srp::ServerChallenge),
    NewPassword,
    SoftwareToken {
        secret: String,
    },
    Sms,
    Email,
    Select(Vec<Mfa>),
    MfaSetup {
        secret: Option<String>,
        verified: bool,
    },
    Device(devices::DeviceStep),
    /// `USER_AUTH`'s own challenges (`user_auth.rs`).
    UserAuth(UaKind),
}

impl Kind {
    fn name(&self) -> &'static str {
        match self {
            Kind::PasswordVerifier(_) => "PASSWORD_VERIFIER",
            Kind::NewPassword => "NEW_PASSWORD_REQUIRED",
            Kind::SoftwareToken { .. } => "SOFTWARE_TOKEN_MFA",
            Kind::Sms => "SMS_MFA",
            Kind::Email => "EMAIL_OTP",
            Kind::Select(_) => "SELECT_MFA_TYPE",
            Kind::MfaSetup { .. } => "MFA_SETUP",
            Kind::Device(d) => d.name(),
            Kind::UserAuth(k) => k.name(),
        }
    }
}

#[derive(Debug, Clone)]
struct Pending {
    ctx: AuthCtx,
    kind: Kind,
    created: i64,
}

#[derive(Debug, Clone)]
struct RefreshRec {
    pool_id: String,
    client_id: String,
    username: String,
    auth_time: i64,
    origin_jti: String,
    revoked: bool,
    /// The device the sign-in used or was offered.
    device_key: Option<String>,
    /// Replaced by a rotation: using it is `RefreshTokenReuseException`.
    rotated_away: bool,
}

#[derive(Debug, Clone)]
struct AccessRec {
    pool_id: String,
    username: String,
    exp: i64,
    origin_jti: String,
}

/// Everything the stub knows; guarded by one mutex.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub pools: BTreeMap<String, Pool>,
    /// client id → pool id
    client_pool: HashMap<String, String>,
    sessions: HashMap<String, Pending>,
    used_sessions: HashSet<String>,
    expired_before: i64,
    /// PASSWORD_VERIFIER state when the pool issues no Session: (client id, internal username).
    srp_no_session: HashMap<(String, String), Pending>,
    refresh: HashMap<String, RefreshRec>,
    access: HashMap<String, AccessRec>,
    revoked_origins: HashSet<String>,
    pub requests: Vec<RecordedRequest>,
    pub fault: Option<Fault>,
    pub time_offset: i64,
    /// The OAuth 2.0 side (`/oauth2/*`, the login page): see `crate::oauth`.
    pub oauth: crate::oauth::OAuthState,
    devices: devices::Devices,
    /// `USER_AUTH` codes and unknown operations (`user_auth.rs`).
    pub(crate) ua: UaState,
}

fn json_string<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("json")
}

fn mfa_name(m: &Mfa) -> Option<&'static str> {
    match m {
        Mfa::Totp { .. } => Some("SOFTWARE_TOKEN_MFA"),
        Mfa::Sms => Some("SMS_MFA"),
        Mfa::Email => Some("EMAIL_OTP"),
        _ => None,
    }
}

fn flow_enabled(client: &Client, flow: &str) -> bool {
    let allow = format!("ALLOW_{flow}");
    client.flows.iter().any(|f| *f == allow || f == flow)
}

/// Checks `SECRET_HASH` for a client with a secret, over `username`.
fn check_secret_hash(client: &Client, given: Option<&String>, username: &str) -> ApiResult<()> {
    let Some(secret) = &client.secret else {
        return Ok(());
    };
    let Some(given) = given else {
        return Err(invalid(format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            client.id
        )));
    };
    if *given != secret_hash(secret, username, &client.id) {
        return Err(not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.id
        )));
    }
    Ok(())
}

/// Minimal SigV4 presence check for the admin APIs (the signature itself is not verified).
fn check_sigv4(authorization: Option<&str>, region: Option<&str>) -> ApiResult<()> {
    let Some(auth) = authorization.filter(|a| a.starts_with("AWS4-HMAC-SHA256")) else {
        return Err(err(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let scope = auth
        .split("Credential=")
        .nth(1)
        .and_then(|rest| rest.split([',', ' ']).next())
        .unwrap_or("");
    let parts: Vec<&str> = scope.split('/').collect();
    if parts.len() != 5 || parts[4] != "aws4_request" {
        return Err(err(
            "IncompleteSignatureException",
            "Authorization header requires a valid 'Credential' parameter.",
        ));
    }
    if parts[3] != "cognito-idp" {
        return Err(err(
            "InvalidSignatureException",
            "Credential should be scoped to correct service: 'cognito-idp'.",
        ));
    }
    if let Some(region) = region
        && parts[2] != region
    {
        return Err(err(
            "InvalidSignatureException",
            "Credential should be scoped to a valid region.",
        ));
    }
    Ok(())
}

/// Why a new password breaks the pool's policy, if it does.
fn policy_violation(spec: &PoolSpec, pw: &str) -> Option<&'static str> {
    if pw.chars().count() < spec.min_password_length {
        return Some("Password not long enough");
    }
    if spec.require_uppercase && !pw.chars().any(|c| c.is_ascii_uppercase()) {
        return Some("Password must have uppercase characters");
    }
    if spec.require_lowercase && !pw.chars().any(|c| c.is_ascii_lowercase()) {
        return Some("Password must have lowercase characters");
    }
    if spec.require_digits && !pw.chars().any(|c| c.is_ascii_digit()) {
        return Some("Password must have numeric characters");
    }
    if spec.require_symbols
        && !pw
            .chars()
            .any(|c| "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-".contains(c))
    {
        return Some("Password must have symbol characters");
    }
    None
}

fn mask_email(e: &str) -> String {
    match e.split_once('@') {
        Some((l, d)) => format!(
            "{}***@{}***",
            &l[..l.chars().next().map_or(0, char::len_utf8)],
            &d[..d.chars().next().map_or(0, char::len_utf8)]
        ),
        None => "***".into(),
    }
}

impl State {
    pub fn now(&self) -> i64 {
        unix_now(self.time_offset)
    }

    // ------------------------------------------------------------ admin API for tests

    pub fn add_pool(&mut self, spec: PoolSpec) -> String {
        let id = format!("{}_{}", spec.region, util::random_alnum(9));
        let pool = Pool {
            id: id.clone(),
            spec,
            kids: [tokens::new_kid(), tokens::new_kid()],
            clients: BTreeMap::new(),
            users: Vec::new(),
        };
        self.pools.insert(id.clone(), pool);
        id
    }

    pub fn pool_mut(&mut self, pool_id: &str) -> &mut Pool {
        self.pools
            .get_mut(pool_id)
            .unwrap_or_else(|| panic!("cognito-stub: no pool {pool_id}"))
    }

    pub fn pool(&self, pool_id: &str) -> &Pool {
        self.pools
            .get(pool_id)
            .unwrap_or_else(|| panic!("cognito-stub: no pool {pool_id}"))
    }

    pub fn add_client(&mut self, pool_id: &str, spec: ClientSpec) -> ClientInfo {
        let id = util::random_lower_alnum(26);
        let secret = spec.generate_secret.then(|| util::random_lower_alnum(50));
        let client = Client {
            id: id.clone(),
            secret: secret.clone(),
            flows: spec.explicit_auth_flows,
            rotate: spec.rotate_refresh_tokens,
        };
        self.pool_mut(pool_id).clients.insert(id.clone(), client);
        self.client_pool.insert(id.clone(), pool_id.to_owned());
        ClientInfo { id, secret }
    }

    pub fn add_user(&mut self, pool_id: &str, spec: UserSpec) -> UserInfo {
        let pool = self.pool_mut(pool_id);
        let sub = uuid_v4();
        let (username, email) = if pool.spec.username_is_email {
            (
                sub.clone(),
                Some(spec.email.clone().unwrap_or_else(|| spec.username.clone())),
            )
        } else {
            (spec.username.clone(), spec.email.clone())
        };
        assert!(
            pool.users.iter().all(|u| u.username != username),
            "cognito-stub: user {username} already exists in {pool_id}"
        );
        let mut attributes = spec.attributes.clone();
        attributes.remove("email");
        let user = User {
            username: username.clone(),
            sub: sub.clone(),
            email: email.clone(),
            password: spec.password,
            temporary: spec.temporary,
            enabled: spec.enabled,
            mfa: spec.mfa,
            attributes,
            required_attributes: spec.required_attributes,
            sms_code: random_digits(6),
            email_code: random_digits(8),
            pending_totp: None,
            verified_totp: None,
            passkey: spec.passkey,
        };
        pool.users.push(user);
        UserInfo {
            username,
            email,
            sub,
        }
    }

    /// Finds a user by internal username, or by e-mail when the pool signs in by e-mail or has the e-mail alias.
    pub(crate) fn find_index(pool: &Pool, name: &str) -> Option<usize> {
        if let Some(i) = pool.users.iter().position(|u| u.username == name) {
            return Some(i);
        }
        if pool.spec.username_is_email || pool.spec.email_alias {
            return pool.users.iter().position(|u| {
                u.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(name))
            });
        }
        None
    }

    pub fn user_mut(&mut self, pool_id: &str, name_or_alias: &str) -> Option<&mut User> {
        let pool = self.pools.get_mut(pool_id)?;
        let i = Self::find_index(pool, name_or_alias)?;
        pool.users.get_mut(i)
    }

    pub fn user_state(&self, pool_id: &str, name_or_alias: &str) -> Option<UserState> {
        let pool = self.pools.get(pool_id)?;
        Self::find_index(pool, name_or_alias).map(|i| pool.users[i].state())
    }

    pub fn expire_sessions(&mut self) {
        self.expired_before = self.now() + 1;
        let keys: Vec<_> = self.srp_no_session.keys().cloned().collect();
        for k in keys {
            self.srp_no_session.remove(&k);
        }
    }

    pub fn revoke_user_tokens(&mut self, pool_id: &str, username: &str) {
        for r in self.refresh.values_mut() {
            if r.pool_id == pool_id && r.username == username {
                r.revoked = true;
                self.revoked_origins.insert(r.origin_jti.clone());
            }
        }
    }

    // ------------------------------------------------------------ tokens

    fn issuer(&self, pool_id: &str) -> String {
        let region = &self.pool(pool_id).spec.region;
        format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}")
    }

    /// Standard ID-token claims for `username` (internal name or alias; unknown users get a made-up `sub`).
    pub fn id_claims(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        auth_time: i64,
        origin_jti: &str,
    ) -> Map<String, Value> {
        let now = self.now();
        let pool = self.pool(pool_id);
        let user = Self::find_index(pool, username).map(|i| &pool.users[i]);
        let mut c = Map::new();
        c.insert(
            "sub".into(),
            json!(user.map_or_else(uuid_v4, |u| u.sub.clone())),
        );
        if let Some(u) = user {
            for (k, v) in &u.attributes {
                c.insert(k.clone(), json!(v));
            }
            if u.email.is_some() {
                c.insert("email_verified".into(), json!(true));
            }
        }
        c.insert("iss".into(), json!(self.issuer(pool_id)));
        c.insert(
            "cognito:username".into(),
            json!(user.map_or(username, |u| u.username.as_str())),
        );
        c.insert("origin_jti".into(), json!(origin_jti));
        c.insert("aud".into(), json!(client_id));
        c.insert("event_id".into(), json!(uuid_v4()));
        c.insert("token_use".into(), json!("id"));
        c.insert("auth_time".into(), json!(auth_time));
        c.insert("exp".into(), json!(now + pool.spec.access_ttl_secs));
        c.insert("iat".into(), json!(now));
        c.insert("jti".into(), json!(uuid_v4()));
        if let Some(e) = user.and_then(|u| u.email.as_ref()) {
            c.insert("email".into(), json!(e));
        }
        c
    }

    /// Standard access-token claims.
    pub fn access_claims(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        auth_time: i64,
        origin_jti: &str,
    ) -> Map<String, Value> {
        let now = self.now();
        let pool = self.pool(pool_id);
        let user = Self::find_index(pool, username).map(|i| &pool.users[i]);
        let mut c = Map::new();
        c.insert(
            "sub".into(),
            json!(user.map_or_else(uuid_v4, |u| u.sub.clone())),
        );
        c.insert("iss".into(), json!(self.issuer(pool_id)));
        c.insert("client_id".into(), json!(client_id));
        c.insert("origin_jti".into(), json!(origin_jti));
        c.insert("event_id".into(), json!(uuid_v4()));
        c.insert("token_use".into(), json!("access"));
        c.insert("scope".into(), json!("aws.cognito.signin.user.admin"));
        c.insert("auth_time".into(), json!(auth_time));
        c.insert("exp".into(), json!(now + pool.spec.access_ttl_secs));
        c.insert("iat".into(), json!(now));
        c.insert("jti".into(), json!(uuid_v4()));
        c.insert(
            "username".into(),
            json!(user.map_or(username, |u| u.username.as_str())),
        );
        c
    }

    /// Signs claims with the pool's ID-token or access-token key.
    pub fn sign(
        &self,
        pool_id: &str,
        key: KeyUse,
        header: &Map<String, Value>,
        claims: &Value,
    ) -> String {
        let kid = &self.pool(pool_id).kids[key as usize];
        tokens::sign(key, kid, header, claims)
    }

    pub fn jwks(&self, pool_id: &str) -> Option<Value> {
        self.pools.get(pool_id).map(|p| tokens::jwks(&p.kids))
    }

    /// Issues tokens; a refresh token too when `origin` is `None` (a fresh sign-in).
    fn issue_tokens(&mut self, ctx: &AuthCtx, origin: Option<String>) -> Value {
        let fresh = origin.is_none();
        let origin_jti = origin.unwrap_or_else(uuid_v4);
        let id = self.id_claims(
            &ctx.pool_id,
            &ctx.client_id,
            &ctx.username,
            ctx.auth_time,
            &origin_jti,
        );
        let access = self.access_claims(
            &ctx.pool_id,
            &ctx.client_id,
            &ctx.username,
            ctx.auth_time,
            &origin_jti,
        );
        let exp = access.get("exp").and_then(Value::as_i64).unwrap_or(0);
        let id_token = self.sign(&ctx.pool_id, KeyUse::Id, &Map::new(), &Value::Object(id));
        let access_token = self.sign(
            &ctx.pool_id,
            KeyUse::Access,
            &Map::new(),
            &Value::Object(access),
        );
        self.access.insert(
            access_token.clone(),
            AccessRec {
                pool_id: ctx.pool_id.clone(),
                username: ctx.username.clone(),
                exp,
                origin_jti: origin_jti.clone(),
            },
        );
        let mut result = Map::new();
        result.insert("AccessToken".into(), json!(access_token));
        if let Some(e) = self.pool(&ctx.pool_id).spec.expires_in {
            result.insert("ExpiresIn".into(), json!(e));
        }
        result.insert("IdToken".into(), json!(id_token));
        let device_key = if fresh {
            self.device_for_tokens(ctx, &mut result)
        } else {
            None
        };
        if fresh {
            let refresh = format!(
                "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.{}",
                opaque(600)
            );
            self.refresh.insert(
                refresh.clone(),
                RefreshRec {
                    pool_id: ctx.pool_id.clone(),
                    client_id: ctx.client_id.clone(),
                    username: ctx.username.clone(),
                    auth_time: ctx.auth_time,
                    origin_jti,
                    revoked: false,
                    device_key,
                    rotated_away: false,
                },
            );
            result.insert("RefreshToken".into(), json!(refresh));
        }
        result.insert("TokenType".into(), json!("Bearer"));
        json!({ "AuthenticationResult": result, "ChallengeParameters": {} })
    }

    // ------------------------------------------------------------ challenges

    fn user_of(&self, ctx: &AuthCtx) -> ApiResult<&User> {
        let pool = self.pools.get(&ctx.pool_id).ok_or_else(no_user)?;
        pool.users
            .iter()
            .find(|u| u.username == ctx.username)
            .ok_or_else(no_user)
    }

    fn new_session(&mut self, ctx: AuthCtx, kind: Kind) -> String {
        let session = opaque(480);
        let created = self.now();
        self.sessions
            .insert(session.clone(), Pending { ctx, kind, created });
        session
    }

    /// Issues a challenge (with a Session) for `kind`.
    fn challenge(&mut self, ctx: AuthCtx, kind: Kind) -> ApiResult {
        let user = self.user_of(&ctx)?;
        let mut params = Map::new();
        match &kind {
            Kind::NewPassword => {
                let attrs = user.visible_attributes();
                let required: Vec<String> = user
                    .required_attributes
                    .iter()
                    .filter(|a| !attrs.contains_key(*a))
                    .map(|a| format!("userAttributes.{a}"))
                    .collect();
                params.insert("requiredAttributes".into(), json!(json_string(&required)));
                params.insert("userAttributes".into(), json!(json_string(&attrs)));
            }
            Kind::Sms => {
                params.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), json!("SMS"));
                params.insert("CODE_DELIVERY_DESTINATION".into(), json!("+*******0100"));
            }
            Kind::Email => {
                params.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), json!("EMAIL"));
                params.insert(
                    "CODE_DELIVERY_DESTINATION".into(),
                    json!(mask_email(user.email.as_deref().unwrap_or(""))),
                );
            }
            Kind::Select(opts) => {
                let names: Vec<&str> = opts.iter().filter_map(mfa_name).collect();
                params.insert("MFAS_CAN_CHOOSE".into(), json!(json_string(&names)));
            }
            Kind::MfaSetup { .. } => {
                params.insert(
                    "MFAS_CAN_SETUP".into(),
                    json!(json_string(&["SOFTWARE_TOKEN_MFA"])),
                );
            }
            Kind::SoftwareToken { .. }
            | Kind::PasswordVerifier(_)
            | Kind::Device(_)
            | Kind::UserAuth(_) => {}
        }
        params.insert("USER_ID_FOR_SRP".into(), json!(ctx.username));
        let name = kind.name();
        let session = self.new_session(ctx, kind);
        Ok(json!({ "ChallengeName": name, "ChallengeParameters": params, "Session": session }))
    }

    /// After the password (or SRP proof) checked out.
    fn after_primary(&mut self, ctx: AuthCtx) -> ApiResult {
        if self.user_of(&ctx)?.temporary {
            return self.challenge(ctx, Kind::NewPassword);
        }
        self.mfa_step(ctx)
    }

    /// After the password is settled: MFA per the user's settings, else tokens.
    fn mfa_step(&mut self, ctx: AuthCtx) -> ApiResult {
        if let Some(device_challenge) = self.device_challenge(&ctx)? {
            return Ok(device_challenge);
        }
        match self.user_of(&ctx)?.mfa.clone() {
            Mfa::None => Ok(self.issue_tokens(&ctx, None)),
            Mfa::Totp { secret_base32 } => self.challenge(
                ctx,
                Kind::SoftwareToken {
                    secret: secret_base32,
                },
            ),
            Mfa::Sms => self.challenge(ctx, Kind::Sms),
            Mfa::Email => self.challenge(ctx, Kind::Email),
            Mfa::Choose(opts) => {
                let opts: Vec<Mfa> = opts.into_iter().filter(|m| mfa_name(m).is_some()).collect();
                self.challenge(ctx, Kind::Select(opts))
            }
            Mfa::SetupTotp => self.challenge(
                ctx,
                Kind::MfaSetup {
                    secret: None,
                    verified: false,
                },
            ),
        }
    }

    /// The pending challenge for `session`; errors as Cognito's for unknown, used and expired sessions.
    fn pending(&self, session: &str) -> ApiResult<Pending> {
        if self.used_sessions.contains(session) {
            return Err(not_authorized(
                "Invalid session for the user, session can only be used once.",
            ));
        }
        let p = self
            .sessions
            .get(session)
            .ok_or_else(|| not_authorized("Invalid session for the user."))?;
        if p.created < self.expired_before || self.now() - p.created > SESSION_TTL_SECS {
            return Err(not_authorized(
                "Invalid session for the user, session is expired.",
            ));
        }
        Ok(p.clone())
    }

    fn consume(&mut self, session: Option<&str>, ctx: &AuthCtx) {
        match session {
            Some(s) => {
                self.sessions.remove(s);
                self.used_sessions.insert(s.to_owned());
            }
            None => {
                self.srp_no_session
                    .remove(&(ctx.client_id.clone(), ctx.username.clone()));
            }
        }
    }

    // ------------------------------------------------------------ dispatch

    /// Runs one operation. `op` is the part of `X-Amz-Target` after the service prefix.
    pub fn dispatch(
        &mut self,
        op: &str,
        body: &Map<String, Value>,
        authorization: Option<&str>,
    ) -> ApiResult {
        let inp = Input(body);
        if self.ua.unknown_ops.iter().any(|o| o == op) {
            return Err(err(
                "UnknownOperationException",
                format!("cognito-stub was told not to know {op}"),
            ));
        }
        match op {
            "InitiateAuth" => self.initiate(&inp, false, authorization),
            "AdminInitiateAuth" => self.initiate(&inp, true, authorization),
            "RespondToAuthChallenge" => self.respond(&inp, false, authorization),
            "AdminRespondToAuthChallenge" => self.respond(&inp, true, authorization),
            "AssociateSoftwareToken" => self.associate(&inp),
            "VerifySoftwareToken" => self.verify_software_token(&inp),
            "RevokeToken" => self.revoke(&inp),
            "GetTokensFromRefreshToken" => self.get_tokens_from_refresh_token(&inp),
            "GetUser" => self.get_user(&inp),
            "ConfirmDevice" | "UpdateDeviceStatus" | "ForgetDevice" => self.device_op(op, &inp),
            other => Err(err(
                "UnknownOperationException",
                format!("cognito-stub does not implement {other}"),
            )),
        }
    }

    fn client(&self, client_id: &str) -> ApiResult<(String, Client)> {
        let nf = || {
            err(
                "ResourceNotFoundException",
                format!("User pool client {client_id} does not exist."),
            )
        };
        let pool_id = self.client_pool.get(client_id).ok_or_else(nf)?;
        let client = self
            .pools
            .get(pool_id)
            .and_then(|p| p.clients.get(client_id))
            .ok_or_else(nf)?;
        Ok((pool_id.clone(), client.clone()))
    }

    /// For admin calls: checks SigV4 presence/scope and that `UserPoolId` exists and owns the client.
    /// The app client a request names. For the admin APIs the pool checks
    /// come first, even when the client is unknown.
    fn request_client(
        &self,
        inp: &Input<'_>,
        admin: bool,
        authorization: Option<&str>,
        client_id: &str,
    ) -> ApiResult<(String, Client)> {
        let looked_up = self.client(client_id);
        if admin {
            self.admin_pool(
                inp,
                authorization,
                looked_up.as_ref().ok().map(|(p, _)| p.as_str()),
                client_id,
            )?;
        }
        looked_up
    }

    fn admin_pool(
        &self,
        inp: &Input<'_>,
        authorization: Option<&str>,
        client_pool: Option<&str>,
        client_id: &str,
    ) -> ApiResult<()> {
        check_sigv4(authorization, None)?;
        let pool_id = inp.req_str("UserPoolId")?;
        let pool = self.pools.get(pool_id).ok_or_else(|| {
            err(
                "ResourceNotFoundException",
                format!("User pool {pool_id} does not exist."),
            )
        })?;
        check_sigv4(authorization, Some(&pool.spec.region))?;
        if client_pool != Some(pool_id) {
            return Err(err(
                "ResourceNotFoundException",
                format!("User pool client {client_id} does not exist."),
            ));
        }
        Ok(())
    }

    fn initiate(&mut self, inp: &Input<'_>, admin: bool, authorization: Option<&str>) -> ApiResult {
        if admin {
            check_sigv4(authorization, None)?;
        }
        let flow = inp.req_str("AuthFlow")?;
        let client_id = inp.req_str("ClientId")?;
        let params = inp.map("AuthParameters")?;
        inp.map("ClientMetadata")?;
        check_enum(flow, "authFlow", &AUTH_FLOWS)?;
        let (pool_id, client) = self.request_client(inp, admin, authorization, client_id)?;
        let enabled = |f: &str| {
            if flow_enabled(&client, f) {
                Ok(())
            } else {
                Err(invalid(format!("{flow} flow not enabled for this client")))
            }
        };
        match (admin, flow) {
            (false, "USER_PASSWORD_AUTH") => {
                enabled("USER_PASSWORD_AUTH")?;
                self.password_auth(&pool_id, &client, &params, admin)
            }
            (true, "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH") => {
                enabled("ADMIN_USER_PASSWORD_AUTH")?;
                self.password_auth(&pool_id, &client, &params, admin)
            }
            (_, "USER_SRP_AUTH") => {
                enabled("USER_SRP_AUTH")?;
                self.srp_auth(&pool_id, &client, &params, admin)
            }
            (_, "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN") => {
                enabled("REFRESH_TOKEN_AUTH")?;
                self.refresh_auth(&pool_id, &client, &params, admin)
            }
            (false, "USER_AUTH") => {
                enabled("USER_AUTH")?;
                self.user_auth(&pool_id, &client, &params)
            }
            (_, "CUSTOM_AUTH" | "USER_AUTH") => {
                Err(invalid(format!("{flow} flow not enabled for this client")))
            }
            _ => Err(invalid("Initiate Auth method not supported.")),
        }
    }

    fn password_auth(
        &mut self,
        pool_id: &str,
        client: &Client,
        params: &BTreeMap<String, String>,
        admin: bool,
    ) -> ApiResult {
        let typed = params
            .get("USERNAME")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("USERNAME"))?;
        let password = params.get("PASSWORD").ok_or_else(|| missing("PASSWORD"))?;
        check_secret_hash(client, params.get("SECRET_HASH"), typed)?;
        let pool = self.pool(pool_id);
        let i = Self::find_index(pool, typed).ok_or_else(no_user)?;
        let user = &pool.users[i];
        if user.password != *password {
            return Err(bad_credentials());
        }
        if !user.enabled {
            return Err(not_authorized("User is disabled."));
        }
        let ctx = AuthCtx {
            pool_id: pool_id.to_owned(),
            client_id: client.id.clone(),
            username: user.username.clone(),
            admin,
            auth_time: self.now(),
            device_key: params.get("DEVICE_KEY").cloned(),
        };
        self.after_primary(ctx)
    }

    fn srp_auth(
        &mut self,
        pool_id: &str,
        client: &Client,
        params: &BTreeMap<String, String>,
        admin: bool,
    ) -> ApiResult {
        let typed = params
            .get("USERNAME")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("USERNAME"))?;
        let srp_a = params.get("SRP_A").ok_or_else(|| missing("SRP_A"))?;
        check_secret_hash(client, params.get("SECRET_HASH"), typed)?;
        let pool = self.pool(pool_id);
        let i = Self::find_index(pool, typed).ok_or_else(no_user)?;
        let user = &pool.users[i];
        let verifier = srp::make_verifier(pool_id, &user.username, &user.password);
        let ch =
            srp::start(&verifier, srp_a).map_err(|e| invalid(format!("Invalid SRP_A: {e}")))?;
        let ctx = AuthCtx {
            pool_id: pool_id.to_owned(),
            client_id: client.id.clone(),
            username: user.username.clone(),
            admin,
            auth_time: self.now(),
            device_key: params.get("DEVICE_KEY").cloned(),
        };
        let mut cp = Map::new();
        cp.insert("SALT".into(), json!(ch.salt_hex));
        cp.insert("SECRET_BLOCK".into(), json!(ch.secret_block_b64));
        cp.insert("SRP_B".into(), json!(ch.srp_b_hex));
        cp.insert("USERNAME".into(), json!(ctx.username));
        cp.insert("USER_ID_FOR_SRP".into(), json!(ctx.username));
        let mut out = json!({ "ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": cp });
        if self.pool(pool_id).spec.srp_session {
            let session = self.new_session(ctx, Kind::PasswordVerifier(ch));
            out["Session"] = json!(session);
        } else {
            let created = self.now();
            self.srp_no_session.insert(
                (client.id.clone(), ctx.username.clone()),
                Pending {
                    ctx,
                    kind: Kind::PasswordVerifier(ch),
                    created,
                },
            );
        }
        Ok(out)
    }

    fn refresh_auth(
        &mut self,
        pool_id: &str,
        client: &Client,
        params: &BTreeMap<String, String>,
        admin: bool,
    ) -> ApiResult {
        let token = params
            .get("REFRESH_TOKEN")
            .ok_or_else(|| missing("REFRESH_TOKEN"))?;
        if client.secret.is_some() && !params.contains_key("SECRET_HASH") {
            check_secret_hash(client, None, "")?;
        }
        if client.rotate {
            return Err(not_authorized(
                "REFRESH_TOKEN_AUTH is not allowed for an app client with refresh token rotation: use GetTokensFromRefreshToken",
            ));
        }
        let invalid_token = || not_authorized("Invalid Refresh Token");
        let rec = self.refresh.get(token).cloned().ok_or_else(invalid_token)?;
        if rec.client_id != client.id || rec.pool_id != pool_id {
            return Err(invalid_token());
        }
        if rec.revoked {
            return Err(not_authorized("Refresh Token has been revoked"));
        }
        check_secret_hash(client, params.get("SECRET_HASH"), &rec.username)?;
        self.check_refresh_device(
            &rec.pool_id,
            rec.device_key.as_deref(),
            params.get("DEVICE_KEY"),
        )?;
        let pool = self.pool(pool_id);
        let user = pool
            .users
            .iter()
            .find(|u| u.username == rec.username)
            .ok_or_else(no_user)?;
        if !user.enabled {
            return Err(not_authorized("User is disabled."));
        }
        let ctx = AuthCtx {
            pool_id: pool_id.to_owned(),
            client_id: client.id.clone(),
            username: rec.username.clone(),
            admin,
            auth_time: rec.auth_time,
            device_key: rec.device_key.clone(),
        };
        Ok(self.issue_tokens(&ctx, Some(rec.origin_jti)))
    }

    fn respond(&mut self, inp: &Input<'_>, admin: bool, authorization: Option<&str>) -> ApiResult {
        if admin {
            check_sigv4(authorization, None)?;
        }
        let client_id = inp.req_str("ClientId")?;
        let name = inp.req_str("ChallengeName")?;
        let responses = inp.map("ChallengeResponses")?;
        let session = inp.opt_str("Session")?;
        inp.map("ClientMetadata")?;
        check_enum(name, "challengeName", &CHALLENGE_NAMES)?;
        let (pool_id, client) = self.request_client(inp, admin, authorization, client_id)?;
        let given_name = responses
            .get("USERNAME")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("USERNAME"))?;

        // Find the pending challenge.
        let pending = match session {
            Some(s) => self.pending(s)?,
            None => {
                let pool = self.pool(&pool_id);
                let internal =
                    Self::find_index(pool, given_name).map(|i| pool.users[i].username.clone());
                internal
                    .and_then(|u| self.srp_no_session.get(&(client_id.to_owned(), u)).cloned())
                    .filter(|p| {
                        name == "PASSWORD_VERIFIER"
                            && p.created >= self.expired_before
                            && self.now() - p.created <= SESSION_TTL_SECS
                    })
                    .ok_or_else(|| not_authorized("Invalid session for the user."))?
            }
        };
        let ctx = pending.ctx.clone();
        if ctx.client_id != client.id || ctx.pool_id != pool_id || ctx.admin != admin {
            return Err(not_authorized("Invalid session for the user."));
        }
        if pending.kind.name() != name {
            return Err(invalid(format!(
                "Invalid challenge name {name}: this session expects a response to {}",
                pending.kind.name()
            )));
        }
        // USERNAME must be this session's user; the hash is over the internal username.
        let pool = self.pool(&pool_id);
        let i = Self::find_index(pool, given_name).ok_or_else(no_user)?;
        if pool.users[i].username != ctx.username {
            return Err(not_authorized("Invalid session for the user."));
        }
        check_secret_hash(&client, responses.get("SECRET_HASH"), &ctx.username)?;
        if *given_name != ctx.username {
            return Err(invalid(format!(
                "USERNAME in ChallengeResponses must be the user's internal username (USER_ID_FOR_SRP = {}), not an alias",
                ctx.username
            )));
        }
        let now = self.now();
        let get = |k: &str| responses.get(k).ok_or_else(|| missing(k));

        match pending.kind {
            Kind::PasswordVerifier(ch) => {
                let ts = get("TIMESTAMP")?;
                let block = get("PASSWORD_CLAIM_SECRET_BLOCK")?;
                let sig = get("PASSWORD_CLAIM_SIGNATURE")?;
                let t = util::parse_srp_timestamp(ts).map_err(invalid)?;
                if (t - now).abs() > TIMESTAMP_SKEW_SECS {
                    return Err(not_authorized(format!(
                        "TIMESTAMP {ts:?} is more than 5 minutes from the server's clock"
                    )));
                }
                if *block != ch.secret_block_b64 {
                    self.consume(session, &ctx);
                    return Err(bad_credentials());
                }
                if !srp::check(&ch, &pool_id, &ctx.username, ts, sig) {
                    self.consume(session, &ctx);
                    return Err(bad_credentials());
                }
                self.consume(session, &ctx);
                if !self.user_of(&ctx)?.enabled {
                    return Err(not_authorized("User is disabled."));
                }
                let ctx = AuthCtx {
                    auth_time: now,
                    ..ctx
                };
                self.after_primary(ctx)
            }
            Kind::NewPassword => {
                let new_password = get("NEW_PASSWORD")?;
                let username_is_email = self.pool(&pool_id).spec.username_is_email;
                let user = self.user_of(&ctx)?;
                let mut attrs = BTreeMap::new();
                for (k, v) in &responses {
                    if let Some(a) = k.strip_prefix("userAttributes.") {
                        if UNWRITABLE.contains(&a) {
                            return Err(not_authorized(
                                "A client attempted to write unauthorized attribute",
                            ));
                        }
                        if a == "email" && username_is_email {
                            return Err(invalid("Cannot modify an already provided email"));
                        }
                        attrs.insert(a.to_owned(), v.clone());
                    }
                }
                let current = user.visible_attributes();
                for req in &user.required_attributes {
                    let answered = attrs.get(req).is_some_and(|v| !v.is_empty());
                    if !answered && !current.contains_key(req) {
                        return Err(invalid(format!(
                            "Missing required attribute userAttributes.{req}"
                        )));
                    }
                }
                if let Some(why) = policy_violation(&self.pool(&pool_id).spec, new_password) {
                    return Err(err(
                        "InvalidPasswordException",
                        format!("Password does not conform to policy: {why}"),
                    ));
                }
                let user = self.user_mut(&pool_id, &ctx.username).ok_or_else(no_user)?;
                user.password = new_password.clone();
                user.temporary = false;
                for (k, v) in attrs {
                    if k == "email" {
                        user.email = Some(v);
                    } else {
                        user.attributes.insert(k, v);
                    }
                }
                self.consume(session, &ctx);
                self.mfa_step(ctx)
            }
            Kind::SoftwareToken { secret } => {
                let code = get("SOFTWARE_TOKEN_MFA_CODE")?;
                self.consume(session, &ctx);
                if !totp::verify(&secret, code, now) {
                    return Err(err(
                        "CodeMismatchException",
                        "Invalid code received for user",
                    ));
                }
                Ok(self.issue_tokens(&ctx, None))
            }
            Kind::Sms | Kind::Email => {
                let (field, expected) = if matches!(pending.kind, Kind::Sms) {
                    ("SMS_MFA_CODE", self.user_of(&ctx)?.sms_code.clone())
                } else {
                    ("EMAIL_OTP_CODE", self.user_of(&ctx)?.email_code.clone())
                };
                let code = get(field)?;
                self.consume(session, &ctx);
                if *code != expected {
                    return Err(err(
                        "CodeMismatchException",
                        "Invalid code received for user",
                    ));
                }
                Ok(self.issue_tokens(&ctx, None))
            }
            Kind::Select(opts) => {
                let answer = get("ANSWER")?;
                let chosen = opts
                    .iter()
                    .find(|m| mfa_name(m) == Some(answer.as_str()))
                    .cloned()
                    .ok_or_else(|| {
                        invalid(format!("ANSWER {answer} is not one of MFAS_CAN_CHOOSE"))
                    })?;
                self.consume(session, &ctx);
                let kind = match chosen {
                    Mfa::Totp { secret_base32 } => Kind::SoftwareToken {
                        secret: secret_base32,
                    },
                    Mfa::Sms => Kind::Sms,
                    _ => Kind::Email,
                };
                self.challenge(ctx, kind)
            }
            Kind::Device(step) => self.device_respond(step, session, ctx, &responses),
            Kind::UserAuth(k) => self.respond_user_auth(k, ctx, session, &responses),
            Kind::MfaSetup { secret, verified } => {
                let (Some(secret), true) = (secret, verified) else {
                    return Err(invalid(
                        "Software token MFA has not been associated and verified for this session (AssociateSoftwareToken, VerifySoftwareToken)",
                    ));
                };
                self.consume(session, &ctx);
                let user = self.user_mut(&pool_id, &ctx.username).ok_or_else(no_user)?;
                user.mfa = Mfa::Totp {
                    secret_base32: secret,
                };
                Ok(self.issue_tokens(&ctx, None))
            }
        }
    }

    /// The user an access token belongs to, as Cognito checks it for `GetUser` & co.
    fn access_user(&self, token: &str) -> ApiResult<(String, String)> {
        let rec = self
            .access
            .get(token)
            .ok_or_else(|| not_authorized("Invalid Access Token"))?;
        if self.revoked_origins.contains(&rec.origin_jti) {
            return Err(not_authorized("Access Token has been revoked"));
        }
        if self.now() >= rec.exp {
            return Err(not_authorized("Access Token has expired"));
        }
        Ok((rec.pool_id.clone(), rec.username.clone()))
    }

    fn associate(&mut self, inp: &Input<'_>) -> ApiResult {
        let session = inp.opt_str("Session")?;
        let access = inp.opt_str("AccessToken")?;
        let secret = totp::base32_encode(&util::random_bytes(32));
        match (session, access) {
            (Some(s), None) => {
                let p = self.pending(s)?;
                if !matches!(p.kind, Kind::MfaSetup { .. }) {
                    return Err(not_authorized("Invalid session for the user."));
                }
                self.consume(Some(s), &p.ctx);
                let session = self.new_session(
                    p.ctx,
                    Kind::MfaSetup {
                        secret: Some(secret.clone()),
                        verified: false,
                    },
                );
                Ok(json!({ "SecretCode": secret, "Session": session }))
            }
            (None, Some(a)) => {
                let (pool_id, username) = self.access_user(a)?;
                let user = self.user_mut(&pool_id, &username).ok_or_else(no_user)?;
                user.pending_totp = Some(secret.clone());
                Ok(json!({ "SecretCode": secret }))
            }
            _ => Err(invalid(
                "Exactly one of AccessToken and Session is required",
            )),
        }
    }

    fn verify_software_token(&mut self, inp: &Input<'_>) -> ApiResult {
        let session = inp.opt_str("Session")?;
        let access = inp.opt_str("AccessToken")?;
        let code = inp.req_str("UserCode")?;
        inp.opt_str("FriendlyDeviceName")?;
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(format!(
                "1 validation error detected: Value '{code}' at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+ and have length 6"
            )));
        }
        let now = self.now();
        let mismatch = || err("EnableSoftwareTokenMFAException", "Code mismatch");
        match (session, access) {
            (Some(s), None) => {
                let p = self.pending(s)?;
                let Kind::MfaSetup {
                    secret: Some(secret),
                    ..
                } = p.kind.clone()
                else {
                    return Err(not_authorized("Invalid session for the user."));
                };
                self.consume(Some(s), &p.ctx);
                if !totp::verify(&secret, code, now) {
                    return Err(mismatch());
                }
                let session = self.new_session(
                    p.ctx,
                    Kind::MfaSetup {
                        secret: Some(secret),
                        verified: true,
                    },
                );
                Ok(json!({ "Status": "SUCCESS", "Session": session }))
            }
            (None, Some(a)) => {
                let (pool_id, username) = self.access_user(a)?;
                let user = self.user_mut(&pool_id, &username).ok_or_else(no_user)?;
                let secret = user
                    .pending_totp
                    .clone()
                    .ok_or_else(|| invalid("No software token has been associated"))?;
                if !totp::verify(&secret, code, now) {
                    return Err(mismatch());
                }
                user.verified_totp = Some(secret);
                user.pending_totp = None;
                Ok(json!({ "Status": "SUCCESS" }))
            }
            _ => Err(invalid(
                "Exactly one of AccessToken and Session is required",
            )),
        }
    }

    fn revoke(&mut self, inp: &Input<'_>) -> ApiResult {
        let token = inp.req_str("Token")?;
        let client_id = inp.req_str("ClientId")?;
        let given_secret = inp.opt_str("ClientSecret")?;
        let (_, client) = self.client(client_id)?;
        check_client_secret(&client, client_id, given_secret)?;
        let Some(rec) = self.refresh.get_mut(token) else {
            if tokens::peek_claims(token).is_some() {
                return Err(err(
                    "UnsupportedTokenTypeException",
                    "Unsupported token type: RevokeToken takes a refresh token",
                ));
            }
            return Err(not_authorized("Invalid token"));
        };
        if rec.client_id != client_id {
            return Err(not_authorized("Invalid token"));
        }
        rec.revoked = true;
        let origin = rec.origin_jti.clone();
        self.revoked_origins.insert(origin);
        Ok(json!({}))
    }

    fn get_user(&mut self, inp: &Input<'_>) -> ApiResult {
        let token = inp.req_str("AccessToken")?;
        let (pool_id, username) = self.access_user(token)?;
        let pool = self.pool(&pool_id);
        let user = pool
            .users
            .iter()
            .find(|u| u.username == username)
            .ok_or_else(no_user)?;
        let mut attrs = vec![json!({"Name": "sub", "Value": user.sub})];
        for (k, v) in user.visible_attributes() {
            attrs.push(json!({"Name": k, "Value": v}));
        }
        let mut out = json!({ "Username": user.username, "UserAttributes": attrs });
        if let Some(n) = mfa_name(&user.mfa) {
            out["PreferredMfaSetting"] = json!(n);
            out["UserMFASettingList"] = json!([n]);
        }
        Ok(out)
    }
}

/// `RevokeToken` and `GetTokensFromRefreshToken` take the client secret
/// itself (`ClientSecret`, no hash): required for a client with a secret,
/// refused for one without.
pub(super) fn check_client_secret(
    client: &Client,
    client_id: &str,
    given: Option<&str>,
) -> ApiResult<()> {
    match (&client.secret, given) {
        (Some(_), None) => Err(not_authorized(format!(
            "Client {client_id} is configured with secret but ClientSecret was not received"
        ))),
        (Some(s), Some(g)) if s != g => Err(not_authorized("Client secret is incorrect")),
        (None, Some(_)) => Err(not_authorized(format!(
            "Client {client_id} has no secret but ClientSecret was received"
        ))),
        _ => Ok(()),
    }
}

//! What the stub keeps: pools, app clients, users, pending challenges
//! (`Session`s), refresh and access tokens, all in one [`State`] under the
//! stub's mutex.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::devices;
use super::user_auth::{UaKind, UaState};
use crate::srp;
use crate::{Fault, Mfa, PoolSpec, RecordedRequest, UserState};

#[derive(Debug)]
pub(crate) struct Pool {
    #[allow(dead_code)]
    pub(crate) id: String,
    pub(crate) spec: PoolSpec,
    /// Key ids: ID-token key, access-token key.
    pub(crate) kids: [String; 2],
    pub(crate) clients: BTreeMap<String, Client>,
    pub(crate) users: Vec<User>,
}

#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub(crate) id: String,
    pub(crate) secret: Option<String>,
    pub(crate) flows: Vec<String>,
    /// Refresh-token rotation (see `rotation.rs`).
    pub(crate) rotate: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) username: String,
    pub(crate) sub: String,
    pub(crate) email: Option<String>,
    pub(crate) password: String,
    pub(crate) temporary: bool,
    pub(crate) enabled: bool,
    pub(crate) mfa: Mfa,
    pub(crate) attributes: BTreeMap<String, String>,
    pub(crate) required_attributes: Vec<String>,
    pub(crate) sms_code: String,
    pub(crate) email_code: String,
    /// Secret from `AssociateSoftwareToken {AccessToken}` awaiting verification.
    pub(crate) pending_totp: Option<String>,
    /// Secret verified through `VerifySoftwareToken {AccessToken}`.
    pub(crate) verified_totp: Option<String>,
    /// Has a passkey (`WEB_AUTHN` is offered).
    pub(crate) passkey: bool,
}

impl User {
    /// Attributes as `GetUser` / `userAttributes` show them (no `sub`).
    pub(super) fn visible_attributes(&self) -> BTreeMap<String, String> {
        let mut m = self.attributes.clone();
        if let Some(e) = &self.email {
            m.insert("email".into(), e.clone());
            m.insert("email_verified".into(), "true".into());
        }
        m
    }

    pub(super) fn state(&self) -> UserState {
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
pub(super) struct AuthCtx {
    pub(super) pool_id: String,
    pub(super) client_id: String,
    /// Internal username.
    pub(super) username: String,
    pub(super) admin: bool,
    pub(super) auth_time: i64,
    /// `DEVICE_KEY` of the sign-in, if any.
    pub(super) device_key: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) enum Kind {
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
    pub(super) fn name(&self) -> &'static str {
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
pub(super) struct Pending {
    pub(super) ctx: AuthCtx,
    pub(super) kind: Kind,
    pub(super) created: i64,
}

#[derive(Debug, Clone)]
pub(super) struct RefreshRec {
    pub(super) pool_id: String,
    pub(super) client_id: String,
    pub(super) username: String,
    pub(super) auth_time: i64,
    pub(super) origin_jti: String,
    pub(super) revoked: bool,
    /// The device the sign-in used or was offered.
    pub(super) device_key: Option<String>,
    /// Replaced by a rotation: using it is `RefreshTokenReuseException`.
    pub(super) rotated_away: bool,
}

#[derive(Debug, Clone)]
pub(super) struct AccessRec {
    pub(super) pool_id: String,
    pub(super) username: String,
    pub(super) exp: i64,
    pub(super) origin_jti: String,
}

/// Everything the stub knows; guarded by one mutex.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) pools: BTreeMap<String, Pool>,
    /// client id → pool id
    pub(super) client_pool: HashMap<String, String>,
    pub(super) sessions: HashMap<String, Pending>,
    pub(super) used_sessions: HashSet<String>,
    pub(super) expired_before: i64,
    /// PASSWORD_VERIFIER state when the pool issues no Session: (client id, internal username).
    pub(super) srp_no_session: HashMap<(String, String), Pending>,
    pub(super) refresh: HashMap<String, RefreshRec>,
    pub(super) access: HashMap<String, AccessRec>,
    pub(super) revoked_origins: HashSet<String>,
    pub(crate) requests: Vec<RecordedRequest>,
    pub(crate) fault: Option<Fault>,
    pub(crate) time_offset: i64,
    /// The OAuth 2.0 side (`/oauth2/*`, the login page): see `crate::oauth`.
    pub(crate) oauth: crate::oauth::OAuthState,
    pub(super) devices: devices::Devices,
    /// `USER_AUTH` codes and unknown operations (`user_auth.rs`).
    pub(crate) ua: UaState,
}

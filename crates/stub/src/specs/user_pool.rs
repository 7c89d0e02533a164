//! What a test asks the stub to create in a user pool: pools
//! ([`PoolSpec`], with [`DeviceTracking`]), app clients ([`ClientSpec`])
//! and users ([`UserSpec`], with [`Mfa`] and [`UserGroup`]s).

use std::collections::BTreeMap;

use super::custom_auth::{CustomAuthScript, CustomAuthTriggers};

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
    /// The custom-auth Lambda triggers (`LambdaConfig`): none by default.
    pub custom_auth: CustomAuthTriggers,
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
            custom_auth: CustomAuthTriggers::default(),
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
    /// `ALLOW_ADMIN_USER_PASSWORD_AUTH`, `ALLOW_USER_AUTH`, `ALLOW_CUSTOM_AUTH`
    /// (legacy names without `ALLOW_` work too).
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
    /// `SMS_MFA`; the code is [`UserState::sms_code`](crate::UserState::sms_code).
    Sms,
    /// `EMAIL_OTP`; the code is [`UserState::email_code`](crate::UserState::email_code).
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
    /// The user's groups: their names go into the ID token's
    /// `cognito:groups`, their IAM roles into `cognito:roles` and
    /// `cognito:preferred_role` (what an identity pool that takes roles from
    /// the token reads).
    pub groups: Vec<UserGroup>,
    /// What the pool's custom-auth Lambdas do for this user (`CUSTOM_AUTH`);
    /// `None`: they fail every custom sign-in of the user.
    pub custom_auth: Option<CustomAuthScript>,
}

/// A user-pool group the user belongs to (`CreateGroup`, `AdminAddUserToGroup`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserGroup {
    /// `GroupName`.
    pub name: String,
    /// `RoleArn`: the IAM role the group grants.
    pub role_arn: Option<String>,
    /// `Precedence`: the lower, the more preferred.
    pub precedence: Option<u32>,
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
            groups: Vec::new(),
            custom_auth: None,
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

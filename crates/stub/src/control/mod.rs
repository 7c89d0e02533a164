//! The test's controls over a running stub, the top of the crate: create
//! pools, clients and users, read users and recorded requests, inject
//! faults, change users, expire sessions, shift the clock (here); devices
//! (`devices.rs`), the OAuth side (`oauth.rs`), identity pools and roles
//! (`identity.rs`), tokens made on demand (`signing.rs`) and a scripted
//! browser (`browser.rs`).

mod browser;
mod devices;
mod identity;
mod oauth;
mod signing;

pub use browser::{HttpResponse, http_get, http_post_form};

use crate::state::User;
use crate::{
    ClientInfo, ClientSpec, CustomAuthScript, CustomAuthTriggers, Fault, Mfa, PoolSpec,
    RecordedRequest, Stub, TriggerInvocation, UserInfo, UserSpec, UserState,
};

impl Stub {
    /// Creates a user pool; returns its id.
    pub fn add_pool(&self, pool: PoolSpec) -> String {
        self.shared.lock().dir.add_pool(pool)
    }

    /// Creates an app client in the pool. Panics if the pool does not exist.
    pub fn add_client(&self, pool_id: &str, client: ClientSpec) -> ClientInfo {
        self.shared.lock().dir.add_client(pool_id, client)
    }

    /// Creates a user. Panics if the pool does not exist or the username is taken.
    pub fn add_user(&self, pool_id: &str, user: UserSpec) -> UserInfo {
        self.shared.lock().dir.add_user(pool_id, user)
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
        self.shared.lock().dir.user_state(pool_id, name_or_alias)
    }

    fn with_user(&self, pool_id: &str, name_or_alias: &str, f: impl FnOnce(&mut User)) {
        let mut st = self.shared.lock();
        let user = st
            .dir
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

    /// Changes what the pool's custom-auth Lambdas do for a user.
    pub fn set_user_custom_auth(
        &self,
        pool_id: &str,
        name_or_alias: &str,
        script: Option<CustomAuthScript>,
    ) {
        self.with_user(pool_id, name_or_alias, |u| u.custom_auth = script);
    }

    /// Changes the pool's custom-auth triggers (`UpdateUserPool`
    /// `LambdaConfig`), e.g. to make one fail mid sign-in. Panics if the
    /// pool does not exist.
    pub fn set_custom_auth_triggers(&self, pool_id: &str, triggers: CustomAuthTriggers) {
        self.shared.lock().dir.pool_mut(pool_id).spec.custom_auth = triggers;
    }

    /// Every custom-auth trigger invocation so far, in order, as the
    /// Lambdas saw them (`ClientMetadata`, `session`).
    pub fn trigger_invocations(&self) -> Vec<TriggerInvocation> {
        self.shared.lock().api.invocations.clone()
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
            .dir
            .user(pool_id, username)
            .map(|u| u.username.clone())
            .unwrap_or_else(|| username.to_owned());
        st.api.issued.revoke_user(pool_id, &internal);
    }

    /// The one-time code (`EMAIL_OTP`/`SMS_OTP` of `USER_AUTH`) last sent to
    /// a user and not yet used, as the user would read it in their mail.
    pub fn otp_code(&self, pool_id: &str, name_or_alias: &str) -> Option<String> {
        let st = self.shared.lock();
        let user = st.dir.user(pool_id, name_or_alias)?;
        st.api.codes.last(pool_id, &user.username)
    }

    /// Fixes the one-time codes sent to a user from now on (`None`: random
    /// again), for tests that must give the code before it is sent. Each
    /// code is still single-use. Panics if there is no such user.
    pub fn set_otp_code(&self, pool_id: &str, name_or_alias: &str, code: Option<&str>) {
        let mut st = self.shared.lock();
        let internal = st
            .dir
            .user(pool_id, name_or_alias)
            .map(|u| u.username.clone())
            .unwrap_or_else(|| panic!("cognito-stub: no user {name_or_alias} in {pool_id}"));
        st.api
            .codes
            .pin(pool_id, &internal, code.map(str::to_owned));
    }

    /// Answers the JSON operation `op` (e.g. `GetTokensFromRefreshToken`,
    /// `GetId`) with `UnknownOperationException` from now on, as a service
    /// without it would.
    pub fn forget_operation(&self, op: &str) {
        self.shared.lock().unknown_ops.push(op.to_owned());
    }

    /// Makes every challenge `Session` issued so far expired.
    pub fn expire_sessions(&self) {
        let mut st = self.shared.lock();
        let now = st.dir.now();
        st.api.sessions.expire_all(now);
    }

    /// Shifts the stub's clock by `secs` (token `iat`/`exp`, TOTP, the SRP
    /// `TIMESTAMP` window, session expiry).
    pub fn set_time_offset(&self, secs: i64) {
        self.shared.lock().dir.time_offset = secs;
    }
}

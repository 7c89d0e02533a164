//! Calls on an access token: the token's checks (known, not revoked, not
//! expired) and `GetUser`.

use serde_json::json;

use super::challenges::mfa_name;
use super::context::Api;
use super::errors::no_user;
use crate::json::error::{ApiResult, not_authorized};
use crate::json::input::Input;

impl Api<'_> {
    /// The user an access token belongs to, as Cognito checks it for `GetUser` & co.
    pub(super) fn access_user(&self, token: &str) -> ApiResult<(String, String)> {
        let rec = self
            .st
            .issued
            .access
            .get(token)
            .ok_or_else(|| not_authorized("Invalid Access Token"))?;
        if self.st.issued.revoked_origins.contains(&rec.origin_jti) {
            return Err(not_authorized("Access Token has been revoked"));
        }
        if self.now() >= rec.exp {
            return Err(not_authorized("Access Token has expired"));
        }
        Ok((rec.pool_id.clone(), rec.username.clone()))
    }

    pub(super) fn get_user(&mut self, inp: &Input<'_>) -> ApiResult {
        let token = inp.req_str("AccessToken")?;
        let (pool_id, username) = self.access_user(token)?;
        let pool = self.dir.pool(&pool_id);
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

//! `InitiateAuth` and `AdminInitiateAuth`: the flow table, then the
//! password and SRP first steps (the refresh flow is in `refresh.rs`,
//! `USER_AUTH` in `user_auth.rs`, `CUSTOM_AUTH` in `custom_auth.rs`).

use std::collections::BTreeMap;

use serde_json::{Map, json};

use super::caller::{check_secret_hash, check_sigv4};
use super::context::Api;
use super::errors::{bad_credentials, no_user, required_username};
use super::names::{AuthFlow, ChallengeName};
use super::sessions::{AuthCtx, Kind};
use crate::json::error::{ApiResult, invalid, missing, not_authorized};
use crate::json::input::Input;
use crate::srp;
use crate::state::{Client, State};

impl Api<'_> {
    pub(super) fn initiate(
        &mut self,
        inp: &Input<'_>,
        admin: bool,
        authorization: Option<&str>,
    ) -> ApiResult {
        if admin {
            check_sigv4(authorization, None)?;
        }
        let flow = inp.req_str("AuthFlow")?;
        let client_id = inp.req_str("ClientId")?;
        let params = inp.map("AuthParameters")?;
        inp.map("ClientMetadata")?;
        let flow = AuthFlow::parse(flow, "authFlow")?;
        let (pool_id, client) = self.request_client(inp, admin, authorization, client_id)?;
        let enabled = || {
            if client.allows(flow.permitted_by()) {
                Ok(())
            } else {
                Err(invalid(format!("{flow} flow not enabled for this client")))
            }
        };
        match (admin, flow) {
            (false, AuthFlow::UserPasswordAuth)
            | (true, AuthFlow::AdminUserPasswordAuth | AuthFlow::AdminNoSrpAuth) => {
                enabled()?;
                self.password_auth(&pool_id, &client, &params, admin)
            }
            (_, AuthFlow::UserSrpAuth) => {
                enabled()?;
                self.srp_auth(&pool_id, &client, &params, admin)
            }
            (_, AuthFlow::RefreshTokenAuth | AuthFlow::RefreshToken) => {
                enabled()?;
                self.refresh_auth(&pool_id, &client, &params, admin)
            }
            (false, AuthFlow::UserAuth) => {
                enabled()?;
                self.user_auth(&pool_id, &client, &params)
            }
            (_, AuthFlow::CustomAuth) => {
                enabled()?;
                self.custom_auth(&pool_id, &client, &params, admin)
            }
            (true, AuthFlow::UserAuth) => {
                Err(invalid(format!("{flow} flow not enabled for this client")))
            }
            _ => Err(invalid("Initiate Auth method not supported.")),
        }
    }

    /// `USER_PASSWORD_AUTH` and `ADMIN_USER_PASSWORD_AUTH`.
    pub(super) fn password_auth(
        &mut self,
        pool_id: &str,
        client: &Client,
        params: &BTreeMap<String, String>,
        admin: bool,
    ) -> ApiResult {
        let typed = required_username(params)?;
        let password = params.get("PASSWORD").ok_or_else(|| missing("PASSWORD"))?;
        check_secret_hash(client, params.get("SECRET_HASH"), typed)?;
        let pool = self.dir.pool(pool_id);
        let i = State::find_index(pool, typed).ok_or_else(no_user)?;
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
            custom: None,
        };
        self.after_primary(ctx)
    }

    /// `USER_SRP_AUTH`: the server's half of SRP, `PASSWORD_VERIFIER` next.
    pub(super) fn srp_auth(
        &mut self,
        pool_id: &str,
        client: &Client,
        params: &BTreeMap<String, String>,
        admin: bool,
    ) -> ApiResult {
        let typed = required_username(params)?;
        let srp_a = params.get("SRP_A").ok_or_else(|| missing("SRP_A"))?;
        check_secret_hash(client, params.get("SECRET_HASH"), typed)?;
        let pool = self.dir.pool(pool_id);
        let i = State::find_index(pool, typed).ok_or_else(no_user)?;
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
            custom: None,
        };
        let mut cp = Map::new();
        cp.insert("SALT".into(), json!(ch.salt_hex));
        cp.insert("SECRET_BLOCK".into(), json!(ch.secret_block_b64));
        cp.insert("SRP_B".into(), json!(ch.srp_b_hex));
        cp.insert("USERNAME".into(), json!(ctx.username));
        cp.insert("USER_ID_FOR_SRP".into(), json!(ctx.username));
        let mut out =
            json!({ "ChallengeName": ChallengeName::PasswordVerifier, "ChallengeParameters": cp });
        if self.dir.pool(pool_id).spec.srp_session {
            let session = self.new_session(ctx, Kind::PasswordVerifier(ch));
            out["Session"] = json!(session);
        } else {
            let now = self.now();
            self.st.sessions.park(ctx, Kind::PasswordVerifier(ch), now);
        }
        Ok(out)
    }
}

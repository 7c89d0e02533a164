//! `InitiateAuth` and `AdminInitiateAuth`: the flow table, then the
//! password and SRP first steps (the refresh flow is in `refresh.rs`,
//! `USER_AUTH` in `user_auth.rs`).

use std::collections::BTreeMap;

use serde_json::{Map, json};

use super::{
    ApiResult, AuthCtx, Client, Input, Kind, Pending, State, bad_credentials, check_enum,
    check_secret_hash, check_sigv4, flow_enabled, invalid, missing, no_user, not_authorized,
    required_username,
};
use crate::srp;

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

impl State {
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
}

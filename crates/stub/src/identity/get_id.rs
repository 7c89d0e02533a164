//! `GetId`: the identity of a login in a pool (the same one each time for
//! the same user, a new one the first time), or a new unauthenticated
//! identity when the pool allows them.

use serde_json::{Value, json};

use super::context::Identity;
use super::errors::no_unauthenticated;
use super::state::IdentityRec;
use super::validate;
use crate::json::error::ApiResult;
use crate::json::input::Input;
use crate::util::uuid_v4;

impl Identity<'_> {
    pub(crate) fn get_id(&mut self, inp: &Input<'_>) -> ApiResult<Value> {
        let pool_id = validate::region_guid_member(inp, "IdentityPoolId", "identityPoolId")?;
        validate::account_id(inp)?;
        let logins = validate::logins(inp)?;
        let pool = self.pool(pool_id)?;
        if logins.is_empty() && !pool.spec.allow_unauthenticated {
            return Err(no_unauthenticated());
        }
        let verified = self.verify_logins(&pool, &logins)?;
        let existing = verified
            .iter()
            .find_map(|l| self.st.linked(&pool.id, &l.provider, &l.sub))
            .map(str::to_owned);
        let id = match existing {
            Some(id) => id,
            None => {
                let id = format!("{}:{}", pool.region(), uuid_v4());
                let logins = verified
                    .iter()
                    .map(|l| (l.provider.clone(), l.sub.clone()))
                    .collect();
                self.st.identities.insert(
                    id.clone(),
                    IdentityRec {
                        pool_id: pool.id.clone(),
                        logins,
                    },
                );
                id
            }
        };
        Ok(json!({ "IdentityId": id }))
    }
}

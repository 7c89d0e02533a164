//! `GetOpenIdToken`: an OpenID Connect token for an identity, signed by the
//! identity service (`iss` `https://cognito-identity.amazonaws.com`, RS512,
//! `typ` `JWS`), with `aud` the identity pool id, `sub` the identity id,
//! `amr` `authenticated` and the providers or `unauthenticated`, valid ten
//! minutes (API reference: "The OpenID token is valid for 10 minutes");
//! what STS's `AssumeRoleWithWebIdentity` takes in the basic flow.

use serde_json::{Map, Value, json};

use super::context::Identity;
use super::validate;
use crate::json::error::ApiResult;
use crate::json::input::Input;
use crate::tokens::{self, IDENTITY_ISSUER, KeyUse};

/// How long an OpenID token lasts.
const OPEN_ID_TTL_SECS: i64 = 600;

impl Identity<'_> {
    pub(crate) fn get_open_id_token(&mut self, inp: &Input<'_>) -> ApiResult<Value> {
        let identity_id = validate::region_guid_member(inp, "IdentityId", "identityId")?;
        let logins = validate::logins(inp)?;
        let acting = self.act_as(identity_id, &logins)?;
        let now = self.dir.now();
        let region = acting.pool.region().to_owned();
        let claims = json!({
            "sub": identity_id,
            "aud": acting.pool.id,
            "amr": acting.amr(),
            "iss": IDENTITY_ISSUER,
            "https://cognito-identity.amazonaws.com/identity-pool-arn": format!(
                "arn:aws:cognito-identity:{region}:{}:identitypool/{}",
                crate::ACCOUNT_ID,
                acting.pool.id
            ),
            "exp": now + OPEN_ID_TTL_SECS,
            "iat": now,
        });
        let mut header = Map::new();
        header.insert("typ".into(), json!("JWS"));
        let token = tokens::sign(
            KeyUse::OpenId,
            &tokens::identity_kid(&region),
            &header,
            &claims,
        );
        Ok(json!({ "IdentityId": identity_id, "Token": token }))
    }
}

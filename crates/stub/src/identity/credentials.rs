//! `GetCredentialsForIdentity`: temporary AWS credentials for an identity,
//! for the role the pool resolves. The default roles: the pool's
//! authenticated or unauthenticated role, and no `CustomRoleArn`. Roles from
//! the token (`RoleMappings` of type `Token`): `CustomRoleArn` when it is one
//! of the token's `cognito:roles` ("If this parameter doesn't match a role
//! in cognito:roles, deny access"), else `cognito:preferred_role`, else the
//! pool's `AmbiguousRoleResolution` (AWS, Cognito developer guide,
//! "Role-based access control"). The role must exist and trust the pool
//! for this kind of identity, as STS would require of Cognito.

use serde_json::{Value, json};

use super::binding::Acting;
use super::context::Identity;
use super::errors::{bad_roles, refused};
use super::validate;
use crate::AmbiguousRoleResolution;
use crate::iam::Role;
use crate::json::error::ApiResult;
use crate::json::input::Input;

/// How long an identity pool's credentials last (Cognito assumes the role
/// for one hour).
const CREDENTIALS_SECS: i64 = 3600;

impl Identity<'_> {
    pub(crate) fn get_credentials(&mut self, inp: &Input<'_>) -> ApiResult<Value> {
        let identity_id = validate::region_guid_member(inp, "IdentityId", "identityId")?;
        let custom = validate::custom_role_arn(inp)?;
        let logins = validate::logins(inp)?;
        let acting = self.act_as(identity_id, &logins)?;
        let role = self.resolve_role(&acting, custom)?;
        if !role.trusts(&acting.pool.id, &acting.amr()) {
            return Err(bad_roles());
        }
        let now = self.dir.now();
        let c = self.iam.issue(
            &role,
            "CognitoIdentityCredentials",
            Some(identity_id),
            "GetCredentialsForIdentity",
            now,
            CREDENTIALS_SECS,
        );
        Ok(json!({
            "IdentityId": identity_id,
            "Credentials": {
                "AccessKeyId": c.access_key_id,
                "SecretKey": c.secret_access_key,
                "SessionToken": c.session_token,
                "Expiration": c.expiration,
            },
        }))
    }

    /// The role for `acting`, as the pool resolves it.
    fn resolve_role(&self, acting: &Acting, custom: Option<&str>) -> ApiResult<Role> {
        let spec = &acting.pool.spec;
        let arn = if acting.logins.is_empty() {
            if custom.is_some() {
                // The stub's wording: roles from a token need a token.
                return Err(refused(
                    "CustomRoleArn needs a login whose token names roles (cognito:roles)",
                ));
            }
            spec.unauthenticated_role.clone()
        } else {
            match spec.token_roles {
                None => {
                    if custom.is_some() {
                        // The stub's wording: the pool's role mapping does
                        // not take roles from the token, so there is none
                        // to choose.
                        return Err(refused(
                            "CustomRoleArn is not allowed: this identity pool does not choose roles from the token",
                        ));
                    }
                    spec.authenticated_role.clone()
                }
                Some(tr) => {
                    let claims = &acting.logins[0].claims;
                    let roles: Vec<&str> = claims
                        .get("cognito:roles")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let preferred = claims.get("cognito:preferred_role").and_then(Value::as_str);
                    match (custom, preferred) {
                        (Some(c), _) if roles.contains(&c) => Some(c.to_owned()),
                        (Some(_), _) => {
                            // The guide says "deny access"; the words are the stub's.
                            return Err(refused(
                                "CustomRoleArn is not one of the roles in the token's cognito:roles claim",
                            ));
                        }
                        (None, Some(p)) => Some(p.to_owned()),
                        (None, None) => match tr.ambiguous {
                            AmbiguousRoleResolution::AuthenticatedRole => {
                                spec.authenticated_role.clone()
                            }
                            AmbiguousRoleResolution::Deny => {
                                // aws-amplify/amplify-js#8644.
                                return Err(refused(
                                    "The ambiguous role mapping rules denied this request.",
                                ));
                            }
                        },
                    }
                }
            }
        };
        arn.and_then(|a| self.iam.role(&a).cloned())
            .ok_or_else(bad_roles)
    }
}

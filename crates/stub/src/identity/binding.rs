//! Who may act as an identity. An authenticated identity is bound to the
//! logins linked to it (the user's `sub` at a provider): a request for it
//! must present one of them, and another user's token is refused. An
//! unauthenticated identity needs a pool that allows them, or is linked to
//! the login a request presents (the identity is then authenticated), unless
//! that login already has an identity of its own.

use std::collections::BTreeMap;

use super::context::Identity;
use super::errors::{logins_dont_match, no_unauthenticated, not_found_identity};
use super::logins::Login;
use super::state::IdentityPool;
use crate::json::error::ApiResult;

/// An identity a request may act as, and how it proved it.
#[derive(Debug)]
pub(crate) struct Acting {
    pub(crate) pool: IdentityPool,
    /// The logins presented (none: unauthenticated).
    pub(crate) logins: Vec<Login>,
}

impl Acting {
    /// The `amr` of its tokens and role trust: `unauthenticated`, or
    /// `authenticated`, each provider, and `<provider>:CognitoSignIn:<sub>`
    /// (AWS, Cognito developer guide, "Role trust and permissions").
    pub(crate) fn amr(&self) -> Vec<String> {
        if self.logins.is_empty() {
            return vec!["unauthenticated".into()];
        }
        let mut amr = vec!["authenticated".to_owned()];
        for l in &self.logins {
            amr.push(l.provider.clone());
            amr.push(format!("{}:CognitoSignIn:{}", l.provider, l.sub));
        }
        amr
    }
}

impl Identity<'_> {
    /// Checks that `logins` may act as `identity_id` (linking them to an
    /// unauthenticated identity).
    pub(crate) fn act_as(
        &mut self,
        identity_id: &str,
        logins: &BTreeMap<String, String>,
    ) -> ApiResult<Acting> {
        let rec = self
            .st
            .identities
            .get(identity_id)
            .cloned()
            .ok_or_else(|| not_found_identity(identity_id))?;
        let pool = match self.pool(&rec.pool_id) {
            Ok(p) => p,
            // An identity of another region's pool is not found either.
            Err(_) => return Err(not_found_identity(identity_id)),
        };
        if logins.is_empty() {
            if !rec.logins.is_empty() {
                return Err(logins_dont_match());
            }
            if !pool.spec.allow_unauthenticated {
                return Err(no_unauthenticated());
            }
            return Ok(Acting {
                pool,
                logins: Vec::new(),
            });
        }
        let verified = self.verify_logins(&pool, logins)?;
        if rec.logins.is_empty() {
            for l in &verified {
                if self
                    .st
                    .linked(&pool.id, &l.provider, &l.sub)
                    .is_some_and(|other| other != identity_id)
                {
                    return Err(logins_dont_match());
                }
            }
            if let Some(r) = self.st.identities.get_mut(identity_id) {
                for l in &verified {
                    r.logins.insert(l.provider.clone(), l.sub.clone());
                }
            }
        } else if !verified
            .iter()
            .all(|l| rec.logins.get(&l.provider) == Some(&l.sub))
        {
            return Err(logins_dont_match());
        }
        Ok(Acting {
            pool,
            logins: verified,
        })
    }
}

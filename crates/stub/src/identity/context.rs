//! [`Identity`]: one request's view of the identity-pool service: the user
//! pools it trusts tokens of, IAM's roles and credentials, its own pools and
//! identities, and the region of the endpoint the request arrived at.

use super::errors::not_found_pool;
use super::state::{IdentityPool, IdentityState};
use crate::iam::Iam;
use crate::json::error::ApiResult;
use crate::state::State;

/// The identity-pool service at work.
#[derive(Debug)]
pub(crate) struct Identity<'a> {
    pub(crate) dir: &'a State,
    pub(crate) iam: &'a mut Iam,
    pub(crate) st: &'a mut IdentityState,
    /// The region of the endpoint (`https://cognito-identity.<region>.amazonaws.com`)
    /// when the request says it (the stub's `/<region>` path prefix, or a
    /// SigV4 credential scope); `None`: any region.
    pub(crate) region: Option<&'a str>,
}

impl Identity<'_> {
    /// The pool `id`, which must be in the endpoint's region: a pool of
    /// another region is not found there, as on AWS where each region's
    /// endpoint knows only its own pools.
    pub(crate) fn pool(&self, id: &str) -> ApiResult<IdentityPool> {
        self.st
            .pools
            .get(id)
            .filter(|p| self.region.is_none_or(|r| r == p.region()))
            .cloned()
            .ok_or_else(|| not_found_pool(id))
    }
}

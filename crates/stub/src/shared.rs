//! Everything the stub keeps, under one mutex shared by the server thread
//! and the [`crate::Stub`] handle: the pools every service shares, each
//! service's own state, the recorded requests and the injected fault. This
//! is where the services are put side by side; none of them sees another.

use std::sync::{Mutex, MutexGuard};

use crate::RecordedRequest;
use crate::api::{Api, ApiState};
use crate::fault::Fault;
use crate::iam::Iam;
use crate::identity::{Identity, IdentityState};
use crate::oauth::OAuthState;
use crate::state::State;

/// The stub's whole state.
#[derive(Debug, Default)]
pub(crate) struct World {
    /// Pools, app clients, users, keys, clock.
    pub(crate) dir: State,
    /// The user-pool API's sessions, tokens, devices, codes.
    pub(crate) api: ApiState,
    /// The domain's clients, codes, refresh tokens and requests.
    pub(crate) oauth: OAuthState,
    /// Identity pools and their identities.
    pub(crate) identity: IdentityState,
    /// Roles and the temporary credentials issued (identity pools, STS).
    pub(crate) iam: Iam,
    pub(crate) requests: Vec<RecordedRequest>,
    pub(crate) fault: Option<Fault>,
    /// JSON operations answered with `UnknownOperationException`, as by a
    /// service that lacks them ([`crate::Stub::forget_operation`]).
    pub(crate) unknown_ops: Vec<String>,
}

impl World {
    /// The identity service's view of a request to `region`'s endpoint.
    pub(crate) fn identity<'a>(&'a mut self, region: Option<&'a str>) -> Identity<'a> {
        Identity {
            dir: &self.dir,
            iam: &mut self.iam,
            st: &mut self.identity,
            region,
        }
    }

    /// The regions that have identity pools (their OpenID keys are served).
    pub(crate) fn identity_regions(&self) -> Vec<String> {
        let mut r: Vec<String> = self
            .identity
            .pools
            .values()
            .map(|p| p.region().to_owned())
            .collect();
        r.dedup();
        r
    }

    /// The user-pool API's view.
    pub(crate) fn api(&mut self) -> Api<'_> {
        Api {
            dir: &mut self.dir,
            st: &mut self.api,
        }
    }
}

/// [`World`] behind its mutex.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    world: Mutex<World>,
}

impl Shared {
    /// Locks the state (a panic elsewhere never wedges the stub).
    pub(crate) fn lock(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}

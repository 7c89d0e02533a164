//! The user-pool API's own state ([`ApiState`]: sessions, issued tokens,
//! devices, one-time codes, custom-auth trigger invocations) and [`Api`],
//! one request's view of it together with the pools it shares with the
//! other services. Every operation is a method of [`Api`], one file per
//! mechanism.

use super::codes::OtpCodes;
use super::device_store::Devices;
use super::issued::Issued;
use super::sessions::Sessions;
use crate::TriggerInvocation;
use crate::state::State;

/// What the user-pool API keeps between requests.
#[derive(Debug, Default)]
pub(crate) struct ApiState {
    pub(crate) sessions: Sessions,
    pub(crate) issued: Issued,
    pub(crate) devices: Devices,
    pub(crate) codes: OtpCodes,
    /// Every custom-auth trigger invocation, as the Lambda saw it.
    pub(crate) invocations: Vec<TriggerInvocation>,
}

/// The user-pool API at work: the shared pools and clock, and its own state.
#[derive(Debug)]
pub(crate) struct Api<'a> {
    pub(crate) dir: &'a mut State,
    pub(crate) st: &'a mut ApiState,
}

impl Api<'_> {
    /// The stub's clock.
    pub(crate) fn now(&self) -> i64 {
        self.dir.now()
    }
}

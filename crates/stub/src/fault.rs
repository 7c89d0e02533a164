//! The misbehaviour a test injects ([`Fault`]) and what it does to each
//! request ([`FaultAction`]), for hardening tests of clients.

/// Misbehaviour to inject, for hardening tests. Faults apply to every
/// request (API calls and JWKS fetches) that arrives after [`Stub::set_fault`](crate::Stub::set_fault);
/// the requests are still recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 400 `TooManyRequestsException: Rate exceeded` for the next `times` requests, then normal.
    Throttle {
        /// How many requests to throttle.
        times: u32,
    },
    /// 500 `InternalErrorException` for the next `times` requests, then normal.
    ServerError {
        /// How many requests to fail.
        times: u32,
    },
    /// 200 with a body that is not JSON, until cleared.
    Garbage,
    /// Close the connection without answering, until cleared.
    CloseConnection,
    /// Read the request and never answer, until cleared (or the stub is dropped).
    Hang,
    /// Answer with this status and body (content type JSON 1.1), until cleared.
    Status(u16, String),
}

/// What the active fault (if any) makes of this request.
pub(crate) enum FaultAction {
    None,
    Throttle,
    ServerError,
    Garbage,
    Close,
    Hang,
    Status(u16, String),
}

/// What the active fault (if any) does to the next request; a fault that
/// has run its course is cleared.
pub(crate) fn take(fault: &mut Option<Fault>) -> FaultAction {
    let (action, clear) = match fault {
        None => (FaultAction::None, false),
        Some(Fault::Throttle { times }) | Some(Fault::ServerError { times }) if *times == 0 => {
            (FaultAction::None, true)
        }
        Some(Fault::Throttle { times }) => {
            *times -= 1;
            (FaultAction::Throttle, *times == 0)
        }
        Some(Fault::ServerError { times }) => {
            *times -= 1;
            (FaultAction::ServerError, *times == 0)
        }
        Some(Fault::Garbage) => (FaultAction::Garbage, false),
        Some(Fault::CloseConnection) => (FaultAction::Close, false),
        Some(Fault::Hang) => (FaultAction::Hang, false),
        Some(Fault::Status(code, body)) => (FaultAction::Status(*code, body.clone()), false),
    };
    if clear {
        *fault = None;
    }
    action
}

//! AWS's JSON 1.1 protocol as Cognito's services speak it, shared by the
//! user-pool API and the identity-pool API: the errors (`error.rs`) and
//! typed access to a request body (`input.rs`).

pub(crate) mod error;
pub(crate) mod input;

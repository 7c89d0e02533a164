//! The stub's one integration-test binary (one link instead of one per
//! file): the wire protocol, the OAuth side and device tracking
//! (`wire`), `USER_AUTH` and rotation (`user_auth_wire`), over the shared
//! HTTP client of `support`.

mod support;
mod user_auth_wire;
mod wire;

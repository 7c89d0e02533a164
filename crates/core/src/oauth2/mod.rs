//! OAuth 2.0 through a user pool's domain (`https://PREFIX.auth.REGION.amazoncognito.com`,
//! a custom domain, or an emulator's base URL): the client-credentials grant,
//! the authorization-code grant with PKCE (S256), the refresh-token grant and
//! revocation, as Cognito's `/oauth2/authorize`, `/oauth2/token` and
//! `/oauth2/revoke` endpoints define them.
//!
//! - Confidential clients authenticate with HTTP Basic (RFC 6749 §2.3.1: the
//!   client id and secret are each form-urlencoded, joined by `:`, then
//!   base64-encoded); every request also names `client_id` in the body, as
//!   AWS's examples do. The secret never travels in the body.
//! - Cognito's errors (`{"error":"invalid_grant","error_description":…}`)
//!   become [`Error::Service`] with Cognito's own words; anything that is not
//!   a token endpoint's answer is [`Error::BadResponse`] naming the domain.
//! - The client secret, the code, the PKCE verifier and the tokens are
//!   [`Secret`]s: they appear in no `Debug` output, log event or error.
//!
//! The files: `domain.rs` (domain checks, the `/oauth2/*` URLs, scopes),
//! `authorize.rs` (the authorize URL and `state`), `request.rs` (grants,
//! forms, HTTP Basic; no I/O), `response.rs` (tokens and Cognito's JSON
//! errors), `grant.rs` (the token and revoke requests, over the library's
//! one HTTP client, `transport.rs`), `pkce.rs`, `callback.rs` (the loopback
//! listener).

mod authorize;
pub mod callback;
mod domain;
mod grant;
pub mod pkce;
mod request;
mod response;

pub use authorize::{AuthorizeRequest, authorize_url, check_authorize, random_state};
pub use callback::DEFAULT_REDIRECT_URI;
pub use domain::{Domain, parse_scopes};
pub use grant::{MAX_RESPONSE_BYTES, revoke, token};
pub use pkce::Pkce;
pub use request::{FormRequest, Grant, OAuthClient, basic_auth, revoke_request, token_request};

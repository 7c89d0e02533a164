//! An app client's OAuth 2.0 settings ([`OAuthSpec`]) and what the OAuth
//! side keeps and records: pending logins, codes, refresh tokens, the
//! requests that arrived ([`OAuthRequest`]).

use std::collections::{BTreeMap, HashMap};

/// How long an authorization code stays valid. AWS: authorize endpoint,
/// "The response returns a one time use code that is valid for five minutes."
pub(crate) const CODE_TTL_SECS: i64 = 300;

/// The scopes Cognito reserves (AWS: authorize endpoint, `scope`); every
/// other scope is a resource server's custom scope `identifier/name`.
pub(crate) const RESERVED_SCOPES: [&str; 5] = [
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// OAuth 2.0 settings of an app client: what `CreateUserPoolClient` takes as
/// `AllowedOAuthFlows`, `AllowedOAuthScopes`, `CallbackURLs`,
/// `SupportedIdentityProviders` and `EnableTokenRevocation`, plus two
/// strictness switches of the stub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthSpec {
    /// `AllowedOAuthFlows`: `"code"` and/or `"client_credentials"`.
    pub flows: Vec<String>,
    /// `AllowedOAuthScopes`: reserved scopes (`openid`, `email`, `phone`,
    /// `profile`, `aws.cognito.signin.user.admin`) and custom scopes
    /// `identifier/name` of the pool's resource servers
    /// ([`Stub::add_resource_server`](crate::Stub::add_resource_server) first, else registration panics, as
    /// Cognito answers `ScopeDoesNotExistException`).
    pub scopes: Vec<String>,
    /// `CallbackURLs`: `redirect_uri` must equal one of them exactly.
    pub callback_urls: Vec<String>,
    /// `SupportedIdentityProviders`; `identity_provider=NAME` must be one of
    /// them. A provider other than `COGNITO` signs in the user set with
    /// [`Stub::set_federated_user`](crate::Stub::set_federated_user) without showing the login page.
    pub identity_providers: Vec<String>,
    /// Stub strictness (default `true`): `/oauth2/authorize` refuses a request
    /// without `code_challenge` (`error=invalid_request`), so a client that
    /// drops PKCE fails. Cognito itself makes PKCE optional.
    pub require_pkce: bool,
    /// Accept `client_secret` in the form body (`client_secret_post`), as
    /// Cognito's current token-endpoint page allows. Default `false`: the
    /// stub then insists on HTTP Basic (`client_secret_basic`), the one
    /// method every version of Cognito's documentation requires.
    pub allow_client_secret_post: bool,
    /// `EnableTokenRevocation` (default `true`); when `false`,
    /// `/oauth2/revoke` answers `invalid_request` (AWS: revocation endpoint).
    pub enable_token_revocation: bool,
    /// Refresh-token rotation (`RefreshTokenRotation` enabled, no grace
    /// period): the `refresh_token` grant also returns a new refresh token
    /// and the one it consumed stops working. Default `false`, Cognito's default.
    pub rotate_refresh_tokens: bool,
}

impl Default for OAuthSpec {
    /// No flow, no scope, no callback URL, `COGNITO` as the identity
    /// provider, PKCE required, Basic only, revocation enabled, no rotation.
    fn default() -> Self {
        OAuthSpec {
            flows: Vec::new(),
            scopes: Vec::new(),
            callback_urls: Vec::new(),
            identity_providers: vec!["COGNITO".into()],
            require_pkce: true,
            allow_client_secret_post: false,
            enable_token_revocation: true,
            rotate_refresh_tokens: false,
        }
    }
}

impl OAuthSpec {
    /// The authorization-code flow with one callback URL and these scopes.
    pub fn code(callback_url: &str, scopes: &[&str]) -> OAuthSpec {
        OAuthSpec {
            flows: vec!["code".into()],
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            callback_urls: vec![callback_url.to_owned()],
            ..OAuthSpec::default()
        }
    }

    /// The `client_credentials` flow with these (custom) scopes. The client
    /// also needs a secret (`ClientSpec { generate_secret: true, .. }`).
    pub fn client_credentials(scopes: &[&str]) -> OAuthSpec {
        OAuthSpec {
            flows: vec!["client_credentials".into()],
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            ..OAuthSpec::default()
        }
    }

    pub(crate) fn allows_flow(&self, flow: &str) -> bool {
        self.flows.iter().any(|f| f == flow)
    }
}

/// One request to the OAuth side (`/oauth2/token`, `/oauth2/revoke`,
/// `/oauth2/authorize`, `/login`), as the stub understood it, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthRequest {
    /// `"POST /oauth2/token"`, `"GET /oauth2/authorize"`, `"POST /login"`, …
    pub endpoint: String,
    /// The form's (or query's) `grant_type`.
    pub grant_type: Option<String>,
    /// The client the request named (Basic user name, else `client_id`).
    pub client_id: Option<String>,
    /// An `Authorization: Basic …` header was sent.
    pub basic_auth: bool,
    /// The form carried a `client_secret`.
    pub secret_in_body: bool,
    /// The form or query parameters; `client_secret` and `password` values
    /// are replaced by `***`.
    pub params: BTreeMap<String, String>,
    /// `"ok"` (tokens issued, revoked, page shown, redirect with a code) or
    /// the OAuth error code answered.
    pub outcome: String,
}

#[derive(Debug, Clone)]
pub(crate) struct OAuthClient {
    pub(crate) spec: OAuthSpec,
}

/// A pending hosted-UI sign-in: the validated authorize request.
#[derive(Debug, Clone)]
pub(crate) struct LoginRec {
    pub(crate) pool_id: String,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) state: Option<String>,
    pub(crate) code_challenge: Option<String>,
    pub(crate) nonce: Option<String>,
}

/// An issued authorization code and what it is bound to.
#[derive(Debug, Clone)]
pub(crate) struct CodeRec {
    pub(crate) pool_id: String,
    pub(crate) client_id: String,
    pub(crate) username: String,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) code_challenge: Option<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) auth_time: i64,
    pub(crate) created: i64,
}

/// A refresh token issued by the token endpoint.
#[derive(Debug, Clone)]
pub(crate) struct RefreshRec {
    pub(crate) pool_id: String,
    pub(crate) client_id: String,
    pub(crate) username: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) auth_time: i64,
    pub(crate) origin_jti: String,
    pub(crate) revoked: bool,
}

/// The OAuth side's state, inside the stub's one [`State`](crate::api::State).
#[derive(Debug, Default)]
pub(crate) struct OAuthState {
    pub(crate) clients: HashMap<String, OAuthClient>,
    /// pool id → resource server identifier → scope names.
    pub(crate) resource_servers: HashMap<String, BTreeMap<String, Vec<String>>>,
    pub(crate) logins: HashMap<String, LoginRec>,
    pub(crate) codes: HashMap<String, CodeRec>,
    pub(crate) refresh: HashMap<String, RefreshRec>,
    pub(crate) requests: Vec<OAuthRequest>,
    /// Test hook: `/oauth2/authorize` redirects with this `error=`.
    pub(crate) authorize_error: Option<String>,
    /// (pool id, provider) → internal username signed in by that provider.
    pub(crate) federated: HashMap<(String, String), String>,
}

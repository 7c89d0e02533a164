//! The test's controls over the OAuth side: the domain, resource servers,
//! app clients' OAuth settings (checked as Cognito checks them), recorded
//! requests, and the hooks for authorize errors and federated sign-in.

use crate::oauth::{OAuthClient, RESERVED_SCOPES, lookup_client};
use crate::{ClientInfo, ClientSpec, Stub};
use crate::{OAuthRequest, OAuthSpec};

impl Stub {
    /// The user pool domain's base URL: the stub's own address
    /// (`http://127.0.0.1:PORT`, for `--domain`). Serves `/oauth2/token`,
    /// `/oauth2/authorize`, `/oauth2/revoke` and the login page `/login`
    /// for every pool; the client id picks the pool.
    pub fn domain(&self) -> String {
        self.endpoint()
    }

    /// Adds a resource server (`CreateResourceServer`) with these scope
    /// names; its custom scopes are `identifier/name`. Panics if the pool
    /// does not exist.
    pub fn add_resource_server(&self, pool_id: &str, identifier: &str, scopes: &[&str]) {
        let mut st = self.shared.lock();
        let _ = st.dir.pool(pool_id);
        st.oauth
            .resource_servers
            .entry(pool_id.to_owned())
            .or_default()
            .insert(
                identifier.to_owned(),
                scopes.iter().map(|s| (*s).to_owned()).collect(),
            );
    }

    /// Creates an app client ([`Stub::add_client`]) with OAuth settings.
    /// Panics like [`Stub::set_client_oauth`].
    pub fn add_oauth_client(
        &self,
        pool_id: &str,
        client: ClientSpec,
        oauth: OAuthSpec,
    ) -> ClientInfo {
        let info = self.add_client(pool_id, client);
        self.set_client_oauth(&info.id, oauth);
        info
    }

    /// Sets (replaces) an existing app client's OAuth settings
    /// (`UpdateUserPoolClient`). Panics if the client does not exist, a flow
    /// is not `code` / `client_credentials`, a custom scope is not defined by
    /// one of the pool's resource servers, `client_credentials` is asked for
    /// a client without a secret or with a reserved scope, or `code` without
    /// a callback URL — the configurations Cognito refuses.
    pub fn set_client_oauth(&self, client_id: &str, oauth: OAuthSpec) {
        let mut st = self.shared.lock();
        let (pool_id, client) = lookup_client(&st.dir, client_id)
            .unwrap_or_else(|| panic!("cognito-stub: no app client {client_id}"));
        for f in &oauth.flows {
            assert!(
                f == "code" || f == "client_credentials",
                "cognito-stub: unsupported OAuth flow {f:?} (code, client_credentials)"
            );
        }
        let servers = st.oauth.resource_servers.get(&pool_id);
        for s in &oauth.scopes {
            if RESERVED_SCOPES.contains(&s.as_str()) {
                continue;
            }
            let defined = s.split_once('/').is_some_and(|(rs, name)| {
                servers
                    .and_then(|m| m.get(rs))
                    .is_some_and(|names| names.iter().any(|n| n == name))
            });
            assert!(
                defined,
                "cognito-stub: scope {s:?} is not defined by a resource server of {pool_id} (ScopeDoesNotExistException)"
            );
        }
        if oauth.allows_flow("client_credentials") {
            assert!(
                client.secret.is_some(),
                "cognito-stub: client_credentials needs a client secret (InvalidOAuthFlowException)"
            );
            assert!(
                oauth
                    .scopes
                    .iter()
                    .all(|s| !RESERVED_SCOPES.contains(&s.as_str())),
                "cognito-stub: client_credentials allows only custom scopes (InvalidOAuthFlowException)"
            );
        }
        if oauth.allows_flow("code") {
            assert!(
                !oauth.callback_urls.is_empty(),
                "cognito-stub: the code flow needs a callback URL (InvalidParameterException)"
            );
        }
        st.oauth
            .clients
            .insert(client_id.to_owned(), OAuthClient { spec: oauth });
    }

    /// Every request to the OAuth side so far, in order.
    pub fn oauth_requests(&self) -> Vec<OAuthRequest> {
        self.shared.lock().oauth.requests.clone()
    }

    /// How many `POST /oauth2/token` requests arrived so far.
    pub fn token_requests(&self) -> usize {
        self.shared
            .lock()
            .oauth
            .requests
            .iter()
            .filter(|r| r.endpoint == "POST /oauth2/token")
            .count()
    }

    /// Test hook: from now on `/oauth2/authorize` (once the client and the
    /// redirect URI check out) redirects to the callback with
    /// `error=<error>` (e.g. `access_denied`) and the `state`; `None` restores
    /// the login page.
    pub fn set_authorize_error(&self, error: Option<&str>) {
        self.shared.lock().oauth.authorize_error = error.map(str::to_owned);
    }

    /// Federated sign-in: `identity_provider=<provider>` at
    /// `/oauth2/authorize` signs in this user (internal username or alias)
    /// at once and redirects with a code, as if the IdP had answered.
    /// The provider must be in the client's `identity_providers`.
    /// Panics if the pool or user does not exist.
    pub fn set_federated_user(&self, pool_id: &str, provider: &str, username: &str) {
        let mut st = self.shared.lock();
        let internal = st
            .dir
            .user(pool_id, username)
            .map(|u| u.username.clone())
            .unwrap_or_else(|| panic!("cognito-stub: no user {username} in {pool_id}"));
        st.oauth
            .federated
            .insert((pool_id.to_owned(), provider.to_owned()), internal);
    }
}

//! What the stub records of each request to the OAuth side ([`OAuthRequest`]).

use super::client_auth::named_client;
use super::http::Form;
use super::state::OAuthRequest;

/// A record with the request's parameters filled in from `form`.
pub(crate) fn record(
    form: &Form,
    authorization: Option<&str>,
    outcome: impl Into<String>,
) -> OAuthRequest {
    OAuthRequest {
        endpoint: String::new(),
        grant_type: form.get("grant_type").map(str::to_owned),
        client_id: named_client(authorization, form),
        basic_auth: authorization.is_some_and(|a| {
            a.split_once(' ')
                .is_some_and(|(s, _)| s.eq_ignore_ascii_case("basic"))
        }),
        secret_in_body: form.params.contains_key("client_secret"),
        params: form.redacted(),
        outcome: outcome.into(),
    }
}

//! `GET /oauth2/authorize` and the hosted UI's login page (`GET`/`POST /login`).
//!
//! The login form's fields have stable names and ids for browser tests:
//! `form#login-form` (POST `/login`), `input#username[name=username]`,
//! `input#password[name=password]`, a hidden `session`, and
//! `button#signin[type=submit]`. An error shows in `p#error`.

use hyper::Method;

use super::http::{Form, Resp, escape_html, html, is_form, redirect, split_scopes, with_query};
use super::record::record;
use super::state::{CodeRec, LoginRec, OAuthRequest, OAuthState};
use crate::Mfa;
use crate::state::State;
use crate::util::opaque;

/// A page Cognito shows instead of redirecting (the redirect URI cannot be
/// trusted). Cognito sends the browser to `/error?error=redirect_mismatch&client_id=…`;
/// the stub shows that page at once, HTTP 400, with the error code in `p#error`.
fn error_page(code: &str, detail: &str) -> Resp {
    html(
        400,
        format!(
            "<!DOCTYPE html><html><head><title>Error</title></head><body>\
             <h1>An error was encountered with the requested page.</h1>\
             <p id=\"error\">error={}</p><p id=\"detail\">{}</p></body></html>",
            escape_html(code),
            escape_html(detail)
        ),
    )
}

/// `redirect_uri?error=<code>[&state=…]`: errors Cognito reports to the
/// client once the client and the redirect URI are known good (AWS:
/// authorize endpoint, "Examples of negative responses").
fn error_redirect(redirect_uri: &str, code: &str, state: Option<&str>) -> Resp {
    let mut params = vec![("error", code)];
    if let Some(s) = state {
        params.push(("state", s));
    }
    redirect(&with_query(redirect_uri, &params))
}

fn login_page(session: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p id=\"error\" role=\"alert\">{}</p>", escape_html(e)))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Signin</title></head><body>\
         <h1>Sign in with your username and password</h1>{error}\
         <form id=\"login-form\" method=\"post\" action=\"/login\">\
         <input type=\"hidden\" name=\"session\" value=\"{}\">\
         <label for=\"username\">Username</label>\
         <input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\">\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">\
         <button id=\"signin\" name=\"signin\" type=\"submit\">Sign in</button>\
         </form></body></html>",
        escape_html(session)
    )
}

fn outcome(form: &Form, o: &str) -> OAuthRequest {
    record(form, None, o)
}

/// `GET /oauth2/authorize`.
///
/// Checked in Cognito's order:
/// 1. `client_id` names an app client with OAuth settings, and
///    `redirect_uri` equals one of its callback URLs exactly (AWS: "Be
///    pre-registered with a client"): otherwise an error page, never a
///    redirect (`redirect_mismatch`, as Cognito's `/error` page says).
/// 2. Then errors go to the redirect URI with the `state`: `response_type`
///    other than `code`, `code_challenge` without `code_challenge_method`,
///    a method other than `S256` ("Amazon Cognito authentication server
///    supports only S256"), or a malformed challenge → `invalid_request`;
///    the client without the `code` flow → `unauthorized_client`; a scope
///    the client does not allow, or `email`/`phone`/`profile` without
///    `openid` ("can only be requested if openid scope is also requested")
///    → `invalid_scope`; an `identity_provider` the client does not support
///    → `invalid_request`.
/// 3. No scope: all the client's scopes (AWS: "If the client doesn't
///    request any scopes, the authentication server uses all scopes
///    associated with the client").
pub(crate) fn authorize(
    st: &State,
    o: &mut OAuthState,
    method: &Method,
    query: &str,
) -> (Resp, OAuthRequest) {
    let form = Form::parse(query.as_bytes());
    if method != Method::GET {
        return (
            error_page("invalid_request", "GET only"),
            outcome(&form, "invalid_request"),
        );
    }
    let client_id = form.get("client_id").unwrap_or("");
    let found = st
        .pools
        .iter()
        .find_map(|(pool_id, pool)| pool.clients.get(client_id).map(|_| pool_id.clone()));
    let oauth = o.clients.get(client_id).cloned();
    let (Some(pool_id), Some(oauth)) = (found, oauth) else {
        return (
            error_page("invalid_request", "unknown or non-OAuth client_id"),
            outcome(&form, "invalid_request"),
        );
    };
    let redirect_uri = form.get("redirect_uri").unwrap_or("");
    if form.repeated || !oauth.spec.callback_urls.iter().any(|u| u == redirect_uri) {
        return (
            error_page(
                "redirect_mismatch",
                "redirect_uri is not one of the app client's callback URLs",
            ),
            outcome(&form, "redirect_mismatch"),
        );
    }
    let state = form.get("state");
    let bad = |code: &str| {
        (
            error_redirect(redirect_uri, code, state),
            outcome(&form, code),
        )
    };

    if form.get("response_type") != Some("code") {
        return bad("invalid_request");
    }
    if !oauth.spec.allows_flow("code") {
        return bad("unauthorized_client");
    }
    let challenge = form.get("code_challenge");
    match (form.get("code_challenge_method"), challenge) {
        (None, None) if !oauth.spec.require_pkce => {}
        (Some("S256"), Some(c))
            if c.len() == 43
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') => {}
        _ => return bad("invalid_request"),
    }
    let scopes = match form.get("scope") {
        Some(s) => split_scopes(s),
        None => oauth.spec.scopes.clone(),
    };
    if scopes.iter().any(|s| !oauth.spec.scopes.contains(s)) {
        return bad("invalid_scope");
    }
    let has_openid = scopes.iter().any(|s| s == "openid");
    if !has_openid
        && scopes
            .iter()
            .any(|s| matches!(s.as_str(), "email" | "phone" | "profile"))
    {
        return bad("invalid_scope");
    }
    let provider = form.get("identity_provider");
    if let Some(p) = provider
        && !oauth.spec.identity_providers.iter().any(|i| i == p)
    {
        return bad("invalid_request");
    }
    if let Some(e) = o.authorize_error.clone() {
        return (
            error_redirect(redirect_uri, &e, state),
            outcome(&form, e.as_str()),
        );
    }
    let login = LoginRec {
        pool_id: pool_id.clone(),
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        scopes,
        state: state.map(str::to_owned),
        code_challenge: challenge.map(str::to_owned),
        nonce: form.get("nonce").map(str::to_owned),
    };
    // A federated provider: the IdP round trip is simulated; the user set
    // with `Stub::set_federated_user` is signed in at once.
    if let Some(p) = provider.filter(|p| *p != "COGNITO") {
        let Some(user) = o.federated.get(&(pool_id.clone(), p.to_owned())).cloned() else {
            return bad("invalid_request");
        };
        return (issue_code(st, o, login, &user), outcome(&form, "ok"));
    }
    let session = opaque(32);
    o.logins.insert(session.clone(), login);
    (html(200, login_page(&session, None)), outcome(&form, "ok"))
}

/// Issues a code for `username` and redirects to `redirect_uri?code=…&state=…`.
fn issue_code(st: &State, o: &mut OAuthState, login: LoginRec, username: &str) -> Resp {
    let code = crate::util::uuid_v4();
    let now = st.now();
    let location = {
        let mut params = vec![("code", code.as_str())];
        if let Some(s) = login.state.as_deref() {
            params.push(("state", s));
        }
        with_query(&login.redirect_uri, &params)
    };
    o.codes.insert(
        code,
        CodeRec {
            pool_id: login.pool_id,
            client_id: login.client_id,
            username: username.to_owned(),
            redirect_uri: login.redirect_uri,
            scopes: login.scopes,
            code_challenge: login.code_challenge,
            nonce: login.nonce,
            auth_time: now,
            created: now,
        },
    );
    redirect(&location)
}

/// `GET /login?session=…` shows the form again; `POST /login` (form:
/// `session`, `username`, `password`) checks the password against the
/// pool's users (by username or, where the pool allows, e-mail) and
/// redirects to the callback with a code; a wrong password shows the form
/// again with Cognito's "Incorrect username or password." The session is
/// single use once it succeeds. Users who would get a challenge (temporary
/// password, MFA) are refused with a message: this login page does not do
/// challenges.
pub(crate) fn login(
    st: &State,
    o: &mut OAuthState,
    method: &Method,
    query: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> (Resp, OAuthRequest) {
    if *method == Method::GET {
        let form = Form::parse(query.as_bytes());
        let session = form.get("session").unwrap_or("");
        if !o.logins.contains_key(session) {
            return (
                error_page("invalid_request", "no such sign-in session"),
                outcome(&form, "invalid_request"),
            );
        }
        return (html(200, login_page(session, None)), outcome(&form, "ok"));
    }
    let form = Form::parse(body);
    if *method != Method::POST || !is_form(content_type) {
        return (
            error_page("invalid_request", "POST a form"),
            outcome(&form, "invalid_request"),
        );
    }
    let session = form.get("session").unwrap_or("").to_owned();
    let Some(login) = o.logins.get(&session).cloned() else {
        return (
            error_page("invalid_request", "no such sign-in session"),
            outcome(&form, "invalid_request"),
        );
    };
    let username = form.get("username").unwrap_or("");
    let password = form
        .params
        .get("password")
        .map(String::as_str)
        .unwrap_or("");
    let again = |msg: &str, o: &str| {
        (
            html(200, login_page(&session, Some(msg))),
            outcome(&form, o),
        )
    };
    let user = st
        .pools
        .get(&login.pool_id)
        .and_then(|pool| State::find_index(pool, username).map(|i| pool.users[i].clone()));
    let Some(user) = user.filter(|u| u.password == password) else {
        return again("Incorrect username or password.", "bad_credentials");
    };
    if !user.enabled {
        return again("User is disabled.", "user_disabled");
    }
    if user.temporary {
        return again(
            "cognito-stub: this login page cannot change a temporary password",
            "unsupported_challenge",
        );
    }
    if user.mfa != Mfa::None {
        return again(
            "cognito-stub: this login page does not do MFA",
            "unsupported_challenge",
        );
    }
    o.logins.remove(&session);
    (
        issue_code(st, o, login, &user.username),
        outcome(&form, "ok"),
    )
}

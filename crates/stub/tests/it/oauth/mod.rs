//! The OAuth 2.0 side of the stub: `/oauth2/token`, `/oauth2/authorize`, the
//! login page, `/oauth2/revoke`. Each test breaks one rule and expects
//! Cognito's answer, so it fails if the stub stopped enforcing that rule.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use cognito_stub::{ClientInfo, ClientSpec, OAuthSpec, PoolSpec, Stub, UserSpec};
use serde_json::Value;

use crate::support::{Resp, claims, raw, verify};

mod authorize;
mod code;
mod refresh;

const CALLBACK: &str = "http://localhost:8976/callback";
const FORM: &str = "application/x-www-form-urlencoded";

/// `k=v&…`, form-encoded.
fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn basic(id: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        B64.encode(format!("{}:{}", enc(id), enc(secret)))
    )
}

fn post(stub: &Stub, path: &str, auth: Option<&str>, content_type: &str, body: &str) -> Resp {
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    raw(
        stub,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: {content_type}\r\n{auth}Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .unwrap()
}

fn token(stub: &Stub, auth: Option<&str>, pairs: &[(&str, &str)]) -> Resp {
    post(stub, "/oauth2/token", auth, FORM, &form(pairs))
}

/// Asserts Cognito's OAuth error shape: this status, `{"error": code}` and nothing else.
fn oauth_err(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body));
    assert_eq!(v, serde_json::json!({ "error": code }), "{}", r.body);
}

fn ok(r: &Resp) -> Value {
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        r.headers
    );
    serde_json::from_str(&r.body).unwrap()
}

struct Fx {
    stub: Stub,
    pool: String,
    /// Secret, `client_credentials`, scopes `rs/read rs/write`.
    m2m: ClientInfo,
}

impl Fx {
    fn m2m_basic(&self) -> String {
        basic(&self.m2m.id, self.m2m.secret.as_deref().unwrap())
    }
}

fn fx() -> Fx {
    let stub = Stub::start();
    let pool = stub.add_pool(PoolSpec::default());
    stub.add_resource_server(&pool, "rs", &["read", "write", "admin"]);
    let m2m = stub.add_oauth_client(
        &pool,
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
        OAuthSpec::client_credentials(&["rs/read", "rs/write"]),
    );
    stub.add_user(&pool, UserSpec::new("alice", "Passw0rd!"));
    Fx { stub, pool, m2m }
}

#[test]
fn client_credentials_with_basic_auth() {
    let f = fx();
    let auth = f.m2m_basic();
    let v = ok(&token(
        &f.stub,
        Some(&auth),
        &[("grant_type", "client_credentials"), ("scope", "rs/read")],
    ));
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    assert!(
        v.get("id_token").is_none() && v.get("refresh_token").is_none(),
        "{v}"
    );
    let at = v["access_token"].as_str().unwrap();
    let c = verify(&f.stub, &f.pool, at, None);
    assert_eq!(c["sub"], f.m2m.id.as_str());
    assert_eq!(c["client_id"], f.m2m.id.as_str());
    assert_eq!(c["token_use"], "access");
    assert_eq!(c["scope"], "rs/read");
    assert!(c.get("aud").is_none() && c.get("username").is_none(), "{c}");

    // No scope: all the client's custom scopes.
    let v = ok(&token(
        &f.stub,
        Some(&auth),
        &[("grant_type", "client_credentials")],
    ));
    let c = claims(v["access_token"].as_str().unwrap());
    assert_eq!(c["scope"], "rs/read rs/write");

    // Both scopes, space-separated.
    let v = ok(&token(
        &f.stub,
        Some(&auth),
        &[
            ("grant_type", "client_credentials"),
            ("scope", "rs/write rs/read"),
        ],
    ));
    assert_eq!(
        claims(v["access_token"].as_str().unwrap())["scope"],
        "rs/write rs/read"
    );

    // What the stub recorded.
    assert_eq!(f.stub.token_requests(), 3);
    let reqs = f.stub.oauth_requests();
    assert!(
        reqs.iter()
            .all(|r| r.basic_auth && !r.secret_in_body && r.outcome == "ok")
    );
    assert_eq!(reqs[0].client_id.as_deref(), Some(f.m2m.id.as_str()));
    assert_eq!(reqs[0].grant_type.as_deref(), Some("client_credentials"));
    assert_eq!(
        reqs[0].params.get("scope").map(String::as_str),
        Some("rs/read")
    );
}

#[test]
fn client_authentication_rules() {
    let f = fx();
    let id = f.m2m.id.as_str();
    let secret = f.m2m.secret.as_deref().unwrap();
    let cc = ("grant_type", "client_credentials");
    // No authentication at all, or the client id alone.
    oauth_err(&token(&f.stub, None, &[cc]), 400, "invalid_client");
    oauth_err(
        &token(&f.stub, None, &[cc, ("client_id", id)]),
        400,
        "invalid_client",
    );
    // The secret in the body (client_secret_post) instead of Basic.
    oauth_err(
        &token(
            &f.stub,
            None,
            &[cc, ("client_id", id), ("client_secret", secret)],
        ),
        400,
        "invalid_client",
    );
    // A wrong secret, an unknown client, a Basic header that is not one.
    oauth_err(
        &token(&f.stub, Some(&basic(id, "wrong")), &[cc]),
        400,
        "invalid_client",
    );
    oauth_err(
        &token(&f.stub, Some(&basic("nosuchclient", secret)), &[cc]),
        400,
        "invalid_client",
    );
    oauth_err(
        &token(&f.stub, Some(&format!("Bearer {secret}")), &[cc]),
        400,
        "invalid_client",
    );
    oauth_err(
        &token(&f.stub, Some("Basic !!!"), &[cc]),
        400,
        "invalid_client",
    );
    oauth_err(
        &token(&f.stub, Some(&format!("Basic {}", B64.encode(id))), &[cc]),
        400,
        "invalid_client",
    );
    // Basic naming one client, the body another.
    oauth_err(
        &token(
            &f.stub,
            Some(&f.m2m_basic()),
            &[cc, ("client_id", "someoneelse")],
        ),
        400,
        "invalid_client",
    );
    // Two authentication methods at once.
    oauth_err(
        &token(
            &f.stub,
            Some(&f.m2m_basic()),
            &[cc, ("client_secret", secret)],
        ),
        400,
        "invalid_request",
    );
    // The same id in Basic and body is fine (Cognito's own examples do it).
    ok(&token(
        &f.stub,
        Some(&f.m2m_basic()),
        &[cc, ("client_id", id)],
    ));

    // Form encoding only, POST only.
    let body = form(&[cc]);
    let r = post(
        &f.stub,
        "/oauth2/token",
        Some(&f.m2m_basic()),
        "application/json",
        &body,
    );
    oauth_err(&r, 405, "invalid_request");
    let r = raw(
        &f.stub,
        "GET /oauth2/token HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    assert_eq!(r.status, 405);
    // Grant types.
    oauth_err(
        &token(&f.stub, Some(&f.m2m_basic()), &[]),
        400,
        "invalid_request",
    );
    oauth_err(
        &token(&f.stub, Some(&f.m2m_basic()), &[("grant_type", "password")]),
        400,
        "unsupported_grant_type",
    );
    // A repeated parameter.
    let r = post(
        &f.stub,
        "/oauth2/token",
        Some(&f.m2m_basic()),
        FORM,
        "grant_type=client_credentials&grant_type=client_credentials",
    );
    oauth_err(&r, 400, "invalid_request");
    // Secrets never recorded.
    assert!(
        f.stub
            .oauth_requests()
            .iter()
            .all(|r| { r.params.get("client_secret").is_none_or(|s| s == "***") })
    );
    let post_body = f.stub.oauth_requests()[2].clone();
    assert!(post_body.secret_in_body && !post_body.basic_auth);
    assert_eq!(post_body.outcome, "invalid_client");

    // client_secret_post where the client allows it.
    let relaxed = f.stub.add_oauth_client(
        &f.pool,
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
        OAuthSpec {
            allow_client_secret_post: true,
            ..OAuthSpec::client_credentials(&["rs/read"])
        },
    );
    let rs = relaxed.secret.as_deref().unwrap();
    ok(&token(
        &f.stub,
        None,
        &[cc, ("client_id", &relaxed.id), ("client_secret", rs)],
    ));
    oauth_err(
        &token(
            &f.stub,
            None,
            &[cc, ("client_id", &relaxed.id), ("client_secret", "x")],
        ),
        400,
        "invalid_client",
    );
}

#[test]
fn client_credentials_scopes_and_clients() {
    let f = fx();
    let auth = f.m2m_basic();
    let cc = ("grant_type", "client_credentials");
    for bad in [
        "rs/admin",
        "rs/read rs/admin",
        "openid",
        "rs/read,rs/write",
        "other/read",
    ] {
        oauth_err(
            &token(&f.stub, Some(&auth), &[cc, ("scope", bad)]),
            400,
            "invalid_scope",
        );
    }
    // A public client cannot use client_credentials.
    let public = f.stub.add_oauth_client(
        &f.pool,
        ClientSpec::default(),
        OAuthSpec::code(CALLBACK, &["openid", "rs/read"]),
    );
    oauth_err(
        &token(&f.stub, None, &[cc, ("client_id", &public.id)]),
        400,
        "unauthorized_client",
    );
    // A client with a secret, without the flow.
    let web = f.stub.add_oauth_client(
        &f.pool,
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
        OAuthSpec::code(CALLBACK, &["openid", "rs/read"]),
    );
    oauth_err(
        &token(
            &f.stub,
            Some(&basic(&web.id, web.secret.as_deref().unwrap())),
            &[cc],
        ),
        400,
        "unauthorized_client",
    );
    // A client with a secret and no OAuth settings at all.
    let plain = f.stub.add_client(
        &f.pool,
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
    );
    oauth_err(
        &token(
            &f.stub,
            Some(&basic(&plain.id, plain.secret.as_deref().unwrap())),
            &[cc],
        ),
        400,
        "unauthorized_client",
    );
}

#[test]
#[should_panic(expected = "ScopeDoesNotExistException")]
fn unknown_custom_scope_is_refused_at_registration() {
    let f = fx();
    f.stub.add_oauth_client(
        &f.pool,
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
        OAuthSpec::client_credentials(&["nosuch/read"]),
    );
}

// ---------------------------------------------------------------- authorization code

/// A PKCE pair: a 64-character verifier and its S256 challenge (RFC 7636 §4.2),
/// computed here with `sha2` independently of the stub.
fn pkce() -> (String, String) {
    use sha2::{Digest, Sha256};
    let mut bytes = [0u8; 48];
    getrandom::getrandom(&mut bytes).unwrap();
    let verifier = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn get_path(stub: &Stub, path_and_query: &str) -> Resp {
    raw(
        stub,
        &format!("GET {path_and_query} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    )
    .unwrap()
}

fn authorize(stub: &Stub, pairs: &[(&str, &str)]) -> Resp {
    get_path(stub, &format!("/oauth2/authorize?{}", form(pairs)))
}

/// The query parameters of a redirect's `Location`, after checking it starts with `base?`.
fn redirected(r: &Resp, base: &str) -> std::collections::BTreeMap<String, String> {
    assert_eq!(r.status, 302, "{}", r.body);
    let loc = r.header("location").expect("Location");
    let query = loc
        .strip_prefix(base)
        .and_then(|q| q.strip_prefix('?'))
        .unwrap_or_else(|| panic!("{loc} does not start with {base}?"));
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// The hidden `session` of a login page.
fn session_of(page: &Resp) -> String {
    assert_eq!(page.status, 200, "{}", page.body);
    let b = &page.body;
    for needle in [
        "<form id=\"login-form\" method=\"post\" action=\"/login\">",
        "<input id=\"username\" name=\"username\"",
        "<input id=\"password\" name=\"password\" type=\"password\"",
        "<button id=\"signin\"",
    ] {
        assert!(b.contains(needle), "{needle} missing from {b}");
    }
    let start = b.find("name=\"session\" value=\"").unwrap() + "name=\"session\" value=\"".len();
    b[start..start + b[start..].find('"').unwrap()].to_owned()
}

fn login(stub: &Stub, session: &str, user: &str, password: &str) -> Resp {
    post(
        stub,
        "/login",
        None,
        FORM,
        &form(&[
            ("session", session),
            ("username", user),
            ("password", password),
        ]),
    )
}

struct CodeFx {
    f: Fx,
    /// Secret, code flow, two callback URLs, `openid email rs/read`.
    web: ClientInfo,
    /// No secret, code flow, `openid profile rs/read`.
    public: ClientInfo,
}

const OTHER_CALLBACK: &str = "http://localhost:8976/other";

fn code_fx() -> CodeFx {
    let f = fx();
    let web = f.stub.add_oauth_client(
        &f.pool,
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
        OAuthSpec {
            callback_urls: vec![CALLBACK.into(), OTHER_CALLBACK.into()],
            identity_providers: vec!["COGNITO".into(), "Google".into()],
            ..OAuthSpec::code(CALLBACK, &["openid", "email", "rs/read"])
        },
    );
    let public = f.stub.add_oauth_client(
        &f.pool,
        ClientSpec::default(),
        OAuthSpec::code(CALLBACK, &["openid", "profile", "rs/read"]),
    );
    CodeFx { f, web, public }
}

impl CodeFx {
    fn web_basic(&self) -> String {
        basic(&self.web.id, self.web.secret.as_deref().unwrap())
    }

    /// Signs alice in through the login page for `client`; returns (code, verifier).
    fn code_for(&self, client: &str, redirect_uri: &str, scope: &str) -> (String, String) {
        let (verifier, challenge) = pkce();
        let page = authorize(
            &self.f.stub,
            &[
                ("response_type", "code"),
                ("client_id", client),
                ("redirect_uri", redirect_uri),
                ("scope", scope),
                ("state", "st-1"),
                ("code_challenge_method", "S256"),
                ("code_challenge", &challenge),
            ],
        );
        let session = session_of(&page);
        let q = redirected(
            &login(&self.f.stub, &session, "alice", "Passw0rd!"),
            redirect_uri,
        );
        assert_eq!(q["state"], "st-1");
        (q["code"].clone(), verifier)
    }

    fn redeem(&self, auth: Option<&str>, pairs: &[(&str, &str)]) -> Resp {
        let mut all = vec![("grant_type", "authorization_code")];
        all.extend_from_slice(pairs);
        token(&self.f.stub, auth, &all)
    }
}

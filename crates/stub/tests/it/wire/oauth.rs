//! The OAuth 2.0 side of the stub: `/oauth2/token`, `/oauth2/authorize`, the
//! login page, `/oauth2/revoke`. Each test breaks one rule and expects
//! Cognito's answer, so it fails if the stub stopped enforcing that rule.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use cognito_stub::{ClientInfo, ClientSpec, OAuthSpec, PoolSpec, Stub, UserSpec};
use serde_json::Value;

use super::{Resp, claims, raw, verify};

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

#[test]
fn code_flow_through_the_login_page() {
    let c = code_fx();
    let stub = &c.f.stub;
    let (verifier, challenge) = pkce();
    let state = "a b&c=d/é";
    let page = authorize(
        stub,
        &[
            ("response_type", "code"),
            ("client_id", &c.web.id),
            ("redirect_uri", CALLBACK),
            ("scope", "openid email rs/read"),
            ("state", state),
            ("nonce", "n-0S6"),
            ("code_challenge_method", "S256"),
            ("code_challenge", &challenge),
        ],
    );
    let session = session_of(&page);
    assert!(!page.body.contains("id=\"error\""));
    // The page can be shown again by its session.
    assert_eq!(
        session_of(&get_path(stub, &format!("/login?session={session}"))),
        session
    );

    // Wrong password, unknown user: the form again with Cognito's message, no redirect.
    for (u, p) in [("alice", "wrong"), ("bob", "Passw0rd!")] {
        let r = login(stub, &session, u, p);
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.header("location").is_none());
        assert!(
            r.body
                .contains("<p id=\"error\" role=\"alert\">Incorrect username or password.</p>"),
            "{}",
            r.body
        );
        assert_eq!(session_of(&r), session);
    }
    let q = redirected(&login(stub, &session, "alice", "Passw0rd!"), CALLBACK);
    assert_eq!(q["state"], state);
    assert_eq!(q.len(), 2, "{q:?}");
    // The sign-in session is single use.
    assert_eq!(login(stub, &session, "alice", "Passw0rd!").status, 400);

    let v = ok(&c.redeem(
        Some(&c.web_basic()),
        &[
            ("code", &q["code"]),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
    ));
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    let id = verify(
        stub,
        &c.f.pool,
        v["id_token"].as_str().unwrap(),
        Some(&c.web.id),
    );
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["nonce"], "n-0S6");
    let at = v["access_token"].as_str().unwrap();
    let access = verify(stub, &c.f.pool, at, None);
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["scope"], "openid email rs/read");
    assert_eq!(access["username"], "alice");
    assert_eq!(access["client_id"], c.web.id.as_str());
    assert_eq!(access["sub"], id["sub"]);
    assert!(access.get("aud").is_none());
    // at_hash: left half of SHA-256 of the access token (OIDC Core §3.1.3.6).
    {
        use sha2::{Digest, Sha256};
        let d = Sha256::digest(at.as_bytes());
        assert_eq!(
            id["at_hash"],
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&d[..16])
        );
    }
    let refresh = v["refresh_token"].as_str().unwrap().to_owned();

    // Refresh: new ID and access tokens, no refresh token.
    let v = ok(&token(
        stub,
        Some(&c.web_basic()),
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    ));
    assert!(v.get("refresh_token").is_none(), "{v}");
    assert_eq!(
        claims(v["access_token"].as_str().unwrap())["scope"],
        "openid email rs/read"
    );
    assert_eq!(
        claims(v["id_token"].as_str().unwrap())["cognito:username"],
        "alice"
    );

    // The public client: no secret, client_id in the body, no ID token without openid.
    let (code, verifier) = c.code_for(&c.public.id, CALLBACK, "rs/read");
    let v = ok(&c.redeem(
        None,
        &[
            ("client_id", &c.public.id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
    ));
    assert!(v.get("id_token").is_none(), "{v}");
    assert_eq!(
        claims(v["access_token"].as_str().unwrap())["scope"],
        "rs/read"
    );
}

#[test]
fn codes_are_single_use_and_bound() {
    let c = code_fx();
    let auth = c.web_basic();
    // Reuse.
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    let pairs = [
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", &verifier),
    ];
    ok(&c.redeem(Some(&auth), &pairs));
    oauth_err(&c.redeem(Some(&auth), &pairs), 400, "invalid_grant");
    // Made up.
    oauth_err(
        &c.redeem(
            Some(&auth),
            &[
                ("code", "nosuchcode"),
                ("redirect_uri", CALLBACK),
                ("code_verifier", &verifier),
            ],
        ),
        400,
        "invalid_grant",
    );
    // Another client's code (and it is gone afterwards).
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    let stolen = [
        ("client_id", c.public.id.as_str()),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", &verifier),
    ];
    oauth_err(&c.redeem(None, &stolen), 400, "invalid_grant");
    oauth_err(
        &c.redeem(
            Some(&auth),
            &[
                ("code", &code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", &verifier),
            ],
        ),
        400,
        "invalid_grant",
    );
    // A registered redirect URI, but not the one the code was issued for.
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    oauth_err(
        &c.redeem(
            Some(&auth),
            &[
                ("code", &code),
                ("redirect_uri", OTHER_CALLBACK),
                ("code_verifier", &verifier),
            ],
        ),
        400,
        "invalid_grant",
    );
    // The other callback works for codes issued to it.
    let (code, verifier) = c.code_for(&c.web.id, OTHER_CALLBACK, "openid");
    ok(&c.redeem(
        Some(&auth),
        &[
            ("code", &code),
            ("redirect_uri", OTHER_CALLBACK),
            ("code_verifier", &verifier),
        ],
    ));
    // An unregistered redirect URI (a trailing slash): unauthorized_client.
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    let slash = format!("{CALLBACK}/");
    oauth_err(
        &c.redeem(
            Some(&auth),
            &[
                ("code", &code),
                ("redirect_uri", &slash),
                ("code_verifier", &verifier),
            ],
        ),
        400,
        "unauthorized_client",
    );
    // Missing parameters.
    oauth_err(
        &c.redeem(Some(&auth), &[("redirect_uri", CALLBACK)]),
        400,
        "invalid_request",
    );
    oauth_err(
        &c.redeem(Some(&auth), &[("code", &code)]),
        400,
        "invalid_request",
    );
}

#[test]
fn pkce_is_verified() {
    let c = code_fx();
    let auth = c.web_basic();
    let redeem_with = |verifier: Option<&str>| {
        let (code, _) = c.code_for(&c.web.id, CALLBACK, "openid");
        let mut pairs = vec![("code", code.as_str()), ("redirect_uri", CALLBACK)];
        if let Some(v) = verifier {
            pairs.push(("code_verifier", v));
        }
        c.redeem(Some(&auth), &pairs)
    };
    let (other_verifier, _) = pkce();
    oauth_err(&redeem_with(None), 400, "invalid_grant");
    oauth_err(&redeem_with(Some(&other_verifier)), 400, "invalid_grant");
    oauth_err(&redeem_with(Some("short")), 400, "invalid_grant");
    // The challenge itself is not the verifier ("plain" is not supported).
    let (verifier, challenge) = pkce();
    let page = authorize(
        &c.f.stub,
        &[
            ("response_type", "code"),
            ("client_id", &c.web.id),
            ("redirect_uri", CALLBACK),
            ("code_challenge_method", "S256"),
            ("code_challenge", &challenge),
        ],
    );
    let q = redirected(
        &login(&c.f.stub, &session_of(&page), "alice", "Passw0rd!"),
        CALLBACK,
    );
    assert!(!q.contains_key("state"));
    oauth_err(
        &c.redeem(
            Some(&auth),
            &[
                ("code", &q["code"]),
                ("redirect_uri", CALLBACK),
                ("code_verifier", &challenge),
            ],
        ),
        400,
        "invalid_grant",
    );
    let _ = verifier;
}

#[test]
fn codes_expire_after_five_minutes() {
    let c = code_fx();
    let auth = c.web_basic();
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    c.f.stub.set_time_offset(299);
    ok(&c.redeem(
        Some(&auth),
        &[
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
    ));
    c.f.stub.set_time_offset(0);
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    c.f.stub.set_time_offset(301);
    oauth_err(
        &c.redeem(
            Some(&auth),
            &[
                ("code", &code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", &verifier),
            ],
        ),
        400,
        "invalid_grant",
    );
}

#[test]
fn confidential_clients_redeem_codes_with_basic_only() {
    let c = code_fx();
    let secret = c.web.secret.as_deref().unwrap();
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    let base = [
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", &verifier),
    ];
    fn with<'a>(
        base: &[(&'a str, &'a str)],
        extra: &[(&'a str, &'a str)],
    ) -> Vec<(&'a str, &'a str)> {
        let mut p = base.to_vec();
        p.extend_from_slice(extra);
        p
    }
    oauth_err(
        &c.redeem(None, &with(&base, &[("client_id", &c.web.id)])),
        400,
        "invalid_client",
    );
    oauth_err(
        &c.redeem(
            None,
            &with(
                &base,
                &[("client_id", &c.web.id), ("client_secret", secret)],
            ),
        ),
        400,
        "invalid_client",
    );
    oauth_err(
        &c.redeem(Some(&basic(&c.web.id, "nope")), &base),
        400,
        "invalid_client",
    );
    // A public client must not send a secret.
    oauth_err(
        &c.redeem(Some(&basic(&c.public.id, "x")), &base),
        400,
        "invalid_client",
    );
    // Client authentication failures do not use the code up.
    ok(&c.redeem(Some(&c.web_basic()), &base));
}

#[test]
fn authorize_checks_client_and_redirect_uri_before_anything_else() {
    let c = code_fx();
    let stub = &c.f.stub;
    let (_, challenge) = pkce();
    let good = |client: &str, redirect_uri: &str| {
        vec![
            ("response_type", "code".to_owned()),
            ("client_id", client.to_owned()),
            ("redirect_uri", redirect_uri.to_owned()),
            ("state", "s1".to_owned()),
            ("code_challenge_method", "S256".to_owned()),
            ("code_challenge", challenge.clone()),
        ]
    };
    let run = |pairs: Vec<(&str, String)>| {
        let p: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        authorize(stub, &p)
    };
    // Redirect mismatches: an error page, never a redirect.
    for uri in [
        format!("{CALLBACK}/"),
        "http://127.0.0.1:8976/callback".to_owned(),
        "http://localhost:8977/callback".to_owned(),
        "HTTP://localhost:8976/callback".to_owned(),
        "https://evil.example/callback".to_owned(),
        String::new(),
    ] {
        let r = run(good(&c.web.id, &uri));
        assert_eq!(r.status, 400, "{uri}: {}", r.body);
        assert!(r.header("location").is_none());
        assert!(r.body.contains("error=redirect_mismatch"), "{}", r.body);
    }
    // Unknown client, client without OAuth settings: an error page too.
    let plain = stub.add_client(&c.f.pool, ClientSpec::default());
    for id in ["nosuchclient", plain.id.as_str()] {
        let r = run(good(id, CALLBACK));
        assert_eq!(r.status, 400);
        assert!(r.header("location").is_none());
    }
    // The m2m client has no callback URL at all.
    assert_eq!(run(good(&c.f.m2m.id, CALLBACK)).status, 400);
    // The good request shows the form.
    session_of(&run(good(&c.web.id, CALLBACK)));
}

#[test]
fn authorize_reports_other_errors_to_the_callback() {
    let c = code_fx();
    let stub = &c.f.stub;
    let (_, challenge) = pkce();
    let base = |c2: &CodeFx| {
        vec![
            ("response_type", "code".to_owned()),
            ("client_id", c2.web.id.clone()),
            ("redirect_uri", CALLBACK.to_owned()),
            ("state", "s&1".to_owned()),
            ("code_challenge_method", "S256".to_owned()),
            ("code_challenge", challenge.clone()),
        ]
    };
    let expect = |pairs: Vec<(&str, String)>, error: &str| {
        let p: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let q = redirected(&authorize(stub, &p), CALLBACK);
        assert_eq!(q.get("error").map(String::as_str), Some(error), "{p:?}");
        assert_eq!(q.get("state").map(String::as_str), Some("s&1"));
        assert!(!q.contains_key("code"));
    };
    let set = |mut v: Vec<(&'static str, String)>, k: &'static str, val: Option<&str>| {
        v.retain(|(kk, _)| *kk != k);
        if let Some(val) = val {
            v.push((k, val.to_owned()));
        }
        v
    };
    expect(
        set(base(&c), "response_type", Some("token")),
        "invalid_request",
    );
    expect(set(base(&c), "response_type", None), "invalid_request");
    // PKCE: required by the stub, S256 only, a well-formed challenge.
    expect(set(base(&c), "code_challenge", None), "invalid_request");
    expect(
        set(
            set(base(&c), "code_challenge", None),
            "code_challenge_method",
            None,
        ),
        "invalid_request",
    );
    expect(
        set(base(&c), "code_challenge_method", Some("plain")),
        "invalid_request",
    );
    expect(
        set(base(&c), "code_challenge_method", None),
        "invalid_request",
    );
    expect(
        set(base(&c), "code_challenge", Some("tooshort")),
        "invalid_request",
    );
    // Scopes.
    expect(
        set(base(&c), "scope", Some("openid rs/write")),
        "invalid_scope",
    );
    expect(
        set(base(&c), "scope", Some("openid profile")),
        "invalid_scope",
    );
    expect(set(base(&c), "scope", Some("email")), "invalid_scope");
    // Identity providers.
    expect(
        set(base(&c), "identity_provider", Some("Facebook")),
        "invalid_request",
    );
    session_of(&{
        let p = set(base(&c), "identity_provider", Some("COGNITO"));
        let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        authorize(stub, &p)
    });
    // Google is supported but no federated user is set: the IdP "fails".
    expect(
        set(base(&c), "identity_provider", Some("Google")),
        "invalid_request",
    );
    // The test hook.
    stub.set_authorize_error(Some("access_denied"));
    expect(base(&c), "access_denied");
    stub.set_authorize_error(None);
    session_of(&{
        let p = base(&c);
        let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        authorize(stub, &p)
    });
    // A client without the code flow.
    let cc_only = stub.add_oauth_client(
        &c.f.pool,
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
        OAuthSpec {
            callback_urls: vec![CALLBACK.into()],
            ..OAuthSpec::client_credentials(&["rs/read"])
        },
    );
    expect(
        set(base(&c), "client_id", Some(&cc_only.id)),
        "unauthorized_client",
    );
}

#[test]
fn federated_sign_in_and_default_scopes() {
    let c = code_fx();
    let stub = &c.f.stub;
    stub.set_federated_user(&c.f.pool, "Google", "alice");
    let (verifier, challenge) = pkce();
    let r = authorize(
        stub,
        &[
            ("response_type", "code"),
            ("client_id", &c.web.id),
            ("redirect_uri", CALLBACK),
            ("identity_provider", "Google"),
            ("state", "g"),
            ("code_challenge_method", "S256"),
            ("code_challenge", &challenge),
        ],
    );
    let q = redirected(&r, CALLBACK);
    assert_eq!(q["state"], "g");
    let v = ok(&c.redeem(
        Some(&c.web_basic()),
        &[
            ("code", &q["code"]),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
    ));
    // No scope asked: all the client's scopes.
    assert_eq!(
        claims(v["access_token"].as_str().unwrap())["scope"],
        "openid email rs/read"
    );
    assert_eq!(
        claims(v["id_token"].as_str().unwrap())["cognito:username"],
        "alice"
    );
}

#[test]
fn pkce_can_be_optional_like_cognito() {
    let f = fx();
    let lax = f.stub.add_oauth_client(
        &f.pool,
        ClientSpec::default(),
        OAuthSpec {
            require_pkce: false,
            ..OAuthSpec::code(CALLBACK, &["openid"])
        },
    );
    let page = authorize(
        &f.stub,
        &[
            ("response_type", "code"),
            ("client_id", &lax.id),
            ("redirect_uri", CALLBACK),
        ],
    );
    let q = redirected(
        &login(&f.stub, &session_of(&page), "alice", "Passw0rd!"),
        CALLBACK,
    );
    ok(&token(
        &f.stub,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &lax.id),
            ("code", &q["code"]),
            ("redirect_uri", CALLBACK),
        ],
    ));
}

#[test]
fn login_page_refuses_users_it_cannot_sign_in() {
    let c = code_fx();
    let stub = &c.f.stub;
    stub.add_user(
        &c.f.pool,
        UserSpec {
            temporary: true,
            ..UserSpec::new("temp", "Passw0rd!")
        },
    );
    stub.add_user(
        &c.f.pool,
        UserSpec {
            enabled: false,
            ..UserSpec::new("off", "Passw0rd!")
        },
    );
    let (_, challenge) = pkce();
    let page = authorize(
        stub,
        &[
            ("response_type", "code"),
            ("client_id", &c.public.id),
            ("redirect_uri", CALLBACK),
            ("code_challenge_method", "S256"),
            ("code_challenge", &challenge),
        ],
    );
    let session = session_of(&page);
    for (user, msg) in [("off", "User is disabled."), ("temp", "temporary password")] {
        let r = login(stub, &session, user, "Passw0rd!");
        assert_eq!(r.status, 200);
        assert!(r.body.contains(msg), "{}", r.body);
    }
    // A made-up session.
    assert_eq!(
        login(stub, "nosuchsession", "alice", "Passw0rd!").status,
        400
    );
    // The password is never recorded.
    assert!(
        stub.oauth_requests()
            .iter()
            .all(|r| r.params.get("password").is_none_or(|p| p == "***"))
    );
}

// ---------------------------------------------------------------- refresh and revoke

#[test]
fn refresh_tokens_are_bound_and_revocable() {
    let c = code_fx();
    let stub = &c.f.stub;
    let redeem = |client: &ClientInfo, auth: Option<&str>| {
        let (code, verifier) = c.code_for(&client.id, CALLBACK, "openid rs/read");
        let v = ok(&c.redeem(
            auth,
            &[
                ("client_id", &client.id),
                ("code", &code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", &verifier),
            ],
        ));
        v["refresh_token"].as_str().unwrap().to_owned()
    };
    let web_rt = redeem(&c.web, Some(&c.web_basic()));
    let pub_rt = redeem(&c.public, None);
    let refresh = |auth: Option<&str>, client: Option<&str>, rt: &str| {
        let mut p = vec![("grant_type", "refresh_token"), ("refresh_token", rt)];
        if let Some(id) = client {
            p.push(("client_id", id));
        }
        token(stub, auth, &p)
    };
    // Bound to its client.
    oauth_err(
        &refresh(None, Some(&c.public.id), &web_rt),
        400,
        "invalid_grant",
    );
    oauth_err(
        &refresh(Some(&c.web_basic()), None, &pub_rt),
        400,
        "invalid_grant",
    );
    oauth_err(
        &refresh(Some(&c.web_basic()), None, "nosuchtoken"),
        400,
        "invalid_grant",
    );
    oauth_err(
        &token(
            stub,
            Some(&c.web_basic()),
            &[("grant_type", "refresh_token")],
        ),
        400,
        "invalid_request",
    );
    ok(&refresh(Some(&c.web_basic()), None, &web_rt));
    ok(&refresh(None, Some(&c.public.id), &pub_rt));

    let revoke = |auth: Option<&str>, pairs: &[(&str, &str)]| {
        post(stub, "/oauth2/revoke", auth, FORM, &form(pairs))
    };
    // Client authentication: 401 invalid_client.
    oauth_err(
        &revoke(None, &[("token", &web_rt), ("client_id", &c.web.id)]),
        401,
        "invalid_client",
    );
    oauth_err(
        &revoke(
            None,
            &[
                ("token", &web_rt),
                ("client_id", &c.web.id),
                ("client_secret", c.web.secret.as_deref().unwrap()),
            ],
        ),
        401,
        "invalid_client",
    );
    oauth_err(
        &revoke(Some(&basic(&c.web.id, "nope")), &[("token", &web_rt)]),
        401,
        "invalid_client",
    );
    // No token; an access token instead of a refresh token.
    oauth_err(&revoke(Some(&c.web_basic()), &[]), 400, "invalid_request");
    let v = ok(&refresh(Some(&c.web_basic()), None, &web_rt));
    oauth_err(
        &revoke(
            Some(&c.web_basic()),
            &[("token", v["access_token"].as_str().unwrap())],
        ),
        400,
        "unsupported_token_type",
    );
    // Unknown token, another client's token: 200, nothing revoked.
    let r = revoke(Some(&c.web_basic()), &[("token", "nosuchtoken")]);
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    assert_eq!(
        revoke(Some(&c.web_basic()), &[("token", &pub_rt)]).status,
        200
    );
    ok(&refresh(None, Some(&c.public.id), &pub_rt));
    // Revoked: the refresh grant fails.
    let r = revoke(Some(&c.web_basic()), &[("token", &web_rt)]);
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    oauth_err(
        &refresh(Some(&c.web_basic()), None, &web_rt),
        400,
        "invalid_grant",
    );
    let r = revoke(None, &[("token", &pub_rt), ("client_id", &c.public.id)]);
    assert_eq!(r.status, 200);
    oauth_err(
        &refresh(None, Some(&c.public.id), &pub_rt),
        400,
        "invalid_grant",
    );
    // A disabled user cannot refresh.
    let rt = redeem(&c.web, Some(&c.web_basic()));
    stub.disable_user(&c.f.pool, "alice");
    oauth_err(
        &refresh(Some(&c.web_basic()), None, &rt),
        400,
        "invalid_grant",
    );
    let revokes = stub
        .oauth_requests()
        .iter()
        .filter(|r| r.endpoint == "POST /oauth2/revoke")
        .count();
    assert_eq!(revokes, 9);
}

#[test]
fn revocation_can_be_disabled() {
    let f = fx();
    let c = f.stub.add_oauth_client(
        &f.pool,
        ClientSpec::default(),
        OAuthSpec {
            enable_token_revocation: false,
            ..OAuthSpec::code(CALLBACK, &["openid"])
        },
    );
    let r = post(
        &f.stub,
        "/oauth2/revoke",
        None,
        FORM,
        &form(&[("token", "x"), ("client_id", &c.id)]),
    );
    oauth_err(&r, 400, "invalid_request");
}

#[test]
fn rotating_clients_get_a_new_refresh_token_and_lose_the_old() {
    let f = fx();
    let rot = f.stub.add_oauth_client(
        &f.pool,
        ClientSpec::default(),
        OAuthSpec {
            rotate_refresh_tokens: true,
            ..OAuthSpec::code(CALLBACK, &["openid"])
        },
    );
    let (verifier, challenge) = pkce();
    let url = format!(
        "{}/oauth2/authorize?{}",
        f.stub.domain(),
        form(&[
            ("response_type", "code"),
            ("client_id", &rot.id),
            ("redirect_uri", CALLBACK),
            ("code_challenge_method", "S256"),
            ("code_challenge", &challenge),
        ])
    );
    let loc = f.stub.sign_in(&url, "alice", "Passw0rd!").unwrap();
    let q: std::collections::BTreeMap<String, String> =
        form_urlencoded::parse(loc.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    let v = ok(&token(
        &f.stub,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &rot.id),
            ("code", &q["code"]),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
    ));
    let first = v["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |rt: &str| {
        token(
            &f.stub,
            None,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &rot.id),
                ("refresh_token", rt),
            ],
        )
    };
    let v = ok(&refresh(&first));
    let second = v["refresh_token"]
        .as_str()
        .expect("rotated refresh token")
        .to_owned();
    assert_ne!(first, second);
    oauth_err(&refresh(&first), 400, "invalid_grant");
    ok(&refresh(&second));
}

#[test]
fn scripted_browser_signs_in_and_delivers_the_callback() {
    let c = code_fx();
    let stub = &c.f.stub;
    let (verifier, challenge) = pkce();
    let url = |redirect_uri: &str| {
        format!(
            "{}/oauth2/authorize?{}",
            stub.domain(),
            form(&[
                ("response_type", "code"),
                ("client_id", &c.web.id),
                ("redirect_uri", redirect_uri),
                ("scope", "openid"),
                ("state", "xyz"),
                ("code_challenge_method", "S256"),
                ("code_challenge", &challenge),
            ])
        )
    };
    // What the stub shows instead of redirecting.
    let e = stub.sign_in(
        &url("http://localhost:8976/elsewhere"),
        "alice",
        "Passw0rd!",
    );
    assert_eq!(e.unwrap_err(), "error=redirect_mismatch");
    let e = stub.sign_in(&url(CALLBACK), "alice", "nope");
    assert_eq!(e.unwrap_err(), "Incorrect username or password.");
    assert!(
        stub.sign_in("https://example.com/oauth2/authorize", "a", "b")
            .is_err()
    );
    // Errors reported to the callback come back as its Location.
    stub.set_authorize_error(Some("access_denied"));
    let loc = stub.sign_in(&url(CALLBACK), "alice", "Passw0rd!").unwrap();
    assert_eq!(loc, format!("{CALLBACK}?error=access_denied&state=xyz"));
    stub.set_authorize_error(None);

    // A callback listener standing in for the CLI's.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let callback = format!("http://localhost:{port}/callback");
    let c2 = stub.add_oauth_client(
        &c.f.pool,
        ClientSpec::default(),
        OAuthSpec::code(&callback, &["openid"]),
    );
    let server = std::thread::spawn(move || {
        use std::io::{BufRead, BufReader, Write};
        let (mut s, _) = listener.accept().unwrap();
        let mut line = String::new();
        BufReader::new(&s).read_line(&mut line).unwrap();
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nsigned in")
            .unwrap();
        line
    });
    let authorize_url = format!(
        "{}/oauth2/authorize?{}",
        stub.domain(),
        form(&[
            ("response_type", "code"),
            ("client_id", &c2.id),
            ("redirect_uri", &callback),
            ("state", "s2"),
            ("code_challenge_method", "S256"),
            ("code_challenge", &challenge),
        ])
    );
    let loc = stub.sign_in(&authorize_url, "alice", "Passw0rd!").unwrap();
    assert!(loc.starts_with(&format!("{callback}?code=")), "{loc}");
    let r = cognito_stub::http_get(&loc).unwrap();
    assert_eq!((r.status, r.body.as_str()), (200, "signed in"));
    let request_line = server.join().unwrap();
    assert!(
        request_line.starts_with("GET /callback?code="),
        "{request_line}"
    );
    assert!(
        request_line.contains("&state=s2 HTTP/1.1"),
        "{request_line}"
    );
    let code = loc
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    ok(&token(
        stub,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &c2.id),
            ("code", code),
            ("redirect_uri", &callback),
            ("code_verifier", &verifier),
        ],
    ));
}

#[test]
fn faults_apply_to_the_oauth_endpoints() {
    let f = fx();
    f.stub
        .set_fault(Some(cognito_stub::Fault::ServerError { times: 1 }));
    let r = token(
        &f.stub,
        Some(&f.m2m_basic()),
        &[("grant_type", "client_credentials")],
    );
    assert_eq!(r.status, 500);
    ok(&token(
        &f.stub,
        Some(&f.m2m_basic()),
        &[("grant_type", "client_credentials")],
    ));
    f.stub.set_fault(Some(cognito_stub::Fault::Garbage));
    let r = token(
        &f.stub,
        Some(&f.m2m_basic()),
        &[("grant_type", "client_credentials")],
    );
    assert!(serde_json::from_str::<Value>(&r.body).is_err());
}

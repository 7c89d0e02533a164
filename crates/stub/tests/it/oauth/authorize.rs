//! `/oauth2/authorize`'s own checks: client and redirect URI first, other
//! errors to the callback, federated sign-in, optional PKCE, the login page's refusals.

use super::*;

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

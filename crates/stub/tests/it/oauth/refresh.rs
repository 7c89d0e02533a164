//! Refresh and revocation at the domain, rotation, the scripted browser and
//! faults on the OAuth endpoints.

use super::*;

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

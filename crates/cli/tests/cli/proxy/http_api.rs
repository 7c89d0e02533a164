//! `--api http`: the proxy as an HTTP API's JWT authorizer (issuer: the
//! pool; audience: `--client-id`), through the binary. Expected answers:
//! AWS's JWT authorizer and troubleshooting pages (README, "API Gateway's
//! answers").

use super::*;

#[test]
fn an_http_api_proxy_answers_like_a_jwt_authorizer() {
    let w = world();
    let up = Upstream::start();
    let p = Proxy::start(
        &w,
        &up.url(),
        &[
            "--api",
            "http",
            "--scope",
            "GET /admin/*=api/admin",
            "--claims-header",
            "X-Claims",
        ],
    );
    let (pool, client) = (&w.pool, &w.client.id);
    let id = w.stub.sign_id_token(pool, client, "alice", json!({}));
    let admin = w
        .stub
        .sign_access_token(pool, client, "alice", json!({"scope": "api/admin"}));
    let other = w.stub.add_client(pool, ClientSpec::default());
    let foreign = w.stub.sign_id_token(pool, &other.id, "alice", json!({}));

    let r = get(&p.addr, "GET", "/x", &[]);
    assert_eq!((r.status, r.text().as_str()), (401, UNAUTHORIZED), "{r:?}");
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    assert!(r.header("apigw-requestid").is_some(), "{r:?}");
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &foreign)]);
    assert_eq!(r.status, 401, "{r:?}");
    assert_eq!(
        r.header("www-authenticate"),
        Some(
            r#"Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience""#
        )
    );
    let r = get(&p.addr, "GET", "/admin/users", &[("Authorization", &id)]);
    assert_eq!(
        (r.status, r.text().as_str()),
        (403, r#"{"message":"Forbidden"}"#),
        "{r:?}"
    );
    assert!(
        r.header("www-authenticate")
            .is_some_and(|w| w.contains(r#"error="insufficient_scope""#)),
        "{r:?}"
    );
    assert_eq!(up.count(), 0);

    // An ID token opens a route without scopes (the JWT authorizer has no
    // token-use rule), an access token with the scope the scoped one.
    for (path, token) in [("/x", &id), ("/admin/users", &admin)] {
        let r = get(
            &p.addr,
            "GET",
            path,
            &[("Authorization", &format!("Bearer {token}"))],
        );
        assert_eq!(r.status, 200, "{path}: {r:?}");
    }
    let seen = String::from_utf8_lossy(&up.last()).into_owned();
    let line = seen
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("x-claims:"))
        .unwrap();
    let jwt: serde_json::Value = serde_json::from_str(line.split_once(':').unwrap().1).unwrap();
    assert_eq!(jwt["scopes"], json!(["api/admin"]), "{jwt}");
    assert_eq!(jwt["claims"]["client_id"], json!(client), "{jwt}");
    assert!(jwt["claims"]["iat"].is_string(), "{jwt}");
}

#[test]
fn an_http_api_needs_an_audience() {
    let w = world();
    let up = Upstream::start();
    let err = w
        .cmd(&[
            "proxy",
            "--upstream",
            &up.url(),
            "--api",
            "http",
            "--issuer",
            &w.stub.issuer(&w.pool),
            "--endpoint-url",
            &w.stub.endpoint(),
        ])
        .env_remove("COGNITO_CLIENT_ID")
        .run()
        .fails(2, "--client-id");
    assert!(err.contains("audience"), "{err}");
    // A Chalice app is a REST API.
    let app = w.dir.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("app.py"), "@app.route('/a')\ndef a(): pass\n").unwrap();
    w.cmd(&[
        "proxy",
        "--upstream",
        &up.url(),
        "--api",
        "http",
        "--chalice-app",
        app.to_str().unwrap(),
        "--issuer",
        &w.stub.issuer(&w.pool),
        "--endpoint-url",
        &w.stub.endpoint(),
    ])
    .run()
    .fails(2, "REST API");
}

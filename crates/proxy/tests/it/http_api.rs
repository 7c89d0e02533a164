//! `ApiType::Http`: a JWT authorizer's checks and answers, and what the
//! integration sees. Expected values: AWS's JWT authorizer page (checks),
//! its troubleshooting page (the 401's `www-authenticate` layout and the
//! audience description), the payload 2.0 shape of
//! `requestContext.authorizer.jwt`.

use super::*;

const UNAUTHORIZED: &str = r#"{"message":"Unauthorized"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jwt_authorizer_checks_and_answers_as_api_gateway() {
    let p = Pool::new();
    let (up, seen) = upstream().await;
    let jwt = Authorizer::Jwt {
        issuer: p.stub.issuer(&p.pool),
        audience: vec![p.client.clone()],
    };
    let mut t = RouteTable::new(Api::Http, jwt.clone());
    t.push(route(
        "GET",
        "/admin/{proxy+}",
        scoped(&jwt, &["api/admin"]),
    ))
    .unwrap();
    t.push(route("GET", "/health", Auth::None)).unwrap();
    let r = start(&p, &up, t).await;

    let other_client = p.stub.add_client(&p.pool, ClientSpec::default()).id;
    let foreign = p
        .stub
        .sign_id_token(&p.pool, &other_client, "alice", json!({}));
    let id = p.id(json!({}));
    let access = p.access(json!({"scope": "openid api/read"}));
    let admin = p.access(json!({"scope": "openid api/admin"}));
    let now = cognito_token_core::now();
    let expired = p.id(json!({"exp": now - 5, "iat": now - 3600}));
    let future = p.id(json!({"iat": now + 600}));

    for (what, path, token, status, body, www) in [
        ("no token", "/x", None, 401, UNAUTHORIZED, "Bearer".to_owned()),
        (
            "another client's token",
            "/x",
            Some(foreign.clone()),
            401,
            UNAUTHORIZED,
            r#"Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience""#.to_owned(),
        ),
        (
            "expired",
            "/x",
            Some(expired.clone()),
            401,
            UNAUTHORIZED,
            r#"Bearer scope="" error="invalid_token" error_description="the token has expired""#.to_owned(),
        ),
        (
            "issued in the future",
            "/x",
            Some(future),
            401,
            UNAUTHORIZED,
            r#"Bearer scope="" error="invalid_token" error_description="the token was issued in the future""#.to_owned(),
        ),
        (
            "an ID token on a route with scopes",
            "/admin/users",
            Some(id.clone()),
            403,
            r#"{"message":"Forbidden"}"#,
            r#"Bearer scope="api/admin" error="insufficient_scope" error_description="the token does not have the scopes the route requires""#.to_owned(),
        ),
        (
            "an access token without the route's scope",
            "/admin/users",
            Some(access.clone()),
            403,
            r#"{"message":"Forbidden"}"#,
            r#"Bearer scope="api/admin" error="insufficient_scope" error_description="the token does not have the scopes the route requires""#.to_owned(),
        ),
    ] {
        let auth = token.as_deref().map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth
            .as_deref()
            .map(|a| vec![("Authorization", a)])
            .unwrap_or_default();
        let resp = send(&r.addr, "GET", path, &headers).await;
        assert_eq!(resp.status, status, "{what}: {resp:?}");
        assert_eq!(resp.body, body, "{what}");
        assert_eq!(resp.header("www-authenticate"), Some(www.as_str()), "{what}");
        assert_eq!(resp.header("content-type"), Some("application/json"), "{what}");
        assert_eq!(resp.header("apigw-requestid").map(str::len), Some(16), "{what}");
        assert_eq!(seen.count(), 0, "{what} reached the upstream");
    }

    // Any token use passes a route without scopes (no token_use rule).
    for token in [&id, &access] {
        let resp = send(&r.addr, "GET", "/x", &[("Authorization", token)]).await;
        assert_eq!(resp.status, 200, "{resp:?}");
    }
    // What the integration sees: claims as strings, scopes null here...
    let c = claims_header(&seen);
    assert_eq!(c["scopes"], Value::Null, "{c}");
    assert_eq!(c["claims"]["token_use"], "access", "{c}");
    assert!(c["claims"]["exp"].is_string(), "{c}");
    assert_eq!(c["claims"]["scope"], "openid api/read", "{c}");
    // ... and the token's scopes on a route with scopes.
    let resp = send(&r.addr, "GET", "/admin/users", &[("Authorization", &admin)]).await;
    assert_eq!(resp.status, 200, "{resp:?}");
    let c = claims_header(&seen);
    assert_eq!(c["scopes"], json!(["openid", "api/admin"]), "{c}");
    assert_eq!(seen.count(), 3);

    // An open route needs nothing; a forged claims header (any spelling)
    // does not reach the upstream.
    let resp = send(
        &r.addr,
        "GET",
        "/health",
        &[("X-Claims", "{}"), ("x_claims", "{}"), ("X_CLAIMS", "{}")],
    )
    .await;
    assert_eq!(resp.status, 200);
    let last = seen.last().to_ascii_lowercase();
    assert!(
        !last.contains("x-claims") && !last.contains("x_claims"),
        "{last}"
    );
}

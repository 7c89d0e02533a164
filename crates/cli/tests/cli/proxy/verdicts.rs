//! What the proxy lets through and what it refuses: a valid ID token byte
//! for byte, API Gateway's refusals, routes, open routes and the claims header.

use super::*;

// ---------------------------------------------------------------------------
// Tests

#[test]
fn valid_id_token_reaches_the_upstream_byte_for_byte() {
    let w = world();
    let up = Upstream::start();
    let p = Proxy::start(&w, &up.url(), &[]);
    let token = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));

    let raw = format!(
        "POST /hello/world?x=1&y=%20z&x=2 HTTP/1.1\r\nHost: example.test:8001\r\nX-Mixed-Case: Value 1\r\nX-Mixed-Case: value 2\r\nauthorization: {token}\r\nAccept: */*\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"
    );
    let r = send_raw(&p.addr, raw.as_bytes());
    assert_eq!(r.status, 200, "{r:?} {}", p.stderr());
    assert_eq!(r.text(), "hello from upstream");
    assert_eq!(r.header("x-upstream"), Some("yes"));
    assert_eq!(up.count(), 1);
    assert_eq!(
        String::from_utf8_lossy(&up.last()),
        raw,
        "the upstream sees the request as sent"
    );

    // `Bearer <token>` is accepted too (API Gateway's console and clients
    // send both), and forwarded as sent; hop-by-hop headers are not.
    let r = get(
        &p.addr,
        "GET",
        "/x",
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Connection", "keep-alive, X-Hop"),
            ("X-Hop", "1"),
            ("Keep-Alive", "timeout=5"),
            ("X-Kept", "1"),
        ],
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(up.count(), 2);
    let seen = String::from_utf8_lossy(&up.last()).into_owned();
    assert!(
        seen.contains(&format!("Authorization: Bearer {token}\r\n")),
        "{seen}"
    );
    assert!(seen.contains("X-Kept: 1\r\n"), "{seen}");
    for hop in ["Connection", "X-Hop", "Keep-Alive"] {
        assert!(
            !seen.contains(&format!("{hop}:")),
            "{hop} forwarded: {seen}"
        );
    }

    // Repeated fields keep their order among themselves (RFC 9110 §5.3);
    // they are grouped at the first one's place (hyper's header map).
    let r = get(
        &p.addr,
        "GET",
        "/x",
        &[
            ("X-Rep", "1"),
            ("Authorization", &token),
            ("X-Rep", "2"),
            ("x-rep", "3"),
        ],
    );
    assert_eq!(r.status, 200, "{r:?}");
    let seen = String::from_utf8_lossy(&up.last()).into_owned();
    assert!(
        seen.contains(&format!(
            "X-Rep: 1\r\nX-Rep: 2\r\nx-rep: 3\r\nAuthorization: {token}\r\n"
        )),
        "{seen}"
    );
}

#[test]
fn refused_requests_get_api_gateways_answer_and_never_reach_the_upstream() {
    let w = world();
    let up = Upstream::start();
    let p = Proxy::start(
        &w,
        &up.url(),
        &["--scope", "GET /admin/*=api/admin,api/root"],
    );
    let (pool, client) = (&w.pool, &w.client.id);
    let id = w.stub.sign_id_token(pool, client, "alice", json!({}));
    let access = w.stub.sign_access_token(pool, client, "alice", json!({}));
    let admin =
        w.stub
            .sign_access_token(pool, client, "alice", json!({"scope": "openid api/admin"}));
    let expired = w.stub.sign_id_token(
        pool,
        client,
        "alice",
        json!({"iat": now() - 3600, "exp": now() - 1}),
    );
    let other_pool = w.stub.add_pool(PoolSpec::default());
    let other_client = w.stub.add_client(&other_pool, ClientSpec::default());
    let foreign = w
        .stub
        .sign_id_token(&other_pool, &other_client.id, "alice", json!({}));
    // Another pool's key, with this pool's issuer and client.
    let foreign_key = w.stub.sign_jwt(
        &other_pool,
        false,
        json!({}),
        serde_json::Value::Object(
            cognito_token_core::jwt::decode(&id)
                .unwrap()
                .claims
                .as_object()
                .unwrap()
                .clone(),
        ),
    );
    let another_client = w.stub.add_client(pool, ClientSpec::default());
    let wrong_client = w
        .stub
        .sign_id_token(pool, &another_client.id, "alice", json!({}));
    let wrong_client_access = w.stub.sign_access_token(
        pool,
        &another_client.id,
        "alice",
        json!({"scope": "api/admin"}),
    );
    let alg_none = {
        let parts: Vec<&str> = id.split('.').collect();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","kid":"x"}"#);
        format!("{header}.{}.", parts[1])
    };
    let bearer = |t: &str| format!("Bearer {t}");

    let cases: Vec<(&str, &str, Option<String>, &str)> = vec![
        ("missing header", "/x", None, UNAUTHORIZED),
        ("empty header", "/x", Some(String::new()), UNAUTHORIZED),
        ("Bearer alone", "/x", Some("Bearer ".into()), UNAUTHORIZED),
        ("malformed", "/x", Some("not-a-jwt".into()), UNAUTHORIZED),
        (
            "SigV4 header",
            "/x",
            Some("AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=abc".into()),
            UNAUTHORIZED,
        ),
        ("alg none", "/x", Some(alg_none), UNAUTHORIZED),
        ("expired", "/x", Some(expired.clone()), EXPIRED),
        ("expired, Bearer", "/x", Some(bearer(&expired)), EXPIRED),
        (
            "expired and tampered",
            "/x",
            Some(tampered(&expired, "exp", json!(now() + 3600))),
            UNAUTHORIZED,
        ),
        (
            "tampered",
            "/x",
            Some(tampered(&id, "cognito:username", json!("admin"))),
            UNAUTHORIZED,
        ),
        ("other pool", "/x", Some(foreign), UNAUTHORIZED),
        ("other pool's key", "/x", Some(foreign_key), UNAUTHORIZED),
        ("other client", "/x", Some(wrong_client), UNAUTHORIZED),
        (
            "other client, access token",
            "/admin/users",
            Some(wrong_client_access),
            UNAUTHORIZED,
        ),
        (
            "access token, route without scopes",
            "/x",
            Some(access.clone()),
            UNAUTHORIZED,
        ),
        (
            "ID token, scoped route",
            "/admin/users",
            Some(id.clone()),
            UNAUTHORIZED,
        ),
        (
            "access token without the scope",
            "/admin/users",
            Some(access.clone()),
            UNAUTHORIZED,
        ),
        (
            "scope on another method",
            "/x",
            Some(admin.clone()),
            UNAUTHORIZED,
        ),
    ];
    for (what, path, header, body) in &cases {
        let headers: Vec<(&str, &str)> = header
            .as_deref()
            .map(|h| vec![("Authorization", h)])
            .unwrap_or_default();
        let r = get(&p.addr, "GET", path, &headers);
        assert_refused(&r, body, what);
        assert_eq!(up.count(), 0, "{what} reached the upstream");
    }
    // POST to the scoped path is outside the route: an ID token is needed there.
    let r = get(
        &p.addr,
        "POST",
        "/admin/users",
        &[("Authorization", &admin)],
    );
    assert_refused(&r, UNAUTHORIZED, "access token on POST /admin/users");
    assert_eq!(up.count(), 0);

    // The same proxy lets the right tokens through.
    for (path, token) in [
        ("/x", id.clone()),
        ("/x", bearer(&id)),
        ("/admin/users", admin.clone()),
        ("/admin/users/1", bearer(&admin)),
    ] {
        let before = up.count();
        let r = get(&p.addr, "GET", path, &[("Authorization", &token)]);
        assert_eq!(r.status, 200, "{path}: {r:?}");
        assert_eq!(up.count(), before + 1);
    }
}

#[test]
fn routes_file_open_routes_custom_header_and_claims_header() {
    let w = world();
    let up = Upstream::start();
    let routes = w.dir.path().join("routes.toml");
    std::fs::write(
        &routes,
        "[[route]]\npath = \"/health\"\nauth = \"none\"\n\n[[route]]\nmethod = \"DELETE\"\npath = \"/items/{id}\"\nscopes = [\"api/delete\"]\n",
    )
    .unwrap();
    let p = Proxy::start(
        &w,
        &up.url(),
        &[
            "--routes",
            routes.to_str().unwrap(),
            "--header",
            "X-Token",
            "--claims-header",
            "X-Claims",
        ],
    );
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));

    // Open: no token needed; a forged claims header is removed.
    let r = get(
        &p.addr,
        "GET",
        "/health",
        &[("X-Claims", r#"{"sub":"forged"}"#), ("X_CLAIMS", "forged")],
    );
    assert_eq!(r.status, 200, "{r:?}");
    let seen = String::from_utf8_lossy(&up.last()).into_owned();
    assert!(!seen.contains("forged"), "{seen}");

    // The token is read from X-Token; Authorization is not the identity source.
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &id)]);
    assert_refused(&r, UNAUTHORIZED, "token in the wrong header");
    assert_eq!(up.count(), 1);
    // Forged in every spelling a gateway or a CGI/WSGI mapping takes for
    // the same name (`X_Claims` is HTTP_X_CLAIMS there, as X-Claims is).
    let r = get(
        &p.addr,
        "GET",
        "/x",
        &[
            ("X-Token", &id),
            ("X-Claims", r#"{"sub":"forged"}"#),
            ("X_Claims", r#"{"sub":"forged"}"#),
            ("x_CLAIMS", r#"{"sub":"forged"}"#),
        ],
    );
    assert_eq!(r.status, 200, "{r:?}");
    let seen = String::from_utf8_lossy(&up.last()).into_owned();
    assert!(!seen.contains("forged"), "{seen}");
    let claims_lines: Vec<&str> = seen
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("x-claims:"))
        .collect();
    assert_eq!(claims_lines.len(), 1, "{seen}");
    let forwarded: serde_json::Value =
        serde_json::from_str(claims_lines[0].split_once(':').unwrap().1.trim()).unwrap();
    assert_eq!(
        forwarded,
        claims(&id),
        "the verified claims, not the forged ones"
    );

    // DELETE /items/{id} needs api/delete; GET /items/1 an ID token.
    let del = w.stub.sign_access_token(
        &w.pool,
        &w.client.id,
        "alice",
        json!({"scope": "api/delete"}),
    );
    let r = get(&p.addr, "DELETE", "/items/1", &[("X-Token", &id)]);
    assert_refused(&r, UNAUTHORIZED, "ID token on DELETE /items/1");
    let before = up.count();
    let r = get(&p.addr, "DELETE", "/items/1", &[("X-Token", &del)]);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(up.count(), before + 1);
    let r = get(&p.addr, "GET", "/items/1", &[("X-Token", &id)]);
    assert_eq!(r.status, 200, "{r:?}");
}

//! The proxy in front of a real `chalice local` serving the seed's app.

use super::*;

#[test]
#[cfg_attr(
    missing_tool = "chalice",
    ignore = "needs chalice (cargo xtask doctor)"
)]
fn chalice_local_behind_the_proxy() {
    let chalice = cognito_token_tools::require("chalice");
    let w = world();
    let app = copy_app(
        "chalice-app",
        w.dir.path(),
        &["app.py", ".chalice/config.json"],
    );
    let server = chalice_local(&chalice, &app, w.dir.path(), &[]);
    let upstream = server.addr.clone();
    let served = || {
        server
            .log()
            .lines()
            .filter(|l| l.contains("HTTP/1.1\""))
            .count()
    };

    // The gap: chalice local lets a request without a token through.
    let r = get(&upstream, "GET", "/user-pools", &[]);
    assert_eq!(r.status, 200, "{r:?}");

    let p = Proxy::start(
        &w,
        &format!("http://{upstream}"),
        &["--chalice-app", app.to_str().unwrap(), "--log"],
    );
    assert!(
        p.stderr()
            .contains("3 behind the Cognito authorizer, 1 open"),
        "{}",
        p.stderr()
    );
    let (pool, client) = (&w.pool, &w.client.id);
    let id = w.stub.sign_id_token(pool, client, "alice", json!({}));
    let expired = w
        .stub
        .sign_id_token(pool, client, "alice", json!({"exp": now() - 5}));
    let plain_access = w.stub.sign_access_token(pool, client, "alice", json!({}));
    let admin =
        w.stub
            .sign_access_token(pool, client, "alice", json!({"scope": "openid api/admin"}));

    for (what, method, path, token, body) in [
        ("no token", "GET", "/user-pools", None, UNAUTHORIZED),
        (
            "expired",
            "GET",
            "/user-pools",
            Some(expired.clone()),
            EXPIRED,
        ),
        (
            "tampered",
            "GET",
            "/user-pools",
            Some(tampered(&id, "cognito:username", json!("root"))),
            UNAUTHORIZED,
        ),
        (
            "access token, no scopes",
            "GET",
            "/user-pools",
            Some(plain_access.clone()),
            UNAUTHORIZED,
        ),
        (
            "ID token, scoped",
            "POST",
            "/admin/x",
            Some(id.clone()),
            UNAUTHORIZED,
        ),
        (
            "access token without the scope",
            "GET",
            "/admin/x",
            Some(plain_access.clone()),
            UNAUTHORIZED,
        ),
    ] {
        let headers: Vec<(&str, &str)> = token
            .as_deref()
            .map(|t| vec![("Authorization", t)])
            .unwrap_or_default();
        let r = get(&p.addr, method, path, &headers);
        assert_refused(&r, body, what);
    }
    // The app is the whole API: what it does not have is API Gateway's 403,
    // answered by the proxy.
    let r = get(&p.addr, "GET", "/nowhere", &[("Authorization", &id)]);
    assert_eq!(r.status, 403, "{r:?}");
    assert_eq!(r.text(), r#"{"message":"Missing Authentication Token"}"#);
    let ok = |method: &str, path: &str, token: Option<&str>| {
        let headers: Vec<(&str, &str)> = token
            .map(|t| vec![("Authorization", t)])
            .unwrap_or_default();
        let r = get(&p.addr, method, path, &headers);
        assert_eq!(r.status, 200, "{method} {path}: {r:?} {}", p.stderr());
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()
    };
    assert_eq!(ok("GET", "/health", None), json!({"ok": true}));
    assert_eq!(
        ok("GET", "/user-pools", Some(&id)),
        json!({"success": true, "username": "alice"})
    );
    assert_eq!(
        ok("POST", "/admin/x", Some(&format!("Bearer {admin}"))),
        json!({"admin": "x"})
    );

    // chalice saw the first direct request and the three accepted ones only.
    let deadline = std::time::Instant::now() + WAIT;
    while served() < 4 {
        assert!(std::time::Instant::now() < deadline, "{}", server.log());
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(served(), 4, "{}", server.log());
}

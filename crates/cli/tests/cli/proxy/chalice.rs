//! The proxy in front of a real `chalice local` serving the seed's app.

use super::*;

// ---------------------------------------------------------------------------
// In front of a real `chalice local`

#[test]
#[cfg_attr(
    missing_tool = "chalice",
    ignore = "needs chalice (cargo xtask doctor)"
)]
fn chalice_local_behind_the_proxy() {
    let chalice = cognito_token_tools::require("chalice");
    let w = world();
    // The app, copied (chalice writes next to it).
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/chalice-app");
    let app = w.dir.path().join("chalice-app");
    std::fs::create_dir_all(app.join(".chalice")).unwrap();
    for f in ["app.py", ".chalice/config.json"] {
        std::fs::copy(src.join(f), app.join(f)).unwrap();
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new(&chalice)
        .args([
            "local",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--no-autoreload",
        ])
        .current_dir(&app)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", w.dir.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start chalice local");
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let log = Arc::new(Mutex::new(String::new()));
    for pipe in [
        Box::new(server.stdout.take().unwrap()) as Box<dyn Read + Send>,
        Box::new(server.stderr.take().unwrap()),
    ] {
        let log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let mut l = log.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
    }
    let server = Kill(server);
    let upstream = format!("127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + WAIT;
    while TcpStream::connect(&upstream).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "chalice local did not listen: {}",
            log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let served = || {
        log.lock()
            .unwrap()
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
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(served(), 4, "{}", log.lock().unwrap());
    drop(server);
}

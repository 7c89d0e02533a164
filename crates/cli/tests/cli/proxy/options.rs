//! Running the proxy: log lines, Ctrl-C, bad input, and where the keys come
//! from (JWKS URL, issuer, client list).

use super::*;

#[test]
fn log_lines_name_method_path_verdict_and_reason_never_the_token() {
    let w = world();
    let up = Upstream::start();
    let p = Proxy::start(&w, &up.url(), &["--log"]);
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let expired = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({"exp": now() - 5}));
    assert_eq!(
        get(&p.addr, "GET", "/ok?secret=1", &[("Authorization", &id)]).status,
        200
    );
    assert_eq!(
        get(&p.addr, "POST", "/old", &[("Authorization", &expired)]).status,
        401
    );
    assert_eq!(get(&p.addr, "PUT", "/none", &[]).status, 401);
    // The log is written when each response starts: wait for the three lines.
    let deadline = std::time::Instant::now() + WAIT;
    while p.stderr().lines().filter(|l| l.contains(" ms)")).count() < 3 {
        assert!(std::time::Instant::now() < deadline, "{}", p.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = p.stderr();
    let line = |needle: &str| {
        log.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} line in {log}"))
            .to_owned()
    };
    let ok = line("GET /ok");
    assert!(ok.contains(" 200 forwarded"), "{ok}");
    assert!(!ok.contains("secret"), "the query is not logged: {ok}");
    let old = line("POST /old");
    assert!(old.contains(" 401 refused: token expired"), "{old}");
    let none = line("PUT /none");
    assert!(
        none.contains(" 401 refused: no authorization header"),
        "{none}"
    );
    for t in [&id, &expired] {
        for piece in t.split('.').filter(|s| s.len() >= 20) {
            assert!(!log.contains(piece), "a token piece is in the log: {log}");
        }
    }
}

/// A client controls the token, so the refusal reasons the log line repeats
/// (an unverified `iss`, a `kid`) and the path reach the operator's
/// terminal only through the sanitizer: escape sequences and bidi controls
/// are written as `\u{…}`.
#[test]
fn log_lines_carry_no_terminal_escapes_from_the_request() {
    let w = world();
    let up = Upstream::start();
    let p = Proxy::start(&w, &up.url(), &["--log"]);
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let evil_iss = tampered(&id, "iss", json!("https://evil\u{1b}]0;owned\u{7}\u{202e}"));
    let evil_kid = w.stub.sign_jwt(
        &w.pool,
        false,
        json!({"kid": "k\u{1b}[2J\u{9b}31m"}),
        claims(&id),
    );
    for t in [&evil_iss, &evil_kid] {
        assert_eq!(
            get(&p.addr, "GET", "/x", &[("Authorization", t)]).status,
            401
        );
    }
    let deadline = std::time::Instant::now() + WAIT;
    while p.stderr().lines().filter(|l| l.contains(" ms)")).count() < 2 {
        assert!(std::time::Instant::now() < deadline, "{}", p.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = p.stderr();
    assert!(
        !log.chars()
            .any(|c| c != '\n' && cognito_token_core::sanitize::acts_on_terminal(c)),
        "raw control characters in the log: {log:?}"
    );
    assert!(
        log.contains("https://evil\\u{1b}]0;owned\\u{7}\\u{202e}"),
        "{log}"
    );
    assert!(log.contains("k\\u{1b}[2J\\u{9b}31m"), "{log}");
}

#[test]
fn ctrl_c_stops_the_proxy_cleanly() {
    let w = world();
    let up = Upstream::start();
    let mut p = Proxy::start(&w, &up.url(), &[]);
    let status = std::process::Command::new("kill")
        .args(["-INT", &p.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + WAIT;
    let code = loop {
        if let Some(s) = p.child.try_wait().unwrap() {
            break s.code();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(0), "{}", p.stderr());
    // The reader thread gets the last line when it gets it.
    while !p.stderr().contains("stopped") && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        p.stderr().contains("proxy: Ctrl-C: stopped"),
        "{}",
        p.stderr()
    );
    assert!(TcpStream::connect(&p.addr).is_err(), "still listening");
}

#[test]
fn bad_input_is_one_clear_error() {
    let w = world();
    let up = Upstream::start();
    let (stub_iss, stub_endpoint) = (w.stub.issuer(&w.pool), w.stub.endpoint());
    let run = |args: &[&str]| {
        let mut all = vec!["proxy"];
        all.extend_from_slice(args);
        // The stub's keys, named explicitly (never a real AWS URL).
        if !args.contains(&"--endpoint-url") {
            all.extend_from_slice(&["--issuer", &stub_iss, "--endpoint-url", &stub_endpoint]);
        }
        w.cmd(&all).run()
    };
    let url = up.url();

    run(&["--upstream", "https://example.com"]).fails(2, "--upstream");
    run(&["--upstream", "http://example.com:8000"]).fails(2, "on this machine");
    run(&["--upstream", "localhost:8000"]).fails(2, "http://");
    run(&["--upstream", &url, "--listen", "nowhere"]).fails(2, "--listen");
    run(&["--upstream", &url, "--scope", "GET /admin"]).fails(2, "--scope");
    run(&["--upstream", &url, "--user-pool-id", "bad"]).fails(2, "");

    let routes = w.dir.path().join("bad.toml");
    std::fs::write(
        &routes,
        "[[route]]\npath = \"/a\"\n\n[[route]]\npath = \"/b\"\nauth = \"maybe\"\n",
    )
    .unwrap();
    let err = run(&["--upstream", &url, "--routes", routes.to_str().unwrap()]).fails(2, "line 4");
    assert!(err.contains("unknown auth"), "{err}");
    std::fs::write(&routes, "[[route]\npath = \"/a\"\n").unwrap();
    run(&["--upstream", &url, "--routes", routes.to_str().unwrap()]).fails(2, "line 1");
    run(&["--upstream", &url, "--routes", "/nonexistent/routes.toml"]).fails(2, "cannot read");

    // The JWKS cannot be fetched: exit 4, saying from where.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let iss = w.stub.issuer(&w.pool);
    // Keys from elsewhere than the issuer need the issuer named (as verify).
    w.cmd(&["proxy", "--upstream", &url, "--endpoint-url", &dead])
        .run()
        .fails(2, "needs --issuer");
    let err = run(&[
        "--upstream",
        &url,
        "--endpoint-url",
        &dead,
        "--issuer",
        &iss,
    ])
    .fails(4, "JWKS");
    assert!(err.contains(&dead), "{err}");

    // The port is taken.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let err = run(&["--upstream", &url, "--listen", &addr]).fails(2, "in use");
    assert!(err.contains(&addr), "{err}");
    assert_eq!(up.count(), 0);
}

#[test]
fn jwks_url_issuer_and_client_list_options() {
    let w = world();
    let up = Upstream::start();
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let second = w.stub.add_client(&w.pool, ClientSpec::default());
    let third = w.stub.add_client(&w.pool, ClientSpec::default());
    // The keys from --jwks-url (the endpoint is dead); two allowed clients.
    let clients = format!("{},{}", w.client.id, second.id);
    let p = Proxy::start(
        &w,
        &up.url(),
        &[
            "--endpoint-url",
            &dead,
            "--jwks-url",
            &w.stub.jwks_url(&w.pool),
            "--client-id",
            &clients,
        ],
    );
    for (client, status) in [(&w.client.id, 200), (&second.id, 200), (&third.id, 401)] {
        let t = w.stub.sign_id_token(&w.pool, client, "alice", json!({}));
        let r = get(&p.addr, "GET", "/x", &[("Authorization", &t)]);
        assert_eq!(r.status, status, "client {client}: {r:?}");
    }
    assert_eq!(up.count(), 2);
    drop(p);

    // Another issuer expected: the pool's own tokens are refused.
    let p = Proxy::start(&w, &up.url(), &["--issuer", "https://issuer.invalid/other"]);
    let t = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &t)]);
    assert_refused(&r, UNAUTHORIZED, "token of another issuer");
    assert_eq!(up.count(), 2);
    drop(p);

    // An unknown key id right after the keys were fetched is refused
    // without fetching them again (the shared Verifier pauses refetches for
    // 10 s, as aws-jwt-verify does), so made-up key ids cannot make the
    // proxy hammer the JWKS endpoint: even with the endpoint failing, the
    // answer is a plain 401.
    let p = Proxy::start(&w, &up.url(), &[]);
    let good = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let rotated = w
        .stub
        .sign_jwt(&w.pool, false, json!({"kid": "rotated-key"}), claims(&good));
    w.stub.set_fault(Some(Fault::CloseConnection));
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &rotated)]);
    assert_refused(
        &r,
        UNAUTHORIZED,
        "an unknown key id within the refetch pause",
    );
    w.stub.set_fault(None);
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &rotated)]);
    assert_refused(&r, UNAUTHORIZED, "a key id the pool does not have");
    assert_eq!(up.count(), 2);
}

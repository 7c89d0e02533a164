//! `--flow browser`: the authorization code with PKCE through the stub's
//! login page, the loopback callback, state, refresh and revoke, bad input.

use super::*;

/// A running `cognito-token --flow browser`, its stderr read line by line.
struct Running {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    reader: std::thread::JoinHandle<()>,
}

impl Running {
    fn start(cmd: Cmd) -> Running {
        let mut child = cmd.spawn();
        let err = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let all = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let keep = all.clone();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                keep.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = tx.send(line);
            }
        });
        Running {
            child,
            lines: rx,
            stderr: all,
            reader,
        }
    }

    /// The authorize URL it printed.
    fn url(&self) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no URL on stderr: {}", self.stderr.lock().unwrap()));
            if line.starts_with("http") && line.contains("/oauth2/authorize?") {
                return line;
            }
        }
    }

    fn finish(self) -> Out {
        let out = self.child.wait_with_output().unwrap();
        // The reader ends at the end of stderr: then every line is kept.
        self.reader.join().unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: self.stderr.lock().unwrap().clone(),
        }
    }
}

fn query(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

impl Oauth {
    fn browser(&self, client: &ClientInfo, sub: &str, extra: &[&str]) -> Running {
        let mut args = vec![
            sub,
            "--flow",
            "browser",
            "--no-browser",
            "--redirect-uri",
            &self.redirect,
        ];
        args.extend_from_slice(extra);
        Running::start(self.cmd(client, &args))
    }

    /// Signs in as a person would: the login form, then the redirect to the CLI.
    fn complete(&self, url: &str) -> cognito_stub::HttpResponse {
        let location = self.stub.sign_in(url, "alice", PW).expect("sign in");
        assert!(location.starts_with(&self.redirect), "{location}");
        http_get(&location).expect("deliver the callback")
    }
}

#[test]
fn browser_flow_with_pkce_state_and_basic_auth_then_refresh_and_revoke() {
    let o = setup();
    // At full verbosity (the SDK's, hyper's and our own trace events):
    // stderr is searched for every secret of the exchange below.
    let mut args = vec![
        "login",
        "--flow",
        "browser",
        "--no-browser",
        "--redirect-uri",
        &o.redirect,
    ];
    args.push("-vvv");
    let run = Running::start(o.cmd(&o.web, &args).env("RUST_LOG", "trace"));
    let url = run.url();
    // The URL carries no secret, and the parameters Cognito needs.
    assert!(!url.contains(o.web.secret.as_deref().unwrap()));
    assert_eq!(query(&url, "response_type").as_deref(), Some("code"));
    assert_eq!(
        query(&url, "redirect_uri").as_deref(),
        Some(o.redirect.as_str())
    );
    assert_eq!(
        query(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        query(&url, "scope").as_deref(),
        Some("email openid profile")
    );
    assert!(query(&url, "state").is_some_and(|s| s.len() >= 32));
    let page = o.complete(&url);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Signed in"), "{}", page.body);
    let out = run.finish();
    let id = out.line();
    let c = claims(&id);
    assert_eq!(c["token_use"], "id");
    assert_eq!(c["cognito:username"], "alice");
    assert_eq!(c["aud"], o.web.id.as_str());
    let reqs = o.token_requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].grant_type.as_deref(), Some("authorization_code"));
    assert!(
        reqs[0].basic_auth,
        "a confidential client authenticates with Basic"
    );
    assert!(reqs[0].params.contains_key("code_verifier"));
    assert_eq!(reqs[0].params.get("redirect_uri"), Some(&o.redirect));
    assert_eq!(reqs[0].outcome, "ok");
    // Secrets of the exchange never reach stderr.
    let code = &reqs[0].params["code"];
    let verifier = &reqs[0].params["code_verifier"];
    let basic = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            o.web.id,
            o.web.secret.as_ref().unwrap()
        ))
    };
    for s in [code, verifier, &id, o.web.secret.as_ref().unwrap(), &basic] {
        assert!(!out.stderr.contains(s.as_str()), "{}", out.stderr);
    }
    // The verifier matches the challenge the URL carried (RFC 7636 S256).
    assert_eq!(
        cognito_token_core::oauth2::pkce::challenge_s256(verifier),
        query(&url, "code_challenge").unwrap()
    );

    // `token` without a username: from the cache.
    let cmd = |sub: &str, extra: &[&str]| {
        let mut a = vec![
            sub,
            "--flow",
            "browser",
            "--redirect-uri",
            o.redirect.as_str(),
        ];
        a.extend_from_slice(extra);
        o.cmd(&o.web, &a).run()
    };
    assert_eq!(cmd("token", &[]).line(), id);
    let access = cmd("token", &["--token", "access"]).line();
    assert_eq!(claims(&access)["token_use"], "access");
    assert_eq!(
        cmd("token", &["--output", "header"]).line(),
        format!("Authorization: {id}")
    );
    // Refresh through /oauth2/token grant_type=refresh_token.
    let refreshed = cmd("token", &["--min-ttl", "100000"]).line();
    assert_eq!(claims(&refreshed)["cognito:username"], "alice");
    let reqs = o.token_requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].grant_type.as_deref(), Some("refresh_token"));
    assert!(reqs[1].basic_auth);
    assert_eq!(reqs[1].outcome, "ok");
    // The refresh token is kept for the next refresh.
    let j: serde_json::Value =
        serde_json::from_str(&cmd("token", &["--output", "json"]).line()).unwrap();
    assert!(
        j["refresh_token"].as_str().is_some_and(|r| !r.is_empty()),
        "{j}"
    );
    let rt = j["refresh_token"].as_str().unwrap().to_owned();
    // Logout revokes at /oauth2/revoke and forgets the entry.
    let out = cmd("logout", &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("revoked"), "{}", out.stderr);
    assert!(out.stderr.contains("alice"), "{}", out.stderr);
    let revokes: Vec<_> = o
        .stub
        .oauth_requests()
        .into_iter()
        .filter(|r| r.endpoint == "POST /oauth2/revoke")
        .collect();
    assert_eq!(revokes.len(), 1);
    assert!(revokes[0].basic_auth);
    assert_eq!(revokes[0].outcome, "ok");
    assert!(!out.stderr.contains(&rt));
    assert_eq!(o.cache_files(), 0);
}

#[test]
fn browser_flow_for_a_public_client_sends_client_id_and_prints_any_token() {
    let o = setup();
    let run = o.browser(
        &o.public,
        "login",
        &["--scope", "openid,rs/read", "--token", "access"],
    );
    let url = run.url();
    assert_eq!(query(&url, "scope").as_deref(), Some("openid rs/read"));
    o.complete(&url);
    let access = run.finish().line();
    let c = claims(&access);
    assert_eq!(c["token_use"], "access");
    assert_eq!(c["scope"], "openid rs/read");
    let reqs = o.token_requests();
    assert!(!reqs[0].basic_auth);
    assert_eq!(reqs[0].client_id.as_deref(), Some(o.public.id.as_str()));
}

#[test]
fn browser_flow_refuses_a_forged_state_and_reports_callback_errors() {
    let o = setup();
    // A stray GET (another state, or none) is refused with 400 and the
    // wait goes on: the real callback then signs in.
    let run = o.browser(&o.web, "login", &[]);
    let url = run.url();
    let location = o.stub.sign_in(&url, "alice", PW).unwrap();
    let state = query(&location, "state").unwrap();
    let forged = location.replace(&format!("state={state}"), "state=forged");
    assert_ne!(forged, location);
    let code = query(&location, "code").unwrap();
    let stateless = format!("{}?code={code}", o.redirect);
    for stray in [&forged, &stateless] {
        let page = http_get(stray).unwrap();
        assert_eq!(page.status, 400);
        assert!(page.body.contains("Refused"), "{}", page.body);
    }
    assert_eq!(
        o.token_requests().len(),
        0,
        "no code exchange after a forged state"
    );
    let page = http_get(&location).unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    let out = run.finish();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(claims(out.line())["token_use"], "id");
    assert_eq!(o.token_requests().len(), 1, "the real callback's code only");

    // error=access_denied on the callback, with its description.
    let run = o.browser(&o.web, "login", &[]);
    let url = run.url();
    let state = query(&url, "state").unwrap();
    let page = http_get(&format!(
        "{}?error=access_denied&error_description=User+cancelled+%3Cb%3E&state={state}",
        o.redirect
    ))
    .unwrap();
    assert_eq!(page.status, 400);
    assert!(
        page.body.contains("User cancelled &lt;b&gt;"),
        "{}",
        page.body
    );
    let e = run.finish().fails(3, "access_denied: User cancelled <b>");
    assert!(e.contains("refused or cancelled"), "{e}");

    // No callback in time.
    let run = o.browser(&o.web, "login", &["--timeout", "1"]);
    run.url();
    run.finish().fails(4, "--timeout");
}

#[test]
fn browser_flow_bad_input() {
    let o = setup();
    // An unregistered redirect URI: found before any browser opens, with
    // the exact URI to register.
    let other = format!("http://localhost:{}/callback", free_port());
    let e = o
        .cmd(
            &o.web,
            &[
                "login",
                "--flow",
                "browser",
                "--no-browser",
                "--redirect-uri",
                &other,
            ],
        )
        .run()
        .fails(3, "redirect_mismatch");
    assert!(e.contains(&format!("add exactly {other} ")), "{e}");
    // An invalid scope.
    let e = o
        .cmd(
            &o.web,
            &[
                "login",
                "--flow",
                "browser",
                "--no-browser",
                "--redirect-uri",
                &o.redirect,
                "--scope",
                "openid rs/write",
            ],
        )
        .run()
        .fails(3, "invalid_scope");
    assert!(e.contains("--scope"), "{e}");
    // The port is taken.
    let port: u16 = o
        .redirect
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/callback")
        .parse()
        .unwrap();
    {
        let _busy = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        let e = o
            .cmd(
                &o.web,
                &[
                    "login",
                    "--flow",
                    "browser",
                    "--no-browser",
                    "--redirect-uri",
                    &o.redirect,
                ],
            )
            .run()
            .fails(2, &format!("port {port} is already in use"));
        assert!(e.contains("--redirect-uri"), "{e}");
    }
    // A redirect URI this tool cannot listen on.
    o.cmd(
        &o.web,
        &[
            "login",
            "--flow",
            "browser",
            "--redirect-uri",
            "https://app.example.com/cb",
        ],
    )
    .run()
    .fails(2, "invalid redirect URI");
    // Neither a browser nor a writable stderr: an error, at once.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cognito-token"));
    let out = cmd
        .args([
            "login",
            "--flow",
            "browser",
            "--no-browser",
            "--redirect-uri",
            &o.redirect,
        ])
        .env_clear()
        .env("HOME", o.dir.path())
        .env("COGNITO_DOMAIN", o.stub.domain())
        .env("COGNITO_CLIENT_ID", &o.web.id)
        .stdin(std::process::Stdio::null())
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

/// A fake `xdg-open` that records its arguments and environment: its
/// `PATH` and the record file.
fn fake_opener(o: &Oauth) -> (String, std::path::PathBuf) {
    let bin = o.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let record = o.dir.path().join("opened");
    let script = bin.join("xdg-open");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > {0}.tmp; env >> {0}.tmp; mv {0}.tmp {0}\n",
            record.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (path, record)
}

/// What the fake opener recorded, once it has run.
fn opened(record: &std::path::Path) -> String {
    for _ in 0..300 {
        if let Ok(s) = std::fs::read_to_string(record) {
            return s;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    String::new()
}

#[test]
fn browser_flow_opens_the_browser_with_the_url_alone() {
    // A fake xdg-open records its arguments and environment: the URL, no secret.
    let o = setup();
    let (path, record) = fake_opener(&o);
    let run = Running::start(
        o.cmd(
            &o.web,
            &["login", "--flow", "browser", "--redirect-uri", &o.redirect],
        )
        .env("PATH", &path)
        .env("DISPLAY", ":99"),
    );
    let printed = run.url();
    let opened = opened(&record);
    let argv = opened.lines().next().unwrap_or_default();
    assert_eq!(argv, printed, "the opener's one argument is the URL");
    assert!(
        !opened.contains(o.web.secret.as_deref().unwrap()),
        "no secret reaches the opener"
    );
    o.complete(&printed);
    let id = run.finish().line();
    assert_eq!(claims(&id)["cognito:username"], "alice");
}

/// Through a profile whose secret is in a variable of its own: the opener
/// drops exactly what `exec`'s command drops, that variable included.
#[test]
fn the_browser_opener_drops_what_exec_drops() {
    let o = setup();
    let (path, record) = fake_opener(&o);
    let dir = o.dir.path().join("config/cognito-token");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[profiles.web]\nflow = \"browser\"\nclient_id = \"{}\"\nclient_secret_env = \"WEB_SECRET\"\n",
            o.web.id
        ),
    )
    .unwrap();
    let run = Running::start(
        Cmd::bare(
            o.dir.path(),
            &["login", "--profile", "web", "--redirect-uri", &o.redirect],
        )
        .env("COGNITO_DOMAIN", &o.stub.domain())
        .env("WEB_SECRET", o.web.secret.as_deref().unwrap())
        .env("COGNITO_PASSWORD", PW)
        .env("PATH", &path)
        .env("DISPLAY", ":99"),
    );
    let printed = run.url();
    let opened = opened(&record);
    assert_eq!(opened.lines().next().unwrap_or_default(), printed);
    for dropped in ["WEB_SECRET=", "COGNITO_PASSWORD="] {
        assert!(!opened.contains(dropped), "{dropped} reached the opener");
    }
    assert!(
        !opened.contains(o.web.secret.as_deref().unwrap()),
        "no secret reaches the opener"
    );
    // The variable was there to drop: the sign-in used it.
    o.complete(&printed);
    assert_eq!(claims(run.finish().line())["cognito:username"], "alice");
}

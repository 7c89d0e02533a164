//! The browser flow end to end with a real headless browser: Debian's
//! `chromium`, driven through WebDriver (`chromedriver`) with plain JSON
//! over HTTP. The CLI prints the sign-in URL (`--no-browser`), the browser
//! opens it, the test types the user's name and password into the strict
//! stub's hosted-UI form and submits it, the stub redirects the browser to
//! the CLI's loopback listener, and the CLI prints the ID token.
//!
//! Without chromium and chromedriver the test is ignored when built, with
//! the reason (`crates/tools`; `cargo xtask doctor --install` installs
//! both); under `CI` it runs and fails.

use std::io::BufRead as _;
use std::time::Duration;

use cognito_stub::OAuthSpec;
use http_body_util::BodyExt as _;
use serde_json::{Value, json};

use crate::support::*;

/// WebDriver's key for element references.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    base: String,
    process: std::process::Child,
    client: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        http_body_util::Full<hyper::body::Bytes>,
    >,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Driver {
    async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let process = std::process::Command::new(cognito_token_tools::require("chromedriver"))
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http();
        let d = Driver {
            base: format!("http://127.0.0.1:{port}"),
            process,
            client,
        };
        for _ in 0..200 {
            if let Ok(v) = d.call("GET", "/status", None).await
                && v["value"]["ready"] == true
            {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("chromedriver did not become ready");
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let req = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(hyper::body::Bytes::from(
                body.map(|b| b.to_string()).unwrap_or_default(),
            )))
            .unwrap();
        let resp = self.client.request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{method} {path}: HTTP {status}: {v}"));
        }
        Ok(v)
    }

    async fn must(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    any(missing_tool = "chromium", missing_tool = "chromedriver"),
    ignore = "needs chromium and chromedriver (cargo xtask doctor)"
)]
async fn headless_chromium_signs_in_through_the_hosted_ui() {
    let stub = Stub::start();
    let pool = stub.add_pool(PoolSpec::default());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redirect = format!("http://localhost:{port}/callback");
    let web = stub.add_oauth_client(
        &pool,
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
        OAuthSpec::code(&redirect, &["openid", "email", "profile"]),
    );
    stub.add_user(&pool, UserSpec::new("alice", PW));
    let home = tempfile::tempdir().unwrap();

    // The CLI, waiting for the callback.
    let mut child = Cmd::bare(
        home.path(),
        &[
            "login",
            "--flow",
            "browser",
            "--no-browser",
            "--redirect-uri",
            &redirect,
        ],
    )
    .env("COGNITO_DOMAIN", &stub.domain())
    .env("COGNITO_CLIENT_ID", &web.id)
    .env("COGNITO_CLIENT_SECRET", web.secret.as_deref().unwrap())
    .spawn();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let url = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the CLI printed the sign-in URL");
        if line.contains("/oauth2/authorize?") {
            break line;
        }
    };

    // The browser.
    let profile = tempfile::tempdir().unwrap();
    let driver = Driver::start().await;
    let caps = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": cognito_token_tools::require("chromium"),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-default-apps",
                     format!("--user-data-dir={}", profile.path().display())]
        }
    }}});
    let session = driver.must("POST", "/session", Some(caps)).await;
    let sid = session["value"]["sessionId"]
        .as_str()
        .expect("a session")
        .to_owned();
    let s = |p: &str| format!("/session/{sid}{p}");
    driver
        .must("POST", &s("/url"), Some(json!({"url": url})))
        .await;
    let find = |css: &'static str| {
        let path = s("/element");
        let driver = &driver;
        async move {
            let v = driver
                .must(
                    "POST",
                    &path,
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            v["value"][ELEMENT]
                .as_str()
                .unwrap_or_else(|| panic!("no {css}: {v}"))
                .to_owned()
        }
    };
    let user = find("#username").await;
    driver
        .must(
            "POST",
            &s(&format!("/element/{user}/value")),
            Some(json!({"text": "alice"})),
        )
        .await;
    let pw = find("#password").await;
    driver
        .must(
            "POST",
            &s(&format!("/element/{pw}/value")),
            Some(json!({"text": PW})),
        )
        .await;
    let button = find("#signin").await;
    driver
        .must(
            "POST",
            &s(&format!("/element/{button}/click")),
            Some(json!({})),
        )
        .await;

    // The browser lands on the CLI's page.
    let mut page = String::new();
    for _ in 0..200 {
        page = driver.must("GET", &s("/source"), None).await["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if page.contains("Signed in") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let at = driver.must("GET", &s("/url"), None).await["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let _ = driver.call("DELETE", &s(""), None).await;
    assert!(page.contains("Signed in"), "the browser shows {at}: {page}");
    assert!(at.starts_with(&redirect), "{at}");

    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let id = String::from_utf8(out.stdout).unwrap();
    let c = claims(id.trim());
    assert_eq!(c["cognito:username"], "alice");
    assert_eq!(c["aud"], web.id.as_str());
    // The stub checked the PKCE verifier and Basic authentication.
    let token_reqs: Vec<_> = stub
        .oauth_requests()
        .into_iter()
        .filter(|r| r.endpoint == "POST /oauth2/token")
        .collect();
    assert_eq!(token_reqs.len(), 1);
    assert!(token_reqs[0].basic_auth && token_reqs[0].params.contains_key("code_verifier"));
    assert_eq!(token_reqs[0].outcome, "ok");
}

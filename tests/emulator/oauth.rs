//! The OAuth2 flows against the emulators: `--flow client-credentials` and
//! `--flow browser` (authorization code with PKCE; the hosted UI's login
//! form filled in by an HTTP client), refresh and revocation.
//!
//! fakecloud 0.51 serves `/oauth2/authorize` (a login form), `/oauth2/token`
//! (the three grants, PKCE) and `/oauth2/revoke` at its base URL. moto has
//! no OAuth endpoints: on moto each test checks that the CLI says the
//! domain is not a Cognito domain (exit 5), which is all there is to prove.

use std::io::BufRead as _;
use std::sync::mpsc;
use std::time::Duration;

use cognito_stub::http_get;
use cognito_token_emulator::OAuthSetup;

use crate::support::{Cli, CliOutput, Emu, Home, Provisioned, claims};

/// A port nobody listens on now, for a callback URL of this test's own.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// On moto: the CLI reports that there is no OAuth2 endpoint, and the test
/// ends. On fakecloud: a pool with the OAuth2 setup and a confirmed user.
async fn setup(emu: Emu) -> Option<(Provisioned, OAuthSetup, String, String)> {
    if emu == Emu::Moto {
        let out = Cli::new([
            "login",
            "--flow",
            "client-credentials",
            "--client-id",
            "abc123",
        ])
        .env("COGNITO_DOMAIN", emu.endpoint())
        .env("COGNITO_CLIENT_SECRET", "irrelevant-secret")
        .run();
        let e = out.fails(5, "unexpected answer from");
        assert!(e.contains("--domain"), "{e}");
        return None;
    }
    let p = emu.default_pool().await;
    let callback = format!("http://localhost:{}/callback", free_port());
    let o = p
        .provision_oauth(&[callback])
        .await
        .unwrap_or_else(|e| panic!("OAuth2 provisioning on {}: {e:#}", emu.name()));
    let user = Provisioned::username("user");
    let password = Provisioned::password();
    p.create_confirmed_user(&user, &password, Some(&format!("{user}@example.com")))
        .await
        .unwrap();
    Some((p, o, user, password))
}

fn cc(home: &Home, o: &OAuthSetup, args: &[&str]) -> CliOutput {
    home.cli(args)
        .args(["--flow", "client-credentials"])
        .env("COGNITO_DOMAIN", &o.domain)
        .env("COGNITO_CLIENT_ID", &o.m2m_client_id)
        .env("COGNITO_CLIENT_SECRET", o.m2m_client_secret.expose())
        .run()
}

pub async fn client_credentials_gives_a_scoped_access_token(emu: Emu) {
    let Some((_p, o, _, _)) = setup(emu).await else {
        return;
    };
    let home = Home::new();
    let out = cc(&home, &o, &["login", "--scope", "api/read"]);
    out.assert_not_leaked("client secret", o.m2m_client_secret.expose());
    let t = out.line();
    let c = claims(&t);
    assert_eq!(c["token_use"], "access");
    assert_eq!(c["client_id"], o.m2m_client_id.as_str());
    assert_eq!(c["scope"], "api/read", "exactly the scope asked for");
    // From the cache, as a header.
    assert_eq!(
        cc(
            &home,
            &o,
            &["token", "--scope", "api/read", "--output", "header"]
        )
        .line(),
        format!("Authorization: {t}")
    );
    // Both scopes, comma-separated.
    let both = cc(&home, &o, &["token", "--scope", "api/write,api/read"]).line();
    let mut got: Vec<String> = claims(&both)["scope"]
        .as_str()
        .unwrap()
        .split(' ')
        .map(str::to_owned)
        .collect();
    got.sort();
    assert_eq!(got, ["api/read", "api/write"]);

    // Bad input: a wrong secret, a scope the client may not have, no secret.
    let e = home
        .cli(["login", "--flow", "client-credentials"])
        .env("COGNITO_DOMAIN", &o.domain)
        .env("COGNITO_CLIENT_ID", &o.m2m_client_id)
        .env("COGNITO_CLIENT_SECRET", "wrong-secret-value")
        .run()
        .fails(3, "invalid_client");
    assert!(!e.contains("wrong-secret-value"), "{e}");
    cc(&home, &o, &["login", "--scope", "api/admin"]).fails(3, "invalid_scope");
    home.cli(["login", "--flow", "client-credentials"])
        .env("COGNITO_DOMAIN", &o.domain)
        .env("COGNITO_CLIENT_ID", &o.web_client_id)
        .run()
        .fails(2, "needs the app client's secret");
}

/// A running `cognito-token … --flow browser --no-browser`.
struct Running {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<()>,
}

impl Running {
    fn start(cli: Cli) -> Running {
        let mut child = cli.spawn_piped();
        let err = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Running {
            child,
            lines: rx,
            reader,
        }
    }

    /// The authorize URL it printed on stderr.
    fn url(&self) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .expect("the CLI printed no sign-in URL");
            if line.contains("/oauth2/authorize?") {
                return line.trim().to_owned();
            }
        }
    }

    /// Exit status, stdout, and the rest of stderr.
    fn finish(self) -> (Option<i32>, String, String) {
        let out = self.child.wait_with_output().unwrap();
        // The reader ends at the end of stderr: then every line is queued.
        self.reader.join().unwrap();
        let rest: Vec<String> = self.lines.try_iter().collect();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            rest.join("\n"),
        )
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// What a person does in the browser, with an HTTP client: open the URL,
/// fill in fakecloud's login form (hidden fields kept), submit it; returns
/// where fakecloud redirects (the callback with `code` and `state`).
fn sign_in_with_the_form(url: &str, user: &str, password: &str) -> String {
    let page = http_get(url).expect("GET the authorize URL");
    assert_eq!(page.status, 200, "the login form: {}", page.body);
    let form_at = page.body.find("<form").expect("a login form");
    let form = &page.body[form_at..];
    let action = form
        .split("action=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the form's action");
    let mut q = form_urlencoded::Serializer::new(String::new());
    for input in form.split("<input").skip(1) {
        let attr = |name: &str| {
            input
                .split(&format!("{name}=\""))
                .nth(1)
                .and_then(|s| s.split('"').next())
                .map(unescape)
        };
        if attr("type").as_deref() == Some("hidden")
            && let (Some(n), Some(v)) = (attr("name"), attr("value"))
        {
            q.append_pair(&n, &v);
        }
    }
    q.append_pair("username", user)
        .append_pair("password", password);
    let origin: String = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    let submit = format!("{origin}{}?{}", unescape(action), q.finish());
    let r = http_get(&submit).expect("submit the login form");
    r.location
        .unwrap_or_else(|| panic!("no redirect after the login form: {} {}", r.status, r.body))
}

pub async fn browser_flow_refresh_and_revoke(emu: Emu) {
    let Some((_p, o, user, password)) = setup(emu).await else {
        return;
    };
    let home = Home::new();
    let redirect = o.callback_urls[0].clone();
    let cli = |args: &[&str]| {
        home.cli(args)
            .args(["--flow", "browser", "--redirect-uri", &redirect])
            .env("COGNITO_DOMAIN", &o.domain)
            .env("COGNITO_CLIENT_ID", &o.web_client_id)
    };
    let run = Running::start(cli(&[
        "login",
        "--no-browser",
        "--scope",
        "openid email profile api/read",
    ]));
    let url = run.url();
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let location = sign_in_with_the_form(&url, &user, &password);
    assert!(location.starts_with(&redirect), "{location}");
    let page = http_get(&location).expect("deliver the callback");
    assert_eq!(page.status, 200, "{}", page.body);
    let (code, stdout, stderr) = run.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    let id = stdout.trim().to_owned();
    let c = claims(&id);
    assert_eq!(c["token_use"], "id");
    assert_eq!(c["cognito:username"], user.as_str());
    assert_eq!(c["aud"], o.web_client_id.as_str());

    // `token`: the cache, then a refresh at /oauth2/token.
    let scope = ["--scope", "openid email profile api/read"];
    let again = cli(&["token"]).args(scope).run().line();
    assert_eq!(again, id);
    let access = cli(&["token", "--token", "access"])
        .args(scope)
        .run()
        .line();
    assert!(
        claims(&access)["scope"]
            .as_str()
            .unwrap()
            .split(' ')
            .any(|s| s == "api/read"),
        "{}",
        claims(&access)
    );
    let json: serde_json::Value = serde_json::from_str(
        &cli(&["token", "--min-ttl", "100000", "--output", "json"])
            .args(scope)
            .run()
            .line(),
    )
    .unwrap();
    let refresh = json["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned();
    assert_eq!(
        claims(json["id_token"].as_str().unwrap())["cognito:username"],
        user.as_str()
    );

    // logout revokes the refresh token at /oauth2/revoke.
    let out = cli(&["logout"]).args(scope).run();
    out.assert_success()
        .assert_not_leaked("refresh token", &refresh);
    assert!(
        out.stderr().contains("revoked the refresh token"),
        "{}",
        out.stderr()
    );
    assert!(home.cache_entries().is_empty());
    let domain = cognito_token_core::oauth2::Domain::parse(&o.domain, &[]).unwrap();
    let err = cognito_token_core::oauth2::token(
        &domain,
        &cognito_token_core::oauth2::OAuthClient {
            client_id: o.web_client_id.clone(),
            client_secret: None,
        },
        &cognito_token_core::oauth2::Grant::RefreshToken {
            refresh_token: cognito_token_core::Secret::new(refresh),
        },
        Duration::from_secs(10),
    )
    .await
    .expect_err("a revoked refresh token is refused");
    assert_eq!(err.code(), Some("invalid_grant"), "{err}");
}

pub async fn browser_flow_bad_input(emu: Emu) {
    let Some((_p, o, user, _)) = setup(emu).await else {
        return;
    };
    let home = Home::new();
    let redirect = o.callback_urls[0].clone();
    // A redirect URI the client does not have: refused before the browser,
    // with the exact URI to register.
    let other = format!("http://localhost:{}/callback", free_port());
    let e = home
        .cli([
            "login",
            "--flow",
            "browser",
            "--no-browser",
            "--redirect-uri",
            &other,
        ])
        .env("COGNITO_DOMAIN", &o.domain)
        .env("COGNITO_CLIENT_ID", &o.web_client_id)
        .run()
        .fails(3, "invalid_request");
    assert!(e.contains("add exactly that") && e.contains(&other), "{e}");
    // A scope the client does not allow.
    home.cli([
        "login",
        "--flow",
        "browser",
        "--no-browser",
        "--redirect-uri",
        &redirect,
        "--scope",
        "openid api/write",
    ])
    .env("COGNITO_DOMAIN", &o.domain)
    .env("COGNITO_CLIENT_ID", &o.web_client_id)
    .run()
    .fails(3, "invalid_scope");
    // A wrong password in the form: fakecloud sends error=access_denied to the callback.
    let run = Running::start(
        home.cli([
            "login",
            "--flow",
            "browser",
            "--no-browser",
            "--redirect-uri",
            &redirect,
        ])
        .env("COGNITO_DOMAIN", &o.domain)
        .env("COGNITO_CLIENT_ID", &o.web_client_id),
    );
    let location = sign_in_with_the_form(&run.url(), &user, "Wrong-passw0rd!");
    assert!(location.contains("error=access_denied"), "{location}");
    let page = http_get(&location).unwrap();
    assert_eq!(page.status, 400);
    let (code, stdout, stderr) = run.finish();
    assert_eq!(code, Some(3), "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("error: access_denied"), "{stderr}");
}

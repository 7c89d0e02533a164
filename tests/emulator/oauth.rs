//! The OAuth2 flows against the emulators: `--flow client-credentials` and
//! `--flow browser` (authorization code with PKCE; the hosted UI's login
//! form filled in by an HTTP client), refresh and revocation.
//!
//! fakecloud 0.51 serves `/oauth2/authorize` (a login form), `/oauth2/token`
//! (the three grants, PKCE) and `/oauth2/revoke` at its base URL.
//! cognito-local 5.3 serves the authorization-code grant with PKCE (S256
//! required; a login form POSTed to `/oauth2/authorize`) and the
//! refresh-token grant at its base URL, and nothing else: no
//! client-credentials grant, no revocation, no scope or client-secret
//! checks. moto has no OAuth endpoints: on moto each test checks that the
//! CLI says the domain is not a Cognito domain (exit 5), which is all there
//! is to prove.

use std::io::BufRead as _;
use std::sync::mpsc;
use std::time::Duration;

use cognito_stub::{HttpResponse, http_get, http_post_form};
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
    assert_ne!(emu, Emu::CognitoLocal, "cognito-local: see `hosted`");
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

/// A hosted-UI client and a confirmed user: what the browser flow needs.
struct Hosted {
    domain: String,
    web_client_id: String,
    redirect: String,
    /// The scopes to ask for (the client's).
    scopes: &'static str,
    user: String,
    password: String,
}

/// The browser flow's setup: fakecloud's (`setup`), or on cognito-local a
/// pool with a hosted-UI client (it has no domains, resource servers or
/// custom scopes); `None` on moto, after checking the CLI's error.
async fn hosted(emu: Emu) -> Option<Hosted> {
    if emu != Emu::CognitoLocal {
        let (_p, o, user, password) = setup(emu).await?;
        return Some(Hosted {
            domain: o.domain.clone(),
            web_client_id: o.web_client_id.clone(),
            redirect: o.callback_urls[0].clone(),
            scopes: "openid email profile api/read",
            user,
            password,
        });
    }
    let p = emu.default_pool().await;
    let redirect = format!("http://localhost:{}/callback", free_port());
    let web_client_id = p
        .provision_web_client(std::slice::from_ref(&redirect), false)
        .await
        .unwrap_or_else(|e| panic!("a hosted-UI client on cognito-local: {e:#}"));
    let user = Provisioned::username("user");
    let password = Provisioned::password();
    p.create_confirmed_user(&user, &password, Some(&format!("{user}@example.com")))
        .await
        .unwrap();
    Some(Hosted {
        domain: p.endpoint.clone(),
        web_client_id,
        redirect,
        scopes: "openid email profile",
        user,
        password,
    })
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
    if emu == Emu::CognitoLocal {
        // No client-credentials grant: the token endpoint says so.
        let p = emu.default_pool().await;
        let e = Cli::new(["login", "--flow", "client-credentials"])
            .env("COGNITO_DOMAIN", &p.endpoint)
            .env("COGNITO_CLIENT_ID", &p.client_id)
            .env("COGNITO_CLIENT_SECRET", p.client_secret.expose())
            .run()
            .fails(3, "unsupported_grant_type");
        assert!(!e.contains(p.client_secret.expose()), "{e}");
        return;
    }
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
/// fill in the emulator's login form (hidden fields kept), submit it;
/// returns where the emulator redirects (the callback with `code` and
/// `state`).
fn sign_in_with_the_form(url: &str, user: &str, password: &str) -> String {
    let r = submit_the_form(url, user, password);
    r.location
        .unwrap_or_else(|| panic!("no redirect after the login form: {} {}", r.status, r.body))
}

/// Opens the URL and submits its login form as the form says (fakecloud:
/// a GET with the fields in the query; cognito-local: a POST); the answer.
fn submit_the_form(url: &str, user: &str, password: &str) -> HttpResponse {
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
    let post = form
        .split('>')
        .next()
        .is_some_and(|tag| tag.to_ascii_lowercase().contains("method=\"post\""));
    if post {
        http_post_form(&format!("{origin}{}", unescape(action)), &q.finish())
            .expect("submit the login form")
    } else {
        http_get(&format!("{origin}{}?{}", unescape(action), q.finish()))
            .expect("submit the login form")
    }
}

pub async fn browser_flow_refresh_and_revoke(emu: Emu) {
    let Some(h) = hosted(emu).await else {
        return;
    };
    let (user, password, redirect) = (&h.user, &h.password, &h.redirect);
    let home = Home::new();
    let cli = |args: &[&str]| {
        home.cli(args)
            .args(["--flow", "browser", "--redirect-uri", redirect])
            .env("COGNITO_DOMAIN", &h.domain)
            .env("COGNITO_CLIENT_ID", &h.web_client_id)
    };
    let run = Running::start(cli(&["login", "--no-browser", "--scope", h.scopes]));
    let url = run.url();
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let location = sign_in_with_the_form(&url, user, password);
    assert!(location.starts_with(redirect), "{location}");
    let page = http_get(&location).expect("deliver the callback");
    assert_eq!(page.status, 200, "{}", page.body);
    let (code, stdout, stderr) = run.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    let id = stdout.trim().to_owned();
    let c = claims(&id);
    assert_eq!(c["token_use"], "id");
    assert_eq!(c["cognito:username"], user.as_str());
    assert_eq!(c["aud"], h.web_client_id.as_str());

    // `token`: the cache, then a refresh at /oauth2/token.
    let scope = ["--scope", h.scopes];
    let again = cli(&["token"]).args(scope).run().line();
    assert_eq!(again, id);
    let access = cli(&["token", "--token", "access"])
        .args(scope)
        .run()
        .line();
    assert_eq!(claims(&access)["token_use"], "access");
    if emu == Emu::Fakecloud {
        assert!(
            claims(&access)["scope"]
                .as_str()
                .unwrap()
                .split(' ')
                .any(|s| s == "api/read"),
            "{}",
            claims(&access)
        );
    }
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

    // logout revokes the refresh token at /oauth2/revoke (cognito-local
    // has no such route: the CLI says so and forgets the tokens).
    let out = cli(&["logout"]).args(scope).run();
    out.assert_success()
        .assert_not_leaked("refresh token", &refresh);
    let revoked = match emu {
        Emu::CognitoLocal => "could not revoke",
        _ => "revoked the refresh token",
    };
    assert!(out.stderr().contains(revoked), "{}", out.stderr());
    assert!(home.cache_entries().is_empty());
    let domain = cognito_token_core::oauth2::Domain::parse(&h.domain, &[]).unwrap();
    let again = cognito_token_core::oauth2::token(
        &domain,
        &cognito_token_core::oauth2::OAuthClient {
            client_id: h.web_client_id.clone(),
            client_secret: None,
        },
        &cognito_token_core::oauth2::Grant::RefreshToken {
            refresh_token: cognito_token_core::Secret::new(refresh),
        },
        Duration::from_secs(10),
    )
    .await;
    match emu {
        Emu::CognitoLocal => {
            again.expect("cognito-local's refresh token still works");
        }
        _ => {
            let err = again.expect_err("a revoked refresh token is refused");
            assert_eq!(err.code(), Some("invalid_grant"), "{err}");
        }
    }
}

pub async fn browser_flow_bad_input(emu: Emu) {
    let Some(h) = hosted(emu).await else {
        return;
    };
    let (user, redirect) = (&h.user, &h.redirect);
    let home = Home::new();
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
        .env("COGNITO_DOMAIN", &h.domain)
        .env("COGNITO_CLIENT_ID", &h.web_client_id)
        .run()
        .fails(3, "invalid_request");
    assert!(e.contains("add exactly that") && e.contains(&other), "{e}");
    let browser = |scope: &str| {
        Running::start(
            home.cli([
                "login",
                "--flow",
                "browser",
                "--no-browser",
                "--redirect-uri",
                redirect,
                "--scope",
                scope,
            ])
            .env("COGNITO_DOMAIN", &h.domain)
            .env("COGNITO_CLIENT_ID", &h.web_client_id),
        )
    };
    if emu == Emu::CognitoLocal {
        // It checks no scope: one the client does not allow signs in.
        // A wrong password shows the form again with its message; the
        // right one then signs in.
        let run = browser("openid api/write");
        let url = run.url();
        let again = submit_the_form(&url, user, "Wrong-passw0rd!");
        assert_eq!(again.status, 200, "{}", again.body);
        assert!(
            again.body.contains("Incorrect username or password."),
            "{}",
            again.body
        );
        let location = sign_in_with_the_form(&url, user, &h.password);
        assert_eq!(http_get(&location).unwrap().status, 200);
        let (code, stdout, stderr) = run.finish();
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(claims(stdout.trim())["cognito:username"], user.as_str());
        return;
    }
    // A scope the client does not allow.
    home.cli([
        "login",
        "--flow",
        "browser",
        "--no-browser",
        "--redirect-uri",
        redirect,
        "--scope",
        "openid api/write",
    ])
    .env("COGNITO_DOMAIN", &h.domain)
    .env("COGNITO_CLIENT_ID", &h.web_client_id)
    .run()
    .fails(3, "invalid_scope");
    // A wrong password in the form: fakecloud sends error=access_denied to the callback.
    let run = browser("openid email profile");
    let location = sign_in_with_the_form(&run.url(), user, "Wrong-passw0rd!");
    assert!(location.contains("error=access_denied"), "{location}");
    let page = http_get(&location).unwrap();
    assert_eq!(page.status, 400);
    let (code, stdout, stderr) = run.finish();
    assert_eq!(code, Some(3), "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("error: access_denied"), "{stderr}");
}

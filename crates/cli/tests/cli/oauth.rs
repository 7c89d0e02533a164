//! `--flow client-credentials` and `--flow browser` against the strict
//! stub's OAuth endpoints, which check HTTP Basic client authentication, the
//! exact redirect URI, PKCE (S256), the state round trip (the CLI's side),
//! single-use codes and the client's allowed scopes: dropping any of them
//! makes a test here fail.

use std::io::BufRead as _;
use std::sync::mpsc;
use std::time::Duration;

use cognito_stub::{OAuthSpec, http_get};

use crate::support::*;
mod browser;

struct Oauth {
    stub: Stub,
    dir: tempfile::TempDir,
    /// Secret, client_credentials, scopes rs/read rs/write.
    m2m: ClientInfo,
    /// Secret, code flow, callback `redirect`.
    web: ClientInfo,
    /// No secret, code flow, callback `redirect`.
    public: ClientInfo,
    redirect: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn setup() -> Oauth {
    let stub = Stub::start();
    let pool = stub.add_pool(PoolSpec::default());
    stub.add_resource_server(&pool, "rs", &["read", "write"]);
    let m2m = stub.add_oauth_client(
        &pool,
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
        OAuthSpec::client_credentials(&["rs/read", "rs/write"]),
    );
    let redirect = format!("http://localhost:{}/callback", free_port());
    let scopes = ["openid", "email", "profile", "rs/read"];
    let web = stub.add_oauth_client(
        &pool,
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
        OAuthSpec::code(&redirect, &scopes),
    );
    let public = stub.add_oauth_client(
        &pool,
        ClientSpec::default(),
        OAuthSpec::code(&redirect, &scopes),
    );
    stub.add_user(&pool, UserSpec::new("alice", PW));
    Oauth {
        stub,
        dir: tempfile::tempdir().unwrap(),
        m2m,
        web,
        public,
        redirect,
    }
}

impl Oauth {
    /// The binary with only the OAuth settings: no pool id, no username,
    /// no endpoint, no AWS credentials.
    fn cmd(&self, client: &ClientInfo, args: &[&str]) -> Cmd {
        let c = Cmd::bare(self.dir.path(), args)
            .env("COGNITO_DOMAIN", &self.stub.domain())
            .env("COGNITO_CLIENT_ID", &client.id);
        match &client.secret {
            Some(s) => c.env("COGNITO_CLIENT_SECRET", s),
            None => c,
        }
    }

    fn cc(&self, args: &[&str]) -> Out {
        let mut all = vec![args[0], "--flow", "client-credentials"];
        all.extend_from_slice(&args[1..]);
        self.cmd(&self.m2m, &all).run()
    }

    fn token_requests(&self) -> Vec<cognito_stub::OAuthRequest> {
        self.stub
            .oauth_requests()
            .into_iter()
            .filter(|r| r.endpoint == "POST /oauth2/token")
            .collect()
    }

    fn cache_files(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("cache/cognito-token"))
            .map(|d| d.count())
            .unwrap_or(0)
    }
}

#[test]
fn client_credentials_prints_a_scoped_access_token_cached_per_scope_set() {
    let o = setup();
    let out = o.cc(&["login", "--scope", "rs/read", "-vvv"]);
    let t = out.line();
    for s in [&t, o.m2m.secret.as_ref().unwrap()] {
        assert!(
            !out.stderr.contains(s.as_str()),
            "a secret on stderr at -vvv"
        );
    }
    assert!(
        out.stderr.contains("token endpoint request"),
        "-vvv logs the request: {}",
        out.stderr
    );
    let c = claims(&t);
    assert_eq!(c["token_use"], "access");
    assert_eq!(c["client_id"], o.m2m.id.as_str());
    // Exactly the scope asked for: the client also allows rs/write, so a
    // dropped --scope would give both.
    assert_eq!(c["scope"], "rs/read");
    let reqs = o.token_requests();
    assert_eq!(reqs.len(), 1);
    assert!(reqs[0].basic_auth, "client secret through HTTP Basic");
    assert!(!reqs[0].secret_in_body);
    assert_eq!(reqs[0].grant_type.as_deref(), Some("client_credentials"));
    assert_eq!(reqs[0].outcome, "ok");

    // `token` with the same options: the cache, no request.
    assert_eq!(o.cc(&["token", "--scope", "rs/read"]).line(), t);
    assert_eq!(o.token_requests().len(), 1);
    // --output header works for this flow too.
    assert_eq!(
        o.cc(&["token", "--scope", "rs/read", "--output", "header"])
            .line(),
        format!("Authorization: {t}")
    );
    // The scope set is part of the key (order and separators do not matter).
    let both = o.cc(&["token", "--scope", "rs/write, rs/read"]).line();
    assert_eq!(claims(&both)["scope"], "rs/read rs/write");
    assert_eq!(o.token_requests().len(), 2);
    assert_eq!(o.cc(&["token", "--scope", "rs/read rs/write"]).line(), both);
    assert_eq!(o.token_requests().len(), 2);
    // Too little validity left: a new grant (there is no refresh token).
    let again = o
        .cc(&["token", "--scope", "rs/read", "--min-ttl", "100000"])
        .line();
    assert_eq!(claims(&again)["scope"], "rs/read");
    assert_eq!(o.token_requests().len(), 3);
    // JSON: no ID token, no refresh token.
    let j: serde_json::Value = serde_json::from_str(
        &o.cc(&["token", "--scope", "rs/read", "--output", "json"])
            .line(),
    )
    .unwrap();
    assert!(
        j["id_token"].is_null() && j["refresh_token"].is_null(),
        "{j}"
    );
    assert_eq!(j["access_token"], again.as_str());
    // exec gets the access token.
    let out = o
        .cmd(
            &o.m2m,
            &[
                "exec",
                "--flow",
                "client-credentials",
                "--scope",
                "rs/read",
                "--",
                "sh",
                "-c",
                "printf %s \"$COGNITO_ACCESS_TOKEN\"",
            ],
        )
        .run();
    assert_eq!(out.stdout, again, "{}", out.stderr);
    // logout forgets the entry (nothing to revoke).
    let out = o.cc(&["logout", "--scope", "rs/read"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        o.stub
            .oauth_requests()
            .iter()
            .all(|r| r.endpoint != "POST /oauth2/revoke")
    );
}

#[test]
fn a_profile_selects_the_oauth2_flow_domain_and_scope() {
    let o = setup();
    let dir = o.dir.path().join("config/cognito-token");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[profiles.m2m]\nflow = \"client-credentials\"\ndomain = \"{}\"\nclient_id = \"{}\"\n\
             scope = \"rs/write\"\nclient_secret_env = \"M2M_SECRET\"\n",
            o.stub.domain(),
            o.m2m.id
        ),
    )
    .unwrap();
    let t = Cmd::bare(o.dir.path(), &["token", "--profile", "m2m"])
        .env("M2M_SECRET", o.m2m.secret.as_deref().unwrap())
        .run()
        .line();
    assert_eq!(claims(&t)["scope"], "rs/write");
    // --users-file is for InitiateAuth only.
    let list = o.dir.path().join("users.csv");
    std::fs::write(&list, "alice,x\n").unwrap();
    o.cc(&["login", "--users-file", list.to_str().unwrap()])
        .fails(2, "OAuth2 flows");
}

#[test]
fn client_credentials_bad_input() {
    let o = setup();
    // --token id/refresh: there are none.
    o.cc(&["login", "--token", "id"])
        .fails(2, "only an access token");
    o.cc(&["login", "--token", "refresh"])
        .fails(2, "--token access");
    // No secret.
    o.cmd(&o.m2m, &["login", "--flow", "client-credentials"])
        .env_remove("COGNITO_CLIENT_SECRET")
        .run()
        .fails(2, "needs the app client's secret");
    // A wrong secret: Cognito's invalid_client, and a hint.
    let e = o
        .cmd(&o.m2m, &["login", "--flow", "client-credentials"])
        .env("COGNITO_CLIENT_SECRET", "not-the-secret")
        .run()
        .fails(3, "invalid_client");
    assert!(e.contains("COGNITO_CLIENT_SECRET"), "{e}");
    assert!(!e.contains("not-the-secret"), "{e}");
    // A scope the client may not ask for.
    let e = o
        .cc(&["login", "--scope", "rs/admin"])
        .fails(3, "invalid_scope");
    assert!(e.contains("--scope"), "{e}");
    // A client that may not use client_credentials.
    o.cmd(&o.web, &["login", "--flow", "client-credentials"])
        .run()
        .fails(3, "unauthorized_client");
    // Not a domain.
    o.cc(&[
        "login",
        "--domain",
        "example.auth.us-east-1.amazoncognito.com",
    ])
    .fails(2, "not a URL");
    o.cc(&["login", "--domain", "http://cognito.example.com"])
        .fails(2, "clear text");
    o.cc(&["login", "--domain", "https://u:hunter2@example.com"])
        .fails(2, "user information");
    // No domain at all.
    o.cmd(&o.m2m, &["login", "--flow", "client-credentials"])
        .env_remove("COGNITO_DOMAIN")
        .run()
        .fails(2, "COGNITO_DOMAIN");
    // A server that is not a Cognito domain (the stub's JSON API under a path).
    let e = o
        .cc(&[
            "login",
            "--domain",
            &format!("{}/not-cognito", o.stub.domain()),
        ])
        .fails(5, "not-cognito");
    assert!(e.contains("--domain"), "{e}");
    // Nothing listening.
    o.cc(&[
        "login",
        "--domain",
        &format!("http://127.0.0.1:{}", free_port()),
    ])
    .fails(4, "cannot reach");
    assert_eq!(o.cache_files(), 0);
}

//! `login`: the password and admin flows, NEW_PASSWORD_REQUIRED, output
//! formats, and what goes over the wire.

use crate::support::*;

fn temp_user(username: &str) -> UserSpec {
    UserSpec {
        temporary: true,
        ..UserSpec::new(username, PW)
    }
}

#[test]
fn email_alias_with_secret_client_answers_new_password_over_the_internal_username() {
    // Cognito's rule, enforced by the stub: InitiateAuth hashes the name
    // typed (the email), the NEW_PASSWORD_REQUIRED answer hashes the
    // internal username. A client that hashed the email twice is rejected.
    let w = World::with(
        PoolSpec {
            username_is_email: true,
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            ..Default::default()
        },
    );
    let user = w.user(temp_user("taro@example.com"));
    assert_ne!(
        user.username, "taro@example.com",
        "the internal username is not the email"
    );
    let out = w
        .cmd(&["login"])
        .env("COGNITO_USERNAME", "taro@example.com")
        .env("COGNITO_PASSWORD", PW)
        .env("COGNITO_NEW_PASSWORD", NEW_PW)
        .run();
    let token = out.line();
    let c = claims(token);
    assert_eq!(c["token_use"], "id");
    assert_eq!(c["aud"], w.client.id.as_str());
    assert_eq!(c["cognito:username"], user.username.as_str());
    let state = w.stub.user(&w.pool, "taro@example.com").unwrap();
    assert_eq!(state.password, NEW_PW);
    assert_eq!(state.status, "CONFIRMED");
    let answer = &w.requests("RespondToAuthChallenge")[0];
    assert_eq!(
        answer.body["ChallengeResponses"]["USERNAME"],
        user.username.as_str()
    );
    // Second sign-in with the new password: no challenge.
    w.stub.clear_requests();
    let out = w
        .cmd(&["login", "--username", "taro@example.com", "--no-cache"])
        .env("COGNITO_PASSWORD", NEW_PW)
        .run();
    out.line();
    assert!(w.requests("RespondToAuthChallenge").is_empty());
}

#[test]
fn public_client_non_ascii_username_and_keep_password() {
    let w = World::with(
        PoolSpec::default(),
        ClientSpec {
            generate_secret: false,
            ..Default::default()
        },
    );
    w.user(temp_user("ユーザー太郎"));
    let out = w
        .cmd(&["login", "--username", "ユーザー太郎", "--keep-password"])
        .env("COGNITO_PASSWORD", PW)
        .run();
    assert_eq!(claims(out.line())["cognito:username"], "ユーザー太郎");
    assert_eq!(w.stub.user(&w.pool, "ユーザー太郎").unwrap().password, PW);
    // No SECRET_HASH is sent for a public client.
    for r in w.stub.requests() {
        assert!(
            r.body
                .get("AuthParameters")
                .and_then(|p| p.get("SECRET_HASH"))
                .is_none()
        );
        assert!(
            r.body
                .get("ChallengeResponses")
                .and_then(|p| p.get("SECRET_HASH"))
                .is_none()
        );
    }
}

#[test]
fn non_ascii_username_with_secret_client() {
    let w = World::new();
    w.user(temp_user("ユーザー太郎"));
    let out = w
        .cmd(&["login", "--username", "ユーザー太郎"])
        .env("COGNITO_PASSWORD", PW)
        .env("COGNITO_NEW_PASSWORD", NEW_PW)
        .run();
    assert_eq!(claims(out.line())["cognito:username"], "ユーザー太郎");
}

#[test]
fn user_flows_send_no_signature_even_with_credentials_present() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    for with_creds in [false, true] {
        w.stub.clear_requests();
        let mut c = w
            .cmd(&["login", "--username", "alice", "--no-cache"])
            .env("COGNITO_PASSWORD", PW);
        if with_creds {
            c = c
                .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
                .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG");
        }
        c.run().line();
        let reqs = w.requests("InitiateAuth");
        assert_eq!(reqs.len(), 1);
        assert_eq!(
            reqs[0].authorization, None,
            "with credentials: {with_creds}"
        );
    }
}

#[test]
fn admin_flow_signs_with_iam_credentials() {
    let w = World::new();
    let user = w.user(UserSpec {
        email: Some("hanako@example.com".into()),
        ..temp_user("hanako")
    });
    let out = w
        .cmd(&[
            "login",
            "--flow",
            "admin",
            "--username",
            "hanako",
            "--keep-password",
        ])
        .env("COGNITO_PASSWORD", PW)
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG")
        .run();
    assert_eq!(
        claims(out.line())["cognito:username"],
        user.username.as_str()
    );
    let init = &w.requests("AdminInitiateAuth")[0];
    assert!(
        init.authorization
            .as_deref()
            .unwrap_or("")
            .starts_with("AWS4-HMAC-SHA256")
    );
    assert_eq!(init.body["UserPoolId"], w.pool.as_str());
    assert!(
        w.requests("AdminRespondToAuthChallenge")[0]
            .authorization
            .is_some()
    );
    // Without credentials, the admin flow is refused by Cognito, with a hint.
    let out = w
        .cmd(&[
            "login",
            "--flow",
            "admin",
            "--username",
            "hanako",
            "--no-cache",
        ])
        .env("COGNITO_PASSWORD", PW)
        .run();
    assert_ne!(out.code, 0);
    assert_eq!(out.stdout, "");
}

#[test]
fn outputs_json_header_and_token_kinds() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let run = |args: &[&str]| {
        let mut a = vec!["login", "--username", "alice"];
        a.extend_from_slice(args);
        w.cmd(&a).env("COGNITO_PASSWORD", PW).run()
    };
    let out = run(&["--output", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.line()).unwrap();
    for k in [
        "id_token",
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "expires_at",
    ] {
        assert!(!v[k].is_null(), "{k} missing in {v}");
    }
    assert_eq!(v["token_type"], "Bearer");
    let expires_in = v["expires_in"].as_i64().unwrap();
    assert!((3500..=3600).contains(&expires_in), "{expires_in}");
    assert_eq!(
        claims(v["access_token"].as_str().unwrap())["token_use"],
        "access"
    );

    let out = run(&["--output", "header"]);
    let h = out.line();
    let jwt = h.strip_prefix("Authorization: ").expect("header");
    assert_eq!(claims(jwt)["token_use"], "id");

    assert_eq!(
        claims(run(&["--token", "access"]).line())["token_use"],
        "access"
    );
    let refresh = run(&["--token", "refresh"]);
    assert!(!refresh.line().is_empty());
    assert!(
        cognito_token_core::jwt::decode(&refresh.line()).is_err(),
        "the stub's refresh tokens are opaque"
    );
}

#[test]
fn password_from_stdin() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let out = w
        .cmd(&["login", "--username", "alice", "--password-stdin"])
        .stdin(&format!("{PW}\nrest\n"))
        .run();
    assert_eq!(claims(out.line())["cognito:username"], "alice");
    // Without a trailing newline too.
    let out = w
        .cmd(&["login", "--username", "alice", "--password-stdin"])
        .stdin(PW)
        .run();
    out.line();
    // --password-stdin wins over COGNITO_PASSWORD.
    let out = w
        .cmd(&["login", "--username", "alice", "--password-stdin"])
        .env("COGNITO_PASSWORD", "wrong")
        .stdin(PW)
        .run();
    out.line();
}

#[test]
fn required_attributes_are_answered_or_named() {
    let w = World::new();
    w.user(UserSpec {
        required_attributes: vec!["name".into()],
        ..temp_user("jiro")
    });
    let out = w
        .cmd(&["login", "--username", "jiro", "--keep-password"])
        .env("COGNITO_PASSWORD", PW)
        .run();
    out.fails(2, "--attribute name=VALUE");
    let out = w
        .cmd(&[
            "login",
            "--username",
            "jiro",
            "--keep-password",
            "--attribute",
            "name=Jiro Yamada",
        ])
        .env("COGNITO_PASSWORD", PW)
        .run();
    out.line();
    assert_eq!(
        w.stub.user(&w.pool, "jiro").unwrap().attributes["name"],
        "Jiro Yamada"
    );
}

#[test]
fn rejections_are_one_line_in_cognitos_words() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    w.user(UserSpec {
        enabled: false,
        ..UserSpec::new("dora", PW)
    });
    w.user(temp_user("newbie"));
    let base = |user: &str, pw: &str| {
        w.cmd(&["login", "--username", user])
            .env("COGNITO_PASSWORD", pw)
    };
    base("alice", "wrong")
        .run()
        .fails(3, "NotAuthorizedException: Incorrect username or password.");
    base("nobody", PW).run().fails(3, "UserNotFoundException");
    base("dora", PW).run().fails(3, "User is disabled");
    base("alice", PW)
        .env("COGNITO_CLIENT_ID", "unknownclient123")
        .run()
        .fails(3, "ResourceNotFoundException");
    // A new password that breaks the policy.
    base("newbie", PW)
        .env("COGNITO_NEW_PASSWORD", "short")
        .run()
        .fails(3, "InvalidPasswordException");
    // No source for the new password, no terminal.
    let err = base("newbie", PW).run().fails(2, "NEW_PASSWORD_REQUIRED");
    assert!(
        err.contains("COGNITO_NEW_PASSWORD") && err.contains("--keep-password"),
        "{err}"
    );
    // Secret client without the secret: Cognito's words plus a hint.
    let err = base("alice", PW)
        .env_remove("COGNITO_CLIENT_SECRET")
        .run()
        .fails(3, "SECRET_HASH was not received");
    assert!(err.contains("--client-secret"), "{err}");
    // A wrong secret.
    base("alice", PW)
        .env("COGNITO_CLIENT_SECRET", "not-the-secret")
        .run()
        .fails(3, "Unable to verify secret hash");
}

#[test]
fn flow_not_allowed_by_the_client_is_refused_with_a_hint() {
    let w = World::with(
        PoolSpec::default(),
        ClientSpec {
            generate_secret: true,
            explicit_auth_flows: vec![
                "ALLOW_USER_SRP_AUTH".into(),
                "ALLOW_REFRESH_TOKEN_AUTH".into(),
            ],
            ..Default::default()
        },
    );
    w.user(UserSpec::new("alice", PW));
    let err = w
        .cmd(&["login", "--username", "alice"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .fails(3, "InvalidParameterException");
    assert!(err.contains("--flow"), "{err}");
    // SRP is allowed.
    w.cmd(&["login", "--username", "alice", "--flow", "srp"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
}

#[test]
fn unreachable_endpoint_is_a_network_error() {
    let w = World::new();
    // A port nothing listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = w
        .cmd(&[
            "login",
            "--username",
            "alice",
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .env("COGNITO_PASSWORD", PW)
        .run();
    let err = out.fails(4, "cannot reach");
    assert!(err.contains("refused") || err.contains("connect"), "{err}");
}

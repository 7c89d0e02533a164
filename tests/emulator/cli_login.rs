//! `cognito-token login` against the emulator: the password and admin
//! flows, NEW_PASSWORD_REQUIRED, both kinds of app client, the output
//! formats, email-as-username pools, and unsigned user flows.

use crate::support::{Cli, Client, Emu, Recorder, claims};

pub async fn first_login_sets_the_new_password_then_the_second_needs_no_challenge(emu: Emu) {
    let (p, user, password) = emu.pool_with_new_user().await;
    let new_password = format!("{password}-New");
    let out = Cli::new(["login"])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .env("COGNITO_NEW_PASSWORD", &new_password)
        .run();
    let token = out.line();
    out.assert_not_leaked("password", &password)
        .assert_not_leaked("new password", &new_password)
        .assert_not_leaked("client secret", p.client_secret.expose());
    let c = claims(&token);
    assert_eq!(
        c["aud"],
        serde_json::json!(p.client_id),
        "aud is the client id"
    );
    assert_eq!(c["token_use"], serde_json::json!("id"));
    assert_eq!(c["cognito:username"], serde_json::json!(user));
    assert_eq!(p.user_status(&user).await.unwrap().0, "CONFIRMED");

    // The new password is now the password: a sign-in with no answer for
    // NEW_PASSWORD_REQUIRED (no variable, no terminal) gets tokens, so no
    // challenge came.
    let out = Cli::new(["login"])
        .identity(&p, Client::Secret, &user)
        .password(&new_password)
        .run();
    assert_eq!(
        claims(out.line())["cognito:username"],
        serde_json::json!(user)
    );

    // And the temporary one is gone.
    Cli::new(["login"])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .env("COGNITO_NEW_PASSWORD", &new_password)
        .run()
        .fails(3, wrong_password_code(emu));
}

/// The error code of a wrong password: cognito-local says
/// `InvalidPasswordException: Invalid password` where Cognito says
/// `NotAuthorizedException: Incorrect username or password.`
pub fn wrong_password_code(emu: Emu) -> &'static str {
    match emu {
        Emu::Moto | Emu::Fakecloud => "NotAuthorizedException",
        Emu::CognitoLocal => "InvalidPasswordException: Invalid password",
    }
}

pub async fn keep_password_on_the_public_client(emu: Emu) {
    let (p, user, password) = emu.pool_with_new_user().await;
    let out = Cli::new(["login", "--keep-password"])
        .identity(&p, Client::Public, &user)
        .password(&password)
        .run();
    let c = claims(out.line());
    assert_eq!(c["aud"], serde_json::json!(p.public_client_id));
    assert_eq!(c["cognito:username"], serde_json::json!(user));
    assert_eq!(p.user_status(&user).await.unwrap().0, "CONFIRMED");

    // The same password, now permanent: no challenge.
    let out = Cli::new(["login"])
        .identity(&p, Client::Public, &user)
        .password(&password)
        .run();
    assert_eq!(
        claims(out.line())["aud"],
        serde_json::json!(p.public_client_id)
    );
}

pub async fn secret_client_without_its_secret(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let out = Cli::new(["login"])
        .identity_args(&p, &p.client_id, &user)
        .password(&password)
        .run();
    match emu {
        // moto does not check SECRET_HASH on USER_PASSWORD_AUTH at all (not
        // even its presence): the sign-in succeeds.
        Emu::Moto | Emu::CognitoLocal => {
            assert_eq!(claims(out.line())["aud"], serde_json::json!(p.client_id));
        }
        // Cognito refuses; the CLI adds a hint. (Cognito's behaviour,
        // expected of fakecloud: to be confirmed when it joins.)
        Emu::Fakecloud => {
            let err = out.fails(3, "SECRET_HASH");
            assert!(err.contains("COGNITO_CLIENT_SECRET"), "hint: {err}");
        }
    }
}

pub async fn admin_flow_uses_aws_credentials(emu: Emu) {
    let (p, user, password) = emu.pool_with_new_user().await;
    let new_password = format!("{password}-Adm");
    let rec = Recorder::start(&p.endpoint);
    let out = Cli::new(["login", "--flow", "admin"])
        .identity_at(&p, Client::Secret, &user, rec.endpoint())
        .password(&password)
        .env("COGNITO_NEW_PASSWORD", &new_password)
        .env("AWS_ACCESS_KEY_ID", "AKIDTESTING")
        .env("AWS_SECRET_ACCESS_KEY", "testing-secret-key")
        .run();
    let c = claims(out.line());
    assert_eq!(c["cognito:username"], serde_json::json!(user));
    assert_eq!(c["aud"], serde_json::json!(p.client_id));
    out.assert_not_leaked("AWS secret key", "testing-secret-key");

    // Admin requests, signed with the credentials (SigV4).
    let reqs = rec.requests();
    let ops: Vec<&str> = reqs.iter().map(|r| r.operation()).collect();
    match emu {
        Emu::Moto | Emu::Fakecloud => {
            assert_eq!(ops, ["AdminInitiateAuth", "AdminRespondToAuthChallenge"]);
            assert_eq!(p.user_status(&user).await.unwrap().0, "CONFIRMED");
        }
        // cognito-local's ADMIN_USER_PASSWORD_AUTH gives tokens at once,
        // even to a user with a temporary password (no NEW_PASSWORD_REQUIRED),
        // and the password stays temporary.
        Emu::CognitoLocal => {
            assert_eq!(ops, ["AdminInitiateAuth"]);
            assert_eq!(
                p.user_status(&user).await.unwrap().0,
                "FORCE_CHANGE_PASSWORD"
            );
        }
    }
    for r in &reqs {
        let auth = r
            .header("authorization")
            .unwrap_or_else(|| panic!("{} is not signed: {:?}", r.operation(), r.headers));
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTESTING/"),
            "{auth}"
        );
    }
    assert_eq!(reqs[0].json()["UserPoolId"], serde_json::json!(p.pool_id));

    // Without credentials the admin flow stops with a clear error, before
    // any request.
    rec.clear();
    let out = Cli::new(["login", "--flow", "admin", "--timeout", "5"])
        .identity_at(&p, Client::Secret, &user, rec.endpoint())
        .password(&new_password)
        .run();
    let code = out.code();
    let err = out.stderr();
    assert_ne!(code, Some(0), "{err}");
    assert!(
        err.contains("credentials"),
        "names the missing credentials: {err}"
    );
    assert!(rec.requests().is_empty(), "{:?}", rec.operations());
}

pub async fn output_json_header_and_access_token(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let login = |args: &[&str]| {
        Cli::new(["login"])
            .args(args)
            .identity(&p, Client::Secret, &user)
            .password(&password)
            .run()
    };

    let out = login(&["--output", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.line()).expect("--output json is JSON");
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "id_token",
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "expires_at",
    ] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    let id = claims(v["id_token"].as_str().unwrap());
    assert_eq!(id["token_use"], serde_json::json!("id"));
    assert_eq!(id["aud"], serde_json::json!(p.client_id));
    assert_eq!(id["cognito:username"], serde_json::json!(user));
    let access = claims(v["access_token"].as_str().unwrap());
    assert_eq!(access["token_use"], serde_json::json!("access"));
    assert_eq!(access["client_id"], serde_json::json!(p.client_id));
    assert_eq!(access["username"], serde_json::json!(user));
    assert!(v["refresh_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(v["token_type"], serde_json::json!("Bearer"));
    let expires_in = v["expires_in"].as_i64().unwrap();
    // One hour, as Cognito's default; cognito-local's ID tokens last a day.
    let validity = match emu {
        Emu::Moto | Emu::Fakecloud => 3600,
        Emu::CognitoLocal => 86_400,
    };
    assert!(
        (validity - 600..=validity).contains(&expires_in),
        "{validity} s: {expires_in}"
    );
    let at = v["expires_at"].as_str().unwrap();
    assert!(at.ends_with('Z') && at.contains('T'), "RFC 3339 UTC: {at}");
    let left = id["exp"].as_i64().unwrap() - cognito_token_core::now();
    assert!(
        (left - expires_in).abs() <= 2,
        "expires_in follows exp: {left} vs {expires_in}"
    );

    let header = login(&["--output", "header"]).line();
    let jwt = header
        .strip_prefix("Authorization: ")
        .unwrap_or_else(|| panic!("not a header line: {header}"));
    assert_eq!(claims(jwt)["token_use"], serde_json::json!("id"));

    let access = login(&["--token", "access"]).line();
    assert_eq!(claims(&access)["token_use"], serde_json::json!("access"));

    let refresh = login(&["--token", "refresh"]).line();
    assert!(!refresh.is_empty());
}

pub async fn email_as_username_signs_in_by_email(emu: Emu) {
    let (p, email, password, internal) = emu.email_pool_with_user(true).await;
    assert_ne!(internal, email, "the pool gives the user an internal name");

    let new_password = format!("{password}-New");
    let out = Cli::new(["login"])
        .identity(&p, Client::Secret, &email)
        .password(&password)
        .env("COGNITO_NEW_PASSWORD", &new_password)
        .run();
    let c = claims(out.line());
    assert_eq!(c["cognito:username"], serde_json::json!(internal));
    match emu {
        // moto (like Cognito) names the user by its sub.
        Emu::Moto | Emu::CognitoLocal => assert_eq!(c["sub"], serde_json::json!(internal)),
        // fakecloud gives the user a UUID username and a different UUID sub.
        Emu::Fakecloud => assert!(c["sub"].as_str().is_some_and(|s| s.len() == 36), "{c}"),
    }
    match emu {
        // moto fills the ID token's `email` with the name the sign-in ended
        // with: the internal one after NEW_PASSWORD_REQUIRED (the typed
        // email when there was no challenge).
        Emu::Moto => assert_eq!(c["email"], serde_json::json!(internal)),
        // Cognito: the email attribute.
        Emu::Fakecloud | Emu::CognitoLocal => assert_eq!(c["email"], serde_json::json!(email)),
    }

    // The answer set the new password: signing in by email with it needs
    // no challenge; the temporary one no longer works.
    let out = Cli::new(["login"])
        .identity(&p, Client::Secret, &email)
        .password(&new_password)
        .run();
    assert_eq!(
        claims(out.line())["cognito:username"],
        serde_json::json!(internal)
    );
    Cli::new(["login"])
        .identity(&p, Client::Secret, &email)
        .password(&password)
        .env("COGNITO_NEW_PASSWORD", &new_password)
        .run()
        .fails(3, wrong_password_code(emu));
}

pub async fn user_flows_send_no_aws_signature(emu: Emu) {
    let (p, user, password) = emu.pool_with_new_user().await;
    let rec = Recorder::start(&p.endpoint);

    // No credentials anywhere: password flow with NEW_PASSWORD_REQUIRED.
    Cli::new(["login", "--keep-password"])
        .identity_at(&p, Client::Secret, &user, rec.endpoint())
        .password(&password)
        .run()
        .line();
    let reqs = rec.requests();
    let ops: Vec<&str> = reqs.iter().map(|r| r.operation()).collect();
    assert_eq!(ops, ["InitiateAuth", "RespondToAuthChallenge"]);
    for r in &reqs {
        assert_eq!(
            r.header("authorization"),
            None,
            "{} is signed",
            r.operation()
        );
        assert_eq!(r.header("x-amz-security-token"), None);
    }

    // Credentials in the environment are not used by user flows either
    // (password and SRP), while the admin flow signs with them: the
    // recorder does see signatures.
    // (cognito-local has no SRP: `srp::…` checks its error.)
    let flows: &[&str] = match emu {
        Emu::Moto | Emu::Fakecloud => &["password", "srp"],
        Emu::CognitoLocal => &["password"],
    };
    for &flow in flows {
        rec.clear();
        let out = Cli::new(["login", "--flow", flow])
            .identity_at(&p, Client::Secret, &user, rec.endpoint())
            .password(&password)
            .env("AWS_ACCESS_KEY_ID", "AKIDTESTING")
            .env("AWS_SECRET_ACCESS_KEY", "testing-secret-key")
            .env("AWS_SESSION_TOKEN", "testing-session-token")
            .run();
        out.line();
        let reqs = rec.requests();
        assert!(!reqs.is_empty());
        for r in &reqs {
            assert_eq!(
                r.header("authorization"),
                None,
                "{flow}: {} is signed",
                r.operation()
            );
            assert_eq!(r.header("x-amz-security-token"), None, "{flow}");
        }
    }
    rec.clear();
    Cli::new(["login", "--flow", "admin"])
        .identity_at(&p, Client::Secret, &user, rec.endpoint())
        .password(&password)
        .env("AWS_ACCESS_KEY_ID", "AKIDTESTING")
        .env("AWS_SECRET_ACCESS_KEY", "testing-secret-key")
        .run()
        .line();
    let reqs = rec.requests();
    assert_eq!(reqs.len(), 1, "{:?}", rec.operations());
    assert!(
        reqs[0].header("authorization").is_some(),
        "the admin flow signs"
    );
}

//! Choice-based sign-in (`USER_AUTH`) with `PASSWORD` and `PASSWORD_SRP`,
//! and refresh through `GetTokensFromRefreshToken`: fakecloud only (moto
//! implements neither; the README's emulator table says so).
//!
//! The pool signs in by e-mail, so the internal username (a UUID) differs
//! from the typed name, and the client has a secret: fakecloud checks the
//! SECRET_HASH of `InitiateAuth` over the typed name and verifies the SRP
//! proof over the internal one.

use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, FeatureType, RefreshTokenRotationType,
};
use cognito_token_core::refresh::RefreshOperation;
use cognito_token_core::{Cognito, FirstFactor, Flow, Secret, StaticAnswers, Tokens};

use crate::support::{Emu, Home, Recorder, claims};

/// A client of `p`'s pool with a secret and `ALLOW_USER_AUTH`: (id, secret).
async fn user_auth_client(p: &cognito_token_emulator::Provisioned) -> (String, String) {
    client(p, false).await
}

/// A client with a secret, `ALLOW_USER_AUTH`, and refresh-token rotation
/// when `rotate`: (id, secret).
async fn client(p: &cognito_token_emulator::Provisioned, rotate: bool) -> (String, String) {
    let mut req = p.admin.create_user_pool_client();
    if rotate {
        req = req.refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature(FeatureType::Enabled)
                .retry_grace_period_seconds(0)
                .build()
                .unwrap(),
        );
    }
    let out = req
        .user_pool_id(&p.pool_id)
        .client_name(format!(
            "user-auth-{}",
            cognito_token_emulator::unique_suffix()
        ))
        .generate_secret(true)
        .set_explicit_auth_flows(Some(vec![
            ExplicitAuthFlowsType::AllowUserAuth,
            ExplicitAuthFlowsType::AllowUserPasswordAuth,
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ]))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateUserPoolClient with ALLOW_USER_AUTH: {e}"));
    let c = out.user_pool_client().expect("a client");
    (
        c.client_id().expect("a client id").to_owned(),
        c.client_secret().expect("a client secret").to_owned(),
    )
}

fn identity(
    p: &cognito_token_emulator::Provisioned,
    client: &(String, String),
    user: &str,
) -> cognito_token_core::Identity {
    let mut id = p.identity(user).unwrap();
    id.client_id = client.0.clone();
    id.client_secret = Some(Secret::new(&client.1));
    id
}

async fn sign_in(
    p: &cognito_token_emulator::Provisioned,
    id: &cognito_token_core::Identity,
    factor: FirstFactor,
    password: &str,
) -> Tokens {
    let cog = Cognito::connect(&p.connect_options()).await.unwrap();
    cog.login(
        id,
        Flow::UserAuth {
            preferred: Some(factor),
        },
        &Secret::new(password),
        &StaticAnswers::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("USER_AUTH with {factor}: {e}"))
}

pub async fn password_and_password_srp(emu: Emu) {
    let (p, email, password, internal) = emu.email_pool_with_user(false).await;
    let client = user_auth_client(&p).await;
    let id = identity(&p, &client, &email);
    for factor in [FirstFactor::Password, FirstFactor::PasswordSrp] {
        let t = sign_in(&p, &id, factor, &password).await;
        assert_eq!(t.internal_username().as_deref(), Some(internal.as_str()));
        assert_eq!(
            claims(t.id_token.expose())["aud"],
            serde_json::json!(client.0)
        );
    }
    // A wrong password is refused by both.
    let cog = Cognito::connect(&p.connect_options()).await.unwrap();
    for factor in [FirstFactor::Password, FirstFactor::PasswordSrp] {
        let e = cog
            .login(
                &id,
                Flow::UserAuth {
                    preferred: Some(factor),
                },
                &Secret::new("Wrong-passw0rd!"),
                &StaticAnswers::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some("NotAuthorizedException"), "{factor}: {e}");
    }
}

pub async fn cli_user_auth_sends_user_auth(emu: Emu) {
    let (p, email, password, internal) = emu.email_pool_with_user(false).await;
    let client = user_auth_client(&p).await;
    let home = Home::new();
    let rec = Recorder::start(&p.endpoint);
    let out = home
        .cli([
            "login",
            "--flow",
            "user-auth",
            "--preferred-challenge",
            "password-srp",
        ])
        .args([
            "--client-id",
            &client.0,
            "--username",
            &email,
            "--user-pool-id",
            &p.pool_id,
            "--endpoint-url",
            rec.endpoint(),
        ])
        .env("COGNITO_CLIENT_SECRET", &client.1)
        .password(&password)
        .run();
    let token = out.line();
    assert_eq!(
        claims(&token)["cognito:username"],
        serde_json::json!(internal)
    );
    let reqs = rec.requests();
    let init = reqs
        .iter()
        .find(|r| r.operation() == "InitiateAuth")
        .expect("an InitiateAuth")
        .json();
    assert_eq!(init["AuthFlow"], serde_json::json!("USER_AUTH"));
    assert_eq!(
        init["AuthParameters"]["PREFERRED_CHALLENGE"],
        serde_json::json!("PASSWORD_SRP")
    );
    // The password itself never travelled.
    assert!(
        reqs.iter()
            .all(|r| !String::from_utf8_lossy(&r.body).contains(&password))
    );
}

pub async fn get_tokens_from_refresh_token(emu: Emu) {
    let (p, email, password, internal) = emu.email_pool_with_user(false).await;
    let client = user_auth_client(&p).await;
    let id = identity(&p, &client, &email);
    let first = sign_in(&p, &id, FirstFactor::Password, &password).await;
    let rt = first.refresh_token.clone().expect("a refresh token");
    let cog = Cognito::connect(&p.connect_options()).await.unwrap();
    let r = cog
        .refresh_rotating(&id, &rt, &internal, RefreshOperation::GetTokens, None)
        .await
        .unwrap_or_else(|e| panic!("GetTokensFromRefreshToken: {e}"));
    assert_eq!(
        r.operation,
        RefreshOperation::GetTokens,
        "no fallback on fakecloud"
    );
    assert_eq!(
        r.tokens.internal_username().as_deref(),
        Some(internal.as_str())
    );
    assert!(r.tokens.refresh_token.is_some());
}

pub async fn rotation_keeps_the_live_refresh_token(emu: Emu) {
    let (p, email, password, internal) = emu.email_pool_with_user(false).await;
    let client = client(&p, true).await;
    let id = identity(&p, &client, &email);
    // The library: a new refresh token, and the old one refused.
    let first = sign_in(&p, &id, FirstFactor::PasswordSrp, &password).await;
    let old = first.refresh_token.clone().expect("a refresh token");
    let cog = Cognito::connect(&p.connect_options()).await.unwrap();
    let r = cog
        .refresh_rotating(&id, &old, &internal, RefreshOperation::GetTokens, None)
        .await
        .unwrap_or_else(|e| panic!("GetTokensFromRefreshToken: {e}"));
    assert!(r.rotated, "fakecloud rotates on this client");
    let new = r.tokens.refresh_token.clone().unwrap();
    assert_ne!(new, old);
    let e = cog
        .refresh_rotating(&id, &old, &internal, RefreshOperation::GetTokens, None)
        .await
        .unwrap_err();
    assert!(e.code().is_some(), "{e}");

    // The CLI: each forced refresh rotates, and the next one (with no
    // password to fall back on) works only if the cache kept the new token.
    let home = Home::new();
    let cli = |args: &[&str]| {
        home.cli(args.iter().copied())
            .args([
                "--client-id",
                &client.0,
                "--username",
                &email,
                "--user-pool-id",
                &p.pool_id,
                "--endpoint-url",
                &p.endpoint,
            ])
            .env("COGNITO_CLIENT_SECRET", &client.1)
    };
    let mut seen = vec![
        cli(&["login", "--token", "refresh"])
            .password(&password)
            .run()
            .line(),
    ];
    for _ in 0..3 {
        let out = cli(&["token", "--min-ttl", "999999", "--token", "refresh"]).run();
        let rt = out.line();
        assert!(
            !out.stderr().contains("refreshing failed"),
            "{}",
            out.stderr()
        );
        assert!(!seen.contains(&rt), "a new refresh token each time");
        seen.push(rt);
    }
}

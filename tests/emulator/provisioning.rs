//! The emulator fixture itself, and the core library's first sign-in.

use cognito_token_core::{Cognito, Flow, Secret, StaticAnswers};

use crate::support::{self, Emu, PoolOptions, Provisioned};

pub async fn provisions_a_pool_with_secret_and_public_clients_and_users(emu: Emu) {
    let p = emu
        .pool(&PoolOptions {
            password_policy: Some(support::PasswordPolicy {
                min_length: 10,
                ..Default::default()
            }),
            ..Default::default()
        })
        .await;
    let pool_id = p.pool_id().expect("the pool id parses as REGION_ID");
    match emu {
        Emu::Moto | Emu::Fakecloud => assert_eq!(pool_id.region(), p.region),
        // cognito-local names every pool `local_…`.
        Emu::CognitoLocal => assert_eq!(pool_id.region(), "local"),
    }
    assert!(!p.client_secret.expose().is_empty());
    assert_ne!(p.client_id, p.public_client_id);

    let described = p
        .admin
        .describe_user_pool_client()
        .user_pool_id(&p.pool_id)
        .client_id(&p.public_client_id)
        .send()
        .await
        .expect("DescribeUserPoolClient");
    assert!(
        described
            .user_pool_client()
            .and_then(|c| c.client_secret())
            .is_none(),
        "the public client has no secret"
    );

    let user = Provisioned::username("u");
    p.create_user(&user, &Provisioned::password(), Some("u@example.com"))
        .await
        .unwrap();
    assert_eq!(
        p.user_status(&user).await.unwrap(),
        ("FORCE_CHANGE_PASSWORD".to_owned(), true)
    );
    p.disable_user(&user).await.unwrap();
    assert!(
        !p.user_status(&user).await.unwrap().1,
        "the user is disabled"
    );

    // A second pool gets other names.
    let q = emu.default_pool().await;
    assert_ne!(p.pool_id, q.pool_id);
    assert_ne!(p.pool_name, q.pool_name);
}

pub async fn core_first_login_keeps_the_password_then_signs_in_without_a_challenge(emu: Emu) {
    let (p, user, password) = emu.pool_with_new_user().await;
    let cog = Cognito::connect(&p.connect_options()).await.unwrap();
    let id = p.identity(&user).unwrap();

    let tokens = cog
        .login(
            &id,
            Flow::Password,
            &Secret::new(password.clone()),
            &StaticAnswers::keep_password(),
        )
        .await
        .unwrap_or_else(|e| panic!("first login: {e}"));
    let claims = support::claims(tokens.id_token.expose());
    assert_eq!(claims["cognito:username"], serde_json::json!(user));
    assert_eq!(claims["token_use"], serde_json::json!("id"));
    assert!(tokens.refresh_token.is_some());
    assert_eq!(p.user_status(&user).await.unwrap().0, "CONFIRMED");

    // The password was kept: a plain sign-in needs no answer now.
    cog.login(
        &id,
        Flow::Password,
        &Secret::new(password),
        &StaticAnswers::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("second login: {e}"));
}

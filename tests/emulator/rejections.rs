//! What Cognito refuses, through the CLI: exit status 3 (2 for a
//! challenge nobody can answer), Cognito's own error code on one `error:`
//! line, nothing on stdout.

use crate::support::{Cli, Client, Emu, PasswordPolicy, PoolOptions, Provisioned, claims};

pub async fn wrong_password(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let wrong = format!("{password}x");
    let out = Cli::new(["login"])
        .identity(&p, Client::Secret, &user)
        .password(&wrong)
        .run();
    match emu {
        Emu::Moto | Emu::Fakecloud => {
            let err = out.fails(3, "NotAuthorizedException");
            assert!(err.contains("Incorrect username or password"), "{err}");
        }
        Emu::CognitoLocal => {
            out.fails(3, "InvalidPasswordException: Invalid password");
        }
    }
    out.assert_not_leaked("password", &wrong);
}

pub async fn unknown_user(emu: Emu) {
    let p = emu.default_pool().await;
    let out = Cli::new(["login"])
        .identity(&p, Client::Secret, &Provisioned::username("nobody"))
        .password(&Provisioned::password())
        .run();
    match emu {
        // moto always names the error.
        Emu::Moto => out.fails(3, "UserNotFoundException"),
        Emu::CognitoLocal => out.fails(3, "NotAuthorizedException: User not authorized"),
        // fakecloud hides whether the user exists, as Cognito does with
        // PreventUserExistenceErrors = ENABLED.
        Emu::Fakecloud => out.fails(3, "NotAuthorizedException: Incorrect username or password."),
    };
}

pub async fn unknown_client_id(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let out = Cli::new(["login"])
        .identity_args(&p, "1example23456789abcdefghij", &user)
        .password(&password)
        .run();
    let err = out.fails(3, "ResourceNotFoundException");
    assert!(err.contains("check --client-id"), "hint: {err}");
}

pub async fn disabled_user(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    p.disable_user(&user).await.unwrap();
    let out = Cli::new(["login"])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .run();
    match emu {
        Emu::Moto | Emu::Fakecloud => {
            let err = out.fails(3, "NotAuthorizedException");
            assert!(err.contains("User is disabled"), "{err}");
        }
        // cognito-local does not look at `Enabled` when signing in.
        Emu::CognitoLocal => {
            assert_eq!(
                claims(out.line())["cognito:username"],
                serde_json::json!(user)
            );
        }
    }
}

pub async fn new_password_breaking_the_policy(emu: Emu) {
    let p = emu
        .pool(&PoolOptions {
            password_policy: Some(PasswordPolicy {
                min_length: 20,
                ..Default::default()
            }),
            ..Default::default()
        })
        .await;
    let user = Provisioned::username("user");
    let password = format!("{}-long-enough", Provisioned::password());
    p.create_user(&user, &password, None).await.unwrap();
    // Upper, lower, digit and symbol, but shorter than 20.
    let short = "Sh0rt!pass";
    let out = Cli::new(["login"])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .env("COGNITO_NEW_PASSWORD", short)
        .run();
    out.assert_not_leaked("new password", short);
    match emu {
        Emu::Moto | Emu::Fakecloud => {
            out.fails(3, "InvalidPasswordException");
            assert_eq!(
                p.user_status(&user).await.unwrap().0,
                "FORCE_CHANGE_PASSWORD",
                "the password was not changed"
            );
        }
        // cognito-local applies no password policy to NEW_PASSWORD_REQUIRED.
        Emu::CognitoLocal => {
            out.line();
            assert_eq!(p.user_status(&user).await.unwrap().0, "CONFIRMED");
        }
    }
}

pub async fn unanswerable_new_password_challenge(emu: Emu) {
    let (p, user, password) = emu.pool_with_new_user().await;
    let out = Cli::new(["login"])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .run();
    let err = out.fails(2, "NEW_PASSWORD_REQUIRED");
    assert!(
        err.contains("COGNITO_NEW_PASSWORD"),
        "says how to answer: {err}"
    );
    assert!(err.contains("--keep-password"), "{err}");
    assert_eq!(
        p.user_status(&user).await.unwrap().0,
        "FORCE_CHANGE_PASSWORD"
    );
}

//! The CLI against the emulator.

use crate::support::{self, Cli};

#[tokio::test]
async fn cli_login_prints_an_id_token_for_a_temporary_password_user() {
    let (p, user, password) = support::pool_with_new_user().await;
    let new_password = format!("{password}-New");
    let out = Cli::new([
        "login",
        "--client-id",
        &p.client_id,
        "--username",
        &user,
        "--endpoint-url",
        &p.endpoint,
        "--region",
        &p.region,
    ])
    .env("COGNITO_PASSWORD", &password)
    .env("COGNITO_CLIENT_SECRET", p.client_secret.expose())
    .env("COGNITO_NEW_PASSWORD", &new_password)
    .run();
    out.assert_success()
        .assert_not_leaked("password", &password)
        .assert_not_leaked("new password", &new_password)
        .assert_not_leaked("client secret", p.client_secret.expose());

    let stdout = out.stdout();
    let token = stdout.trim_end_matches('\n');
    assert!(
        !token.contains('\n'),
        "stdout holds one line, the token: {} lines",
        stdout.lines().count()
    );
    let claims = support::claims(token);
    assert_eq!(claims["cognito:username"], serde_json::json!(user));
    assert_eq!(claims["token_use"], serde_json::json!("id"));

    // The new password is now the password.
    assert_eq!(p.user_status(&user).await.unwrap().0, "CONFIRMED");
    let cog = cognito_token_core::Cognito::connect(&p.connect_options())
        .await
        .unwrap();
    cog.login(
        &p.identity(&user).unwrap(),
        cognito_token_core::Flow::Password,
        &cognito_token_core::Secret::new(new_password),
        &cognito_token_core::StaticAnswers::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("login with the new password: {e}"));
}

#[test]
fn tests_fail_without_an_emulator_endpoint_and_say_how_to_get_one() {
    // The message itself, as the fixture shows it (the variable is set in
    // this process when run by `cargo xtask test-local`, so check the text
    // the library builds rather than the environment).
    let msg = match std::env::var(cognito_token_emulator::ENDPOINT_ENV) {
        Ok(_) => {
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "provisioning::provisions_a_pool_with_secret_and_public_clients_and_users",
                    "--nocapture",
                ])
                .env_remove(cognito_token_emulator::ENDPOINT_ENV)
                .output()
                .unwrap();
            assert!(
                !out.status.success(),
                "a test without an emulator must fail, not pass or skip"
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr)
        }
        Err(_) => format!(
            "{:#}",
            cognito_token_emulator::endpoint_from_env().unwrap_err()
        ),
    };
    assert!(msg.contains("cargo xtask test-local"), "{msg}");
    assert!(msg.contains(cognito_token_emulator::ENDPOINT_ENV), "{msg}");
}

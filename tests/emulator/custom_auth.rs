//! Custom challenges (`--flow custom`) on the shared emulators, whose
//! pools have no Lambda triggers: each emulator's answer and the CLI's
//! error for it. The sign-ins the triggers drive are `custom_triggers`
//! (fakecloud only).

use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType;
use cognito_token_emulator::Provisioned;

use crate::support::{Cli, Emu};

/// A client with a secret and `ALLOW_CUSTOM_AUTH`: (id, secret).
pub async fn custom_client(p: &Provisioned) -> (String, String) {
    let out = p
        .admin
        .create_user_pool_client()
        .user_pool_id(&p.pool_id)
        .client_name(format!(
            "custom-{}",
            cognito_token_emulator::unique_suffix()
        ))
        .generate_secret(true)
        .set_explicit_auth_flows(Some(vec![
            ExplicitAuthFlowsType::AllowCustomAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ]))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateUserPoolClient with ALLOW_CUSTOM_AUTH: {e}"));
    let c = out.user_pool_client().expect("a client");
    (
        c.client_id().expect("a client id").to_owned(),
        c.client_secret().expect("a client secret").to_owned(),
    )
}

/// `cognito-token login --flow custom` for `email` on `client`.
pub fn custom_login(p: &Provisioned, client: &(String, String), email: &str) -> Cli {
    Cli::new(["login", "--flow", "custom"])
        .identity_args(p, &client.0, email)
        .env("COGNITO_CLIENT_SECRET", &client.1)
}

/// `--flow custom` on the shared emulator, whose pools have no triggers:
/// on a client without `ALLOW_CUSTOM_AUTH` and on one with it.
pub async fn custom_flow_without_triggers(emu: Emu) {
    let (p, user, _) = emu.pool_with_confirmed_user().await;
    let login = |client: &(String, String)| {
        custom_login(&p, client, &user)
            .env("COGNITO_CHALLENGE_ANSWER", "424242")
            .run()
    };
    // The provisioned clients allow every other flow, not CUSTOM_AUTH.
    let plain = (p.client_id.clone(), p.client_secret.expose().to_owned());
    let custom = custom_client(&p).await;
    match emu {
        Emu::Fakecloud => {
            let err = login(&plain).fails(3, "CUSTOM_AUTH flow is not enabled for this client");
            assert!(err.contains("enable ALLOW_CUSTOM_AUTH"), "hint: {err}");
            let err = login(&custom).fails(
                3,
                "InvalidLambdaResponseException: No Lambda trigger configured for DefineAuthChallenge.",
            );
            assert!(
                err.contains("a Lambda trigger of the user pool failed"),
                "hint: {err}"
            );
        }
        // moto accepts CUSTOM_AUTH on any client and answers `{}`: no
        // tokens, no challenge (moto 5.2.5, the README's
        // table).
        Emu::Moto => {
            for client in [&plain, &custom] {
                login(client).fails(
                    5,
                    "malformed InitiateAuth response: neither AuthenticationResult nor ChallengeName",
                );
            }
        }
        Emu::CognitoLocal => {
            for client in [&plain, &custom] {
                login(client).fails(
                    3,
                    "Cognito Local unsupported feature: InitAuth with AuthFlow=CUSTOM_AUTH",
                );
            }
        }
    }
}

//! The checks a strict server makes and moto does not: a wrong SECRET_HASH
//! on `USER_PASSWORD_AUTH`, and a flow the app client does not allow. On
//! fakecloud (as on Cognito) each is refused with the CLI's clear error; on
//! moto the same requests succeed, which is stated in each `match`. The
//! missing SECRET_HASH case is `cli_login::secret_client_without_its_secret`;
//! SRP with a wrong password is `srp::srp_wrong_password`.

use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType;

use crate::support::{Cli, Client, Emu, claims};

pub async fn wrong_client_secret_on_the_password_flow(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let out = Cli::new(["login"])
        .identity(&p, Client::Secret, &user)
        .env(
            "COGNITO_CLIENT_SECRET",
            "not-the-secret-of-this-client-0123456789",
        )
        .password(&password)
        .run();
    match emu {
        // moto does not check SECRET_HASH on USER_PASSWORD_AUTH.
        Emu::Moto | Emu::CognitoLocal => {
            assert_eq!(claims(out.line())["aud"], serde_json::json!(p.client_id))
        }
        Emu::Fakecloud => {
            let err = out.fails(3, "NotAuthorizedException: Unable to verify secret hash");
            assert!(err.contains("client secret"), "hint: {err}");
        }
    }
}

pub async fn flow_the_client_does_not_allow(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    // A public client that allows SRP and refresh only.
    let srp_only = p
        .admin
        .create_user_pool_client()
        .user_pool_id(&p.pool_id)
        .client_name("srp-only")
        .set_explicit_auth_flows(Some(vec![
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ]))
        .send()
        .await
        .unwrap()
        .user_pool_client
        .and_then(|c| c.client_id)
        .unwrap();
    let login = |flow: &str| {
        Cli::new(["login", "--flow", flow])
            .identity_args(&p, &srp_only, &user)
            .password(&password)
            .run()
    };
    match emu {
        // moto does not enforce ExplicitAuthFlows.
        Emu::Moto | Emu::CognitoLocal => {
            login("password").line();
        }
        Emu::Fakecloud => {
            let err = login("password").fails(3, "USER_PASSWORD_AUTH flow is not enabled");
            assert!(err.contains("--flow"), "hint: {err}");
        }
    }
    // The allowed flow works (cognito-local has no SRP at all).
    match emu {
        Emu::Moto | Emu::Fakecloud => assert_eq!(
            claims(login("srp").line())["aud"],
            serde_json::json!(srp_only)
        ),
        Emu::CognitoLocal => {
            login("srp").fails(
                3,
                "unsupported feature: InitAuth with AuthFlow=USER_SRP_AUTH",
            );
        }
    }
}

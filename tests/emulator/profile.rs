//! A profile in the config file drives a sign-in (flow, pool, endpoint,
//! the secret's variable), and `COGNITO_TOKEN_PROFILE` names the same
//! cached identity.

use crate::support::{Emu, Home, Recorder, claims};

pub async fn profile_drives_a_login(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let rec = Recorder::start(&p.endpoint);
    let home = Home::new();
    let config = home.config_file();
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    // cognito-local's pool ids (`local_…`) name no region: the profile does.
    let region = match emu {
        Emu::Moto | Emu::Fakecloud => String::new(),
        Emu::CognitoLocal => format!("region = \"{}\"\n", p.region),
    };
    std::fs::write(
        &config,
        format!(
            "[profiles.emu]\n{region}\
             user_pool_id = \"{}\"\n\
             client_id = \"{}\"\n\
             username = \"{user}\"\n\
             endpoint_url = \"{}\"\n\
             flow = \"admin\"\n\
             client_secret_env = \"EMU_CLIENT_SECRET\"\n",
            p.pool_id,
            p.client_id,
            rec.endpoint()
        ),
    )
    .unwrap();

    // The admin flow, so the recorder shows the profile's flow was used
    // (the default is the password flow).
    let admin_env = |c: crate::support::Cli| {
        c.env("AWS_ACCESS_KEY_ID", "AKIDTESTING")
            .env("AWS_SECRET_ACCESS_KEY", "testing-secret-key")
    };
    let out = admin_env(home.cli(["login", "--profile", "emu"]))
        .env("EMU_CLIENT_SECRET", p.client_secret.expose())
        .password(&password)
        .run();
    let token = out.line();
    let c = claims(&token);
    assert_eq!(c["aud"], serde_json::json!(p.client_id));
    assert_eq!(c["cognito:username"], serde_json::json!(user));
    // The profile's flow, pool and endpoint were used.
    let reqs = rec.requests();
    assert_eq!(rec.operations(), ["AdminInitiateAuth"]);
    assert_eq!(
        reqs[0].json()["AuthFlow"],
        serde_json::json!("ADMIN_USER_PASSWORD_AUTH")
    );
    assert_eq!(reqs[0].json()["UserPoolId"], serde_json::json!(p.pool_id));

    // COGNITO_TOKEN_PROFILE names the same identity: the cached token.
    rec.clear();
    let out = home
        .cli(["token"])
        .env("COGNITO_TOKEN_PROFILE", "emu")
        .env("EMU_CLIENT_SECRET", p.client_secret.expose())
        .run();
    assert_eq!(out.line(), token);
    assert!(rec.requests().is_empty(), "{:?}", rec.operations());

    // The profile's secret variable unset: a configuration error.
    admin_env(home.cli(["login", "--profile", "emu"]))
        .password(&password)
        .run()
        .fails(2, "EMU_CLIENT_SECRET");
}

//! Refresh tokens: `REFRESH_TOKEN_AUTH`, `RevokeToken`, and
//! `GetTokensFromRefreshToken` with rotation.

use cognito_stub::{ClientSpec, PoolSpec, UserSpec};
use serde_json::json;

use crate::support::{call, claims, fixture};

#[test]
fn refresh_and_revoke() {
    let f = fixture(
        PoolSpec {
            username_is_email: true,
            ..PoolSpec::default()
        },
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
    );
    let u = f
        .stub
        .add_user(&f.pool, UserSpec::new("gina@example.com", "Passw0rd!"));
    assert_eq!(u.username.len(), 36);
    let r = f
        .password_auth(
            "gina@example.com",
            "Passw0rd!",
            Some(f.hash("gina@example.com")),
        )
        .ok();
    let refresh = r["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["cognito:username"], u.username.as_str());
    let do_refresh = |hash: String, token: &str| {
        call(
            &f.stub,
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": f.client.id, "AuthParameters": {"REFRESH_TOKEN": token, "SECRET_HASH": hash}}),
        )
    };
    // The hash for refresh is over the internal username, not the e-mail.
    do_refresh(f.hash("gina@example.com"), &refresh).error("NotAuthorizedException");
    let r = do_refresh(f.hash(&u.username), &refresh).ok();
    assert!(r["AuthenticationResult"]["IdToken"].is_string());
    assert!(r["AuthenticationResult"].get("RefreshToken").is_none());
    assert_eq!(
        do_refresh(f.hash(&u.username), "garbage").error("NotAuthorizedException"),
        "Invalid Refresh Token"
    );
    // Revoke (client with secret needs ClientSecret).
    call(
        &f.stub,
        "RevokeToken",
        json!({"Token": refresh, "ClientId": f.client.id}),
    )
    .error("NotAuthorizedException");
    call(
        &f.stub,
        "RevokeToken",
        json!({"Token": refresh, "ClientId": f.client.id, "ClientSecret": f.client.secret}),
    )
    .ok();
    do_refresh(f.hash(&u.username), &refresh).error("NotAuthorizedException");
}

#[test]
fn rotation_refuses_the_old_token_and_refresh_token_auth() {
    let f = fixture(
        PoolSpec {
            username_is_email: true,
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            rotate_refresh_tokens: true,
            ..Default::default()
        },
    );
    let u = f
        .stub
        .add_user(&f.pool, UserSpec::new("r@example.com", "Passw0rd!"));
    let r = f
        .password_auth("r@example.com", "Passw0rd!", Some(f.hash("r@example.com")))
        .ok();
    let old = r["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = f.client.secret.clone().unwrap();
    let get = |token: &str, secret: Option<&str>| {
        let mut body = json!({"ClientId": f.client.id, "RefreshToken": token});
        if let Some(s) = secret {
            body["ClientSecret"] = json!(s);
        }
        call(&f.stub, "GetTokensFromRefreshToken", body)
    };
    // The client secret itself is required, and checked.
    get(&old, None).error("NotAuthorizedException");
    get(&old, Some(&f.hash(&u.username))).error("NotAuthorizedException");
    let r = get(&old, Some(&secret)).ok();
    let new = r["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new, old);
    get(&old, Some(&secret)).error("RefreshTokenReuseException");
    get(&new, Some(&secret)).ok();
    // REFRESH_TOKEN_AUTH is refused on a rotating client.
    let r = call(
        &f.stub,
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": f.client.id,
               "AuthParameters": {"REFRESH_TOKEN": new, "SECRET_HASH": f.hash(&u.username)}}),
    );
    assert!(
        r.error("NotAuthorizedException")
            .contains("GetTokensFromRefreshToken")
    );
}

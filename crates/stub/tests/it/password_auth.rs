//! `USER_PASSWORD_AUTH`: the tokens and their claims, and the app client's
//! explicit auth flows.

use cognito_stub::{ClientSpec, PoolSpec, UserSpec};
use serde_json::{Value, json};

use crate::support::{call, fixture, verify};

#[test]
fn password_auth_happy_path_and_tokens() {
    let f = fixture(PoolSpec::default(), ClientSpec::default());
    let u = f.stub.add_user(
        &f.pool,
        UserSpec {
            email: Some("alice@example.com".into()),
            ..UserSpec::new("alice", "Passw0rd!")
        },
    );
    let r = f.password_auth("alice", "Passw0rd!", None).ok();
    let res = &r["AuthenticationResult"];
    assert_eq!(res["TokenType"], "Bearer");
    assert_eq!(res["ExpiresIn"], 3600);
    assert!(res["RefreshToken"].as_str().unwrap().len() > 100);
    let id = verify(
        &f.stub,
        &f.pool,
        res["IdToken"].as_str().unwrap(),
        Some(&f.client.id),
    );
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["sub"], u.sub.as_str());
    assert_eq!(
        id["iss"],
        format!("https://cognito-idp.us-east-1.amazonaws.com/{}", f.pool)
    );
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        3600
    );
    let access = verify(&f.stub, &f.pool, res["AccessToken"].as_str().unwrap(), None);
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], f.client.id.as_str());
    assert_eq!(access["username"], "alice");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    // The two tokens are signed with different keys.
    let kid = |t: &Value| {
        jsonwebtoken::decode_header(t.as_str().unwrap())
            .unwrap()
            .kid
            .unwrap()
    };
    assert_ne!(kid(&res["IdToken"]), kid(&res["AccessToken"]));
    // GetUser with the access token.
    let me = call(
        &f.stub,
        "GetUser",
        json!({"AccessToken": res["AccessToken"]}),
    )
    .ok();
    assert_eq!(me["Username"], "alice");

    assert_eq!(
        f.password_auth("alice", "wrong", None)
            .error("NotAuthorizedException"),
        "Incorrect username or password."
    );
    assert_eq!(
        f.password_auth("bob", "x", None)
            .error("UserNotFoundException"),
        "User does not exist."
    );
    f.stub.disable_user(&f.pool, "alice");
    assert_eq!(
        f.password_auth("alice", "Passw0rd!", None)
            .error("NotAuthorizedException"),
        "User is disabled."
    );
}

#[test]
fn flows_must_be_enabled_and_expires_in_may_be_omitted() {
    let f = fixture(
        PoolSpec {
            expires_in: None,
            ..PoolSpec::default()
        },
        ClientSpec {
            explicit_auth_flows: vec!["ALLOW_USER_SRP_AUTH".into()],
            ..ClientSpec::default()
        },
    );
    f.stub
        .add_user(&f.pool, UserSpec::new("alice", "Passw0rd!"));
    let m = f
        .password_auth("alice", "Passw0rd!", None)
        .error("InvalidParameterException");
    assert_eq!(m, "USER_PASSWORD_AUTH flow not enabled for this client");
    let c = f.stub.add_client(&f.pool, ClientSpec::default());
    let r = call(&f.stub, "InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": c.id, "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})).ok();
    assert!(r["AuthenticationResult"].get("ExpiresIn").is_none());
    let m = call(
        &f.stub,
        "InitiateAuth",
        json!({"AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "ClientId": c.id, "AuthParameters": {}}),
    )
    .error("InvalidParameterException");
    assert_eq!(m, "Initiate Auth method not supported.");
}

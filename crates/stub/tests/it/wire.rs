//! Wire-level tests of the stub with the tiny HTTP/1.1 client of
//! `support.rs` (no AWS SDK here; the core and CLI crates exercise the stub
//! through the SDK).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use cognito_stub::{
    ClientInfo, ClientSpec, Fault, Mfa, PoolSpec, Stub, UserSpec, secret_hash, totp_code,
};
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::{Resp, call, claims, get, raw, send, verify};

mod challenges;
mod devices;
mod faults;
mod oauth;
mod srp;

const SIGV4: &str = "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc\r\n";

struct Fixture {
    stub: Stub,
    pool: String,
    client: ClientInfo,
}

fn fixture(pool: PoolSpec, client: ClientSpec) -> Fixture {
    let stub = Stub::start();
    let pool = stub.add_pool(pool);
    let client = stub.add_client(&pool, client);
    Fixture { stub, pool, client }
}

impl Fixture {
    fn hash(&self, username: &str) -> String {
        secret_hash(
            self.client.secret.as_deref().unwrap(),
            username,
            &self.client.id,
        )
    }
    fn password_auth(&self, user: &str, password: &str, hash: Option<String>) -> Resp {
        let mut params = json!({"USERNAME": user, "PASSWORD": password});
        if let Some(h) = hash {
            params["SECRET_HASH"] = json!(h);
        }
        call(
            &self.stub,
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client.id, "AuthParameters": params}),
        )
    }
    fn respond(&self, name: &str, session: &str, responses: Value) -> Resp {
        call(
            &self.stub,
            "RespondToAuthChallenge",
            json!({"ChallengeName": name, "ClientId": self.client.id, "Session": session, "ChallengeResponses": responses}),
        )
    }
}

#[test]
fn unknown_target_bad_json_and_types() {
    let f = fixture(PoolSpec::default(), ClientSpec::default());
    f.stub.clear_requests();
    let r = call(&f.stub, "SignUpEverybody", json!({}));
    assert!(
        r.error("UnknownOperationException")
            .contains("SignUpEverybody")
    );
    send(&f.stub, None, "", "{}").error("UnknownOperationException");
    send(&f.stub, Some("InitiateAuth"), "", "{not json").error("SerializationException");
    send(&f.stub, Some("InitiateAuth"), "", "[1,2]").error("SerializationException");
    let r = call(
        &f.stub,
        "InitiateAuth",
        json!({"AuthFlow": 5, "ClientId": f.client.id}),
    );
    r.error("SerializationException");
    let r = call(
        &f.stub,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": f.client.id, "AuthParameters": {"USERNAME": ["x"]}}),
    );
    r.error("SerializationException");
    let m = call(
        &f.stub,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH"}),
    )
    .error("InvalidParameterException");
    assert!(m.contains("'clientId'"), "{m}");
    let m = call(
        &f.stub,
        "InitiateAuth",
        json!({"AuthFlow": "MAGIC", "ClientId": f.client.id}),
    )
    .error("InvalidParameterException");
    assert!(m.contains("authFlow"), "{m}");
    let m = call(
        &f.stub,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": f.client.id, "AuthParameters": {}}),
    )
    .error("InvalidParameterException");
    assert_eq!(m, "Missing required parameter USERNAME");
    let m = call(&f.stub, "InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "nope", "AuthParameters": {"USERNAME": "a", "PASSWORD": "b"}}))
        .error("ResourceNotFoundException");
    assert_eq!(m, "User pool client nope does not exist.");
    let reqs = f.stub.requests();
    assert_eq!(reqs[0].target, "SignUpEverybody");
    assert_eq!(reqs[2].body, json!("{not json"));
    assert_eq!(get(&f.stub, "/nowhere").status, 404);
}

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

#[test]
fn secret_hash_rules() {
    let f = fixture(
        PoolSpec {
            email_alias: true,
            ..PoolSpec::default()
        },
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
    );
    assert_eq!(f.client.id.len(), 26);
    assert_eq!(f.client.secret.as_ref().unwrap().len(), 50);
    f.stub.add_user(
        &f.pool,
        UserSpec {
            email: Some("al@example.com".into()),
            temporary: true,
            ..UserSpec::new("alice", "Temp0rary!")
        },
    );
    let m = f
        .password_auth("alice", "Temp0rary!", None)
        .error("InvalidParameterException");
    assert_eq!(
        m,
        format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            f.client.id
        )
    );
    let m = f
        .password_auth("alice", "Temp0rary!", Some("AAAA".into()))
        .error("NotAuthorizedException");
    assert_eq!(
        m,
        format!("Unable to verify secret hash for client {}", f.client.id)
    );
    // Signing in by the alias: the hash is over the name as typed.
    let m = f
        .password_auth("al@example.com", "Temp0rary!", Some(f.hash("alice")))
        .error("NotAuthorizedException");
    assert!(m.starts_with("Unable to verify secret hash"));
    let r = f
        .password_auth(
            "al@example.com",
            "Temp0rary!",
            Some(f.hash("al@example.com")),
        )
        .ok();
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(r["ChallengeParameters"]["USER_ID_FOR_SRP"], "alice");
    let session = r["Session"].as_str().unwrap();
    // Answering: a hash over the alias is rejected, USERNAME must be the internal name.
    let m = f
        .respond("NEW_PASSWORD_REQUIRED", session, json!({"USERNAME": "al@example.com", "SECRET_HASH": f.hash("al@example.com"), "NEW_PASSWORD": "N3w-Passw0rd"}))
        .error("NotAuthorizedException");
    assert!(m.starts_with("Unable to verify secret hash"), "{m}");
    f.respond(
        "NEW_PASSWORD_REQUIRED",
        session,
        json!({"USERNAME": "alice", "NEW_PASSWORD": "N3w-Passw0rd"}),
    )
    .error("InvalidParameterException");
    f.respond("NEW_PASSWORD_REQUIRED", session, json!({"USERNAME": "al@example.com", "SECRET_HASH": f.hash("alice"), "NEW_PASSWORD": "N3w-Passw0rd"}))
        .error("InvalidParameterException");
    let r = f
        .respond("NEW_PASSWORD_REQUIRED", session, json!({"USERNAME": "alice", "SECRET_HASH": f.hash("alice"), "NEW_PASSWORD": "N3w-Passw0rd"}))
        .ok();
    assert!(r["AuthenticationResult"]["IdToken"].is_string());
    assert_eq!(
        f.stub.user(&f.pool, "al@example.com").unwrap().password,
        "N3w-Passw0rd"
    );
}

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
fn jwks_shape_and_signed_helpers() {
    let f = fixture(
        PoolSpec {
            region: "eu-west-1".into(),
            ..PoolSpec::default()
        },
        ClientSpec::default(),
    );
    assert!(f.pool.starts_with("eu-west-1_"));
    let j = get(&f.stub, &format!("/{}/.well-known/jwks.json", f.pool)).ok();
    let keys = j["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    for k in keys {
        assert_eq!(
            (
                k["kty"].as_str(),
                k["alg"].as_str(),
                k["use"].as_str(),
                k["e"].as_str()
            ),
            (Some("RSA"), Some("RS256"), Some("sig"), Some("AQAB"))
        );
        assert!(k["kid"].is_string() && k["n"].as_str().unwrap().len() > 300);
    }
    assert_eq!(
        get(&f.stub, "/eu-west-1_nope/.well-known/jwks.json").status,
        404
    );
    let t = f.stub.sign_id_token(
        &f.pool,
        &f.client.id,
        "zed",
        json!({"exp": 1, "email": null}),
    );
    let c = claims(&t);
    assert_eq!(
        (
            c["exp"].as_i64(),
            c["cognito:username"].as_str(),
            c.get("email")
        ),
        (Some(1), Some("zed"), None)
    );
    let t = f
        .stub
        .sign_id_token(&f.pool, &f.client.id, "zed", json!({}));
    assert_eq!(
        verify(&f.stub, &f.pool, &t, Some(&f.client.id))["token_use"],
        "id"
    );
    assert_eq!(
        f.stub.requests().last().unwrap().target,
        format!("GET /{}/.well-known/jwks.json", f.pool)
    );
}

#[test]
fn admin_calls_need_sigv4() {
    let f = fixture(PoolSpec::default(), ClientSpec::default());
    f.stub.add_user(&f.pool, UserSpec::new("hal", "Passw0rd!"));
    let body = json!({"AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "UserPoolId": f.pool, "ClientId": f.client.id, "AuthParameters": {"USERNAME": "hal", "PASSWORD": "Passw0rd!"}}).to_string();
    send(&f.stub, Some("AdminInitiateAuth"), "", &body)
        .error("MissingAuthenticationTokenException");
    let wrong_region = SIGV4.replace("us-east-1", "eu-west-1");
    send(&f.stub, Some("AdminInitiateAuth"), &wrong_region, &body)
        .error("InvalidSignatureException");
    let r = send(&f.stub, Some("AdminInitiateAuth"), SIGV4, &body).ok();
    assert!(r["AuthenticationResult"]["IdToken"].is_string());
    assert!(
        f.stub
            .requests()
            .last()
            .unwrap()
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("AWS4-HMAC-SHA256")
    );
}

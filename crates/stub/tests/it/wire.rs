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

mod devices;
mod oauth;

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
fn new_password_required_with_required_attribute() {
    let f = fixture(PoolSpec::default(), ClientSpec::default());
    f.stub.add_user(
        &f.pool,
        UserSpec {
            email: Some("c@example.com".into()),
            temporary: true,
            required_attributes: vec!["name".into()],
            ..UserSpec::new("carol", "Temp0rary!")
        },
    );
    let r = f.password_auth("carol", "Temp0rary!", None).ok();
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let p = &r["ChallengeParameters"];
    assert_eq!(p["requiredAttributes"], r#"["userAttributes.name"]"#);
    let attrs: Value = serde_json::from_str(p["userAttributes"].as_str().unwrap()).unwrap();
    assert_eq!(attrs["email"], "c@example.com");
    let s = r["Session"].as_str().unwrap();
    let m = f
        .respond(
            "NEW_PASSWORD_REQUIRED",
            s,
            json!({"USERNAME": "carol", "NEW_PASSWORD": "N3w-Passw0rd"}),
        )
        .error("InvalidParameterException");
    assert_eq!(m, "Missing required attribute userAttributes.name");
    let m = f
        .respond(
            "NEW_PASSWORD_REQUIRED",
            s,
            json!({"USERNAME": "carol", "NEW_PASSWORD": "short", "userAttributes.name": "Carol"}),
        )
        .error("InvalidPasswordException");
    assert_eq!(
        m,
        "Password does not conform to policy: Password not long enough"
    );
    f.respond("NEW_PASSWORD_REQUIRED", s, json!({"USERNAME": "carol", "NEW_PASSWORD": "N3w-Passw0rd", "userAttributes.name": "Carol", "userAttributes.email_verified": "true"}))
        .error("NotAuthorizedException");
    let m = f
        .respond(
            "SMS_MFA",
            s,
            json!({"USERNAME": "carol", "SMS_MFA_CODE": "1"}),
        )
        .error("InvalidParameterException");
    assert!(m.contains("NEW_PASSWORD_REQUIRED"));
    let r = f
        .respond("NEW_PASSWORD_REQUIRED", s, json!({"USERNAME": "carol", "NEW_PASSWORD": "N3w-Passw0rd", "userAttributes.name": "Carol"}))
        .ok();
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["name"], "Carol");
    let st = f.stub.user(&f.pool, "carol").unwrap();
    assert_eq!(
        (st.status.as_str(), st.password.as_str()),
        ("CONFIRMED", "N3w-Passw0rd")
    );
    // Sessions are single-use; unknown ones are rejected.
    let m = f
        .respond(
            "NEW_PASSWORD_REQUIRED",
            s,
            json!({"USERNAME": "carol", "NEW_PASSWORD": "N3w-Passw0rd2"}),
        )
        .error("NotAuthorizedException");
    assert!(m.starts_with("Invalid session for the user"), "{m}");
    let m = f
        .respond(
            "NEW_PASSWORD_REQUIRED",
            "bogus",
            json!({"USERNAME": "carol", "NEW_PASSWORD": "x"}),
        )
        .error("NotAuthorizedException");
    assert_eq!(m, "Invalid session for the user.");
    // Expired sessions.
    f.stub
        .set_user_password(&f.pool, "carol", "Temp0rary!", true);
    let s2 = f.password_auth("carol", "Temp0rary!", None).ok()["Session"]
        .as_str()
        .unwrap()
        .to_owned();
    f.stub.expire_sessions();
    let m = f
        .respond(
            "NEW_PASSWORD_REQUIRED",
            &s2,
            json!({"USERNAME": "carol", "NEW_PASSWORD": "N3w-Passw0rd"}),
        )
        .error("NotAuthorizedException");
    assert!(m.starts_with("Invalid session for the user"), "{m}");
}

#[test]
fn totp_sms_select_and_setup() {
    let f = fixture(
        PoolSpec::default(),
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
    );
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    f.stub.add_user(
        &f.pool,
        UserSpec {
            mfa: Mfa::Totp {
                secret_base32: secret.into(),
            },
            ..UserSpec::new("dave", "Passw0rd!")
        },
    );
    let start = |f: &Fixture, user: &str| {
        let r = f.password_auth(user, "Passw0rd!", Some(f.hash(user))).ok();
        (
            r["ChallengeName"].as_str().unwrap().to_owned(),
            r["Session"].as_str().unwrap().to_owned(),
            r,
        )
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let code = totp_code(secret, now).unwrap();
    let (name, s, _) = start(&f, "dave");
    assert_eq!(name, "SOFTWARE_TOKEN_MFA");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let m = f.respond("SOFTWARE_TOKEN_MFA", &s, json!({"USERNAME": "dave", "SECRET_HASH": f.hash("dave"), "SOFTWARE_TOKEN_MFA_CODE": wrong})).error("CodeMismatchException");
    assert_eq!(m, "Invalid code received for user");
    // The session is gone after a wrong code.
    f.respond(
        "SOFTWARE_TOKEN_MFA",
        &s,
        json!({"USERNAME": "dave", "SECRET_HASH": f.hash("dave"), "SOFTWARE_TOKEN_MFA_CODE": code}),
    )
    .error("NotAuthorizedException");
    let (_, s, _) = start(&f, "dave");
    f.respond(
        "SOFTWARE_TOKEN_MFA",
        &s,
        json!({"USERNAME": "dave", "SOFTWARE_TOKEN_MFA_CODE": code}),
    )
    .error("InvalidParameterException");
    let r = f.respond("SOFTWARE_TOKEN_MFA", &s, json!({"USERNAME": "dave", "SECRET_HASH": f.hash("dave"), "SOFTWARE_TOKEN_MFA_CODE": code})).ok();
    assert!(r["AuthenticationResult"]["RefreshToken"].is_string());

    // SELECT_MFA_TYPE → SMS_MFA.
    f.stub.add_user(
        &f.pool,
        UserSpec {
            mfa: Mfa::Choose(vec![
                Mfa::Sms,
                Mfa::Totp {
                    secret_base32: secret.into(),
                },
            ]),
            ..UserSpec::new("erin", "Passw0rd!")
        },
    );
    let (name, s, r) = start(&f, "erin");
    assert_eq!(name, "SELECT_MFA_TYPE");
    assert_eq!(
        r["ChallengeParameters"]["MFAS_CAN_CHOOSE"],
        r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#
    );
    let r = f
        .respond(
            "SELECT_MFA_TYPE",
            &s,
            json!({"USERNAME": "erin", "SECRET_HASH": f.hash("erin"), "ANSWER": "SMS_MFA"}),
        )
        .ok();
    assert_eq!(r["ChallengeName"], "SMS_MFA");
    let sms = f.stub.user(&f.pool, "erin").unwrap().sms_code;
    let r = f
        .respond(
            "SMS_MFA",
            r["Session"].as_str().unwrap(),
            json!({"USERNAME": "erin", "SECRET_HASH": f.hash("erin"), "SMS_MFA_CODE": sms}),
        )
        .ok();
    assert!(r["AuthenticationResult"]["IdToken"].is_string());

    // MFA_SETUP → AssociateSoftwareToken → VerifySoftwareToken → tokens.
    f.stub.add_user(
        &f.pool,
        UserSpec {
            mfa: Mfa::SetupTotp,
            ..UserSpec::new("fred", "Passw0rd!")
        },
    );
    let (name, s, r) = start(&f, "fred");
    assert_eq!(name, "MFA_SETUP");
    assert_eq!(
        r["ChallengeParameters"]["MFAS_CAN_SETUP"],
        r#"["SOFTWARE_TOKEN_MFA"]"#
    );
    let a = call(&f.stub, "AssociateSoftwareToken", json!({"Session": s})).ok();
    let new_secret = a["SecretCode"].as_str().unwrap();
    let code = totp_code(new_secret, now).unwrap();
    let v = call(
        &f.stub,
        "VerifySoftwareToken",
        json!({"Session": a["Session"], "UserCode": code}),
    )
    .ok();
    assert_eq!(v["Status"], "SUCCESS");
    let r = f
        .respond(
            "MFA_SETUP",
            v["Session"].as_str().unwrap(),
            json!({"USERNAME": "fred", "SECRET_HASH": f.hash("fred")}),
        )
        .ok();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    assert_eq!(
        f.stub.user(&f.pool, "fred").unwrap().mfa,
        Mfa::Totp {
            secret_base32: new_secret.into()
        }
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

// ---------------------------------------------------------------- SRP

const N_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

/// Big-endian bytes with a leading zero byte when the top bit is set (Cognito's padding).
fn pad(n: &BigUint) -> Vec<u8> {
    let mut b = n.to_bytes_be();
    if b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    b
}

fn h(parts: &[&[u8]]) -> BigUint {
    let mut d = Sha256::new();
    for p in parts {
        d.update(p);
    }
    BigUint::from_bytes_be(&d.finalize())
}

/// Computes PASSWORD_CLAIM_SIGNATURE from a PASSWORD_VERIFIER challenge.
fn srp_signature(
    pool_id: &str,
    user: &str,
    password: &str,
    a: &BigUint,
    params: &Value,
    timestamp: &str,
) -> String {
    let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
    let g = BigUint::from(2u32);
    let k = h(&[&pad(&n), &pad(&g)]);
    let big_a = g.modpow(a, &n);
    let big_b = BigUint::parse_bytes(params["SRP_B"].as_str().unwrap().as_bytes(), 16).unwrap();
    let salt = BigUint::parse_bytes(params["SALT"].as_str().unwrap().as_bytes(), 16).unwrap();
    let u = h(&[&pad(&big_a), &pad(&big_b)]);
    let pool_name = pool_id.split_once('_').unwrap().1;
    let inner = Sha256::digest(format!("{pool_name}{user}:{password}").as_bytes());
    let x = h(&[&pad(&salt), &inner]);
    let kgx = (&k * g.modpow(&x, &n)) % &n;
    let s = ((&big_b + &n - kgx) % &n).modpow(&(a + &u * &x), &n);
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&pad(&u)), &pad(&s));
    let mut key = [0u8; 16];
    hk.expand(b"Caldera Derived Key", &mut key).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(pool_name.as_bytes());
    mac.update(user.as_bytes());
    mac.update(
        &B64.decode(params["SECRET_BLOCK"].as_str().unwrap())
            .unwrap(),
    );
    mac.update(timestamp.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

fn timestamp_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[weekday repr:short] [month repr:short]");
    let hms = time::macros::format_description!("[hour]:[minute]:[second] UTC [year]");
    let day = now.day().to_string();
    format!(
        "{} {day} {}",
        now.format(&fmt).unwrap(),
        now.format(&hms).unwrap()
    )
}

fn srp_sign_in(srp_session: bool) {
    let f = fixture(
        PoolSpec {
            srp_session,
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
        .add_user(&f.pool, UserSpec::new("ivy@example.com", "Passw0rd!"));
    let a = BigUint::from_bytes_be(&[7u8; 64]);
    let big_a =
        BigUint::from(2u32).modpow(&a, &BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap());
    let init = || {
        call(
            &f.stub,
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": f.client.id, "AuthParameters": {"USERNAME": "ivy@example.com", "SRP_A": big_a.to_str_radix(16), "SECRET_HASH": f.hash("ivy@example.com")}}),
        )
        .ok()
    };
    let answer = |r: &Value, ts: &str, password: &str| {
        let p = &r["ChallengeParameters"];
        assert_eq!(p["USER_ID_FOR_SRP"], u.username.as_str());
        let mut body = json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": f.client.id, "ChallengeResponses": {
            "USERNAME": u.username, "TIMESTAMP": ts, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": srp_signature(&f.pool, &u.username, password, &a, p, ts), "SECRET_HASH": f.hash(&u.username)}});
        if let Some(s) = r.get("Session") {
            body["Session"] = s.clone();
        }
        call(&f.stub, "RespondToAuthChallenge", body)
    };
    let r = init();
    assert_eq!(r["ChallengeName"], "PASSWORD_VERIFIER");
    assert_eq!(r.get("Session").is_some(), srp_session);
    let m =
        answer(&r, "Tue Mar 03 04:05:06 UTC 2026", "Passw0rd!").error("InvalidParameterException");
    assert!(m.contains("leading zero"), "{m}");
    let m = answer(&r, "Tue Mar 3 04:05:06 UTC 2026", "Passw0rd!").error("NotAuthorizedException");
    assert!(m.contains("5 minutes"), "{m}");
    assert_eq!(
        answer(&r, &timestamp_now(), "wrong").error("NotAuthorizedException"),
        "Incorrect username or password."
    );
    let r = init();
    let ok = answer(&r, &timestamp_now(), "Passw0rd!").ok();
    assert_eq!(
        claims(ok["AuthenticationResult"]["IdToken"].as_str().unwrap())["email"],
        "ivy@example.com"
    );
}

#[test]
fn srp_with_session() {
    srp_sign_in(true);
}

#[test]
fn srp_without_session() {
    srp_sign_in(false);
}

// ---------------------------------------------------------------- faults

#[test]
fn faults() {
    let f = fixture(PoolSpec::default(), ClientSpec::default());
    f.stub.add_user(&f.pool, UserSpec::new("jo", "Passw0rd!"));
    f.stub.set_fault(Some(Fault::Throttle { times: 2 }));
    assert_eq!(
        f.password_auth("jo", "Passw0rd!", None)
            .error("TooManyRequestsException"),
        "Rate exceeded"
    );
    f.password_auth("jo", "Passw0rd!", None)
        .error("TooManyRequestsException");
    f.password_auth("jo", "Passw0rd!", None).ok();

    f.stub.set_fault(Some(Fault::ServerError { times: 1 }));
    let r = f.password_auth("jo", "Passw0rd!", None);
    assert_eq!(r.status, 500);
    assert_eq!(r.header("x-amzn-errortype"), Some("InternalErrorException"));
    f.password_auth("jo", "Passw0rd!", None).ok();

    f.stub.set_fault(Some(Fault::Garbage));
    let r = f.password_auth("jo", "Passw0rd!", None);
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<Value>(&r.body).is_err());

    f.stub
        .set_fault(Some(Fault::Status(503, "{\"message\":\"down\"}".into())));
    let r = f.password_auth("jo", "Passw0rd!", None);
    assert_eq!((r.status, r.body.as_str()), (503, "{\"message\":\"down\"}"));

    f.stub.set_fault(Some(Fault::CloseConnection));
    let body = r#"{"AuthFlow":"USER_PASSWORD_AUTH"}"#;
    let req = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    assert!(
        raw(&f.stub, &req).is_err(),
        "connection should close without a response"
    );

    f.stub.set_fault(Some(Fault::Hang));
    let mut s = TcpStream::connect(f.stub.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = [0u8; 16];
    let e = s.read(&mut buf).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{e:?}"
    );

    f.stub.set_fault(None);
    f.password_auth("jo", "Passw0rd!", None).ok();
    let n = f
        .stub
        .requests()
        .iter()
        .filter(|r| r.target == "InitiateAuth")
        .count();
    assert_eq!(n, 10);
    // Dropping the stub with a hanging connection must not block.
    drop(f);
}

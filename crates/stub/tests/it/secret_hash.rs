//! `SECRET_HASH`: required for a client with a secret, over the name as
//! typed on `InitiateAuth` and over the internal username on every later step.

use cognito_stub::{ClientSpec, PoolSpec, UserSpec};
use serde_json::json;

use crate::support::fixture;

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

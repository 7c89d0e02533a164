//! Choice-based sign-in (`USER_AUTH`) at the wire: `SELECT_CHALLENGE`,
//! one-time codes, and the refusals a client bug would meet.

use cognito_stub::{ClientSpec, PoolSpec, Stub, UserSpec, secret_hash};
use serde_json::{Value, json};

/// One call through `support.rs`'s client: the status and the JSON body.
fn call(stub: &Stub, op: &str, body: Value) -> (u16, Value) {
    let r = crate::support::call(stub, op, body);
    (r.status, r.json())
}

fn error(r: (u16, Value), code: &str) -> String {
    assert_eq!(r.0, 400, "{}", r.1);
    assert_eq!(r.1["__type"], code, "{}", r.1);
    r.1["message"].as_str().unwrap().to_owned()
}

struct F {
    stub: Stub,
    pool: String,
    id: String,
    secret: String,
}

fn fixture() -> F {
    let stub = Stub::start();
    let pool = stub.add_pool(PoolSpec {
        username_is_email: true,
        ..Default::default()
    });
    let mut flows = ClientSpec::default().explicit_auth_flows;
    flows.push("ALLOW_USER_AUTH".into());
    let c = stub.add_client(
        &pool,
        ClientSpec {
            generate_secret: true,
            explicit_auth_flows: flows,
            rotate_refresh_tokens: false,
        },
    );
    F {
        stub,
        pool,
        id: c.id,
        secret: c.secret.unwrap(),
    }
}

impl F {
    fn hash(&self, name: &str) -> String {
        secret_hash(&self.secret, name, &self.id)
    }

    fn select(&self, email: &str) -> (String, String) {
        let r = call(
            &self.stub,
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": self.id,
                   "AuthParameters": {"USERNAME": email, "SECRET_HASH": self.hash(email)}}),
        );
        assert_eq!(r.0, 200, "{}", r.1);
        assert_eq!(r.1["ChallengeName"], "SELECT_CHALLENGE");
        assert_eq!(
            r.1["AvailableChallenges"],
            json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"])
        );
        (
            r.1["Session"].as_str().unwrap().to_owned(),
            r.1["ChallengeParameters"]["USERNAME"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    }
}

#[test]
fn select_challenge_wants_the_hash_over_the_internal_username() {
    let f = fixture();
    let u = f
        .stub
        .add_user(&f.pool, UserSpec::new("a@example.com", "Passw0rd!"));
    let (session, internal) = f.select("a@example.com");
    assert_eq!(internal, u.username);
    // A hash over the typed e-mail is refused.
    let bad = call(
        &f.stub,
        "RespondToAuthChallenge",
        json!({"ChallengeName": "SELECT_CHALLENGE", "ClientId": f.id, "Session": session,
               "ChallengeResponses": {"ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!",
                   "USERNAME": internal, "SECRET_HASH": f.hash("a@example.com")}}),
    );
    assert!(error(bad, "NotAuthorizedException").contains("secret hash"));
    // Over the internal one, tokens.
    let (session, _) = f.select("a@example.com");
    let ok = call(
        &f.stub,
        "RespondToAuthChallenge",
        json!({"ChallengeName": "SELECT_CHALLENGE", "ClientId": f.id, "Session": session,
               "ChallengeResponses": {"ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!",
                   "USERNAME": internal, "SECRET_HASH": f.hash(&internal)}}),
    );
    assert_eq!(ok.0, 200, "{}", ok.1);
    assert!(ok.1["AuthenticationResult"]["IdToken"].is_string());
    // An answer not offered.
    let (session, _) = f.select("a@example.com");
    let r = call(
        &f.stub,
        "RespondToAuthChallenge",
        json!({"ChallengeName": "SELECT_CHALLENGE", "ClientId": f.id, "Session": session,
               "ChallengeResponses": {"ANSWER": "SMS_OTP",
                   "USERNAME": internal, "SECRET_HASH": f.hash(&internal)}}),
    );
    error(r, "InvalidParameterException");
}

#[test]
fn codes_are_single_use_and_wrong_ones_end_the_session() {
    let f = fixture();
    let u = f.stub.add_user(&f.pool, UserSpec::new("c@example.com", ""));
    let start = || {
        let r = call(
            &f.stub,
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": f.id,
                   "AuthParameters": {"USERNAME": "c@example.com", "SECRET_HASH": f.hash("c@example.com"),
                                      "PREFERRED_CHALLENGE": "EMAIL_OTP"}}),
        );
        assert_eq!(r.1["ChallengeName"], "EMAIL_OTP", "{}", r.1);
        assert_eq!(
            r.1["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
            "EMAIL"
        );
        r.1["Session"].as_str().unwrap().to_owned()
    };
    let answer = |session: &str, code: &str| {
        call(
            &f.stub,
            "RespondToAuthChallenge",
            json!({"ChallengeName": "EMAIL_OTP", "ClientId": f.id, "Session": session,
                   "ChallengeResponses": {"EMAIL_OTP_CODE": code, "USERNAME": u.username,
                       "SECRET_HASH": f.hash(&u.username)}}),
        )
    };
    let s = start();
    let code = f.stub.otp_code(&f.pool, "c@example.com").unwrap();
    assert_eq!(code.len(), 8);
    error(answer(&s, "00000000"), "CodeMismatchException");
    // The session is gone, and so is the code.
    error(answer(&s, &code), "NotAuthorizedException");
    assert_eq!(f.stub.otp_code(&f.pool, "c@example.com"), None);
    // A new sending, a new code, which works once.
    let s = start();
    let code = f.stub.otp_code(&f.pool, "c@example.com").unwrap();
    assert_eq!(answer(&s, &code).0, 200);
    error(answer(&s, &code), "NotAuthorizedException");
    // Expired sessions take the code with them.
    let s = start();
    let code = f.stub.otp_code(&f.pool, "c@example.com").unwrap();
    f.stub.expire_sessions();
    assert!(error(answer(&s, &code), "NotAuthorizedException").contains("expired"));
}

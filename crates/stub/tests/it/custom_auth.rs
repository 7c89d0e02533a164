//! Custom authentication (`CUSTOM_AUTH`) at the wire, with the pool's
//! triggers scripted per user: each test breaks one of Cognito's rules and
//! expects Cognito's answer (sources: the stub's `api/custom_auth.rs`,
//! `api/triggers.rs` and FINDINGS-stub.md).

use std::collections::BTreeMap;

use cognito_stub::{
    ClientSpec, CustomAuthScript, CustomAuthTriggers, CustomRound, DeviceTracking, Mfa, PoolSpec,
    Trigger, UserInfo, UserSpec, totp_code,
};
use num_bigint::BigUint;
use serde_json::{Value, json};

use crate::srp::{N_HEX, srp_signature, timestamp_now};
use crate::support::{Fixture, Resp, SIGV4, call, fixture, send};

const PW: &str = "Passw0rd!";
const EMAIL: &str = "cora@example.com";

fn flows(custom: bool) -> Vec<String> {
    let mut f = ClientSpec::default().explicit_auth_flows;
    if custom {
        f.push("ALLOW_CUSTOM_AUTH".into());
    }
    f
}

/// An e-mail pool (the internal username is a UUID) with working triggers
/// and a client with a secret allowing `CUSTOM_AUTH`; `cora` has `script`.
fn fx(pool: PoolSpec, script: CustomAuthScript) -> (Fixture, UserInfo) {
    let f = fixture(
        PoolSpec {
            username_is_email: true,
            custom_auth: CustomAuthTriggers::working(),
            ..pool
        },
        ClientSpec {
            generate_secret: true,
            explicit_auth_flows: flows(true),
            ..ClientSpec::default()
        },
    );
    let u = f.stub.add_user(
        &f.pool,
        UserSpec {
            custom_auth: Some(script),
            ..UserSpec::new(EMAIL, PW)
        },
    );
    (f, u)
}

/// Three rounds with public parameters and metadata.
fn three_rounds() -> CustomAuthScript {
    let round = |answer: &str, question: &str| CustomRound {
        answer: answer.into(),
        public: BTreeMap::from([("question".to_owned(), question.to_owned())]),
        metadata: Some(format!("Q-{question}")),
    };
    CustomAuthScript {
        srp_first: false,
        rounds: vec![
            round("red", "colour"),
            round("7", "number"),
            round("Oslo", "city"),
        ],
        max_wrong_answers: 1,
    }
}

fn initiate(f: &Fixture, params: Value, metadata: Value) -> Resp {
    let mut p = json!({"USERNAME": EMAIL, "SECRET_HASH": f.hash(EMAIL)});
    p.as_object_mut()
        .unwrap()
        .extend(params.as_object().unwrap().clone());
    call(
        &f.stub,
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": f.client.id, "AuthParameters": p, "ClientMetadata": metadata}),
    )
}

/// An answer to a `CUSTOM_CHALLENGE`, as a correct client sends it.
fn answer(f: &Fixture, u: &UserInfo, prev: &Value, answer: &str, metadata: Value) -> Resp {
    call(
        &f.stub,
        "RespondToAuthChallenge",
        json!({"ChallengeName": "CUSTOM_CHALLENGE", "ClientId": f.client.id, "Session": prev["Session"],
               "ChallengeResponses": {"USERNAME": u.username, "ANSWER": answer, "SECRET_HASH": f.hash(&u.username)},
               "ClientMetadata": metadata}),
    )
}

#[test]
fn custom_auth_needs_allow_custom_auth_and_the_define_trigger() {
    let (f, _) = fx(PoolSpec::default(), three_rounds());
    let plain = f.stub.add_client(
        &f.pool,
        ClientSpec {
            explicit_auth_flows: flows(false),
            ..ClientSpec::default()
        },
    );
    let r = call(
        &f.stub,
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": plain.id, "AuthParameters": {"USERNAME": EMAIL}}),
    );
    assert_eq!(
        r.error("InvalidParameterException"),
        "CUSTOM_AUTH flow not enabled for this client"
    );
    f.stub
        .set_custom_auth_triggers(&f.pool, CustomAuthTriggers::default());
    let m = initiate(&f, json!({}), json!({})).error("InvalidParameterException");
    assert_eq!(
        m,
        "Custom auth lambda trigger is not configured for the user pool."
    );
    // The pool's configuration is checked before the user is looked up.
    let r = call(
        &f.stub,
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": f.client.id,
               "AuthParameters": {"USERNAME": "nobody@example.com", "SECRET_HASH": f.hash("nobody@example.com")}}),
    );
    assert_eq!(
        r.error("InvalidParameterException"),
        "Custom auth lambda trigger is not configured for the user pool."
    );
    assert!(f.stub.trigger_invocations().is_empty());
}

#[test]
fn rounds_show_their_public_parameters_and_end_in_tokens() {
    let (f, u) = fx(PoolSpec::default(), three_rounds());
    let r = initiate(&f, json!({}), json!({"app": "cli", "step": "initiate"})).ok();
    assert_eq!(r["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(
        r["ChallengeParameters"],
        json!({"question": "colour", "USERNAME": u.username})
    );
    let r = answer(&f, &u, &r, "red", json!({"step": "1"})).ok();
    assert_eq!(r["ChallengeParameters"]["question"], "number");
    let r = answer(&f, &u, &r, "7", json!({"step": "2"})).ok();
    assert_eq!(r["ChallengeParameters"]["question"], "city");
    let r = answer(&f, &u, &r, "Oslo", json!({"step": "3"})).ok();
    let id = crate::support::verify(
        &f.stub,
        &f.pool,
        r["AuthenticationResult"]["IdToken"].as_str().unwrap(),
        Some(&f.client.id),
    );
    assert_eq!(id["cognito:username"], u.username.as_str());
    // What the triggers saw: InitiateAuth's ClientMetadata never reaches
    // Define and Create (API reference); each answer's reaches all three.
    let seen: Vec<(String, String, Option<String>, usize)> = f
        .stub
        .trigger_invocations()
        .into_iter()
        .map(|i| {
            assert_eq!(i.username, u.username);
            (
                i.trigger,
                i.operation,
                i.client_metadata.get("step").cloned(),
                i.session.len(),
            )
        })
        .collect();
    let t = |trigger: &str, op: &str, step: Option<&str>, n: usize| {
        (
            trigger.to_owned(),
            op.to_owned(),
            step.map(str::to_owned),
            n,
        )
    };
    let r2a = "RespondToAuthChallenge";
    assert_eq!(
        seen,
        [
            t("DefineAuthChallenge", "InitiateAuth", None, 0),
            t("CreateAuthChallenge", "InitiateAuth", None, 0),
            t("VerifyAuthChallengeResponse", r2a, Some("1"), 0),
            t("DefineAuthChallenge", r2a, Some("1"), 1),
            t("CreateAuthChallenge", r2a, Some("1"), 1),
            t("VerifyAuthChallengeResponse", r2a, Some("2"), 1),
            t("DefineAuthChallenge", r2a, Some("2"), 2),
            t("CreateAuthChallenge", r2a, Some("2"), 2),
            t("VerifyAuthChallengeResponse", r2a, Some("3"), 2),
            t("DefineAuthChallenge", r2a, Some("3"), 3),
        ]
    );
    // The request itself carried InitiateAuth's metadata.
    let init = &f.stub.requests()[0];
    assert_eq!(
        init.body["ClientMetadata"],
        json!({"app": "cli", "step": "initiate"})
    );
}

#[test]
fn every_answer_names_and_hashes_the_internal_username() {
    let (f, u) = fx(PoolSpec::default(), three_rounds());
    // InitiateAuth: the hash over the name as typed, not the internal one.
    let m = initiate(&f, json!({"SECRET_HASH": f.hash(&u.username)}), json!({}))
        .error("NotAuthorizedException");
    assert!(m.starts_with("Unable to verify secret hash"), "{m}");
    let respond = |r: &Value, name: &str, hash: String| {
        call(
            &f.stub,
            "RespondToAuthChallenge",
            json!({"ChallengeName": "CUSTOM_CHALLENGE", "ClientId": f.client.id, "Session": r["Session"],
                   "ChallengeResponses": {"USERNAME": name, "ANSWER": "red", "SECRET_HASH": hash}}),
        )
    };
    // An answer hashed over the typed e-mail.
    let r = initiate(&f, json!({}), json!({})).ok();
    let m = respond(&r, &u.username, f.hash(EMAIL)).error("NotAuthorizedException");
    assert!(m.starts_with("Unable to verify secret hash"), "{m}");
    // USERNAME the e-mail (an alias), even with the right hash.
    let r = initiate(&f, json!({}), json!({})).ok();
    let m = respond(&r, EMAIL, f.hash(&u.username)).error("InvalidParameterException");
    assert!(m.contains("internal username"), "{m}");
    // No SECRET_HASH.
    let r = initiate(&f, json!({}), json!({})).ok();
    call(
        &f.stub,
        "RespondToAuthChallenge",
        json!({"ChallengeName": "CUSTOM_CHALLENGE", "ClientId": f.client.id, "Session": r["Session"],
               "ChallengeResponses": {"USERNAME": u.username, "ANSWER": "red"}}),
    )
    .error("InvalidParameterException");
    let r = initiate(&f, json!({}), json!({})).ok();
    assert_eq!(
        respond(&r, &u.username, f.hash(&u.username)).ok()["ChallengeName"],
        "CUSTOM_CHALLENGE"
    );
}

#[test]
fn a_wrong_answer_gets_the_round_again_until_the_limit_ends_the_sign_in() {
    let (f, u) = fx(
        PoolSpec::default(),
        CustomAuthScript {
            max_wrong_answers: 2,
            ..three_rounds()
        },
    );
    let r = initiate(&f, json!({}), json!({})).ok();
    let r = answer(&f, &u, &r, "blue", json!({})).ok();
    assert_eq!(r["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(
        r["ChallengeParameters"]["question"], "colour",
        "the same round again"
    );
    let r = answer(&f, &u, &r, "red", json!({})).ok();
    assert_eq!(r["ChallengeParameters"]["question"], "number");
    assert_eq!(
        answer(&f, &u, &r, "8", json!({})).error("NotAuthorizedException"),
        "Incorrect username or password."
    );
    let define: Vec<Vec<(String, bool)>> = f
        .stub
        .trigger_invocations()
        .into_iter()
        .filter(|i| i.trigger == "DefineAuthChallenge")
        .map(|i| i.session)
        .collect();
    let cc = |ok: bool| ("CUSTOM_CHALLENGE".to_owned(), ok);
    assert_eq!(
        define.last().unwrap(),
        &vec![cc(false), cc(true), cc(false)]
    );
    // With the default limit of one, the first wrong answer ends it.
    let (g, v) = fx(PoolSpec::default(), three_rounds());
    let r = initiate(&g, json!({}), json!({})).ok();
    answer(&g, &v, &r, "blue", json!({})).error("NotAuthorizedException");
}

#[test]
fn sessions_are_single_use_and_bound_to_user_client_api_and_round() {
    let (f, u) = fx(PoolSpec::default(), three_rounds());
    let first = initiate(&f, json!({}), json!({})).ok();
    let second = answer(&f, &u, &first, "red", json!({})).ok();
    // The first round's session again, with its right answer.
    assert_eq!(
        answer(&f, &u, &first, "red", json!({})).error("NotAuthorizedException"),
        "Invalid session for the user, session can only be used once."
    );
    // Another app client of the pool.
    let other = f.stub.add_client(
        &f.pool,
        ClientSpec {
            explicit_auth_flows: flows(true),
            ..ClientSpec::default()
        },
    );
    let r = call(
        &f.stub,
        "RespondToAuthChallenge",
        json!({"ChallengeName": "CUSTOM_CHALLENGE", "ClientId": other.id, "Session": second["Session"],
               "ChallengeResponses": {"USERNAME": u.username, "ANSWER": "7"}}),
    );
    assert_eq!(
        r.error("NotAuthorizedException"),
        "Invalid session for the user."
    );
    // Another user.
    let eve = f
        .stub
        .add_user(&f.pool, UserSpec::new("eve@example.com", PW));
    let r = call(
        &f.stub,
        "RespondToAuthChallenge",
        json!({"ChallengeName": "CUSTOM_CHALLENGE", "ClientId": f.client.id, "Session": second["Session"],
               "ChallengeResponses": {"USERNAME": eve.username, "ANSWER": "7", "SECRET_HASH": f.hash(&eve.username)}}),
    );
    assert_eq!(
        r.error("NotAuthorizedException"),
        "Invalid session for the user."
    );
    // The admin API with the user API's session.
    let r = send(
        &f.stub,
        Some("AdminRespondToAuthChallenge"),
        SIGV4,
        &json!({"ChallengeName": "CUSTOM_CHALLENGE", "ClientId": f.client.id, "UserPoolId": f.pool, "Session": second["Session"],
                "ChallengeResponses": {"USERNAME": u.username, "ANSWER": "7", "SECRET_HASH": f.hash(&u.username)}})
        .to_string(),
    );
    assert_eq!(
        r.error("NotAuthorizedException"),
        "Invalid session for the user."
    );
    // Another challenge name for this round's session.
    let r = call(
        &f.stub,
        "RespondToAuthChallenge",
        json!({"ChallengeName": "SMS_MFA", "ClientId": f.client.id, "Session": second["Session"],
               "ChallengeResponses": {"USERNAME": u.username, "SMS_MFA_CODE": "7", "SECRET_HASH": f.hash(&u.username)}}),
    );
    r.error("InvalidParameterException");
    // Expired after three minutes.
    f.stub.expire_sessions();
    assert_eq!(
        answer(&f, &u, &second, "7", json!({})).error("NotAuthorizedException"),
        "Invalid session for the user, session is expired."
    );
}

#[test]
fn srp_first_checks_the_password_before_the_custom_rounds() {
    let (f, u) = fx(
        PoolSpec::default(),
        CustomAuthScript {
            srp_first: true,
            ..CustomAuthScript::answers(&["sesame"])
        },
    );
    // Define wants SRP first: a sign-in without it fails.
    assert_eq!(
        initiate(&f, json!({}), json!({})).error("NotAuthorizedException"),
        "Incorrect username or password."
    );
    let a = BigUint::from_bytes_be(&[9u8; 64]);
    let big_a =
        BigUint::from(2u32).modpow(&a, &BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap());
    let start = || {
        initiate(
            &f,
            json!({"CHALLENGE_NAME": "SRP_A", "SRP_A": big_a.to_str_radix(16)}),
            json!({}),
        )
        .ok()
    };
    let verify = |r: &Value, password: &str| {
        let p = &r["ChallengeParameters"];
        let ts = timestamp_now();
        call(
            &f.stub,
            "RespondToAuthChallenge",
            json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": f.client.id, "Session": r["Session"],
                   "ChallengeResponses": {"USERNAME": u.username, "TIMESTAMP": ts,
                       "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
                       "PASSWORD_CLAIM_SIGNATURE": srp_signature(&f.pool, &u.username, password, &a, p, &ts),
                       "SECRET_HASH": f.hash(&u.username)}}),
        )
    };
    let r = start();
    assert_eq!(r["ChallengeName"], "PASSWORD_VERIFIER");
    assert_eq!(
        r["ChallengeParameters"]["USER_ID_FOR_SRP"],
        u.username.as_str()
    );
    assert_eq!(
        verify(&r, "wrong").error("NotAuthorizedException"),
        "Incorrect username or password."
    );
    let r = verify(&start(), PW).ok();
    assert_eq!(r["ChallengeName"], "CUSTOM_CHALLENGE");
    let r = answer(&f, &u, &r, "sesame", json!({})).ok();
    assert!(r["AuthenticationResult"]["IdToken"].is_string(), "{r}");
    let last_define = f
        .stub
        .trigger_invocations()
        .into_iter()
        .rfind(|i| i.trigger == "DefineAuthChallenge")
        .unwrap();
    let names: Vec<&str> = last_define
        .session
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(names, ["SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"]);
    // SRP_A named but missing.
    initiate(&f, json!({"CHALLENGE_NAME": "SRP_A"}), json!({})).error("InvalidParameterException");
}

#[test]
fn admin_custom_auth_and_the_usual_follow_ups() {
    let (f, u) = fx(
        PoolSpec {
            device_tracking: DeviceTracking::Always,
            ..PoolSpec::default()
        },
        CustomAuthScript::answers(&["one"]),
    );
    // AdminInitiateAuth / AdminRespondToAuthChallenge, SigV4 and UserPoolId.
    let body = json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": f.client.id, "UserPoolId": f.pool,
                      "AuthParameters": {"USERNAME": EMAIL, "SECRET_HASH": f.hash(EMAIL)}});
    send(&f.stub, Some("AdminInitiateAuth"), "", &body.to_string())
        .error("MissingAuthenticationTokenException");
    let r = send(&f.stub, Some("AdminInitiateAuth"), SIGV4, &body.to_string()).ok();
    let r = send(
        &f.stub,
        Some("AdminRespondToAuthChallenge"),
        SIGV4,
        &json!({"ChallengeName": "CUSTOM_CHALLENGE", "ClientId": f.client.id, "UserPoolId": f.pool, "Session": r["Session"],
                "ChallengeResponses": {"USERNAME": u.username, "ANSWER": "one", "SECRET_HASH": f.hash(&u.username)},
                "ClientMetadata": {"via": "admin"}})
        .to_string(),
    )
    .ok();
    // A tracking pool announces the new device with the tokens.
    assert!(
        r["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"].is_string(),
        "{r}"
    );
    let ops: Vec<String> = f
        .stub
        .trigger_invocations()
        .into_iter()
        .map(|i| i.operation)
        .collect();
    assert_eq!(ops.last().unwrap(), "AdminRespondToAuthChallenge");
    // DEVICE_KEY is taken: an unknown device is refused once the challenges are done.
    let r = initiate(
        &f,
        json!({"DEVICE_KEY": "us-east-1_00000000-0000-0000-0000-000000000000"}),
        json!({}),
    )
    .ok();
    assert_eq!(
        answer(&f, &u, &r, "one", json!({})).error("ResourceNotFoundException"),
        "Device does not exist."
    );
    // A temporary password: NEW_PASSWORD_REQUIRED after the custom rounds.
    f.stub.set_user_password(&f.pool, EMAIL, PW, true);
    let r = initiate(&f, json!({}), json!({})).ok();
    assert_eq!(
        answer(&f, &u, &r, "one", json!({})).ok()["ChallengeName"],
        "NEW_PASSWORD_REQUIRED"
    );
    // TOTP MFA: SOFTWARE_TOKEN_MFA after them.
    f.stub.set_user_password(&f.pool, EMAIL, PW, false);
    let secret = "JBSWY3DPEHPK3PXP";
    f.stub.set_user_mfa(
        &f.pool,
        EMAIL,
        Mfa::Totp {
            secret_base32: secret.into(),
        },
    );
    let r = initiate(&f, json!({}), json!({})).ok();
    let r = answer(&f, &u, &r, "one", json!({})).ok();
    assert_eq!(r["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let r = call(
        &f.stub,
        "RespondToAuthChallenge",
        json!({"ChallengeName": "SOFTWARE_TOKEN_MFA", "ClientId": f.client.id, "Session": r["Session"],
               "ChallengeResponses": {"USERNAME": u.username, "SOFTWARE_TOKEN_MFA_CODE": totp_code(secret, now).unwrap(),
                                      "SECRET_HASH": f.hash(&u.username)}}),
    )
    .ok();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string(), "{r}");
}

#[test]
fn failing_or_missing_triggers_answer_cognitos_errors() {
    let (f, u) = fx(PoolSpec::default(), three_rounds());
    let set = |define: Trigger, create: Trigger, verify: Trigger| {
        f.stub.set_custom_auth_triggers(
            &f.pool,
            CustomAuthTriggers {
                define,
                create,
                verify,
            },
        );
    };
    set(
        Trigger::Throws("boom".into()),
        Trigger::Works,
        Trigger::Works,
    );
    assert_eq!(
        initiate(&f, json!({}), json!({})).error("UserLambdaValidationException"),
        "DefineAuthChallenge failed with error boom."
    );
    set(Trigger::Works, Trigger::BadResponse, Trigger::Works);
    assert_eq!(
        initiate(&f, json!({}), json!({})).error("InvalidLambdaResponseException"),
        "Unrecognizable lambda output"
    );
    set(Trigger::Works, Trigger::Missing, Trigger::Works);
    assert_eq!(
        initiate(&f, json!({}), json!({})).error("InvalidParameterException"),
        "Custom auth lambda trigger is not configured for the user pool."
    );
    set(Trigger::Works, Trigger::Works, Trigger::Unreachable);
    let r = initiate(&f, json!({}), json!({})).ok();
    assert_eq!(
        answer(&f, &u, &r, "red", json!({})).error("UnexpectedLambdaException"),
        "VerifyAuthChallengeResponse invocation failed due to configuration."
    );
    // A user the Lambdas have no script for: Define fails the sign-in.
    set(Trigger::Works, Trigger::Works, Trigger::Works);
    f.stub.set_user_custom_auth(&f.pool, EMAIL, None);
    assert_eq!(
        initiate(&f, json!({}), json!({})).error("NotAuthorizedException"),
        "Incorrect username or password."
    );
}

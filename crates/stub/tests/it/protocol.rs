//! Cognito's JSON 1.1 protocol at the wire: unknown operations, bad JSON,
//! wrong types and missing members get the service's error codes, never a
//! panic; every request is recorded.

use cognito_stub::{ClientSpec, PoolSpec};
use serde_json::json;

use crate::support::{call, fixture, get, send};

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

//! The admin APIs' SigV4 presence and scope checks.

use cognito_stub::{ClientSpec, PoolSpec, UserSpec};
use serde_json::json;

use crate::support::{SIGV4, fixture, send};

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

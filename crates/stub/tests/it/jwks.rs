//! The pool's JWKS and the tokens the stub signs on demand.

use cognito_stub::{ClientSpec, PoolSpec};
use serde_json::json;

use crate::support::{claims, fixture, get, verify};

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

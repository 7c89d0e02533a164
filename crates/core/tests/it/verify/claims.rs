//! Claim rules over real HTTP keys: `exp`, `iss`, `aud`/`client_id`,
//! `token_use`, and every algorithm other than RS256 refused.

use super::*;

#[tokio::test]
async fn claim_checks() {
    let (k1, _) = keys();
    let srv = serve("200 OK", jwks(&[k1])).await;
    let o = opts(&srv.url, None);
    let iss = default_issuer(REGION, POOL);

    // Expired (beyond any leeway).
    let t = k1.token(&with(id_claims(), "exp", json!(NOW - 3235)));
    let err = verify_at(&t, &o, NOW).await.unwrap_err();
    assert!(matches!(err, VerifyError::Expired { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "token expired at 2026-01-02 02:10:10 UTC (now 2026-01-02 03:04:05 UTC)"
    );
    assert_no_token(&err, &t);
    // Issue 13: no leeway by default (as aws-jwt-verify and API Gateway),
    // so 30 s past `exp` is expired; a 60 s leeway allows that skew. (This
    // test asserted the old 60 s default before.)
    let err = verify_at(
        &k1.token(&with(id_claims(), "exp", json!(NOW - 30))),
        &o,
        NOW,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, VerifyError::Expired { .. }), "{err:?}");
    let o_lenient = VerifyOptions {
        leeway_secs: 60,
        ..o.clone()
    };
    verify_at(
        &k1.token(&with(id_claims(), "exp", json!(NOW - 30))),
        &o_lenient,
        NOW,
    )
    .await
    .unwrap();

    // Missing exp.
    let mut c = id_claims();
    c.as_object_mut().unwrap().remove("exp");
    let err = verify_at(&k1.token(&c), &o, NOW).await.unwrap_err();
    assert_eq!(err.to_string(), "token has no valid exp claim");

    // nbf in the future.
    let err = verify_at(
        &k1.token(&with(id_claims(), "nbf", json!(NOW + 600))),
        &o,
        NOW,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, VerifyError::NotYetValid { .. }), "{err:?}");

    // Wrong audience (ID token) and wrong client_id (access token).
    let t = k1.token(&with(id_claims(), "aud", json!("someone-else")));
    let err = verify_at(&t, &o, NOW).await.unwrap_err();
    assert!(matches!(err, VerifyError::WrongAudience { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "wrong audience: token is for client someone-else, expected client-abc"
    );
    let t = k1.token(&with(access_claims(), "client_id", json!("someone-else")));
    let err = verify_at(&t, &o, NOW).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "wrong audience: token is for client someone-else, expected client-abc"
    );
    // An access token has no aud: its client_id is what counts.
    let c = with(access_claims(), "aud", json!("someone-else"));
    verify_at(&k1.token(&c), &o, NOW).await.unwrap();
    // Without a client id there is no audience check.
    let o_any = VerifyOptions {
        client_id: None,
        ..o.clone()
    };
    verify_at(
        &k1.token(&with(id_claims(), "aud", json!("x"))),
        &o_any,
        NOW,
    )
    .await
    .unwrap();

    // Wrong issuer.
    let other = default_issuer(REGION, "eu-west-1_Other");
    let err = verify_at(&k1.token(&with(id_claims(), "iss", json!(other))), &o, NOW)
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::WrongIssuer { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("wrong issuer: token is from {other}, expected {iss}")
    );
    // A custom issuer (emulators).
    let o_custom = VerifyOptions {
        issuer: Some("http://localhost:9229/pool".into()),
        ..o.clone()
    };
    let c = with(id_claims(), "iss", json!("http://localhost:9229/pool"));
    verify_at(&k1.token(&c), &o_custom, NOW).await.unwrap();
    let err = verify_at(&k1.token(&id_claims()), &o_custom, NOW)
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::WrongIssuer { .. }), "{err:?}");

    // Wrong token_use.
    let o_access = VerifyOptions {
        token_use: Some(TokenUse::Access),
        ..o.clone()
    };
    let err = verify_at(&k1.token(&id_claims()), &o_access, NOW)
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::WrongTokenUse { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "wrong token use: token is \"id\", expected access"
    );
    let err = verify_at(
        &k1.token(&with(id_claims(), "token_use", json!("refresh"))),
        &o,
        NOW,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "wrong token use: token is \"refresh\", expected id or access"
    );
    let mut c = id_claims();
    c.as_object_mut().unwrap().remove("token_use");
    let err = verify_at(&k1.token(&c), &o, NOW).await.unwrap_err();
    assert!(
        matches!(err, VerifyError::MissingClaim { claim: "token_use" }),
        "{err:?}"
    );
}

#[tokio::test]
async fn algorithms_other_than_rs256_are_rejected() {
    let (k1, _) = keys();
    // No server: these must fail before any fetch.
    let o = opts("http://127.0.0.1:9/unused/.well-known/jwks.json", None);
    let claims = b64url(id_claims().to_string().as_bytes());

    let none = format!(
        "{}.{claims}.",
        b64url(br#"{"alg":"none","kid":"pool-key-1"}"#)
    );
    let err = verify_at(&none, &o, NOW).await.unwrap_err();
    assert!(
        matches!(err, VerifyError::UnsupportedAlgorithm { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "unsupported algorithm \"none\": Cognito user pool tokens are signed with RS256"
    );

    // HS256 signed with the public modulus as secret (key confusion).
    let h = b64url(br#"{"alg":"HS256","kid":"pool-key-1"}"#);
    let n = k1.jwk()["n"].as_str().unwrap().to_owned();
    let sig = jsonwebtoken::crypto::sign(
        format!("{h}.{claims}").as_bytes(),
        &jsonwebtoken::EncodingKey::from_secret(n.as_bytes()),
        Algorithm::HS256,
    )
    .unwrap();
    let err = verify_at(&format!("{h}.{claims}.{sig}"), &o, NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(err, VerifyError::UnsupportedAlgorithm { .. }),
        "{err:?}"
    );

    for header in [
        r#"{"kid":"pool-key-1"}"#,
        r#"{"alg":"RS512","kid":"pool-key-1"}"#,
        r#"{"alg":"rs256"}"#,
        r#"{"alg":256}"#,
    ] {
        let t = format!("{}.{claims}.AAAA", b64url(header.as_bytes()));
        let err = verify_at(&t, &o, NOW).await.unwrap_err();
        assert!(
            matches!(err, VerifyError::UnsupportedAlgorithm { .. }),
            "{header}: {err:?}"
        );
    }
    let t = format!("{}.{claims}.AAAA", b64url(br#"{"alg":"RS256"}"#));
    assert!(matches!(
        verify_at(&t, &o, NOW).await.unwrap_err(),
        VerifyError::MissingKeyId
    ));
}

//! Rotation-safe refresh: `GetTokensFromRefreshToken` with and without
//! rotation, and the fallback where the operation is unknown.

use super::*;

fn rotating_world(rotate: bool) -> World {
    world_with(
        PoolSpec {
            username_is_email: true,
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            rotate_refresh_tokens: rotate,
            ..Default::default()
        },
    )
}

#[tokio::test]
async fn rotation_replaces_the_refresh_token_and_kills_the_old_one() {
    let w = rotating_world(true);
    w.stub
        .add_user(&w.pool, UserSpec::new("rot@example.com", PW));
    let c = w.cognito().await;
    let id = w.identity("rot@example.com");
    let t = c
        .login(
            &id,
            Flow::Password,
            &Secret::new(PW),
            &StaticAnswers::default(),
        )
        .await
        .unwrap();
    let old = t.refresh_token.clone().unwrap();
    let internal = t.internal_username().unwrap();
    let r = c
        .refresh_rotating(&id, &old, &internal, RefreshOperation::GetTokens, None)
        .await
        .unwrap();
    assert!(r.rotated);
    assert_eq!(r.operation, RefreshOperation::GetTokens);
    let new = r.tokens.refresh_token.clone().unwrap();
    assert_ne!(new, old);
    // The client secret itself travelled, not a hash.
    let req = &w.bodies("GetTokensFromRefreshToken")[0];
    assert_eq!(req["ClientSecret"], w.client.secret.as_deref().unwrap());
    assert!(req.get("SecretHash").is_none());
    // The old token is dead; the new one works (and rotates again).
    let e = c
        .refresh_rotating(&id, &old, &internal, RefreshOperation::GetTokens, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(REUSE_CODE), "{e}");
    let again = c
        .refresh_rotating(&id, &new, &internal, RefreshOperation::GetTokens, None)
        .await
        .unwrap();
    assert_ne!(again.tokens.refresh_token.unwrap(), new);
    // REFRESH_TOKEN_AUTH is refused on a rotating client.
    let e = c.refresh(&id, &new, &internal).await.unwrap_err();
    assert_eq!(e.code(), Some("NotAuthorizedException"), "{e}");
}

#[tokio::test]
async fn without_rotation_the_refresh_token_stays_and_unknown_operations_fall_back() {
    let w = rotating_world(false);
    w.stub
        .add_user(&w.pool, UserSpec::new("keep@example.com", PW));
    let c = w.cognito().await;
    let id = w.identity("keep@example.com");
    let t = c
        .login(
            &id,
            Flow::Password,
            &Secret::new(PW),
            &StaticAnswers::default(),
        )
        .await
        .unwrap();
    let rt = t.refresh_token.clone().unwrap();
    let internal = t.internal_username().unwrap();
    let r = c
        .refresh_rotating(&id, &rt, &internal, RefreshOperation::GetTokens, None)
        .await
        .unwrap();
    assert!(!r.rotated);
    assert_eq!(r.tokens.refresh_token.as_ref(), Some(&rt));
    // A throttled first attempt is tried again (not taken for an unknown
    // operation).
    w.stub
        .set_fault(Some(cognito_stub::Fault::Throttle { times: 1 }));
    let r = c
        .refresh_rotating(&id, &rt, &internal, RefreshOperation::GetTokens, None)
        .await
        .unwrap();
    assert_eq!(r.operation, RefreshOperation::GetTokens);
    // A service that does not know the operation: REFRESH_TOKEN_AUTH, with
    // the hash over the internal username (the stub checks it).
    w.stub.forget_operation("GetTokensFromRefreshToken");
    w.stub.clear_requests();
    let r = c
        .refresh_rotating(&id, &rt, &internal, RefreshOperation::GetTokens, None)
        .await
        .unwrap();
    assert_eq!(r.operation, RefreshOperation::InitiateAuth);
    let targets: Vec<String> = w.stub.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets, ["GetTokensFromRefreshToken", "InitiateAuth"]);
    // Told in advance, one request.
    w.stub.clear_requests();
    c.refresh_rotating(&id, &rt, &internal, RefreshOperation::InitiateAuth, None)
        .await
        .unwrap();
    assert_eq!(w.stub.requests().len(), 1);
}

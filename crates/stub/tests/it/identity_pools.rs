//! The identity-pool service (`AWSCognitoIdentityService.*`) through AWS's
//! own SDK: each test breaks one of Cognito's rules and expects Cognito's
//! answer (the code, and the message where the service's words are known:
//! sources in the stub's `identity/errors.rs` and FINDINGS-stub.md).

use cognito_stub::{
    AmbiguousRoleResolution, ClientInfo, ClientSpec, IdentityPoolSpec, PoolSpec, RoleSpec,
    RoleTrust, Stub, TokenRoles, UserGroup, UserSpec, role_arn,
};
use serde_json::json;

use crate::sdk::{fails, id_token, identity};
use crate::support::{call_service, claims, get};

const PW: &str = "Passw0rd!";

struct Fx {
    stub: Stub,
    user_pool: String,
    client: ClientInfo,
    pool: String,
    /// `cognito-idp.us-east-1.amazonaws.com/<user pool>`.
    provider: String,
}

/// A user pool with `alice` and `bob`, an identity pool trusting its app
/// client, an authenticated and an unauthenticated role trusting the pool.
fn fx(allow_unauthenticated: bool) -> Fx {
    let stub = Stub::start();
    let user_pool = stub.add_pool(PoolSpec::default());
    let client = stub.add_client(&user_pool, ClientSpec::default());
    stub.add_user(&user_pool, UserSpec::new("alice", PW));
    stub.add_user(&user_pool, UserSpec::new("bob", PW));
    let pool = stub.add_identity_pool(IdentityPoolSpec {
        allow_unauthenticated,
        providers: vec![(user_pool.clone(), vec![client.id.clone()])],
        authenticated_role: Some(role_arn("Auth")),
        unauthenticated_role: Some(role_arn("Unauth")),
        ..IdentityPoolSpec::default()
    });
    stub.add_role(RoleSpec::trusting("Auth", &pool, RoleTrust::Authenticated));
    stub.add_role(RoleSpec::trusting(
        "Unauth",
        &pool,
        RoleTrust::Unauthenticated,
    ));
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{user_pool}");
    Fx {
        stub,
        user_pool,
        client,
        pool,
        provider,
    }
}

impl Fx {
    async fn token(&self, user: &str) -> String {
        id_token(&self.stub, &self.client, user, PW).await
    }

    async fn get_id(&self, logins: &[(&str, &str)]) -> Result<String, (String, String)> {
        let mut req = identity(&self.stub.endpoint())
            .get_id()
            .identity_pool_id(&self.pool);
        for (k, v) in logins {
            req = req.logins(*k, *v);
        }
        match req.send().await {
            Ok(o) => Ok(o.identity_id().unwrap().to_owned()),
            Err(e) => Err(fails::<_, _>(Err::<(), _>(e))),
        }
    }
}

#[tokio::test]
async fn the_enhanced_flow_gives_credentials_to_the_identity_of_the_users_sub() {
    let f = fx(false);
    let alice = f.token("alice").await;
    let id = f.get_id(&[(&f.provider, &alice)]).await.unwrap();
    assert!(id.starts_with("us-east-1:"), "{id}");
    // The same user, signed in again: the same identity; another user: another.
    let again = f.token("alice").await;
    assert_eq!(f.get_id(&[(&f.provider, &again)]).await.unwrap(), id);
    let bob = f.token("bob").await;
    assert_ne!(f.get_id(&[(&f.provider, &bob)]).await.unwrap(), id);
    let sub = claims(&alice)["sub"].as_str().unwrap().to_owned();
    let ids = f.stub.identities(&f.pool);
    let mine = ids.iter().find(|i| i.id == id).unwrap();
    assert_eq!(mine.logins, [(f.provider.clone(), sub)]);

    let out = identity(&f.stub.endpoint())
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(&f.provider, &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(out.identity_id(), Some(id.as_str()));
    let c = out.credentials().unwrap();
    let key = c.access_key_id().unwrap();
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert_eq!(c.secret_key().unwrap().len(), 40);
    assert!(c.session_token().unwrap().len() > 100);
    let left = c.expiration().unwrap().secs()
        - std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
    assert!((3590..=3600).contains(&left), "{left}");
    let issued = f.stub.issued_credentials();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].role_arn, role_arn("Auth"));
    assert_eq!(issued[0].identity_id.as_deref(), Some(id.as_str()));
    assert_eq!(issued[0].access_key_id, key);
}

#[tokio::test]
async fn the_logins_key_must_name_a_configured_user_pool_provider() {
    let f = fx(false);
    let alice = f.token("alice").await;
    // A key that is not the token's issuer (a common mistake: the URL).
    let (code, msg) = f
        .get_id(&[(&format!("https://{}", f.provider), &alice)])
        .await
        .unwrap_err();
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        msg,
        "Invalid login token. Issuer doesn't match providerName"
    );
    // A user pool the identity pool does not have, with its own token.
    let other = f.stub.add_pool(PoolSpec::default());
    let other_client = f.stub.add_client(&other, ClientSpec::default());
    f.stub.add_user(&other, UserSpec::new("carol", PW));
    let carol = id_token(&f.stub, &other_client, "carol", PW).await;
    let (code, msg) = f
        .get_id(&[(
            &format!("cognito-idp.us-east-1.amazonaws.com/{other}"),
            &carol,
        )])
        .await
        .unwrap_err();
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        msg,
        "Token is not from a supported provider of this identity pool."
    );
}

#[tokio::test]
async fn the_id_token_must_verify_and_be_for_a_registered_app_client() {
    let f = fx(false);
    let get = |token: String| {
        let f = &f;
        async move { f.get_id(&[(&f.provider, &token)]).await.unwrap_err() }
    };
    // An app client of the right pool that the identity pool does not list.
    let unlisted = f.stub.add_client(&f.user_pool, ClientSpec::default());
    let (code, msg) = get(id_token(&f.stub, &unlisted, "alice", PW).await).await;
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        msg,
        "Token is not from a supported provider of this identity pool."
    );
    // An access token has no aud.
    let access = f
        .stub
        .sign_access_token(&f.user_pool, &f.client.id, "alice", json!({}));
    assert_eq!(
        get(access).await.1,
        "Invalid login token. Missing a required claim: aud"
    );
    // Expired.
    let expired = f
        .stub
        .sign_id_token(&f.user_pool, &f.client.id, "alice", json!({"exp": 1000}));
    let (code, msg) = get(expired).await;
    assert_eq!(code, "NotAuthorizedException");
    assert!(
        msg.starts_with("Invalid login token. Token expired: ") && msg.ends_with(" >= 1000"),
        "{msg}"
    );
    // Not an ID token, though it has an aud.
    let not_id = f.stub.sign_id_token(
        &f.user_pool,
        &f.client.id,
        "alice",
        json!({"token_use": "access"}),
    );
    assert!(get(not_id).await.1.starts_with("Invalid login token. "));
    // A signature that does not verify: the claims changed after signing.
    let good = f.token("alice").await;
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let mut c = claims(&good);
    c["sub"] = json!("someone-else");
    parts[1] = base64_url(&c.to_string());
    let (code, msg) = get(parts.join(".")).await;
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(msg, "Invalid login token. Couldn't verify signed token.");
    // Another pool's key (its kid is unknown here).
    let other = f.stub.add_pool(PoolSpec::default());
    let forged = f.stub.sign_jwt(&other, false, json!({}), claims(&good));
    assert_eq!(
        get(forged).await.1,
        "Invalid login token. Couldn't verify signed token."
    );
    // Not a JWT at all.
    assert_eq!(
        get("not-a-token".into()).await.1,
        "Invalid login token. Not a valid OpenId Connect identity token."
    );
    assert!(f.stub.identities(&f.pool).is_empty());
}

fn base64_url(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn an_identity_is_refused_to_another_users_token_and_to_no_token() {
    let f = fx(true);
    let alice = f.token("alice").await;
    let bob = f.token("bob").await;
    let id = f.get_id(&[(&f.provider, &alice)]).await.unwrap();
    f.get_id(&[(&f.provider, &bob)]).await.unwrap();
    let client = identity(&f.stub.endpoint());
    let dont_match = "Logins don't match. Please include at least one valid login for this identity or identity pool.";
    let r = client
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(&f.provider, &bob)
        .send()
        .await;
    assert_eq!(
        fails(r),
        ("NotAuthorizedException".into(), dont_match.into())
    );
    let r = client
        .get_open_id_token()
        .identity_id(&id)
        .logins(&f.provider, &bob)
        .send()
        .await;
    assert_eq!(fails(r).1, dont_match);
    // Without a login, even on a pool that allows unauthenticated identities.
    let r = client
        .get_credentials_for_identity()
        .identity_id(&id)
        .send()
        .await;
    assert_eq!(fails(r).1, dont_match);
    assert!(f.stub.issued_credentials().is_empty());
}

#[tokio::test]
async fn unauthenticated_identities_only_where_the_pool_allows_them() {
    let closed = fx(false);
    let (code, msg) = closed.get_id(&[]).await.unwrap_err();
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        msg,
        "Unauthenticated access is not supported for this identity pool."
    );

    let f = fx(true);
    let first = f.get_id(&[]).await.unwrap();
    assert_ne!(
        f.get_id(&[]).await.unwrap(),
        first,
        "each GetId without a login is a new identity"
    );
    let client = identity(&f.stub.endpoint());
    client
        .get_credentials_for_identity()
        .identity_id(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(f.stub.issued_credentials()[0].role_arn, role_arn("Unauth"));
    // The pool stops allowing them: the identity gets nothing more.
    let spec = IdentityPoolSpec {
        allow_unauthenticated: false,
        providers: vec![(f.user_pool.clone(), vec![f.client.id.clone()])],
        authenticated_role: Some(role_arn("Auth")),
        unauthenticated_role: Some(role_arn("Unauth")),
        ..IdentityPoolSpec::default()
    };
    f.stub.set_identity_pool(&f.pool, spec);
    let r = client
        .get_credentials_for_identity()
        .identity_id(&first)
        .send()
        .await;
    assert_eq!(
        fails(r).1,
        "Unauthenticated access is not supported for this identity pool."
    );
}

#[tokio::test]
async fn an_unauthenticated_identity_becomes_the_users_when_they_sign_in() {
    let f = fx(true);
    let guest = f.get_id(&[]).await.unwrap();
    let alice = f.token("alice").await;
    identity(&f.stub.endpoint())
        .get_credentials_for_identity()
        .identity_id(&guest)
        .logins(&f.provider, &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(f.get_id(&[(&f.provider, &alice)]).await.unwrap(), guest);
    assert_eq!(f.stub.issued_credentials()[0].role_arn, role_arn("Auth"));
}

#[tokio::test]
async fn identity_pool_ids_are_region_guid_and_other_regions_pools_are_not_found() {
    let f = fx(true);
    let client = identity(&f.stub.endpoint());
    let r = client
        .get_id()
        .identity_pool_id("us-east-1_AbCdEfGhI")
        .send()
        .await;
    let (code, msg) = fails(r);
    assert_eq!(code, "ValidationException");
    assert_eq!(
        msg,
        "1 validation error detected: Value 'us-east-1_AbCdEfGhI' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+"
    );
    let r = client
        .get_id()
        .identity_pool_id("us-east-1:930292469738")
        .send()
        .await;
    assert_eq!(
        fails(r),
        (
            "ResourceNotFoundException".into(),
            "IdentityPool 'us-east-1:930292469738' not found.".into()
        )
    );
    let r = client
        .get_credentials_for_identity()
        .identity_id("us-east-1:12345678-0000-0000-0000-000000000000")
        .send()
        .await;
    assert_eq!(
        fails(r).1,
        "Identity 'us-east-1:12345678-0000-0000-0000-000000000000' not found."
    );
    // A pool of eu-west-1 exists at eu-west-1's endpoint only.
    let eu = f.stub.add_identity_pool(IdentityPoolSpec {
        region: "eu-west-1".into(),
        allow_unauthenticated: true,
        ..IdentityPoolSpec::default()
    });
    assert!(eu.starts_with("eu-west-1:"), "{eu}");
    let us = identity(&f.stub.regional_endpoint("us-east-1"));
    let r = us.get_id().identity_pool_id(&eu).send().await;
    assert_eq!(fails(r).0, "ResourceNotFoundException");
    let eu_client = identity(&f.stub.regional_endpoint("eu-west-1"));
    let id = eu_client
        .get_id()
        .identity_pool_id(&eu)
        .send()
        .await
        .unwrap()
        .identity_id()
        .unwrap()
        .to_owned();
    let r = us.get_open_id_token().identity_id(&id).send().await;
    assert_eq!(fails(r).0, "ResourceNotFoundException");
}

#[tokio::test]
async fn roles_must_exist_and_trust_the_pool_for_that_kind_of_identity() {
    let stub = Stub::start();
    let up = stub.add_pool(PoolSpec::default());
    let client = stub.add_client(&up, ClientSpec::default());
    stub.add_user(&up, UserSpec::new("alice", PW));
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{up}");
    let pool = stub.add_identity_pool(IdentityPoolSpec {
        allow_unauthenticated: true,
        providers: vec![(up.clone(), vec![client.id.clone()])],
        authenticated_role: Some(role_arn("Missing")),
        unauthenticated_role: Some(role_arn("AuthOnly")),
        ..IdentityPoolSpec::default()
    });
    stub.add_role(RoleSpec::trusting(
        "AuthOnly",
        &pool,
        RoleTrust::Authenticated,
    ));
    let c = identity(&stub.endpoint());
    let alice = id_token(&stub, &client, "alice", PW).await;
    let id = c
        .get_id()
        .identity_pool_id(&pool)
        .logins(&provider, &alice)
        .send()
        .await
        .unwrap()
        .identity_id()
        .unwrap()
        .to_owned();
    let bad = (
        "InvalidIdentityPoolConfigurationException".to_owned(),
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.".to_owned(),
    );
    // The authenticated role does not exist.
    let r = c
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(&provider, &alice)
        .send()
        .await;
    assert_eq!(fails(r), bad);
    // The unauthenticated role trusts authenticated identities only.
    let guest = c
        .get_id()
        .identity_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .identity_id()
        .unwrap()
        .to_owned();
    let r = c
        .get_credentials_for_identity()
        .identity_id(&guest)
        .send()
        .await;
    assert_eq!(fails(r), bad);
    // A role trusting another identity pool.
    stub.add_role(RoleSpec::trusting(
        "Missing",
        "us-east-1:00000000-0000-0000-0000-000000000000",
        RoleTrust::Authenticated,
    ));
    let r = c
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(&provider, &alice)
        .send()
        .await;
    assert_eq!(fails(r), bad);
    assert!(stub.issued_credentials().is_empty());
}

#[tokio::test]
async fn custom_role_arn_only_picks_one_of_the_tokens_roles() {
    let stub = Stub::start();
    let up = stub.add_pool(PoolSpec::default());
    let client = stub.add_client(&up, ClientSpec::default());
    let group = |name: &str, role: &str, precedence: u32| UserGroup {
        name: name.into(),
        role_arn: Some(role_arn(role)),
        precedence: Some(precedence),
    };
    stub.add_user(
        &up,
        UserSpec {
            groups: vec![group("readers", "Reader", 2), group("writers", "Writer", 1)],
            ..UserSpec::new("alice", PW)
        },
    );
    stub.add_user(
        &up,
        UserSpec {
            groups: vec![group("a", "Reader", 1), group("b", "Writer", 1)],
            ..UserSpec::new("tied", PW)
        },
    );
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{up}");
    let spec = |token_roles: Option<TokenRoles>| IdentityPoolSpec {
        providers: vec![(up.clone(), vec![client.id.clone()])],
        authenticated_role: Some(role_arn("Default")),
        token_roles,
        ..IdentityPoolSpec::default()
    };
    let by_token = stub.add_identity_pool(spec(Some(TokenRoles {
        ambiguous: AmbiguousRoleResolution::Deny,
    })));
    let plain = stub.add_identity_pool(spec(None));
    // A role's trust names one pool: the token pool's roles, the plain pool's default.
    stub.add_role(RoleSpec::trusting(
        "Reader",
        &by_token,
        RoleTrust::Authenticated,
    ));
    stub.add_role(RoleSpec::trusting(
        "Writer",
        &by_token,
        RoleTrust::Authenticated,
    ));
    stub.add_role(RoleSpec::trusting(
        "Default",
        &plain,
        RoleTrust::Authenticated,
    ));
    let c = identity(&stub.endpoint());
    let alice = id_token(&stub, &client, "alice", PW).await;
    let tied = id_token(&stub, &client, "tied", PW).await;
    assert_eq!(claims(&alice)["cognito:preferred_role"], role_arn("Writer"));
    assert!(claims(&tied).get("cognito:preferred_role").is_none());
    let id_of = |pool: &str, token: &str| {
        let (c, pool, token, provider) = (&c, pool.to_owned(), token.to_owned(), provider.clone());
        async move {
            c.get_id()
                .identity_pool_id(pool)
                .logins(provider, token)
                .send()
                .await
                .unwrap()
                .identity_id()
                .unwrap()
                .to_owned()
        }
    };
    let creds = |id: String, token: String, custom: Option<String>| {
        let (c, provider) = (&c, provider.clone());
        async move {
            c.get_credentials_for_identity()
                .identity_id(id)
                .logins(provider, token)
                .set_custom_role_arn(custom)
                .send()
                .await
        }
    };
    let a = id_of(&by_token, &alice).await;
    // No CustomRoleArn: cognito:preferred_role.
    creds(a.clone(), alice.clone(), None).await.unwrap();
    // One of the token's roles.
    creds(a.clone(), alice.clone(), Some(role_arn("Reader")))
        .await
        .unwrap();
    let roles: Vec<String> = stub
        .issued_credentials()
        .into_iter()
        .map(|i| i.role_arn)
        .collect();
    assert_eq!(roles, [role_arn("Writer"), role_arn("Reader")]);
    // A role the token does not name: denied.
    let r = creds(a.clone(), alice.clone(), Some(role_arn("Default"))).await;
    assert_eq!(fails(r).0, "NotAuthorizedException");
    // Two roles of the same precedence and AmbiguousRoleResolution Deny.
    let t = id_of(&by_token, &tied).await;
    let r = creds(t, tied.clone(), None).await;
    assert_eq!(
        fails(r),
        (
            "NotAuthorizedException".into(),
            "The ambiguous role mapping rules denied this request.".into()
        )
    );
    // A pool with the default roles: no CustomRoleArn at all.
    let p = id_of(&plain, &alice).await;
    creds(p.clone(), alice.clone(), None).await.unwrap();
    assert_eq!(
        stub.issued_credentials().last().unwrap().role_arn,
        role_arn("Default")
    );
    let r = creds(p, alice.clone(), Some(role_arn("Writer"))).await;
    assert_eq!(fails(r).0, "NotAuthorizedException");
    // AuthenticatedRole resolution: the pool's authenticated role.
    stub.set_identity_pool(
        &by_token,
        IdentityPoolSpec {
            authenticated_role: Some(role_arn("Reader")),
            ..spec(Some(TokenRoles {
                ambiguous: AmbiguousRoleResolution::AuthenticatedRole,
            }))
        },
    );
    let t = id_of(&by_token, &tied).await;
    creds(t, tied, None).await.unwrap();
    assert_eq!(
        stub.issued_credentials().last().unwrap().role_arn,
        role_arn("Reader")
    );
}

#[tokio::test]
async fn the_open_id_token_is_the_identity_services_for_this_identity() {
    let f = fx(true);
    let alice = f.token("alice").await;
    let id = f.get_id(&[(&f.provider, &alice)]).await.unwrap();
    let out = identity(&f.stub.endpoint())
        .get_open_id_token()
        .identity_id(&id)
        .logins(&f.provider, &alice)
        .send()
        .await
        .unwrap();
    let token = out.token().unwrap();
    // Verified independently against the identity service's JWKS.
    let jwks = get(&f.stub, "/.well-known/jwks_uri").ok();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS512);
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"].as_str() == header.kid.as_deref())
        .expect("kid in the identity service's JWKS");
    let dk = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS512);
    v.set_issuer(&["https://cognito-identity.amazonaws.com"]);
    v.set_audience(&[&f.pool]);
    let c = jsonwebtoken::decode::<serde_json::Value>(token, &dk, &v)
        .unwrap()
        .claims;
    assert_eq!(c["sub"], id.as_str());
    let sub = claims(&alice)["sub"].as_str().unwrap().to_owned();
    assert_eq!(
        c["amr"],
        json!([
            "authenticated",
            f.provider,
            format!("{}:CognitoSignIn:{sub}", f.provider)
        ])
    );
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 600);
    // An unauthenticated identity's.
    let guest = f.get_id(&[]).await.unwrap();
    let t = identity(&f.stub.endpoint())
        .get_open_id_token()
        .identity_id(&guest)
        .send()
        .await
        .unwrap();
    assert_eq!(
        claims(t.token().unwrap())["amr"],
        json!(["unauthenticated"])
    );
}

#[tokio::test]
async fn errors_carry_the_identity_services_headers_and_forgotten_things_are_gone() {
    let f = fx(false);
    let r = call_service(
        &f.stub,
        "AWSCognitoIdentityService.GetId",
        json!({"IdentityPoolId": f.pool}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("NotAuthorizedException:")
    );
    assert_eq!(
        r.header("x-amzn-errormessage"),
        Some("Unauthenticated access is not supported for this identity pool.")
    );
    assert_eq!(r.json()["__type"], "NotAuthorizedException");
    assert_eq!(f.stub.requests().last().unwrap().target, "GetId");

    let alice = f.token("alice").await;
    let id = f.get_id(&[(&f.provider, &alice)]).await.unwrap();
    assert!(f.stub.delete_identity(&id));
    let r = identity(&f.stub.endpoint())
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(&f.provider, &alice)
        .send()
        .await;
    assert_eq!(fails(r).0, "ResourceNotFoundException");
    f.stub.forget_operation("GetId");
    assert_eq!(
        f.get_id(&[(&f.provider, &alice)]).await.unwrap_err().0,
        "UnknownOperationException"
    );
}

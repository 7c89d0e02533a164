//! STS through AWS's own SDK: `AssumeRoleWithWebIdentity` with an identity
//! pool's OpenID token (the basic flow) and `GetCallerIdentity` signed with
//! the credentials issued; each test breaks one rule and expects STS's
//! answer (sources in the stub's `sts/` files and FINDINGS-stub.md).

use cognito_stub::{
    ClientInfo, ClientSpec, IdentityPoolSpec, PoolSpec, RoleSpec, RoleTrust, Stub, UserSpec,
    role_arn,
};

use crate::sdk::{fails, id_token, identity, sts, sts_with};
use crate::support::raw;

const PW: &str = "Passw0rd!";

struct Fx {
    stub: Stub,
    client: ClientInfo,
    pool: String,
    provider: String,
}

/// A user pool with `alice`, an identity pool (unauthenticated identities
/// allowed) and roles: `Auth` and `Unauth` trusting it, `Elsewhere`
/// trusting another pool, `Long` allowing 12-hour sessions.
fn fx() -> Fx {
    let stub = Stub::start();
    let up = stub.add_pool(PoolSpec::default());
    let client = stub.add_client(&up, ClientSpec::default());
    stub.add_user(&up, UserSpec::new("alice", PW));
    let pool = stub.add_identity_pool(IdentityPoolSpec {
        allow_unauthenticated: true,
        providers: vec![(up.clone(), vec![client.id.clone()])],
        ..IdentityPoolSpec::default()
    });
    stub.add_role(RoleSpec::trusting("Auth", &pool, RoleTrust::Authenticated));
    stub.add_role(RoleSpec::trusting(
        "Unauth",
        &pool,
        RoleTrust::Unauthenticated,
    ));
    stub.add_role(RoleSpec::trusting(
        "Elsewhere",
        "us-east-1:00000000-0000-0000-0000-000000000000",
        RoleTrust::Authenticated,
    ));
    stub.add_role(RoleSpec {
        max_session_secs: 43200,
        ..RoleSpec::trusting("Long", &pool, RoleTrust::Authenticated)
    });
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{up}");
    Fx {
        stub,
        client,
        pool,
        provider,
    }
}

impl Fx {
    /// Alice's identity id and OpenID token (`authenticated`), or a guest's.
    async fn open_id(&self, signed_in: bool) -> (String, String) {
        let c = identity(&self.stub.endpoint());
        let mut get_id = c.get_id().identity_pool_id(&self.pool);
        let mut token = c.get_open_id_token();
        if signed_in {
            let t = id_token(&self.stub, &self.client, "alice", PW).await;
            get_id = get_id.logins(&self.provider, &t);
            token = token.logins(&self.provider, &t);
        }
        let id = get_id
            .send()
            .await
            .unwrap()
            .identity_id()
            .unwrap()
            .to_owned();
        let out = token.identity_id(&id).send().await.unwrap();
        (id, out.token().unwrap().to_owned())
    }
}

type Assumed = Result<
    aws_sdk_sts::operation::assume_role_with_web_identity::AssumeRoleWithWebIdentityOutput,
    aws_sdk_sts::error::SdkError<
        aws_sdk_sts::operation::assume_role_with_web_identity::AssumeRoleWithWebIdentityError,
        aws_sdk_sts::config::http::HttpResponse,
    >,
>;

async fn assume(
    stub: &Stub,
    role: &str,
    session: &str,
    token: &str,
    duration: Option<i32>,
) -> Assumed {
    sts(stub)
        .assume_role_with_web_identity()
        .role_arn(role_arn(role))
        .role_session_name(session)
        .web_identity_token(token)
        .set_duration_seconds(duration)
        .send()
        .await
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn the_basic_flow_assumes_the_role_that_trusts_the_pool() {
    let f = fx();
    let (id, token) = f.open_id(true).await;
    let out = assume(&f.stub, "Auth", "alice", &token, None)
        .await
        .unwrap();
    assert_eq!(out.subject_from_web_identity_token(), Some(id.as_str()));
    assert_eq!(out.audience(), Some(f.pool.as_str()));
    assert_eq!(out.provider(), Some("cognito-identity.amazonaws.com"));
    let user = out.assumed_role_user().unwrap();
    assert_eq!(
        user.arn(),
        format!(
            "arn:aws:sts::{}:assumed-role/Auth/alice",
            cognito_stub::ACCOUNT_ID
        )
    );
    assert!(
        user.assumed_role_id().starts_with("AROA") && user.assumed_role_id().ends_with(":alice")
    );
    let c = out.credentials().unwrap();
    assert!(c.access_key_id().starts_with("ASIA") && c.access_key_id().len() == 20);
    assert_eq!(c.secret_access_key().len(), 40);
    assert!(!c.session_token().is_empty());
    // DurationSeconds defaults to 3600.
    let left = c.expiration().secs() - now();
    assert!((3590..=3600).contains(&left), "{left}");
    let short = assume(&f.stub, "Auth", "short", &token, Some(900))
        .await
        .unwrap();
    let left = short.credentials().unwrap().expiration().secs() - now();
    assert!((890..=900).contains(&left), "{left}");
    // A guest's token for the unauthenticated role.
    let (_, guest) = f.open_id(false).await;
    assume(&f.stub, "Unauth", "guest", &guest, None)
        .await
        .unwrap();
    let issued = f.stub.issued_credentials();
    assert_eq!(issued[0].issued_by, "AssumeRoleWithWebIdentity");
    assert_eq!(issued[0].identity_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        f.stub.requests().last().unwrap().target,
        "AssumeRoleWithWebIdentity"
    );
}

#[tokio::test]
async fn the_roles_trust_decides_aud_and_amr() {
    let f = fx();
    let (_, token) = f.open_id(true).await;
    let (_, guest) = f.open_id(false).await;
    let denied = (
        "AccessDenied".to_owned(),
        "Not authorized to perform sts:AssumeRoleWithWebIdentity".to_owned(),
    );
    // aud: a role trusting another identity pool.
    assert_eq!(
        fails(assume(&f.stub, "Elsewhere", "alice", &token, None).await),
        denied
    );
    // amr: an authenticated identity's token for the unauthenticated role, and back.
    assert_eq!(
        fails(assume(&f.stub, "Unauth", "alice", &token, None).await),
        denied
    );
    assert_eq!(
        fails(assume(&f.stub, "Auth", "guest", &guest, None).await),
        denied
    );
    // A role that does not exist.
    assert_eq!(
        fails(assume(&f.stub, "Nobody", "alice", &token, None).await),
        denied
    );
    assert!(f.stub.issued_credentials().is_empty());
}

#[tokio::test]
async fn the_token_must_be_the_identity_services_and_current() {
    let f = fx();
    let (_, token) = f.open_id(true).await;
    // A user-pool ID token is not the identity service's.
    let id_token = id_token(&f.stub, &f.client, "alice", PW).await;
    let (code, msg) = fails(assume(&f.stub, "Auth", "alice", &id_token, None).await);
    assert_eq!(code, "InvalidIdentityToken");
    assert!(
        msg.starts_with("No OpenIDConnect provider found in your account for https://cognito-idp."),
        "{msg}"
    );
    // A signature that does not verify.
    let mut parts: Vec<&str> = token.split('.').collect();
    let sig = format!("{}A", &parts[2][..parts[2].len() - 1]);
    parts[2] = if sig == parts[2] { "AAAA" } else { &sig };
    let forged = parts.join(".");
    assert_eq!(
        fails(assume(&f.stub, "Auth", "alice", &forged, None).await).0,
        "InvalidIdentityToken"
    );
    assert_eq!(
        fails(assume(&f.stub, "Auth", "alice", "abcd", None).await).0,
        "InvalidIdentityToken"
    );
    // Ten minutes later the token has expired.
    f.stub.set_time_offset(601);
    let (code, msg) = fails(assume(&f.stub, "Auth", "alice", &token, None).await);
    assert_eq!(code, "ExpiredTokenException");
    assert!(
        msg.starts_with("Token expired: current date/time "),
        "{msg}"
    );
}

#[tokio::test]
async fn session_names_and_durations_have_stss_bounds() {
    let f = fx();
    let (_, token) = f.open_id(true).await;
    let validation = |r: Assumed| {
        let (code, msg) = fails(r);
        assert_eq!(code, "ValidationError", "{msg}");
        msg
    };
    // RoleSessionName: 2 to 64 characters of [\w+=,.@-].
    assert_eq!(
        validation(assume(&f.stub, "Auth", "a", &token, None).await),
        "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"
    );
    let msg = validation(assume(&f.stub, "Auth", "alice smith", &token, None).await);
    assert!(
        msg.ends_with("Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
        "{msg}"
    );
    let msg = validation(assume(&f.stub, "Auth", &"a".repeat(65), &token, None).await);
    assert!(
        msg.ends_with("Member must have length less than or equal to 64"),
        "{msg}"
    );
    assume(&f.stub, "Auth", "alice.smith@example.com", &token, None)
        .await
        .unwrap();
    // DurationSeconds: 900 to 43200, and no more than the role allows.
    let msg = validation(assume(&f.stub, "Auth", "ab", &token, Some(899)).await);
    assert!(
        msg.ends_with("Member must have value greater than or equal to 900"),
        "{msg}"
    );
    let msg = validation(assume(&f.stub, "Long", "ab", &token, Some(43201)).await);
    assert!(
        msg.ends_with("Member must have value less than or equal to 43200"),
        "{msg}"
    );
    assert_eq!(
        validation(assume(&f.stub, "Auth", "ab", &token, Some(3601)).await),
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    );
    let long = assume(&f.stub, "Long", "ab", &token, Some(43200))
        .await
        .unwrap();
    let left = long.credentials().unwrap().expiration().secs() - now();
    assert!((43190..=43200).contains(&left), "{left}");
    // Two violations at once are both named.
    let msg = validation(assume(&f.stub, "Auth", "a", &token, Some(1)).await);
    assert!(msg.starts_with("2 validation errors detected: "), "{msg}");
}

/// The credentials of an `AssumeRoleWithWebIdentity`, for signing.
async fn credentials(f: &Fx) -> aws_sdk_sts::config::Credentials {
    let (_, token) = f.open_id(true).await;
    let out = assume(&f.stub, "Auth", "alice", &token, None)
        .await
        .unwrap();
    let c = out.credentials().unwrap();
    aws_sdk_sts::config::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "test",
    )
}

#[tokio::test]
async fn get_caller_identity_checks_the_signature_made_with_the_issued_credentials() {
    let f = fx();
    let good = credentials(&f).await;
    let out = sts_with(&f.stub, Some(good.clone()))
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.arn(),
        Some(
            format!(
                "arn:aws:sts::{}:assumed-role/Auth/alice",
                cognito_stub::ACCOUNT_ID
            )
            .as_str()
        )
    );
    assert_eq!(out.account(), Some(cognito_stub::ACCOUNT_ID));
    assert!(out.user_id().unwrap().ends_with(":alice"));
    let call = |c: Option<aws_sdk_sts::config::Credentials>| {
        let stub = &f.stub;
        async move { sts_with(stub, c).get_caller_identity().send().await }
    };
    let with = |key: &str, secret: &str, token: Option<&str>| {
        aws_sdk_sts::config::Credentials::new(key, secret, token.map(str::to_owned), None, "test")
    };
    let key = good.access_key_id();
    let secret = good.secret_access_key();
    let token = good.session_token();
    // Another secret: the signature does not match.
    let wrong = format!("{}x", &secret[..39]);
    let (code, msg) = fails(call(Some(with(key, &wrong, token))).await);
    assert_eq!(code, "SignatureDoesNotMatch");
    assert!(
        msg.starts_with("The request signature we calculated does not match"),
        "{msg}"
    );
    // A key the stub never issued, or the session token left out.
    let invalid = (
        "InvalidClientTokenId".to_owned(),
        "The security token included in the request is invalid.".to_owned(),
    );
    assert_eq!(
        fails(call(Some(with("ASIAAAAAAAAAAAAAAAAA", secret, token))).await),
        invalid
    );
    assert_eq!(fails(call(Some(with(key, secret, None))).await), invalid);
    // Expired credentials.
    f.stub.set_time_offset(3601);
    assert_eq!(fails(call(Some(good.clone())).await).0, "ExpiredToken");
    f.stub.set_time_offset(0);
    // No signature at all (the SDK signs; a bare form POST does not).
    let body = "Action=GetCallerIdentity&Version=2011-06-15";
    let r = raw(
        &f.stub,
        &format!(
            "POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .unwrap();
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        r.body.contains("<Code>MissingAuthenticationToken</Code>"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn sts_requests_are_form_posts_of_version_2011_06_15() {
    let f = fx();
    let post = |body: &str| {
        raw(
            &f.stub,
            &format!(
                "POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ),
        )
        .unwrap()
    };
    let r = post("Action=AssumeRoleWithWebIdentity&Version=2010-01-01");
    assert_eq!(r.status, 400);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/xml"))
    );
    assert!(r.body.contains("<Code>InvalidAction</Code>"), "{}", r.body);
    assert!(
        r.body
            .starts_with("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"),
        "{}",
        r.body
    );
    let r = post("Action=AssumeRoleWithWebIdentity");
    assert!(
        r.body.contains("<Code>MissingParameter</Code>"),
        "{}",
        r.body
    );
    let r = post("Action=AssumeRoleWithWebIdentity&Version=2011-06-15");
    assert!(
        r.body.contains("<Code>ValidationError</Code>"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("3 validation errors detected"),
        "{}",
        r.body
    );
    let r = post("Action=AssumeRole&Version=2011-06-15");
    assert!(r.body.contains("<Code>InvalidAction</Code>"), "{}", r.body);
    let recorded = f.stub.requests();
    assert_eq!(recorded.last().unwrap().target, "AssumeRole");
    assert_eq!(recorded.last().unwrap().body["Version"], "2011-06-15");
}

//! AWS's own clients pointed at the stub: the identity-pool, STS and
//! user-pool SDKs, unsigned unless given credentials (as the CLI calls
//! them), and the code and message of an error they return.

use aws_sdk_cognitoidentity::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentity::error::{ProvideErrorMetadata, SdkError};
use cognito_stub::{ClientInfo, Stub};

/// The identity service's client at `endpoint`.
pub(crate) fn identity(endpoint: &str) -> aws_sdk_cognitoidentity::Client {
    aws_sdk_cognitoidentity::Client::from_conf(
        aws_sdk_cognitoidentity::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .build(),
    )
}

/// STS's client at the stub, unsigned.
pub(crate) fn sts(stub: &Stub) -> aws_sdk_sts::Client {
    sts_with(stub, None)
}

/// STS's client at the stub, signing with these credentials.
pub(crate) fn sts_with(
    stub: &Stub,
    creds: Option<aws_sdk_sts::config::Credentials>,
) -> aws_sdk_sts::Client {
    let mut b = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .endpoint_url(stub.endpoint());
    if let Some(c) = creds {
        b = b.credentials_provider(c);
    }
    aws_sdk_sts::Client::from_conf(b.build())
}

/// The user-pool client at the stub.
pub(crate) fn user_pools(stub: &Stub) -> aws_sdk_cognitoidentityprovider::Client {
    aws_sdk_cognitoidentityprovider::Client::from_conf(
        aws_sdk_cognitoidentityprovider::Config::builder()
            .behavior_version(aws_sdk_cognitoidentityprovider::config::BehaviorVersion::latest())
            .region(aws_sdk_cognitoidentityprovider::config::Region::new(
                "us-east-1",
            ))
            .endpoint_url(stub.endpoint())
            .build(),
    )
}

/// Signs `user` in through the user-pool SDK (`USER_PASSWORD_AUTH`) and
/// returns the ID token, as a client would before asking for credentials.
pub(crate) async fn id_token(
    stub: &Stub,
    client: &ClientInfo,
    user: &str,
    password: &str,
) -> String {
    let out = user_pools(stub)
        .initiate_auth()
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .client_id(&client.id)
        .auth_parameters("USERNAME", user)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .expect("sign-in");
    out.authentication_result()
        .and_then(|r| r.id_token())
        .expect("an ID token")
        .to_owned()
}

/// The service error's code and message.
pub(crate) fn fails<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    r: Result<impl std::fmt::Debug, SdkError<E, R>>,
) -> (String, String) {
    let e = r.expect_err("the call should fail");
    let code = e
        .code()
        .unwrap_or_else(|| panic!("no error code: {e:?}"))
        .to_owned();
    (code, e.message().unwrap_or_default().to_owned())
}

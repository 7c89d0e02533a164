//! Identity pools on an emulator (for `aws-credentials`): one trusting a
//! provisioned user pool's secret app client, with the authenticated and
//! unauthenticated roles attached where the emulator has
//! `SetIdentityPoolRoles` (fakecloud; moto lacks it and checks no role).
//! The roles need not exist in IAM for `GetCredentialsForIdentity` on
//! either emulator (FINDINGS-emulators.md); STS's basic flow on fakecloud
//! refuses a role that does not (the tests use that refusal).

use aws_config::BehaviorVersion;
use aws_sdk_cognitoidentity::config::{Credentials, Region};
use aws_sdk_cognitoidentity::error::DisplayErrorContext;
use aws_sdk_cognitoidentity::types::CognitoIdentityProvider;

use crate::Provisioned;

/// The role the identity pool gives authenticated identities.
pub const AUTHENTICATED_ROLE: &str = "arn:aws:iam::123456789012:role/cognito-token-authenticated";
/// The role of unauthenticated identities.
pub const UNAUTHENTICATED_ROLE: &str =
    "arn:aws:iam::123456789012:role/cognito-token-unauthenticated";

/// Creates an identity pool whose provider is `p`'s user pool and secret
/// client; `set_roles`: attach the two roles. Returns its id.
pub async fn identity_pool(
    p: &Provisioned,
    allow_unauthenticated: bool,
    set_roles: bool,
) -> anyhow::Result<String> {
    let conf = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(p.region.clone()))
        .endpoint_url(&p.endpoint)
        .credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "cognito-token-emulator",
        ))
        .load()
        .await;
    let client = aws_sdk_cognitoidentity::Client::new(&conf);
    let provider = CognitoIdentityProvider::builder()
        .provider_name(format!(
            "cognito-idp.{}.amazonaws.com/{}",
            p.region, p.pool_id
        ))
        .client_id(&p.client_id)
        .build();
    let out = client
        .create_identity_pool()
        .identity_pool_name(format!("{}_ids", p.pool_name.replace('-', "_")))
        .allow_unauthenticated_identities(allow_unauthenticated)
        .allow_classic_flow(true)
        .cognito_identity_providers(provider)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("CreateIdentityPool: {}", DisplayErrorContext(&e)))?;
    let id = out.identity_pool_id().to_owned();
    if set_roles {
        client
            .set_identity_pool_roles()
            .identity_pool_id(&id)
            .roles("authenticated", AUTHENTICATED_ROLE)
            .roles("unauthenticated", UNAUTHENTICATED_ROLE)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("SetIdentityPoolRoles: {}", DisplayErrorContext(&e)))?;
    }
    Ok(id)
}

//! Identity pools on an emulator (for `aws-credentials`): one trusting a
//! provisioned user pool's secret app client, with two IAM roles created
//! for it ([`crate::iam`]: one trusting Cognito identities, one trusting
//! another provider only), attached as the authenticated and
//! unauthenticated roles where the emulator has `SetIdentityPoolRoles`
//! (fakecloud; moto lacks it and checks no role). `GetCredentialsForIdentity`
//! checks no trust policy on either emulator (FINDINGS-emulators.md); STS's
//! basic flow on fakecloud evaluates the role's trust policy.

use aws_config::BehaviorVersion;
use aws_sdk_cognitoidentity::config::{Credentials, Region};
use aws_sdk_cognitoidentity::error::DisplayErrorContext;
use aws_sdk_cognitoidentity::types::CognitoIdentityProvider;

use crate::iam::{Trust, create_role};
use crate::{Provisioned, unique_suffix};

/// An identity pool on an emulator and the roles made for it.
#[derive(Clone, Debug)]
pub struct IdentityPool {
    /// `REGION:GUID`.
    pub id: String,
    /// The role of authenticated identities: trusts Cognito identities
    /// (`cognito-token-authenticated-<suffix>`).
    pub authenticated_role: String,
    /// The role of unauthenticated identities (same trust).
    pub unauthenticated_role: String,
    /// A role whose trust policy names another identity provider only:
    /// STS refuses it to this pool's identities.
    pub untrusting_role: String,
}

/// Creates an identity pool whose provider is `p`'s user pool and secret
/// client, and its roles in the emulator's IAM; `set_roles`: attach the
/// authenticated and unauthenticated roles to the pool.
pub async fn identity_pool(
    p: &Provisioned,
    allow_unauthenticated: bool,
    set_roles: bool,
) -> anyhow::Result<IdentityPool> {
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
    // IAM role names are unique per account and the tests share one
    // emulator: a suffix per pool.
    let suffix = unique_suffix();
    let role = |kind: &str, trust| {
        let name = format!("cognito-token-{kind}-{suffix}");
        async move { create_role(&p.endpoint, &p.region, &name, trust).await }
    };
    let authenticated_role = role("authenticated", Trust::CognitoIdentity).await?;
    let unauthenticated_role = role("unauthenticated", Trust::CognitoIdentity).await?;
    let untrusting_role = role("untrusting", Trust::Other).await?;
    if set_roles {
        client
            .set_identity_pool_roles()
            .identity_pool_id(&id)
            .roles("authenticated", &authenticated_role)
            .roles("unauthenticated", &unauthenticated_role)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("SetIdentityPoolRoles: {}", DisplayErrorContext(&e)))?;
    }
    Ok(IdentityPool {
        id,
        authenticated_role,
        unauthenticated_role,
        untrusting_role,
    })
}

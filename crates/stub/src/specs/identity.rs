//! What a test asks the stub to create for temporary AWS credentials: an
//! identity pool ([`IdentityPoolSpec`]) with its user-pool providers and
//! roles, and the IAM roles themselves ([`RoleSpec`]) with the trust their
//! policy would grant.

/// The AWS account every ARN the stub makes belongs to.
pub const ACCOUNT_ID: &str = "123456789012";

/// `arn:aws:iam::<account>:role/<name>`: a role's ARN, known before the
/// role is created (as in IAM, a pool may name a role that does not exist).
pub fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT_ID}:role/{name}")
}

/// An identity pool (`CreateIdentityPool` and `SetIdentityPoolRoles`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityPoolSpec {
    /// The pool's region; its id is `<region>:<uuid>`.
    pub region: String,
    /// `AllowUnauthenticatedIdentities`.
    pub allow_unauthenticated: bool,
    /// `CognitoIdentityProviders`: each user pool (its id) and the app
    /// clients of it the pool accepts ID tokens for (`ClientId`). The
    /// provider's name is `cognito-idp.<user pool region>.amazonaws.com/<user pool id>`.
    pub providers: Vec<(String, Vec<String>)>,
    /// `Roles.authenticated`: the role ARN authenticated identities get.
    pub authenticated_role: Option<String>,
    /// `Roles.unauthenticated`.
    pub unauthenticated_role: Option<String>,
    /// `RoleMappings` of type `Token` for every provider: roles come from
    /// the ID token's `cognito:roles` / `cognito:preferred_role`, and
    /// `CustomRoleArn` may pick one of them. `None`: the default roles above,
    /// and `CustomRoleArn` is refused.
    pub token_roles: Option<TokenRoles>,
}

impl Default for IdentityPoolSpec {
    /// `us-east-1`, no unauthenticated identities, no provider, no role.
    fn default() -> Self {
        IdentityPoolSpec {
            region: "us-east-1".into(),
            allow_unauthenticated: false,
            providers: Vec::new(),
            authenticated_role: None,
            unauthenticated_role: None,
            token_roles: None,
        }
    }
}

/// An identity pool's role mapping of type `Token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRoles {
    /// What happens when the token names no single role.
    pub ambiguous: AmbiguousRoleResolution,
}

/// `AmbiguousRoleResolution`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmbiguousRoleResolution {
    /// `AuthenticatedRole`: the pool's authenticated role.
    AuthenticatedRole,
    /// `Deny`: no credentials.
    Deny,
}

/// An IAM role an identity pool hands out, and what its trust policy
/// allows: `sts:AssumeRoleWithWebIdentity` by the federated principal
/// `cognito-identity.amazonaws.com` with the conditions
/// `cognito-identity.amazonaws.com:aud` = [`RoleSpec::trusted_pool`] and
/// `cognito-identity.amazonaws.com:amr` = [`RoleSpec::trust`]
/// (AWS, Cognito developer guide, "Role trust and permissions").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    /// The role's name; its ARN is `arn:aws:iam::<account>:role/<name>`.
    pub name: String,
    /// The identity pool id its trust policy names (`aud`); `None` trusts
    /// no identity pool (the misconfiguration Cognito answers with
    /// `InvalidIdentityPoolConfigurationException`).
    pub trusted_pool: Option<String>,
    /// Which identities its trust policy admits (`amr`).
    pub trust: RoleTrust,
    /// `MaxSessionDuration` in seconds (3600 to 43200; AWS default 3600).
    pub max_session_secs: i64,
}

impl RoleSpec {
    /// A role trusting `identity_pool_id`'s identities of kind `trust`, one
    /// hour at most.
    pub fn trusting(name: &str, identity_pool_id: &str, trust: RoleTrust) -> RoleSpec {
        RoleSpec {
            name: name.into(),
            trusted_pool: Some(identity_pool_id.into()),
            trust,
            max_session_secs: 3600,
        }
    }
}

/// The `cognito-identity.amazonaws.com:amr` condition of a role's trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleTrust {
    /// `"authenticated"`.
    Authenticated,
    /// `"unauthenticated"`.
    Unauthenticated,
}

impl RoleTrust {
    /// The `amr` value the condition matches.
    pub fn amr(self) -> &'static str {
        match self {
            RoleTrust::Authenticated => "authenticated",
            RoleTrust::Unauthenticated => "unauthenticated",
        }
    }
}

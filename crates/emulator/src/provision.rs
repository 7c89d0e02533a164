//! User pools and app clients on an emulator, through the AWS SDK admin
//! APIs with dummy static credentials (moto accepts any), and the core
//! library's view of them (identities, connect options). Users: `users.rs`.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use aws_config::BehaviorVersion;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::{Credentials, Region};
use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, LambdaConfigType, PasswordPolicyType, SoftwareTokenMfaConfigType,
    UserPoolMfaType, UserPoolPolicyType, UsernameAttributeType, VerifiedAttributeType,
};
use cognito_token_core::Secret;
use sha2::{Digest, Sha256};

/// A password policy for a new pool. The default is Cognito's own default
/// (8 characters, upper, lower, digit and symbol).
#[derive(Clone, Debug)]
pub struct PasswordPolicy {
    /// The minimum length.
    pub min_length: i32,
    /// At least one upper-case letter.
    pub require_uppercase: bool,
    /// At least one lower-case letter.
    pub require_lowercase: bool,
    /// At least one digit.
    pub require_numbers: bool,
    /// At least one symbol.
    pub require_symbols: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
        }
    }
}

/// MFA for a new pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mfa {
    /// No MFA (the default).
    #[default]
    Off,
    /// Software-token (TOTP) MFA, for users who set it up.
    OptionalTotp,
    /// Software-token (TOTP) MFA for every user.
    RequiredTotp,
}

/// How to make a pool with [`provision`].
#[derive(Clone, Debug, Default)]
pub struct PoolOptions {
    /// A name prefix (default `cognito-token`); a random suffix is added.
    pub name_prefix: Option<String>,
    /// The password policy; `None` leaves moto's default.
    pub password_policy: Option<PasswordPolicy>,
    /// `UsernameAttributes=email`: users sign in with their email address,
    /// which is also what they are created with.
    pub email_as_username: bool,
    /// `AutoVerifiedAttributes=email`.
    pub auto_verify_email: bool,
    /// MFA.
    pub mfa: Mfa,
    /// The pool's Lambda triggers (`LambdaConfig`), e.g. custom
    /// authentication's Define, Create and Verify Auth Challenge.
    pub lambda_config: Option<LambdaConfigType>,
}

/// A pool made by [`provision`], with two app clients: one with a secret
/// and one public. Every flow the tool uses is enabled on both
/// (`ALLOW_USER_PASSWORD_AUTH`, `ALLOW_USER_SRP_AUTH`,
/// `ALLOW_REFRESH_TOKEN_AUTH`, `ALLOW_ADMIN_USER_PASSWORD_AUTH`).
#[derive(Clone)]
pub struct Provisioned {
    /// The emulator endpoint.
    pub endpoint: String,
    /// The region (`us-east-1`).
    pub region: String,
    /// The pool id (`us-east-1_…`).
    pub pool_id: String,
    /// The pool name (with its random suffix).
    pub pool_name: String,
    /// The client that has a secret.
    pub client_id: String,
    /// Its secret.
    pub client_secret: Secret,
    /// The public client (no secret).
    pub public_client_id: String,
    /// An admin SDK client for the emulator, for further set-up.
    pub admin: Client,
}

impl fmt::Debug for Provisioned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provisioned")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("pool_id", &self.pool_id)
            .field("pool_name", &self.pool_name)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("public_client_id", &self.public_client_id)
            .finish_non_exhaustive()
    }
}

/// A short random suffix (12 hex digits) for pool, client and user names.
pub fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let local = 0u8;
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(n.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(format!("{:p}", &local).as_bytes());
    h.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An admin SDK client for the emulator at `endpoint`: region
/// [`crate::REGION`], dummy static credentials.
pub async fn admin_client(endpoint: &str) -> Client {
    let conf = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(crate::REGION))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "cognito-token-emulator",
        ))
        .load()
        .await;
    Client::new(&conf)
}

pub(crate) fn sdk_err<E, R>(
    what: &str,
) -> impl FnOnce(aws_sdk_cognitoidentityprovider::error::SdkError<E, R>) -> anyhow::Error + '_
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    move |e| anyhow::anyhow!("{what}: {}", DisplayErrorContext(&e))
}

const FLOWS: [ExplicitAuthFlowsType; 4] = [
    ExplicitAuthFlowsType::AllowUserPasswordAuth,
    ExplicitAuthFlowsType::AllowUserSrpAuth,
    ExplicitAuthFlowsType::AllowRefreshTokenAuth,
    ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
];

/// Makes a user pool with a secret client and a public client on the
/// emulator at `endpoint`.
pub async fn provision(endpoint: &str, opts: &PoolOptions) -> anyhow::Result<Provisioned> {
    let admin = admin_client(endpoint).await;
    let suffix = unique_suffix();
    let prefix = opts.name_prefix.as_deref().unwrap_or("cognito-token");
    let pool_name = format!("{prefix}-{suffix}");

    let mut req = admin.create_user_pool().pool_name(&pool_name);
    if let Some(p) = &opts.password_policy {
        req = req.policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(p.min_length)
                        .require_uppercase(p.require_uppercase)
                        .require_lowercase(p.require_lowercase)
                        .require_numbers(p.require_numbers)
                        .require_symbols(p.require_symbols)
                        .build(),
                )
                .build(),
        );
    }
    if opts.email_as_username {
        req = req.username_attributes(UsernameAttributeType::Email);
    }
    if opts.auto_verify_email {
        req = req.auto_verified_attributes(VerifiedAttributeType::Email);
    }
    if let Some(l) = &opts.lambda_config {
        req = req.lambda_config(l.clone());
    }
    let pool = req
        .send()
        .await
        .map_err(sdk_err("CreateUserPool"))
        .with_context(|| format!("at {endpoint}"))?;
    let pool_id = pool
        .user_pool()
        .and_then(|p| p.id())
        .context("CreateUserPool returned no pool id")?
        .to_owned();

    if opts.mfa != Mfa::Off {
        admin
            .set_user_pool_mfa_config()
            .user_pool_id(&pool_id)
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(true).build(),
            )
            .mfa_configuration(if opts.mfa == Mfa::RequiredTotp {
                UserPoolMfaType::On
            } else {
                UserPoolMfaType::Optional
            })
            .send()
            .await
            .map_err(sdk_err("SetUserPoolMfaConfig"))?;
    }

    let secret_client = admin
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name(format!("secret-{suffix}"))
        .generate_secret(true)
        .set_explicit_auth_flows(Some(FLOWS.to_vec()))
        .send()
        .await
        .map_err(sdk_err("CreateUserPoolClient (with a secret)"))?;
    let c = secret_client
        .user_pool_client()
        .context("CreateUserPoolClient returned no client")?;
    let client_id = c
        .client_id()
        .context("CreateUserPoolClient returned no client id")?
        .to_owned();
    let client_secret = Secret::new(
        c.client_secret()
            .context("CreateUserPoolClient returned no client secret")?,
    );

    let public_client = admin
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name(format!("public-{suffix}"))
        .generate_secret(false)
        .set_explicit_auth_flows(Some(FLOWS.to_vec()))
        .send()
        .await
        .map_err(sdk_err("CreateUserPoolClient (public)"))?;
    let public_client_id = public_client
        .user_pool_client()
        .and_then(|c| c.client_id())
        .context("CreateUserPoolClient returned no client id")?
        .to_owned();

    Ok(Provisioned {
        endpoint: endpoint.to_owned(),
        region: crate::REGION.to_owned(),
        pool_id,
        pool_name,
        client_id,
        client_secret,
        public_client_id,
        admin,
    })
}

impl Provisioned {
    /// The user pool id, parsed for the core library.
    pub fn pool_id(&self) -> anyhow::Result<cognito_token_core::PoolId> {
        self.pool_id.parse().map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// The core library's identity of `username` on the client with a secret.
    pub fn identity(&self, username: &str) -> anyhow::Result<cognito_token_core::Identity> {
        Ok(cognito_token_core::Identity {
            client_id: self.client_id.clone(),
            client_secret: Some(self.client_secret.clone()),
            username: username.to_owned(),
            user_pool_id: Some(self.pool_id()?),
        })
    }

    /// The core library's identity of `username` on the public client.
    pub fn public_identity(&self, username: &str) -> anyhow::Result<cognito_token_core::Identity> {
        Ok(cognito_token_core::Identity {
            client_id: self.public_client_id.clone(),
            client_secret: None,
            username: username.to_owned(),
            user_pool_id: Some(self.pool_id()?),
        })
    }

    /// Options for `Cognito::connect` that reach this emulator.
    pub fn connect_options(&self) -> cognito_token_core::ConnectOptions {
        cognito_token_core::ConnectOptions {
            region: Some(self.region.clone()),
            endpoint_url: Some(self.endpoint.clone()),
            ..Default::default()
        }
    }
}

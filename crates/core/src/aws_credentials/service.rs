//! The identity-pool and STS SDK clients, built once from the library's
//! shared SDK configuration (`sdk::load`: explicit region and endpoint,
//! timeouts, retries, the body cap, **no credential chain**: every call
//! here is unsigned), and the calls: `GetId`, `GetCredentialsForIdentity`,
//! `GetOpenIdToken`, `AssumeRoleWithWebIdentity`. A service's refusal keeps
//! its code and message ([`Error::Service`]), with any token it echoed
//! replaced by `***`.

use aws_sdk_cognitoidentity::primitives::DateTime;

use super::credentials::{AwsCredentials, CredentialsFlow, Login};
use super::place::Place;
use super::pool_id::IdentityPoolId;
use crate::endpoint::Endpoint;
use crate::{Error, Secret};

/// Connected identity-pool (and, for the basic flow, STS) clients.
#[derive(Clone, Debug)]
pub struct IdentityPools {
    identity: aws_sdk_cognitoidentity::Client,
    identity_endpoint: Endpoint,
    sts: Option<(aws_sdk_sts::Client, Endpoint)>,
}

impl IdentityPools {
    /// Builds the clients for `place`. No network request is made, and no
    /// AWS credentials are looked up.
    pub async fn connect(place: &Place) -> Result<IdentityPools, Error> {
        let conf = crate::sdk::load(
            &place.region,
            &place.identity,
            Some(place.timeout),
            None,
            false,
        )
        .await;
        let identity = aws_sdk_cognitoidentity::Client::from_conf(
            aws_sdk_cognitoidentity::config::Builder::from(&conf)
                .interceptor(crate::sdk::body_limit())
                .build(),
        );
        let sts = match &place.sts {
            Some(endpoint) => {
                let conf =
                    crate::sdk::load(&place.region, endpoint, Some(place.timeout), None, false)
                        .await;
                let client = aws_sdk_sts::Client::from_conf(
                    aws_sdk_sts::config::Builder::from(&conf)
                        .interceptor(crate::sdk::body_limit())
                        .build(),
                );
                Some((client, endpoint.clone()))
            }
            None => None,
        };
        Ok(IdentityPools {
            identity,
            identity_endpoint: place.identity.clone(),
            sts,
        })
    }

    /// `GetId`: the identity id of `login` in `pool`.
    pub async fn get_id(&self, pool: &IdentityPoolId, login: &Login) -> Result<String, Error> {
        let mut req = self.identity.get_id().identity_pool_id(pool.as_str());
        if let Login::UserPool {
            provider, id_token, ..
        } = login
        {
            req = req.logins(provider, id_token.expose());
        }
        let out = req.send().await.map_err(|e| self.identity_err(e, login))?;
        out.identity_id()
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| protocol("GetId", "no IdentityId"))
    }

    /// The credentials of `identity_id` by `flow`.
    pub async fn credentials(
        &self,
        identity_id: &str,
        login: &Login,
        flow: &CredentialsFlow,
    ) -> Result<AwsCredentials, Error> {
        match flow {
            CredentialsFlow::Enhanced { role_arn } => {
                self.credentials_for_identity(identity_id, login, role_arn.as_deref())
                    .await
            }
            CredentialsFlow::Basic {
                role_arn,
                session_name,
                duration_secs,
            } => {
                let token = self.open_id_token(identity_id, login).await?;
                let session_name = match session_name {
                    Some(name) => name.clone(),
                    None => CredentialsFlow::session_name(login.user_name()),
                };
                self.assume_role(identity_id, &token, role_arn, &session_name, *duration_secs)
                    .await
            }
        }
    }

    /// `GetCredentialsForIdentity`.
    async fn credentials_for_identity(
        &self,
        identity_id: &str,
        login: &Login,
        role_arn: Option<&str>,
    ) -> Result<AwsCredentials, Error> {
        let mut req = self
            .identity
            .get_credentials_for_identity()
            .identity_id(identity_id)
            .set_custom_role_arn(role_arn.map(str::to_owned));
        if let Login::UserPool {
            provider, id_token, ..
        } = login
        {
            req = req.logins(provider, id_token.expose());
        }
        let out = req.send().await.map_err(|e| self.identity_err(e, login))?;
        let op = "GetCredentialsForIdentity";
        let c = out
            .credentials()
            .ok_or_else(|| protocol(op, "no Credentials"))?;
        let field = |v: Option<&str>, name: &str| {
            v.filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| protocol(op, &format!("no {name}")))
        };
        Ok(AwsCredentials {
            access_key_id: field(c.access_key_id(), "AccessKeyId")?,
            secret_access_key: Secret::new(field(c.secret_key(), "SecretKey")?),
            session_token: Secret::new(field(c.session_token(), "SessionToken")?),
            expiration: c
                .expiration()
                .map(DateTime::secs)
                .ok_or_else(|| protocol(op, "no Expiration"))?,
            identity_id: out.identity_id().unwrap_or(identity_id).to_owned(),
        })
    }

    /// `GetOpenIdToken`: an OpenID token for the identity (10 minutes).
    async fn open_id_token(&self, identity_id: &str, login: &Login) -> Result<Secret, Error> {
        let mut req = self.identity.get_open_id_token().identity_id(identity_id);
        if let Login::UserPool {
            provider, id_token, ..
        } = login
        {
            req = req.logins(provider, id_token.expose());
        }
        let out = req.send().await.map_err(|e| self.identity_err(e, login))?;
        out.token()
            .filter(|t| !t.is_empty())
            .map(Secret::new)
            .ok_or_else(|| protocol("GetOpenIdToken", "no Token"))
    }

    /// STS `AssumeRoleWithWebIdentity` with an OpenID token.
    async fn assume_role(
        &self,
        identity_id: &str,
        token: &Secret,
        role_arn: &str,
        session_name: &str,
        duration_secs: Option<i32>,
    ) -> Result<AwsCredentials, Error> {
        let (sts, endpoint) = self
            .sts
            .as_ref()
            .ok_or_else(|| Error::Config("the basic flow needs STS's endpoint".into()))?;
        let out = sts
            .assume_role_with_web_identity()
            .role_arn(role_arn)
            .role_session_name(session_name)
            .web_identity_token(token.expose())
            .set_duration_seconds(duration_secs)
            .send()
            .await
            .map_err(|e| Error::from_sdk(endpoint.url(), e).redact(&[token.expose()]))?;
        let op = "AssumeRoleWithWebIdentity";
        let c = out
            .credentials()
            .ok_or_else(|| protocol(op, "no Credentials"))?;
        if c.access_key_id().is_empty()
            || c.secret_access_key().is_empty()
            || c.session_token().is_empty()
        {
            return Err(protocol(op, "empty credentials"));
        }
        Ok(AwsCredentials {
            access_key_id: c.access_key_id().to_owned(),
            secret_access_key: Secret::new(c.secret_access_key()),
            session_token: Secret::new(c.session_token()),
            expiration: c.expiration().secs(),
            identity_id: identity_id.to_owned(),
        })
    }

    fn identity_err<E, R>(
        &self,
        e: aws_sdk_cognitoidentity::error::SdkError<E, R>,
        login: &Login,
    ) -> Error
    where
        E: aws_sdk_cognitoidentity::error::ProvideErrorMetadata
            + std::error::Error
            + Send
            + Sync
            + 'static,
        R: std::fmt::Debug + 'static,
    {
        let e = Error::from_sdk(self.identity_endpoint.url(), e);
        match login {
            Login::UserPool { id_token, .. } => e.redact(&[id_token.expose()]),
            Login::Unauthenticated => e,
        }
    }
}

fn protocol(context: &'static str, message: &str) -> Error {
    Error::Protocol {
        context,
        message: message.to_owned(),
    }
}

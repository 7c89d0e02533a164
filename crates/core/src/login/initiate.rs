//! The first request of a sign-in, per flow: `InitiateAuth` with
//! `USER_PASSWORD_AUTH`, `USER_SRP_AUTH` (a fresh `SRP_A`) or `USER_AUTH`
//! (`PREFERRED_CHALLENGE`), or `AdminInitiateAuth` with
//! `ADMIN_USER_PASSWORD_AUTH`.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;

use super::challenge::{Step, step, with_available};
use super::respond::sent_secrets;
use super::{Exchange, Flow};
use crate::Error;
use crate::srp::SrpClient;
use crate::user_auth::FirstFactor;

impl Exchange<'_> {
    /// Sends the flow's first request and reads Cognito's first step.
    pub(super) async fn initiate(&mut self) -> Result<Step, Error> {
        let mut params = self.initial_params();
        let cog = self.cog;
        match self.flow {
            Flow::UserAuth { preferred } => self.initiate_user_auth(params, preferred).await,
            Flow::Password | Flow::Srp => {
                let auth_flow = if self.flow == Flow::Srp {
                    self.id.require_pool("srp")?;
                    let srp = SrpClient::new()?;
                    params.insert("SRP_A".into(), srp.srp_a());
                    self.srp = Some(srp);
                    AuthFlowType::UserSrpAuth
                } else {
                    params.insert("PASSWORD".into(), self.password.expose().to_owned());
                    AuthFlowType::UserPasswordAuth
                };
                let secrets = sent_secrets(self.id, &params);
                let out = cog
                    .sdk
                    .initiate_auth()
                    .client_id(&self.id.client_id)
                    .auth_flow(auth_flow)
                    .set_auth_parameters(Some(params))
                    .send()
                    .await
                    .map_err(|e| cog.err(e).redact(&secrets))?;
                step(
                    "InitiateAuth response",
                    out.authentication_result(),
                    out.challenge_name(),
                    out.challenge_parameters(),
                    out.session(),
                )
            }
            Flow::Admin => {
                let pool = self.id.require_pool("admin")?;
                params.insert("PASSWORD".into(), self.password.expose().to_owned());
                let secrets = sent_secrets(self.id, &params);
                let out = cog
                    .sdk
                    .admin_initiate_auth()
                    .user_pool_id(pool.as_str())
                    .client_id(&self.id.client_id)
                    .auth_flow(AuthFlowType::AdminUserPasswordAuth)
                    .set_auth_parameters(Some(params))
                    .send()
                    .await
                    .map_err(|e| cog.err(e).redact(&secrets))?;
                step(
                    "AdminInitiateAuth response",
                    out.authentication_result(),
                    out.challenge_name(),
                    out.challenge_parameters(),
                    out.session(),
                )
            }
        }
    }

    /// `InitiateAuth` with `USER_AUTH`: `PREFERRED_CHALLENGE` and, for the
    /// password factors, what they need up front (`PASSWORD` or `SRP_A`).
    async fn initiate_user_auth(
        &mut self,
        mut params: HashMap<String, String>,
        preferred: Option<FirstFactor>,
    ) -> Result<Step, Error> {
        if let Some(f) = preferred {
            params.insert("PREFERRED_CHALLENGE".into(), f.challenge_name().into());
            self.add_first_factor(f, &mut params)?;
        }
        let cog = self.cog;
        let secrets = sent_secrets(self.id, &params);
        let out = cog
            .sdk
            .initiate_auth()
            .client_id(&self.id.client_id)
            .auth_flow(AuthFlowType::UserAuth)
            .set_auth_parameters(Some(params))
            .send()
            .await
            .map_err(|e| cog.err(e).redact(&secrets))?;
        with_available(
            step(
                "InitiateAuth response",
                out.authentication_result(),
                out.challenge_name(),
                out.challenge_parameters(),
                out.session(),
            ),
            out.available_challenges(),
        )
    }
}

//! The first request of a sign-in, per flow: `InitiateAuth` with
//! `USER_PASSWORD_AUTH`, `USER_SRP_AUTH` (a fresh `SRP_A`) or `USER_AUTH`
//! (`PREFERRED_CHALLENGE`), or `AdminInitiateAuth` with
//! `ADMIN_USER_PASSWORD_AUTH`. One arm per flow.

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;

use super::challenge::{Step, answer_of, step};
use super::exchange::Exchange;
use super::flow::Flow;
use super::respond::sent_secrets;
use crate::Error;
use crate::srp::SrpClient;

impl Exchange<'_> {
    /// Sends the flow's first request and reads Cognito's first step.
    pub(super) async fn initiate(&mut self) -> Result<Step, Error> {
        let mut params = self.initial_params();
        let auth_flow = match self.flow {
            Flow::Password => {
                params.insert("PASSWORD".into(), self.password()?.expose().to_owned());
                AuthFlowType::UserPasswordAuth
            }
            Flow::Admin => {
                params.insert("PASSWORD".into(), self.password()?.expose().to_owned());
                AuthFlowType::AdminUserPasswordAuth
            }
            Flow::Srp => {
                self.id.require_pool("srp")?;
                let srp = SrpClient::new()?;
                params.insert("SRP_A".into(), srp.srp_a());
                self.srp = Some(srp);
                AuthFlowType::UserSrpAuth
            }
            Flow::UserAuth { preferred } => {
                // `PREFERRED_CHALLENGE` and, for the password factors, what
                // they need up front (`PASSWORD` or `SRP_A`).
                if let Some(f) = preferred {
                    params.insert("PREFERRED_CHALLENGE".into(), f.challenge_name().into());
                    self.add_first_factor(f, &mut params)?;
                }
                AuthFlowType::UserAuth
            }
        };
        let secrets = sent_secrets(self.id, &params);
        let (sdk, client_id) = (self.sdk, &self.id.client_id);
        if auth_flow == AuthFlowType::AdminUserPasswordAuth {
            let pool = self.id.require_pool("admin")?;
            let out = sdk
                .client
                .admin_initiate_auth()
                .user_pool_id(pool.as_str())
                .client_id(client_id)
                .auth_flow(auth_flow)
                .set_auth_parameters(Some(params))
                .send()
                .await
                .map_err(|e| sdk.err(e).redact(&secrets))?;
            step("AdminInitiateAuth response", answer_of!(out))
        } else {
            let out = sdk
                .client
                .initiate_auth()
                .client_id(client_id)
                .auth_flow(auth_flow)
                .set_auth_parameters(Some(params))
                .send()
                .await
                .map_err(|e| sdk.err(e).redact(&secrets))?;
            step("InitiateAuth response", answer_of!(out, available))
        }
    }
}

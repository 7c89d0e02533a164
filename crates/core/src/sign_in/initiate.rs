//! The first request of a sign-in, per flow: `InitiateAuth` with
//! `USER_PASSWORD_AUTH`, `USER_SRP_AUTH` (a fresh `SRP_A`) or `USER_AUTH`
//! (`PREFERRED_CHALLENGE`) or `CUSTOM_AUTH` (optionally `SRP_A` first), or
//! `AdminInitiateAuth` with `ADMIN_USER_PASSWORD_AUTH` or `CUSTOM_AUTH`.
//! One arm per flow; `ClientMetadata` on all of them.

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
                self.start_srp("srp", &mut params)?;
                AuthFlowType::UserSrpAuth
            }
            Flow::Custom { srp } | Flow::AdminCustom { srp } => {
                // The password check first: Cognito's Define Auth Challenge
                // sees `SRP_A` and asks `PASSWORD_VERIFIER` before its own.
                if srp {
                    self.start_srp(self.flow.name(), &mut params)?;
                    params.insert("CHALLENGE_NAME".into(), "SRP_A".into());
                }
                AuthFlowType::CustomAuth
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
        let metadata = self.answers.client_metadata().cloned();
        if self.flow.is_admin() {
            let pool = self.id.require_pool(self.flow.name())?;
            let out = sdk
                .client
                .admin_initiate_auth()
                .user_pool_id(pool.as_str())
                .client_id(client_id)
                .auth_flow(auth_flow)
                .set_auth_parameters(Some(params))
                .set_client_metadata(metadata)
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
                .set_client_metadata(metadata)
                .send()
                .await
                .map_err(|e| sdk.err(e).redact(&secrets))?;
            step("InitiateAuth response", answer_of!(out, available))
        }
    }

    /// A fresh SRP client for `flow`, its `SRP_A` in `params`.
    fn start_srp(
        &mut self,
        flow: &str,
        params: &mut std::collections::HashMap<String, String>,
    ) -> Result<(), Error> {
        self.id.require_pool(flow)?;
        let srp = SrpClient::new()?;
        params.insert("SRP_A".into(), srp.srp_a());
        self.srp = Some(srp);
        Ok(())
    }
}

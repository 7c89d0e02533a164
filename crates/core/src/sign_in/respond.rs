//! Sending a challenge answer (`RespondToAuthChallenge`, or
//! `AdminRespondToAuthChallenge` on the admin flow) and keeping the values
//! sent out of any error message a server echoes them into.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use super::challenge::{Step, answer_of, step};
use super::exchange::Exchange;
use crate::{Error, Identity};

impl Exchange<'_> {
    /// Sends the answer `responses` to the challenge `challenge` and reads
    /// Cognito's next step.
    pub(super) async fn respond(
        &self,
        challenge: &ChallengeNameType,
        session: Option<String>,
        responses: HashMap<String, String>,
    ) -> Result<Step, Error> {
        let (sdk, challenge) = (self.sdk, challenge.clone());
        // The session is as good as a password for the next few minutes:
        // a server that echoes it must not get it onto the terminal.
        let secrets: Vec<String> = sent_secrets(self.id, &responses)
            .into_iter()
            .chain(self.password.iter().map(|p| p.expose().to_owned()))
            .chain(session.clone())
            .collect();
        if self.flow.is_admin() {
            let pool = self.id.require_pool("admin")?;
            let out = sdk
                .client
                .admin_respond_to_auth_challenge()
                .user_pool_id(pool.as_str())
                .client_id(&self.id.client_id)
                .challenge_name(challenge)
                .set_session(session)
                .set_challenge_responses(Some(responses))
                .set_client_metadata(self.answers.client_metadata().cloned())
                .send()
                .await
                .map_err(|e| sdk.err(e).redact(&secrets))?;
            step("AdminRespondToAuthChallenge response", answer_of!(out))
        } else {
            let out = sdk
                .client
                .respond_to_auth_challenge()
                .client_id(&self.id.client_id)
                .challenge_name(challenge)
                .set_session(session)
                .set_challenge_responses(Some(responses))
                .set_client_metadata(self.answers.client_metadata().cloned())
                .send()
                .await
                .map_err(|e| sdk.err(e).redact(&secrets))?;
            step(
                "RespondToAuthChallenge response",
                answer_of!(out, available),
            )
        }
    }
}

/// The parameter names whose values are secrets.
const SECRET_KEYS: [&str; 12] = [
    "PASSWORD",
    "NEW_PASSWORD",
    "SECRET_HASH",
    "PASSWORD_CLAIM_SIGNATURE",
    "REFRESH_TOKEN",
    "SMS_MFA_CODE",
    "SOFTWARE_TOKEN_MFA_CODE",
    "EMAIL_OTP_CODE",
    "SMS_OTP_CODE",
    "SRP_A",
    "PASSWORD_CLAIM_SECRET_BLOCK",
    "ANSWER",
];

/// The secret values in a parameter map, plus the client secret, to keep out
/// of error messages.
pub(super) fn sent_secrets(id: &Identity, params: &HashMap<String, String>) -> Vec<String> {
    params
        .iter()
        .filter(|(k, _)| SECRET_KEYS.contains(&k.as_str()))
        .map(|(_, v)| v.clone())
        .chain(id.client_secret.iter().map(|s| s.expose().to_owned()))
        .collect()
}

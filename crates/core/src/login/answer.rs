//! The one place a challenge is answered: the internal username and the
//! base parameters, then one arm per challenge name, each delegating to
//! the file of its mechanism, then the answer sent.

use super::Exchange;
use super::challenge::{Challenge, Step};
use crate::Error;
use crate::answers::NoAnswer;

impl Exchange<'_> {
    /// An [`Error::Unanswered`] for the challenge `ch` from the caller's
    /// [`NoAnswer`].
    pub(super) fn unanswered(ch: &str, e: NoAnswer) -> Error {
        Error::Unanswered {
            challenge: ch.to_owned(),
            hint: e.0,
        }
    }

    /// Answers one challenge and returns Cognito's next step.
    pub(super) async fn answer(&mut self, ch: Challenge) -> Result<Step, Error> {
        self.learn_internal(&ch);
        let mut r = self.base_response();
        let mut session = ch.session.clone();
        let name = ch.name.as_str();
        match name {
            "PASSWORD_VERIFIER" => self.answer_password_verifier(&ch, &mut r)?,
            "NEW_PASSWORD_REQUIRED" => return self.answer_new_password_required(&ch, r).await,
            "SELECT_CHALLENGE" => self.answer_select_challenge(&ch, &mut r)?,
            "EMAIL_OTP" | "SMS_OTP" => self.answer_otp(&ch, &mut r)?,
            "SMS_MFA" | "SOFTWARE_TOKEN_MFA" => self.answer_mfa_code(name, &mut r)?,
            "SELECT_MFA_TYPE" => self.answer_select_mfa_type(&ch, &mut r)?,
            "MFA_SETUP" => session = Some(self.answer_mfa_setup(&ch).await?),
            "DEVICE_SRP_AUTH" => {
                crate::device::answer_srp_auth(self.device.as_deref_mut(), &mut r)?;
            }
            "DEVICE_PASSWORD_VERIFIER" => {
                crate::device::answer_password_verifier(self.device.as_deref_mut(), &ch, &mut r)?;
            }
            other => return Err(Error::UnsupportedChallenge(other.to_owned())),
        }
        self.respond(name, session, r).await
    }
}

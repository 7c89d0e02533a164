//! The one place a challenge is answered: the internal username and the
//! base parameters, then one arm per challenge (the SDK's
//! `ChallengeNameType`, matched exhaustively for what this library
//! answers), each delegating to the file of its mechanism, then the answer
//! sent.

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType as C;

use super::answers::NoAnswer;
use super::challenge::{Challenge, Step};
use super::device;
use super::exchange::Exchange;
use crate::Error;

impl Exchange<'_> {
    /// An [`Error::Unanswered`] for the challenge `ch` from the caller's
    /// [`NoAnswer`].
    pub(super) fn unanswered(ch: &C, e: NoAnswer) -> Error {
        Error::Unanswered {
            challenge: ch.as_str().to_owned(),
            hint: e.0,
        }
    }

    /// Answers one challenge and returns Cognito's next step.
    pub(super) async fn answer(&mut self, ch: Challenge) -> Result<Step, Error> {
        self.learn_internal(&ch);
        let mut r = self.base_response();
        let mut session = ch.session.clone();
        match &ch.name {
            C::PasswordVerifier => self.answer_password_verifier(&ch, &mut r)?,
            C::NewPasswordRequired => return self.answer_new_password_required(&ch, r).await,
            C::SelectChallenge => self.answer_select_challenge(&ch, &mut r)?,
            C::EmailOtp | C::SmsOtp => self.answer_otp(&ch, &mut r)?,
            C::SmsMfa | C::SoftwareTokenMfa => self.answer_mfa_code(&ch.name, &mut r)?,
            C::SelectMfaType => self.answer_select_mfa_type(&ch, &mut r)?,
            C::CustomChallenge => self.answer_custom_challenge(&ch, &mut r)?,
            C::MfaSetup => session = Some(self.answer_mfa_setup(&ch).await?),
            C::DeviceSrpAuth => device::answer_srp_auth(self.device.as_deref_mut(), &mut r)?,
            C::DevicePasswordVerifier => {
                device::answer_password_verifier(self.device.as_deref_mut(), &ch, &mut r)?;
            }
            other => return Err(Error::UnsupportedChallenge(other.as_str().to_owned())),
        }
        self.respond(&ch.name, session, r).await
    }
}

//! The second factors: one-time codes (`EMAIL_OTP`, `SMS_OTP`), MFA codes
//! (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`), the choice between them
//! (`SELECT_MFA_TYPE`), and setting up a software token (`MFA_SETUP`:
//! associate, show, verify).

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{ChallengeNameType, VerifySoftwareTokenResponseType};

use super::answers::MfaKind;
use super::challenge::{Challenge, json_list};
use super::exchange::Exchange;
use crate::{Error, Secret};

impl Exchange<'_> {
    /// Answers `EMAIL_OTP` or `SMS_OTP` with the code sent to the user.
    pub(super) fn answer_otp(
        &self,
        ch: &Challenge,
        r: &mut HashMap<String, String>,
    ) -> Result<(), Error> {
        let (kind, key) = if ch.name == ChallengeNameType::EmailOtp {
            (MfaKind::Email, "EMAIL_OTP_CODE")
        } else {
            (MfaKind::Sms, "SMS_OTP_CODE")
        };
        let code = self
            .answers
            .otp_code(kind, ch.param("CODE_DELIVERY_DESTINATION"))
            .map_err(|e| Self::unanswered(&ch.name, e))?;
        r.insert(key.into(), code.expose().trim().to_owned());
        Ok(())
    }

    /// Answers `SMS_MFA` or `SOFTWARE_TOKEN_MFA` with an MFA code.
    pub(super) fn answer_mfa_code(
        &self,
        name: &ChallengeNameType,
        r: &mut HashMap<String, String>,
    ) -> Result<(), Error> {
        let kind = MfaKind::from_challenge(name).unwrap_or(MfaKind::Sms);
        let code = self
            .answers
            .mfa_code(kind, None)
            .map_err(|e| Self::unanswered(name, e))?;
        r.insert(kind.code_key().into(), code.expose().trim().to_owned());
        Ok(())
    }

    /// Answers `SELECT_MFA_TYPE` with the caller's pick among the factors
    /// offered that this library supports.
    pub(super) fn answer_select_mfa_type(
        &self,
        ch: &Challenge,
        r: &mut HashMap<String, String>,
    ) -> Result<(), Error> {
        let options: Vec<MfaKind> = json_list(ch.param("MFAS_CAN_CHOOSE"), "MFAS_CAN_CHOOSE")?
            .iter()
            .filter_map(|n| MfaKind::from_challenge(&ChallengeNameType::from(n.as_str())))
            .collect();
        if options.is_empty() {
            return Err(Error::Protocol {
                context: "challenge",
                message: "SELECT_MFA_TYPE offers no factor this tool supports".into(),
            });
        }
        let pick = self
            .answers
            .select_mfa(&options)
            .map_err(|e| Self::unanswered(&ch.name, e))?;
        r.insert("ANSWER".into(), pick.challenge_name().into());
        Ok(())
    }

    /// Answers `MFA_SETUP` when a software token may be set up; returns the
    /// session to answer the challenge with.
    pub(super) async fn answer_mfa_setup(&self, ch: &Challenge) -> Result<String, Error> {
        let can = json_list(ch.param("MFAS_CAN_SETUP"), "MFAS_CAN_SETUP")?;
        let totp = ChallengeNameType::SoftwareTokenMfa;
        if !can
            .iter()
            .any(|m| ChallengeNameType::from(m.as_str()) == totp)
        {
            return Err(Error::UnsupportedChallenge(format!(
                "MFA_SETUP for {}",
                if can.is_empty() {
                    "no factor".to_owned()
                } else {
                    can.join(", ")
                }
            )));
        }
        self.setup_totp(ch.session.as_deref()).await
    }

    /// `MFA_SETUP` for a software token: associate, show, verify. Returns the
    /// session to answer the challenge with.
    async fn setup_totp(&self, session: Option<&str>) -> Result<String, Error> {
        let sdk = self.sdk;
        let out = sdk
            .client
            .associate_software_token()
            .set_session(session.map(str::to_owned))
            .send()
            .await
            .map_err(|e| sdk.err(e))?;
        let secret = Secret::new(out.secret_code().unwrap_or_default());
        if secret.is_empty() {
            return Err(Error::Protocol {
                context: "AssociateSoftwareToken response",
                message: "no SecretCode".into(),
            });
        }
        let issuer = self
            .id
            .user_pool_id
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_else(|| "cognito-token".into());
        let uri = crate::totp::otpauth_uri(secret.expose(), &self.id.username, &issuer);
        self.answers.show_totp_setup(&secret, &uri);
        let code = self
            .answers
            .mfa_code(MfaKind::Totp, Some(&secret))
            .map_err(|e| Self::unanswered(&ChallengeNameType::MfaSetup, e))?;
        let verified = sdk
            .client
            .verify_software_token()
            .set_session(
                out.session()
                    .map(str::to_owned)
                    .or(session.map(str::to_owned)),
            )
            .user_code(code.expose().trim())
            .friendly_device_name("cognito-token")
            .send()
            .await
            .map_err(|e| sdk.err(e).redact(&[code.expose()]))?;
        if let Some(status) = verified.status()
            && *status != VerifySoftwareTokenResponseType::Success
        {
            return Err(Error::Service {
                code: "EnableSoftwareTokenMFAException".into(),
                message: format!("software token verification returned {}", status.as_str()),
            });
        }
        verified
            .session()
            .or(out.session())
            .or(session)
            .map(str::to_owned)
            .ok_or_else(|| Error::Protocol {
                context: "VerifySoftwareToken response",
                message: "no Session to answer MFA_SETUP with".into(),
            })
    }
}

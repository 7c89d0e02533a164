//! How a caller supplies answers to challenges, without the library doing
//! any terminal I/O: the CLI implements [`Answers`] with environment
//! variables and prompts; tests use [`StaticAnswers`].

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use super::first_factor::FirstFactor;
use crate::Secret;

/// A second factor Cognito can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MfaKind {
    /// A code sent by SMS (`SMS_MFA`).
    Sms,
    /// A TOTP code from an authenticator app (`SOFTWARE_TOKEN_MFA`).
    Totp,
    /// A code sent by email (`EMAIL_OTP`).
    Email,
}

impl MfaKind {
    /// The challenge name Cognito uses for this factor.
    pub fn challenge_name(self) -> &'static str {
        match self {
            MfaKind::Sms => "SMS_MFA",
            MfaKind::Totp => "SOFTWARE_TOKEN_MFA",
            MfaKind::Email => "EMAIL_OTP",
        }
    }

    /// The response key that carries the code.
    pub(crate) fn code_key(self) -> &'static str {
        match self {
            MfaKind::Sms => "SMS_MFA_CODE",
            MfaKind::Totp => "SOFTWARE_TOKEN_MFA_CODE",
            MfaKind::Email => "EMAIL_OTP_CODE",
        }
    }

    /// The factor for a challenge, if it is one.
    pub fn from_challenge(name: &ChallengeNameType) -> Option<MfaKind> {
        match name {
            ChallengeNameType::SmsMfa => Some(MfaKind::Sms),
            ChallengeNameType::SoftwareTokenMfa => Some(MfaKind::Totp),
            ChallengeNameType::EmailOtp => Some(MfaKind::Email),
            _ => None,
        }
    }
}

/// One `CUSTOM_CHALLENGE` round, as the caller sees it: the pool's own
/// challenge Lambdas asked it, so only the caller (a person, a program)
/// knows the answer.
#[derive(Clone, Copy)]
pub struct CustomChallenge<'a> {
    /// Which custom round this is in the sign-in, from 1.
    pub round: usize,
    /// The user's internal username (the challenge's `USERNAME`).
    pub username: &'a str,
    /// The challenge's parameters: the Create Auth Challenge trigger's
    /// `publicChallengeParameters` and `USERNAME` (public by Cognito's
    /// contract; the private ones stay with the Lambdas).
    pub parameters: &'a HashMap<String, String>,
}

impl std::fmt::Debug for CustomChallenge<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<&str> = self.parameters.keys().map(String::as_str).collect();
        keys.sort_unstable();
        f.debug_struct("CustomChallenge")
            .field("round", &self.round)
            .field("parameters", &keys)
            .finish_non_exhaustive()
    }
}

/// Why an answer could not be given: a hint naming what would give it
/// (e.g. "set COGNITO_NEW_PASSWORD or pass --keep-password").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoAnswer(pub String);

/// Supplies answers to challenges. Every method has a refusing default, so
/// an implementation answers only what it can.
pub trait Answers: Send + Sync {
    /// A new password for `NEW_PASSWORD_REQUIRED`; `current` is the password
    /// the user signed in with (to reuse it, as `--keep-password` does), if
    /// the sign-in had one.
    fn new_password(&self, current: Option<&Secret>) -> Result<Secret, NoAnswer> {
        let _ = current;
        Err(NoAnswer("no new password was given".into()))
    }

    /// A value for a user attribute `NEW_PASSWORD_REQUIRED` requires
    /// (`name` without the `userAttributes.` prefix).
    fn attribute(&self, name: &str) -> Result<String, NoAnswer> {
        Err(NoAnswer(format!(
            "no value was given for the required attribute {name}"
        )))
    }

    /// A code for an MFA challenge. `setup_secret` is the new TOTP secret
    /// during `MFA_SETUP`.
    fn mfa_code(&self, kind: MfaKind, setup_secret: Option<&Secret>) -> Result<Secret, NoAnswer> {
        let _ = (kind, setup_secret);
        Err(NoAnswer("no MFA code was given".into()))
    }

    /// Which factor to use for `SELECT_MFA_TYPE`.
    fn select_mfa(&self, options: &[MfaKind]) -> Result<MfaKind, NoAnswer> {
        let _ = options;
        Err(NoAnswer("no MFA type was chosen".into()))
    }

    /// Shows a new TOTP secret during `MFA_SETUP`, so the user can add it to
    /// an authenticator app. Called before [`Answers::mfa_code`].
    fn show_totp_setup(&self, secret: &Secret, otpauth_uri: &str) {
        let _ = (secret, otpauth_uri);
    }

    /// The password, asked only when a choice-based sign-in (`USER_AUTH`)
    /// that started without one picks a password factor.
    fn password(&self) -> Result<Secret, NoAnswer> {
        Err(NoAnswer("no password was given".into()))
    }

    /// Which first factor to answer `SELECT_CHALLENGE` with. `suggested` is
    /// what the library would pick from the sources the caller has (see
    /// [`FirstFactor`]); the default takes it.
    fn select_first_factor(
        &self,
        offered: &[FirstFactor],
        suggested: Option<FirstFactor>,
    ) -> Result<FirstFactor, NoAnswer> {
        suggested.ok_or_else(|| {
            NoAnswer(format!(
                "no first factor was chosen among {}",
                offered
                    .iter()
                    .map(|f| f.challenge_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }

    /// A one-time code Cognito sent (`EMAIL_OTP`, `SMS_OTP`, and the e-mail
    /// MFA code); `destination` is where it went, masked by Cognito
    /// (`CODE_DELIVERY_DESTINATION`). The default asks [`Answers::mfa_code`].
    fn otp_code(&self, kind: MfaKind, destination: Option<&str>) -> Result<Secret, NoAnswer> {
        let _ = destination;
        self.mfa_code(kind, None)
    }

    /// The answer to a `CUSTOM_CHALLENGE` round (sent as `ANSWER`; a secret,
    /// like a password).
    fn custom_challenge(&self, challenge: &CustomChallenge<'_>) -> Result<Secret, NoAnswer> {
        let _ = challenge;
        Err(NoAnswer(
            "no answer to the custom challenge was given".into(),
        ))
    }

    /// `ClientMetadata` to send with `InitiateAuth` and every challenge
    /// answer of the sign-in (the pool's Lambda triggers read it); none by
    /// default.
    fn client_metadata(&self) -> Option<&HashMap<String, String>> {
        None
    }

    /// Cognito refused the new password of `NEW_PASSWORD_REQUIRED`
    /// (`InvalidPasswordException`, its reason in `reason`): whether to ask
    /// [`Answers::new_password`] again. The default (and any caller off a
    /// terminal) gives up, which ends the sign-in with Cognito's error.
    fn retry_new_password(&self, reason: &str) -> bool {
        let _ = reason;
        false
    }
}

/// What to do when Cognito requires a new password.
#[derive(Clone, Debug, Default)]
pub enum NewPassword {
    /// Refuse (the default).
    #[default]
    Refuse,
    /// Reuse the current password.
    Keep,
    /// Set this one.
    Set(Secret),
}

/// Fixed answers, for non-interactive callers and tests.
#[derive(Clone, Debug, Default)]
pub struct StaticAnswers {
    /// The answer to `NEW_PASSWORD_REQUIRED`.
    pub new_password: NewPassword,
    /// Values for required attributes, by name (`name`, `email`, …).
    pub attributes: HashMap<String, String>,
    /// A fixed MFA code (SMS, email, or TOTP).
    pub mfa_code: Option<Secret>,
    /// A TOTP secret (base32): codes are computed locally (RFC 6238).
    pub totp_secret: Option<Secret>,
    /// The factor to pick at `SELECT_MFA_TYPE`.
    pub mfa_choice: Option<MfaKind>,
    /// The first factor to pick at `SELECT_CHALLENGE` (`None`: the suggested one).
    pub first_factor: Option<FirstFactor>,
    /// The answers to `CUSTOM_CHALLENGE`, round by round (round 1 first).
    pub custom_answers: Vec<Secret>,
    /// `ClientMetadata` for every request of the sign-in (empty: none).
    pub client_metadata: HashMap<String, String>,
}

impl StaticAnswers {
    /// Answers `NEW_PASSWORD_REQUIRED` by keeping the current password.
    pub fn keep_password() -> Self {
        StaticAnswers {
            new_password: NewPassword::Keep,
            ..Default::default()
        }
    }

    /// Answers `NEW_PASSWORD_REQUIRED` with `password`.
    pub fn new_password(password: Secret) -> Self {
        StaticAnswers {
            new_password: NewPassword::Set(password),
            ..Default::default()
        }
    }
}

impl Answers for StaticAnswers {
    fn new_password(&self, current: Option<&Secret>) -> Result<Secret, NoAnswer> {
        match &self.new_password {
            NewPassword::Refuse => Err(NoAnswer("no new password was given".into())),
            NewPassword::Keep => current
                .cloned()
                .ok_or_else(|| NoAnswer("there is no password to keep".into())),
            NewPassword::Set(p) => Ok(p.clone()),
        }
    }

    fn attribute(&self, name: &str) -> Result<String, NoAnswer> {
        self.attributes.get(name).cloned().ok_or_else(|| {
            NoAnswer(format!(
                "no value was given for the required attribute {name}"
            ))
        })
    }

    fn mfa_code(&self, kind: MfaKind, setup_secret: Option<&Secret>) -> Result<Secret, NoAnswer> {
        if kind == MfaKind::Totp
            && let Some(secret) = setup_secret.or(self.totp_secret.as_ref())
        {
            return crate::totp::totp_now(secret.expose())
                .map(Secret::new)
                .map_err(|e| NoAnswer(format!("cannot compute a TOTP code: {e}")));
        }
        self.mfa_code
            .clone()
            .ok_or_else(|| NoAnswer("no MFA code was given".into()))
    }

    fn select_mfa(&self, options: &[MfaKind]) -> Result<MfaKind, NoAnswer> {
        match self.mfa_choice {
            Some(k) if options.contains(&k) => Ok(k),
            Some(k) => Err(NoAnswer(format!(
                "{} was chosen but Cognito offers only {}",
                k.challenge_name(),
                options
                    .iter()
                    .map(|o| o.challenge_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
            None => Err(NoAnswer("no MFA type was chosen".into())),
        }
    }

    fn custom_challenge(&self, challenge: &CustomChallenge<'_>) -> Result<Secret, NoAnswer> {
        challenge
            .round
            .checked_sub(1)
            .and_then(|i| self.custom_answers.get(i))
            .cloned()
            .ok_or_else(|| {
                NoAnswer(format!(
                    "no answer was given for custom round {}",
                    challenge.round
                ))
            })
    }

    fn client_metadata(&self) -> Option<&HashMap<String, String>> {
        Some(&self.client_metadata).filter(|m| !m.is_empty())
    }

    fn select_first_factor(
        &self,
        offered: &[FirstFactor],
        suggested: Option<FirstFactor>,
    ) -> Result<FirstFactor, NoAnswer> {
        match self.first_factor.or(suggested) {
            Some(f) if offered.contains(&f) => Ok(f),
            _ => Err(NoAnswer(format!(
                "no first factor was chosen among {}",
                offered
                    .iter()
                    .map(|f| f.challenge_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}

//! Choice-based sign-in (`USER_AUTH`): the first factors, what
//! `SELECT_CHALLENGE` offers, and which one to suggest. Cognito's names are
//! read once, here, from the SDK's `ChallengeNameType`.

use std::fmt;
use std::str::FromStr;

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use serde::Deserialize;

use crate::Error;

/// A first factor of choice-based sign-in that a command line can answer
/// (`WEB_AUTHN` needs a browser and is refused).
///
/// Read from a profile by its command-line name (`password-srp`) or
/// Cognito's (`PASSWORD_SRP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FirstFactor {
    /// `PASSWORD`: the password travels to Cognito (over TLS).
    #[serde(alias = "PASSWORD")]
    Password,
    /// `PASSWORD_SRP`: SRP; the password never leaves the machine (needs the pool id).
    #[serde(alias = "PASSWORD_SRP")]
    PasswordSrp,
    /// `EMAIL_OTP`: a one-time code sent by email.
    #[serde(alias = "EMAIL_OTP")]
    EmailOtp,
    /// `SMS_OTP`: a one-time code sent by SMS.
    #[serde(alias = "SMS_OTP")]
    SmsOtp,
}

impl FirstFactor {
    /// Every factor, in the order they are offered to a person.
    pub const ALL: [FirstFactor; 4] = [
        FirstFactor::PasswordSrp,
        FirstFactor::Password,
        FirstFactor::EmailOtp,
        FirstFactor::SmsOtp,
    ];

    /// Cognito's name (`PREFERRED_CHALLENGE`, `ANSWER`, `AvailableChallenges`).
    pub fn challenge_name(self) -> &'static str {
        match self {
            FirstFactor::Password => "PASSWORD",
            FirstFactor::PasswordSrp => "PASSWORD_SRP",
            FirstFactor::EmailOtp => "EMAIL_OTP",
            FirstFactor::SmsOtp => "SMS_OTP",
        }
    }

    /// The name on the command line (`--preferred-challenge`).
    pub fn cli_name(self) -> &'static str {
        match self {
            FirstFactor::Password => "password",
            FirstFactor::PasswordSrp => "password-srp",
            FirstFactor::EmailOtp => "email-otp",
            FirstFactor::SmsOtp => "sms-otp",
        }
    }

    /// The challenge Cognito names this factor with.
    pub fn challenge(self) -> ChallengeNameType {
        match self {
            FirstFactor::Password => ChallengeNameType::Password,
            FirstFactor::PasswordSrp => ChallengeNameType::PasswordSrp,
            FirstFactor::EmailOtp => ChallengeNameType::EmailOtp,
            FirstFactor::SmsOtp => ChallengeNameType::SmsOtp,
        }
    }

    /// The factor for one of Cognito's challenges.
    pub fn from_challenge(name: &ChallengeNameType) -> Option<FirstFactor> {
        match name {
            ChallengeNameType::Password => Some(FirstFactor::Password),
            ChallengeNameType::PasswordSrp => Some(FirstFactor::PasswordSrp),
            ChallengeNameType::EmailOtp => Some(FirstFactor::EmailOtp),
            ChallengeNameType::SmsOtp => Some(FirstFactor::SmsOtp),
            _ => None,
        }
    }

    /// Whether the factor needs the user's password.
    pub fn needs_password(self) -> bool {
        matches!(self, FirstFactor::Password | FirstFactor::PasswordSrp)
    }

    /// Whether the factor is a one-time code sent by Cognito.
    pub fn is_otp(self) -> bool {
        matches!(self, FirstFactor::EmailOtp | FirstFactor::SmsOtp)
    }
}

impl fmt::Display for FirstFactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cli_name())
    }
}

impl FromStr for FirstFactor {
    type Err = Error;

    /// Accepts the command-line names (`password-srp`) and Cognito's (`PASSWORD_SRP`).
    fn from_str(s: &str) -> Result<Self, Error> {
        let t = s.trim();
        FirstFactor::ALL
            .into_iter()
            .find(|f| f.cli_name() == t || f.challenge_name() == t)
            .ok_or_else(|| {
                Error::Config(format!(
                    "unknown preferred challenge {:?}: expected password, password-srp, email-otp or sms-otp",
                    t.chars().take(40).collect::<String>()
                ))
            })
    }
}

/// What `SELECT_CHALLENGE` offers: the factors this tool can answer, and
/// whether `WEB_AUTHN` (passkeys) was among them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Offer {
    pub factors: Vec<FirstFactor>,
    pub web_authn: bool,
    /// Names neither this tool nor the list above knows.
    pub other: Vec<String>,
}

impl Offer {
    pub(crate) fn from_challenges<'a>(
        names: impl IntoIterator<Item = &'a ChallengeNameType>,
    ) -> Offer {
        let mut o = Offer::default();
        for n in names {
            match (FirstFactor::from_challenge(n), n) {
                (Some(f), _) if !o.factors.contains(&f) => o.factors.push(f),
                (Some(_), _) => {}
                (None, ChallengeNameType::WebAuthn) => o.web_authn = true,
                (None, other) => o.other.push(other.as_str().to_owned()),
            }
        }
        o
    }

    pub(crate) fn names(&self) -> String {
        let mut v: Vec<&str> = self.factors.iter().map(|f| f.challenge_name()).collect();
        if self.web_authn {
            v.push("WEB_AUTHN");
        }
        v.extend(self.other.iter().map(String::as_str));
        if v.is_empty() {
            "nothing".into()
        } else {
            v.join(", ")
        }
    }
}

/// The factor to answer `SELECT_CHALLENGE` with when the caller named none:
/// with a password, `PASSWORD_SRP` when the pool id is known (the password
/// then never leaves the machine), else `PASSWORD`; without one, a code by
/// email, else by SMS.
pub(crate) fn suggest(
    offered: &[FirstFactor],
    has_password: bool,
    pool_known: bool,
) -> Option<FirstFactor> {
    let has = |f: FirstFactor| offered.contains(&f);
    let order: &[FirstFactor] = match (has_password, pool_known) {
        (true, true) => &[
            FirstFactor::PasswordSrp,
            FirstFactor::Password,
            FirstFactor::EmailOtp,
            FirstFactor::SmsOtp,
        ],
        (true, false) => &[
            FirstFactor::Password,
            FirstFactor::EmailOtp,
            FirstFactor::SmsOtp,
        ],
        (false, _) => &[FirstFactor::EmailOtp, FirstFactor::SmsOtp],
    };
    order.iter().copied().find(|f| has(*f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in FirstFactor::ALL {
            assert_eq!(f.cli_name().parse::<FirstFactor>().unwrap(), f);
            assert_eq!(f.challenge_name().parse::<FirstFactor>().unwrap(), f);
            assert_eq!(FirstFactor::from_challenge(&f.challenge()), Some(f));
            assert_eq!(f.challenge().as_str(), f.challenge_name());
            let profile: FirstFactor =
                serde_json::from_value(serde_json::json!(f.cli_name())).unwrap();
            assert_eq!(profile, f);
            let cognitos: FirstFactor =
                serde_json::from_value(serde_json::json!(f.challenge_name())).unwrap();
            assert_eq!(cognitos, f);
        }
        assert!("web-authn".parse::<FirstFactor>().is_err());
        assert!("".parse::<FirstFactor>().is_err());
    }

    #[test]
    fn suggestion_follows_the_password_source_and_the_pool() {
        use FirstFactor::*;
        let all = [Password, PasswordSrp, EmailOtp, SmsOtp];
        assert_eq!(suggest(&all, true, true), Some(PasswordSrp));
        assert_eq!(suggest(&all, true, false), Some(Password));
        assert_eq!(suggest(&all, false, true), Some(EmailOtp));
        assert_eq!(suggest(&[SmsOtp, Password], false, true), Some(SmsOtp));
        // SRP without a pool id cannot be computed.
        assert_eq!(suggest(&[PasswordSrp], true, false), None);
        assert_eq!(suggest(&[Password, PasswordSrp], false, false), None);
        assert_eq!(suggest(&[], true, true), None);
    }

    #[test]
    fn offers_keep_web_authn_and_unknown_names_apart() {
        let names = ["WEB_AUTHN", "EMAIL_OTP", "EMAIL_OTP", "FUTURE"].map(ChallengeNameType::from);
        let o = Offer::from_challenges(&names);
        assert_eq!(o.factors, vec![FirstFactor::EmailOtp]);
        assert!(o.web_authn);
        assert_eq!(o.other, vec!["FUTURE".to_owned()]);
        assert_eq!(o.names(), "EMAIL_OTP, WEB_AUTHN, FUTURE");
    }
}

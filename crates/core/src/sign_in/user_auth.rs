//! Choice-based sign-in (`USER_AUTH`): what a first factor adds to a
//! request (the password, or a fresh `SRP_A`, asking for the password when
//! the sign-in started without one) and the answer to `SELECT_CHALLENGE`
//! (the preferred factor, else the caller's pick among those offered).

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use tracing::info;

use super::challenge::Challenge;
use super::exchange::Exchange;
use super::first_factor::{FirstFactor, Offer, suggest};
use super::flow::Flow;
use crate::Error;
use crate::srp::SrpClient;

impl Exchange<'_> {
    /// Answers `SELECT_CHALLENGE` with the factor picked and what it needs.
    pub(super) fn answer_select_challenge(
        &mut self,
        ch: &Challenge,
        r: &mut HashMap<String, String>,
    ) -> Result<(), Error> {
        let pick = self.pick_first_factor(ch)?;
        info!(first_factor = pick.challenge_name(), "choosing");
        r.insert("ANSWER".into(), pick.challenge_name().into());
        self.add_first_factor(pick, r)
    }

    /// Adds what a first factor needs to a request: the password for
    /// `PASSWORD`, a fresh `SRP_A` for `PASSWORD_SRP` (asking
    /// [`Answers::password`](crate::Answers::password) when the sign-in started without one).
    pub(super) fn add_first_factor(
        &mut self,
        f: FirstFactor,
        params: &mut HashMap<String, String>,
    ) -> Result<(), Error> {
        if f.needs_password() && self.password.is_none() {
            let p = self
                .answers
                .password()
                .map_err(|e| Self::unanswered(&f.challenge(), e))?;
            if p.is_empty() {
                return Err(Error::Config("the password is empty".into()));
            }
            self.password = Some(p);
        }
        match f {
            FirstFactor::Password => {
                params.insert("PASSWORD".into(), self.password()?.expose().to_owned());
            }
            FirstFactor::PasswordSrp => {
                self.id.require_pool("user-auth flow with password-srp")?;
                let srp = SrpClient::new()?;
                params.insert("SRP_A".into(), srp.srp_a());
                self.srp = Some(srp);
            }
            FirstFactor::EmailOtp | FirstFactor::SmsOtp => {}
        }
        Ok(())
    }

    /// The factor to answer `SELECT_CHALLENGE` with.
    fn pick_first_factor(&self, ch: &Challenge) -> Result<FirstFactor, Error> {
        let offer = Offer::from_challenges(&ch.available);
        let preferred = match self.flow {
            Flow::UserAuth { preferred } => preferred,
            _ => None,
        };
        if let Some(p) = preferred {
            if offer.factors.contains(&p) {
                return Ok(p);
            }
            return Err(Error::Unanswered {
                challenge: "SELECT_CHALLENGE".into(),
                hint: format!(
                    "--preferred-challenge {p} is not offered for this user; Cognito offers {}",
                    offer.names()
                ),
            });
        }
        if offer.factors.is_empty() {
            return Err(if offer.web_authn {
                Error::Unanswered {
                    challenge: "WEB_AUTHN".into(),
                    hint: "this user can only sign in with a passkey, which needs a browser: use --flow browser".into(),
                }
            } else {
                Error::UnsupportedChallenge(format!("SELECT_CHALLENGE offering {}", offer.names()))
            });
        }
        let suggested = suggest(
            &offer.factors,
            self.password.is_some(),
            self.id.user_pool_id.is_some(),
        );
        let pick = self
            .answers
            .select_first_factor(&offer.factors, suggested)
            .map_err(|e| Self::unanswered(&ChallengeNameType::SelectChallenge, e))?;
        if !offer.factors.contains(&pick) {
            return Err(Error::Unanswered {
                challenge: "SELECT_CHALLENGE".into(),
                hint: format!("{pick} is not offered; Cognito offers {}", offer.names()),
            });
        }
        Ok(pick)
    }
}

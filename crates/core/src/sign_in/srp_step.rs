//! `PASSWORD_VERIFIER`, the second step of `USER_SRP_AUTH` (and of a
//! `USER_AUTH` sign-in with `PASSWORD_SRP`): the password claim signed over
//! the pool name and `USER_ID_FOR_SRP` with the `SRP_A` sent first.

use std::collections::HashMap;

use super::challenge::Challenge;
use super::claim::answer_claim;
use super::exchange::Exchange;
use crate::Error;

impl Exchange<'_> {
    /// Answers `PASSWORD_VERIFIER`: `PASSWORD_CLAIM_SECRET_BLOCK`,
    /// `PASSWORD_CLAIM_SIGNATURE` and the `TIMESTAMP` it signs (the day not
    /// zero-padded).
    pub(super) fn answer_password_verifier(
        &self,
        ch: &Challenge,
        r: &mut HashMap<String, String>,
    ) -> Result<(), Error> {
        let srp = self.srp.as_ref().ok_or_else(|| Error::Protocol {
            context: "challenge",
            message: "PASSWORD_VERIFIER outside an SRP sign-in".into(),
        })?;
        let pool = self.id.require_pool("srp")?;
        let user_id = ch.require("USER_ID_FOR_SRP")?;
        let password = self.password()?;
        answer_claim(ch, r, |salt, srp_b, secret_block, timestamp| {
            srp.claim_signature(
                pool.as_str(),
                user_id,
                password.expose(),
                salt,
                srp_b,
                secret_block,
                timestamp,
            )
        })
    }
}

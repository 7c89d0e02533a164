//! `CUSTOM_CHALLENGE`: a question the pool's own Lambda triggers ask (Create
//! Auth Challenge makes it, Verify Auth Challenge Response checks the
//! answer, Define Auth Challenge decides what comes next). The caller's
//! [`Answers::custom_challenge`](super::Answers::custom_challenge) gives
//! the answer, sent as `ANSWER` with the internal username and its
//! SECRET_HASH (`dispatch.rs` puts those in every answer).

use std::collections::HashMap;

use super::answers::CustomChallenge;
use super::challenge::Challenge;
use super::exchange::Exchange;
use crate::Error;

impl Exchange<'_> {
    /// Answers one `CUSTOM_CHALLENGE` round with the caller's answer.
    pub(super) fn answer_custom_challenge(
        &mut self,
        ch: &Challenge,
        r: &mut HashMap<String, String>,
    ) -> Result<(), Error> {
        self.custom_rounds += 1;
        let answer = self
            .answers
            .custom_challenge(&CustomChallenge {
                round: self.custom_rounds,
                username: &self.internal,
                parameters: &ch.parameters,
            })
            .map_err(|e| Self::unanswered(&ch.name, e))?;
        if answer.is_empty() {
            return Err(Error::Config(format!(
                "the answer to custom round {} is empty",
                self.custom_rounds
            )));
        }
        r.insert("ANSWER".into(), answer.expose().to_owned());
        Ok(())
    }
}

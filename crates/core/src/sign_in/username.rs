//! Which name each step sends and hashes, Cognito's rule: `InitiateAuth`
//! sends and hashes the name the user typed; the first challenge names the
//! internal username (`USERNAME`, or `USER_ID_FOR_SRP` on SRP), and every
//! later step (each challenge answer, `SELECT_CHALLENGE` and one-time codes
//! included) sends it and computes SECRET_HASH over it.

use std::collections::HashMap;

use tracing::debug;

use super::challenge::Challenge;
use super::exchange::Exchange;
use crate::Secret;

impl Exchange<'_> {
    /// SECRET_HASH over `username`, when the app client has a secret.
    pub(super) fn hash(&self, username: &str) -> Option<Secret> {
        self.id.secret_hash(username)
    }

    /// The parameters every `InitiateAuth` starts with: the typed name, its
    /// SECRET_HASH and the remembered device's key.
    pub(super) fn initial_params(&self) -> HashMap<String, String> {
        let typed = self.id.username.as_str();
        let mut params: HashMap<String, String> = HashMap::new();
        params.insert("USERNAME".into(), typed.to_owned());
        if let Some(h) = self.hash(typed) {
            params.insert("SECRET_HASH".into(), h.expose().to_owned());
        }
        if let Some(d) = &self.device {
            params.insert("DEVICE_KEY".into(), d.key().to_owned());
        }
        params
    }

    /// Takes the internal username the challenge names, if it names one.
    pub(super) fn learn_internal(&mut self, ch: &Challenge) {
        // The internal username, named once by the challenge; every later
        // SECRET_HASH is computed over it.
        if let Some(u) = ch.param("USERNAME").or_else(|| ch.param("USER_ID_FOR_SRP")) {
            if u != self.internal {
                debug!("the challenge names an internal username that differs from the one typed");
            }
            self.internal = u.to_owned();
        }
    }

    /// The start of every challenge answer: the internal username, its
    /// SECRET_HASH and the remembered device's key.
    pub(super) fn base_response(&self) -> HashMap<String, String> {
        let mut r: HashMap<String, String> = HashMap::new();
        r.insert("USERNAME".into(), self.internal.clone());
        if let Some(h) = self.hash(&self.internal) {
            r.insert("SECRET_HASH".into(), h.expose().to_owned());
        }
        if let Some(d) = &self.device {
            r.insert("DEVICE_KEY".into(), d.key().to_owned());
        }
        r
    }
}

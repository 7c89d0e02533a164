//! One-time codes a pool sends (`USER_AUTH`'s `EMAIL_OTP` and `SMS_OTP`):
//! the last one sent to each user until it is used, and the codes tests
//! fixed in advance ([`crate::Stub::set_otp_code`]).

use std::collections::HashMap;

use crate::util::random_digits;

#[derive(Debug, Default)]
pub(crate) struct OtpCodes {
    /// By (pool id, internal username).
    sent: HashMap<(String, String), String>,
    pinned: HashMap<(String, String), String>,
}

impl OtpCodes {
    /// Sends a new code (the pinned one, else `digits` random digits).
    pub(crate) fn send(&mut self, pool_id: &str, username: &str, digits: usize) -> String {
        let key = (pool_id.to_owned(), username.to_owned());
        let code = self
            .pinned
            .get(&key)
            .cloned()
            .unwrap_or_else(|| random_digits(digits));
        self.sent.insert(key, code.clone());
        code
    }

    /// The code last sent and not yet used.
    pub(crate) fn last(&self, pool_id: &str, username: &str) -> Option<String> {
        self.sent
            .get(&(pool_id.to_owned(), username.to_owned()))
            .cloned()
    }

    /// Forgets the code sent (it was used, rightly or wrongly).
    pub(crate) fn used(&mut self, pool_id: &str, username: &str) {
        self.sent.remove(&(pool_id.to_owned(), username.to_owned()));
    }

    /// Fixes (or with `None` unfixes) the codes sent to a user.
    pub(crate) fn pin(&mut self, pool_id: &str, username: &str, code: Option<String>) {
        let key = (pool_id.to_owned(), username.to_owned());
        match code {
            Some(c) => {
                self.pinned.insert(key, c);
            }
            None => {
                self.pinned.remove(&key);
            }
        }
    }
}

//! How to sign in: the `InitiateAuth` flows.
//!
//! A new flow is one variant here (with its command-line name) and one arm
//! in `initiate.rs`, which sends its first request; the challenge loop and
//! everything after it are shared.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::first_factor::FirstFactor;

/// How to sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// `USER_PASSWORD_AUTH` through `InitiateAuth`: no AWS credentials.
    Password,
    /// `ADMIN_USER_PASSWORD_AUTH` through `AdminInitiateAuth`: needs IAM
    /// credentials and the pool id.
    Admin,
    /// `USER_SRP_AUTH`: the password never leaves the machine; needs the
    /// pool id.
    Srp,
    /// `USER_AUTH` (choice-based sign-in): `preferred` is sent as
    /// `PREFERRED_CHALLENGE`; without one, Cognito's `SELECT_CHALLENGE` is
    /// answered from what the caller has (see [`FirstFactor`]).
    UserAuth {
        /// The first factor to ask for.
        preferred: Option<FirstFactor>,
    },
}

impl Flow {
    /// Every flow's command-line name, in the order they are listed.
    const NAMES: [(&'static str, Flow); 4] = [
        ("password", Flow::Password),
        ("admin", Flow::Admin),
        ("srp", Flow::Srp),
        ("user-auth", Flow::UserAuth { preferred: None }),
    ];

    /// The name used on the command line and in cache records.
    pub fn name(self) -> &'static str {
        match self {
            Flow::Password => "password",
            Flow::Admin => "admin",
            Flow::Srp => "srp",
            Flow::UserAuth { .. } => "user-auth",
        }
    }

    /// What a cache record keeps of the flow: its name (a preferred first
    /// factor is a choice of this sign-in, not of the tokens).
    pub fn recorded(self) -> Flow {
        match self {
            Flow::UserAuth { .. } => Flow::UserAuth { preferred: None },
            other => other,
        }
    }

    /// Whether the flow needs the password before its first request: all
    /// but a choice-based sign-in without a password factor named.
    pub fn password_up_front(self) -> bool {
        match self {
            Flow::UserAuth { preferred } => preferred.is_some_and(FirstFactor::needs_password),
            _ => true,
        }
    }
}

/// Recorded by name (`"srp"`), as the first cache records were.
impl Serialize for Flow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Flow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Flow::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                serde::de::Error::unknown_variant(&name, &["password", "admin", "srp", "user-auth"])
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_every_flow_is_named() {
        for (name, flow) in Flow::NAMES {
            assert_eq!(flow.name(), name);
            let text = serde_json::to_string(&flow).unwrap();
            assert_eq!(serde_json::from_str::<Flow>(&text).unwrap(), flow);
        }
        assert!(serde_json::from_str::<Flow>(r#""browser""#).is_err());
        assert!(!Flow::UserAuth { preferred: None }.password_up_front());
        assert!(
            Flow::UserAuth {
                preferred: Some(FirstFactor::PasswordSrp)
            }
            .password_up_front()
        );
        assert!(Flow::Srp.password_up_front());
    }
}

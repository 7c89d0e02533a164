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
    /// `CUSTOM_AUTH`: the pool's own challenge Lambdas ask
    /// `CUSTOM_CHALLENGE`s, answered by [`Answers::custom_challenge`](crate::Answers::custom_challenge).
    /// With `srp`, the password check Cognito runs first (`SRP_A` and
    /// `CHALLENGE_NAME=SRP_A`, then `PASSWORD_VERIFIER`; needs the pool id).
    Custom {
        /// Whether the sign-in starts with the SRP password check.
        srp: bool,
    },
    /// [`Flow::Custom`] through `AdminInitiateAuth`: needs IAM credentials
    /// and the pool id.
    AdminCustom {
        /// Whether the sign-in starts with the SRP password check.
        srp: bool,
    },
}

impl Flow {
    /// Every flow's command-line name, in the order they are listed.
    const NAMES: [(&'static str, Flow); 6] = [
        ("password", Flow::Password),
        ("admin", Flow::Admin),
        ("srp", Flow::Srp),
        ("user-auth", Flow::UserAuth { preferred: None }),
        ("custom", Flow::Custom { srp: false }),
        ("admin-custom", Flow::AdminCustom { srp: false }),
    ];

    /// The name used on the command line and in cache records.
    pub fn name(self) -> &'static str {
        match self {
            Flow::Password => "password",
            Flow::Admin => "admin",
            Flow::Srp => "srp",
            Flow::UserAuth { .. } => "user-auth",
            Flow::Custom { .. } => "custom",
            Flow::AdminCustom { .. } => "admin-custom",
        }
    }

    /// Whether the flow goes through the admin operations
    /// (`AdminInitiateAuth`, `AdminRespondToAuthChallenge`): IAM credentials
    /// and the pool id.
    pub fn is_admin(self) -> bool {
        matches!(self, Flow::Admin | Flow::AdminCustom { .. })
    }

    /// Whether the flow cannot start without a password: all but a
    /// choice-based sign-in (which may ask [`Answers::password`](crate::Answers::password)
    /// later) and a custom sign-in without the SRP check first.
    pub fn requires_password(self) -> bool {
        match self {
            Flow::UserAuth { .. } => false,
            Flow::Custom { srp } | Flow::AdminCustom { srp } => srp,
            Flow::Password | Flow::Admin | Flow::Srp => true,
        }
    }

    /// What a cache record keeps of the flow: its name (a preferred first
    /// factor, or the SRP check before custom challenges, is a choice of
    /// this sign-in, not of the tokens).
    pub fn recorded(self) -> Flow {
        match self {
            Flow::UserAuth { .. } => Flow::UserAuth { preferred: None },
            Flow::Custom { .. } => Flow::Custom { srp: false },
            Flow::AdminCustom { .. } => Flow::AdminCustom { srp: false },
            other => other,
        }
    }

    /// Whether the flow needs the password before its first request: all
    /// but a choice-based sign-in without a password factor named and a
    /// custom sign-in without the SRP check.
    pub fn password_up_front(self) -> bool {
        match self {
            Flow::UserAuth { preferred } => preferred.is_some_and(FirstFactor::needs_password),
            other => other.requires_password(),
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
                serde::de::Error::unknown_variant(
                    &name,
                    &[
                        "password",
                        "admin",
                        "srp",
                        "user-auth",
                        "custom",
                        "admin-custom",
                    ],
                )
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
        assert!(!Flow::Custom { srp: false }.password_up_front());
        assert!(Flow::AdminCustom { srp: true }.password_up_front());
        assert!(
            Flow::AdminCustom { srp: false }.is_admin() && !Flow::Custom { srp: false }.is_admin()
        );
        // The SRP check is this sign-in's choice: the record says `custom`.
        let recorded = serde_json::to_string(&Flow::Custom { srp: true }.recorded()).unwrap();
        assert_eq!(recorded, r#""custom""#);
    }
}

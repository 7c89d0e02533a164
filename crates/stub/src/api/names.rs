//! The enumerations Cognito's requests carry as strings: challenge names
//! and auth flows. Each is parsed once, where the request is read (a value
//! outside the set is Cognito's validation error), and matched as an enum
//! everywhere else. The names and their order are the API reference's
//! (`ChallengeNameType`, `AuthFlowType`), as the SDK's enums list them.

use serde::{Serialize, Serializer};

use crate::json::error::{ApiError, ApiResult, invalid};

/// Cognito's validation error for a value outside an enum (`field` as the
/// service names it, e.g. `authFlow`).
fn outside(value: &str, field: &str, allowed: &[&str]) -> ApiError {
    invalid(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    ))
}

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub(crate) enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            const ALL: &'static [($name, &'static str)] = &[$(($name::$variant, $wire),)*];

            /// The name on the wire.
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)*
                }
            }

            /// Parses a request's value; `field` is the member's name in
            /// Cognito's validation message.
            pub(crate) fn parse(value: &str, field: &str) -> ApiResult<Self> {
                Self::ALL
                    .iter()
                    .find(|(_, wire)| *wire == value)
                    .map(|(v, _)| *v)
                    .ok_or_else(|| {
                        let names: Vec<&str> = Self::ALL.iter().map(|(_, w)| *w).collect();
                        outside(value, field, &names)
                    })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// `ChallengeNameType`.
    ChallengeName {
        SmsMfa = "SMS_MFA",
        EmailOtp = "EMAIL_OTP",
        SoftwareTokenMfa = "SOFTWARE_TOKEN_MFA",
        SelectMfaType = "SELECT_MFA_TYPE",
        MfaSetup = "MFA_SETUP",
        PasswordVerifier = "PASSWORD_VERIFIER",
        CustomChallenge = "CUSTOM_CHALLENGE",
        SelectChallenge = "SELECT_CHALLENGE",
        DeviceSrpAuth = "DEVICE_SRP_AUTH",
        DevicePasswordVerifier = "DEVICE_PASSWORD_VERIFIER",
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
        NewPasswordRequired = "NEW_PASSWORD_REQUIRED",
        SmsOtp = "SMS_OTP",
        Password = "PASSWORD",
        WebAuthn = "WEB_AUTHN",
        PasswordSrp = "PASSWORD_SRP",
    }
}

wire_enum! {
    /// `AuthFlowType`.
    AuthFlow {
        UserSrpAuth = "USER_SRP_AUTH",
        RefreshTokenAuth = "REFRESH_TOKEN_AUTH",
        RefreshToken = "REFRESH_TOKEN",
        CustomAuth = "CUSTOM_AUTH",
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
        UserPasswordAuth = "USER_PASSWORD_AUTH",
        AdminUserPasswordAuth = "ADMIN_USER_PASSWORD_AUTH",
        UserAuth = "USER_AUTH",
    }
}

impl AuthFlow {
    /// The `ExplicitAuthFlows` entry (without `ALLOW_`) that permits this flow.
    pub(crate) fn permitted_by(self) -> &'static str {
        match self {
            AuthFlow::AdminNoSrpAuth | AuthFlow::AdminUserPasswordAuth => {
                "ADMIN_USER_PASSWORD_AUTH"
            }
            AuthFlow::RefreshToken | AuthFlow::RefreshTokenAuth => "REFRESH_TOKEN_AUTH",
            other => other.as_str(),
        }
    }
}

impl ChallengeName {
    /// The first factors of choice-based sign-in (`USER_AUTH`), in
    /// Cognito's order: what `SELECT_CHALLENGE` offers and
    /// `PREFERRED_CHALLENGE` names.
    pub(crate) const FIRST_FACTORS: [ChallengeName; 5] = [
        ChallengeName::Password,
        ChallengeName::PasswordSrp,
        ChallengeName::EmailOtp,
        ChallengeName::SmsOtp,
        ChallengeName::WebAuthn,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_strangers_get_cognitos_validation_error() {
        for (v, wire) in ChallengeName::ALL {
            assert_eq!(ChallengeName::parse(wire, "challengeName"), Ok(*v));
            assert_eq!(serde_json::to_value(v).unwrap(), *wire);
        }
        let e = AuthFlow::parse("USER_PASSWORD", "authFlow").unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        assert!(
            e.message.starts_with(
                "1 validation error detected: Value 'USER_PASSWORD' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH,"
            ),
            "{}",
            e.message
        );
    }
}

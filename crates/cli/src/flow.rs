//! The flow's names, one enum for the command line (`--flow`, clap) and
//! the config file (a profile's `flow`, serde): parsed once, at the edge,
//! by whichever of the two gives it.

use clap::ValueEnum;

/// The flow: `--flow`, or a profile's `flow` (the same names, parsed once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlowArg {
    /// USER_PASSWORD_AUTH (no AWS credentials needed).
    Password,
    /// ADMIN_USER_PASSWORD_AUTH (needs IAM credentials and --user-pool-id).
    Admin,
    /// USER_SRP_AUTH: the password never leaves this machine (needs --user-pool-id).
    Srp,
    /// OAuth2 client_credentials at --domain (machine to machine; needs the client secret; prints the access token).
    ClientCredentials,
    /// OAuth2 authorization code with PKCE at --domain, in a browser (hosted UI, federated sign-in).
    Browser,
    /// USER_AUTH (choice-based sign-in): password, SRP, or a one-time code by email or SMS.
    UserAuth,
    /// CUSTOM_AUTH: the pool's own challenge Lambdas (--challenge-command, COGNITO_CHALLENGE_ANSWER or a prompt; --custom-srp checks the password first).
    Custom,
    /// CUSTOM_AUTH through AdminInitiateAuth (needs IAM credentials and --user-pool-id).
    AdminCustom,
}

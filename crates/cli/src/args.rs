//! The command line: names here are a contract with scripts; keep them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Get Amazon Cognito user-pool tokens: the token alone on stdout, everything else on stderr.
#[derive(Debug, Parser)]
#[command(name = "cognito-token", version, about, propagate_version = true)]
#[command(
    after_help = "Exit status: 0 success, 2 usage or configuration error, 3 rejected by Cognito, \
4 Cognito unreachable or timed out, 5 unexpected answer from the server, 6 token invalid (verify, decode)."
)]
pub struct Cli {
    /// More detail on stderr (-v, -vv, -vvv); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in and print a token (always signs in; stores the tokens in the cache).
    Login(LoginArgs),
    /// Print a token: from the cache while valid, else by refresh, else by signing in.
    Token(TokenArgs),
    /// Forget the cached tokens of an identity and revoke its refresh token.
    Logout(LogoutArgs),
    /// Show a token's header and claims without verifying anything.
    Decode(DecodeArgs),
    /// Verify a token as API Gateway's Cognito authorizer would.
    Verify(VerifyArgs),
    /// Run a command with COGNITO_ID_TOKEN and COGNITO_ACCESS_TOKEN in its environment.
    Exec(ExecArgs),
    /// List or show profiles from the config file.
    Profile(ProfileArgs),
    /// Times the client side of SRP sign-ins (for `cargo xtask bench`).
    #[command(hide = true)]
    SrpTiming {
        #[arg(long, default_value_t = 200)]
        runs: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlowArg {
    /// USER_PASSWORD_AUTH (no AWS credentials needed).
    Password,
    /// ADMIN_USER_PASSWORD_AUTH (needs IAM credentials and --user-pool-id).
    Admin,
    /// USER_SRP_AUTH: the password never leaves this machine (needs --user-pool-id).
    Srp,
    /// USER_AUTH (choice-based sign-in): password, SRP, or a one-time code by email or SMS.
    UserAuth,
}

/// The first factor `--flow user-auth` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PreferredChallengeArg {
    /// PASSWORD: the password goes to Cognito (over TLS).
    Password,
    /// PASSWORD_SRP: the password never leaves this machine (needs --user-pool-id).
    PasswordSrp,
    /// EMAIL_OTP: a one-time code sent by email (COGNITO_MFA_CODE or a prompt).
    EmailOtp,
    /// SMS_OTP: a one-time code sent by SMS (COGNITO_MFA_CODE or a prompt).
    SmsOtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    /// The bare token.
    Token,
    /// All tokens and expiry as one JSON line.
    Json,
    /// `Authorization: <token>`.
    Header,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenArg {
    Id,
    Access,
    Refresh,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MfaTypeArg {
    Sms,
    Totp,
    Email,
}

/// Where Cognito is and who signs in. Flags beat environment variables,
/// which beat the profile.
#[derive(Debug, Clone, Args)]
pub struct IdentityArgs {
    /// Profile from the config file ($XDG_CONFIG_HOME/cognito-token/config.toml).
    #[arg(long, env = "COGNITO_TOKEN_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// App client id.
    #[arg(long, env = "COGNITO_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// App client secret, for clients that have one (prefer the environment variable: arguments are visible in `ps`).
    #[arg(
        long,
        env = "COGNITO_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,
    /// Username (or an alias such as the email address).
    #[arg(long, env = "COGNITO_USERNAME", value_name = "NAME")]
    pub username: Option<String>,
    /// User pool id, e.g. ap-northeast-1_AbC123 (needed by --flow admin and srp; gives the region).
    #[arg(long, env = "COGNITO_USER_POOL_ID", value_name = "ID")]
    pub user_pool_id: Option<String>,
    /// AWS region (default: from --user-pool-id, else AWS_REGION or the AWS profile).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Cognito endpoint, e.g. http://localhost:5000 (default: AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, AWS_ENDPOINT_URL).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Sign-in flow.
    #[arg(long, value_enum)]
    pub flow: Option<FlowArg>,
    /// With --flow user-auth: the first factor to ask for (default: choose from what Cognito offers).
    #[arg(
        long,
        value_enum,
        env = "COGNITO_PREFERRED_CHALLENGE",
        value_name = "FACTOR"
    )]
    pub preferred_challenge: Option<PreferredChallengeArg>,
    /// Give up on a request after this many seconds (retries included).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

/// How to answer sign-in questions (password, challenges).
#[derive(Debug, Clone, Args)]
pub struct SignInArgs {
    /// Read the password from the first line of standard input (else COGNITO_PASSWORD, else a prompt).
    #[arg(long)]
    pub password_stdin: bool,
    /// Answer NEW_PASSWORD_REQUIRED by keeping the current password.
    #[arg(long)]
    pub keep_password: bool,
    /// A value for an attribute NEW_PASSWORD_REQUIRED requires (repeatable), e.g. --attribute name=Taro.
    #[arg(long = "attribute", value_name = "NAME=VALUE")]
    pub attributes: Vec<String>,
    /// TOTP secret (base32) to answer SOFTWARE_TOKEN_MFA with locally computed codes (prefer the environment variable).
    #[arg(
        long,
        env = "COGNITO_TOTP_SECRET",
        hide_env_values = true,
        value_name = "BASE32"
    )]
    pub totp_secret: Option<String>,
    /// Factor to pick when Cognito asks which MFA to use.
    #[arg(long, value_enum)]
    pub mfa_type: Option<MfaTypeArg>,
    /// Do not store the tokens in the cache.
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Clone, Args)]
pub struct PrintArgs {
    /// What to print.
    #[arg(long, value_enum, default_value = "token")]
    pub output: OutputArg,
    /// Which token to print (for --output token and header).
    #[arg(long = "token", value_enum, default_value = "id")]
    pub token_kind: TokenArg,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    #[command(flatten)]
    pub identity: IdentityArgs,
    #[command(flatten)]
    pub sign_in: SignInArgs,
    #[command(flatten)]
    pub print: PrintArgs,
    /// Sign in every user listed in FILE (`-`: standard input): CSV `username,password`
    /// (or a `password_env`/`password_file` column) or JSON lines; prints one JSON line per user.
    #[arg(long, value_name = "FILE")]
    pub users_file: Option<PathBuf>,
    /// With --users-file: how many sign-ins run at once [default: 8].
    #[arg(long, value_name = "N", requires = "users_file", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: Option<u16>,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub identity: IdentityArgs,
    #[command(flatten)]
    pub sign_in: SignInArgs,
    #[command(flatten)]
    pub print: PrintArgs,
    /// Use a cached token only while at least this many seconds of validity remain.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub min_ttl: u64,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Only forget the cached tokens; do not call RevokeToken.
    #[arg(long)]
    pub local: bool,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The token, or `-` (the default) to read it from standard input.
    #[arg(value_name = "TOKEN|-")]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The token, or `-` (the default) to read it from standard input.
    #[arg(value_name = "TOKEN|-")]
    pub token: Option<String>,
    /// Profile from the config file.
    #[arg(long, env = "COGNITO_TOKEN_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// User pool id whose keys signed the token.
    #[arg(long, env = "COGNITO_USER_POOL_ID", value_name = "ID")]
    pub user_pool_id: Option<String>,
    /// App client the token must be for (aud of ID tokens, client_id of access tokens).
    #[arg(long, env = "COGNITO_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// Required token_use.
    #[arg(long, value_enum)]
    pub token_use: Option<TokenUseArg>,
    /// Expected issuer (default https://cognito-idp.<region>.amazonaws.com/<pool>).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// AWS region (default: from --user-pool-id).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Where the JWKS is served (default: AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, AWS_ENDPOINT_URL, else Cognito's public endpoint).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenUseArg {
    Id,
    Access,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    #[command(flatten)]
    pub identity: IdentityArgs,
    #[command(flatten)]
    pub sign_in: SignInArgs,
    /// Use a cached token only while at least this many seconds of validity remain.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub min_ttl: u64,
    /// The command and its arguments.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[command(subcommand)]
    pub action: ProfileAction,
}

#[derive(Debug, Subcommand)]
pub enum ProfileAction {
    /// List profile names.
    List,
    /// Show a profile's settings (secrets masked).
    Show {
        /// The profile (default: COGNITO_TOKEN_PROFILE).
        name: Option<String>,
    },
}

/// Where the config file lives.
pub fn config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("cognito-token").join("config.toml"))
}

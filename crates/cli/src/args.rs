//! The command line: names here are a contract with scripts; keep them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::flow::FlowArg;

/// The environment variables that carry secrets into this process. A
/// program it starts (`exec`'s command, the browser opener) never inherits
/// them, nor the profile's `client_secret_env` ([`secret_vars`]; SECURITY.md).
pub const SECRET_VARS: [&str; 6] = [
    "COGNITO_PASSWORD",
    "COGNITO_CHALLENGE_ANSWER",
    "COGNITO_NEW_PASSWORD",
    "COGNITO_CLIENT_SECRET",
    "COGNITO_TOTP_SECRET",
    "COGNITO_MFA_CODE",
];

/// Every variable a program this process starts must not inherit: the
/// [`SECRET_VARS`] and the one the profile takes the client secret from.
pub fn secret_vars(client_secret_env: Option<&str>) -> impl Iterator<Item = &str> {
    SECRET_VARS.into_iter().chain(client_secret_env)
}

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
    #[command(after_help = crate::examples::LOGIN)]
    Login(LoginArgs),
    /// Print a token: from the cache while valid, else by refresh, else by signing in.
    #[command(after_help = crate::examples::TOKEN)]
    Token(TokenArgs),
    /// Forget the cached tokens of an identity and revoke its refresh token.
    #[command(after_help = crate::examples::LOGOUT)]
    Logout(LogoutArgs),
    /// Show a token's header and claims without verifying anything.
    #[command(after_help = crate::examples::DECODE)]
    Decode(DecodeArgs),
    /// Verify a token as API Gateway's Cognito authorizer would.
    #[command(after_help = crate::examples::VERIFY)]
    Verify(VerifyArgs),
    /// Run a command with COGNITO_ID_TOKEN and COGNITO_ACCESS_TOKEN in its environment.
    #[command(after_help = crate::examples::EXEC)]
    Exec(ExecArgs),
    /// Print temporary AWS credentials from a Cognito identity pool (for credential_process, eval, SDKs).
    #[command(after_help = crate::examples::AWS_CREDENTIALS)]
    AwsCredentials(AwsCredentialsArgs),
    /// List or show profiles from the config file.
    #[command(after_help = crate::examples::PROFILE)]
    Profile(ProfileArgs),
    /// A local API Gateway Cognito authorizer: verify each request's token, then forward it to --upstream.
    #[command(after_help = crate::examples::PROXY)]
    Proxy(crate::proxy::ProxyArgs),
    /// Print the shell completion script for SHELL on stdout.
    #[command(after_help = crate::examples::COMPLETIONS)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// The first factor `--flow user-auth` asks for (a profile's
/// `preferred_challenge` is read into core's `FirstFactor` directly).
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

impl From<PreferredChallengeArg> for cognito_token_core::FirstFactor {
    fn from(a: PreferredChallengeArg) -> Self {
        match a {
            PreferredChallengeArg::Password => Self::Password,
            PreferredChallengeArg::PasswordSrp => Self::PasswordSrp,
            PreferredChallengeArg::EmailOtp => Self::EmailOtp,
            PreferredChallengeArg::SmsOtp => Self::SmsOtp,
        }
    }
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
    /// Cognito endpoint, e.g. http://localhost:5000 (default: AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER,
    /// AWS_ENDPOINT_URL, the profile, the AWS config file, else Cognito's public endpoint).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Allow plain http:// to HOST although it is not loopback (an emulator in another container;
    /// repeatable; also COGNITO_ALLOW_INSECURE_HTTP). Passwords and tokens cross the network unencrypted.
    #[arg(long = "allow-insecure-http", value_name = "HOST")]
    pub allow_insecure_http: Vec<String>,
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
    /// With --flow custom or admin-custom: check the password with SRP before the custom challenges
    /// (profile key custom_srp; needs --user-pool-id).
    #[arg(long)]
    pub custom_srp: bool,
    /// Give up on a request after this many seconds (retries included) [default: 30; --flow browser: 300, the wait for the sign-in].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: Option<u64>,
    #[command(flatten)]
    pub oauth: OAuthArgs,
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
    /// Answer each CUSTOM_CHALLENGE with this program (split like a shell would, run without one; profile key
    /// challenge_command): the challenge as JSON on its stdin, the answer on the first line of its stdout.
    #[arg(long, value_name = "CMD")]
    pub challenge_command: Option<String>,
    /// Do not echo the answer typed at a custom challenge's prompt.
    #[arg(long)]
    pub hide_answer: bool,
    /// ClientMetadata for the pool's Lambda triggers, sent with the sign-in and every answer (repeatable;
    /// profile table client_metadata).
    #[arg(long = "client-metadata", value_name = "KEY=VALUE")]
    pub client_metadata: Vec<String>,
    /// Do not store the tokens in the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Remember this device when the pool tracks devices (ConfirmDevice), so later sign-ins skip MFA
    /// (profile key remember_device); the device key and password go to a 0600 file in the cache directory.
    #[arg(long)]
    pub remember_device: bool,
}

#[derive(Debug, Clone, Args)]
pub struct PrintArgs {
    /// What to print.
    #[arg(long, value_enum, default_value = "token")]
    pub output: OutputArg,
    /// Which token to print (for --output token and header) [default: id; --flow client-credentials: access].
    #[arg(long = "token", value_enum)]
    pub token_kind: Option<TokenArg>,
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
    /// With --users-file: let password_env name any variable, not only COGNITO_PW_*.
    #[arg(long, requires = "users_file")]
    pub allow_any_env: bool,
    /// With --users-file: let password_file name any file, not only a relative path inside the list's folder.
    #[arg(long, requires = "users_file")]
    pub allow_any_path: bool,
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
    /// Also forget the remembered device: ForgetDevice (unless --local), and remove the device file.
    #[arg(long)]
    pub forget_device: bool,
    /// Forget the cached guest (unauthenticated) identities and their AWS credentials, of every
    /// identity pool, instead of a user's tokens (the next `aws-credentials --unauthenticated`
    /// gets a new identity).
    #[arg(long, conflicts_with_all = ["local", "forget_device"])]
    pub unauthenticated: bool,
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
    /// Expected issuer (default https://cognito-idp.<region>.amazonaws.com/<pool>); the keys come from <issuer>/.well-known/jwks.json.
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// AWS region (default: from --user-pool-id).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Take the keys from an emulator at <URL>/<pool>/.well-known/jwks.json instead of the issuer (needs --issuer; no environment variable changes where keys come from).
    #[arg(long, value_name = "URL", conflicts_with = "jwks_url")]
    pub endpoint_url: Option<String>,
    /// Take the keys from this JWKS URL instead of the issuer (needs --issuer).
    #[arg(long, value_name = "URL")]
    pub jwks_url: Option<String>,
    /// Clock skew allowed on exp and nbf, in seconds (default 0, as AWS's own verifier).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub leeway: u64,
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
    /// Also give the command temporary AWS credentials from the identity pool (AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION), as `aws-credentials` gets them.
    #[arg(long)]
    pub aws_credentials: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
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

/// The OAuth2 flows (`--flow client-credentials|browser`) at the user pool's domain.
#[derive(Debug, Clone, Args)]
pub struct OAuthArgs {
    /// The user pool's domain, e.g. https://PREFIX.auth.REGION.amazoncognito.com (--flow client-credentials and browser).
    #[arg(long, env = "COGNITO_DOMAIN", value_name = "URL")]
    pub domain: Option<String>,
    /// OAuth scopes, space- or comma-separated, e.g. "orders/read orders/write" [default: client-credentials: the client's; browser: openid email profile].
    #[arg(long, value_name = "SCOPES")]
    pub scope: Option<String>,
    /// --flow browser: where Cognito sends the browser back; must be one of the app client's callback URLs, exactly [default: http://localhost:8976/callback].
    #[arg(long, value_name = "URL")]
    pub redirect_uri: Option<String>,
    /// --flow browser: print the sign-in URL on stderr instead of opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// --flow browser: go straight to this identity provider (Google, a SAML or OIDC provider's name).
    #[arg(long, value_name = "NAME")]
    pub idp: Option<String>,
}

/// Which identity pool, and how its credentials are got (`aws-credentials`,
/// `exec --aws-credentials`).
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// Identity pool id, e.g. us-east-1:0f5e8d8c-1234-4abc-9def-0123456789ab (profile key identity_pool_id).
    #[arg(long, env = "COGNITO_IDENTITY_POOL_ID", value_name = "REGION:GUID")]
    pub identity_pool_id: Option<String>,
    /// The role: CustomRoleArn (a role the ID token's cognito:roles allows), or with --basic-flow the role to assume.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// The basic flow: GetOpenIdToken, then STS AssumeRoleWithWebIdentity of --role-arn.
    #[arg(long, requires = "role_arn")]
    pub basic_flow: bool,
    /// With --basic-flow: the role session name [default: the user's name].
    #[arg(long, value_name = "NAME", requires = "basic_flow")]
    pub role_session_name: Option<String>,
    /// With --basic-flow: how long the credentials last, 900 to 43200 seconds [default: STS's, one hour].
    #[arg(long, value_name = "SECONDS", requires = "basic_flow", value_parser = clap::value_parser!(i32).range(900..=43200))]
    pub duration_seconds: Option<i32>,
    /// An unauthenticated (guest) identity: no sign-in, no user pool.
    #[arg(long)]
    pub unauthenticated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AwsOutputArg {
    /// The JSON the AWS CLI and SDKs read from a profile's credential_process.
    CredentialProcess,
    /// `export AWS_ACCESS_KEY_ID=…` lines, for `eval`.
    Env,
    /// The credential_process JSON plus IdentityId.
    Json,
}

#[derive(Debug, Args)]
pub struct AwsCredentialsArgs {
    #[command(flatten)]
    pub identity: IdentityArgs,
    #[command(flatten)]
    pub sign_in: SignInArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// What to print.
    #[arg(long, value_enum, default_value = "credential-process")]
    pub output: AwsOutputArg,
    /// Use cached credentials only while at least this many seconds remain (the AWS SDKs refresh 15 minutes ahead).
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub min_ttl: u64,
}

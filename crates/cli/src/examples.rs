//! The examples that end each subcommand's `--help` (clap's `after_help`,
//! set in `args.rs`). Each is a `#` line saying what it does and the command;
//! a CLI test parses every `cognito-token …` in them with the real parser,
//! so an example cannot name an option that does not exist.

pub const LOGIN: &str = "\
Examples:
  # sign in (the password is asked for, without echo), cache the tokens, print the ID token
  cognito-token login --user-pool-id ap-northeast-1_AbC123 --client-id 6ok3n8atr9j9lfuoeo4b3r7rmb --username taro@example.com
  # against a local emulator, the password from the first line of stdin, every token as JSON
  cognito-token login --endpoint-url http://localhost:5000 --password-stdin --output json < password.txt
  # many users at once (a load test): one JSON line per user
  cognito-token login --users-file users.csv --concurrency 16";

pub const TOKEN: &str = "\
Examples:
  # the ID token for a request: cached, refreshed or signed in again only when needed
  curl -H \"Authorization: $(cognito-token token)\" https://api.example.com/user-pools
  # the access token, valid for at least five more minutes, as an Authorization header line
  cognito-token token --token access --min-ttl 300 --output header
  # the settings of a profile from the config file
  cognito-token token --profile dev";

pub const LOGOUT: &str = "\
Examples:
  # forget the cached tokens and revoke the refresh token
  cognito-token logout --profile dev
  # only forget them here (no request), and the remembered device too
  cognito-token logout --profile dev --local --forget-device";

pub const DECODE: &str = "\
Examples:
  # the cached ID token's header and claims (nothing is verified)
  cognito-token token | cognito-token decode
  # one claim, with jq
  cognito-token decode \"$TOKEN\" | jq -r .claims.email";

pub const VERIFY: &str = "\
Examples:
  # as API Gateway's Cognito authorizer would: signature, expiry, issuer, token use, app client
  cognito-token token | cognito-token verify --user-pool-id ap-northeast-1_AbC123 --client-id 6ok3n8atr9j9lfuoeo4b3r7rmb
  # a token from an emulator: it signs with the real issuer, the keys come from the emulator
  cognito-token verify \"$TOKEN\" --issuer https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X --endpoint-url http://localhost:5000";

pub const EXEC: &str = "\
Examples:
  # a command with COGNITO_ID_TOKEN and COGNITO_ACCESS_TOKEN set; its exit status becomes ours
  cognito-token exec --profile dev -- sh -c 'curl -H \"Authorization: $COGNITO_ID_TOKEN\" https://api.example.com/user-pools'
  # an API test suite, with tokens valid for at least ten more minutes
  cognito-token exec --min-ttl 600 -- pytest tests/api
  # the AWS CLI with temporary credentials from the profile's identity pool
  cognito-token exec --profile dev --aws-credentials -- aws s3 ls";

pub const AWS_CREDENTIALS: &str = "\
Examples:
  # an AWS CLI profile's source of credentials, in ~/.aws/config: credential_process = cognito-token aws-credentials --profile dev
  cognito-token aws-credentials --profile dev
  # credentials for this shell, from a guest (unauthenticated) identity: no sign-in
  eval \"$(cognito-token aws-credentials --identity-pool-id us-east-1:0f5e8d8c-1234-4abc-9def-0123456789ab --unauthenticated --output env)\"
  # the basic flow: the role to assume, a session name of your own
  cognito-token aws-credentials --profile dev --basic-flow --role-arn arn:aws:iam::123456789012:role/Dev --role-session-name taro";

pub const PROFILE: &str = "\
Examples:
  # the profiles of $XDG_CONFIG_HOME/cognito-token/config.toml
  cognito-token profile list
  # one profile's settings, secrets masked
  cognito-token profile show dev";

pub const PROXY: &str = "\
Examples:
  # API Gateway's Cognito authorizer in front of `chalice local` on port 8000; call it on 127.0.0.1:8001
  cognito-token proxy --upstream http://127.0.0.1:8000 --user-pool-id ap-northeast-1_AbC123
  # the routes and authorizers of the Chalice app in this folder, one log line per request
  cognito-token proxy --upstream http://127.0.0.1:8000 --chalice-app . --log";

pub const COMPLETIONS: &str = "\
Examples:
  # bash: in this shell, then for every new one
  source <(cognito-token completions bash)
  cognito-token completions bash > ~/.local/share/bash-completion/completions/cognito-token
  # zsh: a file named _cognito-token in a folder of $fpath
  cognito-token completions zsh > ~/.zfunc/_cognito-token";

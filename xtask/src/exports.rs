//! The `export` lines `cargo xtask token --keep` and `cargo xtask emulator`
//! print for the CLI and the tests, and the `cognito-token proxy` command
//! for the pool.

use cognito_token_emulator::{Emulator, Provisioned};

use crate::say;

/// Single-quotes a value for a POSIX shell.
pub(crate) fn sh_quote(v: &str) -> String {
    if !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@%+=,".contains(&b))
    {
        v.to_owned()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

/// `export` lines for the CLI (and the tests) on stdout. They print the
/// client secret and the password on purpose: that is their job.
pub(crate) fn print_exports(p: &Provisioned, username: &str, password: &str, emulator: &Emulator) {
    let mut lines: Vec<(&str, String)> = emulator.test_env();
    lines.extend([
        (
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
            p.endpoint.clone(),
        ),
        ("AWS_REGION", p.region.clone()),
        ("COGNITO_USER_POOL_ID", p.pool_id.clone()),
        ("COGNITO_CLIENT_ID", p.client_id.clone()),
        ("COGNITO_CLIENT_SECRET", p.client_secret.expose().to_owned()),
        ("COGNITO_USERNAME", username.to_owned()),
        ("COGNITO_PASSWORD", password.to_owned()),
    ]);
    for (k, v) in lines {
        println!("export {k}={}", sh_quote(&v));
    }
    // `verify` takes keys from an emulator only for an issuer named
    // explicitly; moto and fakecloud sign with the pool's real issuer,
    // cognito-local with its own address.
    let issuer = emulator.kind().issuer(&p.region, &p.pool_id);
    say!(
        "verify a token: cognito-token verify --issuer {issuer} --endpoint-url {}",
        p.endpoint
    );
    print_proxy_command(p, &issuer);
}

/// The `cognito-token proxy` command for this pool, as a shell comment
/// after the `export` lines (so that `eval` ignores it). Keys from an
/// emulator are trusted only for an issuer named explicitly, as in `verify`.
fn print_proxy_command(p: &Provisioned, issuer: &str) {
    println!(
        "# API Gateway's Cognito authorizer in front of your local API (e.g. `chalice local --port 8000`):\n\
         # cognito-token proxy --upstream http://127.0.0.1:8000 --listen 127.0.0.1:8001 --user-pool-id {} --client-id {} --issuer {} --endpoint-url {}",
        sh_quote(&p.pool_id),
        sh_quote(&p.client_id),
        sh_quote(issuer),
        sh_quote(&p.endpoint)
    );
}

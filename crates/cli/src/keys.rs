//! Where `verify` and `proxy` take a user pool's keys from: the issuer's
//! own `<issuer>/.well-known/jwks.json`, or (for an emulator) an endpoint or
//! JWKS URL named on the command line, trusted only for an issuer also
//! named there. Nothing in the environment or a profile moves the keys
//! (SECURITY.md, "`verify` trusts only the issuer's keys").

use crate::fail::usage;

/// Refuses `--endpoint-url` / `--jwks-url` without `--issuer`.
pub fn require_issuer_for_other_keys(
    issuer: Option<&str>,
    endpoint_url: Option<&str>,
    jwks_url: Option<&str>,
) -> anyhow::Result<()> {
    if issuer.is_some() {
        return Ok(());
    }
    for (flag, given) in [
        ("--endpoint-url", endpoint_url.is_some()),
        ("--jwks-url", jwks_url.is_some()),
    ] {
        if given {
            return Err(usage!(
                "{flag} needs --issuer: keys from anywhere but the issuer's own \
                 <issuer>/.well-known/jwks.json are trusted only for an issuer you name"
            ));
        }
    }
    Ok(())
}

/// Keys fetched in clear text from another machine could be swapped on the
/// way: the JWKS URL passes the endpoint rules (plain HTTP only to loopback
/// or a host named in `COGNITO_ALLOW_INSECURE_HTTP`, no user information).
pub fn check_jwks_url(url: &str) -> anyhow::Result<()> {
    cognito_token_core::endpoint::check(url, &cognito_token_core::endpoint::insecure_hosts(&[]))
        .map_err(|e| usage!("cannot fetch keys from {url:?}: {e}"))
}

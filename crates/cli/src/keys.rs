//! Where `verify` and `proxy` take a user pool's keys from: the issuer's
//! own `<issuer>/.well-known/jwks.json`, or (for an emulator) an endpoint or
//! JWKS URL named on the command line, trusted only for an issuer also
//! named there. Nothing in the environment or a profile moves the keys
//! (SECURITY.md, "`verify` trusts only the issuer's keys").

use cognito_token_core::{PoolId, verify};

use crate::fail::usage;
use crate::profile::Profile;

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

/// Which command asks for keys: `proxy` needs the pool id even with
/// `--issuer` (its region names the issuer's pool), `verify` checks an
/// `--endpoint-url` as an endpoint before anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum For {
    Verify,
    Proxy,
}

/// What `verify` and `proxy` were given: flags (and their environment
/// variables) and the profile's name.
#[derive(Debug)]
pub struct KeysRequest<'a> {
    pub profile: Option<&'a str>,
    pub user_pool_id: Option<String>,
    pub region: Option<String>,
    pub issuer: Option<String>,
    pub endpoint_url: Option<String>,
    pub jwks_url: Option<String>,
    pub command: For,
}

/// The target of a verification: the issuer, where its keys come from,
/// and the profile (read once) for the rest of the options.
#[derive(Debug)]
pub struct Keys {
    /// Region, pool, issuer and JWKS URL set.
    pub opts: verify::VerifyOptions,
    /// The flag that moved the keys away from the issuer's own, and where.
    pub redirected: Option<(&'static str, String)>,
    pub profile: Profile,
}

/// The pool, region, issuer and JWKS URL from the flags and the profile
/// (flags > environment > profile); the JWKS URL passes the endpoint check.
pub fn resolve(req: KeysRequest<'_>) -> anyhow::Result<Keys> {
    let profile = crate::profile::load(req.profile)?.unwrap_or_default();
    let no_pool = || usage!("no user pool id: pass --user-pool-id or set COGNITO_USER_POOL_ID");
    let pool_text = req
        .user_pool_id
        .or(profile.user_pool_id.clone())
        .filter(|p| !p.is_empty());
    if req.command == For::Proxy && pool_text.is_none() {
        return Err(no_pool());
    }
    let issuer = req.issuer.filter(|i| !i.is_empty());
    if req.command == For::Verify
        && let Some(endpoint) = &req.endpoint_url
    {
        cognito_token_core::check_endpoint(endpoint)?;
    }
    require_issuer_for_other_keys(
        issuer.as_deref(),
        req.endpoint_url.as_deref(),
        req.jwks_url.as_deref(),
    )?;
    let pool = pool_text.map(|p| p.parse::<PoolId>()).transpose()?;
    // cognito-local's pool ids (`local_…`) name no region: its issuer is
    // always given explicitly.
    let local_pool = pool
        .as_ref()
        .is_some_and(|p| p.region() == cognito_token_core::LOCAL_POOL_REGION);
    let mut opts = match (&issuer, req.command) {
        // The issuer names itself; the pool (if any) is not needed.
        (Some(_), command) if matches!(command, For::Verify) || local_pool => {
            verify::VerifyOptions::new(
                "",
                pool.as_ref()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
            )
        }
        _ => {
            let pool = pool.as_ref().ok_or_else(no_pool)?;
            let region = req.region.unwrap_or_else(|| pool.region().to_owned());
            if !cognito_token_core::is_region(&region) {
                return Err(usage!(
                    "invalid region {region:?}: expected a name such as us-east-1"
                ));
            }
            verify::VerifyOptions::new(region, pool.as_str())
        }
    };
    opts.issuer = issuer;
    let redirected = match (req.jwks_url, req.endpoint_url) {
        (Some(url), _) => Some(("--jwks-url", url)),
        (None, Some(endpoint)) => Some((
            "--endpoint-url",
            verify::jwks_url(&endpoint, pool.as_ref().ok_or_else(no_pool)?.as_str()),
        )),
        (None, None) => None,
    };
    opts.jwks_url = match &redirected {
        Some((_, url)) => url.clone(),
        None => verify::issuer_jwks_url(&opts.expected_issuer()),
    };
    check_jwks_url(&opts.jwks_url)?;
    Ok(Keys {
        opts,
        redirected,
        profile,
    })
}

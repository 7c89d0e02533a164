//! An authorizer named in a file, held to what the proxy can stand in for:
//! a Cognito user pool authorizer of the proxy's pool, or a JWT authorizer,
//! each reading the token from the proxy's header. Everything else (a
//! Lambda or IAM authorizer, another pool, another header) is an error
//! naming the line and what to do.

use super::super::Authorizer;
use super::context::TemplateContext;
use super::node::Located;

/// The pool id of a user pool ARN
/// (`arn:PARTITION:cognito-idp:REGION:ACCOUNT:userpool/POOL`).
fn pool_of_arn(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.trim().splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "cognito-idp", _, _, resource] => resource
            .strip_prefix("userpool/")
            .filter(|p| !p.is_empty() && !p.contains('/')),
        _ => None,
    }
}

/// Whether `arn` is a user pool ARN (the Serverless Framework's test for a
/// Cognito authorizer given by `arn`).
pub(crate) fn is_pool_arn(arn: &str) -> bool {
    pool_of_arn(arn).is_some()
}

/// A Cognito authorizer's user pools (`UserPoolArn`, `ProviderARNs`): one
/// of them must be the proxy's pool. Returns a note when others are
/// listed (their tokens are refused here, accepted by API Gateway).
pub(crate) fn cognito(
    ctx: &TemplateContext,
    name: &str,
    arns: &[String],
    line: usize,
) -> Result<Option<String>, Located> {
    let mut pools = Vec::with_capacity(arns.len());
    for arn in arns {
        let pool = pool_of_arn(arn).ok_or_else(|| {
            (
                line,
                format!("the authorizer {name}'s user pool {arn:?} is not a user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID)"),
            )
        })?;
        pools.push(pool);
    }
    if pools.is_empty() {
        return Err((line, format!("the authorizer {name} names no user pool")));
    }
    if !pools.contains(&ctx.user_pool_id.as_str()) {
        return Err((
            line,
            format!(
                "the authorizer {name} is for the user pool {}, the proxy checks tokens of {}: pass --user-pool-id {} (or the pool's ARN with --parameter, if the template takes it as one)",
                pools.join(", "),
                ctx.user_pool_id,
                pools[0]
            ),
        ));
    }
    let others: Vec<&str> = pools
        .into_iter()
        .filter(|p| *p != ctx.user_pool_id)
        .collect();
    Ok((!others.is_empty()).then(|| {
        format!(
            "the authorizer {name} (line {line}) also accepts the pool(s) {}: the proxy checks tokens of {} only",
            others.join(", "),
            ctx.user_pool_id
        )
    }))
}

/// A JWT authorizer: the issuer as the deployed API has it, with the
/// proxy's issuer where that is the proxy's pool (so an emulator's
/// `--issuer` applies); another Cognito pool is an error; any other issuer
/// stays as it is (its keys at `<issuer>/.well-known/jwks.json`).
pub(crate) fn jwt(
    ctx: &TemplateContext,
    name: &str,
    issuer: &str,
    audience: Vec<String>,
    line: usize,
) -> Result<Authorizer, Located> {
    let audience: Vec<String> = audience
        .into_iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    if audience.is_empty() {
        return Err((
            line,
            format!(
                "the JWT authorizer {name} has no audience: an HTTP API's JWT authorizer needs at least one (an app client id)"
            ),
        ));
    }
    let issuer = issuer.trim().trim_end_matches('/');
    if issuer.is_empty() {
        return Err((line, format!("the JWT authorizer {name} has no issuer")));
    }
    let cognito_pool = issuer
        .strip_prefix("https://cognito-idp.")
        .and_then(|rest| rest.split_once(".amazonaws.com/"))
        .map(|(_, pool)| pool);
    let issuer = match cognito_pool {
        _ if issuer == ctx.issuer => ctx.issuer.clone(),
        Some(pool) if pool == ctx.user_pool_id => ctx.issuer.clone(),
        Some(pool) => {
            return Err((
                line,
                format!(
                    "the JWT authorizer {name} is for the user pool {pool}, the proxy checks tokens of {}: pass --user-pool-id {pool} (or the issuer with --parameter, if the template takes it as one)",
                    ctx.user_pool_id
                ),
            ));
        }
        None => issuer.to_owned(),
    };
    Ok(Authorizer::Jwt { issuer, audience })
}

/// The header of an identity source: `Authorization`,
/// `method.request.header.Authorization` (REST) or
/// `$request.header.Authorization` (HTTP).
fn header_of(source: &str) -> Option<&str> {
    let s = source.trim();
    let h = s
        .strip_prefix("method.request.header.")
        .or_else(|| s.strip_prefix("$request.header."))
        .unwrap_or(s);
    (!h.is_empty()
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some(h)
}

/// The authorizer reads the token from the proxy's header.
pub(crate) fn same_header(
    ctx: &TemplateContext,
    name: &str,
    source: &str,
    line: usize,
) -> Result<(), Located> {
    let h = header_of(source).ok_or_else(|| {
        (
            line,
            format!(
                "the authorizer {name} reads {source:?}: the proxy reads the token from one request header only"
            ),
        )
    })?;
    if h.eq_ignore_ascii_case(&ctx.header) {
        Ok(())
    } else {
        Err((
            line,
            format!(
                "the authorizer {name} reads the token from {h:?}, the proxy from {:?}: pass --header {h}",
                ctx.header
            ),
        ))
    }
}

/// The error for an authorizer that is not Cognito's or a JWT authorizer.
pub(crate) fn not_cognito(name: &str, what: &str, line: usize) -> Located {
    (
        line,
        format!(
            "{name} is {what}, not a Cognito authorizer: the proxy stands in for Cognito user pool (REST) and JWT (HTTP API) authorizers only"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::context::test_context;
    use super::*;

    #[test]
    fn a_cognito_authorizer_must_name_the_proxys_pool() {
        let c = test_context();
        let arn = |p: &str| format!("arn:aws:cognito-idp:us-east-1:123:userpool/{p}");
        assert_eq!(cognito(&c, "A", &[arn("us-east-1_Pool")], 3), Ok(None));
        let note = cognito(&c, "A", &[arn("us-east-1_Other"), arn("us-east-1_Pool")], 3)
            .unwrap()
            .unwrap();
        assert!(note.contains("us-east-1_Other"), "{note}");
        let (line, why) = cognito(&c, "A", &[arn("us-east-1_Other")], 7).unwrap_err();
        assert_eq!(line, 7);
        assert!(why.contains("--user-pool-id us-east-1_Other"), "{why}");
        let (_, why) = cognito(&c, "A", &["us-east-1_Pool".into()], 7).unwrap_err();
        assert!(why.contains("not a user pool ARN"), "{why}");
        assert!(!is_pool_arn("arn:aws:lambda:us-east-1:1:function:f"));
    }

    #[test]
    fn a_jwt_authorizer_of_the_pool_takes_the_proxys_issuer() {
        let mut c = test_context();
        c.issuer = "http://127.0.0.1:9/us-east-1_Pool".into();
        let pool_issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool";
        assert_eq!(
            jwt(&c, "J", pool_issuer, vec!["c".into()], 1),
            Ok(Authorizer::Jwt {
                issuer: c.issuer.clone(),
                audience: vec!["c".into()]
            })
        );
        let other = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other";
        let (_, why) = jwt(&c, "J", other, vec!["c".into()], 1).unwrap_err();
        assert!(why.contains("--user-pool-id us-east-1_Other"), "{why}");
        assert_eq!(
            jwt(&c, "J", "https://idp.example/", vec!["c".into()], 1),
            Ok(Authorizer::Jwt {
                issuer: "https://idp.example".into(),
                audience: vec!["c".into()]
            })
        );
        let (_, why) = jwt(&c, "J", pool_issuer, vec![" ".into()], 1).unwrap_err();
        assert!(why.contains("no audience"), "{why}");
    }

    #[test]
    fn the_header_is_the_proxys() {
        let c = test_context();
        for ok in [
            "Authorization",
            "method.request.header.authorization",
            "$request.header.Authorization",
        ] {
            assert_eq!(same_header(&c, "A", ok, 1), Ok(()), "{ok}");
        }
        let (_, why) = same_header(&c, "A", "$request.header.X-Token", 1).unwrap_err();
        assert!(why.contains("--header X-Token"), "{why}");
        let (_, why) = same_header(&c, "A", "$request.querystring.token", 1).unwrap_err();
        assert!(why.contains("one request header"), "{why}");
    }
}

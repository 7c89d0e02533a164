//! `--scope '[METHOD ]PATH=SCOPE[,SCOPE…]'`: a route behind the API's
//! authorizer that needs one of these scopes (without a method: `ANY`).

use super::{Authorizer, Route};

/// A scope as a token carries it: no space, quote or control character.
pub(crate) fn check_scope(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty scope".into());
    }
    if t.chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '"')
    {
        return Err(format!(
            "scope {t:?} contains a space, a quote or a control character"
        ));
    }
    Ok(t.to_owned())
}

/// One `--scope` value, e.g. `GET /admin/*=api/admin`, behind `authorizer`.
pub fn parse(v: &str, authorizer: &Authorizer) -> Result<Route, String> {
    let bad = |why: String| {
        format!(
            "--scope {v:?}: {why} (expected METHOD PATH=SCOPE[,SCOPE…], e.g. 'GET /admin/*=api/admin')"
        )
    };
    let (left, right) = v
        .rsplit_once('=')
        .ok_or_else(|| bad("no = before the scopes".into()))?;
    let left = left.trim();
    let (method, path) = match left.split_once(char::is_whitespace) {
        Some((m, p)) => (m, p.trim()),
        None => ("ANY", left),
    };
    let scopes = right
        .split([',', ' '])
        .filter(|s| !s.trim().is_empty())
        .map(check_scope)
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    if scopes.is_empty() {
        return Err(bad("no scope after =".into()));
    }
    Route::new(
        method,
        path,
        super::Auth::By {
            authorizer: authorizer.clone(),
            scopes,
        },
        format!("--scope '{v}'"),
    )
    .map_err(bad)
}

#[cfg(test)]
mod tests {
    use super::super::{Auth, Method};
    use super::*;

    #[test]
    fn scope_flags() {
        let r = parse("get /x=a b,c", &Authorizer::Cognito).unwrap();
        assert_eq!(
            r.auth,
            Auth::By {
                authorizer: Authorizer::Cognito,
                scopes: vec!["a".into(), "b".into(), "c".into()]
            }
        );
        assert_eq!(r.method, Some(Method::Get));
        assert_eq!(parse("/x=a", &Authorizer::Cognito).unwrap().method, None);
        for bad in [
            "GET /x",
            "GET /x=",
            "FETCH /x=a",
            "GET x=a",
            "GET /a/{p+}/b=s",
            "GET /a=s\"",
        ] {
            let e = parse(bad, &Authorizer::Cognito).unwrap_err();
            assert!(e.contains("--scope"), "{e}");
        }
    }
}

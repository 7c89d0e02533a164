//! `--chalice-app DIR`: the routes of a Chalice app and their authorizers,
//! read from `DIR/app.py` without running Python.
//!
//! What is understood (the shapes Chalice's documentation uses):
//!
//! ```python
//! authorizer = CognitoUserPoolAuthorizer('MyPool', provider_arns=[...], header='Authorization')
//! @app.route('/user-pools', methods=['GET'], authorizer=authorizer)
//! @app.route('/admin/{item}', methods=['GET', 'POST'], authorizer=authorizer.with_scopes(['api/admin']))
//! @app.route('/health')                       # no authorizer: open, as deployed
//! ```
//!
//! Each `@<name>.route(...)` decorator at the start of a line gives one
//! route per method (default `GET`): open without `authorizer=`, else the
//! Cognito authorizer, with the scopes of `.with_scopes([...])` or of the
//! authorizer's `scopes=[...]`. An authorizer that is not a
//! `CognitoUserPoolAuthorizer` (IAM, custom, `@app.authorizer`), an
//! argument that is not a literal, or an authorizer reading another header
//! than the proxy's `--header` is an error naming the line. Blueprints
//! (`app.register_blueprint(..., url_prefix=...)`) are not followed.

use std::collections::HashMap;
use std::path::Path;

use super::routes::{Auth, Routes, route};

/// A Cognito authorizer defined in the app.
#[derive(Debug, Clone)]
struct Authorizer {
    header: String,
    scopes: Vec<String>,
}

/// One argument of a call: `name=value` or a positional value (source text).
#[derive(Debug)]
struct Arg<'a> {
    name: Option<&'a str>,
    value: &'a str,
}

/// The arguments of the call whose `(` is at `open`; and the index after `)`.
fn call_args(src: &str, open: usize) -> Result<(Vec<Arg<'_>>, usize), String> {
    let b = src.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    let mut start = open + 1;
    let mut args = Vec::new();
    fn push<'a>(src: &'a str, from: usize, to: usize, args: &mut Vec<Arg<'a>>) {
        let text = src[from..to].trim();
        if text.is_empty() {
            return;
        }
        // `name=value`, but not `==` or a string containing `=`.
        let name_end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len());
        let rest = text[name_end..].trim_start();
        if name_end > 0 && rest.starts_with('=') && !rest.starts_with("==") {
            args.push(Arg {
                name: Some(&text[..name_end]),
                value: rest[1..].trim(),
            });
        } else {
            args.push(Arg {
                name: None,
                value: text,
            });
        }
    }
    while i < b.len() {
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    push(src, start, i, &mut args);
                    return Ok((args, i + 1));
                }
            }
            b',' if depth == 1 => {
                push(src, start, i, &mut args);
                start = i + 1;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            q @ (b'\'' | b'"') => {
                i = skip_string(b, i, q)?;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Err("a call is not closed (missing `)`)".into())
}

/// The index after the string literal starting at `i` (quote `q`).
fn skip_string(b: &[u8], i: usize, q: u8) -> Result<usize, String> {
    let triple = b.len() >= i + 3 && b[i + 1] == q && b[i + 2] == q;
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        if b[j] == b'\\' {
            j += 2;
            continue;
        }
        if b[j] == q {
            if !triple {
                return Ok(j + 1);
            }
            if b.len() >= j + 3 && b[j + 1] == q && b[j + 2] == q {
                return Ok(j + 3);
            }
        } else if b[j] == b'\n' && !triple {
            break;
        }
        j += 1;
    }
    Err("a string is not closed".into())
}

/// A plain string literal (`'x'`, `"x"`, `r'x'`, `u"x"`), without escapes.
fn string_lit(v: &str) -> Option<String> {
    let v = v.trim();
    let v = v
        .strip_prefix(['r', 'u', 'R', 'U'])
        .filter(|r| r.starts_with(['\'', '"']))
        .unwrap_or(v);
    let q = v.chars().next()?;
    if !(q == '\'' || q == '"') || v.len() < 2 || !v.ends_with(q) {
        return None;
    }
    let inner = &v[1..v.len() - 1];
    (!inner.contains(q) && !inner.contains('\\')).then(|| inner.to_owned())
}

/// `['a', "b"]` or `('a',)`: the strings.
fn string_list(v: &str) -> Option<Vec<String>> {
    let v = v.trim();
    let inner = v
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .or_else(|| v.strip_prefix('(').and_then(|r| r.strip_suffix(')')))?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(string_lit)
        .collect()
}

fn line_of(src: &str, at: usize) -> usize {
    src[..at].matches('\n').count() + 1
}

/// A `CognitoUserPoolAuthorizer(...)` call's header and scopes.
fn cognito_authorizer(args: &[Arg<'_>]) -> Result<Authorizer, String> {
    let mut a = Authorizer {
        header: "Authorization".into(),
        scopes: Vec::new(),
    };
    for arg in args {
        match arg.name {
            Some("header") => {
                a.header = string_lit(arg.value)
                    .ok_or_else(|| format!("header={} is not a string literal", arg.value))?;
            }
            Some("scopes") => {
                a.scopes = string_list(arg.value).ok_or_else(|| {
                    format!("scopes={} is not a list of string literals", arg.value)
                })?;
            }
            _ => {}
        }
    }
    Ok(a)
}

const COGNITO: &str = "CognitoUserPoolAuthorizer(";

/// Parses an app's source (`name` for messages); `header` is the proxy's
/// identity-source header. Returns the routes and a one-line summary.
pub fn parse(name: &str, src: &str, header: &str) -> Result<(Routes, String), String> {
    let err = |at: usize, why: String| format!("{name} line {}: {why}", line_of(src, at));
    // Authorizer definitions: `NAME = [chalice.]CognitoUserPoolAuthorizer(`.
    let mut authorizers: HashMap<String, Authorizer> = HashMap::new();
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let t = line.trim_start();
        if let Some((lhs, rhs)) = t.split_once('=') {
            let var = lhs.trim();
            let rhs = rhs.trim_start();
            let rhs = rhs.strip_prefix("chalice.").unwrap_or(rhs);
            if !var.is_empty()
                && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && rhs.starts_with(COGNITO)
            {
                let open =
                    offset + (line.len() - t.len()) + t.find(COGNITO).unwrap_or(0) + COGNITO.len()
                        - 1;
                let (args, _) = call_args(src, open).map_err(|e| err(open, e))?;
                authorizers.insert(
                    var.to_owned(),
                    cognito_authorizer(&args).map_err(|e| err(open, e))?,
                );
            }
        }
        offset += line.len();
    }

    let mut routes = Routes::default();
    let (mut open_n, mut auth_n) = (0, 0);
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let t = line.trim_start();
        let at = offset + (line.len() - t.len());
        offset += line.len();
        let Some(rest) = t.strip_prefix('@') else {
            continue;
        };
        let Some(dot) = rest.find(".route(") else {
            continue;
        };
        if !rest[..dot]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let open = at + 1 + dot + ".route".len();
        let (args, _) = call_args(src, open).map_err(|e| err(at, e))?;
        let path = args
            .iter()
            .find(|a| a.name.is_none() || a.name == Some("path"))
            .and_then(|a| string_lit(a.value))
            .ok_or_else(|| err(at, "the route's path is not a string literal".into()))?;
        let methods = match args.iter().find(|a| a.name == Some("methods")) {
            Some(a) => string_list(a.value).ok_or_else(|| {
                err(
                    at,
                    format!("methods={} is not a list of string literals", a.value),
                )
            })?,
            None => vec!["GET".to_owned()],
        };
        let auth = match args.iter().find(|a| a.name == Some("authorizer")) {
            None => Auth::None,
            Some(a) if a.value == "None" => Auth::None,
            Some(a) => {
                let v = a.value;
                let (base, extra) = match v.find(".with_scopes(") {
                    Some(i) => {
                        let open = (a.value.as_ptr() as usize - src.as_ptr() as usize)
                            + i
                            + ".with_scopes".len();
                        let (sargs, _) = call_args(src, open).map_err(|e| err(at, e))?;
                        let scopes = sargs
                            .first()
                            .and_then(|s| string_list(s.value))
                            .ok_or_else(|| {
                                err(
                                    at,
                                    format!("{v}: the scopes are not a list of string literals"),
                                )
                            })?;
                        (&v[..i], Some(scopes))
                    }
                    None => (v, None),
                };
                let base = base.trim();
                let authorizer = if let Some(inline) = base
                    .strip_prefix("chalice.")
                    .unwrap_or(base)
                    .strip_prefix(COGNITO)
                {
                    let open = (inline.as_ptr() as usize - src.as_ptr() as usize) - 1;
                    let (cargs, _) = call_args(src, open).map_err(|e| err(at, e))?;
                    cognito_authorizer(&cargs).map_err(|e| err(at, e))?
                } else {
                    authorizers.get(base).cloned().ok_or_else(|| {
                        err(
                            at,
                            format!(
                                "authorizer={base} is not a CognitoUserPoolAuthorizer defined in {name}: the proxy stands in for Cognito user pool authorizers only"
                            ),
                        )
                    })?
                };
                if !authorizer.header.eq_ignore_ascii_case(header) {
                    return Err(err(
                        at,
                        format!(
                            "the authorizer reads the token from {:?}, the proxy from {header:?}: pass --header {}",
                            authorizer.header, authorizer.header
                        ),
                    ));
                }
                Auth::Cognito {
                    scopes: extra.unwrap_or(authorizer.scopes),
                }
            }
        };
        for m in &methods {
            let r = route(
                m,
                &path,
                auth.clone(),
                format!("{name} line {}", line_of(src, at)),
            )
            .map_err(|e| err(at, e))?;
            routes.push(r);
            if auth == Auth::None {
                open_n += 1;
            } else {
                auth_n += 1;
            }
        }
    }
    if routes.len() == 0 {
        return Err(format!(
            "{name}: no @app.route(...) found: is it a Chalice app?"
        ));
    }
    Ok((
        routes,
        format!(
            "{name}: {} route(s): {auth_n} behind the Cognito authorizer, {open_n} open",
            auth_n + open_n
        ),
    ))
}

/// Reads `DIR/app.py`.
pub fn load(dir: &Path, header: &str) -> Result<(Routes, String), String> {
    let file = dir.join("app.py");
    let name = file.display().to_string();
    let meta =
        std::fs::metadata(&file).map_err(|e| format!("--chalice-app: cannot read {name}: {e}"))?;
    if meta.len() > 1024 * 1024 {
        return Err(format!("--chalice-app: {name} is larger than 1 MiB"));
    }
    let src = std::fs::read_to_string(&file)
        .map_err(|e| format!("--chalice-app: cannot read {name}: {e}"))?;
    parse(&name, &src, header)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = r#"
from chalice import Chalice, CognitoUserPoolAuthorizer

app = Chalice(app_name="demo")
authorizer = CognitoUserPoolAuthorizer(
    'MyPool',  # a comment, with a comma
    provider_arns=['arn:aws:cognito-idp:us-east-1:123:userpool/us-east-1_x'],
)

@app.route('/user-pools', methods=['GET'], authorizer=authorizer)
def authenticated():
    return {"success": True}

@app.route('/admin/{item}', methods=['GET', 'POST'],
           authorizer=authorizer.with_scopes(['api/admin', "api/root"]))
def admin(item):
    return {"item": item}

@app.route("/health")
def health():
    return {"ok": "a=b, c"}
"#;

    #[test]
    fn routes_and_authorizers_from_an_app() {
        let (r, note) = parse("app.py", APP, "Authorization").unwrap();
        assert_eq!(r.len(), 4, "{r:?}");
        assert!(
            note.contains("3 behind the Cognito authorizer, 1 open"),
            "{note}"
        );
        let plain = Auth::Cognito { scopes: vec![] };
        let admin = Auth::Cognito {
            scopes: vec!["api/admin".into(), "api/root".into()],
        };
        assert_eq!(r.decide("GET", "/user-pools"), &plain);
        assert_eq!(r.decide("GET", "/admin/1"), &admin);
        assert_eq!(r.decide("POST", "/admin/1"), &admin);
        assert_eq!(r.decide("GET", "/health"), &Auth::None);
        assert_eq!(r.find("POST", "/admin/1").unwrap().origin, "app.py line 14");
    }

    #[test]
    fn unsupported_shapes_name_the_line() {
        let iam = "from chalice import Chalice, IAMAuthorizer\napp = Chalice(app_name='x')\niam = IAMAuthorizer()\n@app.route('/', authorizer=iam)\ndef i(): pass\n";
        let e = parse("app.py", iam, "Authorization").unwrap_err();
        assert!(
            e.contains("app.py line 4") && e.contains("not a CognitoUserPoolAuthorizer"),
            "{e}"
        );

        let header = "a = CognitoUserPoolAuthorizer('P', provider_arns=[], header='X-Token')\n@app.route('/', authorizer=a)\ndef i(): pass\n";
        let e = parse("app.py", header, "Authorization").unwrap_err();
        assert!(
            e.contains("line 2") && e.contains("--header X-Token"),
            "{e}"
        );
        assert!(parse("app.py", header, "x-token").is_ok());

        let dynamic = "@app.route(PATH)\ndef i(): pass\n";
        let e = parse("app.py", dynamic, "Authorization").unwrap_err();
        assert!(
            e.contains("line 1") && e.contains("not a string literal"),
            "{e}"
        );

        let e = parse("app.py", "print('hello')\n", "Authorization").unwrap_err();
        assert!(e.contains("no @app.route"), "{e}");

        let open = "@app.route('/a', methods=['GET'\n";
        let e = parse("app.py", open, "Authorization").unwrap_err();
        assert!(e.contains("line 1") && e.contains("not closed"), "{e}");
    }
}

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
//!
//! The app is the whole API (a Chalice app deploys as a REST API with
//! exactly these resources and methods): a request none of its routes match
//! gets API Gateway's answer. CORS as Chalice deploys it: a route with
//! `cors=True` (or a `CORSConfig`), or every route when the app says
//! `app.api.cors = True`, gets an `OPTIONS` method on its path without an
//! authorizer (Chalice's `_add_preflight_request`, which replaces an
//! `OPTIONS` view of the app's own).

use std::collections::HashMap;
use std::path::Path;

use super::{ApiType, Auth, Authorizer, Method, Route, RouteTable};

/// A Cognito authorizer defined in the app.
#[derive(Debug, Clone)]
struct CognitoAuthorizer {
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
fn cognito_authorizer(args: &[Arg<'_>]) -> Result<CognitoAuthorizer, String> {
    let mut a = CognitoAuthorizer {
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

/// Whether a `cors=` value turns CORS on (`True`, a `CORSConfig(...)`);
/// `None` for `None` (the app's default).
fn cors_value(v: &str) -> Option<bool> {
    match v.trim() {
        "None" => None,
        "False" => Some(false),
        _ => Some(true),
    }
}

/// Parses an app's source (`name` for messages) into `table` (a REST API's);
/// `header` is the proxy's identity-source header.
pub fn parse(name: &str, src: &str, header: &str, table: &mut RouteTable) -> Result<(), String> {
    if table.api() != ApiType::Rest {
        return Err(format!(
            "{name}: a Chalice app is deployed as a REST API with Cognito authorizers; drop --api http"
        ));
    }
    let err = |at: usize, why: String| format!("{name} line {}: {why}", line_of(src, at));
    // Authorizer definitions: `NAME = [chalice.]CognitoUserPoolAuthorizer(`,
    // and the app's CORS default: `NAME.api.cors = VALUE`.
    let mut authorizers: HashMap<String, CognitoAuthorizer> = HashMap::new();
    let mut app_cors = false;
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let t = line.trim_start();
        if let Some((lhs, rhs)) = t.split_once('=') {
            let var = lhs.trim();
            if let Some(app) = var.strip_suffix(".api.cors")
                && !app.is_empty()
                && app.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                app_cors = cors_value(rhs.split('#').next().unwrap_or("")) == Some(true);
            }
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

    let mut routes: Vec<Route> = Vec::new();
    // Paths with CORS, and where (for the preflight route's origin).
    let mut cors_paths: Vec<(String, String)> = Vec::new();
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
                Auth::By {
                    authorizer: Authorizer::Cognito,
                    scopes: extra.unwrap_or(authorizer.scopes),
                }
            }
        };
        let origin = format!("{name} line {}", line_of(src, at));
        let cors = match args.iter().find(|a| a.name == Some("cors")) {
            Some(a) => cors_value(a.value).unwrap_or(app_cors),
            None => app_cors,
        };
        if cors && !cors_paths.iter().any(|(p, _)| *p == path) {
            cors_paths.push((path.clone(), origin.clone()));
        }
        for m in &methods {
            let r = Route::new(m, &path, auth.clone(), origin.clone()).map_err(|e| err(at, e))?;
            routes.push(r);
            if auth == Auth::None {
                open_n += 1;
            } else {
                auth_n += 1;
            }
        }
    }
    if routes.is_empty() {
        return Err(format!(
            "{name}: no @app.route(...) found: is it a Chalice app?"
        ));
    }
    // The preflight Chalice deploys replaces an OPTIONS view of the app's.
    let mut preflights = 0;
    for (path, origin) in cors_paths {
        let pattern = super::Pattern::parse(&path).map_err(|e| format!("{origin}: {e}"))?;
        routes.retain(|r| !(r.method == Some(Method::Options) && r.pattern == pattern));
        routes.push(Route {
            method: Some(Method::Options),
            pattern,
            auth: Auth::None,
            origin: format!("{origin} (CORS preflight)"),
        });
        preflights += 1;
    }
    for r in routes {
        table.push(r)?;
    }
    table.set_whole_api();
    table.note(format!(
        "{name}: {} route(s): {auth_n} behind the Cognito authorizer, {open_n} open{}; \
         the app is the whole API (other paths and methods: 403 Missing Authentication Token)",
        auth_n + open_n,
        if preflights > 0 {
            format!(", {preflights} CORS preflight(s)")
        } else {
            String::new()
        }
    ));
    Ok(())
}

/// Reads `DIR/app.py` into `table`.
pub fn load(dir: &Path, header: &str, table: &mut RouteTable) -> Result<(), String> {
    let file = dir.join("app.py");
    let name = file.display().to_string();
    let meta =
        std::fs::metadata(&file).map_err(|e| format!("--chalice-app: cannot read {name}: {e}"))?;
    if meta.len() > 1024 * 1024 {
        return Err(format!("--chalice-app: {name} is larger than 1 MiB"));
    }
    let src = std::fs::read_to_string(&file)
        .map_err(|e| format!("--chalice-app: cannot read {name}: {e}"))?;
    parse(&name, &src, header, table)
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

    fn rest() -> RouteTable {
        RouteTable::new(ApiType::Rest, Authorizer::Cognito)
    }

    fn read(src: &str, header: &str) -> Result<RouteTable, String> {
        let mut t = rest();
        parse("app.py", src, header, &mut t)?;
        Ok(t)
    }

    /// The route a request matches (`None`: unmatched).
    fn route<'a>(t: &'a RouteTable, method: &str, path: &str) -> Option<&'a Route> {
        match t.decide(method, path, false) {
            [Some(super::super::Decision::Route(i)), _] => Some(&t.routes()[i]),
            _ => None,
        }
    }

    fn cognito(scopes: &[&str]) -> Auth {
        Auth::By {
            authorizer: Authorizer::Cognito,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn routes_and_authorizers_from_an_app() {
        let t = read(APP, "Authorization").unwrap();
        assert_eq!(t.routes().len(), 4, "{t:?}");
        assert!(
            t.notes()[0].contains("3 behind the Cognito authorizer, 1 open"),
            "{:?}",
            t.notes()
        );
        assert!(t.is_whole_api());
        let auth = |m: &str, p: &str| route(&t, m, p).map(|r| r.auth.clone());
        assert_eq!(auth("GET", "/user-pools"), Some(cognito(&[])));
        assert_eq!(
            auth("GET", "/admin/1"),
            Some(cognito(&["api/admin", "api/root"]))
        );
        assert_eq!(
            auth("POST", "/admin/1"),
            Some(cognito(&["api/admin", "api/root"]))
        );
        assert_eq!(auth("GET", "/health"), Some(Auth::None));
        // The app is the whole API: no other path or method.
        assert_eq!(auth("PUT", "/admin/1"), None);
        assert_eq!(auth("GET", "/other"), None);
        assert_eq!(
            route(&t, "POST", "/admin/1").unwrap().origin,
            "app.py line 14"
        );
    }

    #[test]
    fn cors_routes_get_an_open_preflight_as_chalice_deploys_them() {
        let app = "from chalice import Chalice, CognitoUserPoolAuthorizer, CORSConfig\n\
                   app = Chalice(app_name='x')\n\
                   a = CognitoUserPoolAuthorizer('P', provider_arns=[])\n\
                   @app.route('/c', methods=['GET', 'POST'], authorizer=a, cors=True)\n\
                   def c(): pass\n\
                   @app.route('/d', authorizer=a, cors=CORSConfig(allow_origin='https://x'))\n\
                   def d(): pass\n\
                   @app.route('/d', methods=['OPTIONS'], authorizer=a)\n\
                   def d_options(): pass\n\
                   @app.route('/n', authorizer=a)\n\
                   def n(): pass\n";
        let t = read(app, "Authorization").unwrap();
        let options = |p: &str| route(&t, "OPTIONS", p).map(|r| r.auth.clone());
        assert_eq!(options("/c"), Some(Auth::None));
        // The preflight replaces the app's own OPTIONS view, as deployed.
        assert_eq!(options("/d"), Some(Auth::None));
        // Without CORS, OPTIONS is a method the API does not have.
        assert_eq!(options("/n"), None);
        assert!(
            t.notes()[0].contains("2 CORS preflight(s)"),
            "{:?}",
            t.notes()
        );

        // `app.api.cors = True`: every route, unless it says cors=False.
        let global = "app = Chalice(app_name='x')\napp.api.cors = True  # all\n\
                      @app.route('/a')\ndef a(): pass\n@app.route('/b', cors=False)\ndef b(): pass\n";
        let t = read(global, "Authorization").unwrap();
        assert!(route(&t, "OPTIONS", "/a").is_some());
        assert!(route(&t, "OPTIONS", "/b").is_none());
    }

    #[test]
    fn unsupported_shapes_name_the_line() {
        let iam = "from chalice import Chalice, IAMAuthorizer\napp = Chalice(app_name='x')\niam = IAMAuthorizer()\n@app.route('/', authorizer=iam)\ndef i(): pass\n";
        let e = read(iam, "Authorization").unwrap_err();
        assert!(
            e.contains("app.py line 4") && e.contains("not a CognitoUserPoolAuthorizer"),
            "{e}"
        );

        let header = "a = CognitoUserPoolAuthorizer('P', provider_arns=[], header='X-Token')\n@app.route('/', authorizer=a)\ndef i(): pass\n";
        let e = read(header, "Authorization").unwrap_err();
        assert!(
            e.contains("line 2") && e.contains("--header X-Token"),
            "{e}"
        );
        assert!(read(header, "x-token").is_ok());

        let dynamic = "@app.route(PATH)\ndef i(): pass\n";
        let e = read(dynamic, "Authorization").unwrap_err();
        assert!(
            e.contains("line 1") && e.contains("not a string literal"),
            "{e}"
        );

        let e = read("print('hello')\n", "Authorization").unwrap_err();
        assert!(e.contains("no @app.route"), "{e}");

        let open = "@app.route('/a', methods=['GET'\n";
        let e = read(open, "Authorization").unwrap_err();
        assert!(e.contains("line 1") && e.contains("not closed"), "{e}");

        let twice = "@app.route('/a')\ndef a(): pass\n@app.route('/a/')\ndef b(): pass\n";
        let e = read(twice, "Authorization").unwrap_err();
        assert!(e.contains("line 1") && e.contains("line 3"), "{e}");

        let mut http = RouteTable::new(
            ApiType::Http,
            Authorizer::Jwt {
                issuer: "i".into(),
                audience: vec!["a".into()],
            },
        );
        let e = parse("app.py", APP, "Authorization", &mut http).unwrap_err();
        assert!(e.contains("--api http"), "{e}");
    }
}

//! Which requests need which token: API Gateway's per-method authorization,
//! from `--scope` flags, a TOML routes file (`--routes`) or a Chalice app.
//!
//! A route is a method (or `ANY`), a path pattern and what it requires:
//! - `auth = "none"`: open, forwarded without a token;
//! - no scopes: a Cognito user pool authorizer without `AuthorizationScopes`
//!   (an ID token);
//! - scopes: `AuthorizationScopes` (an access token with one of them).
//!
//! Path patterns are split on `/`: a literal segment matches itself,
//! `{name}` or `*` matches one segment, and a last segment `{name+}` or `*`
//! matches one or more segments (API Gateway's greedy `{proxy+}`), so
//! `/admin/*` matches `/admin/users/1` but not `/admin`. The first route
//! that matches decides (routes file first, then `--scope` flags, in
//! order); a request no route matches needs an ID token, as every method
//! behind the authorizer does.

use std::fmt;
use std::path::Path;

use serde::Deserialize;

/// What a request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Open: no authorizer on this method.
    None,
    /// The Cognito authorizer; with scopes, an access token carrying one of them.
    Cognito { scopes: Vec<String> },
}

/// The authorizer without scopes: what an unmatched request needs.
pub static DEFAULT_AUTH: Auth = Auth::Cognito { scopes: Vec::new() };

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Lit(String),
    One,
    Rest,
}

/// One route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Upper-case method; `None`: any method.
    method: Option<String>,
    segs: Vec<Seg>,
    /// What the route requires.
    pub auth: Auth,
    /// Where it came from, for messages (`--scope '…'`, `routes.toml line 3`).
    pub origin: String,
}

impl Route {
    fn matches(&self, method: &str, path: &[&str]) -> bool {
        if let Some(m) = &self.method
            && m != method
        {
            return false;
        }
        let mut i = 0;
        for (n, seg) in self.segs.iter().enumerate() {
            match seg {
                Seg::Rest => return n == self.segs.len() - 1 && path.len() > i,
                Seg::One => {
                    if path.get(i).is_none_or(|s| s.is_empty()) {
                        return false;
                    }
                }
                Seg::Lit(l) => {
                    if path.get(i) != Some(&l.as_str()) {
                        return false;
                    }
                }
            }
            i += 1;
        }
        i == path.len()
    }
}

/// The routes, in the order they are tried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routes {
    rules: Vec<Route>,
}

/// Splits a request path (no query) into segments: `/` → none, a trailing
/// `/` ignored.
fn split_path(path: &str) -> Vec<&str> {
    let p = path.strip_prefix('/').unwrap_or(path);
    let p = p.strip_suffix('/').unwrap_or(p);
    if p.is_empty() {
        Vec::new()
    } else {
        p.split('/').collect()
    }
}

impl Routes {
    /// Appends routes (tried after the ones already there).
    pub fn extend(&mut self, more: Routes) {
        self.rules.extend(more.rules);
    }

    /// Appends one route.
    pub fn push(&mut self, r: Route) {
        self.rules.push(r);
    }

    /// How many routes there are.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// The first route matching the request, if any.
    pub fn find(&self, method: &str, path: &str) -> Option<&Route> {
        if self.rules.is_empty() {
            return None;
        }
        let segs = split_path(path);
        self.rules.iter().find(|r| r.matches(method, &segs))
    }

    /// What the request needs.
    pub fn decide(&self, method: &str, path: &str) -> &Auth {
        self.find(method, path).map_or(&DEFAULT_AUTH, |r| &r.auth)
    }
}

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// `GET`, `get`, `ANY`, `*` → the method (`None` for any).
pub fn parse_method(m: &str) -> Result<Option<String>, String> {
    let up = m.trim().to_ascii_uppercase();
    if up == "ANY" || up == "*" {
        return Ok(None);
    }
    if METHODS.contains(&up.as_str()) {
        return Ok(Some(up));
    }
    Err(format!(
        "unknown method {m:?}: expected one of {}, or ANY",
        METHODS.join(", ")
    ))
}

/// Parses a path pattern (see the module documentation).
fn parse_pattern(p: &str) -> Result<Vec<Seg>, String> {
    if !p.starts_with('/') {
        return Err(format!("path {p:?} must start with /"));
    }
    if p.contains(['?', '#', ' ']) {
        return Err(format!(
            "path {p:?} must not contain a space, ? or # (the query is not matched)"
        ));
    }
    let parts = split_path(p);
    let last = parts.len().saturating_sub(1);
    let mut out = Vec::new();
    for (i, s) in parts.iter().enumerate() {
        let seg = if *s == "*" {
            if i == last { Seg::Rest } else { Seg::One }
        } else if let Some(inner) = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if let Some(name) = inner.strip_suffix('+') {
                if i != last {
                    return Err(format!(
                        "path {p:?}: a greedy segment {{{name}+}} must be the last one"
                    ));
                }
                Seg::Rest
            } else if inner.is_empty() || inner.contains(['{', '}']) {
                return Err(format!("path {p:?}: malformed parameter segment {s:?}"));
            } else {
                Seg::One
            }
        } else if s.is_empty() {
            return Err(format!("path {p:?} has an empty segment (//)"));
        } else if s.contains(['{', '}', '*']) {
            return Err(format!(
                "path {p:?}: segment {s:?} mixes text with {{…}} or *: a segment is a literal, {{name}}, {{name+}} or *"
            ));
        } else {
            Seg::Lit((*s).to_owned())
        };
        out.push(seg);
    }
    Ok(out)
}

fn check_scope(s: &str) -> Result<String, String> {
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

/// Builds a route from its parts.
pub fn route(method: &str, path: &str, auth: Auth, origin: String) -> Result<Route, String> {
    Ok(Route {
        method: parse_method(method)?,
        segs: parse_pattern(path)?,
        auth,
        origin,
    })
}

/// One `--scope` value: `[METHOD ]PATH=SCOPE[,SCOPE…]`, e.g.
/// `GET /admin/*=api/admin` (without a method: any method).
pub fn parse_scope_flag(v: &str) -> Result<Route, String> {
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
    route(
        method,
        path,
        Auth::Cognito { scopes },
        format!("--scope '{v}'"),
    )
    .map_err(bad)
}

/// A routes file's error: where, and why.
#[derive(Debug)]
pub struct RoutesFileError {
    pub file: String,
    pub line: Option<usize>,
    pub reason: String,
}

impl fmt::Display for RoutesFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "routes file {} line {l}: {}", self.file, self.reason),
            None => write!(f, "routes file {}: {}", self.file, self.reason),
        }
    }
}

impl std::error::Error for RoutesFileError {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    route: Vec<toml::Spanned<RawRoute>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    #[serde(default)]
    method: Option<String>,
    path: String,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    auth: Option<String>,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses a routes file's text (`name` is for messages):
///
/// ```toml
/// [[route]]
/// method = "GET"          # or ANY (the default)
/// path = "/admin/*"
/// scopes = ["api/admin"]  # an access token with one of these
///
/// [[route]]
/// path = "/health"
/// auth = "none"           # open ("cognito", the default: the authorizer)
/// ```
pub fn parse_routes_file(name: &str, text: &str) -> Result<Routes, RoutesFileError> {
    let err = |line: Option<usize>, reason: String| RoutesFileError {
        file: name.to_owned(),
        line,
        reason,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        err(line, e.message().trim().replace('\n', " "))
    })?;
    let mut routes = Routes::default();
    for spanned in raw.route {
        let line = line_of(text, spanned.span().start);
        let r = spanned.into_inner();
        let auth = match r.auth.as_deref().map(str::trim) {
            None | Some("cognito") => {
                let scopes = r
                    .scopes
                    .iter()
                    .map(|s| check_scope(s))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| err(Some(line), e))?;
                Auth::Cognito { scopes }
            }
            Some("none") => {
                if !r.scopes.is_empty() {
                    return Err(err(
                        Some(line),
                        "a route with auth = \"none\" cannot have scopes".into(),
                    ));
                }
                Auth::None
            }
            Some(other) => {
                return Err(err(
                    Some(line),
                    format!("unknown auth {other:?}: expected \"none\" or \"cognito\""),
                ));
            }
        };
        let method = r.method.as_deref().unwrap_or("ANY");
        let origin = format!("{name} line {line}");
        routes.push(route(method, &r.path, auth, origin).map_err(|e| err(Some(line), e))?);
    }
    Ok(routes)
}

/// Reads and parses a routes file.
pub fn load_routes_file(path: &Path) -> Result<Routes, RoutesFileError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| RoutesFileError {
        file: name.clone(),
        line: None,
        reason: format!("cannot read it: {e}"),
    })?;
    if meta.len() > 1024 * 1024 {
        return Err(RoutesFileError {
            file: name,
            line: None,
            reason: "larger than 1 MiB".into(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| RoutesFileError {
        file: name.clone(),
        line: None,
        reason: format!("cannot read it: {e}"),
    })?;
    parse_routes_file(&name, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scoped(s: &[&str]) -> Auth {
        Auth::Cognito {
            scopes: s.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn patterns_match_like_api_gateway_resources() {
        let mut r = Routes::default();
        r.push(parse_scope_flag("GET /admin/*=api/admin").unwrap());
        r.push(route("ANY", "/users/{id}", Auth::None, "t".into()).unwrap());
        r.push(route("POST", "/files/{proxy+}", scoped(&["f/w"]), "t".into()).unwrap());
        r.push(route("ANY", "/", Auth::None, "t".into()).unwrap());

        assert_eq!(r.decide("GET", "/admin/x"), &scoped(&["api/admin"]));
        assert_eq!(r.decide("GET", "/admin/x/y/z"), &scoped(&["api/admin"]));
        // The greedy segment needs at least one segment.
        assert_eq!(r.decide("GET", "/admin"), &DEFAULT_AUTH);
        assert_eq!(r.decide("POST", "/admin/x"), &DEFAULT_AUTH);
        assert_eq!(r.decide("GET", "/users/42"), &Auth::None);
        assert_eq!(r.decide("GET", "/users/42/"), &Auth::None);
        assert_eq!(r.decide("GET", "/users/42/more"), &DEFAULT_AUTH);
        assert_eq!(r.decide("GET", "/users"), &DEFAULT_AUTH);
        assert_eq!(r.decide("POST", "/files/a/b"), &scoped(&["f/w"]));
        assert_eq!(r.decide("GET", "/files/a/b"), &DEFAULT_AUTH);
        assert_eq!(r.decide("DELETE", "/"), &Auth::None);
        assert_eq!(r.decide("GET", "/other"), &DEFAULT_AUTH);
    }

    #[test]
    fn first_match_wins() {
        let mut r = Routes::default();
        r.push(route("ANY", "/a/open", Auth::None, "t".into()).unwrap());
        r.push(parse_scope_flag("/a/*=s1,s2").unwrap());
        assert_eq!(r.decide("PUT", "/a/open"), &Auth::None);
        assert_eq!(r.decide("PUT", "/a/closed"), &scoped(&["s1", "s2"]));
    }

    #[test]
    fn scope_flags() {
        let r = parse_scope_flag("get /x=a b,c").unwrap();
        assert_eq!(r.auth, scoped(&["a", "b", "c"]));
        assert_eq!(r.method.as_deref(), Some("GET"));
        for bad in [
            "GET /x",
            "GET /x=",
            "FETCH /x=a",
            "GET x=a",
            "GET /a/{p+}/b=s",
        ] {
            let e = parse_scope_flag(bad).unwrap_err();
            assert!(e.contains("--scope"), "{e}");
        }
    }

    #[test]
    fn routes_file_and_its_errors_name_the_line() {
        let ok = "# comment\n[[route]]\nmethod = \"GET\"\npath = \"/admin/*\"\nscopes = [\"api/admin\"]\n\n[[route]]\npath = \"/health\"\nauth = \"none\"\n";
        let r = parse_routes_file("r.toml", ok).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r.decide("GET", "/health"), &Auth::None);
        assert_eq!(r.decide("GET", "/admin/1"), &scoped(&["api/admin"]));
        assert_eq!(r.find("GET", "/health").unwrap().origin, "r.toml line 7");

        let cases = [
            (
                "[[route]]\npath = \"/a\"\nauth = \"none\"\nscopes = [\"x\"]\n",
                1,
                "cannot have scopes",
            ),
            (
                "[[route]]\npath = \"/a\"\n\n[[route]]\nmethod = \"FETCH\"\npath = \"/b\"\n",
                4,
                "unknown method",
            ),
            (
                "[[route]]\npath = \"/a\"\n[[route]]\npath = \"b\"\n",
                3,
                "must start with /",
            ),
            (
                "[[route]]\npath = \"/a\"\nauth = \"iam\"\n",
                1,
                "unknown auth",
            ),
            (
                "[[route]]\npath = \"/a\"\nscope = [\"x\"]\n",
                3,
                "unknown field",
            ),
            ("[[route]]\npath = /a\n", 2, ""),
            ("[[route]]\nmethod = \"GET\"\n", 1, "missing field `path`"),
        ];
        for (text, line, needle) in cases {
            let e = parse_routes_file("r.toml", text).unwrap_err();
            assert_eq!(e.line, Some(line), "{text:?}: {e}");
            assert!(e.to_string().contains(needle), "{e}");
            assert!(e.to_string().starts_with("routes file r.toml line"), "{e}");
        }
    }
}

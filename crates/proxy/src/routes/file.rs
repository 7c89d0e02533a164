//! The TOML routes file (`--routes FILE`): `[[route]]` tables with a
//! method (default `ANY`), a path and either `auth = "none"` or the API's
//! authorizer (`auth = "cognito"` for a REST API, `"jwt"` for an HTTP API;
//! the default) with optional `scopes`.
//!
//! ```toml
//! [[route]]
//! method = "GET"          # or ANY (the default)
//! path = "/admin/*"
//! scopes = ["api/admin"]  # an access token with one of these (REST)
//!
//! [[route]]
//! path = "/health"
//! auth = "none"           # open
//! ```

use std::fmt;
use std::path::Path;

use serde::Deserialize;

use super::flags::check_scope;
use super::{Auth, Authorizer, Route, RouteTable};

/// A routes file's error: where, and why.
#[derive(Debug)]
pub struct RoutesFileError {
    /// The file, as given.
    pub file: String,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
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

/// Adds a routes file's routes (`name` is for messages) to `table`.
pub fn parse(name: &str, text: &str, table: &mut RouteTable) -> Result<(), RoutesFileError> {
    let err = |line: Option<usize>, reason: String| RoutesFileError {
        file: name.to_owned(),
        line,
        reason,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        err(line, e.message().trim().replace('\n', " "))
    })?;
    let n = raw.route.len();
    for spanned in raw.route {
        let line = line_of(text, spanned.span().start);
        let r = spanned.into_inner();
        let authorizer = table.authorizer().clone();
        let kind = match authorizer {
            Authorizer::Cognito => "cognito",
            Authorizer::Jwt { .. } => "jwt",
        };
        let auth = match r.auth.as_deref().map(str::trim) {
            Some("none") => {
                if !r.scopes.is_empty() {
                    return Err(err(
                        Some(line),
                        "a route with auth = \"none\" cannot have scopes".into(),
                    ));
                }
                Auth::None
            }
            None => Auth::By {
                authorizer,
                scopes: scopes(&r.scopes).map_err(|e| err(Some(line), e))?,
            },
            Some(a) if a == kind => Auth::By {
                authorizer,
                scopes: scopes(&r.scopes).map_err(|e| err(Some(line), e))?,
            },
            Some(a @ ("cognito" | "jwt")) => {
                return Err(err(
                    Some(line),
                    format!(
                        "auth = {a:?} is {}, but the proxy stands in for {} (--api {})",
                        if a == "jwt" {
                            "an HTTP API's JWT authorizer"
                        } else {
                            "a REST API's Cognito authorizer"
                        },
                        if kind == "jwt" {
                            "an HTTP API"
                        } else {
                            "a REST API"
                        },
                        if kind == "jwt" { "http" } else { "rest" },
                    ),
                ));
            }
            Some(other) => {
                return Err(err(
                    Some(line),
                    format!(
                        "unknown auth {other:?}: expected \"none\" or \"{kind}\" (the API's authorizer)"
                    ),
                ));
            }
        };
        let method = r.method.as_deref().unwrap_or("ANY");
        let origin = format!("{name} line {line}");
        let route = Route::new(method, &r.path, auth, origin).map_err(|e| err(Some(line), e))?;
        table.push(route).map_err(|e| err(Some(line), e))?;
    }
    table.note(format!("{name}: {n} route(s)"));
    Ok(())
}

fn scopes(raw: &[String]) -> Result<Vec<String>, String> {
    raw.iter().map(|s| check_scope(s)).collect()
}

/// Reads a routes file (at most 1 MiB) and adds its routes to `table`.
pub fn load(path: &Path, table: &mut RouteTable) -> Result<(), RoutesFileError> {
    let name = path.display().to_string();
    let cannot = |e: std::io::Error| RoutesFileError {
        file: name.clone(),
        line: None,
        reason: format!("cannot read it: {e}"),
    };
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if meta.len() > 1024 * 1024 {
        return Err(RoutesFileError {
            file: name,
            line: None,
            reason: "larger than 1 MiB".into(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(cannot)?;
    parse(&name, &text, table)
}

#[cfg(test)]
mod tests {
    use super::super::{ApiType, Decision};
    use super::*;

    fn rest() -> RouteTable {
        RouteTable::new(ApiType::Rest, Authorizer::Cognito)
    }

    #[test]
    fn routes_file_and_its_errors_name_the_line() {
        let ok = "# comment\n[[route]]\nmethod = \"GET\"\npath = \"/admin/*\"\nscopes = [\"api/admin\"]\n\n[[route]]\npath = \"/health\"\nauth = \"none\"\n\n[[route]]\npath = \"/c\"\nauth = \"cognito\"\n";
        let mut t = rest();
        parse("r.toml", ok, &mut t).unwrap();
        assert_eq!(t.routes().len(), 3);
        let [Some(Decision::Route(i)), None] = t.decide("GET", "/health", false) else {
            panic!()
        };
        assert_eq!(t.routes()[i].auth, Auth::None);
        assert_eq!(t.routes()[i].origin, "r.toml line 7");
        let [Some(Decision::Route(i)), None] = t.decide("GET", "/admin/1", false) else {
            panic!()
        };
        assert_eq!(
            t.routes()[i].auth,
            Auth::By {
                authorizer: Authorizer::Cognito,
                scopes: vec!["api/admin".into()]
            }
        );
        assert_eq!(t.notes(), ["r.toml: 3 route(s)"]);

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
                "[[route]]\npath = \"/a\"\nauth = \"jwt\"\n",
                1,
                "--api rest",
            ),
            (
                "[[route]]\npath = \"/a\"\nscope = [\"x\"]\n",
                3,
                "unknown field",
            ),
            (
                "[[route]]\npath = \"/a\"\n[[route]]\nmethod = \"ANY\"\npath = \"/a/\"\n",
                3,
                "both define ANY /a",
            ),
            ("[[route]]\npath = /a\n", 2, ""),
            ("[[route]]\nmethod = \"GET\"\n", 1, "missing field `path`"),
        ];
        for (text, line, needle) in cases {
            let e = parse("r.toml", text, &mut rest()).unwrap_err();
            assert_eq!(e.line, Some(line), "{text:?}: {e}");
            assert!(e.to_string().contains(needle), "{e}");
            assert!(e.to_string().starts_with("routes file r.toml line"), "{e}");
        }
    }

    #[test]
    fn an_http_api_routes_file_uses_its_jwt_authorizer() {
        let jwt = Authorizer::Jwt {
            issuer: "https://issuer".into(),
            audience: vec!["client".into()],
        };
        let mut t = RouteTable::new(ApiType::Http, jwt.clone());
        parse(
            "r.toml",
            "[[route]]\npath = \"/a\"\nscopes = [\"s\"]\n[[route]]\npath = \"/b\"\nauth = \"jwt\"\n",
            &mut t,
        )
        .unwrap();
        assert!(t.routes().iter().all(|r| matches!(
            &r.auth,
            Auth::By { authorizer, .. } if *authorizer == jwt
        )));
        let e = parse(
            "r.toml",
            "[[route]]\npath = \"/a\"\nauth = \"cognito\"\n",
            &mut t,
        )
        .unwrap_err();
        assert!(e.to_string().contains("--api http"), "{e}");
    }
}

//! The route table: which authorizer a request's method and path are
//! behind, in API Gateway's order whatever the order the routes were
//! declared in.
//!
//! A [`Route`] is what every source produces (a Chalice app, the TOML
//! routes file, `--scope` flags; later SAM/CloudFormation and Serverless
//! templates): a method or `ANY`, a path [`Pattern`], and an [`Auth`] (no
//! authorizer, or an [`Authorizer`] with the route's authorization scopes).
//! The table adds what a source knows about the API as a whole: its
//! [`ApiType`], whether the routes are the whole API (then a request no route
//! matches gets API Gateway's answer for that API type and is not
//! forwarded) and whether an HTTP API answers CORS preflights itself.
//!
//! Matching (README, "Route matching"): among the routes whose method is the
//! request's (or `ANY`) and whose pattern matches, the most specific pattern
//! wins (segment by segment: a literal, then `{name}`, then `{name+}`), then
//! an exact method over `ANY`. A `HEAD` request is matched as `GET` (web
//! frameworks answer `HEAD` with the `GET` handler) and must also satisfy an
//! explicit `HEAD` route. Two routes with the same method and pattern are an
//! error naming both.

pub mod chalice;
pub mod file;
pub mod flags;
mod pattern;
pub mod template;

use std::fmt;

pub use pattern::Pattern;

/// Which kind of API Gateway API the proxy stands in for: it decides the
/// authorizer's rules and every answer's status, body and headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiType {
    /// A REST API (API Gateway v1) with `COGNITO_USER_POOLS` authorizers.
    Rest,
    /// An HTTP API (API Gateway v2) with JWT authorizers.
    Http,
}

impl fmt::Display for ApiType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApiType::Rest => "REST API",
            ApiType::Http => "HTTP API",
        })
    }
}

/// A method API Gateway routes (`ANY` is `None` where a method is optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
    /// `HEAD`.
    Head,
    /// `OPTIONS`.
    Options,
}

const METHODS: [(Method, &str); 7] = [
    (Method::Get, "GET"),
    (Method::Post, "POST"),
    (Method::Put, "PUT"),
    (Method::Patch, "PATCH"),
    (Method::Delete, "DELETE"),
    (Method::Head, "HEAD"),
    (Method::Options, "OPTIONS"),
];

impl Method {
    /// `GET`, `POST`, … (upper case).
    pub fn as_str(self) -> &'static str {
        METHODS
            .iter()
            .find(|(m, _)| *m == self)
            .map_or("", |(_, s)| s)
    }

    /// A request's (already upper-case) method, if API Gateway routes it.
    pub(crate) fn of_request(m: &str) -> Option<Method> {
        METHODS.iter().find(|(_, s)| *s == m).map(|(m, _)| *m)
    }

    /// A route's method as written (`get`, `GET`, `ANY`, `*`): `None` is `ANY`.
    pub fn parse(m: &str) -> Result<Option<Method>, String> {
        let up = m.trim().to_ascii_uppercase();
        if up == "ANY" || up == "*" {
            return Ok(None);
        }
        Method::of_request(&up).map(Some).ok_or_else(|| {
            format!(
                "unknown method {m:?}: expected one of {}, or ANY",
                METHODS.map(|(_, s)| s).join(", ")
            )
        })
    }
}

/// An authorizer a route can be behind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Authorizer {
    /// A REST API's Cognito user pool authorizer (`COGNITO_USER_POOLS`) for
    /// the proxy's pool: without scopes it wants an ID token, with scopes an
    /// access token carrying one of them.
    Cognito,
    /// An HTTP API's JWT authorizer: the token's `iss` is `issuer`, its
    /// `aud` (or `client_id`) one of `audience`; with scopes, its `scope`
    /// (or `scp`) has one of them.
    Jwt {
        /// The issuer (`jwtConfiguration.issuer`).
        issuer: String,
        /// The audience entries (`jwtConfiguration.audience`).
        audience: Vec<String>,
    },
}

/// What a route requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// No authorizer (`NONE`): forwarded without a token.
    None,
    /// An authorizer, with the route's authorization scopes (may be empty).
    By {
        /// Which authorizer.
        authorizer: Authorizer,
        /// `AuthorizationScopes` (REST) or `authorizationScopes` (HTTP).
        scopes: Vec<String>,
    },
}

impl fmt::Display for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("open (no authorizer)"),
            Auth::By { authorizer, scopes } => {
                match authorizer {
                    Authorizer::Cognito => f.write_str("Cognito authorizer")?,
                    Authorizer::Jwt { issuer, audience } => write!(
                        f,
                        "JWT authorizer (issuer {issuer}, audience {})",
                        audience.join(", ")
                    )?,
                }
                if scopes.is_empty() {
                    Ok(())
                } else {
                    write!(f, ", scopes {}", scopes.join(" "))
                }
            }
        }
    }
}

/// One route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The method; `None` is `ANY`.
    pub method: Option<Method>,
    /// The path pattern.
    pub pattern: Pattern,
    /// What it requires.
    pub auth: Auth,
    /// Where it was declared, for messages (`app.py line 12`, `--scope '…'`).
    pub origin: String,
}

impl Route {
    /// A route from its parts (`method`: `GET`, `ANY`, …).
    pub fn new(method: &str, path: &str, auth: Auth, origin: String) -> Result<Route, String> {
        Ok(Route {
            method: Method::parse(method)?,
            pattern: Pattern::parse(path)?,
            auth,
            origin,
        })
    }

    fn method_str(&self) -> &'static str {
        self.method.map_or("ANY", Method::as_str)
    }

    /// API Gateway's order: the more specific pattern first, then an exact
    /// method before `ANY`.
    fn order(&self, other: &Route) -> std::cmp::Ordering {
        self.pattern
            .specificity(&other.pattern)
            .then_with(|| self.method.is_none().cmp(&other.method.is_none()))
            .then_with(|| self.method_str().cmp(other.method_str()))
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {} ({})",
            self.method_str(),
            self.pattern,
            self.auth,
            self.origin
        )
    }
}

/// What the table says about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The route at this index of [`RouteTable::routes`] matched.
    Route(usize),
    /// No route matched and the routes are not the whole API: the API's
    /// authorizer without scopes ([`RouteTable::default_auth`]).
    Default,
    /// No route matched and the routes are the whole API: API Gateway's
    /// answer for a path or method the API does not have.
    Unmatched,
    /// A CORS preflight that the (HTTP) API answers without its authorizers.
    Preflight,
}

/// The routes in match order, and what the table knows about the API.
#[derive(Debug, Clone)]
pub struct RouteTable {
    api: ApiType,
    default_auth: Auth,
    whole_api: bool,
    cors_preflight: bool,
    routes: Vec<Route>,
    notes: Vec<String>,
}

impl RouteTable {
    /// An empty table for `api`, whose authorizer (for routes declared as
    /// "behind the authorizer" and for unmatched requests when the routes
    /// are not the whole API) is `authorizer`.
    pub fn new(api: ApiType, authorizer: Authorizer) -> RouteTable {
        RouteTable {
            api,
            default_auth: Auth::By {
                authorizer,
                scopes: Vec::new(),
            },
            whole_api: false,
            cors_preflight: false,
            routes: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The API type.
    pub fn api(&self) -> ApiType {
        self.api
    }

    /// The API's authorizer (the one `new` was given).
    pub fn authorizer(&self) -> &Authorizer {
        match &self.default_auth {
            Auth::By { authorizer, .. } => authorizer,
            Auth::None => unreachable!("new() always sets an authorizer"),
        }
    }

    /// The API's authorizer with the given scopes.
    pub fn behind_authorizer(&self, scopes: Vec<String>) -> Auth {
        Auth::By {
            authorizer: self.authorizer().clone(),
            scopes,
        }
    }

    /// What a request no route matches needs when the routes are not the
    /// whole API: the authorizer without scopes.
    pub fn default_auth(&self) -> &Auth {
        &self.default_auth
    }

    /// Says that the routes are the whole API (a Chalice app, a template):
    /// a request no route matches gets API Gateway's answer.
    pub fn set_whole_api(&mut self) {
        self.whole_api = true;
    }

    /// Whether the routes are the whole API.
    pub fn is_whole_api(&self) -> bool {
        self.whole_api
    }

    /// Says that the (HTTP) API has CORS configured: API Gateway answers
    /// every preflight (`OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`) without an authorizer, whatever the
    /// routes. (A REST API's CORS is an `OPTIONS` route without an
    /// authorizer on each resource: sources add those as routes.)
    pub fn set_cors_preflight(&mut self) {
        self.cors_preflight = true;
    }

    /// Adds a route in its place in the match order; a route with the same
    /// method and pattern as one already there is an error naming both.
    pub fn push(&mut self, r: Route) -> Result<(), String> {
        if let Some(old) = self
            .routes
            .iter()
            .find(|o| o.method == r.method && o.pattern == r.pattern)
        {
            return Err(format!(
                "{} and {} both define {} {}: an API has one method per path; keep one of them",
                old.origin,
                r.origin,
                r.method_str(),
                r.pattern
            ));
        }
        let at = self
            .routes
            .partition_point(|o| o.order(&r) != std::cmp::Ordering::Greater);
        self.routes.insert(at, r);
        Ok(())
    }

    /// A line for the start-up message (where routes came from).
    pub fn note(&mut self, line: String) {
        self.notes.push(line);
    }

    /// The start-up lines of the sources.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The routes, in match order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The first route (in match order) for `method` and `path`.
    fn find(&self, method: Option<Method>, path: &[&str]) -> Option<usize> {
        self.routes
            .iter()
            .position(|r| (r.method.is_none() || r.method == method) && r.pattern.matches(path))
    }

    /// What a canonical request (`canonical.rs`: upper-case method,
    /// canonical path) needs; `preflight`: it carries `Origin` and
    /// `Access-Control-Request-Method`. Two decisions for a `HEAD` request
    /// whose `GET` route and explicit `HEAD` route differ: both apply.
    pub fn decide(&self, method: &str, path: &str, preflight: bool) -> [Option<Decision>; 2] {
        let segments: Vec<&str> = crate::canonical::segments(path).collect();
        let path = segments.as_slice();
        let m = Method::of_request(method);
        if self.cors_preflight && preflight && m == Some(Method::Options) {
            return [Some(Decision::Preflight), None];
        }
        let unmatched = if self.whole_api {
            Decision::Unmatched
        } else {
            Decision::Default
        };
        if m == Some(Method::Head) {
            let as_get = self.find(Some(Method::Get), path);
            let own = self
                .routes
                .iter()
                .position(|r| r.method == Some(Method::Head) && r.pattern.matches(path));
            return match (as_get, own) {
                (Some(g), Some(h)) if g != h => {
                    [Some(Decision::Route(g)), Some(Decision::Route(h))]
                }
                (Some(g), _) => [Some(Decision::Route(g)), None],
                (None, Some(h)) => [Some(Decision::Route(h)), None],
                (None, None) => [Some(unmatched), None],
            };
        }
        match self.find(m, path) {
            Some(i) => [Some(Decision::Route(i)), None],
            None => [Some(unmatched), None],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cognito(scopes: &[&str]) -> Auth {
        Auth::By {
            authorizer: Authorizer::Cognito,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn table(routes: &[(&str, &str, Auth)]) -> RouteTable {
        let mut t = RouteTable::new(ApiType::Rest, Authorizer::Cognito);
        for (i, (m, p, a)) in routes.iter().enumerate() {
            t.push(Route::new(m, p, a.clone(), format!("line {i}")).unwrap())
                .unwrap();
        }
        t
    }

    /// The auth a single-decision request gets.
    fn auth<'a>(t: &'a RouteTable, method: &str, path: &str) -> Option<&'a Auth> {
        match t.decide(method, path, false) {
            [Some(Decision::Route(i)), None] => Some(&t.routes()[i].auth),
            [Some(Decision::Default), None] => Some(t.default_auth()),
            _ => None,
        }
    }

    #[test]
    fn the_most_specific_route_wins_whatever_the_declaration_order() {
        // The open parameter route is declared first (issue 21's High case).
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2]] {
            let all = [
                ("GET", "/items/{id}", Auth::None),
                ("GET", "/items/secret", cognito(&[])),
                ("ANY", "/{proxy+}", cognito(&["api/all"])),
                ("ANY", "/items/secret", cognito(&["api/any"])),
            ];
            let t = table(&order.map(|i| all[i].clone()));
            assert_eq!(auth(&t, "GET", "/items/secret"), Some(&cognito(&[])));
            // The exact method wins over ANY on the same path; ANY takes the rest.
            assert_eq!(
                auth(&t, "POST", "/items/secret"),
                Some(&cognito(&["api/any"]))
            );
            assert_eq!(auth(&t, "GET", "/items/1"), Some(&Auth::None));
            // No GET route for two segments under /items: the greedy one.
            assert_eq!(auth(&t, "GET", "/items/1/x"), Some(&cognito(&["api/all"])));
            assert_eq!(auth(&t, "DELETE", "/items/1"), Some(&cognito(&["api/all"])));
        }
    }

    #[test]
    fn unmatched_requests_follow_what_the_table_knows() {
        let mut t = table(&[("GET", "/health", Auth::None)]);
        assert_eq!(
            t.decide("GET", "/other", false),
            [Some(Decision::Default), None]
        );
        assert_eq!(t.default_auth(), &cognito(&[]));
        t.set_whole_api();
        assert_eq!(
            t.decide("GET", "/other", false),
            [Some(Decision::Unmatched), None]
        );
        // A method the route does not have, on the whole API: unmatched too.
        assert_eq!(
            t.decide("POST", "/health", false),
            [Some(Decision::Unmatched), None]
        );
        // An unknown method matches ANY routes only.
        assert_eq!(
            t.decide("PROPFIND", "/health", false),
            [Some(Decision::Unmatched), None]
        );
    }

    #[test]
    fn head_is_matched_as_get_and_must_also_pass_its_own_route() {
        let t = table(&[
            ("GET", "/a", cognito(&["read"])),
            ("HEAD", "/a", Auth::None),
            ("HEAD", "/b", cognito(&["head"])),
            ("GET", "/c", Auth::None),
        ]);
        let [first, second] = t.decide("HEAD", "/a", false);
        let route = |d: Option<Decision>| match d {
            Some(Decision::Route(i)) => t.routes()[i].auth.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(route(first), cognito(&["read"]));
        assert_eq!(route(second), Auth::None);
        assert_eq!(
            auth(&t, "HEAD", "/b"),
            Some(&cognito(&["head"])),
            "no GET route: the HEAD route alone"
        );
        assert_eq!(auth(&t, "HEAD", "/c"), Some(&Auth::None));
    }

    #[test]
    fn cors_preflights_skip_the_authorizer_only_when_the_api_says_so() {
        let mut t = table(&[("ANY", "/{proxy+}", cognito(&[]))]);
        assert_eq!(
            auth(&t, "OPTIONS", "/a"),
            Some(&cognito(&[])),
            "OPTIONS is an ordinary method without CORS"
        );
        t.set_cors_preflight();
        assert_eq!(
            t.decide("OPTIONS", "/a", true),
            [Some(Decision::Preflight), None]
        );
        // Not a preflight (no Origin / Access-Control-Request-Method).
        assert_eq!(auth(&t, "OPTIONS", "/a"), Some(&cognito(&[])));
    }

    #[test]
    fn the_same_method_and_path_twice_is_an_error_naming_both() {
        let mut t = table(&[("GET", "/admin/{item}", cognito(&["a"]))]);
        let e = t
            .push(Route::new("get", "/admin/{id}", Auth::None, "--scope 'x'".into()).unwrap())
            .unwrap_err();
        assert!(
            e.contains("line 0") && e.contains("--scope 'x'") && e.contains("GET /admin/{id}"),
            "{e}"
        );
        // Another method, or the greedy form, is another route.
        t.push(Route::new("POST", "/admin/{item}", Auth::None, "p".into()).unwrap())
            .unwrap();
        t.push(Route::new("GET", "/admin/{p+}", Auth::None, "g".into()).unwrap())
            .unwrap();
    }
}

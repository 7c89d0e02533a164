//! The APIs a file declares, as its reader collects them ([`Api`]), and the
//! one the proxy stands in for, made into a [`RouteTable`] ([`into_table`]):
//! a file may declare several APIs (a REST and an HTTP API, two REST APIs);
//! the proxy serves one, chosen by `--api` and `--template-api` when the
//! file has more than one.

use super::super::{ApiType, Auth, Authorizer, Method, Route, RouteTable};
use super::context::{TemplateContext, TemplateError};

/// One API of the file.
#[derive(Debug)]
pub(crate) struct Api {
    /// Its logical id (a resource's name, or the name the framework gives
    /// an implicit API: `ServerlessRestApi`, `ApiGatewayRestApi`, …).
    pub(crate) id: String,
    pub(crate) kind: ApiType,
    /// Where it is declared (its first event's line for an implicit API).
    pub(crate) line: usize,
    pub(crate) routes: Vec<Route>,
    /// An HTTP API with CORS configured: API Gateway answers preflights.
    pub(crate) cors: bool,
    /// Start-up lines about what was read differently from the deployed API.
    pub(crate) notes: Vec<String>,
}

impl Api {
    pub(crate) fn new(id: &str, kind: ApiType, line: usize) -> Api {
        Api {
            id: id.to_owned(),
            kind,
            line,
            routes: Vec::new(),
            cors: false,
            notes: Vec::new(),
        }
    }
}

/// The API named `id` in `apis`, added (as `kind`, at `line`) if it is not
/// there yet; an API of the other type with that id is an error.
pub(crate) fn api_mut<'a>(
    apis: &'a mut Vec<Api>,
    id: &str,
    kind: ApiType,
    line: usize,
) -> Result<&'a mut Api, (usize, String)> {
    match apis.iter().position(|a| a.id == id) {
        Some(i) if apis[i].kind != kind => Err((
            line,
            format!(
                "{id} is a {} (line {}), used here as a {kind}",
                apis[i].kind, apis[i].line
            ),
        )),
        Some(i) => Ok(&mut apis[i]),
        None => {
            apis.push(Api::new(id, kind, line));
            Ok(apis.last_mut().expect("just pushed"))
        }
    }
}

/// REST CORS as the frameworks deploy it: an `OPTIONS` method on every path
/// that has a route, with `auth` (no authorizer, unless the framework puts
/// the default authorizer on preflights), unless the path has its own.
pub(crate) fn add_rest_preflights(api: &mut Api, auth: &Auth, origin: &str) {
    let mut paths: Vec<super::super::Pattern> = Vec::new();
    for r in &api.routes {
        if !paths.contains(&r.pattern) {
            paths.push(r.pattern.clone());
        }
    }
    for pattern in paths {
        let has_own = api
            .routes
            .iter()
            .any(|r| r.pattern == pattern && r.method == Some(Method::Options));
        if !has_own {
            api.routes.push(Route {
                method: Some(Method::Options),
                pattern,
                auth: auth.clone(),
                origin: format!("{origin} (CORS preflight)"),
            });
        }
    }
}

/// The one API the proxy stands in for, as a route table: the whole API.
pub(crate) fn into_table(
    apis: Vec<Api>,
    file: &str,
    ctx: &TemplateContext,
) -> Result<RouteTable, TemplateError> {
    let err = |line: Option<usize>, reason: String| TemplateError {
        file: file.to_owned(),
        line,
        reason,
    };
    let list = |apis: &[Api]| {
        apis.iter()
            .map(|a| format!("{} ({}, line {})", a.id, a.kind, a.line))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if apis.is_empty() {
        return Err(err(
            None,
            "no API with routes in the file (no API Gateway API, route or function event)".into(),
        ));
    }
    let all = list(&apis);
    let mut chosen: Vec<Api> = apis
        .into_iter()
        .filter(|a| ctx.api.is_none_or(|t| t == a.kind))
        .filter(|a| ctx.api_id.as_deref().is_none_or(|id| id == a.id))
        .collect();
    let api = match chosen.len() {
        1 => chosen.remove(0),
        0 => {
            return Err(err(
                None,
                format!(
                    "no API{}{} in the file (it has {all}): pass --template-api with one of them",
                    ctx.api.map(|t| format!(" of type {t}")).unwrap_or_default(),
                    ctx.api_id
                        .as_deref()
                        .map(|i| format!(" named {i}"))
                        .unwrap_or_default(),
                ),
            ));
        }
        _ => {
            return Err(err(
                None,
                format!(
                    "the file has {} APIs ({}): the proxy stands in for one, pass --template-api NAME",
                    chosen.len(),
                    list(&chosen)
                ),
            ));
        }
    };
    // The table's own authorizer: a REST API's Cognito authorizer of the
    // pool; an HTTP API's first JWT authorizer, else the pool's issuer
    // with --client-id (used only for the start-up check: the table is
    // the whole API, so every request has a route or API Gateway's answer).
    let authorizer = match api.kind {
        ApiType::Rest => Authorizer::Cognito,
        ApiType::Http => api
            .routes
            .iter()
            .find_map(|r| match &r.auth {
                Auth::By {
                    authorizer: a @ Authorizer::Jwt { .. },
                    ..
                } => Some(a.clone()),
                _ => None,
            })
            .map_or_else(
                || {
                    if ctx.client_ids.is_empty() {
                        Err(err(
                            Some(api.line),
                            format!(
                                "the HTTP API {} has no JWT authorizer: pass --client-id for the proxy's own",
                                api.id
                            ),
                        ))
                    } else {
                        Ok(Authorizer::Jwt {
                            issuer: ctx.issuer.clone(),
                            audience: ctx.client_ids.clone(),
                        })
                    }
                },
                Ok,
            )?,
    };
    let mut table = RouteTable::new(api.kind, authorizer);
    let (mut by, mut open) = (0, 0);
    for r in api.routes {
        match r.auth {
            Auth::None => open += 1,
            Auth::By { .. } => by += 1,
        }
        table.push(r).map_err(|e| err(None, e))?;
    }
    table.set_whole_api();
    if api.cors {
        table.set_cors_preflight();
    }
    table.note(format!(
        "{file}: the {} {} (line {}): {} route(s), {by} behind an authorizer, {open} open{}; \
         the file is the whole API (other paths and methods: {})",
        api.kind,
        api.id,
        api.line,
        by + open,
        if api.cors {
            ", CORS preflights answered without an authorizer"
        } else {
            ""
        },
        match api.kind {
            ApiType::Rest => "403 Missing Authentication Token",
            ApiType::Http => "404 Not Found",
        }
    ));
    for n in api.notes {
        table.note(format!("{file}: {n}"));
    }
    Ok(table)
}

/// What the readers' tests read back: one line per route in match order
/// (`GET /x open`, `ANY /y cognito [s]`, `GET /z jwt ISSUER AUD… [s]`).
#[cfg(test)]
pub(crate) fn summary(t: &RouteTable) -> Vec<String> {
    t.routes()
        .iter()
        .map(|r| {
            let auth = match &r.auth {
                Auth::None => "open".to_owned(),
                Auth::By { authorizer, scopes } => format!(
                    "{} [{}]",
                    match authorizer {
                        Authorizer::Cognito => "cognito".to_owned(),
                        Authorizer::Jwt { issuer, audience } =>
                            format!("jwt {issuer} {}", audience.join(",")),
                    },
                    scopes.join(" ")
                ),
            };
            format!(
                "{} {} {auth}",
                r.method.map_or("ANY", Method::as_str),
                r.pattern
            )
        })
        .collect()
}

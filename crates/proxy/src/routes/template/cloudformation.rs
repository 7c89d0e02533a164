//! A SAM or CloudFormation template's APIs: `AWS::Serverless::Api` and
//! `AWS::Serverless::HttpApi` with their `Auth` (Cognito and JWT
//! authorizers, `DefaultAuthorizer`, CORS), the `Api` and `HttpApi` events of
//! `AWS::Serverless::Function` (per-event `Auth.Authorizer`, `NONE`,
//! `AuthorizationScopes`; without `RestApiId`/`ApiId` the implicit
//! `ServerlessRestApi`/`ServerlessHttpApi`, with the template's `Globals`),
//! and the raw resources: `AWS::ApiGateway::RestApi`/`Resource`/`Method`/
//! `Authorizer` (a method's path is its resource's `PathPart`s up the tree)
//! and `AWS::ApiGatewayV2::Api`/`Route`/`Authorizer` (`RouteKey`
//! `"GET /x"`, `"$default"`).
//!
//! Sources: the SAM specification's `AWS::Serverless::Api` (`ApiAuth`,
//! `CognitoAuthorizer`, `AddDefaultAuthorizerToCorsPreflight`, default
//! true), `AWS::Serverless::HttpApi` (`HttpApiAuth`, `OAuth2Authorizer`),
//! the `Api`/`HttpApi` event sources, and CloudFormation's resource
//! references for the four API Gateway types.

use std::cell::RefCell;

use super::super::{ApiType, Auth, Authorizer, Route};
use super::api::{Api, add_rest_preflights, api_mut};
use super::authorizer::{cognito, jwt, not_cognito, same_header};
use super::intrinsic::Resolver;
use super::node::{Located, Node};

/// The implicit APIs SAM makes for events without `RestApiId`/`ApiId`.
const IMPLICIT_REST: &str = "ServerlessRestApi";
const IMPLICIT_HTTP: &str = "ServerlessHttpApi";

/// The logical id a property names: `!Ref X` or `!GetAtt X.Attr` (with the
/// attribute), or a plain `X`.
fn logical(n: &Node) -> Option<(String, Option<String>)> {
    if let Some(t) = n.text() {
        return Some((t.to_owned(), None));
    }
    if let Some(r) = n.get("Ref").and_then(Node::text) {
        return Some((r.to_owned(), None));
    }
    let g = n.get("Fn::GetAtt")?;
    match (g.text(), g.items()) {
        (Some(t), _) => t
            .split_once('.')
            .map(|(a, b)| (a.to_owned(), Some(b.to_owned()))),
        (None, Some([a, b])) => Some((a.text()?.to_owned(), Some(b.text()?.to_owned()))),
        _ => None,
    }
}

/// A value under one of these keys (CloudFormation capitalizes what SAM
/// spells in lower case: `Issuer`/`issuer`).
fn get_any<'n>(n: &'n Node, keys: &[&str]) -> Option<&'n Node> {
    keys.iter().find_map(|k| n.get(k))
}

/// Whether a CORS setting is on (`true`, a string, a mapping; not `false`).
fn cors_on(n: Option<&Node>) -> bool {
    match n {
        None => false,
        Some(n) if n.is_null() => false,
        Some(n) => !n.text().is_some_and(|t| t.eq_ignore_ascii_case("false")),
    }
}

/// A SAM event's authorizer: its name, its node in `Auth.Authorizers`,
/// and the event's own scopes (if any).
type Named<'n> = (&'n str, &'n Node, Option<Vec<String>>);

/// Scopes as tokens carry them.
fn scopes(r: &Resolver<'_>, n: Option<&Node>) -> Result<Option<Vec<String>>, Located> {
    let Some(n) = n else { return Ok(None) };
    let mut out = Vec::new();
    for s in r.list(n)? {
        out.push(super::super::flags::check_scope(&s).map_err(|e| (n.line, e))?);
    }
    Ok(Some(out))
}

fn origin(file: &str, line: usize) -> String {
    format!("{file} line {line}")
}

/// A route, its errors at `line`.
fn route(method: &str, path: &str, auth: Auth, file: &str, line: usize) -> Result<Route, Located> {
    Route::new(method, path, auth, origin(file, line)).map_err(|e| (line, e))
}

/// The reader's state: the file, its resolver, the template's `Globals`.
struct Reader<'a> {
    file: &'a str,
    r: Resolver<'a>,
    resources: &'a [(String, Node)],
    globals: Option<&'a Node>,
    /// Start-up lines for every API (an authorizer that also accepts
    /// other pools).
    notes: RefCell<Vec<String>>,
}

/// Reads every API of a template.
pub(crate) fn read(file: &str, root: &Node, r: Resolver<'_>) -> Result<Vec<Api>, Located> {
    let resources = match root.get("Resources") {
        Some(n) => n.map_of("Resources")?,
        None => {
            return Err((
                root.line,
                "no Resources: is it a CloudFormation template?".into(),
            ));
        }
    };
    let reader = Reader {
        file,
        r,
        resources,
        globals: root.get("Globals"),
        notes: RefCell::new(Vec::new()),
    };
    let mut apis = Vec::new();
    // The APIs first, so that events and routes find them by id.
    for (id, res) in resources {
        let ty = res.get("Type").map(|t| t.plain("Type")).transpose()?;
        let props = res.get("Properties");
        match ty {
            Some("AWS::Serverless::Api") => {
                api_mut(&mut apis, id, ApiType::Rest, res.line)?;
                if props
                    .and_then(|p| get_any(p, &["DefinitionBody", "DefinitionUri"]))
                    .is_some()
                {
                    api_mut(&mut apis, id, ApiType::Rest, res.line)?.notes.push(format!(
                        "the API {id}'s OpenAPI definition (line {}) is not read: only the functions' events are its routes",
                        res.line
                    ));
                }
            }
            Some("AWS::Serverless::HttpApi") => {
                let api = api_mut(&mut apis, id, ApiType::Http, res.line)?;
                api.cors = cors_on(reader.sam_prop(props, "HttpApi", "CorsConfiguration"));
            }
            Some("AWS::ApiGateway::RestApi") => {
                let api = api_mut(&mut apis, id, ApiType::Rest, res.line)?;
                if props
                    .and_then(|p| get_any(p, &["Body", "BodyS3Location"]))
                    .is_some()
                {
                    api.notes.push(format!(
                        "the API {id}'s OpenAPI body (line {}) is not read: only its Method resources are its routes",
                        res.line
                    ));
                }
            }
            Some("AWS::ApiGatewayV2::Api") => {
                let protocol = props
                    .and_then(|p| p.get("ProtocolType"))
                    .map(|p| reader.r.text(p))
                    .transpose()?;
                if protocol.as_deref() != Some("HTTP") {
                    continue; // A WebSocket API: not what the proxy stands in for.
                }
                let api = api_mut(&mut apis, id, ApiType::Http, res.line)?;
                api.cors = cors_on(props.and_then(|p| p.get("CorsConfiguration")));
                // Quick create: a `$default` route to `Target`, without an authorizer.
                if props.and_then(|p| p.get("Target")).is_some() {
                    api.routes
                        .push(route("ANY", "$default", Auth::None, file, res.line)?);
                }
            }
            _ => {}
        }
    }
    for (id, res) in resources {
        let ty = res.get("Type").and_then(Node::text);
        let Some(props) = res.get("Properties") else {
            continue;
        };
        match ty {
            Some("AWS::Serverless::Function") => reader.function(props, &mut apis)?,
            Some("AWS::ApiGateway::Method") => {
                reader.rest_method(id, props, res.line, &mut apis)?
            }
            Some("AWS::ApiGatewayV2::Route") => reader.http_route(props, res.line, &mut apis)?,
            _ => {}
        }
    }
    // SAM's REST CORS: an OPTIONS method on each path, with the default
    // authorizer unless `AddDefaultAuthorizerToCorsPreflight: false`.
    for api in apis.iter_mut().filter(|a| a.kind == ApiType::Rest) {
        let Some(props) = reader.sam_api_props(&api.id) else {
            continue;
        };
        if !cors_on(reader.sam_prop(props, "Api", "Cors")) {
            continue;
        }
        let auth_node = reader.sam_prop(props, "Api", "Auth");
        let default = auth_node.and_then(|a| a.get("DefaultAuthorizer"));
        let on_preflight = auth_node
            .and_then(|a| a.get("AddDefaultAuthorizerToCorsPreflight"))
            .and_then(Node::text)
            .is_none_or(|t| !t.eq_ignore_ascii_case("false"));
        let auth = match default {
            Some(d) if on_preflight => {
                let name = reader.r.text(d)?;
                reader.sam_rest_auth(&api.id, auth_node, Some(&name), None, d.line)?
            }
            _ => Auth::None,
        };
        let line = api.line;
        add_rest_preflights(api, &auth, &origin(file, line));
    }
    let notes = reader.notes.into_inner();
    for api in &mut apis {
        api.notes.extend(notes.iter().cloned());
    }
    Ok(apis)
}

impl<'a> Reader<'a> {
    fn resource(&self, id: &str) -> Option<&'a Node> {
        self.resources.iter().find(|(k, _)| k == id).map(|(_, v)| v)
    }

    fn type_of(&self, id: &str) -> Option<&'a str> {
        self.resource(id)?.get("Type")?.text()
    }

    /// A SAM API's properties (the implicit API has none of its own: an
    /// empty mapping, so that `Globals` apply).
    fn sam_api_props(&self, id: &str) -> Option<Option<&'a Node>> {
        if id == IMPLICIT_REST || id == IMPLICIT_HTTP {
            return Some(None);
        }
        matches!(
            self.type_of(id),
            Some("AWS::Serverless::Api" | "AWS::Serverless::HttpApi")
        )
        .then(|| self.resource(id).and_then(|r| r.get("Properties")))
    }

    /// A SAM API's property, else `Globals.<section>.<key>`.
    fn sam_prop(&self, props: Option<&'a Node>, section: &str, key: &str) -> Option<&'a Node> {
        props
            .and_then(|p| p.get(key))
            .or_else(|| self.globals?.get(section)?.get(key))
    }

    /// The API an event names (`RestApiId`/`ApiId`), or the implicit one.
    fn event_api(&self, n: Option<&Node>, implicit: &str, line: usize) -> Result<String, Located> {
        match n {
            None => Ok(implicit.to_owned()),
            Some(n) => match logical(n) {
                Some((id, None)) if self.resource(&id).is_some() => Ok(id),
                _ => Err((
                    line,
                    "the event's API is not one of the template's resources (write !Ref NAME of an API in the template)".into(),
                )),
            },
        }
    }

    fn function(&self, props: &Node, apis: &mut Vec<Api>) -> Result<(), Located> {
        let Some(events) = props.get("Events") else {
            return Ok(());
        };
        for (_, ev) in events.map_of("Events")? {
            let ty = ev
                .get("Type")
                .map(|t| t.plain("an event's Type"))
                .transpose()?;
            let p = ev.get("Properties");
            let get = |k: &str| p.and_then(|p| p.get(k));
            match ty {
                Some("Api") => {
                    let id = self.event_api(get("RestApiId"), IMPLICIT_REST, ev.line)?;
                    let path = get("Path").ok_or((ev.line, "an Api event needs a Path".into()))?;
                    let method =
                        get("Method").ok_or((ev.line, "an Api event needs a Method".into()))?;
                    let (path, method) = (self.r.text(path)?, self.r.text(method)?);
                    let api_props = self.sam_api_props(&id).flatten();
                    let auth_node = self.sam_prop(api_props, "Api", "Auth");
                    let ev_auth = get("Auth");
                    let name = match ev_auth.and_then(|a| a.get("Authorizer")) {
                        Some(n) => Some(self.r.text(n)?),
                        None => auth_node
                            .and_then(|a| a.get("DefaultAuthorizer"))
                            .map(|d| self.r.text(d))
                            .transpose()?,
                    };
                    let ev_scopes = ev_auth.and_then(|a| a.get("AuthorizationScopes"));
                    let auth =
                        self.sam_rest_auth(&id, auth_node, name.as_deref(), ev_scopes, ev.line)?;
                    let api = api_mut(apis, &id, ApiType::Rest, ev.line)?;
                    api.routes
                        .push(route(&method, &path, auth, self.file, ev.line)?);
                }
                Some("HttpApi") => {
                    let id = self.event_api(get("ApiId"), IMPLICIT_HTTP, ev.line)?;
                    // Without Path and Method: the API's `$default` route.
                    let (method, path) = match (get("Method"), get("Path")) {
                        (None, None) => ("ANY".to_owned(), "$default".to_owned()),
                        (Some(m), Some(p)) => (self.r.text(m)?, self.r.text(p)?),
                        _ => {
                            return Err((
                                ev.line,
                                "an HttpApi event has both Path and Method, or neither (the $default route)".into(),
                            ));
                        }
                    };
                    let api_props = self.sam_api_props(&id).flatten();
                    let auth_node = self.sam_prop(api_props, "HttpApi", "Auth");
                    let ev_auth = get("Auth");
                    let name = match ev_auth.and_then(|a| a.get("Authorizer")) {
                        Some(n) => Some(self.r.text(n)?),
                        None => auth_node
                            .and_then(|a| a.get("DefaultAuthorizer"))
                            .map(|d| self.r.text(d))
                            .transpose()?,
                    };
                    let ev_scopes = ev_auth.and_then(|a| a.get("AuthorizationScopes"));
                    let auth =
                        self.sam_http_auth(auth_node, name.as_deref(), ev_scopes, ev.line)?;
                    let cors = cors_on(self.sam_prop(api_props, "HttpApi", "CorsConfiguration"));
                    let api = api_mut(apis, &id, ApiType::Http, ev.line)?;
                    api.cors |= cors;
                    api.routes
                        .push(route(&method, &path, auth, self.file, ev.line)?);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// What a SAM event's authorizer names, for REST and HTTP APIs alike:
    /// `None` for `NONE` (or no authorizer; scopes are then an error), else
    /// the authorizer's name and node in `api`'s `Auth.Authorizers`, with
    /// the event's own scopes. IAM and Lambda authorizers are refused.
    fn sam_authorizer<'n>(
        &self,
        api: &str,
        auth_node: Option<&'n Node>,
        name: Option<&'n str>,
        ev_scopes: Option<&Node>,
        line: usize,
    ) -> Result<Option<Named<'n>>, Located> {
        let ev_scopes = scopes(&self.r, ev_scopes)?;
        let name = match name {
            None | Some("NONE") => {
                if ev_scopes.as_ref().is_some_and(|s| !s.is_empty()) {
                    return Err((
                        line,
                        "AuthorizationScopes on a route without an authorizer".into(),
                    ));
                }
                return Ok(None);
            }
            Some("AWS_IAM") => {
                return Err(not_cognito(
                    "the authorizer AWS_IAM",
                    "IAM authorization",
                    line,
                ));
            }
            Some(n) => n,
        };
        let a = auth_node
            .and_then(|a| a.get("Authorizers"))
            .and_then(|a| a.get(name))
            .ok_or_else(|| {
                (
                    line,
                    format!("no authorizer {name} in {api}'s Auth.Authorizers"),
                )
            })?;
        if a.get("FunctionArn").is_some() {
            return Err(not_cognito(
                &format!("the authorizer {name}"),
                "a Lambda authorizer",
                a.line,
            ));
        }
        Ok(Some((name, a, ev_scopes)))
    }

    /// A route's scopes: the event's, else its authorizer's own
    /// `AuthorizationScopes`.
    fn route_scopes(
        &self,
        ev_scopes: Option<Vec<String>>,
        a: &Node,
    ) -> Result<Vec<String>, Located> {
        Ok(match ev_scopes {
            Some(s) => s,
            None => scopes(&self.r, a.get("AuthorizationScopes"))?.unwrap_or_default(),
        })
    }

    /// A SAM REST route's auth: `NONE`, the named (or default) authorizer
    /// of the API's `Auth.Authorizers`, with the event's scopes, else the
    /// authorizer's own `AuthorizationScopes`.
    fn sam_rest_auth(
        &self,
        api: &str,
        auth_node: Option<&Node>,
        name: Option<&str>,
        ev_scopes: Option<&Node>,
        line: usize,
    ) -> Result<Auth, Located> {
        let api = format!("the API {api}");
        let Some((name, a, ev_scopes)) =
            self.sam_authorizer(&api, auth_node, name, ev_scopes, line)?
        else {
            return Ok(Auth::None);
        };
        let pool = a
            .get("UserPoolArn")
            .ok_or_else(|| (a.line, format!("the authorizer {name} has no UserPoolArn")))?;
        let arns = self.r.list(pool)?;
        if let Some(note) = cognito(self.r.ctx, name, &arns, pool.line)? {
            self.notes.borrow_mut().push(note);
        }
        let header = match a.get("Identity").and_then(|i| i.get("Header")) {
            Some(h) => self.r.text(h)?,
            None => "Authorization".to_owned(),
        };
        same_header(self.r.ctx, name, &header, a.line)?;
        Ok(Auth::By {
            authorizer: Authorizer::Cognito,
            scopes: self.route_scopes(ev_scopes, a)?,
        })
    }

    /// A SAM HTTP route's auth: `NONE`, or the named (or default) JWT
    /// authorizer of the API's `Auth.Authorizers`.
    fn sam_http_auth(
        &self,
        auth_node: Option<&Node>,
        name: Option<&str>,
        ev_scopes: Option<&Node>,
        line: usize,
    ) -> Result<Auth, Located> {
        let Some((name, a, ev_scopes)) =
            self.sam_authorizer("the HTTP API", auth_node, name, ev_scopes, line)?
        else {
            return Ok(Auth::None);
        };
        let conf = a.get("JwtConfiguration").ok_or_else(|| {
            (
                a.line,
                format!("the authorizer {name} has no JwtConfiguration"),
            )
        })?;
        let authorizer = self.jwt_conf(name, conf)?;
        let source = match a.get("IdentitySource") {
            Some(s) => self.r.text(s)?,
            None => "$request.header.Authorization".to_owned(),
        };
        same_header(self.r.ctx, name, &source, a.line)?;
        Ok(Auth::By {
            authorizer,
            scopes: self.route_scopes(ev_scopes, a)?,
        })
    }

    /// `JwtConfiguration`'s issuer and audience (`issuer`/`Issuer`).
    fn jwt_conf(&self, name: &str, conf: &Node) -> Result<Authorizer, Located> {
        let issuer = get_any(conf, &["issuer", "Issuer"]).ok_or_else(|| {
            (
                conf.line,
                format!("the authorizer {name}'s JwtConfiguration has no issuer"),
            )
        })?;
        let audience = get_any(conf, &["audience", "Audience"]).ok_or_else(|| {
            (
                conf.line,
                format!("the authorizer {name}'s JwtConfiguration has no audience"),
            )
        })?;
        let line = issuer.line;
        let issuer = self.r.text(issuer)?;
        jwt(self.r.ctx, name, &issuer, self.r.list(audience)?, line)
    }

    /// The path of an `AWS::ApiGateway::Resource` (or an API's root), and
    /// its API.
    fn resource_path(&self, n: &Node, depth: usize) -> Result<(String, String), Located> {
        if depth > 64 {
            return Err((n.line, "the resources' ParentId loop".into()));
        }
        let (id, att) = logical(n).ok_or_else(|| {
            (
                n.line,
                "expected !Ref RESOURCE or !GetAtt API.RootResourceId".into(),
            )
        })?;
        match (self.type_of(&id), att.as_deref()) {
            (Some("AWS::ApiGateway::RestApi"), Some("RootResourceId")) => Ok((id, "/".into())),
            (Some("AWS::ApiGateway::Resource"), None) => {
                let p = self
                    .resource(&id)
                    .and_then(|r| r.get("Properties"))
                    .ok_or_else(|| (n.line, format!("the resource {id} has no Properties")))?;
                let parent = p
                    .get("ParentId")
                    .ok_or_else(|| (p.line, format!("the resource {id} has no ParentId")))?;
                let part = p
                    .get("PathPart")
                    .ok_or_else(|| (p.line, format!("the resource {id} has no PathPart")))?;
                let part = self.r.text(part)?;
                let (api, parent) = self.resource_path(parent, depth + 1)?;
                let path = if parent == "/" {
                    format!("/{part}")
                } else {
                    format!("{parent}/{part}")
                };
                Ok((api, path))
            }
            _ => Err((
                n.line,
                format!(
                    "{id} is not an AWS::ApiGateway::Resource or an API's RootResourceId in the template"
                ),
            )),
        }
    }

    fn rest_method(
        &self,
        id: &str,
        p: &Node,
        line: usize,
        apis: &mut Vec<Api>,
    ) -> Result<(), Located> {
        let res = p
            .get("ResourceId")
            .ok_or_else(|| (line, format!("the method {id} has no ResourceId")))?;
        let (api, path) = self.resource_path(res, 0)?;
        if let Some(rest) = p.get("RestApiId")
            && logical(rest).is_some_and(|(r, _)| r != api)
        {
            return Err((
                rest.line,
                format!("the method {id}'s RestApiId is not its resource's API {api}"),
            ));
        }
        let method = match p.get("HttpMethod") {
            Some(m) => self.r.text(m)?,
            None => return Err((line, format!("the method {id} has no HttpMethod"))),
        };
        let ty = match p.get("AuthorizationType") {
            Some(t) => self.r.text(t)?,
            None => "NONE".to_owned(),
        };
        let sc = scopes(&self.r, p.get("AuthorizationScopes"))?.unwrap_or_default();
        let auth = match ty.as_str() {
            "NONE" => Auth::None,
            "COGNITO_USER_POOLS" => {
                let aid = p
                    .get("AuthorizerId")
                    .ok_or_else(|| (line, format!("the method {id} has no AuthorizerId")))?;
                let (name, _) = logical(aid)
                    .filter(|(a, _)| self.type_of(a) == Some("AWS::ApiGateway::Authorizer"))
                    .ok_or_else(|| (aid.line, "AuthorizerId names no AWS::ApiGateway::Authorizer of the template (write !Ref NAME)".into()))?;
                let a = self
                    .resource(&name)
                    .and_then(|r| r.get("Properties"))
                    .ok_or_else(|| {
                        (aid.line, format!("the authorizer {name} has no Properties"))
                    })?;
                let aty = a.get("Type").map(|t| self.r.text(t)).transpose()?;
                if aty.as_deref() != Some("COGNITO_USER_POOLS") {
                    return Err(not_cognito(
                        &format!("the authorizer {name}"),
                        "a Lambda authorizer",
                        a.line,
                    ));
                }
                let arns = a.get("ProviderARNs").ok_or_else(|| {
                    (a.line, format!("the authorizer {name} has no ProviderARNs"))
                })?;
                if let Some(note) = cognito(self.r.ctx, &name, &self.r.list(arns)?, arns.line)? {
                    self.notes.borrow_mut().push(note);
                }
                let source = a
                    .get("IdentitySource")
                    .map(|s| self.r.text(s))
                    .transpose()?
                    .unwrap_or_else(|| "method.request.header.Authorization".into());
                same_header(self.r.ctx, &name, &source, a.line)?;
                Auth::By {
                    authorizer: Authorizer::Cognito,
                    scopes: sc,
                }
            }
            other => {
                return Err(not_cognito(
                    &format!("the method {id}"),
                    &format!("authorized by {other}"),
                    line,
                ));
            }
        };
        let api = api_mut(apis, &api, ApiType::Rest, line)?;
        api.routes
            .push(route(&method, &path, auth, self.file, line)?);
        Ok(())
    }

    fn http_route(&self, p: &Node, line: usize, apis: &mut Vec<Api>) -> Result<(), Located> {
        let api = p
            .get("ApiId")
            .and_then(logical)
            .map(|(a, _)| a)
            .filter(|a| self.resource(a).is_some())
            .ok_or_else(|| {
                (
                    line,
                    "the route's ApiId names no API of the template (write !Ref NAME)".into(),
                )
            })?;
        if self.type_of(&api) != Some("AWS::ApiGatewayV2::Api") {
            return Err((
                line,
                format!("the route's ApiId {api} is not an AWS::ApiGatewayV2::Api"),
            ));
        }
        let key_node = p
            .get("RouteKey")
            .ok_or_else(|| (line, "a route needs a RouteKey".into()))?;
        let key = self.r.text(key_node)?;
        let (method, path) = match key.trim() {
            "$default" => ("ANY", "$default"),
            k => k
                .split_once(' ')
                .map(|(m, p)| (m, p.trim()))
                .ok_or_else(|| {
                    (
                        key_node.line,
                        format!("RouteKey {k:?}: expected \"METHOD /path\" or \"$default\""),
                    )
                })?,
        };
        let ty = match p.get("AuthorizationType") {
            Some(t) => self.r.text(t)?,
            None => "NONE".to_owned(),
        };
        let sc = scopes(&self.r, p.get("AuthorizationScopes"))?.unwrap_or_default();
        let auth = match ty.as_str() {
            "NONE" => Auth::None,
            "JWT" => {
                let aid = p
                    .get("AuthorizerId")
                    .ok_or_else(|| (line, "a JWT route needs an AuthorizerId".into()))?;
                let (name, _) = logical(aid)
                    .filter(|(a, _)| self.type_of(a) == Some("AWS::ApiGatewayV2::Authorizer"))
                    .ok_or_else(|| (aid.line, "AuthorizerId names no AWS::ApiGatewayV2::Authorizer of the template (write !Ref NAME)".into()))?;
                let a = self
                    .resource(&name)
                    .and_then(|r| r.get("Properties"))
                    .ok_or_else(|| {
                        (aid.line, format!("the authorizer {name} has no Properties"))
                    })?;
                let aty = a
                    .get("AuthorizerType")
                    .map(|t| self.r.text(t))
                    .transpose()?;
                if aty.as_deref() != Some("JWT") {
                    return Err(not_cognito(
                        &format!("the authorizer {name}"),
                        "a Lambda authorizer",
                        a.line,
                    ));
                }
                let conf = a.get("JwtConfiguration").ok_or_else(|| {
                    (
                        a.line,
                        format!("the authorizer {name} has no JwtConfiguration"),
                    )
                })?;
                let authorizer = self.jwt_conf(&name, conf)?;
                let sources = a
                    .get("IdentitySource")
                    .map(|s| self.r.list(s))
                    .transpose()?
                    .unwrap_or_else(|| vec!["$request.header.Authorization".into()]);
                for s in &sources {
                    same_header(self.r.ctx, &name, s, a.line)?;
                }
                Auth::By {
                    authorizer,
                    scopes: sc,
                }
            }
            other => {
                return Err(not_cognito(
                    &format!("the route {key}"),
                    &format!("authorized by {other}"),
                    line,
                ));
            }
        };
        let api = api_mut(apis, &api, ApiType::Http, line)?;
        api.routes.push(route(method, path, auth, self.file, line)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::{ApiType, Decision, RouteTable};
    use super::super::api::{into_table, summary};
    use super::super::context::{TemplateContext, test_context};
    use super::super::node::parse;
    use super::*;

    fn table(src: &str, ctx: &TemplateContext) -> Result<RouteTable, String> {
        let root = parse(src).map_err(|(l, e)| format!("line {l}: {e}"))?;
        let apis = read("t.yaml", &root, Resolver::template(ctx, &root))
            .map_err(|(l, e)| format!("line {l}: {e}"))?;
        into_table(apis, "t.yaml", ctx).map_err(|e| e.to_string())
    }

    const POOL_ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool";

    /// A SAM REST API (issue 21's High case: the open `{id}` route first).
    const SAM_REST: &str = "\
Transform: AWS::Serverless-2016-10-31
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors: \"'*'\"
      Auth:
        DefaultAuthorizer: Pool
        AddDefaultAuthorizerToCorsPreflight: false
        Authorizers:
          Pool:
            UserPoolArn: !GetAtt UserPool.Arn
  Items:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Open:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: '/items/{id}', Method: get, Auth: {Authorizer: NONE}}
        Secret:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /items/secret
            Method: get
        Admin:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: '/admin/{proxy+}'
            Method: any
            Auth:
              AuthorizationScopes: [api/admin]
";

    #[test]
    fn sam_rest_api_default_authorizer_none_scopes_and_cors() {
        let t = table(SAM_REST, &test_context()).unwrap();
        assert_eq!(t.api(), ApiType::Rest);
        assert!(t.is_whole_api());
        assert_eq!(
            summary(&t),
            [
                "GET /items/secret cognito []",
                "OPTIONS /items/secret open",
                "GET /items/{id} open",
                "OPTIONS /items/{id} open",
                // An exact method before ANY on the same path.
                "OPTIONS /admin/{proxy+} open",
                "ANY /admin/{proxy+} cognito [api/admin]",
            ]
        );
        let route = |m: &str, p: &str| match t.decide(m, p, false) {
            [Some(Decision::Route(i)), None] => summary(&t)[i].clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(
            route("GET", "/items/secret"),
            "GET /items/secret cognito []"
        );
        assert_eq!(route("GET", "/items/1"), "GET /items/{id} open");
        assert_eq!(route("GET", "/nowhere"), "[Some(Unmatched), None]");
        // SAM's default: the default authorizer on the preflights too.
        let with = SAM_REST.replace("        AddDefaultAuthorizerToCorsPreflight: false\n", "");
        let t = table(&with, &test_context()).unwrap();
        assert!(summary(&t).contains(&"OPTIONS /items/{id} cognito []".to_owned()));
        // Without Cors: no preflight routes.
        let without = SAM_REST.replace("      Cors: \"'*'\"\n", "");
        let t = table(&without, &test_context()).unwrap();
        assert!(!summary(&t).iter().any(|r| r.starts_with("OPTIONS")));
    }

    #[test]
    fn sam_rest_authorizers_the_proxy_cannot_stand_in_for_are_errors() {
        let c = test_context();
        let other = SAM_REST.replace(
            "!GetAtt UserPool.Arn",
            "arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_Other",
        );
        let e = table(&other, &c).unwrap_err();
        assert!(
            e.starts_with("line 15:") && e.contains("--user-pool-id us-east-1_Other"),
            "{e}"
        );
        let lambda = SAM_REST.replace("UserPoolArn: !GetAtt UserPool.Arn", "FunctionArn: x");
        let e = table(&lambda, &c).unwrap_err();
        assert!(
            e.contains("a Lambda authorizer, not a Cognito authorizer"),
            "{e}"
        );
        let header = SAM_REST.replace(
            "UserPoolArn: !GetAtt UserPool.Arn",
            "UserPoolArn: !GetAtt UserPool.Arn\n            Identity: {Header: X-Token}",
        );
        let e = table(&header, &c).unwrap_err();
        assert!(e.contains("--header X-Token"), "{e}");
        let unknown = SAM_REST.replace("DefaultAuthorizer: Pool", "DefaultAuthorizer: Nope");
        let e = table(&unknown, &c).unwrap_err();
        assert!(e.contains("no authorizer Nope"), "{e}");
    }

    const SAM_HTTP: &str = "\
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
  UserPoolClient:
    Type: AWS::Cognito::UserPoolClient
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration: true
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              issuer: !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}
              audience:
                - !Ref UserPoolClient
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /things, Method: GET, Auth: {AuthorizationScopes: [api/read]}}}
        Health: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /health, Method: GET, Auth: {Authorizer: NONE}}}
        Default: {Type: HttpApi, Properties: {ApiId: !Ref Http}}
";

    #[test]
    fn sam_http_api_jwt_authorizer_default_route_and_cors() {
        let t = table(SAM_HTTP, &test_context()).unwrap();
        assert_eq!(t.api(), ApiType::Http);
        let jwt = format!("jwt {POOL_ISSUER} client1");
        assert_eq!(
            summary(&t),
            [
                "GET /health open".to_owned(),
                format!("GET /things {jwt} [api/read]"),
                format!("ANY $default {jwt} []"),
            ]
        );
        assert_eq!(
            t.decide("OPTIONS", "/things", true),
            [Some(Decision::Preflight), None]
        );
        // The issuer must be the proxy's pool's (the file's own pool is).
        let other = SAM_HTTP.replace(
            "!Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}",
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
        );
        let e = table(&other, &test_context()).unwrap_err();
        assert!(e.contains("--user-pool-id us-east-1_Other"), "{e}");
        assert!(e.contains("line 16:"), "{e}");
    }

    #[test]
    fn json_templates_and_long_forms_read_the_same() {
        let json = r#"{
  "Resources": {
    "UserPool": {"Type": "AWS::Cognito::UserPool"},
    "Http": {
      "Type": "AWS::Serverless::HttpApi",
      "Properties": {
        "Auth": {
          "Authorizers": {
            "Jwt": {
              "JwtConfiguration": {
                "issuer": {"Fn::Join": ["", ["https://cognito-idp.", {"Ref": "AWS::Region"}, ".amazonaws.com/", {"Ref": "UserPool"}]]},
                "audience": [{"Fn::ImportValue": "ClientId"}]
              }
            }
          }
        }
      }
    },
    "Fn": {
      "Type": "AWS::Serverless::Function",
      "Properties": {"Events": {"E": {"Type": "HttpApi", "Properties": {
        "ApiId": {"Ref": "Http"}, "Path": "/x", "Method": "post",
        "Auth": {"Authorizer": "Jwt", "AuthorizationScopes": ["s"]}}}}}
    }
  }
}"#;
        let mut c = test_context();
        let e = table(json, &c).unwrap_err();
        assert!(
            e.starts_with("line 12:") && e.contains("--parameter ClientId=VALUE"),
            "{e}"
        );
        c.parameters.push(("ClientId".into(), "from-import".into()));
        let t = table(json, &c).unwrap();
        assert_eq!(
            summary(&t),
            [format!("POST /x jwt {POOL_ISSUER} from-import [s]")]
        );
    }

    const RAW: &str = "\
Parameters:
  PoolArn:
    Type: String
Resources:
  Rest:
    Type: AWS::ApiGateway::RestApi
  Admin:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Rest, ParentId: !GetAtt Rest.RootResourceId, PathPart: admin}
  AdminId:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Rest, ParentId: !Ref Admin, PathPart: '{id}'}
  Auth:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Rest
      Type: COGNITO_USER_POOLS
      IdentitySource: method.request.header.Authorization
      ProviderARNs:
        - !Ref PoolArn
  GetAdmin:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Rest, ResourceId: !Ref AdminId, HttpMethod: GET, AuthorizationType: COGNITO_USER_POOLS, AuthorizerId: !Ref Auth, AuthorizationScopes: [api/admin]}
  Root:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Rest, ResourceId: !GetAtt Rest.RootResourceId, HttpMethod: GET, AuthorizationType: NONE}
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: HTTP, CorsConfiguration: {AllowOrigins: ['*']}}
  Jwt:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Http
      AuthorizerType: JWT
      IdentitySource: [$request.header.Authorization]
      JwtConfiguration: {Issuer: 'https://idp.example/', Audience: [aud1]}
  R1:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Http, RouteKey: 'GET /x', AuthorizationType: JWT, AuthorizerId: !Ref Jwt, AuthorizationScopes: [s]}
  R2:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Http, RouteKey: $default, AuthorizationType: NONE}
";

    #[test]
    fn raw_api_gateway_resources_paths_from_the_tree_and_route_keys() {
        let mut c = test_context();
        // The pool's ARN is a parameter without a default: its line, and the
        // flag (every API of the file is read, the one chosen or not).
        let e = table(RAW, &c).unwrap_err();
        assert!(
            e.starts_with("line 20:") && e.contains("--parameter PoolArn=VALUE"),
            "{e}"
        );
        c.parameters.push((
            "PoolArn".into(),
            "arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_Pool".into(),
        ));
        let e = table(RAW, &c).unwrap_err();
        assert!(e.contains("2 APIs") && e.contains("--template-api"), "{e}");
        c.api_id = Some("Rest".into());
        let t = table(RAW, &c).unwrap();
        assert_eq!(
            summary(&t),
            ["GET /admin/{id} cognito [api/admin]", "GET / open"]
        );
        c.api_id = None;
        c.api = Some(ApiType::Http);
        let t = table(RAW, &c).unwrap();
        assert_eq!(
            summary(&t),
            [
                "GET /x jwt https://idp.example aud1 [s]",
                "ANY $default open"
            ]
        );
        assert_eq!(
            t.decide("OPTIONS", "/x", true),
            [Some(Decision::Preflight), None]
        );
        let lambda = RAW.replace("AuthorizerType: JWT", "AuthorizerType: REQUEST");
        let e = table(&lambda, &c).unwrap_err();
        assert!(e.contains("not a Cognito authorizer"), "{e}");
    }
}

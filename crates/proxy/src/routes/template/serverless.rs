//! A Serverless Framework v3 `serverless.yml`'s APIs: the functions' `http`
//! events (a REST API, `ApiGatewayRestApi`) with `COGNITO_USER_POOLS`
//! authorizers (`arn`, `scopes`, `identitySource`; `authorizerId` naming an
//! `AWS::ApiGateway::Authorizer` of `resources`; an authorizer reused by its
//! `name`) and `cors` (an `OPTIONS` method without an authorizer on that
//! path), and the `httpApi` events (an HTTP API, `HttpApi`) with the JWT
//! authorizers of `provider.httpApi.authorizers` (`issuerUrl`, `audience`,
//! `identitySource`) named by `authorizer: {name, scopes}`, and
//! `provider.httpApi.cors`.
//!
//! Sources: the Serverless Framework v3 guides "API Gateway REST API"
//! (`http` events, "HTTP Endpoints with AWS_IAM / Cognito User Pools
//! authorizers") and "API Gateway HTTP API" (`httpApi` events, "JWT
//! authorizers", `'*'` as the catch-all route).

use std::cell::RefCell;

use super::super::{ApiType, Auth, Authorizer, Method, Pattern, Route};
use super::api::{Api, api_mut};
use super::authorizer::{cognito, is_pool_arn, jwt, not_cognito, same_header};
use super::intrinsic::Resolver;
use super::node::{Located, Node};

/// The names the framework gives its two APIs.
const REST_API: &str = "ApiGatewayRestApi";
const HTTP_API: &str = "HttpApi";

struct Reader<'a> {
    file: &'a str,
    r: Resolver<'a>,
    root: &'a Node,
    /// `http` authorizers declared with a `name`, for events that name them.
    named: RefCell<Vec<(String, usize)>>,
    notes: RefCell<Vec<String>>,
}

/// Reads the APIs of a serverless.yml.
pub(crate) fn read(file: &str, root: &Node, mut r: Resolver<'_>) -> Result<Vec<Api>, Located> {
    let provider = root
        .get("provider")
        .ok_or((root.line, "no provider: is it a serverless.yml?".into()))?;
    match provider.get("name") {
        Some(n) if r.text(n)? == "aws" => {}
        _ => return Err((provider.line, "provider.name is not aws".into())),
    }
    if let Some(region) = provider.get("region") {
        r.region = r.text(region)?;
    }
    let reader = Reader {
        file,
        r,
        root,
        named: RefCell::new(Vec::new()),
        notes: RefCell::new(Vec::new()),
    };
    let mut apis = Vec::new();
    let mut cors_paths: Vec<(Pattern, usize)> = Vec::new();
    let functions = match root.get("functions") {
        Some(f) => f.map_of("functions")?,
        None => &[],
    };
    for (_, f) in functions {
        let Some(events) = f.get("events") else {
            continue;
        };
        let events = events
            .items()
            .ok_or((events.line, "a function's events must be a list".into()))?;
        for ev in events {
            let Some([(kind, body)]) = ev.entries() else {
                continue;
            };
            match kind.as_str() {
                "http" => {
                    let (route, cors) = reader.http(body)?;
                    if cors {
                        cors_paths.push((route.pattern.clone(), body.line));
                    }
                    api_mut(&mut apis, REST_API, ApiType::Rest, body.line)?
                        .routes
                        .push(route);
                }
                "httpApi" => {
                    let route = reader.http_api(body)?;
                    let api = api_mut(&mut apis, HTTP_API, ApiType::Http, body.line)?;
                    api.routes.push(route);
                }
                _ => {}
            }
        }
    }
    if let Some(api) = apis.iter_mut().find(|a| a.id == REST_API) {
        // The framework's CORS preflight: a MOCK OPTIONS method without
        // an authorizer on each path with `cors`.
        for (pattern, line) in cors_paths {
            let taken = api
                .routes
                .iter()
                .any(|r| r.pattern == pattern && r.method == Some(Method::Options));
            if !taken {
                api.routes.push(Route {
                    method: Some(Method::Options),
                    pattern,
                    auth: Auth::None,
                    origin: format!("{file} line {line} (CORS preflight)"),
                });
            }
        }
    }
    if let Some(api) = apis.iter_mut().find(|a| a.id == HTTP_API) {
        let cors = provider.get("httpApi").and_then(|h| h.get("cors"));
        api.cors = cors.is_some_and(|c| {
            !c.is_null() && !c.text().is_some_and(|t| t.eq_ignore_ascii_case("false"))
        });
    }
    let notes = reader.notes.into_inner();
    for api in &mut apis {
        api.notes.extend(notes.iter().cloned());
    }
    Ok(apis)
}

/// A path as the framework takes it: a leading `/` added (`items/{id}`).
fn rest_path(p: &str) -> String {
    let p = p.trim();
    if p.starts_with('/') {
        p.to_owned()
    } else {
        format!("/{p}")
    }
}

impl Reader<'_> {
    fn origin(&self, line: usize) -> String {
        format!("{} line {line}", self.file)
    }

    fn scopes(&self, n: Option<&Node>) -> Result<Vec<String>, Located> {
        let Some(n) = n else { return Ok(Vec::new()) };
        self.r
            .list(n)?
            .iter()
            .map(|s| super::super::flags::check_scope(s).map_err(|e| (n.line, e)))
            .collect()
    }

    fn is_function(&self, name: &str) -> bool {
        self.root
            .get("functions")
            .and_then(|f| f.get(name))
            .is_some()
    }

    /// An `http` event: its route, and whether it has `cors`.
    fn http(&self, body: &Node) -> Result<(Route, bool), Located> {
        let line = body.line;
        let (method, path, authorizer, cors) = match body.text() {
            Some(_) => {
                let t = self.r.text(body)?;
                let (m, p) = t
                    .trim()
                    .split_once(' ')
                    .ok_or((line, format!("http: {t:?}: expected \"METHOD path\"")))?;
                (m.to_owned(), p.trim().to_owned(), None, false)
            }
            None => {
                let path = body
                    .get("path")
                    .ok_or((line, "an http event needs a path".into()))?;
                let method = body
                    .get("method")
                    .ok_or((line, "an http event needs a method".into()))?;
                let cors = body.get("cors").is_some_and(|c| {
                    !c.is_null() && !c.text().is_some_and(|t| t.eq_ignore_ascii_case("false"))
                });
                (
                    self.r.text(method)?,
                    self.r.text(path)?,
                    body.get("authorizer"),
                    cors,
                )
            }
        };
        let auth = match authorizer {
            None => Auth::None,
            Some(a) => self.http_authorizer(a)?,
        };
        let route = Route::new(&method, &rest_path(&path), auth, self.origin(line))
            .map_err(|e| (line, e))?;
        Ok((route, cors))
    }

    /// An `http` event's `authorizer`: a Cognito user pool authorizer of the
    /// proxy's pool, else an error.
    fn http_authorizer(&self, a: &Node) -> Result<Auth, Located> {
        let line = a.line;
        let field = |k: &str| a.get(k).map(|n| self.r.text(n)).transpose();
        let (name, ty, arn, id) = match a.text() {
            Some(_) => {
                let t = self.r.text(a)?;
                if t.contains(':') {
                    (None, None, Some(t), None)
                } else {
                    (Some(t), None, None, None)
                }
            }
            None => (
                field("name")?,
                field("type")?,
                field("arn")?,
                a.get("authorizerId"),
            ),
        };
        let ty = ty.map(|t| t.to_ascii_uppercase());
        let label = name.clone().unwrap_or_else(|| "of this event".into());
        match ty.as_deref() {
            Some("AWS_IAM") => return Err(not_cognito("the authorizer", "AWS_IAM", line)),
            Some("TOKEN" | "REQUEST") => {
                return Err(not_cognito(
                    &format!("the authorizer {label}"),
                    "a Lambda authorizer",
                    line,
                ));
            }
            _ => {}
        }
        if name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case("aws_iam"))
        {
            return Err(not_cognito("the authorizer", "AWS_IAM", line));
        }
        let cognito_type = ty.as_deref() == Some("COGNITO_USER_POOLS");
        if let Some(id) = id {
            let rid = id.get("Ref").and_then(Node::text);
            let res = rid.and_then(|r| self.r.resource(r));
            match (rid, res) {
                (Some(rid), Some(res)) => {
                    let p = res.get("Properties");
                    let get = |k: &str| p.and_then(|p| p.get(k));
                    if res.get("Type").and_then(Node::text) != Some("AWS::ApiGateway::Authorizer")
                        || get("Type").and_then(Node::text) != Some("COGNITO_USER_POOLS")
                    {
                        return Err(not_cognito(
                            &format!("the authorizer {rid}"),
                            "not a COGNITO_USER_POOLS AWS::ApiGateway::Authorizer",
                            id.line,
                        ));
                    }
                    let arns = get("ProviderARNs").ok_or((
                        res.line,
                        format!("the authorizer {rid} has no ProviderARNs"),
                    ))?;
                    if let Some(n) = cognito(self.r.ctx, rid, &self.r.list(arns)?, arns.line)? {
                        self.notes.borrow_mut().push(n);
                    }
                    if let Some(s) = get("IdentitySource") {
                        same_header(self.r.ctx, rid, &self.r.text(s)?, s.line)?;
                    }
                }
                _ if cognito_type => {
                    self.notes.borrow_mut().push(format!(
                        "line {line}: authorizerId names an authorizer outside the file: taken as a Cognito authorizer of the proxy's pool"
                    ));
                }
                _ => {
                    return Err((
                        line,
                        "authorizerId names an authorizer outside the file: add type: COGNITO_USER_POOLS (or !Ref the AWS::ApiGateway::Authorizer of resources)".into(),
                    ));
                }
            }
        } else if let Some(arn) = &arn {
            if !is_pool_arn(arn) && !cognito_type {
                return Err(not_cognito(
                    &format!("the authorizer {label}"),
                    "a Lambda authorizer (its arn is not a user pool's)",
                    line,
                ));
            }
            if let Some(n) = cognito(self.r.ctx, &label, std::slice::from_ref(arn), line)? {
                self.notes.borrow_mut().push(n);
            }
            if let Some(name) = &name {
                self.named.borrow_mut().push((name.clone(), line));
            }
        } else {
            let name = name.ok_or((
                line,
                "the authorizer has neither arn, authorizerId nor name".into(),
            ))?;
            if self.is_function(&name) {
                return Err(not_cognito(
                    &format!("the authorizer {name}"),
                    "a Lambda authorizer function",
                    line,
                ));
            }
            if !self.named.borrow().iter().any(|(n, _)| *n == name) {
                return Err((
                    line,
                    format!(
                        "no authorizer {name} declared (with its arn) on an earlier http event: give its type: COGNITO_USER_POOLS and arn here"
                    ),
                ));
            }
        }
        let source = match a.get("identitySource") {
            Some(s) => self.r.text(s)?,
            None => "method.request.header.Authorization".into(),
        };
        same_header(self.r.ctx, &label, &source, line)?;
        Ok(Auth::By {
            authorizer: Authorizer::Cognito,
            scopes: self.scopes(a.get("scopes"))?,
        })
    }

    /// An `httpApi` event's route.
    fn http_api(&self, body: &Node) -> Result<Route, Located> {
        let line = body.line;
        let (method, path, authorizer) = match body.text() {
            Some(_) => {
                let t = self.r.text(body)?;
                match t.trim() {
                    "*" => ("*".to_owned(), "*".to_owned(), None),
                    t => {
                        let (m, p) = t.split_once(' ').ok_or((
                            line,
                            format!("httpApi: {t:?}: expected \"METHOD /path\" or '*'"),
                        ))?;
                        (m.to_owned(), p.trim().to_owned(), None)
                    }
                }
            }
            None => {
                let path = body
                    .get("path")
                    .ok_or((line, "an httpApi event needs a path".into()))?;
                let method = match body.get("method") {
                    Some(m) => self.r.text(m)?,
                    None => "*".into(),
                };
                (method, self.r.text(path)?, body.get("authorizer"))
            }
        };
        // `'*'` is the `$default` route; a `*` method is ANY.
        let path = if path == "*" {
            "$default".to_owned()
        } else {
            path
        };
        let auth = match authorizer {
            None => Auth::None,
            Some(a) => {
                let (name, scopes) = match a.text() {
                    Some(_) => (self.r.text(a)?, Vec::new()),
                    None => {
                        if let Some(t) = a.get("type").map(|t| self.r.text(t)).transpose()?
                            && t.eq_ignore_ascii_case("aws_iam")
                        {
                            return Err(not_cognito("the authorizer", "AWS_IAM", a.line));
                        }
                        if a.get("id").is_some() {
                            return Err((
                                a.line,
                                "authorizer.id names an authorizer outside the file, whose issuer the proxy cannot know: declare it in provider.httpApi.authorizers".into(),
                            ));
                        }
                        let name = a
                            .get("name")
                            .ok_or((a.line, "the authorizer has no name".into()))?;
                        (self.r.text(name)?, self.scopes(a.get("scopes"))?)
                    }
                };
                Auth::By {
                    authorizer: self.jwt_authorizer(&name, a.line)?,
                    scopes,
                }
            }
        };
        Route::new(&method, &path, auth, self.origin(line)).map_err(|e| (line, e))
    }

    /// `provider.httpApi.authorizers.<name>`, a JWT authorizer.
    fn jwt_authorizer(&self, name: &str, line: usize) -> Result<Authorizer, Located> {
        let a = self
            .root
            .get("provider")
            .and_then(|p| p.get("httpApi"))
            .and_then(|h| h.get("authorizers"))
            .and_then(|a| a.get(name))
            .ok_or((
                line,
                format!("no authorizer {name} in provider.httpApi.authorizers"),
            ))?;
        if let Some(t) = a.get("type")
            && !self.r.text(t)?.eq_ignore_ascii_case("jwt")
        {
            return Err(not_cognito(
                &format!("the authorizer {name}"),
                "a Lambda authorizer",
                a.line,
            ));
        }
        let issuer = a
            .get("issuerUrl")
            .ok_or((a.line, format!("the authorizer {name} has no issuerUrl")))?;
        let audience = a
            .get("audience")
            .ok_or((a.line, format!("the authorizer {name} has no audience")))?;
        let source = match a.get("identitySource") {
            Some(s) => self.r.text(s)?,
            None => "$request.header.Authorization".into(),
        };
        same_header(self.r.ctx, name, &source, a.line)?;
        jwt(
            self.r.ctx,
            name,
            &self.r.text(issuer)?,
            self.r.list(audience)?,
            issuer.line,
        )
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
        let apis = read("serverless.yml", &root, Resolver::serverless(ctx, &root))
            .map_err(|(l, e)| format!("line {l}: {e}"))?;
        into_table(apis, "serverless.yml", ctx).map_err(|e| e.to_string())
    }

    const FILE: &str = "\
service: s
frameworkVersion: '3'
custom:
  poolArn: arn:aws:cognito-idp:${aws:region}:1:userpool/${opt:poolId}
provider:
  name: aws
  region: us-east-1
  httpApi:
    cors: true
    authorizers:
      jwtAuth:
        identitySource: $request.header.Authorization
        issuerUrl: https://cognito-idp.${aws:region}.amazonaws.com/${opt:poolId}
        audience:
          - ${env:CLIENT_ID}
functions:
  items:
    handler: h.items
    events:
      - http:
          path: items/{id}
          method: get
      - http:
          path: items/secret
          method: get
          cors: true
          authorizer:
            name: pool
            type: COGNITO_USER_POOLS
            arn: ${self:custom.poolArn}
      - http:
          path: admin/{proxy+}
          method: any
          authorizer:
            name: pool
            scopes: [api/admin]
      - http: GET health
      - httpApi:
          method: GET
          path: /things
          authorizer:
            name: jwtAuth
            scopes: [api/read]
      - httpApi: 'GET /open'
      - httpApi: '*'
";

    fn ctx() -> TemplateContext {
        let mut c = test_context();
        c.parameters = vec![
            ("poolId".into(), "us-east-1_Pool".into()),
            ("env:CLIENT_ID".into(), "client1".into()),
        ];
        c
    }

    #[test]
    fn http_events_with_cognito_authorizers_named_reuse_and_cors() {
        let mut c = ctx();
        let e = table(FILE, &c).unwrap_err();
        assert!(
            e.contains("2 APIs") && e.contains("ApiGatewayRestApi") && e.contains("HttpApi"),
            "{e}"
        );
        c.api = Some(ApiType::Rest);
        let t = table(FILE, &c).unwrap();
        let s = summary(&t);
        for want in [
            "GET /items/{id} open",
            "GET /items/secret cognito []",
            "OPTIONS /items/secret open",
            "ANY /admin/{proxy+} cognito [api/admin]",
            "GET /health open",
        ] {
            assert!(s.contains(&want.to_owned()), "{want}: {s:?}");
        }
        assert_eq!(s.len(), 5, "{s:?}");
        let [Some(Decision::Route(i)), None] = t.decide("GET", "/items/secret", false) else {
            panic!()
        };
        assert_eq!(s[i], "GET /items/secret cognito []");
    }

    #[test]
    fn http_api_events_with_jwt_authorizers_and_the_catch_all() {
        let mut c = ctx();
        c.api = Some(ApiType::Http);
        let t = table(FILE, &c).unwrap();
        let jwt = "jwt https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool client1";
        assert_eq!(
            summary(&t),
            [
                "GET /open open".to_owned(),
                format!("GET /things {jwt} [api/read]"),
                "ANY $default open".to_owned(),
            ]
        );
        assert_eq!(
            t.decide("OPTIONS", "/things", true),
            [Some(Decision::Preflight), None]
        );
    }

    #[test]
    fn variables_that_name_the_pool_must_be_given_and_agree() {
        let mut c = ctx();
        c.api = Some(ApiType::Http);
        c.parameters.retain(|(n, _)| n != "env:CLIENT_ID");
        let e = table(FILE, &c).unwrap_err();
        assert!(
            e.starts_with("line 15:") && e.contains("--parameter env:CLIENT_ID=VALUE"),
            "{e}"
        );
        let mut c = ctx();
        c.api = Some(ApiType::Rest);
        c.parameters[0].1 = "us-east-1_Other".into();
        let e = table(FILE, &c).unwrap_err();
        assert!(e.contains("--user-pool-id us-east-1_Other"), "{e}");
        c.parameters.remove(0);
        let e = table(FILE, &c).unwrap_err();
        assert!(e.contains("--parameter poolId=VALUE"), "{e}");
        // A Lambda authorizer (a function of the service) is refused.
        let lambda = FILE.replace(
            "            name: pool\n            scopes",
            "            name: items\n            scopes",
        );
        let e = table(&lambda, &ctx()).unwrap_err();
        assert!(e.contains("a Lambda authorizer function"), "{e}");
    }
}

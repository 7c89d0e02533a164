//! The proxy reading a SAM template, in front of the recording upstream.
//! `sam local start-api` cannot run here (it pulls Lambda images from a
//! registry this machine cannot reach), so the upstream is a plain server:
//! what is tested is the proxy's reading of the template and its verdicts.

use super::*;

/// A SAM template with the pool and client as its own resources (they are
/// `--user-pool-id` and `--client-id`), the open `{id}` route declared
/// before the protected literal one (issue 21's High case), and a scope.
const TEMPLATE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  AdminScope:
    Type: String
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        DefaultAuthorizer: Pool
        Authorizers:
          Pool:
            UserPoolArn: !GetAtt UserPool.Arn
  Items:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Events:
        Open:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: '/items/{id}', Method: get, Auth: {Authorizer: NONE}}
        Secret:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /items/secret, Method: get}
        Admin:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /admin
            Method: post
            Auth:
              AuthorizationScopes:
                - !Ref AdminScope
";

#[test]
fn a_sam_template_behind_the_proxy() {
    let w = world();
    let up = Upstream::start();
    let file = w.dir.path().join("template.yaml");
    std::fs::write(&file, TEMPLATE).unwrap();
    let file = file.to_str().unwrap();

    // The scope is a parameter without a default: a one-line error naming
    // the file, the line and the flag that answers it; exit 2.
    let out = w
        .cmd(&["proxy", "--upstream", &up.url(), "--template", file])
        .run();
    let err = out.fails(2, "--parameter AdminScope=VALUE");
    assert!(err.contains(&format!("{file} line 38:")), "{err}");

    let p = Proxy::start(
        &w,
        &up.url(),
        &["--template", file, "--parameter", "AdminScope=api/admin"],
    );
    // The table, in match order, printed without --log.
    let stderr = p.stderr();
    let routes: Vec<&str> = stderr.lines().filter(|l| l.contains(": route ")).collect();
    assert_eq!(routes.len(), 3, "{stderr}");
    assert!(
        routes[0].contains("route 1: GET /items/secret: Cognito authorizer ("),
        "{stderr}"
    );
    assert!(
        routes[1].contains("route 2: GET /items/{id}: open"),
        "{stderr}"
    );
    assert!(
        routes[2].contains("route 3: POST /admin: Cognito authorizer, scopes api/admin"),
        "{stderr}"
    );

    let (pool, client) = (&w.pool, &w.client.id);
    let id = w.stub.sign_id_token(pool, client, "alice", json!({}));
    let admin = w
        .stub
        .sign_access_token(pool, client, "alice", json!({"scope": "api/admin"}));
    for (what, method, path, token) in [
        (
            "no token on the literal route",
            "GET",
            "/items/secret",
            None,
        ),
        (
            "an ID token where a scope is wanted",
            "POST",
            "/admin",
            Some(&id),
        ),
    ] {
        let before = up.count();
        let headers: Vec<(&str, &str)> = token
            .map(|t| vec![("Authorization", t.as_str())])
            .unwrap_or_default();
        assert_refused(&get(&p.addr, method, path, &headers), UNAUTHORIZED, what);
        assert_eq!(up.count(), before, "{what}: reached the upstream");
    }
    for (method, path, token) in [
        ("GET", "/items/secret", Some(&id)),
        ("GET", "/items/1", None),
        ("POST", "/admin", Some(&admin)),
    ] {
        let headers: Vec<(&str, &str)> = token
            .map(|t| vec![("Authorization", t.as_str())])
            .unwrap_or_default();
        let r = get(&p.addr, method, path, &headers);
        assert_eq!(r.status, 200, "{method} {path}: {r:?}");
    }
    // The template is the whole API.
    let before = up.count();
    let r = get(&p.addr, "GET", "/other", &[("Authorization", &id)]);
    assert_eq!(
        (r.status, r.text()),
        (
            403,
            r#"{"message":"Missing Authentication Token"}"#.to_owned()
        )
    );
    assert_eq!(up.count(), before);
}

#[test]
fn a_template_for_another_pool_is_refused() {
    let w = world();
    let up = Upstream::start();
    let file = w.dir.path().join("other.yaml");
    let other = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Other";
    std::fs::write(&file, TEMPLATE.replace("!GetAtt UserPool.Arn", other)).unwrap();
    let out = w
        .cmd(&[
            "proxy",
            "--upstream",
            &up.url(),
            "--template",
            file.to_str().unwrap(),
            "--parameter",
            "AdminScope=a",
        ])
        .run();
    out.fails(2, "pass --user-pool-id us-east-1_Other");
}

//! `ApiType::Rest` with the whole API known: a request no route matches
//! gets API Gateway's 403 `Missing Authentication Token` (gateway response
//! `MISSING_AUTHENTICATION_TOKEN`) and is not forwarded; ambiguous targets
//! are refused with 400 before any token is looked at.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_rest_api_answers_unknown_routes_itself() {
    let p = Pool::new();
    let (up, seen) = upstream().await;
    let mut t = RouteTable::new(Api::Rest, Authorizer::Cognito);
    t.push(route("GET", "/items/{id}", Auth::None)).unwrap();
    t.push(route(
        "GET",
        "/items/secret",
        scoped(&Authorizer::Cognito, &[]),
    ))
    .unwrap();
    t.set_whole_api();
    let r = start(&p, &up, t).await;
    let id = p.id(json!({}));

    for (method, target) in [("GET", "/other"), ("POST", "/items/1"), ("GET", "/items")] {
        let resp = send(&r.addr, method, target, &[("Authorization", &id)]).await;
        assert_eq!(resp.status, 403, "{method} {target}: {resp:?}");
        assert_eq!(resp.body, r#"{"message":"Missing Authentication Token"}"#);
        assert_eq!(
            resp.header("x-amzn-errortype"),
            Some("MissingAuthenticationTokenException")
        );
    }
    // The literal route wins over the earlier parameter route.
    let resp = send(&r.addr, "GET", "/items/secret", &[]).await;
    assert_eq!(resp.status, 401, "{resp:?}");
    for target in [
        "/items/secret;x",
        "/items//secret",
        "/items%2Fsecret",
        "http://x/items/1",
    ] {
        let resp = send(&r.addr, "GET", target, &[("Authorization", &id)]).await;
        assert_eq!(resp.status, 400, "{target}: {resp:?}");
    }
    assert_eq!(seen.count(), 0);
    // The canonical request is what the upstream gets.
    let resp = send(
        &r.addr,
        "get",
        "/items/%73ecret/?q=%2F",
        &[("Authorization", &id)],
    )
    .await;
    assert_eq!(resp.status, 200, "{resp:?}");
    assert!(
        seen.last()
            .starts_with("GET /items/secret?q=%2F HTTP/1.1\r\n"),
        "{}",
        seen.last()
    );
}

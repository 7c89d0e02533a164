//! The authorization code grant: the login page, single-use bound codes,
//! PKCE, expiry, and confidential clients redeeming with HTTP Basic.

use super::*;

#[test]
fn code_flow_through_the_login_page() {
    let c = code_fx();
    let stub = &c.f.stub;
    let (verifier, challenge) = pkce();
    let state = "a b&c=d/é";
    let page = authorize(
        stub,
        &[
            ("response_type", "code"),
            ("client_id", &c.web.id),
            ("redirect_uri", CALLBACK),
            ("scope", "openid email rs/read"),
            ("state", state),
            ("nonce", "n-0S6"),
            ("code_challenge_method", "S256"),
            ("code_challenge", &challenge),
        ],
    );
    let session = session_of(&page);
    assert!(!page.body.contains("id=\"error\""));
    // The page can be shown again by its session.
    assert_eq!(
        session_of(&get_path(stub, &format!("/login?session={session}"))),
        session
    );

    // Wrong password, unknown user: the form again with Cognito's message, no redirect.
    for (u, p) in [("alice", "wrong"), ("bob", "Passw0rd!")] {
        let r = login(stub, &session, u, p);
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.header("location").is_none());
        assert!(
            r.body
                .contains("<p id=\"error\" role=\"alert\">Incorrect username or password.</p>"),
            "{}",
            r.body
        );
        assert_eq!(session_of(&r), session);
    }
    let q = redirected(&login(stub, &session, "alice", "Passw0rd!"), CALLBACK);
    assert_eq!(q["state"], state);
    assert_eq!(q.len(), 2, "{q:?}");
    // The sign-in session is single use.
    assert_eq!(login(stub, &session, "alice", "Passw0rd!").status, 400);

    let v = ok(&c.redeem(
        Some(&c.web_basic()),
        &[
            ("code", &q["code"]),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
    ));
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    let id = verify(
        stub,
        &c.f.pool,
        v["id_token"].as_str().unwrap(),
        Some(&c.web.id),
    );
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["nonce"], "n-0S6");
    let at = v["access_token"].as_str().unwrap();
    let access = verify(stub, &c.f.pool, at, None);
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["scope"], "openid email rs/read");
    assert_eq!(access["username"], "alice");
    assert_eq!(access["client_id"], c.web.id.as_str());
    assert_eq!(access["sub"], id["sub"]);
    assert!(access.get("aud").is_none());
    // at_hash: left half of SHA-256 of the access token (OIDC Core §3.1.3.6).
    {
        use sha2::{Digest, Sha256};
        let d = Sha256::digest(at.as_bytes());
        assert_eq!(
            id["at_hash"],
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&d[..16])
        );
    }
    let refresh = v["refresh_token"].as_str().unwrap().to_owned();

    // Refresh: new ID and access tokens, no refresh token.
    let v = ok(&token(
        stub,
        Some(&c.web_basic()),
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    ));
    assert!(v.get("refresh_token").is_none(), "{v}");
    assert_eq!(
        claims(v["access_token"].as_str().unwrap())["scope"],
        "openid email rs/read"
    );
    assert_eq!(
        claims(v["id_token"].as_str().unwrap())["cognito:username"],
        "alice"
    );

    // The public client: no secret, client_id in the body, no ID token without openid.
    let (code, verifier) = c.code_for(&c.public.id, CALLBACK, "rs/read");
    let v = ok(&c.redeem(
        None,
        &[
            ("client_id", &c.public.id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
    ));
    assert!(v.get("id_token").is_none(), "{v}");
    assert_eq!(
        claims(v["access_token"].as_str().unwrap())["scope"],
        "rs/read"
    );
}

#[test]
fn codes_are_single_use_and_bound() {
    let c = code_fx();
    let auth = c.web_basic();
    // Reuse.
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    let pairs = [
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", &verifier),
    ];
    ok(&c.redeem(Some(&auth), &pairs));
    oauth_err(&c.redeem(Some(&auth), &pairs), 400, "invalid_grant");
    // Made up.
    oauth_err(
        &c.redeem(
            Some(&auth),
            &[
                ("code", "nosuchcode"),
                ("redirect_uri", CALLBACK),
                ("code_verifier", &verifier),
            ],
        ),
        400,
        "invalid_grant",
    );
    // Another client's code (and it is gone afterwards).
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    let stolen = [
        ("client_id", c.public.id.as_str()),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", &verifier),
    ];
    oauth_err(&c.redeem(None, &stolen), 400, "invalid_grant");
    oauth_err(
        &c.redeem(
            Some(&auth),
            &[
                ("code", &code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", &verifier),
            ],
        ),
        400,
        "invalid_grant",
    );
    // A registered redirect URI, but not the one the code was issued for.
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    oauth_err(
        &c.redeem(
            Some(&auth),
            &[
                ("code", &code),
                ("redirect_uri", OTHER_CALLBACK),
                ("code_verifier", &verifier),
            ],
        ),
        400,
        "invalid_grant",
    );
    // The other callback works for codes issued to it.
    let (code, verifier) = c.code_for(&c.web.id, OTHER_CALLBACK, "openid");
    ok(&c.redeem(
        Some(&auth),
        &[
            ("code", &code),
            ("redirect_uri", OTHER_CALLBACK),
            ("code_verifier", &verifier),
        ],
    ));
    // An unregistered redirect URI (a trailing slash): unauthorized_client.
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    let slash = format!("{CALLBACK}/");
    oauth_err(
        &c.redeem(
            Some(&auth),
            &[
                ("code", &code),
                ("redirect_uri", &slash),
                ("code_verifier", &verifier),
            ],
        ),
        400,
        "unauthorized_client",
    );
    // Missing parameters.
    oauth_err(
        &c.redeem(Some(&auth), &[("redirect_uri", CALLBACK)]),
        400,
        "invalid_request",
    );
    oauth_err(
        &c.redeem(Some(&auth), &[("code", &code)]),
        400,
        "invalid_request",
    );
}

#[test]
fn pkce_is_verified() {
    let c = code_fx();
    let auth = c.web_basic();
    let redeem_with = |verifier: Option<&str>| {
        let (code, _) = c.code_for(&c.web.id, CALLBACK, "openid");
        let mut pairs = vec![("code", code.as_str()), ("redirect_uri", CALLBACK)];
        if let Some(v) = verifier {
            pairs.push(("code_verifier", v));
        }
        c.redeem(Some(&auth), &pairs)
    };
    let (other_verifier, _) = pkce();
    oauth_err(&redeem_with(None), 400, "invalid_grant");
    oauth_err(&redeem_with(Some(&other_verifier)), 400, "invalid_grant");
    oauth_err(&redeem_with(Some("short")), 400, "invalid_grant");
    // The challenge itself is not the verifier ("plain" is not supported).
    let (verifier, challenge) = pkce();
    let page = authorize(
        &c.f.stub,
        &[
            ("response_type", "code"),
            ("client_id", &c.web.id),
            ("redirect_uri", CALLBACK),
            ("code_challenge_method", "S256"),
            ("code_challenge", &challenge),
        ],
    );
    let q = redirected(
        &login(&c.f.stub, &session_of(&page), "alice", "Passw0rd!"),
        CALLBACK,
    );
    assert!(!q.contains_key("state"));
    oauth_err(
        &c.redeem(
            Some(&auth),
            &[
                ("code", &q["code"]),
                ("redirect_uri", CALLBACK),
                ("code_verifier", &challenge),
            ],
        ),
        400,
        "invalid_grant",
    );
    let _ = verifier;
}

#[test]
fn codes_expire_after_five_minutes() {
    let c = code_fx();
    let auth = c.web_basic();
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    c.f.stub.set_time_offset(299);
    ok(&c.redeem(
        Some(&auth),
        &[
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
    ));
    c.f.stub.set_time_offset(0);
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    c.f.stub.set_time_offset(301);
    oauth_err(
        &c.redeem(
            Some(&auth),
            &[
                ("code", &code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", &verifier),
            ],
        ),
        400,
        "invalid_grant",
    );
}

#[test]
fn confidential_clients_redeem_codes_with_basic_only() {
    let c = code_fx();
    let secret = c.web.secret.as_deref().unwrap();
    let (code, verifier) = c.code_for(&c.web.id, CALLBACK, "openid");
    let base = [
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", &verifier),
    ];
    fn with<'a>(
        base: &[(&'a str, &'a str)],
        extra: &[(&'a str, &'a str)],
    ) -> Vec<(&'a str, &'a str)> {
        let mut p = base.to_vec();
        p.extend_from_slice(extra);
        p
    }
    oauth_err(
        &c.redeem(None, &with(&base, &[("client_id", &c.web.id)])),
        400,
        "invalid_client",
    );
    oauth_err(
        &c.redeem(
            None,
            &with(
                &base,
                &[("client_id", &c.web.id), ("client_secret", secret)],
            ),
        ),
        400,
        "invalid_client",
    );
    oauth_err(
        &c.redeem(Some(&basic(&c.web.id, "nope")), &base),
        400,
        "invalid_client",
    );
    // A public client must not send a secret.
    oauth_err(
        &c.redeem(Some(&basic(&c.public.id, "x")), &base),
        400,
        "invalid_client",
    );
    // Client authentication failures do not use the code up.
    ok(&c.redeem(Some(&c.web_basic()), &base));
}

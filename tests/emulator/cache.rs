//! The token cache through the CLI: `token` from the cache with no
//! request, refresh with the SECRET_HASH over the internal username, and
//! `logout`. Every run of a test shares one HOME; requests are counted by
//! a recorder in front of the emulator (the cache key includes the
//! endpoint, so every run goes through it).

use cognito_token_core::secret_hash;

use crate::support::{Client, Emu, Home, Recorder, claims};

pub async fn second_token_call_makes_no_request(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let home = Home::new();
    let rec = Recorder::start(&p.endpoint);
    let first = home
        .cli(["login"])
        .identity_at(&p, Client::Secret, &user, rec.endpoint())
        .password(&password)
        .run()
        .line();
    assert_eq!(rec.operations(), ["InitiateAuth"]);
    rec.clear();

    // No password source: only the cache can answer.
    let out = home
        .cli(["token"])
        .identity_at(&p, Client::Secret, &user, rec.endpoint())
        .run();
    assert_eq!(out.line(), first);
    let out = home
        .cli(["token", "--output", "json"])
        .identity_at(&p, Client::Secret, &user, rec.endpoint())
        .run();
    let v: serde_json::Value = serde_json::from_str(&out.line()).unwrap();
    assert_eq!(v["id_token"], serde_json::json!(first));
    assert!(
        rec.requests().is_empty(),
        "the cache was not used: {:?}",
        rec.operations()
    );

    // One 0600 file in a 0700 directory, without the password or the secret.
    use std::os::unix::fs::PermissionsExt as _;
    let files = home.cache_entries();
    assert_eq!(files.len(), 1, "{files:?}");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&files[0]), 0o600);
    assert_eq!(mode(&home.cache_dir()), 0o700);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(!text.contains(&password), "the cache holds the password");
    assert!(
        !text.contains(p.client_secret.expose()),
        "the cache holds the client secret"
    );

    // Another user of the same client is another cache entry: it needs a
    // password, which it does not have.
    home.cli(["token"])
        .identity_at(&p, Client::Secret, "someone-else", rec.endpoint())
        .run()
        .fails(2, "no valid cached token");
}

pub async fn refresh_hashes_over_the_internal_username(emu: Emu) {
    // An email-as-username user with a temporary password: the sign-in goes
    // through NEW_PASSWORD_REQUIRED, which names the internal user.
    let (p, email, password, internal) = emu.email_pool_with_user(true).await;

    let home = Home::new();
    let rec = Recorder::start(&p.endpoint);
    let first = home
        .cli(["login", "--keep-password"])
        .identity_at(&p, Client::Secret, &email, rec.endpoint())
        .password(&password)
        .run()
        .line();
    rec.clear();

    // Tokens live an hour: asking for more forces REFRESH_TOKEN_AUTH. No
    // password source, so a refused refresh could not fall back to a
    // sign-in: success means the emulator took the refresh.
    let out = home
        .cli(["token", "--min-ttl", "999999"])
        .identity_at(&p, Client::Secret, &email, rec.endpoint())
        .run();
    if emu == Emu::CognitoLocal {
        // cognito-local stores the refresh tokens of challenge-free
        // sign-ins only (its RespondToAuthChallenge never does), so it
        // refuses this one; the refresh was still REFRESH_TOKEN_AUTH with
        // the hash over the internal username.
        out.fails(2, "no valid cached token");
        assert!(
            out.stderr()
                .contains("refreshing failed (NotAuthorizedException: User not authorized)"),
            "{}",
            out.stderr()
        );
        assert_eq!(
            rec.operations(),
            ["GetTokensFromRefreshToken", "InitiateAuth"]
        );
        assert_eq!(
            rec.requests()[1].json()["AuthParameters"]["SECRET_HASH"],
            serde_json::json!(secret_hash(&p.client_secret, &internal, &p.client_id).expose())
        );
        return;
    }
    let refreshed = out.line();
    assert!(
        !out.stderr().contains("refreshing failed"),
        "{}",
        out.stderr()
    );
    let reqs = rec.requests();
    let hash = |name: &str| {
        secret_hash(&p.client_secret, name, &p.client_id)
            .expose()
            .to_owned()
    };
    match emu {
        // moto does not know GetTokensFromRefreshToken: REFRESH_TOKEN_AUTH.
        Emu::Moto => {
            assert_eq!(
                rec.operations(),
                ["GetTokensFromRefreshToken", "InitiateAuth"]
            );
            let body = reqs[1].json();
            assert_eq!(body["AuthFlow"], serde_json::json!("REFRESH_TOKEN_AUTH"));
            // moto checks the refresh SECRET_HASH against the username it
            // stored with the refresh token: here the internal one, named by
            // the NEW_PASSWORD_REQUIRED answer. Cognito checks the internal
            // one too.
            assert_eq!(
                body["AuthParameters"]["SECRET_HASH"],
                serde_json::json!(hash(&internal))
            );
        }
        // fakecloud knows it: the client secret itself, no hash.
        Emu::Fakecloud => {
            assert_eq!(rec.operations(), ["GetTokensFromRefreshToken"]);
            let body = reqs[0].json();
            assert_eq!(
                body["ClientSecret"],
                serde_json::json!(p.client_secret.expose())
            );
            assert!(body.get("SecretHash").is_none());
        }
        Emu::CognitoLocal => unreachable!("the refresh was refused above"),
    }
    assert_ne!(hash(&internal), hash(&email));

    assert_ne!(refreshed, first, "a new ID token");
    let c = claims(&refreshed);
    assert_eq!(c["cognito:username"], serde_json::json!(internal));
    assert_eq!(c["aud"], serde_json::json!(p.client_id));

    // The refreshed tokens are cached, refresh token kept.
    rec.clear();
    let again = home
        .cli(["token"])
        .identity_at(&p, Client::Secret, &email, rec.endpoint())
        .run();
    assert_eq!(again.line(), refreshed);
    let rt = home
        .cli(["token", "--token", "refresh"])
        .identity_at(&p, Client::Secret, &email, rec.endpoint())
        .run()
        .line();
    assert!(!rt.is_empty());
    assert!(rec.requests().is_empty(), "{:?}", rec.operations());
}

pub async fn refresh_after_a_challenge_free_email_sign_in(emu: Emu) {
    // A confirmed email-as-username user signs in with USER_PASSWORD_AUTH
    // and gets tokens at once (no challenge names the internal user).
    let (p, email, password, _) = emu.email_pool_with_user(false).await;

    let home = Home::new();
    home.cli(["login"])
        .identity(&p, Client::Secret, &email)
        .password(&password)
        .run()
        .line();
    let out = home
        .cli(["token", "--min-ttl", "999999"])
        .identity(&p, Client::Secret, &email)
        .run();
    match emu {
        // moto stores the name the user typed (the email) with this refresh
        // token and checks the refresh SECRET_HASH over it; the CLI hashes
        // over cognito:username (the sub), as Cognito requires, so moto
        // refuses the refresh. With no password to sign in again, `token`
        // says what to do.
        Emu::Moto => {
            out.fails(2, "no valid cached token");
            assert!(
                out.stderr().contains("refreshing failed"),
                "{}",
                out.stderr()
            );
        }
        // Cognito accepts the hash over the internal username. (Expected of
        // fakecloud; to be confirmed.) cognito-local checks no SECRET_HASH
        // on refresh (it finds the user by the refresh token).
        Emu::Fakecloud | Emu::CognitoLocal => {
            out.line();
        }
    }
}

pub async fn logout_forgets_the_tokens(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let home = Home::new();
    home.cli(["login"])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .run()
        .line();
    assert_eq!(home.cache_entries().len(), 1);

    let out = home
        .cli(["logout"])
        .identity(&p, Client::Secret, &user)
        .run();
    out.assert_success();
    assert_eq!(out.stdout(), "");
    let stderr = out.stderr();
    assert!(stderr.contains("forgot the cached tokens"), "{stderr}");
    match emu {
        // moto does not implement RevokeToken: the CLI warns and forgets
        // the tokens locally.
        Emu::Moto => assert!(stderr.contains("could not revoke"), "{stderr}"),
        Emu::Fakecloud | Emu::CognitoLocal => {
            assert!(stderr.contains("revoked the refresh token"), "{stderr}")
        }
    }
    assert!(
        home.cache_entries().is_empty(),
        "{:?}",
        home.cache_entries()
    );

    home.cli(["token"])
        .identity(&p, Client::Secret, &user)
        .run()
        .fails(2, "no valid cached token");

    // A second logout has nothing to forget and still succeeds.
    let out = home
        .cli(["logout"])
        .identity(&p, Client::Secret, &user)
        .run();
    out.assert_success();
    assert!(
        out.stderr().contains("no cached tokens"),
        "{}",
        out.stderr()
    );
}

//! The reusable `Verifier`: keys in memory, shared by clones, one fetch at
//! a time, refetch rules, and the JWKS disk cache's trust.

use super::*;

#[tokio::test]
async fn a_verifier_verifies_from_memory_without_disk_or_network() {
    let (k1, _) = keys();
    let srv = serve("200 OK", jwks(&[k1])).await;
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("c");
    let v = Verifier::new(opts(&srv.url, Some(&cache_dir)));
    v.verify_at(&k1.token(&id_claims()), NOW).await.unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 1);
    assert!(cache_dir.exists());

    // Take the disk cache away: a verification that read or wrote it would
    // fail or re-create it; one that fetched would count a hit.
    std::fs::remove_dir_all(&cache_dir).unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let v = v.clone();
        let t = if i % 2 == 0 {
            k1.token(&id_claims())
        } else {
            k1.token(&access_claims())
        };
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                v.verify_at(&t, NOW).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        srv.hits.load(Ordering::SeqCst),
        1,
        "no network after the first load"
    );
    assert!(!cache_dir.exists(), "no disk after the first load");
    assert_eq!(v.jwks_url(), srv.url);
    assert_eq!(v.issuer(), default_issuer(REGION, POOL));
}

#[tokio::test]
async fn concurrent_first_use_fetches_once() {
    let (k1, _) = keys();
    let srv = serve("200 OK", jwks(&[k1])).await;
    let v = Verifier::new(opts(&srv.url, None));
    let t = k1.token(&id_claims());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (v, t) = (v.clone(), t.clone());
            tokio::spawn(async move { v.verify_at(&t, NOW).await.map(|_| ()) })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(srv.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn unknown_kids_do_not_hammer_the_jwks_url() {
    let (k1, k2) = keys();
    let srv = serve("200 OK", jwks(&[k1])).await;
    let v = Verifier::new(opts(&srv.url, None));
    v.verify_at(&k1.token(&id_claims()), NOW).await.unwrap();
    // Made-up kids right after a network fetch: rejected without fetching.
    for kid in ["a", "b", "c", k2.kid] {
        let t = k1.sign(&json!({"alg": "RS256", "kid": kid}), &id_claims());
        let err = v.verify_at(&t, NOW).await.unwrap_err();
        assert!(matches!(err, VerifyError::UnknownKey { .. }), "{err:?}");
    }
    assert_eq!(srv.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_verifier_refetches_for_a_kid_missing_from_the_disk_cache() {
    let (k1, k2) = keys();
    let srv = serve("200 OK", jwks(&[k1])).await;
    let dir = tempfile::tempdir().unwrap();
    let o = opts(&srv.url, Some(&dir.path().join("cache")));
    Verifier::new(o.clone())
        .verify_at(&k1.token(&id_claims()), NOW)
        .await
        .unwrap();
    // The pool rotated its keys; a new process's verifier finds the old
    // JWKS on disk, misses k2, refetches once.
    *srv.body.lock().unwrap() = jwks(&[k1, k2]);
    let v = Verifier::new(o);
    v.verify_at(&k2.token(&id_claims()), NOW).await.unwrap();
    v.verify_at(&k1.token(&id_claims()), NOW).await.unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn several_client_ids() {
    let (k1, _) = keys();
    let srv = serve("200 OK", jwks(&[k1])).await;
    let v = Verifier::new(opts(&srv.url, None)).with_client_ids(["web", "", "cli"]);
    for c in ["web", "cli"] {
        v.verify_at(&k1.token(&with(id_claims(), "aud", json!(c))), NOW)
            .await
            .unwrap();
        v.verify_at(
            &k1.token(&with(access_claims(), "client_id", json!(c))),
            NOW,
        )
        .await
        .unwrap();
    }
    let err = v.verify_at(&k1.token(&id_claims()), NOW).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "wrong audience: token is for client client-abc, expected web or cli"
    );
    // No ids: no audience check.
    let any = Verifier::new(opts(&srv.url, None)).with_client_ids(Vec::<String>::new());
    any.verify_at(&k1.token(&with(id_claims(), "aud", json!("x"))), NOW)
        .await
        .unwrap();
}

/// A key is used only for RS256 signatures: `use` absent or `sig`, `alg`
/// absent or RS256 (empty counts as absent, as in aws-jwt-verify).
#[tokio::test]
async fn only_signature_keys_for_rs256_are_used() {
    let (k1, _) = keys();
    let t = k1.token(&id_claims());
    let strip = |names: &[&str]| {
        let mut k = k1.jwk();
        for n in names {
            k.as_object_mut().unwrap().remove(*n);
        }
        k
    };
    for jwk in [
        strip(&["use"]),
        strip(&["alg"]),
        strip(&["use", "alg"]),
        with(k1.jwk(), "use", json!("")),
        with(k1.jwk(), "alg", json!("")),
    ] {
        let srv = serve("200 OK", json!({ "keys": [jwk.clone()] }).to_string()).await;
        verify_at(&t, &opts(&srv.url, None), NOW)
            .await
            .unwrap_or_else(|e| panic!("{jwk}: {e}"));
    }
    for (jwk, why) in [
        (with(k1.jwk(), "use", json!("enc")), "not signatures"),
        (with(k1.jwk(), "alg", json!("RS384")), "not RS256"),
        (with(k1.jwk(), "alg", json!("RSA-OAEP")), "not RS256"),
        (with(k1.jwk(), "kty", json!("oct")), "not RSA"),
    ] {
        let srv = serve("200 OK", json!({ "keys": [jwk.clone()] }).to_string()).await;
        let err = verify_at(&t, &opts(&srv.url, None), NOW).await.unwrap_err();
        assert!(err.to_string().contains(why), "{jwk}: {err}");
    }
}

/// A JWKS cache file that someone else could have written (SECURITY.md,
/// trust rules) is never used: a planted attacker key must not verify.
#[tokio::test]
async fn a_planted_jwks_cache_is_not_trusted() {
    use std::os::unix::fs::PermissionsExt as _;
    let (k1, k2) = keys();
    let srv = serve("200 OK", jwks(&[k1])).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let o = opts(&srv.url, Some(&cache));
    verify_at(&k1.token(&id_claims()), &o, NOW).await.unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 1);
    let file = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("jwks-")
        })
        .expect("a JWKS cache file");
    // The attacker's key, planted in the cache record in place of the pool's.
    let text = std::fs::read_to_string(&file).unwrap();
    let mut record: serde_json::Value = serde_json::from_str(&text).unwrap();
    record["jwks"] = serde_json::from_str(&jwks(&[k2])).unwrap();
    let forged = k2.token(&id_claims());
    for (how, mode) in [("group-readable", 0o640), ("world-writable", 0o666)] {
        std::fs::write(&file, record.to_string()).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        assert!(
            verify_at(&forged, &o, NOW).await.is_err(),
            "{how}: a token signed by the planted key verified"
        );
    }
    // A private file with the same content would be used (so the test can
    // fail): the mode alone made the difference.
    std::fs::write(&file, record.to_string()).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    verify_at(&forged, &o, NOW).await.unwrap();
}

#[tokio::test]
async fn prefetch_loads_the_keys_once_before_the_first_token() {
    let (k1, _) = keys();
    let srv = serve("200 OK", jwks(&[k1])).await;
    let v = Verifier::new(opts(&srv.url, None));
    v.prefetch().await.unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 1, "fetched at prefetch");
    // Fresh keys in memory: neither a second prefetch nor a token fetches.
    v.prefetch().await.unwrap();
    v.verify_at(&k1.token(&id_claims()), NOW).await.unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 1);

    // A fresh disk cache is enough: no network.
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("c");
    Verifier::new(opts(&srv.url, Some(&cache_dir)))
        .prefetch()
        .await
        .unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 2);
    let cached = Verifier::new(opts(&srv.url, Some(&cache_dir)));
    cached.prefetch().await.unwrap();
    assert_eq!(
        srv.hits.load(Ordering::SeqCst),
        2,
        "read from the disk cache"
    );
    cached
        .verify_at(&k1.token(&id_claims()), NOW)
        .await
        .unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn prefetch_says_why_the_keys_cannot_be_had() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        jwks_url(&format!("http://{}/", l.local_addr().unwrap()), POOL)
    };
    let err = Verifier::new(opts(&dead, None))
        .prefetch()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            VerifyError::Jwks { problem: JwksProblem::Unreachable, url, .. } if *url == dead
        ),
        "{err:?}"
    );
    let srv = serve("200 OK", "<html>not a JWKS</html>".into()).await;
    let err = Verifier::new(opts(&srv.url, None))
        .prefetch()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::Jwks {
                problem: JwksProblem::NotAJwks,
                ..
            }
        ),
        "{err:?}"
    );
}

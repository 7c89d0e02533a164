//! Secret hygiene: at the most verbose settings (`-vvv`, `RUST_LOG=trace`,
//! which includes the AWS SDK's own logging), stderr shows no password,
//! client secret, SECRET_HASH, SRP proof, MFA code or token. The secrets
//! searched for are the ones that really went over the wire, read back from
//! the stub's request log, plus the tokens printed on stdout.

use crate::support::*;

const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENGbPxRfiCYEXAMPLEKEY";

fn wire_secrets(w: &World) -> Vec<String> {
    let mut out = Vec::new();
    for r in w.stub.requests() {
        for section in ["AuthParameters", "ChallengeResponses"] {
            if let Some(map) = r.body.get(section).and_then(|v| v.as_object()) {
                for (k, v) in map {
                    let secret_key = matches!(
                        k.as_str(),
                        "PASSWORD"
                            | "NEW_PASSWORD"
                            | "SECRET_HASH"
                            | "PASSWORD_CLAIM_SIGNATURE"
                            | "REFRESH_TOKEN"
                            | "SOFTWARE_TOKEN_MFA_CODE"
                    );
                    if secret_key && let Some(s) = v.as_str() {
                        out.push(s.to_owned());
                    }
                }
            }
        }
        for k in ["Token", "ClientSecret", "Session"] {
            if let Some(s) = r.body.get(k).and_then(|v| v.as_str()) {
                out.push(s.to_owned());
            }
        }
    }
    out
}

fn assert_clean(stderr: &str, secrets: &[String]) {
    assert!(
        !stderr.is_empty(),
        "the verbose run logged nothing: the test would prove nothing"
    );
    for s in secrets {
        // Six-digit codes can appear by chance in long logs (timestamps,
        // ports); everything else must never appear.
        if s.len() <= 6 {
            continue;
        }
        assert!(
            !stderr.contains(s.as_str()),
            "a secret ({} chars) reached stderr",
            s.len()
        );
        // Nor a large piece of one (e.g. a token's signature part).
        for part in s.split('.').filter(|p| p.len() >= 20) {
            assert!(!stderr.contains(part), "part of a secret reached stderr");
        }
    }
}

#[test]
fn most_verbose_logs_show_no_secret() {
    let w = World::with(
        PoolSpec {
            username_is_email: true,
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            ..Default::default()
        },
    );
    w.user(UserSpec {
        temporary: true,
        ..UserSpec::new("v@example.com", PW)
    });
    w.user(UserSpec {
        mfa: Mfa::Totp {
            secret_base32: TOTP_SECRET.into(),
        },
        ..UserSpec::new("m@example.com", PW)
    });
    let secret = w.client.secret.clone().unwrap();
    let mut stderr = String::new();
    let mut printed = Vec::new();
    for verbosity in [["-vvv", ""], ["", "trace"]] {
        let run = |args: &[&str], env: &[(&str, &str)]| {
            let mut a: Vec<&str> = Vec::new();
            if !verbosity[0].is_empty() {
                a.push(verbosity[0]);
            }
            a.extend_from_slice(args);
            let mut c = w.cmd(&a);
            if !verbosity[1].is_empty() {
                c = c.env("RUST_LOG", verbosity[1]);
            }
            for (k, v) in env {
                c = c.env(k, v);
            }
            c.run()
        };
        let user = "v@example.com";
        let pw = if printed.is_empty() { PW } else { NEW_PW };
        let outs = [
            run(
                &["login", "--username", user, "--output", "json"],
                &[("COGNITO_PASSWORD", pw), ("COGNITO_NEW_PASSWORD", NEW_PW)],
            ),
            run(
                &[
                    "login",
                    "--flow",
                    "srp",
                    "--username",
                    user,
                    "--output",
                    "json",
                ],
                &[("COGNITO_PASSWORD", NEW_PW)],
            ),
            run(
                &[
                    "token",
                    "--username",
                    user,
                    "--min-ttl",
                    "7200",
                    "--output",
                    "json",
                ],
                &[],
            ),
            run(
                &["login", "--username", "m@example.com", "--output", "json"],
                &[
                    ("COGNITO_PASSWORD", PW),
                    ("COGNITO_TOTP_SECRET", TOTP_SECRET),
                ],
            ),
            run(
                &["login", "--username", user, "--output", "json"],
                &[("COGNITO_PASSWORD", "Wrong-passw0rd")],
            ),
            run(
                &[
                    "login",
                    "--flow",
                    "admin",
                    "--username",
                    user,
                    "--output",
                    "json",
                    "--no-cache",
                ],
                &[
                    ("COGNITO_PASSWORD", NEW_PW),
                    ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                    ("AWS_SECRET_ACCESS_KEY", AWS_SECRET),
                ],
            ),
            run(&["logout", "--username", user], &[]),
        ];
        for o in &outs {
            stderr.push_str(&o.stderr);
            if o.code == 0 && o.stdout.starts_with('{') {
                let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
                for k in ["id_token", "access_token", "refresh_token"] {
                    if let Some(t) = v[k].as_str() {
                        printed.push(t.to_owned());
                    }
                }
            }
        }
    }
    assert!(
        printed.len() >= 11,
        "the flows did not all succeed: {stderr}"
    );
    let mut secrets = wire_secrets(&w);
    secrets.extend(printed);
    secrets.extend([
        PW.to_owned(),
        NEW_PW.to_owned(),
        "Wrong-passw0rd".to_owned(),
        secret,
        TOTP_SECRET.to_owned(),
        AWS_SECRET.to_owned(),
    ]);
    assert!(
        secrets
            .iter()
            .filter(|s| s.len() == 44 && s.ends_with('='))
            .count()
            >= 4,
        "SECRET_HASH values are searched for"
    );
    assert!(stderr.contains("TRACE"), "trace level was reached");
    assert_clean(&stderr, &secrets);
}

//! `aws-credentials` and `exec --aws-credentials` against the strict stub's
//! identity pools and STS: the outputs the AWS tools read, the cache, the
//! flows, endpoints per service, `logout`, and each bad input with its one
//! line and exit code. The service's messages are the stub's, each sourced
//! in FINDINGS-stub.md; the `credential_process` shape is the AWS CLI user
//! guide's ("Sourcing credentials with an external process").

use cognito_stub::{IdentityPoolSpec, RoleSpec, RoleTrust, TokenRoles, role_arn};

use crate::support::*;

struct Fx {
    w: World,
    pool: String,
}

/// The default world (a client with a secret) with `taro`, an identity
/// pool trusting its app client, and the pool's two roles.
fn fx(allow_unauthenticated: bool) -> Fx {
    let w = World::new();
    w.user(UserSpec::new("taro", PW));
    let pool = w.stub.add_identity_pool(IdentityPoolSpec {
        allow_unauthenticated,
        providers: vec![(w.pool.clone(), vec![w.client.id.clone()])],
        authenticated_role: Some(role_arn("Auth")),
        unauthenticated_role: Some(role_arn("Unauth")),
        ..IdentityPoolSpec::default()
    });
    w.stub
        .add_role(RoleSpec::trusting("Auth", &pool, RoleTrust::Authenticated));
    w.stub.add_role(RoleSpec::trusting(
        "Unauth",
        &pool,
        RoleTrust::Unauthenticated,
    ));
    Fx { w, pool }
}

impl Fx {
    /// `aws-credentials` for taro (the password in the environment).
    fn cmd(&self, extra: &[&str]) -> Cmd {
        self.w
            .cmd(&["aws-credentials", "--username", "taro"])
            .args(extra)
            .env("COGNITO_IDENTITY_POOL_ID", &self.pool)
            .env("COGNITO_PASSWORD", PW)
    }

    fn aws_files(&self) -> Vec<std::path::PathBuf> {
        std::fs::read_dir(self.w.cache_dir())
            .map(|d| {
                d.map(|e| e.unwrap().path())
                    .filter(|p| {
                        let n = p.file_name().unwrap().to_string_lossy().into_owned();
                        n.starts_with("aws-") && n.ends_with(".json")
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn json(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn aws_credentials_prints_the_credential_process_json_and_a_second_call_is_served_from_the_cache() {
    let f = fx(false);
    let line = f.cmd(&[]).run().line();
    let v = json(&line);
    // The AWS CLI's credential_process contract: these keys, Version 1,
    // Expiration in ISO 8601 (UTC).
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "AccessKeyId",
            "Expiration",
            "SecretAccessKey",
            "SessionToken",
            "Version"
        ]
    );
    assert_eq!(v["Version"], 1);
    let issued = f.w.stub.issued_credentials();
    assert_eq!(issued.len(), 1);
    assert_eq!(v["AccessKeyId"], issued[0].access_key_id.as_str());
    assert_eq!(issued[0].role_arn, role_arn("Auth"));
    let exp = v["Expiration"].as_str().unwrap();
    assert!(exp.ends_with('Z') && exp.contains('T'), "{exp}");
    // The identity is taro's, bound to his sub.
    let ids = f.w.stub.identities(&f.pool);
    assert_eq!(ids.len(), 1);
    assert_eq!(issued[0].identity_id.as_deref(), Some(ids[0].id.as_str()));
    // The GetId carried the user pool's provider name and the ID token.
    let get_id = &f.w.requests("GetId")[0];
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{}", f.w.pool);
    assert!(
        get_id.body["Logins"][&provider].is_string(),
        "{:?}",
        get_id.body
    );
    assert!(
        f.w.stub
            .requests()
            .iter()
            .all(|r| r.authorization.is_none()),
        "unsigned"
    );
    // Again, with no password at all: the cache, no request.
    f.w.stub.clear_requests();
    let again = f.cmd(&[]).env_remove("COGNITO_PASSWORD").run().line();
    assert_eq!(again, line);
    assert!(f.w.stub.requests().is_empty(), "{:?}", f.w.stub.requests());
    // One private file, with the credentials in it.
    use std::os::unix::fs::PermissionsExt as _;
    let files = f.aws_files();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Within --min-ttl of the expiration: new credentials for the same identity, no GetId.
    let fresh = json(&f.cmd(&["--min-ttl", "4000"]).run().line());
    assert_ne!(fresh["AccessKeyId"], v["AccessKeyId"]);
    assert!(f.w.requests("GetId").is_empty());
    assert_eq!(f.w.requests("GetCredentialsForIdentity").len(), 1);
}

#[test]
fn env_and_json_outputs() {
    let f = fx(false);
    let out = f.cmd(&["--output", "env"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let names: Vec<&str> = lines
        .iter()
        .map(|l| {
            l.strip_prefix("export ")
                .unwrap()
                .split('=')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(
        names,
        [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION"
        ]
    );
    // What a shell's eval makes of them is the credentials themselves.
    let shell = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{}\nprintf %s \"$AWS_ACCESS_KEY_ID\"", out.stdout))
        .output()
        .unwrap();
    let key = String::from_utf8(shell.stdout).unwrap();
    assert_eq!(key, f.w.stub.issued_credentials()[0].access_key_id);
    let v = json(&f.cmd(&["--output", "json"]).run().line());
    assert_eq!(v["IdentityId"], f.w.stub.identities(&f.pool)[0].id.as_str());
    assert_eq!(v["AccessKeyId"], key.as_str());
}

#[test]
fn the_basic_flow_assumes_the_role_as_the_user() {
    let f = fx(false);
    let v = json(
        &f.cmd(&[
            "--basic-flow",
            "--role-arn",
            &role_arn("Auth"),
            "--duration-seconds",
            "900",
        ])
        .run()
        .line(),
    );
    let issued = f.w.stub.issued_credentials();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].issued_by, "AssumeRoleWithWebIdentity");
    assert_eq!(issued[0].session_name, "taro", "the user's name by default");
    assert_eq!(v["AccessKeyId"], issued[0].access_key_id.as_str());
    let left = issued[0].expiration - cognito_token_core::now();
    assert!((890..=900).contains(&left), "{left}");
    assert_eq!(f.w.requests("GetOpenIdToken").len(), 1);
    // A session name of one's own.
    f.cmd(&[
        "--basic-flow",
        "--role-arn",
        &role_arn("Auth"),
        "--role-session-name",
        "ci-run.7",
    ])
    .run()
    .line();
    assert_eq!(f.w.stub.issued_credentials()[1].session_name, "ci-run.7");
    // A role that does not trust authenticated identities: STS refuses.
    f.cmd(&["--basic-flow", "--role-arn", &role_arn("Unauth")])
        .run()
        .fails(3, "does not trust this identity pool's identities");
}

#[test]
fn a_guest_identity_needs_no_sign_in_and_a_pool_without_guests_says_so() {
    let f = fx(true);
    // No client id, no username, no password: no sign-in at all.
    let out = Cmd::bare(
        f.w.dir.path(),
        &[
            "aws-credentials",
            "--unauthenticated",
            "--identity-pool-id",
            &f.pool,
        ],
    )
    .env("AWS_ENDPOINT_URL", &f.w.stub.endpoint())
    .run();
    json(&out.line());
    assert_eq!(
        f.w.stub.issued_credentials()[0].role_arn,
        role_arn("Unauth")
    );
    assert!(f.w.requests("InitiateAuth").is_empty());
    let g = fx(false);
    g.cmd(&["--unauthenticated"])
        .run()
        .fails(3, "allows no guest identities");
}

#[test]
fn a_custom_role_the_pool_does_not_map_is_refused() {
    let f = fx(false);
    // A pool with default roles: CustomRoleArn is refused (NotAuthorizedException).
    f.cmd(&["--role-arn", &role_arn("Auth")])
        .run()
        .fails(3, "does not let this user have the role");
    // With role mapping by token, a role the token does not list is refused too.
    f.w.stub.set_identity_pool(
        &f.pool,
        IdentityPoolSpec {
            providers: vec![(f.w.pool.clone(), vec![f.w.client.id.clone()])],
            authenticated_role: Some(role_arn("Auth")),
            token_roles: Some(TokenRoles {
                ambiguous: cognito_stub::AmbiguousRoleResolution::AuthenticatedRole,
            }),
            ..IdentityPoolSpec::default()
        },
    );
    f.cmd(&["--role-arn", &role_arn("Admin")])
        .run()
        .fails(3, "NotAuthorizedException");
}

#[test]
fn bad_input_is_one_line_with_what_to_fix() {
    let f = fx(false);
    // A user pool id where the identity pool's goes: usage, nothing sent.
    f.cmd(&["--identity-pool-id", "us-east-1_AbC123"])
        .run()
        .fails(2, "that is --user-pool-id");
    f.cmd(&["--identity-pool-id", "us-east-1:XYZ"])
        .run()
        .fails(2, "invalid identity pool id");
    f.cmd(&[])
        .env_remove("COGNITO_IDENTITY_POOL_ID")
        .run()
        .fails(2, "no identity pool: pass --identity-pool-id");
    f.cmd(&["--role-arn", "Admin"])
        .run()
        .fails(2, "invalid --role-arn");
    f.cmd(&[
        "--basic-flow",
        "--role-arn",
        &role_arn("Auth"),
        "--role-session-name",
        "a b",
    ])
    .run()
    .fails(2, "invalid --role-session-name");
    // clap's own: --basic-flow without --role-arn, a duration STS refuses.
    let out = f.cmd(&["--basic-flow"]).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    let out = f
        .cmd(&[
            "--basic-flow",
            "--role-arn",
            &role_arn("Auth"),
            "--duration-seconds",
            "60",
        ])
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(f.w.stub.requests().is_empty(), "{:?}", f.w.stub.requests());
    // An identity pool that does not exist (the right shape): the service's refusal.
    f.cmd(&[
        "--identity-pool-id",
        "us-east-1:00000000-0000-0000-0000-000000000000",
    ])
    .run()
    .fails(3, "check --identity-pool-id");
    // client credentials have no user's ID token.
    f.cmd(&[
        "--flow",
        "client-credentials",
        "--domain",
        "https://auth.example.com",
    ])
    .run()
    .fails(2, "--flow client-credentials gives no ID token");
}

#[test]
fn an_id_token_of_a_pool_or_client_the_identity_pool_does_not_know_is_refused() {
    let f = fx(false);
    // Another app client of the same user pool, not listed by the identity pool.
    let other = f.w.stub.add_client(&f.w.pool, ClientSpec::default());
    f.cmd(&[])
        .env("COGNITO_CLIENT_ID", &other.id)
        .env_remove("COGNITO_CLIENT_SECRET")
        .run()
        .fails(3, "add the app client");
    // The token of the right client, but the provider named for another user pool.
    let e = f
        .cmd(&["--user-pool-id", "us-east-1_Other1"])
        .run()
        .fails(3, "Invalid login token");
    assert!(e.contains("check that --user-pool-id"), "{e}");
}

#[test]
fn an_id_token_the_service_finds_expired_is_a_refusal_with_what_to_do() {
    let f = fx(false);
    f.w.cmd(&["login", "--username", "taro"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    // The service's clock an hour ahead (a skewed clock): the cached ID
    // token looks fresh here and expired there.
    f.w.stub.set_time_offset(3600);
    let e = f
        .cmd(&[])
        .env_remove("COGNITO_PASSWORD")
        .run()
        .fails(3, "Invalid login token. Token expired: ");
    assert!(e.contains("sign in again (`cognito-token login`)"), "{e}");
}

#[test]
fn an_emulator_without_identity_pools_is_named() {
    let f = fx(false);
    f.w.stub.forget_operation("GetId");
    f.cmd(&[])
        .run()
        .fails(3, "does not serve Cognito identity pools");
}

#[test]
fn each_service_takes_its_own_endpoint_variable() {
    let f = fx(false);
    let stub = f.w.stub.endpoint();
    // AWS_ENDPOINT_URL points nowhere; each service's variable wins over it.
    let out = f
        .cmd(&["--basic-flow", "--role-arn", &role_arn("Auth")])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", &stub)
        .env(
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY",
            &f.w.stub.regional_endpoint("us-east-1"),
        )
        .env("AWS_ENDPOINT_URL_STS", &stub)
        .run();
    json(&out.line());
    assert!(out.stderr.contains(&format!(
        "note: using the Cognito identity endpoint {}/us-east-1 (from AWS_ENDPOINT_URL_COGNITO_IDENTITY)",
        stub
    )), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "note: using the STS endpoint {stub} (from AWS_ENDPOINT_URL_STS)"
        )),
        "{}",
        out.stderr
    );
    // The identity pool is looked for at its own region's endpoint: another
    // region's does not know it.
    f.cmd(&[])
        .env(
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY",
            &f.w.stub.regional_endpoint("eu-west-1"),
        )
        .run()
        .fails(3, "its own region's endpoint, us-east-1");
    // --endpoint-url is every service's, and the trust rules hold for each.
    let g = fx(false);
    let out = g
        .cmd(&[
            "--endpoint-url",
            &g.w.stub.endpoint(),
            "--basic-flow",
            "--role-arn",
            &role_arn("Auth"),
        ])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .run();
    json(&out.line());
    g.cmd(&[])
        .env("AWS_ENDPOINT_URL_COGNITO_IDENTITY", "http://10.9.9.9:4566")
        .run()
        .fails(2, "refusing plain http:// to 10.9.9.9");
}

#[test]
fn an_identity_the_service_forgot_is_fetched_again_once() {
    let f = fx(false);
    f.cmd(&[]).run().line();
    let old = f.w.stub.identities(&f.pool)[0].id.clone();
    assert!(f.w.stub.delete_identity(&old));
    let v = json(
        &f.cmd(&["--output", "json", "--min-ttl", "4000"])
            .run()
            .line(),
    );
    assert_ne!(v["IdentityId"], old.as_str());
    assert_eq!(f.w.requests("GetId").len(), 2);
}

#[test]
fn logout_forgets_the_aws_credentials_and_no_cache_keeps_none() {
    let f = fx(false);
    f.cmd(&[]).run().line();
    assert_eq!(f.aws_files().len(), 1);
    let out = f.w.cmd(&["logout", "--username", "taro", "--local"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("forgot the cached AWS credentials of taro"),
        "{}",
        out.stderr
    );
    assert!(f.aws_files().is_empty());
    // Without a password now: nothing cached, a sign-in is needed.
    f.cmd(&[])
        .env_remove("COGNITO_PASSWORD")
        .run()
        .fails(2, "no valid cached token for taro");
    // --no-cache: credentials printed, no AWS file written.
    f.cmd(&["--no-cache"]).run().line();
    assert!(f.aws_files().is_empty());
}

#[test]
fn logout_unauthenticated_forgets_the_guest_identities_and_leaves_the_users() {
    let f = fx(true);
    f.cmd(&[]).run().line();
    let guest = || {
        Cmd::bare(
            f.w.dir.path(),
            &[
                "aws-credentials",
                "--unauthenticated",
                "--output",
                "json",
                "--identity-pool-id",
                &f.pool,
            ],
        )
        .env("AWS_ENDPOINT_URL", &f.w.stub.endpoint())
        .run()
    };
    let identity = |out: Out| json(&out.line())["IdentityId"].as_str().unwrap().to_owned();
    let first = identity(guest());
    assert_eq!(f.aws_files().len(), 2, "the user's file and the guests'");
    let get_ids = f.w.requests("GetId").len();
    // Cached: the same identity, no request.
    assert_eq!(identity(guest()), first);
    assert_eq!(f.w.requests("GetId").len(), get_ids);
    let logout = || Cmd::bare(f.w.dir.path(), &["logout", "--unauthenticated"]).run();
    let out = logout();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("forgot the cached guest identities and AWS credentials"),
        "{}",
        out.stderr
    );
    // The user's credentials stay.
    assert_eq!(f.aws_files().len(), 1);
    f.cmd(&[]).env_remove("COGNITO_PASSWORD").run().line();
    // The guest's identity is gone: a new one, from a new GetId.
    assert_ne!(identity(guest()), first);
    assert_eq!(f.w.requests("GetId").len(), get_ids + 1);
    let _ = logout();
    assert!(logout().stderr.contains("no cached guest identities"));
    // It is not mixed with a user's logout.
    f.w.cmd(&["logout", "--unauthenticated", "--local"])
        .run()
        .fails(2, "--local");
}

#[test]
fn the_most_verbose_logs_show_no_aws_secret_or_token() {
    let f = fx(false);
    for flow in [
        &[][..],
        &["--basic-flow", "--role-arn", &role_arn("Auth")][..],
    ] {
        let out = f
            .cmd(&["-vvv", "--output", "json", "--no-cache"])
            .args(flow)
            .env("RUST_LOG", "trace")
            .run();
        let v = json(&out.line());
        assert!(out.stderr.lines().count() > 20, "{}", out.stderr);
        for secret in [
            v["SecretAccessKey"].as_str().unwrap(),
            v["SessionToken"].as_str().unwrap(),
        ] {
            assert!(
                !out.stderr.contains(secret),
                "a secret in the logs ({flow:?})"
            );
        }
        // Nor the OpenID token the basic flow gave STS.
        for r in f.w.stub.requests() {
            if let Some(t) = r.body.get("WebIdentityToken").and_then(|t| t.as_str()) {
                assert!(!out.stderr.contains(t), "the OpenID token in the logs");
            }
        }
    }
    let out = f.cmd(&["-vvv"]).env("RUST_LOG", "trace").run();
    json(&out.line());
    // Nor the ID token that went in Logins.
    let get_id = f.w.requests("GetId").pop().unwrap();
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{}", f.w.pool);
    let id_token = get_id.body["Logins"][&provider].as_str().unwrap();
    assert!(!out.stderr.contains(id_token));
    assert!(!out.stderr.contains(&id_token[id_token.len() - 20..]));
}

#[test]
fn exec_gives_the_command_aws_credentials_and_passes_its_status_on() {
    let f = fx(false);
    let out = f
        .w
        .cmd(&["exec", "--username", "taro", "--aws-credentials", "--"])
        .args(&[
            "sh",
            "-c",
            "printf '%s %s %s %s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_REGION\" \"${#AWS_SECRET_ACCESS_KEY}\" \"${COGNITO_ID_TOKEN:+id}\"; exit 7",
        ])
        .env("COGNITO_IDENTITY_POOL_ID", &f.pool)
        .env("COGNITO_PASSWORD", PW)
        .run();
    assert_eq!(out.code, 7, "{}", out.stderr);
    let issued = f.w.stub.issued_credentials();
    assert_eq!(
        out.stdout,
        format!("{} us-east-1 40 id", issued[0].access_key_id)
    );
    // The identity-pool options without --aws-credentials: a usage error.
    f.w.cmd(&[
        "exec",
        "--username",
        "taro",
        "--unauthenticated",
        "--",
        "true",
    ])
    .env("COGNITO_PASSWORD", PW)
    .run()
    .fails(2, "are for --aws-credentials");
}

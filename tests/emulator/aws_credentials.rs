//! `aws-credentials` against the emulators' identity pools and STS: moto
//! (checks nothing: fixed credentials), fakecloud (checks the pool, guest
//! access, the identity, a role attached; STS checks the role's trust) and
//! cognito-local (no identity pools: the CLI must say so). What each
//! emulator checks is in FINDINGS-emulators.md and the README's table.
//! One test has the AWS CLI itself read `credential_process`.

use cognito_token_emulator::{IdentityPool, identity_pool};

use crate::support::{Cli, Client, Emu};

/// No identity pool exists on cognito-local: any id of the right shape.
const NO_POOL: &str = "us-east-1:00000000-0000-0000-0000-000000000000";

/// A role ARN for cognito-local, which has no IAM (never reached).
const NO_ROLE: &str = "arn:aws:iam::123456789012:role/none";

async fn setup(
    emu: Emu,
) -> (
    cognito_token_emulator::Provisioned,
    String,
    String,
    String,
    Option<IdentityPool>,
) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let pool = match emu {
        Emu::CognitoLocal => None,
        Emu::Moto => Some(identity_pool(&p, false, false).await.unwrap()),
        Emu::Fakecloud => Some(identity_pool(&p, false, true).await.unwrap()),
    };
    let id = pool.as_ref().map_or(NO_POOL.to_owned(), |i| i.id.clone());
    (p, user, password, id, pool)
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s.trim()).unwrap_or_else(|e| panic!("{e}: {s:?}"))
}

pub async fn aws_credentials_enhanced_flow(emu: Emu) {
    let (p, user, password, pool, _) = setup(emu).await;
    let out = Cli::new([
        "aws-credentials",
        "--output",
        "json",
        "--identity-pool-id",
        &pool,
    ])
    .identity(&p, Client::Secret, &user)
    .password(&password)
    .run();
    if emu == Emu::CognitoLocal {
        assert_eq!(out.code(), Some(3), "{}", out.stderr());
        assert_eq!(out.stdout(), "");
        assert!(
            out.stderr()
                .contains("does not serve Cognito identity pools"),
            "{}",
            out.stderr()
        );
        return;
    }
    assert_eq!(out.code(), Some(0), "{}", out.stderr());
    let v = json(&out.stdout());
    assert_eq!(v["Version"], 1);
    for k in [
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
        "IdentityId",
    ] {
        assert!(v[k].as_str().is_some_and(|s| !s.is_empty()), "{k}: {v}");
    }
    assert!(
        v["IdentityId"].as_str().unwrap().starts_with("us-east-1:"),
        "{v}"
    );
    match emu {
        // moto hands everyone the same fixed credentials.
        Emu::Moto => assert_eq!(v["AccessKeyId"], "TESTACCESSKEY12345"),
        // fakecloud mints real temporary credentials.
        _ => assert!(v["AccessKeyId"].as_str().unwrap().len() >= 16, "{v}"),
    }
    out.assert_not_leaked("password", &password);
    // A guest on a pool without guests: fakecloud refuses as Cognito does;
    // moto checks nothing.
    let out = Cli::new([
        "aws-credentials",
        "--unauthenticated",
        "--identity-pool-id",
        &pool,
    ])
    .args(["--endpoint-url", &p.endpoint])
    .run();
    match emu {
        Emu::Fakecloud => {
            assert_eq!(out.code(), Some(3), "{}", out.stderr());
            assert!(
                out.stderr().contains("allows no guest identities"),
                "{}",
                out.stderr()
            );
        }
        _ => assert_eq!(out.code(), Some(0), "{}", out.stderr()),
    }
}

pub async fn aws_credentials_basic_flow(emu: Emu) {
    let (p, user, password, pool, roles) = setup(emu).await;
    let role = roles
        .as_ref()
        .map_or(NO_ROLE, |r| r.authenticated_role.as_str());
    let out = Cli::new([
        "aws-credentials",
        "--output",
        "json",
        "--identity-pool-id",
        &pool,
    ])
    .args(["--basic-flow", "--role-arn", role])
    .identity(&p, Client::Secret, &user)
    .password(&password)
    .run();
    if emu == Emu::CognitoLocal {
        assert_eq!(out.code(), Some(3), "{}", out.stderr());
        assert!(
            out.stderr()
                .contains("does not serve Cognito identity pools")
        );
        return;
    }
    // moto's STS checks nothing; fakecloud's evaluates the role's trust
    // policy, which names Cognito identities (crates/emulator/src/iam.rs).
    assert_eq!(out.code(), Some(0), "{}", out.stderr());
    let v = json(&out.stdout());
    assert_eq!(v["Version"], 1);
    for k in [
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    ] {
        assert!(v[k].as_str().is_some_and(|s| !s.is_empty()), "{k}: {v}");
    }
    out.assert_not_leaked("password", &password);
    // A role whose trust policy names another provider only: fakecloud's
    // STS refuses it (AccessDenied), said as what to fix; moto checks no
    // trust policy.
    let untrusting = &roles.as_ref().unwrap().untrusting_role;
    let out = Cli::new(["aws-credentials", "--identity-pool-id", &pool])
        .args(["--basic-flow", "--role-arn", untrusting])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .run();
    match emu {
        Emu::Fakecloud => {
            assert_eq!(out.code(), Some(3), "{}", out.stderr());
            assert_eq!(out.stdout(), "");
            assert!(
                out.stderr()
                    .contains("does not trust this identity pool's identities"),
                "{}",
                out.stderr()
            );
        }
        _ => assert_eq!(out.code(), Some(0), "{}", out.stderr()),
    }
}

/// The AWS CLI, given a profile whose `credential_process` is
/// `cognito-token aws-credentials …`, signs `sts get-caller-identity` with
/// what it printed: the output is what AWS's own tools consume.
pub async fn aws_cli_reads_the_credential_process(emu: Emu) {
    let aws = cognito_token_tools::require("awscli");
    let (p, user, password, pool, _) = setup(emu).await;
    let cli = Cli::new(["aws-credentials"]);
    let home = cli.home().to_owned();
    let bin = crate::support::cli_bin();
    let config = home.join("aws-config");
    std::fs::write(
        &config,
        format!(
            "[profile cognito]\nregion = us-east-1\ncredential_process = {} aws-credentials \
             --identity-pool-id {pool} --user-pool-id {} --region {} --client-id {} \
             --username {user} --endpoint-url {}\n",
            bin.display(),
            p.pool_id,
            // cognito-local's pool ids (`local_…`) name no region.
            p.region,
            p.client_id,
            p.endpoint
        ),
    )
    .unwrap();
    let out = std::process::Command::new(aws)
        .args([
            "sts",
            "get-caller-identity",
            "--profile",
            "cognito",
            "--output",
            "json",
        ])
        .args(["--endpoint-url", &p.endpoint])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // The secrets through the environment, never argv: the AWS CLI
        // passes its environment to the credential process.
        .env("COGNITO_PASSWORD", &password)
        .env("COGNITO_CLIENT_SECRET", p.client_secret.expose())
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    if emu == Emu::CognitoLocal {
        // cognito-local has neither identity pools nor STS: the AWS CLI
        // reports the credential process's failure.
        assert!(!out.status.success(), "{stdout}");
        assert!(
            stderr.contains("does not serve Cognito identity pools"),
            "{stderr}"
        );
        return;
    }
    assert!(out.status.success(), "aws failed: {stderr}");
    let v = json(&stdout);
    assert!(v["Account"].as_str().is_some_and(|a| !a.is_empty()), "{v}");
    if emu == Emu::Fakecloud {
        // The credentials resolve to the identity pool's role.
        let arn = v["Arn"].as_str().unwrap();
        assert!(
            arn.contains("assumed-role/cognito-token-authenticated-"),
            "{arn}"
        );
    }
    assert!(!stderr.contains(&password));
}

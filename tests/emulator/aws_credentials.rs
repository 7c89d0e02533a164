//! `aws-credentials` against the emulators' identity pools and STS: moto
//! (checks nothing: fixed credentials), fakecloud (checks the pool, guest
//! access, the identity, a role attached; STS checks the role's trust) and
//! cognito-local (no identity pools: the CLI must say so). What each
//! emulator checks is in FINDINGS-emulators.md and the README's table.
//! One test has the AWS CLI itself read `credential_process`.

use cognito_token_emulator::{AUTHENTICATED_ROLE, identity_pool};

use crate::support::{Cli, Client, Emu};

/// No identity pool exists on cognito-local: any id of the right shape.
const NO_POOL: &str = "us-east-1:00000000-0000-0000-0000-000000000000";

async fn setup(emu: Emu) -> (cognito_token_emulator::Provisioned, String, String, String) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let pool = match emu {
        Emu::CognitoLocal => NO_POOL.to_owned(),
        Emu::Moto => identity_pool(&p, false, false).await.unwrap(),
        Emu::Fakecloud => identity_pool(&p, false, true).await.unwrap(),
    };
    (p, user, password, pool)
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s.trim()).unwrap_or_else(|e| panic!("{e}: {s:?}"))
}

pub async fn aws_credentials_enhanced_flow(emu: Emu) {
    let (p, user, password, pool) = setup(emu).await;
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
    let (p, user, password, pool) = setup(emu).await;
    let out = Cli::new(["aws-credentials", "--identity-pool-id", &pool])
        .args(["--basic-flow", "--role-arn", AUTHENTICATED_ROLE])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .run();
    match emu {
        // STS checks nothing.
        Emu::Moto => {
            assert_eq!(out.code(), Some(0), "{}", out.stderr());
            assert_eq!(json(&out.stdout())["Version"], 1);
        }
        // The role does not exist in fakecloud's IAM, so it trusts nobody:
        // STS's AccessDenied, said as what to fix.
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
        Emu::CognitoLocal => {
            assert_eq!(out.code(), Some(3), "{}", out.stderr());
            assert!(
                out.stderr()
                    .contains("does not serve Cognito identity pools")
            );
        }
    }
}

/// The AWS CLI, given a profile whose `credential_process` is
/// `cognito-token aws-credentials …`, signs `sts get-caller-identity` with
/// what it printed: the output is what AWS's own tools consume.
pub async fn aws_cli_reads_the_credential_process(emu: Emu) {
    let aws = cognito_token_tools::require("awscli");
    let (p, user, password, pool) = setup(emu).await;
    let cli = Cli::new(["aws-credentials"]);
    let home = cli.home().to_owned();
    let bin = crate::support::cli_bin();
    let config = home.join("aws-config");
    std::fs::write(
        &config,
        format!(
            "[profile cognito]\nregion = us-east-1\ncredential_process = {} aws-credentials \
             --identity-pool-id {pool} --user-pool-id {} --client-id {} --username {user} \
             --endpoint-url {}\n",
            bin.display(),
            p.pool_id,
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
            arn.contains("assumed-role/cognito-token-authenticated/"),
            "{arn}"
        );
    }
    assert!(!stderr.contains(&password));
}

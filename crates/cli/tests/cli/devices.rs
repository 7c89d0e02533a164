//! Remembered devices end to end: `--remember-device` / `remember_device`,
//! the device file's rules, MFA skipped on the next sign-in, refresh with
//! `DEVICE_KEY`, `logout --forget-device`, and a device Cognito no longer
//! knows. The stub checks the device SRP proof with its own server-side
//! implementation and SECRET_HASH over the internal username (these pools
//! sign in by e-mail, so the typed name is never the internal one): a wrong
//! device SRP or hash makes the MFA-less sign-ins below fail.

use std::path::PathBuf;

use cognito_stub::DeviceTracking;

use crate::support::*;

const TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const EMAIL: &str = "dev@example.com";

fn world(tracking: DeviceTracking) -> World {
    let w = World::with(
        PoolSpec {
            username_is_email: true,
            device_tracking: tracking,
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            ..Default::default()
        },
    );
    w.user(UserSpec {
        mfa: Mfa::Totp {
            secret_base32: TOTP.into(),
        },
        ..UserSpec::new(EMAIL, PW)
    });
    w
}

fn login(w: &World, extra: &[&str]) -> Cmd {
    w.cmd(&["login", "--username", EMAIL])
        .args(extra)
        .env("COGNITO_PASSWORD", PW)
}

/// Signs in with MFA and `--remember-device`; returns the device file.
fn remember(w: &World) -> PathBuf {
    let out = login(w, &["--remember-device"])
        .env("COGNITO_TOTP_SECRET", TOTP)
        .run();
    out.line();
    assert!(
        out.stderr.contains("remembered this device"),
        "{}",
        out.stderr
    );
    device_file(w).expect("a device file")
}

fn device_file(w: &World) -> Option<PathBuf> {
    std::fs::read_dir(w.cache_dir())
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("device-")
        })
}

fn answered(w: &World, challenge: &str) -> usize {
    w.requests("RespondToAuthChallenge")
        .iter()
        .filter(|r| r.body["ChallengeName"] == challenge)
        .count()
}

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_remembered_device_skips_mfa_and_refreshes_with_its_key() {
    let w = world(DeviceTracking::Always);
    let file = remember(&w);
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
    let devices = w.stub.devices(&w.pool, EMAIL);
    assert_eq!(devices.len(), 1);
    assert!(devices[0].confirmed && devices[0].remembered);
    assert!(
        devices[0]
            .name
            .as_deref()
            .unwrap()
            .starts_with("cognito-token on "),
        "{devices:?}"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(&devices[0].key) && text.contains(&devices[0].group_key));

    // Next sign-ins: no MFA source at all, yet signed in, by the device
    // challenges — with the password flow and with SRP.
    for flow in ["password", "srp"] {
        w.stub.clear_requests();
        let out = login(&w, &["--flow", flow]).run();
        out.line();
        assert!(!out.stderr.contains("warning"), "{}", out.stderr);
        assert_eq!(answered(&w, "SOFTWARE_TOKEN_MFA"), 0);
        assert_eq!(answered(&w, "DEVICE_SRP_AUTH"), 1);
        assert_eq!(answered(&w, "DEVICE_PASSWORD_VERIFIER"), 1);
        let init = &w.requests("InitiateAuth")[0];
        assert_eq!(
            init.body["AuthParameters"]["DEVICE_KEY"],
            devices[0].key.as_str()
        );
    }
    // The admin flow too, through AdminRespondToAuthChallenge.
    w.stub.clear_requests();
    login(&w, &["--flow", "admin"])
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG")
        .run()
        .line();
    let admin: Vec<String> = w
        .requests("AdminRespondToAuthChallenge")
        .iter()
        .map(|r| r.body["ChallengeName"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(admin, ["DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]);
    assert_eq!(
        w.requests("AdminInitiateAuth")[0].body["AuthParameters"]["DEVICE_KEY"],
        devices[0].key.as_str()
    );
    // The device password never leaves the machine.
    let password = serde_json::from_str::<serde_json::Value>(&text).unwrap()["device"]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    for r in w.stub.requests() {
        assert!(!r.body.to_string().contains(&password));
    }

    // A refresh (GetTokensFromRefreshToken) sends DeviceKey: the stub
    // refuses a confirmed device's refresh token without it.
    w.stub.clear_requests();
    let out = w
        .cmd(&["token", "--username", EMAIL, "--min-ttl", "100000"])
        .run();
    out.line();
    let refresh = &w.requests("GetTokensFromRefreshToken")[0];
    assert_eq!(refresh.body["DeviceKey"], devices[0].key.as_str());
    assert!(w.requests("InitiateAuth").is_empty());
    assert!(!out.stderr.contains("signing in again"), "{}", out.stderr);
}

#[test]
fn profile_remember_device_and_opt_in_pools() {
    let w = world(DeviceTracking::UserOptIn);
    std::fs::create_dir_all(w.config_dir()).unwrap();
    std::fs::write(
        w.config_dir().join("config.toml"),
        "[profiles.dev]\nremember_device = true\n",
    )
    .unwrap();
    let out = login(&w, &["--profile", "dev"])
        .env("COGNITO_TOTP_SECRET", TOTP)
        .run();
    out.line();
    assert!(device_file(&w).is_some(), "{}", out.stderr);
    // UserConfirmationNecessary → UpdateDeviceStatus remembered.
    assert_eq!(w.requests("UpdateDeviceStatus").len(), 1);
    assert!(w.stub.devices(&w.pool, EMAIL)[0].remembered);
    w.stub.clear_requests();
    login(&w, &[]).run().line();
    assert_eq!(answered(&w, "DEVICE_PASSWORD_VERIFIER"), 1);
    let shown = Cmd::bare(w.dir.path(), &["profile", "show", "dev"]).run();
    assert!(
        shown.stdout.contains("remember_device = true"),
        "{}",
        shown.stdout
    );
}

#[test]
fn unusable_device_files_are_warned_about_and_ignored() {
    let w = world(DeviceTracking::Always);
    let file = remember(&w);
    let good = std::fs::read(&file).unwrap();
    let check_ignored = |needle: &str| {
        w.stub.clear_requests();
        let out = login(&w, &[]).env("COGNITO_TOTP_SECRET", TOTP).run();
        out.line();
        let warning: Vec<&str> = out
            .stderr
            .lines()
            .filter(|l| l.starts_with("warning: ignoring the remembered device"))
            .collect();
        assert_eq!(warning.len(), 1, "{}", out.stderr);
        assert!(warning[0].contains(needle), "{}", out.stderr);
        // Signed in the normal way, with MFA and no DEVICE_KEY.
        assert_eq!(answered(&w, "SOFTWARE_TOKEN_MFA"), 1);
        assert!(
            w.requests("InitiateAuth")[0].body["AuthParameters"]
                .get("DEVICE_KEY")
                .is_none()
        );
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        check_ignored("other users");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::write(&file, b"{\"format\":1,\"key\":").unwrap();
    check_ignored("corrupt");
    // Without --remember-device the unusable file is left alone; the device
    // is usable again once the file is.
    std::fs::write(&file, &good).unwrap();
    w.stub.clear_requests();
    login(&w, &[]).run().line();
    assert_eq!(answered(&w, "SOFTWARE_TOKEN_MFA"), 0);
}

#[test]
fn logout_forget_device() {
    let w = world(DeviceTracking::Always);
    let file = remember(&w);
    let out = w
        .cmd(&["logout", "--username", EMAIL, "--forget-device"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("Cognito forgot the device"),
        "{}",
        out.stderr
    );
    assert!(!file.exists());
    assert!(w.stub.devices(&w.pool, EMAIL).is_empty());
    // ForgetDevice came before RevokeToken (which ends the access token).
    let order: Vec<String> = w
        .stub
        .requests()
        .into_iter()
        .map(|r| r.target)
        .filter(|t| t == "ForgetDevice" || t == "RevokeToken")
        .collect();
    assert_eq!(order, ["ForgetDevice", "RevokeToken"]);
    // MFA is asked again.
    login(&w, &[]).run().fails(2, "SOFTWARE_TOKEN_MFA");
    // --local only removes the file.
    let file = remember(&w);
    w.stub.clear_requests();
    let out = w
        .cmd(&["logout", "--username", EMAIL, "--forget-device", "--local"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!file.exists());
    assert!(w.requests("ForgetDevice").is_empty());
    assert_eq!(w.stub.devices(&w.pool, EMAIL).len(), 1);
}

#[test]
fn a_device_cognito_forgot_is_dropped_with_a_warning() {
    let w = world(DeviceTracking::Always);
    let file = remember(&w);
    let key = w.stub.devices(&w.pool, EMAIL)[0].key.clone();
    assert!(w.stub.admin_forget_device(&w.pool, &key));
    let out = login(&w, &[]).env("COGNITO_TOTP_SECRET", TOTP).run();
    out.line();
    let warnings: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", out.stderr);
    assert!(
        warnings[0].contains("Device does not exist"),
        "{}",
        out.stderr
    );
    assert!(!file.exists());
    // With --remember-device, the fresh device is remembered in its place.
    let file = remember(&w);
    assert!(file.exists());
    assert_ne!(w.stub.devices(&w.pool, EMAIL)[0].key, key);
}

#[test]
fn remember_device_on_a_pool_without_tracking_warns() {
    let w = world(DeviceTracking::Off);
    let out = login(&w, &["--remember-device"])
        .env("COGNITO_TOTP_SECRET", TOTP)
        .run();
    out.line();
    assert!(out.stderr.contains("offered no device"), "{}", out.stderr);
    assert!(device_file(&w).is_none());
}

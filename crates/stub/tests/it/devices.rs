//! Device tracking on the wire, with a device SRP client written here from
//! the formulas (not the core crate's), so that the stub's server-side check
//! is tested against an independent client.

use crate::srp::{N_HEX, h, pad, textbook_signature, timestamp_now};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use cognito_stub::{ClientSpec, DeviceTracking, Mfa, PoolSpec, UserSpec, totp_code};
use num_bigint::BigUint;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::{Fixture, Resp, call, fixture};

const GROUP_SALT: [u8; 16] = [0x9c; 16];

fn n() -> BigUint {
    BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap()
}

/// (`Salt`, `PasswordVerifier`) for ConfirmDevice: base64 of PAD(salt) and
/// of PAD(g^x), x = H(PAD(salt) ‖ H(group ‖ key ‖ ":" ‖ password)).
fn textbook_verifier(group: &str, key: &str, password: &str, salt: &[u8]) -> (String, String) {
    let salt = pad(&BigUint::from_bytes_be(salt));
    let inner = Sha256::digest(format!("{group}{key}:{password}").as_bytes());
    let x = h(&[&salt, &inner]);
    let v = BigUint::from(2u32).modpow(&x, &n());
    (B64.encode(&salt), B64.encode(pad(&v)))
}

/// PASSWORD_CLAIM_SIGNATURE for DEVICE_PASSWORD_VERIFIER.
fn textbook_device_signature(
    group: &str,
    key: &str,
    password: &str,
    a: &BigUint,
    params: &Value,
    timestamp: &str,
) -> String {
    textbook_signature(group, key, password, a, params, timestamp)
}

fn tracking_fixture(tracking: DeviceTracking) -> Fixture {
    fixture(
        PoolSpec {
            username_is_email: true,
            device_tracking: tracking,
            ..PoolSpec::default()
        },
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
    )
}

impl Fixture {
    fn password_auth_device(&self, user: &str, device_key: &str) -> Resp {
        call(
            &self.stub,
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client.id, "AuthParameters": {
                "USERNAME": user, "PASSWORD": "Passw0rd!", "SECRET_HASH": self.hash(user), "DEVICE_KEY": device_key}}),
        )
    }

    fn confirm(&self, access: &str, key: &str, group: &str, password: &str) -> Resp {
        let (salt, verifier) = textbook_verifier(group, key, password, &GROUP_SALT);
        call(
            &self.stub,
            "ConfirmDevice",
            json!({"AccessToken": access, "DeviceKey": key, "DeviceName": "test box",
                "DeviceSecretVerifierConfig": {"Salt": salt, "PasswordVerifier": verifier}}),
        )
    }

    /// DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER; the hash over `hash_name`.
    fn device_challenges(
        &self,
        first: &Value,
        internal: &str,
        hash_name: &str,
        (key, group, password): (&str, &str, &str),
    ) -> Resp {
        assert_eq!(first["ChallengeName"], "DEVICE_SRP_AUTH", "{first}");
        assert_eq!(first["ChallengeParameters"]["USERNAME"], internal);
        let a = BigUint::from_bytes_be(&[0x5a; 128]);
        let big_a = BigUint::from(2u32).modpow(&a, &n());
        let r = self.respond(
            "DEVICE_SRP_AUTH",
            first["Session"].as_str().unwrap(),
            json!({"USERNAME": internal, "DEVICE_KEY": key, "SRP_A": big_a.to_str_radix(16),
                    "SECRET_HASH": self.hash(hash_name)}),
        );
        if r.status != 200 {
            return r;
        }
        let r = r.ok();
        assert_eq!(r["ChallengeName"], "DEVICE_PASSWORD_VERIFIER", "{r}");
        let p = &r["ChallengeParameters"];
        assert_eq!(p["DEVICE_KEY"], key);
        assert_eq!(p["USERNAME"], internal);
        let ts = timestamp_now();
        self.respond(
            "DEVICE_PASSWORD_VERIFIER",
            r["Session"].as_str().unwrap(),
            json!({"USERNAME": internal, "DEVICE_KEY": key, "TIMESTAMP": ts,
                "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
                "PASSWORD_CLAIM_SIGNATURE": textbook_device_signature(group, key, password, &a, p, &ts),
                "SECRET_HASH": self.hash(hash_name)}),
        )
    }
}

#[test]
fn remembered_device_replaces_totp_and_binds_refresh() {
    let f = tracking_fixture(DeviceTracking::Always);
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let u = f.stub.add_user(
        &f.pool,
        UserSpec {
            mfa: Mfa::Totp {
                secret_base32: secret.into(),
            },
            ..UserSpec::new("remy@example.com", "Passw0rd!")
        },
    );
    let email = "remy@example.com";
    let totp = |f: &Fixture, r: &Value| {
        assert_eq!(r["ChallengeName"], "SOFTWARE_TOKEN_MFA", "{r}");
        f.respond(
            "SOFTWARE_TOKEN_MFA",
            r["Session"].as_str().unwrap(),
            json!({"USERNAME": u.username, "SOFTWARE_TOKEN_MFA_CODE": totp_code(secret, time::OffsetDateTime::now_utc().unix_timestamp()), "SECRET_HASH": f.hash(&u.username)}),
        )
        .ok()
    };
    // First sign-in: MFA, then a new device offered.
    let r = f
        .password_auth(email, "Passw0rd!", Some(f.hash(email)))
        .ok();
    let done = totp(&f, &r);
    let result = &done["AuthenticationResult"];
    let key = result["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap()
        .to_owned();
    let group = result["NewDeviceMetadata"]["DeviceGroupKey"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(key.starts_with("us-east-1_"), "{key}");
    let access = result["AccessToken"].as_str().unwrap();
    let refresh = result["RefreshToken"].as_str().unwrap().to_owned();
    let listed = f.stub.devices(&f.pool, email);
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].confirmed && !listed[0].remembered);

    // Unconfirmed: a refresh needs no device key yet.
    let do_refresh = |device: Option<&str>| {
        let mut params = json!({"REFRESH_TOKEN": refresh, "SECRET_HASH": f.hash(&u.username)});
        if let Some(d) = device {
            params["DEVICE_KEY"] = json!(d);
        }
        call(
            &f.stub,
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": f.client.id, "AuthParameters": params}),
        )
    };
    do_refresh(None).ok();

    let device_pw = "ZGV2aWNlIHBhc3N3b3JkIGZvciB0aGUgdGVzdA==";
    let c = f.confirm(access, &key, &group, device_pw).ok();
    assert_eq!(c["UserConfirmationNecessary"], false);
    let listed = f.stub.devices(&f.pool, email);
    assert!(listed[0].confirmed && listed[0].remembered);
    assert_eq!(listed[0].name.as_deref(), Some("test box"));

    // Confirmed: the refresh token now needs the device key.
    assert_eq!(
        do_refresh(None).error("NotAuthorizedException"),
        "Invalid Refresh Token"
    );
    do_refresh(Some("us-east-1_00000000-0000-4000-a000-000000000000"))
        .error("NotAuthorizedException");
    assert!(do_refresh(Some(&key)).ok()["AuthenticationResult"]["IdToken"].is_string());

    let dev = (key.as_str(), group.as_str(), device_pw);
    // SECRET_HASH over the e-mail (the typed name) is refused on device challenges.
    let first = f.password_auth_device(email, &key).ok();
    f.device_challenges(&first, &u.username, email, dev)
        .error("NotAuthorizedException");
    // A wrong device password is refused.
    let first = f.password_auth_device(email, &key).ok();
    let wrong = (key.as_str(), group.as_str(), "not the device password");
    assert_eq!(
        f.device_challenges(&first, &u.username, &u.username, wrong)
            .error("NotAuthorizedException"),
        "Incorrect username or password."
    );
    // So are swapped names (group key and device key).
    let first = f.password_auth_device(email, &key).ok();
    let swapped = (group.as_str(), key.as_str(), device_pw);
    assert!(
        f.device_challenges(&first, &u.username, &u.username, swapped)
            .status
            == 400
    );
    // The right device: tokens without MFA, and no new device.
    let first = f.password_auth_device(email, &key).ok();
    let ok = f
        .device_challenges(&first, &u.username, &u.username, dev)
        .ok();
    assert!(ok["AuthenticationResult"]["IdToken"].is_string());
    assert!(
        ok["AuthenticationResult"]
            .get("NewDeviceMetadata")
            .is_none()
    );
    assert_eq!(f.stub.devices(&f.pool, email).len(), 1);
    // A wrong password is still refused before any device challenge.
    call(
        &f.stub,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": f.client.id, "AuthParameters": {
            "USERNAME": email, "PASSWORD": "Wr0ng!pass", "SECRET_HASH": f.hash(email), "DEVICE_KEY": key}}),
    )
    .error("NotAuthorizedException");
}

#[test]
fn opt_in_update_status_and_forget() {
    let f = tracking_fixture(DeviceTracking::UserOptIn);
    let u = f.stub.add_user(
        &f.pool,
        UserSpec {
            mfa: Mfa::Sms,
            ..UserSpec::new("ola@example.com", "Passw0rd!")
        },
    );
    let email = "ola@example.com";
    let code = f.stub.user(&f.pool, email).unwrap().sms_code;
    let sms = |r: &Value| {
        assert_eq!(r["ChallengeName"], "SMS_MFA", "{r}");
        f.respond(
            "SMS_MFA",
            r["Session"].as_str().unwrap(),
            json!({"USERNAME": u.username, "SMS_MFA_CODE": code, "SECRET_HASH": f.hash(&u.username)}),
        )
        .ok()
    };
    let done = sms(&f
        .password_auth(email, "Passw0rd!", Some(f.hash(email)))
        .ok());
    let result = &done["AuthenticationResult"];
    let key = result["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap()
        .to_owned();
    let group = result["NewDeviceMetadata"]["DeviceGroupKey"]
        .as_str()
        .unwrap()
        .to_owned();
    let access = result["AccessToken"].as_str().unwrap().to_owned();

    // Bad verifier configs are refused; a device of nobody is unknown.
    let bad = call(
        &f.stub,
        "ConfirmDevice",
        json!({"AccessToken": access, "DeviceKey": key, "DeviceSecretVerifierConfig": {"Salt": "!!", "PasswordVerifier": "AQ=="}}),
    );
    bad.error("InvalidParameterException");
    f.confirm(&access, "us-east-1_unknown", &group, "pw")
        .error("ResourceNotFoundException");
    call(
        &f.stub,
        "ConfirmDevice",
        json!({"AccessToken": "garbage", "DeviceKey": key}),
    )
    .error("NotAuthorizedException");

    let device_pw = "b3B0LWluIGRldmljZQ==";
    let c = f.confirm(&access, &key, &group, device_pw).ok();
    assert_eq!(c["UserConfirmationNecessary"], true);
    // Confirmed but not remembered: MFA is still asked.
    sms(&f.password_auth_device(email, &key).ok());
    let update = |status: &str| {
        call(
            &f.stub,
            "UpdateDeviceStatus",
            json!({"AccessToken": access, "DeviceKey": key, "DeviceRememberedStatus": status}),
        )
    };
    update("sometimes").error("InvalidParameterException");
    update("remembered").ok();
    assert!(f.stub.devices(&f.pool, email)[0].remembered);
    let dev = (key.as_str(), group.as_str(), device_pw);
    let first = f.password_auth_device(email, &key).ok();
    assert!(
        f.device_challenges(&first, &u.username, &u.username, dev)
            .ok()["AuthenticationResult"]["IdToken"]
            .is_string()
    );

    // Forgotten: the device key is unknown, after the password check.
    call(
        &f.stub,
        "ForgetDevice",
        json!({"AccessToken": access, "DeviceKey": key}),
    )
    .ok();
    assert!(f.stub.devices(&f.pool, email).is_empty());
    assert_eq!(
        f.password_auth_device(email, &key)
            .error("ResourceNotFoundException"),
        "Device does not exist."
    );
    call(
        &f.stub,
        "ForgetDevice",
        json!({"AccessToken": access, "DeviceKey": key}),
    )
    .error("ResourceNotFoundException");
}

#[test]
fn untracked_pools_offer_no_device() {
    let f = tracking_fixture(DeviceTracking::Off);
    f.stub
        .add_user(&f.pool, UserSpec::new("pia@example.com", "Passw0rd!"));
    let r = f
        .password_auth(
            "pia@example.com",
            "Passw0rd!",
            Some(f.hash("pia@example.com")),
        )
        .ok();
    assert!(r["AuthenticationResult"].get("NewDeviceMetadata").is_none());
}

//! Remembered devices through the library and the real AWS SDK against the
//! strict stub: the stub verifies the device SRP proof with its own
//! server-side implementation and checks SECRET_HASH over the internal
//! username on the device challenges.

use cognito_stub::{ClientSpec, DeviceTracking, Mfa, PoolSpec, UserSpec};
use cognito_token_core::Device;
use cognito_token_core::*;

use crate::support::{PW, World};

const TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn world(tracking: DeviceTracking) -> World {
    let w = World::new(
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
    w.stub.add_user(
        &w.pool,
        UserSpec {
            mfa: Mfa::Totp {
                secret_base32: TOTP.into(),
            },
            ..UserSpec::new("dee@example.com", PW)
        },
    );
    w
}

impl World {
    /// The pool's user through the client; the pool id only for SRP.
    fn identity_for(&self, flow: Flow) -> Identity {
        Identity {
            user_pool_id: (flow == Flow::Srp).then(|| self.pool.parse().unwrap()),
            ..self.identity("dee@example.com")
        }
    }

    /// Requests to RespondToAuthChallenge naming `challenge`.
    fn answered(&self, challenge: &str) -> usize {
        self.stub
            .requests()
            .iter()
            .filter(|r| {
                r.target == "RespondToAuthChallenge" && r.body["ChallengeName"] == challenge
            })
            .count()
    }
}

fn totp_answers() -> StaticAnswers {
    StaticAnswers {
        totp_secret: Some(Secret::new(TOTP)),
        ..StaticAnswers::default()
    }
}

/// No answers at all: an MFA challenge fails the sign-in.
fn no_answers() -> StaticAnswers {
    StaticAnswers::default()
}

async fn remember(w: &World, c: &Cognito, flow: Flow) -> Device {
    let first = c
        .login_with_device(
            &w.identity_for(flow),
            flow,
            Some(&Secret::new(PW)),
            &totp_answers(),
            None,
        )
        .await
        .unwrap();
    assert!(first.dropped.is_none());
    let new = first.tokens.new_device.clone().expect("NewDeviceMetadata");
    let device = c
        .remember_device(&first.tokens.access_token, &new, "cognito-token on test")
        .await
        .unwrap();
    assert_eq!(device.key, new.key);
    device
}

async fn remembered_device_skips_mfa(flow: Flow, tracking: DeviceTracking) {
    let w = world(tracking);
    let c = w.cognito().await;
    let device = remember(&w, &c, flow).await;
    let listed = w.stub.devices(&w.pool, "dee@example.com");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].confirmed && listed[0].remembered, "{listed:?}");
    assert_eq!(listed[0].name.as_deref(), Some("cognito-token on test"));

    // Without the device, MFA is asked and cannot be answered.
    let e = c
        .login_with_device(
            &w.identity_for(flow),
            flow,
            Some(&Secret::new(PW)),
            &no_answers(),
            None,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("SOFTWARE_TOKEN_MFA"), "{e}");
    // With it: no MFA, the device challenges instead, no new device.
    w.stub.clear_requests();
    let again = c
        .login_with_device(
            &w.identity_for(flow),
            flow,
            Some(&Secret::new(PW)),
            &no_answers(),
            Some(&device),
        )
        .await
        .unwrap();
    assert!(again.dropped.is_none());
    assert!(again.tokens.new_device.is_none());
    assert_eq!(w.answered("DEVICE_SRP_AUTH"), 1);
    assert_eq!(w.answered("DEVICE_PASSWORD_VERIFIER"), 1);
    assert_eq!(w.answered("SOFTWARE_TOKEN_MFA"), 0);
    let init = &w.stub.requests()[0];
    assert_eq!(
        init.body["AuthParameters"]["DEVICE_KEY"],
        device.key.as_str()
    );
    // The device password never travels.
    for r in w.stub.requests() {
        assert!(!r.body.to_string().contains(device.password.expose()));
    }

    // A refresh of a confirmed device's tokens needs DEVICE_KEY.
    let rt = again.tokens.refresh_token.clone().unwrap();
    let internal = again.tokens.internal_username().unwrap();
    assert_ne!(internal, "dee@example.com");
    let e = c
        .refresh(&w.identity_for(flow), &rt, &internal)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("NotAuthorizedException"), "{e}");
    c.refresh_with_device(&w.identity_for(flow), &rt, &internal, Some(&device.key))
        .await
        .unwrap();
}

#[tokio::test]
async fn password_flow_always_remembered() {
    remembered_device_skips_mfa(Flow::Password, DeviceTracking::Always).await;
}

#[tokio::test]
async fn srp_flow_user_opt_in() {
    remembered_device_skips_mfa(Flow::Srp, DeviceTracking::UserOptIn).await;
}

#[tokio::test]
async fn unknown_or_wrong_device_is_dropped_and_sign_in_retried() {
    let w = world(DeviceTracking::Always);
    let c = w.cognito().await;
    let device = remember(&w, &c, Flow::Password).await;
    let id = w.identity_for(Flow::Password);

    // A device whose password is not the one confirmed: refused at
    // DEVICE_PASSWORD_VERIFIER, then a normal sign-in (with MFA).
    let mut bad = device.clone();
    bad.password = Secret::new("bm90IHRoZSBkZXZpY2UgcGFzc3dvcmQ=");
    let out = c
        .login_with_device(
            &id,
            Flow::Password,
            Some(&Secret::new(PW)),
            &totp_answers(),
            Some(&bad),
        )
        .await
        .unwrap();
    assert!(out.dropped.unwrap().contains("NotAuthorizedException"));
    assert!(out.tokens.new_device.is_some());

    // Forgotten behind our back: ResourceNotFoundException, then a normal sign-in.
    assert!(w.stub.admin_forget_device(&w.pool, &device.key));
    let out = c
        .login_with_device(
            &id,
            Flow::Password,
            Some(&Secret::new(PW)),
            &totp_answers(),
            Some(&device),
        )
        .await
        .unwrap();
    let why = out.dropped.unwrap();
    assert!(why.contains("Device does not exist"), "{why}");
    assert!(out.tokens.new_device.is_some());

    // A wrong user password is not blamed on the device.
    let e = c
        .login_with_device(
            &id,
            Flow::Password,
            Some(&Secret::new("Wr0ng!pass")),
            &totp_answers(),
            Some(&device),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("NotAuthorizedException"));
}

#[tokio::test]
async fn forget_device_unregisters_it() {
    let w = world(DeviceTracking::Always);
    let c = w.cognito().await;
    let device = remember(&w, &c, Flow::Password).await;
    let signed = c
        .login_with_device(
            &w.identity_for(Flow::Password),
            Flow::Password,
            Some(&Secret::new(PW)),
            &no_answers(),
            Some(&device),
        )
        .await
        .unwrap();
    c.forget_device(&signed.tokens.access_token, &device.key)
        .await
        .unwrap();
    assert!(w.stub.devices(&w.pool, "dee@example.com").is_empty());
    let e = c
        .forget_device(&signed.tokens.access_token, &device.key)
        .await
        .unwrap_err();
    assert!(cognito_token_core::sign_in::is_unknown_device(&e), "{e}");
}

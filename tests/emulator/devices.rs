//! Remembered devices where the emulator has no device tracking: neither
//! moto nor fakecloud returns `NewDeviceMetadata` or issues the device
//! challenges (see the README's emulator table; the strict stub covers the
//! device flow itself). The flags must then degrade to a plain sign-in with
//! a clear warning, and write no device file.

use crate::support::{Client, Emu, Home, claims};

pub async fn remember_device_without_device_tracking(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let home = Home::new();
    let out = home
        .cli(["login", "--remember-device"])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .run();
    assert_eq!(
        claims(out.line())["cognito:username"],
        serde_json::json!(user)
    );
    assert!(
        out.stderr().contains("offered no device to remember"),
        "{}",
        out.stderr()
    );
    out.assert_not_leaked("password", &password);
    let devices: Vec<_> = home
        .cache_entries()
        .into_iter()
        .filter(|f| {
            f.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("device-")
        })
        .collect();
    assert!(devices.is_empty(), "{devices:?}");

    let out = home
        .cli(["logout", "--forget-device"])
        .identity(&p, Client::Secret, &user)
        .run();
    out.assert_success();
    assert!(
        out.stderr().contains("no remembered device"),
        "{}",
        out.stderr()
    );
}

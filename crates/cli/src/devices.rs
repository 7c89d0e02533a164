//! Remembered devices on the command line: the device file (one per
//! endpoint, pool, app client and user, in the cache directory), signing in
//! as the remembered device, remembering a new one with `--remember-device`
//! (or the profile's `remember_device = true`), and `logout --forget-device`.
//!
//! A device file that cannot be used (corrupt, readable by others, a
//! symbolic link, another user's) is ignored with a one-line warning; a
//! device Cognito no longer knows is dropped with a warning and the sign-in
//! done without it.

use cognito_token_core::session::{DeviceRecord, Report as _, Warning};
use cognito_token_core::store::Lookup;
use cognito_token_core::{Answers, Cognito, Device, Identity, Secret, Tokens, now};
use tracing::info;

use crate::session::store;
use crate::target::Pool;

/// The remembered device of this identity, if there is a usable one.
pub fn load(pool: &Pool, id: &Identity) -> Option<Device> {
    match store()?.load::<DeviceRecord>(&pool.device_owner(id)) {
        Lookup::Hit(r) => Some(r.device),
        Lookup::Miss => None,
        Lookup::Unusable(why) => {
            crate::session::Stderr.warn(Warning::DeviceUnusable(&why));
            None
        }
    }
}

fn remove(pool: &Pool, id: &Identity) -> bool {
    let Some(store) = store() else {
        return false;
    };
    let owner = pool.device_owner(id);
    match store.remove(&owner) {
        Ok(removed) => removed,
        Err(e) => {
            eprintln!(
                "warning: cannot remove the device file {}: {e}",
                store.path(&owner).display()
            );
            false
        }
    }
}

/// Signs in, as the remembered device when there is one; remembers the
/// device Cognito offers when `remember` is set.
pub async fn login(
    cognito: &Cognito,
    pool: &Pool,
    id: &Identity,
    password: Option<&Secret>,
    answers: &dyn Answers,
    remember: bool,
) -> anyhow::Result<Tokens> {
    let device = load(pool, id);
    let out = cognito
        .login_with_device(id, pool.flow, password, answers, device.as_ref())
        .await?;
    if let Some(why) = &out.dropped {
        eprintln!(
            "warning: Cognito refused the remembered device ({why}); forgot it and signed in without it"
        );
        remove(pool, id);
    }
    let tokens = out.tokens;
    match (&tokens.new_device, remember) {
        (Some(new), true) => match cognito
            .remember_device(&tokens.access_token, new, &device_name())
            .await
        {
            Ok(d) => save(pool, id, &d),
            Err(e) => eprintln!("warning: could not remember this device: {e}"),
        },
        (None, true) if device.is_none() || out.dropped.is_some() => eprintln!(
            "warning: --remember-device: Cognito offered no device to remember (is device tracking on for the user pool?)"
        ),
        _ => {}
    }
    Ok(tokens)
}

fn save(pool: &Pool, id: &Identity, d: &Device) {
    let Some(store) = store() else {
        eprintln!(
            "warning: no cache directory (HOME and XDG_CACHE_HOME unset): the device is not remembered here"
        );
        return;
    };
    let record = DeviceRecord {
        key: pool.device_owner(id),
        device: d.clone(),
    };
    match store.put(&record.key, &record) {
        Ok(path) => {
            info!(path = %path.display(), "device file written");
            eprintln!(
                "remembered this device for {}: later sign-ins skip MFA",
                id.username
            );
        }
        Err(e) => eprintln!(
            "warning: cannot write the device file in {}: {e}",
            store.path(&record.key).display()
        ),
    }
}

/// `logout --forget-device`: `ForgetDevice` with the session's access token
/// (refreshed if needed; skipped with `local`), then the device file goes.
pub async fn forget(
    pool: &Pool,
    id: &Identity,
    cached: Option<&Tokens>,
    local: bool,
) -> anyhow::Result<()> {
    let device = store()
        .and_then(|s| s.load::<DeviceRecord>(&pool.device_owner(id)).hit())
        .map(|r| r.device);
    if let (Some(d), false) = (&device, local) {
        let cognito = pool.cognito().await?;
        match access_token(cognito, id, cached, d).await {
            Some(at) => match cognito.forget_device(&at, &d.key).await {
                Ok(()) => eprintln!("Cognito forgot the device"),
                Err(e) if cognito_token_core::sign_in::is_unknown_device(&e) => {
                    eprintln!("Cognito no longer knew the device")
                }
                Err(e) => eprintln!(
                    "warning: could not make Cognito forget the device ({e}); removing it locally"
                ),
            },
            None => eprintln!(
                "warning: no valid session to call ForgetDevice with; removing the device locally only"
            ),
        }
    }
    if remove(pool, id) {
        eprintln!("forgot the remembered device of {}", id.username);
    } else {
        eprintln!("no remembered device for {}", id.username);
    }
    Ok(())
}

/// A valid access token for `ForgetDevice`: the cached one, else a refreshed one.
async fn access_token(
    cognito: &Cognito,
    id: &Identity,
    cached: Option<&Tokens>,
    d: &Device,
) -> Option<Secret> {
    let t = cached?;
    if t.expires_in(now()) > 30 {
        return Some(t.access_token.clone());
    }
    let rt = t.refresh_token.as_ref()?;
    let internal = t.internal_username().unwrap_or_else(|| id.username.clone());
    match cognito
        .refresh_with_device(id, rt, &internal, Some(&d.key))
        .await
    {
        Ok(fresh) => Some(fresh.access_token),
        Err(e) => {
            eprintln!("warning: refreshing for ForgetDevice failed ({e})");
            None
        }
    }
}

/// `DeviceName` for `ConfirmDevice`: `cognito-token on <host name>`.
fn device_name() -> String {
    let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| {
            h.trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect::<String>()
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "an unnamed host".into());
    format!("cognito-token on {host}")
}

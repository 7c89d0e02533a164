//! Where remembered devices are kept: one small JSON file per (endpoint,
//! user pool, app client, user) in the token cache's directory, named
//! `device-<hash>.json`.
//!
//! The file holds the device key, the device group key and the device
//! password, which together let anyone who also has the user's password
//! sign in without MFA. So the cache's file rules apply, strictly:
//! directory 0700, file 0600, written atomically (temporary file + rename);
//! read without following a symbolic link, and ignored (with a reason for
//! the caller to warn about) when it is not a regular file, is owned by
//! another user, can be read or written by group or others, or is corrupt.
//! A device file is never an error: at worst the device is not used.

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::device::Device;
use crate::private_file::{self, Distrust, Sensitivity};

const FORMAT: u32 = 1;
/// Device files larger than this are corrupt by definition.
const MAX_BYTES: u64 = 64 * 1024;

/// Which device file: where, which pool and app client, which user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStoreKey {
    /// The endpoint (or the default endpoint of the region).
    pub endpoint: String,
    /// The user pool id, empty when not configured.
    pub user_pool_id: String,
    /// The app client id.
    pub client_id: String,
    /// The name the user signs in with.
    pub username: String,
}

impl DeviceStoreKey {
    fn file_name(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"device\0");
        for part in [
            &self.endpoint,
            &self.user_pool_id,
            &self.client_id,
            &self.username,
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        let hex: String = h
            .finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("device-{hex}.json")
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OnDisk {
    format: u32,
    key: DeviceStoreKey,
    #[serde(serialize_with = "crate::cache::record::device")]
    device: Device,
}

/// The result of [`DeviceStore::load`].
#[derive(Debug)]
pub enum DeviceLookup {
    /// The remembered device for this key.
    Found(Device),
    /// No device file for this key.
    Missing,
    /// A file is there but must not be used; the reason names the file and
    /// never its content.
    Ignored(String),
}

/// The directory device files live in (the token cache's).
#[derive(Clone, Debug)]
pub struct DeviceStore {
    dir: PathBuf,
}

impl DeviceStore {
    /// A store in `dir` (created 0700 on first store).
    pub fn at(dir: impl Into<PathBuf>) -> DeviceStore {
        DeviceStore { dir: dir.into() }
    }

    /// The file for `key`.
    pub fn path(&self, key: &DeviceStoreKey) -> PathBuf {
        self.dir.join(key.file_name())
    }

    /// Reads the device for `key`. Never fails: problems are
    /// [`DeviceLookup::Ignored`].
    pub fn load(&self, key: &DeviceStoreKey) -> DeviceLookup {
        let path = self.path(key);
        let shown = path.display();
        // The file rules every secret file follows (crate::private_file):
        // directory ours and 0700, no link followed, file ours and 0600.
        match private_file::check_private_dir(&self.dir) {
            Ok(true) => {}
            Ok(false) => return DeviceLookup::Missing,
            Err(why) => return DeviceLookup::Ignored(why.to_string()),
        }
        let buf = match private_file::read(&path, Sensitivity::Secret, MAX_BYTES) {
            Ok(Some(buf)) => buf,
            Ok(None) => return DeviceLookup::Missing,
            Err(Distrust::TooLarge(_)) => {
                return DeviceLookup::Ignored(format!("{shown} is too large to be a device file"));
            }
            Err(why) => return DeviceLookup::Ignored(why.to_string()),
        };
        let corrupt = || DeviceLookup::Ignored(format!("{shown} is corrupt"));
        let Ok(d) = serde_json::from_slice::<OnDisk>(&buf) else {
            return corrupt();
        };
        if d.format != FORMAT {
            return DeviceLookup::Ignored(format!(
                "{shown} has an unknown format version {}",
                d.format
            ));
        }
        if d.device.key.is_empty() || d.device.group_key.is_empty() || d.device.password.is_empty()
        {
            return corrupt();
        }
        if d.key != *key {
            return DeviceLookup::Missing;
        }
        DeviceLookup::Found(d.device)
    }

    /// Stores the device for `key` atomically (0600 file, 0700 directory).
    pub fn store(&self, key: &DeviceStoreKey, device: &Device) -> io::Result<PathBuf> {
        private_file::ensure_private_dir(&self.dir)
            .map_err(|why| io::Error::other(why.to_string()))?;
        let path = self.path(key);
        let data = serde_json::to_vec(&OnDisk {
            format: FORMAT,
            key: key.clone(),
            device: device.clone(),
        })
        .map_err(io::Error::other)?;
        // Created 0600 in the same directory: the rename is atomic, replaces
        // a symbolic link rather than following it, and the file is never
        // readable by others.
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-device-")
            .tempfile_in(&self.dir)?;
        tmp.write_all(&data)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(path)
    }

    /// Removes the device file for `key`. Returns whether there was one.
    pub fn remove(&self, key: &DeviceStoreKey) -> io::Result<bool> {
        match fs::remove_file(self.path(key)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    fn key(user: &str) -> DeviceStoreKey {
        DeviceStoreKey {
            endpoint: "http://127.0.0.1:1".into(),
            user_pool_id: "us-east-1_abc".into(),
            client_id: "client".into(),
            username: user.into(),
        }
    }

    fn device() -> Device {
        Device {
            key: "us-east-1_0000".into(),
            group_key: "-group".into(),
            password: Secret::new("c2VjcmV0IGRldmljZSBwYXNzd29yZA=="),
        }
    }

    #[test]
    fn round_trip_and_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let store = DeviceStore::at(dir.path().join("nested/cognito-token"));
        assert!(matches!(store.load(&key("a")), DeviceLookup::Missing));
        let path = store.store(&key("a"), &device()).unwrap();
        assert!(
            path.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("device-")
        );
        match store.load(&key("a")) {
            DeviceLookup::Found(d) => assert_eq!(d, device()),
            other => panic!("{other:?}"),
        }
        assert!(matches!(store.load(&key("b")), DeviceLookup::Missing));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&dir.path().join("nested/cognito-token")), 0o700);
        }
        assert!(store.remove(&key("a")).unwrap());
        assert!(!store.remove(&key("a")).unwrap());
        let left: Vec<_> = fs::read_dir(dir.path().join("nested/cognito-token"))
            .unwrap()
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn corrupt_files_are_ignored_without_showing_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = DeviceStore::at(dir.path().join("cache"));
        let path = store.store(&key("a"), &device()).unwrap();
        let good = fs::read(&path).unwrap();
        let text = String::from_utf8(good.clone()).unwrap();
        let bad: Vec<Vec<u8>> = vec![
            b"{not json c2VjcmV0".to_vec(),
            Vec::new(),
            good[..good.len() / 2].to_vec(),
            vec![b' '; 100 * 1024],
            text.replace("\"format\":1", "\"format\":2").into_bytes(),
            text.replace("c2VjcmV0IGRldmljZSBwYXNzd29yZA==", "")
                .into_bytes(),
            text.replace("\"device\":{", "\"extra\":1,\"device\":{")
                .into_bytes(),
        ];
        for b in bad {
            fs::write(&path, &b).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            }
            match store.load(&key("a")) {
                DeviceLookup::Ignored(why) => {
                    assert!(why.contains(&*path.to_string_lossy()), "{why}");
                    assert!(!why.contains("c2VjcmV0"), "{why}");
                }
                other => panic!("{other:?}"),
            }
        }
        // A store replaces a corrupt file.
        store.store(&key("a"), &device()).unwrap();
        assert!(matches!(store.load(&key("a")), DeviceLookup::Found(_)));
    }

    #[cfg(unix)]
    #[test]
    fn readable_by_others_symlinks_and_directories_are_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = DeviceStore::at(dir.path().join("c"));
        let path = store.store(&key("a"), &device()).unwrap();
        for mode in [0o640, 0o604, 0o620, 0o660, 0o644] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            match store.load(&key("a")) {
                DeviceLookup::Ignored(why) => {
                    assert!(why.contains("other users"), "{why}");
                    assert!(why.contains(&format!("{mode:o}")), "{why}");
                }
                other => panic!("{mode:o}: {other:?}"),
            }
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        assert!(matches!(store.load(&key("a")), DeviceLookup::Found(_)));
        // A symbolic link to a perfectly good file is not followed.
        let elsewhere = dir.path().join("elsewhere.json");
        fs::rename(&path, &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
        match store.load(&key("a")) {
            DeviceLookup::Ignored(why) => assert!(why.contains("symbolic link"), "{why}"),
            other => panic!("{other:?}"),
        }
        // Storing replaces the link itself, not its target.
        store.store(&key("a"), &device()).unwrap();
        assert!(
            !fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(matches!(store.load(&key("a")), DeviceLookup::Found(_)));
        // A directory (or FIFO) in its place is not read.
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        assert!(matches!(store.load(&key("a")), DeviceLookup::Ignored(_)));
    }

    #[test]
    fn keys_do_not_collide() {
        let a = key("a");
        let mut b = key("a");
        b.user_pool_id = String::new();
        let mut c = key("a");
        c.client_id = "clien".into();
        c.username = "ta".into();
        assert_ne!(a.file_name(), b.file_name());
        assert_ne!(a.file_name(), c.file_name());
        // Never the token cache's own file name for similar inputs.
        assert!(a.file_name().starts_with("device-"));
    }
}

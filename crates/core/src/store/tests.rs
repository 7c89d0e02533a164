//! The store's rules on one test record kind: names, formats, size, the
//! three-way lookup, atomic private writes, removal and the lock.

use std::fs;

use serde::{Deserialize, Serialize};

use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Name(String);

impl Key for Name {
    fn file_name(&self) -> String {
        hashed_name("test-", b"test\0", &[&self.0])
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Note {
    name: Name,
    text: String,
}

impl Record for Note {
    type Key = Name;
    const FORMAT: u32 = 1;
    const MAX_BYTES: u64 = 1024;
    const WHAT: &'static str = "a note";

    fn is_for(&self, key: &Name) -> bool {
        self.name == *key
    }

    fn is_sound(&self) -> bool {
        !self.text.is_empty()
    }
}

fn note(name: &str) -> (Name, Note) {
    let key = Name(name.into());
    (
        key.clone(),
        Note {
            name: key,
            text: "c2VjcmV0".into(),
        },
    )
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn set_mode(p: &Path, m: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
}

#[test]
fn round_trip_private_atomic_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path().join("nested/cognito-token"));
    let (key, n) = note("a");
    assert!(matches!(store.load::<Note>(&key), Lookup::Miss));
    let path = store.put(&key, &n).unwrap();
    assert_eq!(path, store.path(&key));
    assert!(
        path.file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("test-")
    );
    assert_eq!(store.load::<Note>(&key).hit(), Some(n.clone()));
    // Another key's file name never holds this key's record.
    assert!(matches!(
        store.load::<Note>(&Name("b".into())),
        Lookup::Miss
    ));
    fs::copy(&path, store.path(&Name("b".into()))).unwrap();
    #[cfg(unix)]
    set_mode(&store.path(&Name("b".into())), 0o600);
    assert!(matches!(
        store.load::<Note>(&Name("b".into())),
        Lookup::Miss
    ));
    #[cfg(unix)]
    {
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(store.dir()), 0o700);
    }
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(r#"{"format":1,"#), "{text}");
    let _lock = store.lock(&key).unwrap();
    assert!(store.remove(&key).unwrap());
    assert!(!store.remove(&key).unwrap());
    assert!(store.remove(&Name("b".into())).unwrap());
    // No temporary or lock files left behind.
    let left: Vec<_> = fs::read_dir(store.dir()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn unusable_files_name_the_file_never_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path().join("c"));
    let (key, n) = note("a");
    let path = store.put(&key, &n).unwrap();
    let good = fs::read_to_string(&path).unwrap();
    for (bad, says) in [
        (b"{not json c2VjcmV0".to_vec(), "corrupt"),
        (Vec::new(), "corrupt"),
        (good.as_bytes()[..good.len() / 2].to_vec(), "corrupt"),
        (b"[1]".to_vec(), "corrupt"),
        (vec![b' '; 2000], "too large to be a note"),
        (
            good.replace(r#""format":1"#, r#""format":2"#).into_bytes(),
            "unknown format version 2",
        ),
        (
            good.replace(r#""format":1,"#, "").into_bytes(),
            "no format version",
        ),
        (good.replace("c2VjcmV0", "").into_bytes(), "corrupt"),
        (
            good.replace(r#""text""#, r#""extra":1,"text""#)
                .into_bytes(),
            "unexpected fields",
        ),
    ] {
        fs::write(&path, &bad).unwrap();
        #[cfg(unix)]
        set_mode(&path, 0o600);
        match store.load::<Note>(&key) {
            Lookup::Unusable(why) => {
                assert!(why.contains(says), "{says}: {why}");
                assert!(why.contains(&*path.to_string_lossy()), "{why}");
                assert!(!why.contains("c2VjcmV0") && !why.contains('\n'), "{why}");
            }
            other => panic!("{says}: {other:?}"),
        }
    }
    // A write replaces an unusable file.
    store.put(&key, &n).unwrap();
    assert_eq!(store.load::<Note>(&key).hit(), Some(n));
}

#[cfg(unix)]
#[test]
fn files_others_can_read_links_and_directories_are_unusable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path().join("c"));
    let (key, n) = note("a");
    let path = store.put(&key, &n).unwrap();
    for m in [0o640, 0o604, 0o620, 0o660, 0o644] {
        set_mode(&path, m);
        match store.load::<Note>(&key) {
            Lookup::Unusable(why) => {
                assert!(
                    why.contains("other users") && why.contains(&format!("{m:o}")),
                    "{why}"
                );
            }
            other => panic!("{m:o}: {other:?}"),
        }
    }
    set_mode(&path, 0o400);
    assert!(matches!(store.load::<Note>(&key), Lookup::Hit(_)));
    // A symbolic link to a good record is not followed, and a write
    // replaces the link itself, not its target.
    let elsewhere = dir.path().join("elsewhere.json");
    fs::rename(&path, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
    match store.load::<Note>(&key) {
        Lookup::Unusable(why) => assert!(why.contains("symbolic link"), "{why}"),
        other => panic!("{other:?}"),
    }
    store.put(&key, &n).unwrap();
    assert!(
        !fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // A directory in its place is not read.
    fs::remove_file(&path).unwrap();
    fs::create_dir(&path).unwrap();
    assert!(matches!(store.load::<Note>(&key), Lookup::Unusable(_)));
    // A store directory others can enter is neither read nor written.
    fs::remove_dir(&path).unwrap();
    set_mode(store.dir(), 0o750);
    assert!(matches!(store.load::<Note>(&key), Lookup::Unusable(_)));
    assert!(store.put(&key, &n).is_err());
}

#[derive(Serialize, Deserialize)]
struct Legacy {
    name: Name,
}

impl Record for Legacy {
    type Key = Name;
    const FORMAT: u32 = 1;
    const MAX_BYTES: u64 = 1024;
    const WHAT: &'static str = "a legacy note";
    const UNVERSIONED_IS_CURRENT: bool = true;

    fn is_for(&self, key: &Name) -> bool {
        self.name == *key
    }
}

#[test]
fn kinds_written_before_versions_read_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path().join("c"));
    let key = Name("a".into());
    let path = store.put(&key, &Legacy { name: key.clone() }).unwrap();
    fs::write(&path, r#"{"name":"a"}"#).unwrap();
    #[cfg(unix)]
    set_mode(&path, 0o600);
    assert!(matches!(store.load::<Legacy>(&key), Lookup::Hit(_)));
}

#[test]
fn the_lock_excludes_a_second_holder() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path().join("c"));
    let (key, _) = note("a");
    let held = store.lock(&key).unwrap();
    let path = lock::lock_path(&store.path(&key));
    assert!(path.to_string_lossy().ends_with(".lock"));
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    let other = fs::OpenOptions::new().write(true).open(&path).unwrap();
    assert!(matches!(
        other.try_lock(),
        Err(fs::TryLockError::WouldBlock)
    ));
    drop(held);
    other.try_lock().unwrap();
}

#[test]
fn hashed_names_do_not_collide_on_concatenation() {
    assert_ne!(
        hashed_name("", b"", &["ab", "c"]),
        hashed_name("", b"", &["a", "bc"])
    );
    assert_ne!(
        hashed_name("", b"", &["a"]),
        hashed_name("", b"device\0", &["a"])
    );
    assert!(hashed_name("device-", b"", &["a"]).starts_with("device-"));
}

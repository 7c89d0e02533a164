//! The devices the user-pool API knows ([`Devices`]): each one's key, group
//! key, name, verifier and whether it is confirmed and remembered, as
//! `api/devices.rs` creates and checks them and tests read them.

use crate::srp;

/// A device as a test sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// `DeviceKey`.
    pub key: String,
    /// `DeviceGroupKey`.
    pub group_key: String,
    /// `DeviceName` from `ConfirmDevice`.
    pub name: Option<String>,
    /// `ConfirmDevice` registered a verifier.
    pub confirmed: bool,
    /// Remembered (skips MFA).
    pub remembered: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct DeviceRec {
    pub(crate) pool_id: String,
    pub(crate) username: String,
    pub(crate) info: DeviceInfo,
    pub(crate) verifier: Option<srp::Verifier>,
}

/// Every device the stub knows.
#[derive(Debug, Default)]
pub(crate) struct Devices {
    pub(crate) list: Vec<DeviceRec>,
}

impl Devices {
    pub(crate) fn find(&self, pool_id: &str, username: &str, key: &str) -> Option<&DeviceRec> {
        self.list
            .iter()
            .find(|d| d.pool_id == pool_id && d.username == username && d.info.key == key)
    }

    pub(crate) fn find_mut(
        &mut self,
        pool_id: &str,
        username: &str,
        key: &str,
    ) -> Option<&mut DeviceRec> {
        self.list
            .iter_mut()
            .find(|d| d.pool_id == pool_id && d.username == username && d.info.key == key)
    }

    /// A user's devices.
    pub(crate) fn of_user(&self, pool_id: &str, username: &str) -> Vec<DeviceInfo> {
        self.list
            .iter()
            .filter(|d| d.pool_id == pool_id && d.username == username)
            .map(|d| d.info.clone())
            .collect()
    }

    /// Forgets a device (`AdminForgetDevice`); whether there was one.
    pub(crate) fn forget(&mut self, pool_id: &str, device_key: &str) -> bool {
        let before = self.list.len();
        self.list
            .retain(|d| !(d.pool_id == pool_id && d.info.key == device_key));
        self.list.len() != before
    }
}

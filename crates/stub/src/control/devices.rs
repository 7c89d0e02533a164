//! The test's view of the devices a user pool tracks.

use crate::{DeviceInfo, Stub};

impl Stub {
    /// The devices of a user (internal username or alias).
    pub fn devices(&self, pool_id: &str, name_or_alias: &str) -> Vec<DeviceInfo> {
        let st = self.shared.lock();
        let Some(user) = st.dir.user(pool_id, name_or_alias) else {
            return Vec::new();
        };
        st.api.devices.of_user(pool_id, &user.username)
    }

    /// Forgets a device behind the client's back (`AdminForgetDevice`).
    /// Returns whether there was one.
    pub fn admin_forget_device(&self, pool_id: &str, device_key: &str) -> bool {
        self.shared.lock().api.devices.forget(pool_id, device_key)
    }
}

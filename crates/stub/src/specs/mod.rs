//! What a test asks the stub to create: user pools, their app clients and
//! users (`user_pool.rs`); custom authentication's triggers and scripts
//! (`custom_auth.rs`); identity pools and the IAM roles they hand out
//! (`identity.rs`).

mod custom_auth;
mod identity;
mod user_pool;

pub use custom_auth::{CustomAuthScript, CustomAuthTriggers, CustomRound, Trigger};
pub use identity::{
    ACCOUNT_ID, AmbiguousRoleResolution, IdentityPoolSpec, RoleSpec, RoleTrust, TokenRoles,
    role_arn,
};
pub use user_pool::{ClientSpec, DeviceTracking, Mfa, PoolSpec, UserGroup, UserSpec};

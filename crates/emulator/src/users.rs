//! Users in a provisioned pool: created with a temporary or a permanent
//! password, passwords set, users disabled and their status read, through
//! the admin API; and unique names and passwords for them.

use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};

use crate::Provisioned;
use crate::provision::{sdk_err, unique_suffix};

impl Provisioned {
    /// Creates a user with a temporary password (status
    /// `FORCE_CHANGE_PASSWORD`: the first sign-in gets
    /// `NEW_PASSWORD_REQUIRED`), without sending a message. `email`, when
    /// given, is set and marked verified. In an `email_as_username` pool,
    /// `username` must be the email address.
    pub async fn create_user(
        &self,
        username: &str,
        temp_password: &str,
        email: Option<&str>,
    ) -> anyhow::Result<()> {
        let mut req = self
            .admin
            .admin_create_user()
            .user_pool_id(&self.pool_id)
            .username(username)
            .temporary_password(temp_password)
            .message_action(MessageActionType::Suppress);
        if let Some(email) = email {
            req = req
                .user_attributes(
                    AttributeType::builder()
                        .name("email")
                        .value(email)
                        .build()?,
                )
                .user_attributes(
                    AttributeType::builder()
                        .name("email_verified")
                        .value("true")
                        .build()?,
                );
        }
        req.send().await.map_err(sdk_err("AdminCreateUser"))?;
        Ok(())
    }

    /// Creates a user with a permanent password (status `CONFIRMED`: signs
    /// in without a challenge).
    pub async fn create_confirmed_user(
        &self,
        username: &str,
        password: &str,
        email: Option<&str>,
    ) -> anyhow::Result<()> {
        self.create_user(username, password, email).await?;
        self.set_password(username, password, true).await
    }

    /// Sets a user's password (`AdminSetUserPassword`); `permanent: false`
    /// makes it temporary again.
    pub async fn set_password(
        &self,
        username: &str,
        password: &str,
        permanent: bool,
    ) -> anyhow::Result<()> {
        self.admin
            .admin_set_user_password()
            .user_pool_id(&self.pool_id)
            .username(username)
            .password(password)
            .permanent(permanent)
            .send()
            .await
            .map_err(sdk_err("AdminSetUserPassword"))?;
        Ok(())
    }

    /// Disables a user (`AdminDisableUser`).
    pub async fn disable_user(&self, username: &str) -> anyhow::Result<()> {
        self.admin
            .admin_disable_user()
            .user_pool_id(&self.pool_id)
            .username(username)
            .send()
            .await
            .map_err(sdk_err("AdminDisableUser"))?;
        Ok(())
    }

    /// The user's status (`FORCE_CHANGE_PASSWORD`, `CONFIRMED`, …) and
    /// whether it is enabled (`AdminGetUser`).
    pub async fn user_status(&self, username: &str) -> anyhow::Result<(String, bool)> {
        let u = self
            .admin
            .admin_get_user()
            .user_pool_id(&self.pool_id)
            .username(username)
            .send()
            .await
            .map_err(sdk_err("AdminGetUser"))?;
        Ok((
            u.user_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            u.enabled(),
        ))
    }

    /// A unique username: `prefix-<random>`.
    pub fn username(prefix: &str) -> String {
        format!("{prefix}-{}", unique_suffix())
    }

    /// A random password that meets Cognito's default policy.
    pub fn password() -> String {
        format!("Pw1!{}", unique_suffix())
    }
}

//! A Cognito to measure against (moto or the strict stub): the floor's
//! request, curl's command line and the CLI's environment, made the same way
//! for both.

use std::path::Path;

use super::measure::Cmd;
use super::sandbox::base_env;

/// The `X-Amz-Target` of the floor's request.
pub(super) const TARGET: &str = "AWSCognitoIdentityProviderService.InitiateAuth";

/// A Cognito to measure against (moto or the strict stub) and the app client
/// (with a secret) to use: the floor's request, curl's command line and the
/// CLI's environment are all made from it, the same way for both.
pub(super) struct Service {
    pub(super) endpoint: String,
    pub(super) pool_id: String,
    pub(super) client_id: String,
    pub(super) client_secret: cognito_token_core::Secret,
}

impl Service {
    pub(super) fn request_json(&self, username: &str, password: &str) -> serde_json::Value {
        let hash = cognito_token_core::secret_hash(&self.client_secret, username, &self.client_id);
        serde_json::json!({
            "ClientId": self.client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": { "USERNAME": username, "PASSWORD": password, "SECRET_HASH": hash.expose() },
        })
    }

    /// curl posting the InitiateAuth request in `req_file` (the floor).
    pub(super) fn curl(&self, curl: &Path, req_file: &Path, home: &Path) -> Cmd {
        Cmd::new(
            curl,
            &[
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-X",
                "POST",
                "-H",
                &format!("X-Amz-Target: {TARGET}"),
                "-H",
                "Content-Type: application/x-amz-json-1.1",
                "--data-binary",
                &format!("@{}", req_file.display()),
                &self.endpoint,
            ],
            &base_env(home),
        )
    }

    /// The CLI's clean environment for signing `username` in here.
    pub(super) fn cli_env(
        &self,
        home: &Path,
        username: &str,
        password: &str,
    ) -> Vec<(String, String)> {
        let mut env = base_env(home);
        env.extend([
            (
                "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER".to_owned(),
                self.endpoint.clone(),
            ),
            ("COGNITO_USER_POOL_ID".to_owned(), self.pool_id.clone()),
            ("COGNITO_CLIENT_ID".to_owned(), self.client_id.clone()),
            (
                "COGNITO_CLIENT_SECRET".to_owned(),
                self.client_secret.expose().to_owned(),
            ),
            ("COGNITO_USERNAME".to_owned(), username.to_owned()),
            ("COGNITO_PASSWORD".to_owned(), password.to_owned()),
        ]);
        env
    }
}

//! Profiles: named sets of identity settings in
//! `$XDG_CONFIG_HOME/cognito-token/config.toml`.
//!
//! ```toml
//! [profiles.dev]
//! user_pool_id = "ap-northeast-1_AbC123"
//! client_id = "6ok3n8atr9j9lfuoeo4b3r7rmb"
//! username = "taro@example.com"
//! flow = "srp"
//! client_secret_env = "DEV_COGNITO_CLIENT_SECRET"      # or:
//! # client_secret_command = ["pass", "show", "cognito/dev"]
//! ```
//!
//! A client secret is never read from the file itself.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use serde::Deserialize;

const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub user_pool_id: Option<String>,
    pub client_id: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub username: Option<String>,
    pub flow: Option<String>,
    /// With `flow = "user-auth"`: `password`, `password-srp`, `email-otp` or `sms-otp`.
    pub preferred_challenge: Option<String>,
    /// The environment variable that holds the client secret.
    pub client_secret_env: Option<String>,
    /// A command (program and arguments) that prints the client secret.
    pub client_secret_command: Option<Vec<String>>,
    /// Refused with a clear error: secrets do not belong in this file.
    #[serde(default)]
    client_secret: Option<toml::Value>,
}

impl Config {
    /// Reads the config file; a missing file is an empty config.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        use std::io::Read as _;
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let mut text = String::new();
        file.take(MAX_CONFIG_BYTES + 1)
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read {} (is it UTF-8 text?)", path.display()))?;
        if text.len() as u64 > MAX_CONFIG_BYTES {
            bail!("{} is larger than 1 MiB: not a config file", path.display());
        }
        let config: Config = toml::from_str(&text).map_err(|e| {
            let msg = e.message().replace('\n', " ");
            anyhow::anyhow!("invalid config file {}: {msg}", path.display())
        })?;
        for (name, p) in &config.profiles {
            if p.client_secret.is_some() {
                bail!(
                    "profile {name} in {} stores client_secret in plain text: remove it and use \
                     client_secret_env or client_secret_command",
                    path.display()
                );
            }
        }
        Ok(config)
    }

    pub fn profile(&self, name: &str, path: &Path) -> anyhow::Result<&Profile> {
        self.profiles.get(name).with_context(|| {
            let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            if known.is_empty() {
                format!(
                    "no profile {name:?}: {} defines no profiles",
                    path.display()
                )
            } else {
                format!(
                    "no profile {name:?} in {} (known: {})",
                    path.display(),
                    known.join(", ")
                )
            }
        })
    }
}

impl Profile {
    /// The client secret named by the profile, if it names one.
    pub fn client_secret(&self, name: &str) -> anyhow::Result<Option<String>> {
        if let Some(var) = &self.client_secret_env {
            return match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(Some(v)),
                _ => bail!("profile {name} takes the client secret from ${var}, which is not set"),
            };
        }
        if let Some(cmd) = &self.client_secret_command {
            let Some((program, args)) = cmd.split_first() else {
                bail!("profile {name}: client_secret_command is empty");
            };
            let out = std::process::Command::new(program)
                .args(args)
                .stdin(std::process::Stdio::null())
                .stderr(std::process::Stdio::inherit())
                .output()
                .with_context(|| {
                    format!("profile {name}: cannot run client_secret_command {program:?}")
                })?;
            if !out.status.success() {
                bail!(
                    "profile {name}: client_secret_command {program:?} failed ({})",
                    out.status
                );
            }
            let secret = String::from_utf8(out.stdout).map_err(|_| {
                anyhow::anyhow!("profile {name}: client_secret_command printed non-UTF-8 output")
            })?;
            let secret = secret.trim_end_matches(['\n', '\r']).to_owned();
            if secret.is_empty() {
                bail!("profile {name}: client_secret_command printed nothing");
            }
            return Ok(Some(secret));
        }
        Ok(None)
    }

    /// Lines for `profile show`; the secret's source is named, never its value.
    pub fn describe(&self) -> Vec<(String, String)> {
        let mut v = Vec::new();
        let mut put = |k: &str, val: &Option<String>| {
            if let Some(x) = val {
                v.push((k.to_owned(), x.clone()));
            }
        };
        put("user_pool_id", &self.user_pool_id);
        put("client_id", &self.client_id);
        put("region", &self.region);
        put("endpoint_url", &self.endpoint_url);
        put("username", &self.username);
        put("flow", &self.flow);
        put("preferred_challenge", &self.preferred_challenge);
        if let Some(var) = &self.client_secret_env {
            let set = std::env::var_os(var).is_some_and(|v| !v.is_empty());
            v.push((
                "client_secret".into(),
                format!("*** (from ${var}{})", if set { "" } else { ", not set" }),
            ));
        }
        if let Some(cmd) = &self.client_secret_command {
            v.push((
                "client_secret".into(),
                format!(
                    "*** (from command {:?})",
                    cmd.first().map(String::as_str).unwrap_or("")
                ),
            ));
        }
        v
    }
}

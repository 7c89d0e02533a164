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
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

use cognito_token_core::FirstFactor;

use crate::fail::usage;
use crate::flow::FlowArg;

const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Where the config file lives.
pub fn config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("cognito-token").join("config.toml"))
}

/// Loads the named profile (flag or COGNITO_TOKEN_PROFILE), if any. Every
/// command reads it once, through this function.
pub fn load(name: Option<&str>) -> anyhow::Result<Option<Profile>> {
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let path = config_path()
        .ok_or_else(|| usage!("cannot find the config directory for profile {name}"))?;
    let config = Config::load(&path).map_err(|e| usage!("{e:#}"))?;
    let profile = config.profile(name, &path).map_err(|e| usage!("{e:#}"))?;
    Ok(Some(profile.clone()))
}

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
    /// The flow, by its `--flow` name (parsed with the file).
    pub flow: Option<FlowArg>,
    /// With `flow = "user-auth"`: `password`, `password-srp`, `email-otp` or
    /// `sms-otp` (or Cognito's name, `PASSWORD_SRP`).
    pub preferred_challenge: Option<FirstFactor>,
    /// The environment variable that holds the client secret.
    pub client_secret_env: Option<String>,
    /// A command (program and arguments) that prints the client secret.
    pub client_secret_command: Option<Vec<String>>,
    /// With a custom flow: check the password with SRP first, like `--custom-srp`.
    pub custom_srp: Option<bool>,
    /// The program that answers custom challenges, like `--challenge-command`.
    pub challenge_command: Option<String>,
    /// `ClientMetadata` for the pool's Lambda triggers, like `--client-metadata`.
    pub client_metadata: Option<BTreeMap<String, String>>,
    /// Remember the device on sign-in, like `--remember-device`.
    pub remember_device: Option<bool>,
    /// The user pool's domain, for the OAuth2 flows.
    pub domain: Option<String>,
    /// OAuth scopes (space- or comma-separated), for the OAuth2 flows.
    pub scope: Option<String>,
    /// The browser flow's redirect URI.
    pub redirect_uri: Option<String>,
    /// The browser flow's identity provider.
    pub idp: Option<String>,
    /// The identity pool of `aws-credentials` (`--identity-pool-id`).
    pub identity_pool_id: Option<String>,
    /// Refused with a clear error: secrets do not belong in this file.
    #[serde(default)]
    client_secret: Option<toml::Value>,
}

impl Config {
    /// Reads the config file; a missing file is an empty config. A file
    /// that is not ours, is reached through a symbolic link, or that others
    /// can change is ignored with a warning (never used: it could name a
    /// `client_secret_command` to run, or an endpoint to send passwords to).
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        use cognito_token_core::store::file::{self as private_file, Distrust, Sensitivity};
        let bytes = match private_file::read(path, Sensitivity::Config, MAX_CONFIG_BYTES) {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(Config::default()),
            Err(Distrust::TooLarge(_)) => {
                bail!("{} is larger than 1 MiB: not a config file", path.display())
            }
            Err(Distrust::Io(_, e)) => {
                return Err(e).with_context(|| format!("cannot read {}", path.display()));
            }
            Err(why) => {
                eprintln!("warning: ignoring the config file: {why}");
                return Ok(Config::default());
            }
        };
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("cannot read {} (is it UTF-8 text?)", path.display()))?;
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
        put(
            "flow",
            &self.flow.and_then(|f| {
                clap::ValueEnum::to_possible_value(&f).map(|v| v.get_name().to_owned())
            }),
        );
        put(
            "remember_device",
            &self.remember_device.map(|b| b.to_string()),
        );
        put("domain", &self.domain);
        put("scope", &self.scope);
        put("redirect_uri", &self.redirect_uri);
        put("idp", &self.idp);
        put("identity_pool_id", &self.identity_pool_id);
        put(
            "preferred_challenge",
            &self.preferred_challenge.map(|f| f.to_string()),
        );
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

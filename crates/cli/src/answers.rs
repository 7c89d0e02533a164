//! Answers to challenges from the command line's sources: options,
//! environment variables, and no-echo prompts when standard input is a
//! terminal. Without a source and a terminal, the refusal names the options
//! that would answer.

use std::collections::HashMap;
use std::io::IsTerminal as _;

use cognito_token_core::{
    Answers, CustomChallenge, FirstFactor, MfaKind, NoAnswer, Secret, StaticAnswers,
};

use crate::args::{MfaTypeArg, SignInArgs};
use crate::challenge::CustomSources;

/// The answers the options and the environment give, checked once: the
/// interactive answers ([`CliAnswers`]) and the bulk sign-in's fixed ones
/// ([`AnswerOptions::into_static`]) are both built from it.
#[derive(Debug, Default)]
pub struct AnswerOptions {
    keep_password: bool,
    new_password: Option<Secret>,
    attributes: HashMap<String, String>,
    totp_secret: Option<Secret>,
    mfa_code: Option<Secret>,
    mfa_type: Option<MfaKind>,
}

impl AnswerOptions {
    /// Reads the options and `COGNITO_NEW_PASSWORD` / `COGNITO_MFA_CODE`;
    /// checks the attributes and the TOTP secret (and warns, once, when the
    /// secret came on the command line).
    pub fn from_args(args: &SignInArgs) -> anyhow::Result<AnswerOptions> {
        let mut attributes = HashMap::new();
        for a in &args.attributes {
            let Some((k, v)) = a.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(crate::fail::usage!(
                    "--attribute {a:?}: expected NAME=VALUE"
                ));
            };
            attributes.insert(
                k.strip_prefix("userAttributes.").unwrap_or(k).to_owned(),
                v.to_owned(),
            );
        }
        let env_secret = |k: &str| {
            std::env::var(k)
                .ok()
                .filter(|v| !v.is_empty())
                .map(Secret::new)
        };
        if args.totp_secret.is_some() && std::env::var_os("COGNITO_TOTP_SECRET").is_none() {
            eprintln!(
                "warning: --totp-secret on the command line is visible to other users (ps); prefer COGNITO_TOTP_SECRET"
            );
        }
        let totp_secret = args
            .totp_secret
            .clone()
            .filter(|s| !s.is_empty())
            .map(Secret::new);
        if let Some(s) = &totp_secret {
            cognito_token_core::totp::totp(s.expose(), 0).map_err(|e| {
                crate::fail::usage!("invalid TOTP secret (COGNITO_TOTP_SECRET/--totp-secret): {e}")
            })?;
        }
        Ok(AnswerOptions {
            keep_password: args.keep_password,
            new_password: env_secret("COGNITO_NEW_PASSWORD"),
            attributes,
            totp_secret,
            mfa_code: env_secret("COGNITO_MFA_CODE"),
            mfa_type: args.mfa_type.map(|m| match m {
                MfaTypeArg::Sms => MfaKind::Sms,
                MfaTypeArg::Totp => MfaKind::Totp,
                MfaTypeArg::Email => MfaKind::Email,
            }),
        })
    }

    /// Fixed answers for sign-ins that cannot prompt (many run at once).
    pub fn into_static(self) -> StaticAnswers {
        let mut answers = if self.keep_password {
            StaticAnswers::keep_password()
        } else if let Some(p) = self.new_password {
            StaticAnswers::new_password(p)
        } else {
            StaticAnswers::default()
        };
        answers.attributes = self.attributes;
        answers.totp_secret = self.totp_secret;
        answers.mfa_code = self.mfa_code;
        answers.mfa_choice = self.mfa_type;
        answers
    }
}

/// Answers from the options, the environment, and prompts on a terminal.
#[derive(Debug)]
pub struct CliAnswers {
    o: AnswerOptions,
    custom: CustomSources,
    interactive: bool,
}

impl CliAnswers {
    pub fn new(o: AnswerOptions, custom: CustomSources) -> CliAnswers {
        CliAnswers {
            o,
            custom,
            interactive: std::io::stdin().is_terminal(),
        }
    }

    /// A custom sign-in off a terminal needs a source for its answers:
    /// refused before anything is sent.
    pub fn check_custom_source(&self) -> anyhow::Result<()> {
        self.custom.check(self.interactive)
    }
}

/// The bulk sign-in's answers: fixed ones, and the challenge command for
/// custom challenges (never a prompt: many sign-ins run at once).
#[derive(Debug)]
pub struct BulkAnswers {
    pub fixed: StaticAnswers,
    pub custom: CustomSources,
}

impl Answers for BulkAnswers {
    fn new_password(&self, current: Option<&Secret>) -> Result<Secret, NoAnswer> {
        self.fixed.new_password(current)
    }
    fn attribute(&self, name: &str) -> Result<String, NoAnswer> {
        self.fixed.attribute(name)
    }
    fn mfa_code(&self, kind: MfaKind, setup_secret: Option<&Secret>) -> Result<Secret, NoAnswer> {
        self.fixed.mfa_code(kind, setup_secret)
    }
    fn select_mfa(&self, options: &[MfaKind]) -> Result<MfaKind, NoAnswer> {
        self.fixed.select_mfa(options)
    }
    fn select_first_factor(
        &self,
        offered: &[FirstFactor],
        suggested: Option<FirstFactor>,
    ) -> Result<FirstFactor, NoAnswer> {
        self.fixed.select_first_factor(offered, suggested)
    }
    fn custom_challenge(&self, challenge: &CustomChallenge<'_>) -> Result<Secret, NoAnswer> {
        self.custom.answer(challenge, false)
    }
    fn client_metadata(&self) -> Option<&HashMap<String, String>> {
        Some(&self.custom.metadata).filter(|m| !m.is_empty())
    }
}

/// Prompts name things the server sent (attribute names, MFA factors, where
/// a code went): escaped before they reach the terminal.
fn prompt_secret(label: &str) -> Result<Secret, NoAnswer> {
    rpassword::prompt_password(cognito_token_core::sanitize::for_terminal(label))
        .map(Secret::new)
        .map_err(|e| NoAnswer(format!("cannot read from the terminal: {e}")))
}

fn prompt_line(label: &str) -> Result<String, NoAnswer> {
    eprint!("{}", cognito_token_core::sanitize::for_terminal(label));
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| NoAnswer(format!("cannot read from the terminal: {e}")))?;
    Ok(line.trim().to_owned())
}

impl Answers for CliAnswers {
    fn new_password(&self, current: Option<&Secret>) -> Result<Secret, NoAnswer> {
        if self.o.keep_password {
            return current.cloned().ok_or_else(|| {
                NoAnswer("--keep-password: this sign-in had no password to keep".into())
            });
        }
        if let Some(p) = &self.o.new_password {
            return Ok(p.clone());
        }
        if self.interactive {
            eprintln!("Cognito requires a new password for this user.");
            for _ in 0..3 {
                let first = prompt_secret("New password: ")?;
                if first.is_empty() {
                    eprintln!("The password is empty; try again.");
                    continue;
                }
                let again = prompt_secret("New password (again): ")?;
                if first == again {
                    return Ok(first);
                }
                eprintln!("The passwords differ; try again.");
            }
            return Err(NoAnswer("the new passwords did not match".into()));
        }
        Err(NoAnswer(
            "set COGNITO_NEW_PASSWORD, or pass --keep-password to reuse the current password, or run on a terminal".into(),
        ))
    }

    fn attribute(&self, name: &str) -> Result<String, NoAnswer> {
        if let Some(v) = self.o.attributes.get(name) {
            return Ok(v.clone());
        }
        if self.interactive {
            let v = prompt_line(&format!("Value for the required attribute {name}: "))?;
            if !v.is_empty() {
                return Ok(v);
            }
        }
        Err(NoAnswer(format!(
            "the user pool requires the attribute {name}: pass --attribute {name}=VALUE"
        )))
    }

    fn mfa_code(&self, kind: MfaKind, setup_secret: Option<&Secret>) -> Result<Secret, NoAnswer> {
        if kind == MfaKind::Totp
            && setup_secret.is_none()
            && let Some(s) = &self.o.totp_secret
        {
            return cognito_token_core::totp::totp_now(s.expose())
                .map(Secret::new)
                .map_err(|e| {
                    NoAnswer(format!(
                        "cannot compute a TOTP code from COGNITO_TOTP_SECRET: {e}"
                    ))
                });
        }
        if let Some(c) = &self.o.mfa_code {
            return Ok(c.clone());
        }
        if self.interactive {
            let what = match kind {
                MfaKind::Sms => "Code sent by SMS: ",
                MfaKind::Email => "Code sent by email: ",
                MfaKind::Totp => "Code from your authenticator app: ",
            };
            return prompt_line(what).map(Secret::new);
        }
        Err(NoAnswer(match kind {
            MfaKind::Totp => "set COGNITO_TOTP_SECRET (or --totp-secret) to compute codes, or COGNITO_MFA_CODE, or run on a terminal".into(),
            _ => "set COGNITO_MFA_CODE to the code that was sent, or run on a terminal".into(),
        }))
    }

    fn select_mfa(&self, options: &[MfaKind]) -> Result<MfaKind, NoAnswer> {
        let name = |k: &MfaKind| match k {
            MfaKind::Sms => "sms",
            MfaKind::Totp => "totp",
            MfaKind::Email => "email",
        };
        let offered = options.iter().map(name).collect::<Vec<_>>().join(", ");
        if let Some(k) = self.o.mfa_type {
            return if options.contains(&k) {
                Ok(k)
            } else {
                Err(NoAnswer(format!(
                    "--mfa-type {} is not offered; Cognito offers {offered}",
                    name(&k)
                )))
            };
        }
        if options.len() == 1 {
            return Ok(options[0]);
        }
        if self.interactive {
            let pick = prompt_line(&format!("Which MFA ({offered})? "))?;
            if let Some(k) = options.iter().find(|k| name(k) == pick) {
                return Ok(*k);
            }
            return Err(NoAnswer(format!("{pick:?} is not one of {offered}")));
        }
        Err(NoAnswer(format!("pass --mfa-type ({offered})")))
    }

    fn password(&self) -> Result<Secret, NoAnswer> {
        if self.interactive {
            let p = prompt_secret("Password: ")?;
            if !p.is_empty() {
                return Ok(p);
            }
        }
        Err(NoAnswer(
            "set COGNITO_PASSWORD or pass --password-stdin, or run on a terminal".into(),
        ))
    }

    fn select_first_factor(
        &self,
        offered: &[FirstFactor],
        suggested: Option<FirstFactor>,
    ) -> Result<FirstFactor, NoAnswer> {
        let list = offered
            .iter()
            .map(|f| f.cli_name())
            .collect::<Vec<_>>()
            .join(", ");
        if offered.len() == 1 {
            return Ok(offered[0]);
        }
        if self.interactive {
            let default = suggested.map(|s| format!(" [{s}]")).unwrap_or_default();
            for _ in 0..3 {
                let pick = prompt_line(&format!("Sign in with ({list}){default}: "))?;
                if pick.is_empty()
                    && let Some(s) = suggested
                {
                    return Ok(s);
                }
                if let Some(f) = offered.iter().find(|f| f.cli_name() == pick) {
                    return Ok(*f);
                }
                eprintln!("{pick:?} is not one of {list}; try again.");
            }
            return Err(NoAnswer(format!("no first factor was chosen among {list}")));
        }
        suggested.ok_or_else(|| {
            NoAnswer(format!(
                "Cognito offers {list}: pass --preferred-challenge, or set COGNITO_PASSWORD for a password factor"
            ))
        })
    }

    fn otp_code(&self, kind: MfaKind, destination: Option<&str>) -> Result<Secret, NoAnswer> {
        if let Some(c) = &self.o.mfa_code {
            return Ok(c.clone());
        }
        if self.interactive {
            let how = if kind == MfaKind::Sms { "SMS" } else { "email" };
            let label = match destination {
                Some(d) => format!("Code sent by {how} to {d}: "),
                None => format!("Code sent by {how}: "),
            };
            return prompt_line(&label).map(Secret::new);
        }
        self.mfa_code(kind, None)
    }

    fn custom_challenge(&self, challenge: &CustomChallenge<'_>) -> Result<Secret, NoAnswer> {
        self.custom.answer(challenge, self.interactive)
    }

    fn client_metadata(&self) -> Option<&HashMap<String, String>> {
        Some(&self.custom.metadata).filter(|m| !m.is_empty())
    }

    fn retry_new_password(&self, reason: &str) -> bool {
        // Only a person typing the password can give another one.
        if !self.interactive || self.o.keep_password || self.o.new_password.is_some() {
            return false;
        }
        eprintln!("Cognito refused the new password: {reason}");
        true
    }

    fn show_totp_setup(&self, secret: &Secret, otpauth_uri: &str) {
        eprintln!("Cognito requires setting up an authenticator app (TOTP) for this user.");
        // Both come from the server: escaped before they reach the terminal.
        let shown = |s: &str| cognito_token_core::sanitize::for_terminal(s).into_owned();
        eprintln!("Secret (base32): {}", shown(secret.expose()));
        eprintln!("URI for a QR code: {}", shown(otpauth_uri));
        eprintln!("Keep the secret: set COGNITO_TOTP_SECRET to it for non-interactive sign-ins.");
    }
}

/// A sign-in without a password (`--flow user-auth` with a one-time code)
/// needs the code from `COGNITO_MFA_CODE` or a terminal; off a terminal
/// without it, this refuses before Cognito sends a code.
pub fn check_code_source() -> anyhow::Result<()> {
    if std::io::stdin().is_terminal()
        || std::env::var_os("COGNITO_MFA_CODE").is_some_and(|v| !v.is_empty())
    {
        return Ok(());
    }
    Err(crate::fail::usage!(
        "no password and no one-time code: set COGNITO_PASSWORD (or pass --password-stdin) for a password factor, set COGNITO_MFA_CODE to the code Cognito sent, or run on a terminal to be prompted"
    ))
}

//! Answers to `CUSTOM_CHALLENGE` (the pool's own challenge Lambdas), from,
//! in this order: `--challenge-command` (run per round, no shell, the
//! challenge as JSON on its stdin, the answer the first line of its
//! stdout), `COGNITO_CHALLENGE_ANSWER` (the first round only), or a prompt
//! on a terminal. And the `ClientMetadata` every request of the sign-in
//! carries (`--client-metadata`, the profile's `client_metadata`).

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cognito_token_core::{CustomChallenge, NoAnswer, Secret};

use crate::args::SignInArgs;
use crate::fail::usage;
use crate::profile::Profile;

/// The variable that answers the first round.
pub const ANSWER_VAR: &str = "COGNITO_CHALLENGE_ANSWER";

/// At most this much of the command's stdout (the answer) and stderr (shown
/// when it fails) is read.
const OUTPUT_CAP: u64 = 64 * 1024;
/// At most this much of the command's stderr is shown.
const SHOWN_STDERR: usize = 1000;

/// Where the answers to custom challenges come from, and the metadata.
#[derive(Debug, Default)]
pub struct CustomSources {
    /// The command and its arguments (split without a shell).
    command: Option<Vec<String>>,
    /// `COGNITO_CHALLENGE_ANSWER`.
    first_answer: Option<Secret>,
    /// `--hide-answer`: no echo at the prompt.
    hide_answer: bool,
    /// What the command's environment drops (`args::secret_vars`).
    dropped_vars: Vec<String>,
    /// How long the command may take.
    timeout: Duration,
    /// `ClientMetadata` (empty: none).
    pub metadata: HashMap<String, String>,
}

impl CustomSources {
    /// Reads the options, the profile and `COGNITO_CHALLENGE_ANSWER`; the
    /// command runs at most `timeout` per round.
    pub fn from_args(
        args: &SignInArgs,
        profile: &Profile,
        timeout: Duration,
    ) -> anyhow::Result<CustomSources> {
        let command = match args
            .challenge_command
            .as_deref()
            .or(profile.challenge_command.as_deref())
        {
            None => None,
            Some(text) => Some(split_command(text)?),
        };
        let mut metadata: HashMap<String, String> = profile
            .client_metadata
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        for kv in &args.client_metadata {
            let Some((k, v)) = kv.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(usage!("--client-metadata {kv:?}: expected KEY=VALUE"));
            };
            metadata.insert(k.to_owned(), v.to_owned());
        }
        Ok(CustomSources {
            command,
            first_answer: std::env::var(ANSWER_VAR)
                .ok()
                .filter(|v| !v.is_empty())
                .map(Secret::new),
            hide_answer: args.hide_answer,
            dropped_vars: crate::args::secret_vars(profile.client_secret_env.as_deref())
                .map(str::to_owned)
                .collect(),
            timeout,
            metadata,
        })
    }

    /// Whether a program answers every round.
    pub fn has_command(&self) -> bool {
        self.command.is_some()
    }

    /// Off a terminal, a custom sign-in needs the command or the first
    /// round's answer: refused before anything is sent.
    pub fn check(&self, interactive: bool) -> anyhow::Result<()> {
        if interactive || self.command.is_some() || self.first_answer.is_some() {
            return Ok(());
        }
        Err(usage!("{}", no_source_hint()))
    }

    /// The answer to one round: the command, else the first round's
    /// variable, else a prompt when `interactive`.
    pub fn answer(&self, c: &CustomChallenge<'_>, interactive: bool) -> Result<Secret, NoAnswer> {
        if let Some(command) = &self.command {
            return self.run(command, c);
        }
        if c.round == 1
            && let Some(a) = &self.first_answer
        {
            return Ok(a.clone());
        }
        if interactive {
            return self.prompt(c);
        }
        Err(NoAnswer(if self.first_answer.is_some() {
            format!(
                "{ANSWER_VAR} answers the first round only and Cognito asks round {}: pass --challenge-command CMD, or run on a terminal",
                c.round
            )
        } else {
            no_source_hint().into()
        }))
    }

    /// Shows the challenge's parameters (escaped: they come from the
    /// pool's Lambda) and asks for the answer.
    fn prompt(&self, c: &CustomChallenge<'_>) -> Result<Secret, NoAnswer> {
        let shown = |s: &str| cognito_token_core::sanitize::for_terminal(s).into_owned();
        let mut lines = format!("Cognito asks a custom challenge (round {}):\n", c.round);
        let mut params: Vec<_> = c.parameters.iter().collect();
        params.sort();
        for (k, v) in params {
            lines.push_str(&format!("  {}: {}\n", shown(k), shown(v)));
        }
        let _ = std::io::stderr().write_all(lines.as_bytes());
        let read = |e: std::io::Error| NoAnswer(format!("cannot read from the terminal: {e}"));
        let answer = if self.hide_answer {
            rpassword::prompt_password("Answer: ").map_err(read)?
        } else {
            eprint!("Answer: ");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(read)?;
            line.trim_end_matches(['\n', '\r']).to_owned()
        };
        Ok(Secret::new(answer))
    }

    /// Runs the command for one round: the challenge as JSON on stdin, the
    /// first line of stdout back; no shell, no secret variable inherited.
    fn run(&self, command: &[String], c: &CustomChallenge<'_>) -> Result<Secret, NoAnswer> {
        let input = serde_json::json!({
            "challenge": "CUSTOM_CHALLENGE",
            "round": c.round,
            "username": c.username,
            "parameters": c.parameters,
        })
        .to_string();
        let program = &command[0];
        let failed = |why: String| NoAnswer(format!("the challenge command {program:?} {why}"));
        let mut cmd = Command::new(program);
        cmd.args(&command[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for k in &self.dropped_vars {
            cmd.env_remove(k);
        }
        cmd.env_remove(ANSWER_VAR);
        let mut child = cmd
            .spawn()
            .map_err(|e| failed(format!("cannot be started: {e}")))?;
        let reader = |pipe: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(p) = pipe {
                    let _ = p.take(OUTPUT_CAP).read_to_end(&mut buf);
                }
                buf
            })
        };
        let out = reader(child.stdout.take().map(|p| Box::new(p) as _));
        let err = reader(child.stderr.take().map(|p| Box::new(p) as _));
        if let Some(mut stdin) = child.stdin.take() {
            // A command that does not read its input is not an error.
            let _ = stdin.write_all(input.as_bytes());
        }
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let stderr = err.join().unwrap_or_default();
                    return Err(failed(format!(
                        "did not answer within {} s (--timeout){}",
                        self.timeout.as_secs(),
                        shown_stderr(&stderr)
                    )));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(failed(format!("cannot be waited for: {e}"))),
            }
        };
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        if !status.success() {
            return Err(failed(format!(
                "failed ({status}){}",
                shown_stderr(&stderr)
            )));
        }
        let text = String::from_utf8_lossy(&stdout);
        let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
        if first.is_empty() {
            return Err(failed(format!(
                "printed no answer on its first line{}",
                shown_stderr(&stderr)
            )));
        }
        Ok(Secret::new(first))
    }
}

/// What to do when nothing answers a custom challenge.
fn no_source_hint() -> &'static str {
    "a custom challenge needs an answer: pass --challenge-command CMD (a program that prints the answer), or set COGNITO_CHALLENGE_ANSWER for the first round, or run on a terminal to be prompted"
}

/// The command's stderr for an error message: one line, the end kept when
/// long (escaped for the terminal where the error is printed).
fn shown_stderr(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let one_line = text.replace(['\n', '\r'], " ");
    let start = one_line
        .char_indices()
        .rev()
        .nth(SHOWN_STDERR)
        .map_or(0, |(i, _)| i);
    format!(": {}", &one_line[start..])
}

/// Splits `--challenge-command` into a program and its arguments with the
/// shell's quoting rules (`shlex`), but runs no shell.
fn split_command(text: &str) -> anyhow::Result<Vec<String>> {
    match shlex::split(text) {
        Some(words) if !words.is_empty() => Ok(words),
        Some(_) => Err(usage!("--challenge-command is empty")),
        None => Err(usage!(
            "--challenge-command {text:?}: unbalanced quotes (it is split like a shell would, but no shell runs it)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_split_without_a_shell() {
        assert_eq!(
            split_command(r#"./answer.sh --inbox "team inbox" $HOME"#).unwrap(),
            ["./answer.sh", "--inbox", "team inbox", "$HOME"]
        );
        assert!(split_command("").is_err());
        assert!(split_command("'unbalanced").is_err());
    }

    #[test]
    fn long_stderr_keeps_its_end_on_one_line() {
        assert_eq!(shown_stderr(b""), "");
        assert_eq!(
            shown_stderr(b"no code\nin the inbox\n"),
            ": no code in the inbox"
        );
        let long = format!("{}END", "x".repeat(5000));
        let shown = shown_stderr(long.as_bytes());
        assert!(
            shown.ends_with("END") && shown.len() <= SHOWN_STDERR + 3,
            "{}",
            shown.len()
        );
    }
}

//! What goes to standard output: one token (`--output token`), an
//! `Authorization:` header line (`header`), or the tokens as one JSON line
//! (`json`, and each line of `login --users-file`, which share one shape);
//! claims as pretty JSON. Nothing else writes tokens to stdout.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use cognito_token_core::{TokenKind, Tokens, now};

use crate::args::{OutputArg, PrintArgs, TokenArg};
use crate::fail::usage;

/// Writes one line to stdout; a closed pipe is not an error.
pub fn emit(line: &str) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{line}").and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

/// Writes a JSON value (claims from a token) to stdout, with the characters
/// a terminal would act on escaped; the JSON value is unchanged.
pub fn emit_json(v: &serde_json::Value) -> anyhow::Result<ExitCode> {
    let text = serde_json::to_string_pretty(v)?;
    emit(&cognito_token_core::sanitize::json_for_terminal(&text))
}

/// A Unix time as RFC 3339 (UTC), or the number when it has no date.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// The JSON shape of tokens: `id_token` (null for client credentials,
/// which have none), `access_token`, `refresh_token`, `token_type`,
/// `expires_in` (seconds left, never negative) and `expires_at` (RFC 3339).
pub fn tokens_json(tokens: &Tokens) -> serde_json::Map<String, serde_json::Value> {
    let now = now();
    let v = serde_json::json!({
        "id_token": (!tokens.id_token.is_empty()).then(|| tokens.id_token.expose()),
        "access_token": tokens.access_token.expose(),
        "refresh_token": tokens.refresh_token.as_ref().map(|t| t.expose()),
        "token_type": tokens.token_type,
        "expires_in": tokens.expires_in(now).max(0),
        "expires_at": rfc3339(tokens.expires_at),
    });
    match v {
        serde_json::Value::Object(m) => m,
        _ => unreachable!("a JSON object literal"),
    }
}

/// Prints the tokens as `--output` and `--token` ask.
pub fn print_tokens(tokens: &Tokens, p: &PrintArgs) -> anyhow::Result<ExitCode> {
    let kind = match p.token_kind.unwrap_or(TokenArg::Id) {
        TokenArg::Id => TokenKind::Id,
        TokenArg::Access => TokenKind::Access,
        TokenArg::Refresh => TokenKind::Refresh,
    };
    match p.output {
        OutputArg::Json => emit(&serde_json::Value::Object(tokens_json(tokens)).to_string()),
        OutputArg::Token | OutputArg::Header => {
            let t = tokens.get(kind).ok_or_else(|| {
                usage!("no refresh token: Cognito returned none for this sign-in")
            })?;
            if p.output == OutputArg::Header {
                emit(&format!("Authorization: {}", t.expose()))
            } else {
                emit(t.expose())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognito_token_core::Secret;

    #[test]
    fn the_token_shape() {
        let t = Tokens {
            id_token: Secret::new(""),
            access_token: Secret::new("a"),
            refresh_token: None,
            token_type: "Bearer".into(),
            expires_at: 0,
            new_device: None,
        };
        let m = tokens_json(&t);
        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "access_token",
                "expires_at",
                "expires_in",
                "id_token",
                "refresh_token",
                "token_type"
            ]
        );
        assert_eq!(m["id_token"], serde_json::Value::Null);
        assert_eq!(m["expires_in"], 0);
        assert_eq!(m["expires_at"], "1970-01-01T00:00:00Z");
    }
}

//! The proxy's lines on stderr: the start-up lines and, with `--log`, one
//! line per request. Everything that repeats request or token data (the
//! method, the path, a refusal's reason, which can quote a token's
//! unverified `iss` or `kid`) goes through core's terminal sanitizer, so a
//! client cannot write escape sequences to the operator's terminal.

use cognito_token_core::sanitize::for_terminal;

/// Writes one line (`proxy: ` and `text`, sanitized) to stderr.
pub(crate) fn say(text: &str) {
    eprintln!("proxy: {}", for_terminal(text));
}

/// Writes a warning (`warning: ` and `text`, sanitized) to stderr.
pub(crate) fn warn(text: &str) {
    eprintln!("warning: {}", for_terminal(text));
}

/// The `--log` line of one request.
pub(crate) fn request_line(
    method: &str,
    path: &str,
    status: u16,
    verdict: &str,
    ms: f64,
) -> String {
    format!("{method} {path} {status} {verdict} ({ms:.2} ms)")
}

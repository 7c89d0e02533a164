//! Text from servers and tokens is shown to a person only after control
//! characters are escaped: an error message, a challenge parameter, a claim
//! or a TOTP secret code can hold escape sequences that rewrite the
//! terminal (move the cursor, hide text, set the window title) or
//! bidirectional overrides that reorder what is read.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls, DEL,
/// and the Unicode bidirectional embedding, override and isolate controls.
pub fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `s` with every such character written as `\u{…}` (tab and newline
/// too: what is printed stays one line).
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts_on_terminal) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if acts_on_terminal(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A JSON text (as serde_json writes it) with the characters serde_json
/// leaves as they are but a terminal acts on (DEL, C1 controls, bidi
/// controls) written as `\uXXXX` escapes. The result is the same JSON value.
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    if !json.chars().any(acts_in_json) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if acts_in_json(c) {
            // All of these are in the Basic Multilingual Plane.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// serde_json escapes U+0000–U+001F inside strings; its output also holds
/// newlines and spaces between tokens (pretty printing), which are safe.
fn acts_in_json(c: char) -> bool {
    acts_on_terminal(c) && !matches!(c, '\n' | '\t' | '\r' | ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_bidi_controls_are_escaped() {
        assert_eq!(for_terminal("plain text: ok"), "plain text: ok");
        assert!(matches!(for_terminal("plain"), Cow::Borrowed(_)));
        let hostile = "Incorrect\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{202e}txt.exe\nline";
        let shown = for_terminal(hostile);
        assert!(!shown.chars().any(acts_on_terminal), "{shown}");
        assert_eq!(
            shown,
            "Incorrect\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\u{9b}31m\\u{202e}txt.exe\\u{a}line"
        );
    }

    #[test]
    fn json_stays_the_same_value() {
        let v = serde_json::json!({"name": "a\u{9b}b\u{7f}\u{202e}c\u{1b}d"});
        let text = serde_json::to_string_pretty(&v).unwrap();
        let safe = json_for_terminal(&text);
        assert!(
            !safe.chars().any(|c| acts_on_terminal(c) && c != '\n'),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
    }
}

//! The user list of `login --users-file`: CSV (read with the `csv` crate)
//! or JSON lines, and where each user's password comes from.
//!
//! - CSV: `username,password`; a first line naming the columns picks the
//!   password source per column: `password` (the password itself),
//!   `password_env` (the name of an environment variable holding it) or
//!   `password_file` (a file whose first line is the password). Fields may
//!   be double-quoted (`""` inside quotes is a quote; a quoted field may hold
//!   commas). Spaces around a field are ignored. Blank lines and lines
//!   starting with `#` are skipped.
//! - JSON lines (a `.jsonl`/`.ndjson` name, or a first line starting with
//!   `{`): `{"username": "...", "password": "..."}`, or `password_env` /
//!   `password_file` instead of `password`.
//!
//! A user without a password source uses the shared one (`COGNITO_PASSWORD`,
//! or `--password-stdin` when the list is not itself on standard input).

use std::io::{BufRead as _, Read as _};
use std::path::Path;

use anyhow::Context as _;
use cognito_token_core::Secret;

use crate::fail::usage;

/// At most this many users in one file (a guard against the wrong file).
const MAX_USERS: usize = 100_000;
/// A users file may name only password variables with this prefix (unless
/// `--allow-any-env`): a list from elsewhere must not be able to send, say,
/// `AWS_SECRET_ACCESS_KEY` to Cognito as a password.
pub const PASSWORD_ENV_PREFIX: &str = "COGNITO_PW_";

/// Where a user's password comes from.
#[derive(Debug, Clone)]
pub enum PasswordSource {
    Literal(Secret),
    Env(String),
    File(String),
    Shared,
}

#[derive(Debug, Clone)]
pub struct User {
    pub line: usize,
    pub username: String,
    pub password: PasswordSource,
}

/// Reads the user list: `-` is standard input.
pub fn read_list(path: &Path) -> anyhow::Result<String> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(256 * 1024 * 1024)
            .read_to_string(&mut text)
            .context("cannot read the user list from standard input")?;
        return Ok(text);
    }
    let file = std::fs::File::open(path)
        .map_err(|e| usage!("cannot open the user list {}: {e}", path.display()))?;
    file.take(256 * 1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| usage!("cannot read the user list {}: {e}", path.display()))?;
    Ok(text)
}

fn source_for(column: &str, value: String) -> PasswordSource {
    match column {
        _ if value.is_empty() => PasswordSource::Shared,
        "password_env" => PasswordSource::Env(value),
        "password_file" => PasswordSource::File(value),
        _ => PasswordSource::Literal(Secret::new(value)),
    }
}

/// Parses the list. Errors name the line, never a password.
pub fn parse_users(text: &str) -> anyhow::Result<Vec<User>> {
    let users = if text.trim_start().starts_with('{') {
        json_users(text)?
    } else {
        csv_users(text)?
    };
    if users.is_empty() {
        return Err(usage!("the user list is empty"));
    }
    Ok(users)
}

/// Checks and collects one user.
fn push(users: &mut Vec<User>, user: User) -> anyhow::Result<()> {
    let line_no = user.line;
    if user.username.trim().is_empty() {
        return Err(usage!("user list line {line_no}: the username is empty"));
    }
    if crate::user::check_username(&user.username).is_err() {
        return Err(usage!(
            "user list line {line_no}: invalid username (at most 256 characters, no control characters)"
        ));
    }
    users.push(user);
    if users.len() > MAX_USERS {
        return Err(usage!("the user list has more than {MAX_USERS} users"));
    }
    Ok(())
}

fn json_users(text: &str) -> anyhow::Result<Vec<User>> {
    let mut users = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| {
            usage!(
                "user list line {line_no}: not a JSON object ({})",
                e.classify_name()
            )
        })?;
        let obj = v
            .as_object()
            .ok_or_else(|| usage!("user list line {line_no}: not a JSON object"))?;
        let username = obj
            .get("username")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| usage!("user list line {line_no}: no \"username\" string"))?
            .to_owned();
        let mut password = PasswordSource::Shared;
        for key in ["password", "password_env", "password_file"] {
            if let Some(v) = obj.get(key) {
                let s = v
                    .as_str()
                    .ok_or_else(|| usage!("user list line {line_no}: {key:?} is not a string"))?;
                password = source_for(key, s.to_owned());
            }
        }
        push(
            &mut users,
            User {
                line: line_no,
                username,
                password,
            },
        )?;
    }
    Ok(users)
}

fn csv_users(text: &str) -> anyhow::Result<Vec<User>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut users = Vec::new();
    // (username column, password column and its name)
    let mut columns: Option<(usize, Option<(usize, String)>)> = None;
    let mut record = csv::StringRecord::new();
    // Line numbers count every line of the file, as an editor does.
    let (mut counted_to, mut line_no) = (0, 1);
    loop {
        let start = usize::try_from(reader.position().byte()).unwrap_or(text.len());
        let read = reader.read_record(&mut record);
        let start = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(start)
            .min(text.len());
        // A record's position may be the end of the line before it (CRLF)
        // or of blank lines before it: its text starts after them.
        let start = text[start..]
            .find(|c| c != '\r' && c != '\n')
            .map_or(text.len(), |i| start + i);
        line_no += text[counted_to..start].matches('\n').count();
        counted_to = start;
        match read {
            Ok(true) => {}
            Ok(false) => break,
            // Never the content: it may be a password.
            Err(_) => return Err(usage!("user list line {line_no}: not valid CSV")),
        }
        // A quote left open swallows the following lines, or the end of
        // the file.
        let end = usize::try_from(reader.position().byte()).unwrap_or(text.len());
        if record.iter().any(|f| f.contains(['\n', '\r']))
            || (end >= text.len() && text[start..].matches('"').count() % 2 == 1)
        {
            return Err(usage!("user list line {line_no}: an unclosed quote"));
        }
        // Spaces around a field are not part of it.
        record.trim();
        // Indented comments and lines of spaces are skipped too.
        if record.get(0).is_some_and(|f| f.starts_with('#')) || record.iter().all(str::is_empty) {
            continue;
        }
        if columns.is_none() {
            let lower: Vec<String> = record.iter().map(str::to_ascii_lowercase).collect();
            if let Some(u) = lower.iter().position(|f| f == "username") {
                let pw = lower
                    .iter()
                    .position(|f| {
                        matches!(f.as_str(), "password" | "password_env" | "password_file")
                    })
                    .map(|p| (p, lower[p].clone()));
                columns = Some((u, pw));
                continue;
            }
            columns = Some((0, Some((1, "password".to_owned()))));
        }
        let Some((u, pw)) = &columns else {
            unreachable!("set above")
        };
        let username = record.get(*u).unwrap_or_default().to_owned();
        let password = match pw {
            Some((p, col)) => match record.get(*p) {
                Some(v) => source_for(col, v.to_owned()),
                None => PasswordSource::Shared,
            },
            None => PasswordSource::Shared,
        };
        push(
            &mut users,
            User {
                line: line_no,
                username,
                password,
            },
        )?;
    }
    Ok(users)
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected value",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

/// Password sources stay within what the list may name: variables with
/// [`PASSWORD_ENV_PREFIX`] (unless `allow_any_env`), and files given as a
/// relative path inside the list's own folder (`None`: the list came on
/// standard input, so the current folder; any path with `allow_any_path`),
/// never through a symbolic link. Warns once per password file that others
/// can read.
pub fn bound_password_sources(
    users: &mut [User],
    list_dir: Option<&Path>,
    allow_any_env: bool,
    allow_any_path: bool,
) -> anyhow::Result<()> {
    let mut warned = std::collections::HashSet::new();
    for u in users.iter_mut() {
        match &mut u.password {
            PasswordSource::Env(var) if !allow_any_env && !var.starts_with(PASSWORD_ENV_PREFIX) => {
                return Err(usage!(
                    "users file line {}: password_env {} does not start with {PASSWORD_ENV_PREFIX}; \
                     rename the variable, or pass --allow-any-env to let the list name any variable",
                    u.line,
                    cognito_token_core::sanitize::for_terminal(var)
                ));
            }
            PasswordSource::File(file) => {
                if !allow_any_path {
                    inside_the_lists_folder(file, list_dir, u.line)?;
                }
                if let Some(dir) = list_dir
                    && Path::new(file.as_str()).is_relative()
                {
                    *file = dir.join(file.as_str()).to_string_lossy().into_owned();
                }
                let shown = cognito_token_core::sanitize::for_terminal(file).into_owned();
                let meta = std::fs::symlink_metadata(file.as_str()).map_err(|e| {
                    usage!(
                        "users file line {}: cannot open the password file {shown}: {e}",
                        u.line
                    )
                })?;
                if meta.file_type().is_symlink() {
                    return Err(usage!(
                        "users file line {}: the password file {shown} is a symbolic link; refused \
                         (name the file itself)",
                        u.line
                    ));
                }
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    let mode = meta.permissions().mode() & 0o777;
                    if mode & 0o044 != 0 && warned.insert(file.clone()) {
                        eprintln!(
                            "warning: the password file {shown} is readable by other users (mode {mode:o}); run chmod 600 on it"
                        );
                    }
                }
            }
            _ => {}
        }
    }
    let _ = &mut warned;
    Ok(())
}

/// A list from elsewhere must not be able to send any file this user can
/// read to Cognito as a password: a `password_file` is a relative path
/// without `..`, and the folder it is in (links resolved) is the list's
/// folder or one below it.
fn inside_the_lists_folder(file: &str, list_dir: Option<&Path>, line: usize) -> anyhow::Result<()> {
    use std::path::Component;
    let shown = cognito_token_core::sanitize::for_terminal(file).into_owned();
    let refused = || {
        usage!(
            "users file line {line}: password_file {shown} is not a relative path inside the list's folder; \
             name a file beside the list (or below it), or pass --allow-any-path"
        )
    };
    let path = Path::new(file);
    if !path
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(refused());
    }
    let base = match list_dir {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    // A folder on the way may be a link out of the list's folder.
    let folder = base.join(path).parent().map(Path::to_path_buf);
    if let (Ok(base), Some(Ok(folder))) = (
        std::fs::canonicalize(&base),
        folder.map(std::fs::canonicalize),
    ) && !folder.starts_with(&base)
    {
        return Err(refused());
    }
    Ok(())
}

/// Passwords in a file others can read are an accident waiting to happen.
pub fn warn_if_world_readable(path: &Path, users: &[User]) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if users
            .iter()
            .any(|u| matches!(u.password, PasswordSource::Literal(_)))
            && let Ok(m) = std::fs::metadata(path)
            && m.is_file()
            && m.permissions().mode() & 0o077 != 0
        {
            eprintln!(
                "warning: {} holds passwords and is readable by other users (mode {:o}); run chmod 600 on it",
                path.display(),
                m.permissions().mode() & 0o777
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, users);
}

pub fn resolve_password(src: &PasswordSource, shared: Option<&Secret>) -> Result<Secret, String> {
    match src {
        PasswordSource::Literal(s) => Ok(s.clone()),
        PasswordSource::Env(var) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
            _ => Err(format!("the password variable {var} is not set or empty")),
        },
        PasswordSource::File(path) => {
            // Not through a link, even one planted after the list was checked.
            let f = cognito_token_core::store::file::open_no_follow(Path::new(path.as_str()))
                .map_err(|e| {
                    let path = cognito_token_core::sanitize::for_terminal(path);
                    if cognito_token_core::store::file::is_symlink_error(&e) {
                        format!("the password file {path} is a symbolic link; refused")
                    } else {
                        format!("cannot open the password file {path}: {e}")
                    }
                })?;
            let mut line = String::new();
            std::io::BufReader::new(f.take(64 * 1024))
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the password file {path}: {e}"))?;
            let first = line.trim_end_matches(['\n', '\r']);
            if first.is_empty() {
                return Err(format!("the password file {path} is empty"));
            }
            Ok(Secret::new(first))
        }
        PasswordSource::Shared => shared.cloned().ok_or_else(|| {
            "no password for this user: add a password column, or set COGNITO_PASSWORD".to_owned()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_and_without_header() {
        let u = parse_users("alice,pw1\n\n# comment\n\"bob, jr\",\"p\"\"w,2\"\n").unwrap();
        assert_eq!(u.len(), 2);
        assert_eq!(u[1].username, "bob, jr");
        assert!(matches!(&u[1].password, PasswordSource::Literal(s) if s.expose() == "p\"w,2"));
        let u = parse_users("password_env,username\nPW_A,alice\n,bob\n").unwrap();
        assert!(matches!(&u[0].password, PasswordSource::Env(v) if v == "PW_A"));
        assert!(matches!(u[1].password, PasswordSource::Shared));
        let u = parse_users("username\ncarol\n").unwrap();
        assert!(matches!(u[0].password, PasswordSource::Shared));
        assert!(parse_users("\"open,x\n").is_err());
        assert!(parse_users("# nothing\n").is_err());
    }

    #[test]
    fn json_lines() {
        let u = parse_users("{\"username\":\"a\",\"password\":\"x\"}\n{\"username\":\"b\",\"password_file\":\"/f\"}\n").unwrap();
        assert!(matches!(&u[1].password, PasswordSource::File(f) if f == "/f"));
        let e = parse_users(
            "{\"username\":\"a\",\"password\":\"secret\"}\n{\"password\":\"hunter2\"}\n",
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("line 2") && !e.to_string().contains("hunter2"),
            "{e}"
        );
    }

    /// Cases RFC 4180 and the old reader agree on, read by the `csv`
    /// crate: CRLF line ends, a quoted comma and quote in the username,
    /// spaces around unquoted fields and header names, an indented comment,
    /// a line of spaces; line numbers count every line.
    #[test]
    fn csv_edge_cases() {
        let u = parse_users(
            " Username , Password_Env \r\n\"smith, j \"\"jr\"\"\", COGNITO_PW_A \r\n   \r\n  # x,y\r\nbob,\r\n",
        )
        .unwrap();
        assert_eq!(u.len(), 2);
        assert_eq!(u[0].username, "smith, j \"jr\"");
        assert!(matches!(&u[0].password, PasswordSource::Env(v) if v == "COGNITO_PW_A"));
        assert_eq!((u[0].line, u[1].line), (2, 5));
        assert!(matches!(u[1].password, PasswordSource::Shared));
        // More fields than columns: the extra ones are ignored.
        let u = parse_users("alice,pw,extra\n").unwrap();
        assert!(matches!(&u[0].password, PasswordSource::Literal(s) if s.expose() == "pw"));
        // An unclosed quote never swallows the next users silently, and
        // the error names the line, not the text.
        let e = parse_users("alice,pw\nbob,\"hunter2\ncarol,pw\n").unwrap_err();
        assert!(
            e.to_string().contains("line 2") && !e.to_string().contains("hunter2"),
            "{e}"
        );
    }
}

//! What `login --users-file` writes: one JSON line per user on stdout
//! (the tokens in the shape `--output json` prints, plus the username; or
//! the error), a progress counter on a terminal's stderr, and the cache
//! entries, stored on a thread of their own.

use anyhow::Context as _;
use cognito_token_core::Tokens;
use cognito_token_core::session::Entry;
use cognito_token_core::store::Store;

use crate::fail;

/// The line of a user who signed in.
pub fn success_line(username: &str, tokens: &Tokens) -> String {
    let mut line = serde_json::Map::new();
    line.insert("username".into(), username.into());
    line.extend(crate::output::tokens_json(tokens));
    serde_json::Value::Object(line).to_string()
}

/// The line of a user who did not.
pub fn failure_line(username: &str, message: &str, code: Option<&str>, exit: u8) -> String {
    serde_json::json!({
        "username": username,
        "error": message.replace(['\n', '\r'], " "),
        "code": code,
        "exit": exit,
    })
    .to_string()
}

/// Stores cache entries on one thread of its own, so that a store (it
/// fsyncs, ~4 ms) never holds a sign-in slot. Failures are counted and
/// reported once, at the end.
pub struct CacheWriter {
    tx: Option<std::sync::mpsc::Sender<Entry>>,
    thread: Option<std::thread::JoinHandle<(usize, Option<String>)>>,
    dir: std::path::PathBuf,
}

impl CacheWriter {
    pub fn start(cache: Option<Store>) -> anyhow::Result<Self> {
        let Some(cache) = cache else {
            return Ok(Self {
                tx: None,
                thread: None,
                dir: std::path::PathBuf::new(),
            });
        };
        let dir = cache.dir().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel::<Entry>();
        let thread = std::thread::Builder::new()
            .name("cache-writer".into())
            .spawn(move || {
                let (mut failed, mut first) = (0, None);
                for entry in rx {
                    if let Err(e) = cache.put(&entry.key, &entry) {
                        failed += 1;
                        first.get_or_insert_with(|| e.to_string());
                    }
                }
                (failed, first)
            })
            .context("cannot start the cache writer thread")?;
        Ok(Self {
            tx: Some(tx),
            thread: Some(thread),
            dir,
        })
    }

    /// Queues `entry`; a no-op without a cache (`--no-cache`, no directory).
    pub fn store(&self, entry: Entry) {
        if let Some(tx) = &self.tx {
            // The writer only stops once `tx` is dropped, in `finish`.
            let _ = tx.send(entry);
        }
    }

    /// Waits for every queued entry to be written; warns once on failures.
    pub fn finish(mut self, stored: usize) {
        drop(self.tx.take());
        let Some(thread) = self.thread.take() else {
            return;
        };
        match thread.join() {
            Ok((0, _)) => {}
            Ok((failed, first)) => eprintln!(
                "warning: cannot write the token cache in {}: {} ({failed} of {stored} tokens not cached)",
                self.dir.display(),
                first.unwrap_or_default()
            ),
            Err(_) => eprintln!(
                "warning: the token cache writer stopped; some tokens may not be cached in {}",
                self.dir.display()
            ),
        }
    }
}

pub fn kind_name(exit: u8) -> &'static str {
    match exit {
        fail::USAGE => "Usage",
        fail::REJECTED => "Rejected",
        fail::NETWORK => "Network",
        fail::PROTOCOL => "Protocol",
        _ => "Other",
    }
}

/// A `\r` counter on stderr, only when stderr is a terminal.
pub struct Progress {
    pub on: bool,
    pub total: usize,
    pub done: usize,
    pub failed: usize,
}

impl Progress {
    pub fn tick(&mut self, failed: bool) {
        self.done += 1;
        self.failed += usize::from(failed);
        if self.on {
            let width = 30;
            let filled = self.done * width / self.total.max(1);
            eprint!(
                "\r[{}{}] {}/{} signed in, {} failed",
                "#".repeat(filled),
                "-".repeat(width - filled),
                self.done - self.failed,
                self.total,
                self.failed
            );
            if self.done == self.total {
                eprintln!();
            }
        }
    }
}

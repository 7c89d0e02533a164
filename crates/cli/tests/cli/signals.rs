//! Ctrl-C: SIGINT while a request hangs ends the process promptly with
//! status 130 and one `error: interrupted` line, prints nothing on stdout,
//! and leaves the cache as it was (no partial or temporary files).
//!
//! The binary catches Ctrl-C only when standard input is not a terminal
//! (on a terminal the default action also ends a blocked password prompt);
//! `Cmd::spawn` gives it an empty, non-terminal standard input, as a
//! script would.

use std::path::Path;
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use crate::support::*;

/// Waits until the stub has received a request for `target`: the binary is
/// then inside that request (the stub hangs), with its Ctrl-C handler set.
fn wait_for_request(w: &World, target: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while w.requests(target).is_empty() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("cognito-token exited ({status}) before sending {target}");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("no {target} request reached the stub within 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the request settle into the hang.
    std::thread::sleep(Duration::from_millis(500));
}

/// Sends SIGINT (as Ctrl-C in a terminal does) and returns the output once
/// the process has exited; fails if that takes longer than `limit`.
fn interrupt(mut child: Child, limit: Duration) -> (Output, Duration) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -INT failed: {status}");
    let sent = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if sent.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running {limit:?} after SIGINT; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let took = sent.elapsed();
    (child.wait_with_output().unwrap(), took)
}

fn assert_interrupted(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(130),
        "status {:?}; stderr: {stderr}",
        out.status
    );
    assert!(
        out.stdout.is_empty(),
        "stdout: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.lines().any(|l| l == "error: interrupted"),
        "stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else if p.extension().is_some_and(|x| x == "lock") {
                // The entry's (empty) refresh lock stays, by design.
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn ctrl_c_during_a_hanging_login_exits_130_and_writes_nothing() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    w.stub.set_fault(Some(Fault::Hang));
    // A 60 s timeout: only the signal can end the process within the limit.
    let mut child = w
        .cmd(&["login", "--username", "alice", "--timeout", "60"])
        .env("COGNITO_PASSWORD", PW)
        .spawn();
    wait_for_request(&w, "InitiateAuth", &mut child);
    let (out, took) = interrupt(child, Duration::from_secs(2));
    assert_interrupted(&out);
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let left = files_under(&w.dir.path().join("cache"));
    assert!(left.is_empty(), "files left in the cache: {left:?}");
}

#[test]
fn ctrl_c_during_a_hanging_refresh_keeps_the_cached_entry() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let first = w
        .cmd(&["login", "--username", "alice"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    let before = files_under(&w.cache_dir());
    assert_eq!(before.len(), 1, "{before:?}");
    let content = std::fs::read(&before[0]).unwrap();

    w.stub.clear_requests();
    w.stub.set_fault(Some(Fault::Hang));
    // Asking for more validity than the tokens have forces a refresh, which hangs.
    let mut child = w
        .cmd(&[
            "token",
            "--username",
            "alice",
            "--min-ttl",
            "7200",
            "--timeout",
            "60",
        ])
        .spawn();
    wait_for_request(&w, "GetTokensFromRefreshToken", &mut child);
    let (out, _) = interrupt(child, Duration::from_secs(2));
    assert_interrupted(&out);

    // The entry is untouched and nothing else (no `.tmp-*` file) appeared.
    assert_eq!(files_under(&w.cache_dir()), before);
    assert_eq!(std::fs::read(&before[0]).unwrap(), content);
    w.stub.set_fault(None);
    w.stub.clear_requests();
    assert_eq!(w.cmd(&["token", "--username", "alice"]).run().line(), first);
    assert!(w.stub.requests().is_empty());
}

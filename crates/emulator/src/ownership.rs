//! Which process owns an emulator container (its labels) and the removal of
//! containers whose owner is gone: ones left by a killed run.

use anyhow::Context;

/// The label every emulator container carries (value: the emulator kind,
/// `moto` or `fakecloud`), so containers left by a killed run can be found.
pub const LABEL: &str = "cognito-token.emulator";

/// The label that names the process owning a container, as
/// `PID:STARTTIME` (the start time from `/proc/PID/stat`, so a reused pid
/// is not mistaken for the owner).
pub const LABEL_PID: &str = "cognito-token.owner";

/// Removes emulator containers ([`LABEL`], either kind) whose owning
/// process ([`LABEL_PID`]) is gone: ones left by a killed run. Containers
/// of live runs are left alone. Returns how many were removed.
pub fn remove_stale_containers() -> anyhow::Result<usize> {
    let out = std::process::Command::new("docker")
        .args([
            "ps",
            "-a",
            "--filter",
            &format!("label={LABEL}"),
            "--format",
        ])
        .arg(format!("{{{{.ID}}}} {{{{.Label \"{LABEL_PID}\"}}}}"))
        .output()
        .context("cannot run `docker ps`")?;
    anyhow::ensure!(
        out.status.success(),
        "`docker ps` failed: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let mut removed = 0;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut parts = line.split_whitespace();
        let (Some(id), owner) = (parts.next(), parts.next().unwrap_or("")) else {
            continue;
        };
        if owner_alive(owner) {
            continue;
        }
        let status = std::process::Command::new("docker")
            .args(["rm", "-f", "-v", id])
            .stdout(std::process::Stdio::null())
            .status()
            .context("cannot run `docker rm`")?;
        if status.success() {
            removed += 1;
        }
    }
    Ok(removed)
}

fn proc_start_time(pid: &str) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    // starttime is field 22 overall, the 20th after the command name.
    rest.split_whitespace().nth(19).map(str::to_owned)
}

pub(crate) fn owner_label() -> String {
    let pid = std::process::id().to_string();
    let start = proc_start_time(&pid).unwrap_or_else(|| "0".into());
    format!("{pid}:{start}")
}

/// The owner label of containers that outlive their process.
pub(crate) const DETACHED: &str = "detached";

fn owner_alive(owner: &str) -> bool {
    if owner == DETACHED {
        return true;
    }
    let Some((pid, start)) = owner.split_once(':') else {
        return false;
    };
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match proc_start_time(pid) {
        Some(s) => start == "0" || s == start,
        None => false,
    }
}

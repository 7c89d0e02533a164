//! `cargo xtask doctor` as a process: on a `PATH` that lacks the tools, it
//! names each with its install command and exits non-zero. (That it exits 0
//! when nothing is missing is `doctor::tests` in the binary, on a made-up
//! machine where every tool answers.)

use std::process::Command;

#[test]
fn a_path_without_the_tools_names_each_with_its_install_command() {
    let empty =
        std::env::temp_dir().join(format!("xtask-doctor-empty-path-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("doctor")
        .env("PATH", &empty)
        .env_remove("COGNITO_TOKEN_IMAGE_WAY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    // `id` is not on PATH either: taken as not root, so sudo.
    for (tool, install) in [
        (
            "chromium",
            "sudo apt-get install -y --no-install-recommends chromium",
        ),
        (
            "chromedriver",
            "sudo apt-get install -y --no-install-recommends chromium-driver",
        ),
        (
            "curl",
            "sudo apt-get install -y --no-install-recommends curl",
        ),
        ("cargo-nextest", "cargo install --locked cargo-nextest"),
        ("docker-engine", "sudo systemctl start docker"),
    ] {
        let at = stdout
            .find(&format!("MISSING {tool} "))
            .unwrap_or_else(|| panic!("{tool} not named missing:\n{stdout}"));
        let next_line = stdout[at..].lines().nth(1).unwrap_or("");
        assert!(
            next_line.contains(install),
            "{tool}: {next_line:?}\n{stdout}"
        );
    }
    assert!(
        stderr.contains("error: tools missing: docker, docker-engine, cc,"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`cargo xtask doctor --install`"),
        "{stderr}"
    );
}

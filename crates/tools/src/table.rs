//! The table: every outside tool the suites and the xtask need. Adding a
//! tool is adding one entry here; `cargo xtask doctor` then checks and
//! installs it, and (with [`Need::Tests`]) tests can name it in
//! `#[cfg_attr(missing_tool = "NAME", ignore = "…")]`.

use crate::tool::{Install, Need, Probe, Tool};

/// Every tool, in the order doctor shows them.
pub const TOOLS: &[Tool] = &[
    // --- what `cargo xtask test-local` cannot run without -------------
    Tool {
        name: "docker",
        used_by: "the emulator containers (cargo xtask test-local, token, emulator)",
        need: Need::Always,
        probe: Probe::Program("docker"),
        install: Install::Apt(&["docker.io"]),
    },
    Tool {
        name: "docker-engine",
        used_by: "the emulator containers: a Docker engine that answers `docker info`",
        need: Need::Always,
        probe: Probe::Runs {
            argv: &["docker", "info"],
            prints: None,
        },
        install: Install::Manual(
            "start it: `sudo systemctl start docker`, or without systemd \
             `sudo sh -c 'dockerd > /tmp/dockerd.log 2>&1 &'`",
        ),
    },
    Tool {
        name: "cc",
        used_by: "linking every Rust program, building AWS-LC and fakecloud's Cognito",
        need: Need::Always,
        probe: Probe::Program("cc"),
        install: Install::Apt(&["gcc", "libc6-dev"]),
    },
    Tool {
        name: "rustfmt",
        used_by: "cargo xtask lint (test-local runs it first)",
        need: Need::Always,
        probe: Probe::Runs {
            argv: &["cargo", "fmt", "--version"],
            prints: None,
        },
        install: Install::Rustup("rustfmt"),
    },
    Tool {
        name: "clippy",
        used_by: "cargo xtask lint (test-local runs it first)",
        need: Need::Always,
        probe: Probe::Runs {
            argv: &["cargo", "clippy", "--version"],
            prints: None,
        },
        install: Install::Rustup("clippy"),
    },
    Tool {
        name: "cargo-nextest",
        used_by: "running the tests (test-local reads its report for the summary)",
        need: Need::Always,
        probe: Probe::Runs {
            argv: &["cargo", "nextest", "--version"],
            prints: None,
        },
        install: Install::Cargo("cargo-nextest"),
    },
    Tool {
        name: "npm",
        used_by: "the cognito-local image's packages, fetched on this machine; the npm packages below",
        need: Need::Always,
        probe: Probe::Program("npm"),
        install: Install::Apt(&["npm"]),
    },
    Tool {
        name: "curl",
        used_by: "the bench's floor (test-local runs `cargo xtask bench --quick`)",
        need: Need::Always,
        probe: Probe::Program("curl"),
        install: Install::Apt(&["curl"]),
    },
    // --- building the emulator images when no registry answers --------
    Tool {
        name: "debootstrap",
        used_by: "the emulator images' Debian base, built here when no container registry answers",
        need: Need::Offline,
        probe: Probe::Program("debootstrap"),
        install: Install::Apt(&["debootstrap"]),
    },
    Tool {
        name: "pip",
        used_by: "fetching the moto image's wheels on this machine (the container has no network)",
        need: Need::Offline,
        probe: Probe::Runs {
            argv: &["python3", "-m", "pip", "--version"],
            prints: None,
        },
        install: Install::Apt(&["python3-pip"]),
    },
    // --- tests that are skipped without their tool ----------------------
    Tool {
        name: "script",
        used_by: "the prompts' tests on a pseudo-terminal (util-linux script)",
        need: Need::Tests,
        probe: Probe::Runs {
            argv: &["script", "--version"],
            prints: Some("util-linux"),
        },
        install: Install::Apt(&["bsdutils"]),
    },
    Tool {
        name: "node",
        used_by: "running AWS's own verifier (verify's differential test)",
        need: Need::Tests,
        probe: Probe::Program("node"),
        install: Install::Apt(&["nodejs"]),
    },
    Tool {
        name: "aws-jwt-verify",
        used_by: "verify's differential test (pinned in tests/jwt-verify)",
        need: Need::Tests,
        probe: Probe::File("tests/jwt-verify/node_modules/aws-jwt-verify/package.json"),
        install: Install::Npm("tests/jwt-verify"),
    },
    Tool {
        name: "chromium",
        used_by: "the browser flow's end-to-end test (a real headless browser)",
        need: Need::Tests,
        probe: Probe::Program("chromium"),
        install: Install::Apt(&["chromium"]),
    },
    Tool {
        name: "chromedriver",
        used_by: "driving chromium in the browser flow's end-to-end test (WebDriver)",
        need: Need::Tests,
        probe: Probe::Program("chromedriver"),
        install: Install::Apt(&["chromium-driver"]),
    },
    Tool {
        name: "chalice",
        used_by: "the proxy's end-to-end tests, its bypass suite and bench (`chalice local`)",
        need: Need::Tests,
        probe: Probe::File("tests/venvs/chalice-1.34.0/bin/chalice"),
        install: Install::Venv {
            dir: "tests/venvs/chalice-1.34.0",
            packages: &["chalice==1.34.0"],
        },
    },
    Tool {
        name: "flask",
        used_by: "the proxy's bypass suite: a decoding upstream (Flask on Werkzeug)",
        need: Need::Tests,
        // The `flask` script exists once the package is installed; the
        // suite runs the app with the environment's `python` beside it.
        probe: Probe::File("tests/venvs/flask-3.1.2/bin/flask"),
        install: Install::Venv {
            dir: "tests/venvs/flask-3.1.2",
            packages: &["flask==3.1.2"],
        },
    },
    Tool {
        name: "serverless",
        used_by: "the proxy's end-to-end test in front of `serverless offline` \
                  (serverless 3 and serverless-offline, pinned in tests/serverless)",
        need: Need::Tests,
        probe: Probe::File("tests/serverless/node_modules/serverless-offline/package.json"),
        install: Install::Npm("tests/serverless"),
    },
    Tool {
        name: "awscli",
        used_by: "the identity-pool emulator test where the AWS CLI reads `credential_process = cognito-token aws-credentials …`",
        need: Need::Tests,
        probe: Probe::File("tests/venvs/awscli-1.46.2/bin/aws"),
        install: Install::Venv {
            dir: "tests/venvs/awscli-1.46.2",
            packages: &["awscli==1.46.2"],
        },
    },
    // --- what installs the tools above ----------------------------------
    Tool {
        name: "python3-venv",
        used_by: "making the virtual environments above",
        need: Need::Installer,
        probe: Probe::Runs {
            argv: &["python3", "-c", "import ensurepip, venv"],
            prints: None,
        },
        install: Install::Apt(&["python3-venv"]),
    },
];

//! What the table says of one tool: when it is needed ([`Need`]), how to
//! tell it is there ([`Probe`]) and how to install it ([`Install`]).

/// One outside tool.
#[derive(Debug)]
pub struct Tool {
    /// Its name: what doctor shows and what a test names in
    /// `missing_tool = "NAME"`.
    pub name: &'static str,
    /// What needs it, in a few words.
    pub used_by: &'static str,
    /// When it is needed.
    pub need: Need,
    /// How to tell that it is there.
    pub probe: Probe,
    /// How to install it.
    pub install: Install,
}

/// When a tool is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Always: `cargo xtask test-local` cannot run without it.
    Always,
    /// By tests, which are skipped (ignored, with the reason) without it,
    /// except under `CI`, where they run and fail.
    Tests,
    /// Only when no container registry answers: the emulator images are
    /// then built on this machine.
    Offline,
    /// Only to install another tool that is missing (python3-venv for a
    /// virtual environment).
    Installer,
}

/// How to tell that a tool is there.
#[derive(Debug, Clone, Copy)]
pub enum Probe {
    /// A program on `PATH`.
    Program(&'static str),
    /// A program on `PATH` that exits 0 with these arguments (the first
    /// word is the program), and prints this text on stdout when given.
    Runs {
        /// The program and its arguments.
        argv: &'static [&'static str],
        /// Text its standard output must contain.
        prints: Option<&'static str>,
    },
    /// A file, relative to the repository's root (an npm package's
    /// `package.json`, a program in a virtual environment).
    File(&'static str),
}

/// How to install a tool.
#[derive(Debug, Clone, Copy)]
pub enum Install {
    /// Debian packages (`apt-get install`).
    Apt(&'static [&'static str]),
    /// A rustup component.
    Rustup(&'static str),
    /// A crate's binaries (`cargo install --locked`).
    Cargo(&'static str),
    /// `npm ci` in this folder of the repository (its `package-lock.json`
    /// pins the versions).
    Npm(&'static str),
    /// A Python virtual environment in this folder of the repository, with
    /// these pinned packages.
    Venv {
        /// The folder, relative to the repository's root.
        dir: &'static str,
        /// `pip install` arguments, each pinned (`name==version`).
        packages: &'static [&'static str],
    },
    /// Nothing doctor can do: what to do by hand.
    Manual(&'static str),
}

impl Install {
    /// The command that installs it, to run from the repository's root;
    /// `sudo` prefixes the commands that need root. `None` for
    /// [`Install::Manual`].
    pub fn command(&self, sudo: bool) -> Option<String> {
        let sudo = if sudo { "sudo " } else { "" };
        Some(match self {
            Install::Apt(packages) => format!(
                "{sudo}apt-get install -y --no-install-recommends {}",
                packages.join(" ")
            ),
            Install::Rustup(component) => format!("rustup component add {component}"),
            Install::Cargo(krate) => format!("cargo install --locked {krate}"),
            Install::Npm(dir) => format!("npm ci --prefix {dir} --no-audit --no-fund"),
            Install::Venv { dir, packages } => format!(
                "python3 -m venv {dir} && {dir}/bin/pip install --disable-pip-version-check {}",
                packages.join(" ")
            ),
            Install::Manual(_) => return None,
        })
    }

    /// The tool this installer itself needs ([`Need::Installer`] entries).
    pub fn needs(&self) -> Option<&'static str> {
        match self {
            Install::Npm(_) => Some("npm"),
            Install::Venv { .. } => Some("python3-venv"),
            _ => None,
        }
    }
}

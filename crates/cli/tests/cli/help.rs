//! A user's first minutes: each subcommand's `--help` ends with examples
//! that the real parser accepts, and `completions` gives each shell a
//! script (bash's is run: it offers the subcommands and the `--flow`
//! values).

use std::path::Path;

use clap::{CommandFactory as _, Parser as _};
use cognito_token::args::Cli;

use crate::support::*;

/// The subcommands a user sees (not the hidden ones, not `help`).
fn subcommands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_owned())
        .collect()
}

/// The `cognito-token …` commands in one line of an example, as a shell
/// would run them: at the start of the line or after a space, up to a pipe,
/// redirection or `&&`; inside `$(…)` or `<(…)`, up to the `)`.
fn commands_in(line: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (i, _) in line.match_indices("cognito-token ") {
        let before = &line[..i];
        let rest = &line[i..];
        let end = if before.ends_with('(') {
            rest.find(')')
        } else if before.is_empty() || before.ends_with(' ') {
            [" | ", " < ", " > ", " && "]
                .iter()
                .filter_map(|d| rest.find(d))
                .min()
        } else {
            continue;
        };
        let words = shlex::split(&rest[..end.unwrap_or(rest.len())])
            .unwrap_or_else(|| panic!("not shell words: {line:?}"));
        out.push(words);
    }
    out
}

#[test]
fn every_subcommand_help_ends_with_examples_that_parse() {
    let home = tempfile::tempdir().unwrap();
    let subs = subcommands();
    assert!(subs.len() >= 9, "{subs:?}");
    for sub in &subs {
        let out = Cmd::bare(home.path(), &[sub, "--help"]).run();
        assert_eq!(out.code, 0, "{sub}: {}", out.stderr);
        let (_, examples) = out
            .stdout
            .rsplit_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("`{sub} --help` has no Examples:\n{}", out.stdout));
        let lines: Vec<&str> = examples.lines().map(str::trim).collect();
        let comments = lines.iter().filter(|l| l.starts_with('#')).count();
        assert!(
            (2..=3).contains(&comments),
            "{sub}: {comments} examples:\n{examples}"
        );
        let mut shows_itself = false;
        for line in lines
            .iter()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let commands = commands_in(line);
            assert!(!commands.is_empty(), "{sub}: no cognito-token in {line:?}");
            for words in commands {
                shows_itself |= words.get(1) == Some(sub);
                if let Err(e) = Cli::try_parse_from(&words) {
                    panic!("{sub}: the example {words:?} does not parse:\n{e}");
                }
            }
        }
        assert!(shows_itself, "{sub}: no example runs `{sub}`:\n{examples}");
    }
}

#[test]
fn an_example_with_a_wrong_option_would_be_caught() {
    // What the test above relies on: the parser refuses a misspelt option,
    // and the line splitter finds commands inside $(…) and after a pipe.
    let words = &commands_in("cognito-token token --min-tll 300")[0];
    assert!(Cli::try_parse_from(words).is_err());
    assert_eq!(
        commands_in(r#"curl -H "Authorization: $(cognito-token token)" https://x"#),
        [vec!["cognito-token".to_owned(), "token".to_owned()]]
    );
    assert_eq!(
        commands_in("cognito-token token | cognito-token decode")
            .into_iter()
            .map(|w| w.join(" "))
            .collect::<Vec<_>>(),
        ["cognito-token token", "cognito-token decode"]
    );
}

/// Runs bash's completion for the words of `line` (the last one being
/// completed, maybe empty) with the script loaded; what it offers.
fn bash_offers(script: &Path, line: &str) -> Vec<String> {
    let text = std::fs::read_to_string(script).unwrap();
    let function = text
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("complete -F ")?
                .split_whitespace()
                .next()
        })
        .expect("the script registers a completion function")
        .to_owned();
    let mut words: Vec<&str> = line.split(' ').collect();
    let cword = words.len() - 1;
    let (cur, prev) = (words[cword], if cword > 0 { words[cword - 1] } else { "" });
    let quoted: Vec<String> = words.drain(..).map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={cword}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n\
         {function} cognito-token '{cur}' '{prev}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        quoted.join(" "),
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completion_offers_the_subcommands_and_the_flow_values() {
    let home = tempfile::tempdir().unwrap();
    let out = Cmd::bare(home.path(), &["completions", "bash"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    let script = home.path().join("cognito-token.bash");
    std::fs::write(&script, &out.stdout).unwrap();

    let offered = bash_offers(&script, "cognito-token ");
    for sub in subcommands() {
        assert!(offered.contains(&sub), "{sub} not offered: {offered:?}");
    }

    let mut flows = bash_offers(&script, "cognito-token login --flow ");
    flows.sort();
    assert_eq!(
        flows,
        [
            "admin",
            "admin-custom",
            "browser",
            "client-credentials",
            "custom",
            "password",
            "srp",
            "user-auth"
        ]
    );
    assert_eq!(
        bash_offers(&script, "cognito-token token --flow s"),
        ["srp"]
    );
}

#[test]
fn every_shell_gets_a_script_and_an_unknown_one_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = Cmd::bare(home.path(), &["completions", shell]).run();
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(
            out.stdout.contains("cognito-token") && out.stdout.contains("client-credentials"),
            "{shell}: {}",
            out.stdout
        );
    }
    let out = Cmd::bare(home.path(), &["completions", "tcsh"]).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("possible values: bash"),
        "{}",
        out.stderr
    );
}

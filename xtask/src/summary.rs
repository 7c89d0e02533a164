//! test-local's closing summary: how many tests ran, passed and failed
//! (nextest's JUnit report, profile `test-local` in `.config/nextest.toml`)
//! and every test skipped, by name and reason: the tests of the selection
//! that their build marked ignored (a missing tool, `crates/tools`), their
//! reasons read from the test binaries themselves. Under `CI` any skip
//! fails the run.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde_json::Value;
use xshell::cmd;

use crate::{shell, target_dir};

/// The nextest profile test-local runs with (it writes the JUnit report).
pub(crate) const PROFILE: &str = "test-local";

/// Where that profile's JUnit report is written.
pub(crate) fn junit_path() -> PathBuf {
    target_dir().join("nextest").join(PROFILE).join("junit.xml")
}

/// A skipped test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skip {
    /// nextest's binary id and the test's name.
    pub(crate) test: String,
    pub(crate) reason: String,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    pub(crate) ran: u64,
    pub(crate) failed: u64,
    pub(crate) skipped: Vec<Skip>,
}

impl Summary {
    /// Reads the run's report and lists the skipped tests of the
    /// selection `args` (nextest's package and filter arguments).
    pub(crate) fn collect(args: &[String]) -> anyhow::Result<Summary> {
        let sh = shell()?;
        let junit = std::fs::read_to_string(junit_path())
            .with_context(|| format!("no test report at {}", junit_path().display()))?;
        let (ran, failed) = counts(&junit)?;
        let list = cmd!(sh, "cargo nextest list --message-format json {args...}")
            .quiet()
            .read()
            .context("cargo nextest list failed")?;
        let skipped = skipped(&list, &mut |binary, cwd, names| reasons(binary, cwd, names))?;
        Ok(Summary {
            ran,
            failed,
            skipped,
        })
    }

    /// The closing lines; the last is `test-local: N passed, N failed,
    /// N skipped` (the form CI reads).
    pub(crate) fn render(&self, secs: u64) -> String {
        let mut out = format!("test-local: {} tests ran ({secs} s)\n", self.ran);
        if !self.skipped.is_empty() {
            out.push_str(&format!(
                "test-local: {} skipped (ignored when built: `cargo xtask doctor` says how to install what they need):\n",
                self.skipped.len()
            ));
            for s in &self.skipped {
                out.push_str(&format!("  SKIPPED {}: {}\n", s.test, s.reason));
            }
        }
        out.push_str(&format!(
            "test-local: {} passed, {} failed, {} skipped\n",
            self.ran - self.failed,
            self.failed,
            self.skipped.len()
        ));
        out
    }

    /// Under `CI` every test runs: any skip fails the run.
    pub(crate) fn verdict(&self, ci: bool) -> anyhow::Result<()> {
        if ci && !self.skipped.is_empty() {
            bail!(
                "{} test(s) skipped under CI, where every suite must run (listed above)",
                self.skipped.len()
            );
        }
        Ok(())
    }
}

/// Tests run and failed (failures and errors) in a JUnit report.
fn counts(junit: &str) -> anyhow::Result<(u64, u64)> {
    let doc = roxmltree::Document::parse(junit).context("the JUnit report is not XML")?;
    let root = doc.root_element();
    let attr = |name: &str| -> anyhow::Result<u64> {
        root.attribute(name)
            .with_context(|| format!("the JUnit report has no {name} count"))?
            .parse()
            .with_context(|| format!("the JUnit report's {name} count is not a number"))
    };
    Ok((attr("tests")?, attr("failures")? + attr("errors")?))
}

/// The ignore reasons of the named tests of one test binary (its path and
/// the directory it runs in), as `(name, reason)`.
type Reasons<'a> = dyn FnMut(&Path, &Path, &[String]) -> anyhow::Result<Vec<(String, String)>> + 'a;

/// The skipped tests in nextest's JSON test list: ignored, and left out of
/// the run for that reason only. `reasons` gives, for one test binary, the
/// reason of each of the named ignored tests.
fn skipped(list: &str, reasons: &mut Reasons<'_>) -> anyhow::Result<Vec<Skip>> {
    let list: Value = serde_json::from_str(list).context("cargo nextest list: not JSON")?;
    let suites = list["rust-suites"]
        .as_object()
        .context("cargo nextest list: no rust-suites")?;
    let mut out = Vec::new();
    for (id, suite) in suites {
        let Some(cases) = suite["testcases"].as_object() else {
            continue;
        };
        let names: Vec<String> = cases
            .iter()
            .filter(|(_, c)| c["ignored"] == true && c["filter-match"]["reason"] == "ignored")
            .map(|(name, _)| name.clone())
            .collect();
        if names.is_empty() {
            continue;
        }
        let binary = Path::new(suite["binary-path"].as_str().context("no binary-path")?);
        let cwd = Path::new(suite["cwd"].as_str().context("no cwd")?);
        let found = reasons(binary, cwd, &names)?;
        for name in names {
            let reason = found
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, r)| r.clone())
                .unwrap_or_else(|| "ignored (no reason given)".to_owned());
            out.push(Skip {
                test: format!("{id} {name}"),
                reason,
            });
        }
    }
    Ok(out)
}

/// The ignore reasons of `names` in one libtest binary: run with exactly
/// those names, it runs nothing (they are ignored) and prints
/// `test NAME ... ignored, REASON` for each.
fn reasons(binary: &Path, cwd: &Path, names: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    let out = std::process::Command::new(binary)
        .args(names)
        .args(["--exact", "--test-threads", "1"])
        .current_dir(cwd)
        .output()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    Ok(parse_reasons(&String::from_utf8_lossy(&out.stdout)))
}

fn parse_reasons(libtest: &str) -> Vec<(String, String)> {
    libtest
        .lines()
        .filter_map(|l| {
            let (name, verdict) = l.strip_prefix("test ")?.split_once(" ... ")?;
            let rest = verdict.strip_prefix("ignored")?;
            let reason = rest
                .strip_prefix(", ")
                .unwrap_or("ignored (no reason given)");
            Some((name.to_owned(), reason.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const JUNIT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="7" skipped="0" failures="1" errors="1" uuid="x" timestamp="t" time="0.1">
    <testsuite name="a" tests="7" skipped="0" errors="1" failures="1"/>
</testsuites>"#;

    #[test]
    fn counts_come_from_the_junit_report() {
        assert_eq!(counts(JUNIT).unwrap(), (7, 2));
        assert!(counts("<testsuites/>").is_err());
    }

    #[test]
    fn libtest_reasons_are_read() {
        let out = "\nrunning 2 tests\ntest real_browser::signs_in ... ignored, needs chromium (cargo xtask doctor)\n\
                   test plain ... ignored\n\ntest result: ok. 0 passed; 0 failed; 2 ignored\n";
        assert_eq!(
            parse_reasons(out),
            [
                (
                    "real_browser::signs_in".to_owned(),
                    "needs chromium (cargo xtask doctor)".to_owned()
                ),
                ("plain".to_owned(), "ignored (no reason given)".to_owned())
            ]
        );
    }

    #[test]
    fn a_skipped_suite_is_listed_in_the_summary_and_fails_under_ci() {
        // nextest's list: one ignored test in the selection, one filtered
        // out by the expression (another emulator's), one that runs.
        let list = r#"{"rust-suites": {"cognito-token::cli": {
            "binary-path": "/b/cli", "cwd": "/c",
            "testcases": {
                "real_browser::signs_in": {"ignored": true, "filter-match": {"status": "mismatch", "reason": "ignored"}},
                "fakecloud::x": {"ignored": false, "filter-match": {"status": "mismatch", "reason": "expression"}},
                "login::works": {"ignored": false, "filter-match": {"status": "matches"}}
            }}}}"#;
        let mut asked = Vec::new();
        let skipped = skipped(list, &mut |b, c, names| {
            asked.push((b.to_owned(), c.to_owned(), names.to_vec()));
            Ok(vec![(
                "real_browser::signs_in".into(),
                "needs chromium and chromedriver (cargo xtask doctor)".into(),
            )])
        })
        .unwrap();
        assert_eq!(
            asked,
            [(
                PathBuf::from("/b/cli"),
                PathBuf::from("/c"),
                vec!["real_browser::signs_in".to_owned()]
            )]
        );
        let summary = Summary {
            ran: 10,
            failed: 0,
            skipped,
        };
        let text = summary.render(42);
        assert!(
            text.contains(
                "  SKIPPED cognito-token::cli real_browser::signs_in: needs chromium and chromedriver (cargo xtask doctor)\n"
            ),
            "{text}"
        );
        assert!(
            text.ends_with("\ntest-local: 10 passed, 0 failed, 1 skipped\n"),
            "{text}"
        );
        assert!(summary.verdict(false).is_ok());
        let err = summary.verdict(true).unwrap_err().to_string();
        assert!(err.contains("1 test(s) skipped under CI"), "{err}");
    }
}

//! Which emulators a command runs (`--emulator moto|fakecloud|all`) and
//! the test filters that leave out the tests of emulators not started.

use anyhow::{Context, bail};
use cognito_token_emulator::Kind;

/// Takes `--emulator VALUE` (or `--emulator=VALUE`) out of `args`: the
/// emulators named (`all` only when `allow_all`), or `default`; and the
/// other arguments.
pub(crate) fn take_emulator(
    cmd: &str,
    args: &[String],
    default: &[Kind],
    allow_all: bool,
) -> anyhow::Result<(Vec<Kind>, Vec<String>)> {
    let mut kinds = None;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = if a == "--emulator" {
            it.next()
                .with_context(|| format!("`cargo xtask {cmd}`: --emulator needs a value"))?
                .as_str()
        } else if let Some(v) = a.strip_prefix("--emulator=") {
            v
        } else {
            rest.push(a.clone());
            continue;
        };
        kinds = Some(match v.trim() {
            "all" if allow_all => Kind::ALL.to_vec(),
            "all" => bail!(
                "`cargo xtask {cmd}` runs one emulator: --emulator moto or --emulator fakecloud"
            ),
            one => vec![
                one.parse::<Kind>()
                    .with_context(|| format!("`cargo xtask {cmd}` --emulator"))?,
            ],
        });
    }
    Ok((kinds.unwrap_or_else(|| default.to_vec()), rest))
}

/// The nextest filter (or `cargo test --skip` prefix) that leaves out the
/// tests of emulators that are not started: the emulator tests are named
/// `moto::…` and `fakecloud::…`.
pub(crate) fn excluded_prefixes(kinds: &[Kind]) -> Vec<&'static str> {
    Kind::ALL
        .into_iter()
        .filter(|k| !kinds.contains(k))
        .map(Kind::name)
        .collect()
}

/// nextest arguments with `filter` added: and-ed into every filter
/// expression the caller gave (nextest ORs several `-E`), else one `-E`.
pub(crate) fn with_nextest_filter(args: &[String], filter: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut found = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--" => {
                if !found {
                    out.extend(["-E".to_owned(), filter.to_owned()]);
                    found = true;
                }
                out.push(a.clone());
                out.extend(it.by_ref().cloned());
            }
            "-E" | "--filter-expr" | "--filterset" => {
                out.push(a.clone());
                if let Some(v) = it.next() {
                    out.push(format!("({v}) and ({filter})"));
                    found = true;
                }
            }
            s if s.starts_with("--filter-expr=") || s.starts_with("--filterset=") => {
                let (k, v) = s.split_once('=').unwrap_or((s, ""));
                out.push(format!("{k}=({v}) and ({filter})"));
                found = true;
            }
            _ => out.push(a.clone()),
        }
    }
    if !found {
        out.extend(["-E".to_owned(), filter.to_owned()]);
    }
    out
}

/// `moto and fakecloud`.
pub(crate) fn names(kinds: &[Kind]) -> String {
    kinds
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn emulator_option() {
        let (k, rest) = take_emulator("t", &v(&["--keep"]), &Kind::ALL, true).unwrap();
        assert_eq!((k, rest), (Kind::ALL.to_vec(), v(&["--keep"])));
        let (k, _) = take_emulator("t", &v(&["--emulator", "fakecloud"]), &[], true).unwrap();
        assert_eq!(k, [Kind::Fakecloud]);
        let (k, _) = take_emulator("t", &v(&["--emulator=moto"]), &[], false).unwrap();
        assert_eq!(k, [Kind::Moto]);
        let (k, _) = take_emulator("t", &v(&["--emulator", "all"]), &[], true).unwrap();
        assert_eq!(k, Kind::ALL);
        assert!(take_emulator("t", &v(&["--emulator", "all"]), &[], false).is_err());
        assert!(take_emulator("t", &v(&["--emulator", "localstack"]), &[], true).is_err());
        assert!(take_emulator("t", &v(&["--emulator"]), &[], true).is_err());
    }

    #[test]
    fn filters() {
        assert!(excluded_prefixes(&Kind::ALL).is_empty());
        assert_eq!(excluded_prefixes(&[Kind::Moto]), ["fakecloud"]);
        assert_eq!(excluded_prefixes(&[Kind::Fakecloud]), ["moto"]);
        let f = "not test(/^fakecloud::/)";
        assert_eq!(
            with_nextest_filter(&v(&["--workspace"]), f),
            v(&["--workspace", "-E", f])
        );
        assert_eq!(
            with_nextest_filter(&v(&["-E", "test(srp)", "--", "--nocapture"]), f),
            v(&["-E", &format!("(test(srp)) and ({f})"), "--", "--nocapture"])
        );
        assert_eq!(
            with_nextest_filter(&v(&["--filterset=test(a)", "--", "-E", "x"]), f),
            v(&[&format!("--filterset=(test(a)) and ({f})"), "--", "-E", "x"])
        );
        assert_eq!(
            with_nextest_filter(&v(&["--", "x"]), f),
            v(&["-E", f, "--", "x"])
        );
    }
}

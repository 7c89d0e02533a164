//! Which emulators a command runs (`--emulator moto|fakecloud|cognito-local|all`)
//! and the test filters that leave out the tests of emulators not started.

use clap::ValueEnum;
use cognito_token_emulator::Kind;

/// One emulator (`token`, `emulator`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum One {
    /// moto: lenient; proves the message flow.
    Moto,
    /// fakecloud's Cognito: real SRP, SECRET_HASH on sign-in, OAuth2.
    Fakecloud,
    /// cognito-local: the password flow, OAuth2 with PKCE.
    CognitoLocal,
}

impl From<One> for Kind {
    fn from(o: One) -> Kind {
        match o {
            One::Moto => Kind::Moto,
            One::Fakecloud => Kind::Fakecloud,
            One::CognitoLocal => Kind::CognitoLocal,
        }
    }
}

/// One emulator or all of them (`test-local`, `image`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum OneOrAll {
    /// moto.
    Moto,
    /// fakecloud.
    Fakecloud,
    /// cognito-local.
    CognitoLocal,
    /// All three.
    All,
}

impl OneOrAll {
    /// The emulators named.
    pub(crate) fn kinds(self) -> Vec<Kind> {
        match self {
            OneOrAll::Moto => vec![Kind::Moto],
            OneOrAll::Fakecloud => vec![Kind::Fakecloud],
            OneOrAll::CognitoLocal => vec![Kind::CognitoLocal],
            OneOrAll::All => Kind::ALL.to_vec(),
        }
    }
}

/// The test-name prefixes (`moto`, `fakecloud`, `cognito_local`) of the
/// emulators that are not started, whose tests are left out.
pub(crate) fn excluded_prefixes(kinds: &[Kind]) -> Vec<&'static str> {
    Kind::ALL
        .into_iter()
        .filter(|k| !kinds.contains(k))
        .map(Kind::test_prefix)
        .collect()
}

/// The nextest filter expression that leaves out tests named
/// `<prefix>::…` for each of `excluded`.
pub(crate) fn nextest_filter(excluded: &[&str]) -> String {
    excluded
        .iter()
        .map(|p| format!("not test(/^{p}::/)"))
        .collect::<Vec<_>>()
        .join(" and ")
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

/// `moto, fakecloud and cognito-local`.
pub(crate) fn names(kinds: &[Kind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn emulator_values() {
        // What `--emulator` accepts, as clap parses it.
        assert_eq!(
            OneOrAll::from_str("cognito-local", false),
            Ok(OneOrAll::CognitoLocal)
        );
        assert_eq!(OneOrAll::from_str("all", false).unwrap().kinds(), Kind::ALL);
        assert_eq!(
            Kind::from(One::from_str("fakecloud", false).unwrap()),
            Kind::Fakecloud
        );
        assert!(One::from_str("all", false).is_err());
        assert!(One::from_str("localstack", false).is_err());
        // The names match the emulator crate's.
        for k in Kind::ALL {
            assert_eq!(Kind::from(One::from_str(k.name(), false).unwrap()), k);
        }
    }

    #[test]
    fn filters() {
        assert!(excluded_prefixes(&Kind::ALL).is_empty());
        assert_eq!(
            excluded_prefixes(&[Kind::Moto]),
            ["fakecloud", "cognito_local"]
        );
        assert_eq!(
            excluded_prefixes(&[Kind::Fakecloud, Kind::CognitoLocal]),
            ["moto"]
        );
        assert_eq!(
            nextest_filter(&["fakecloud", "cognito_local"]),
            "not test(/^fakecloud::/) and not test(/^cognito_local::/)"
        );
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
        assert_eq!(names(&Kind::ALL), "moto, fakecloud and cognito-local");
        assert_eq!(names(&[Kind::Moto]), "moto");
    }
}

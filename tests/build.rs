//! Marks the tests whose outside tool is missing on this machine as ignored,
//! with the reason: `cfg(missing_tool = "NAME")` for
//! `#[cfg_attr(missing_tool = "NAME", ignore = "…")]` (crates/tools; never
//! under `CI`, where every test runs).

fn main() {
    cognito_token_tools::mark_tests();
}

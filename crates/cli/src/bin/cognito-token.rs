//! The `cognito-token` binary: everything is in the library (`src/lib.rs`),
//! which `cargo xtask man` also reads the command line's definitions from.

fn main() -> std::process::ExitCode {
    cognito_token::main()
}

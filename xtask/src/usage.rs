//! The command line's help text, and the check of subcommands that take no
//! argument.

use anyhow::bail;

pub(crate) const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  test-local [--emulator E] [--no-lint] [-- ARGS…]
                                 lint (see `lint`; --no-lint skips it), then run all tests
                                 (unit + emulator) against emulator containers
                                 (E: moto, fakecloud or all, the default); ARGS go to
                                 `cargo nextest run` (or `cargo test`)
  lint                           cargo fmt --all --check, then cargo clippy --workspace
                                 --all-targets -- -D warnings; silent when clean
  token [--emulator E] [--username NAME] [--keep] [--flow client-credentials]
                                 provision a pool and user on a fresh emulator (E: moto, the
                                 default, or fakecloud), sign in, print the ID token; --keep
                                 leaves the emulator running and prints `export` lines;
                                 --flow client-credentials (fakecloud): print an access token
                                 from the OAuth2 client-credentials grant
  emulator [--emulator E] [--totp]
                                 start an emulator (moto or fakecloud) with a pool and a user,
                                 print `export` lines, run until Ctrl-C; --totp makes moto
                                 check TOTP codes (fakecloud always does)
  image [--emulator E]           build an emulator image if needed (moto, fakecloud or all;
                                 default moto); print its name
  bench [--quick] [--runs N] [--users N] [--concurrency N] [--bin PATH] [--no-peers]
                                 measure login / token / SRP / many users as whole processes
                                 against the floor (curl) and peers (AWS CLI, boto3); reuses
                                 COGNITO_EMULATOR_ENDPOINT_MOTO if set, else starts moto; writes
                                 target/bench/report.md (--quick: debug build, few runs,
                                 report-quick.md; test-local runs it after the tests); then
                                 the proxy's rows (alone: bench-proxy [--quick] [--bin PATH])

The fakecloud image needs the fakecloud binary: `cargo install fakecloud` (pinned) into
the cache directory, about 35 minutes once per machine, unless its published image can
be pulled.

environment:
  COGNITO_TOKEN_IMAGE_WAY=public|debootstrap   force how the image is built
  COGNITO_TOKEN_CACHE_DIR                      cache for the offline base, wheels and
                                               the fakecloud binary
                                               (default ~/.cache/cognito-token)
  COGNITO_TOKEN_DEBIAN_MIRROR                  debootstrap mirror";

pub(crate) fn no_args(cmd: &str, args: &[String]) -> anyhow::Result<()> {
    if let Some(a) = args.first() {
        bail!("`cargo xtask {cmd}` takes no argument {a:?}\n\n{USAGE}");
    }
    Ok(())
}

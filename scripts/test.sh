#!/usr/bin/env bash
#
# The project's test command: installs what is missing (scripts/install-deps.sh), builds the
# workspace (the translator, the runtime and the tests) in release mode, then runs every test in it
# (the testsuite crate's differential tests use target/release/vmtrans and qemu-aarch64). Exits
# non-zero if anything fails. Extra arguments go to `cargo test` (e.g. a test-name filter, or `-- --nocapture`).
#
# Run it as root on a fresh Debian 12 machine (`sudo scripts/test.sh`), or as yourself once the
# dependencies are installed. CARGO_BUILD_JOBS limits parallel compile jobs as usual.

set -euo pipefail

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repository_root"

scripts/install-deps.sh

# rustup installs into ~/.cargo/bin, which sudo's secure_path or a fresh shell may lack.
export PATH="$HOME/.cargo/bin:$PATH"
export LLVM_SYS_191_PREFIX=/usr/lib/llvm-19

# One build of the whole workspace, test targets included, with the same package selection as the
# `cargo test` below, so that the test step compiles nothing again (a first build of only the
# translator and the runtime left the test step compiling ir, runtime and translator a second time,
# about 4 minutes on 2 cores in CI).
echo "test.sh: building the workspace and its tests (release)"
cargo build --release --workspace --all-targets

echo "test.sh: running the workspace's tests (release)"
cargo test --release --workspace --no-fail-fast "$@"

echo "test.sh: all tests passed"

#!/usr/bin/env bash
#
# The project's test command: installs what is missing (scripts/install-deps.sh), builds the translator
# and the runtime in release mode, then runs every test in the workspace in release mode (the testsuite
# crate's differential tests use target/release/vmtrans and qemu-aarch64). Exits non-zero if anything
# fails. Extra arguments go to `cargo test` (e.g. a test-name filter, or `-- --nocapture`).
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

echo "test.sh: building vmtrans and its runtime (release)"
cargo build --release -p vmtrans -p vmtrans-runtime

echo "test.sh: running the workspace's tests (release)"
cargo test --release --workspace --no-fail-fast "$@"

echo "test.sh: all tests passed"

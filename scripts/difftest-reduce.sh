#!/bin/sh
# Shrinks a differential-test case that mismatches in the translated program to the fewest
# instructions that still mismatch (testsuite/tests/difftest.rs `reduce`): give it what a soak
# report's "reproduce" line says, for example
#   scripts/difftest-reduce.sh 0x4e mix 3016
# for "reproduce: soak seed 0x4e class mix case #3016". Run with the same FPCR=1 as the soak when
# the soak drew random FPCR values. Prints the instructions and the initial state.
set -eu
cd "$(dirname "$0")/.."
if [ "$#" -ne 3 ]; then
    echo "usage: scripts/difftest-reduce.sh SEED CLASS CASE" >&2
    exit 2
fi
export LLVM_SYS_191_PREFIX="${LLVM_SYS_191_PREFIX:-/usr/lib/llvm-19}"
export DIFFTEST_REDUCE="$1 $2 $3"
if [ -n "${FPCR:-}" ]; then export DIFFTEST_FPCR="$FPCR"; fi
cargo build --release -p vmtrans -p vmtrans-runtime
exec cargo test --release -p vmtrans-testsuite --test difftest reduce -- --exact --nocapture

#!/bin/sh
# Soak run of the instruction-level differential tester (testsuite/tests/difftest.rs): CASES
# random cases of every instruction class (default 100000) against qemu-aarch64, from SEED
# (default: drawn from the clock). The seed is printed at the start and the end; run again
# with SEED=<it> to reproduce. CLASSES=a,b limits the classes; FPSR=1 compares FPSR too.
# Prints the per-class counts; exits non-zero on any mismatch not in known-failures.txt.
set -eu
cd "$(dirname "$0")/.."
export LLVM_SYS_191_PREFIX="${LLVM_SYS_191_PREFIX:-/usr/lib/llvm-19}"
export DIFFTEST_SOAK=1
export DIFFTEST_CASES="${CASES:-100000}"
if [ -n "${SEED:-}" ]; then export DIFFTEST_SEED="$SEED"; fi
if [ -n "${CLASSES:-}" ]; then export DIFFTEST_CLASSES="$CLASSES"; fi
if [ -n "${FPSR:-}" ]; then export DIFFTEST_FPSR="$FPSR"; fi
exec cargo test --release -p vmtrans-testsuite --test difftest soak -- --exact --nocapture

#!/bin/sh
# Soak run of the instruction-level differential tester (testsuite/tests/difftest.rs): CASES
# random cases of every instruction class (default 100000) against qemu-aarch64, each run through
# the lifter + interpreter (whole blocks and one instruction per block) and translated by vmtrans
# (the harness program translated at -O$OPT, default 2, and run natively). Cases are sequences of
# up to 12 instructions (16 in int-mix, 1 in the load/store classes); the table's `insns` column
# counts the instructions compared. From SEED (default: drawn from the clock); the seed is printed
# at the start and the end; run again with SEED=<it> to reproduce. CLASSES=a,b limits the
# classes; FPSR=0 leaves FPSR out of the comparison of the translated program (compared by
# default), INTERP_FPSR=1 compares the interpreter engines' FPSR too; FPCR=1 draws random rounding
# modes, flush-to-zero, default-NaN and the half-precision controls (AHP, FZ16);
# TRANSLATED=0 leaves the translated engine out, INTERP=0 the interpreter engines.
# Prints the per-class counts; exits non-zero on any mismatch not in known-failures.txt.
set -eu
cd "$(dirname "$0")/.."
export LLVM_SYS_191_PREFIX="${LLVM_SYS_191_PREFIX:-/usr/lib/llvm-19}"
export DIFFTEST_SOAK=1
export DIFFTEST_CASES="${CASES:-100000}"
if [ -n "${SEED:-}" ]; then export DIFFTEST_SEED="$SEED"; fi
if [ -n "${CLASSES:-}" ]; then export DIFFTEST_CLASSES="$CLASSES"; fi
if [ -n "${FPSR:-}" ]; then export DIFFTEST_FPSR="$FPSR"; fi
if [ -n "${INTERP_FPSR:-}" ]; then export DIFFTEST_INTERP_FPSR="$INTERP_FPSR"; fi
if [ -n "${FPCR:-}" ]; then export DIFFTEST_FPCR="$FPCR"; fi
if [ -n "${OPT:-}" ]; then export DIFFTEST_OPT="$OPT"; fi
if [ -n "${TRANSLATED:-}" ]; then export DIFFTEST_TRANSLATED="$TRANSLATED"; fi
if [ -n "${INTERP:-}" ]; then export DIFFTEST_INTERP="$INTERP"; fi
# The translated engine runs the vmtrans binary and links its runtime: build both first.
cargo build --release -p vmtrans -p vmtrans-runtime
exec cargo test --release -p vmtrans-testsuite --test difftest soak -- --exact --nocapture

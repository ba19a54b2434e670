#!/usr/bin/env bash
# Regenerates testsuite/expected/<name>.out and <name>.status for the guest programs.
#
# Each program is built for AArch64 (static, -O0, -O2 and -O3) and run under qemu-aarch64, and built natively for
# x86-64 (gcc -O2) and run directly, all with the same arguments, environment and stdin as the Rust runner
# (testsuite/tests/programs.rs and testsuite/src/lib.rs). The four runs must agree on stdout and exit status;
# the expected files are written only when every selected program agrees, otherwise nothing is written and the
# differences are shown.
#
# Programs listed in testsuite/qemu-wrong.txt (qemu-aarch64 gets their kernel behaviour wrong) take their expected
# output from the native x86-64 run instead, which the program's header comment checks against the man pages; the
# qemu runs are still made, and where they differ the difference is shown, as information.
#
# C programs (programs/*.c) are built with gcc, C++ programs (programs/*.cc) with g++.
#
# Usage: testsuite/regen-expected.sh [program-name...]   (default: every program in testsuite/programs)
set -euo pipefail

suite=$(cd "$(dirname "$0")" && pwd)
programs_dir="$suite/programs"
expected_dir="$suite/expected"
stdin_file="$expected_dir/stdin.txt"

# Keep these in step with GUEST_ARGS, GUEST_ENV and EXTRA_CFLAGS in testsuite/src/lib.rs.
guest_args=("alpha" "beta gamma" "42" "--flag=x" "")
guest_env=("VT_ALPHA=one" "VT_BETA=two words" "VT_EMPTY=" "LC_ALL=C")
extra_cflags=(-ffp-contract=off)
levels=(0 2 3)
run_timeout=120

qemu=$(command -v qemu-aarch64) || { echo "regen-expected: qemu-aarch64 not found" >&2; exit 1; }
command -v aarch64-linux-gnu-gcc >/dev/null || { echo "regen-expected: aarch64-linux-gnu-gcc not found" >&2; exit 1; }
command -v gcc >/dev/null || { echo "regen-expected: gcc not found" >&2; exit 1; }
if compgen -G "$programs_dir/*.cc" >/dev/null; then
    command -v aarch64-linux-gnu-g++ >/dev/null || { echo "regen-expected: aarch64-linux-gnu-g++ not found" >&2; exit 1; }
    command -v g++ >/dev/null || { echo "regen-expected: g++ not found" >&2; exit 1; }
fi

if [ "$#" -gt 0 ]; then
    names=("$@")
else
    names=()
    for source in "$programs_dir"/*.c "$programs_dir"/*.cc; do
        [ -f "$source" ] || continue
        names+=("$(basename "${source%.c*}")")
    done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs one binary (through the given launcher words, if any) and leaves <tag>.out and <tag>.status in $work.
run_case() {
    local tag=$1
    shift
    local status=0
    # The braces catch the shell's own "Aborted" report for programs that die by a signal.
    {
        (
            ulimit -c 0
            cd "$work"
            exec env -i "${guest_env[@]}" timeout "$run_timeout" "$@" "${guest_args[@]}" \
                <"$stdin_file" >"$work/$tag.out" 2>"$work/$tag.err"
        )
    } 2>/dev/null || status=$?
    echo "$status" >"$work/$tag.status"
}

failures=0
for name in "${names[@]}"; do
    source="$programs_dir/$name.c"
    guest_cc=aarch64-linux-gnu-gcc
    native_cc=gcc
    if [ ! -f "$source" ]; then
        source="$programs_dir/$name.cc"
        guest_cc=aarch64-linux-gnu-g++
        native_cc=g++
    fi
    [ -f "$source" ] || { echo "regen-expected: no such program: $name (.c or .cc)" >&2; exit 1; }
    for level in "${levels[@]}"; do
        "$guest_cc" -static "-O$level" "${extra_cflags[@]}" -o "$work/$name.O$level" "$source" -lm
        run_case "$name.qemu.O$level" "$qemu" "$work/$name.O$level"
    done
    "$native_cc" -O2 "${extra_cflags[@]}" -o "$work/$name.x86" "$source" -lm
    run_case "$name.x86" "$work/$name.x86"

    reference="$name.qemu.O2"
    compared=("$name.qemu.O0" "$name.qemu.O3" "$name.x86")
    if grep -qE "^$name[[:space:]]" "$suite/qemu-wrong.txt"; then
        reference="$name.x86"
        compared=()
        for tag in "$name.qemu.O0" "$name.qemu.O2" "$name.qemu.O3"; do
            if ! cmp -s "$work/$reference.out" "$work/$tag.out"; then
                echo "info $name: $tag differs from the native run (listed in qemu-wrong.txt):"
                diff "$work/$reference.out" "$work/$tag.out" | head -n 10 || true
            fi
        done
    fi
    agree=1
    for tag in "${compared[@]}"; do
        if ! cmp -s "$work/$reference.out" "$work/$tag.out"; then
            echo "DISAGREE $name: stdout of $tag differs from $reference:"
            diff "$work/$reference.out" "$work/$tag.out" | head -n 10 || true
            agree=0
        fi
        if ! cmp -s "$work/$reference.status" "$work/$tag.status"; then
            echo "DISAGREE $name: status of $tag is $(cat "$work/$tag.status"), $reference has $(cat "$work/$reference.status")"
            agree=0
        fi
    done
    status=$(cat "$work/$reference.status")
    if [ "$status" = 124 ]; then
        echo "DISAGREE $name: timed out after ${run_timeout}s"
        agree=0
    fi
    if [ "$agree" = 1 ]; then
        echo "ok $name: status $status, $(wc -l <"$work/$reference.out") lines"
    else
        failures=$((failures + 1))
    fi
done

if [ "$failures" -ne 0 ]; then
    echo "regen-expected: $failures program(s) disagree; no expected file was written" >&2
    exit 1
fi
for name in "${names[@]}"; do
    reference="$name.qemu.O2"
    if grep -qE "^$name[[:space:]]" "$suite/qemu-wrong.txt"; then
        reference="$name.x86"
    fi
    cp "$work/$reference.out" "$expected_dir/$name.out"
    cp "$work/$reference.status" "$expected_dir/$name.status"
done
echo "regen-expected: wrote expected output of ${#names[@]} program(s) to $expected_dir"

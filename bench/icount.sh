#!/usr/bin/env bash
#
# Instruction counts of the benchmark kernels: the native x86-64 build against the translated AArch64
# build, and optionally two translators against each other, counted by valgrind (callgrind), so the
# figures do not move with the machine's load as times do (bench/run.sh measures time; this
# measures work). The kernels are built with smaller size knobs (SIZES below) so that a run under
# valgrind takes seconds. Translated programs are linked with a runtime built with the `valgrind`
# feature (a 16 GiB guest address space: valgrind refuses to reserve the usual terabyte), which
# changes the runtime's memory layout but not the translated code, and are translated with
# `--guest-base anywhere`: valgrind's own code lies at host addresses the default layout (guest
# address = host address) needs. So the counts include an addition of the guest base per memory
# access that the default translation does not make; bench/run.sh times the default.
#
# Prints, per kernel, the instructions executed by the native build and by each translation, the
# ratio translated/native, and with a second translator B the ratio B/A; geometric means last. Every
# output must equal the native build's (a mismatch is reported and left out of the means).
#
# Environment (all optional):
#   KERNELS="fib alloc"            only these kernels (default: every bench/kernels/*.c)
#   VMTRANS=target/release/vmtrans the translator (A)
#   VMTRANS_B=/path/to/vmtrans     a second translator to compare with A
#   VMTRANS_FLAGS="-O2"            extra translator flags
#   BENCH_OUT=bench/out            where builds go (under icount/)
#   NATIVE_CC=gcc  GUEST_CC=aarch64-linux-gnu-gcc

set -euo pipefail

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repository_root"

vmtrans_a="${VMTRANS:-target/release/vmtrans}"
vmtrans_b="${VMTRANS_B:-}"
read -r -a vmtrans_flags <<<"${VMTRANS_FLAGS:-}"
native_cc="${NATIVE_CC:-gcc}"
guest_cc="${GUEST_CC:-aarch64-linux-gnu-gcc}"
out_directory="${BENCH_OUT:-bench/out}/icount"
mkdir -p "$out_directory"

command -v valgrind >/dev/null || { echo "icount.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
for translator in "$vmtrans_a" ${vmtrans_b:+"$vmtrans_b"}; do
    [ -x "$translator" ] || { echo "icount.sh: $translator is not an executable" >&2; exit 2; }
done

# The movable guest layout valgrind needs, for translators that have the option (older ones always
# made it).
layout_flag() {
    if "$1" --help 2>/dev/null | grep -q -- --guest-base; then
        echo "--guest-base anywhere"
    fi
}

# Size knobs small enough for valgrind (the defaults in the sources are sized for timing).
declare -A SIZES=(
    [alloc]="-DMAX_DEPTH=13 -DLIST_ROUNDS=2"
    [crc32]="-DBUFFER_BYTES=(1u<<20) -DPASSES=2"
    [fib]="-DDEPTH=27"
    [fptr]="-DCALLS=2000000u"
    [hash]="-DITERATIONS=5000000u"
    [interp]="-DLIMIT=30000"
    [nbody]="-DSTEPS=200000"
    [saxpy]="-DREPEATS=1000"
    [sha256]="-DBUFFER_BYTES=(1u<<20) -DPASSES=1"
    [sort]="-DELEMENTS=100000 -DROUNDS=1"
    [stream]="-DWORDS=(1u<<20) -DPASSES=4"
    [strings]="-DROUNDS=200"
)

echo "icount: building the runtime for valgrind (cargo feature \`valgrind\`)" >&2
cargo build --quiet --release -p vmtrans-runtime --features valgrind --target-dir target/valgrind
runtime=target/valgrind/release/libvmtrans_runtime.a

# Instructions a program executes, from callgrind's summary; its output goes to $2.
count() {
    local program=$1 output=$2 log
    log=$(mktemp)
    if ! valgrind --tool=callgrind --callgrind-out-file=/dev/null "$program" >"$output" 2>"$log"; then
        cat "$log" >&2
        rm -f "$log"
        echo "failed"
        return
    fi
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$log"
    rm -f "$log"
}

kernels=()
for source in bench/kernels/*.c; do
    name="$(basename "$source" .c)"
    if [[ -z "${KERNELS:-}" ]] || [[ " $KERNELS " == *" $name "* ]]; then
        kernels+=("$name")
    fi
done

header="| kernel | native | translated A | A/native |"
rule="|---|---:|---:|---:|"
if [ -n "$vmtrans_b" ]; then
    header="$header translated B | B/native | B/A |"
    rule="$rule---:|---:|---:|"
fi
echo "$header"
echo "$rule"
log_a=0 log_b=0 log_ba=0 counted=0
for kernel in "${kernels[@]}"; do
    read -r -a sizes <<<"${SIZES[$kernel]:-}"
    base="$out_directory/$kernel"
    "$native_cc" -O2 -ffp-contract=off "${sizes[@]}" -o "$base.x86_64" "bench/kernels/$kernel.c" -lm
    "$guest_cc" -static -O2 -ffp-contract=off "${sizes[@]}" -o "$base.aarch64" "bench/kernels/$kernel.c" -lm
    native=$(count "$base.x86_64" "$base.x86_64.out")
    "$vmtrans_a" $(layout_flag "$vmtrans_a") "${vmtrans_flags[@]}" --runtime "$runtime" "$base.aarch64" -o "$base.a" >/dev/null
    a=$(count "$base.a" "$base.a.out")
    row="| $kernel | $native | $a | "
    ok=1
    if ! cmp -s "$base.a.out" "$base.x86_64.out"; then
        row="$row MISMATCH |"
        ok=0
    else
        row="$row$(awk -v a="$a" -v n="$native" 'BEGIN { printf "%.2f", a / n }') |"
    fi
    if [ -n "$vmtrans_b" ]; then
        "$vmtrans_b" $(layout_flag "$vmtrans_b") "${vmtrans_flags[@]}" --runtime "$runtime" "$base.aarch64" -o "$base.b" >/dev/null
        b=$(count "$base.b" "$base.b.out")
        if ! cmp -s "$base.b.out" "$base.x86_64.out"; then
            row="$row $b | MISMATCH | |"
            ok=0
        else
            row="$row $b | $(awk -v b="$b" -v n="$native" 'BEGIN { printf "%.2f", b / n }') | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }') |"
        fi
    fi
    echo "$row"
    if [ "$ok" = 1 ]; then
        counted=$((counted + 1))
        log_a=$(awk -v s="$log_a" -v a="$a" -v n="$native" 'BEGIN { print s + log(a / n) }')
        if [ -n "$vmtrans_b" ]; then
            log_b=$(awk -v s="$log_b" -v b="$b" -v n="$native" 'BEGIN { print s + log(b / n) }')
            log_ba=$(awk -v s="$log_ba" -v a="$a" -v b="$b" 'BEGIN { print s + log(b / a) }')
        fi
    fi
done
if [ "$counted" -gt 0 ]; then
    row="| **geometric mean** | | | **$(awk -v s="$log_a" -v k="$counted" 'BEGIN { printf "%.2f", exp(s / k) }')** |"
    if [ -n "$vmtrans_b" ]; then
        row="$row | **$(awk -v s="$log_b" -v k="$counted" 'BEGIN { printf "%.2f", exp(s / k) }')** | **$(awk -v s="$log_ba" -v k="$counted" 'BEGIN { printf "%.3f", exp(s / k) }')** |"
    fi
    echo "$row"
fi

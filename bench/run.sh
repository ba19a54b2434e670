#!/usr/bin/env bash
#
# The vmtrans benchmark: builds every kernel in bench/kernels natively (gcc) and for AArch64
# (aarch64-linux-gnu-gcc -static), translates the AArch64 build with vmtrans (timing the translation), then
# runs the native build, the guest under qemu-aarch64 and the translated program interleaved, ROUNDS times,
# and prints the median times, their ratios, the translation time and the translated program's size. The
# native build's output is the reference: a variant that prints anything else is reported as a MISMATCH
# (its time is still shown, and it is left out of the geometric means). A kernel that vmtrans cannot
# translate shows "translate failed" and the run goes on. The table also goes to $BENCH_OUT/results.txt.
#
# Both compilers get -ffp-contract=off: AArch64 GCC fuses a*b+c into one rounding by default and x86-64
# GCC does not, which would make floating-point checksums differ between the builds for no fault of ours.
#
# Environment (all optional):
#   ROUNDS=5                      timed rounds per kernel and variant (the median is reported)
#   KERNELS="hash fib"            run only these kernels (default: every bench/kernels/*.c)
#   VMTRANS=target/release/vmtrans  the translator to use
#   VMTRANS_FLAGS="-O2"           extra translator flags
#   BENCH_CFLAGS="-DPASSES=1"     extra flags for both compilers (the kernels' size knobs are #defines)
#   RUN_TIMEOUT=300               seconds before one run counts as hung
#   BENCH_OUT=bench/out           where builds, logs and results.txt go
#   QEMU=qemu-aarch64  NATIVE_CC=gcc  GUEST_CC=aarch64-linux-gnu-gcc

set -euo pipefail

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repository_root"

rounds="${ROUNDS:-5}"
vmtrans="${VMTRANS:-target/release/vmtrans}"
read -r -a vmtrans_flags <<<"${VMTRANS_FLAGS:-}"
read -r -a extra_cflags <<<"${BENCH_CFLAGS:-}"
run_timeout="${RUN_TIMEOUT:-300}"
qemu="${QEMU:-qemu-aarch64}"
native_cc="${NATIVE_CC:-gcc}"
guest_cc="${GUEST_CC:-aarch64-linux-gnu-gcc}"
common_cflags=(-O2 -ffp-contract=off "${extra_cflags[@]}")

out_directory="${BENCH_OUT:-bench/out}"
build_directory="$out_directory/build"
results_file="$out_directory/results.txt"
mkdir -p "$build_directory"

if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
    echo "run.sh: ROUNDS must be a positive integer, not '$rounds'" >&2
    exit 2
fi

kernels=()
for source in bench/kernels/*.c; do
    name="$(basename "$source" .c)"
    if [[ -z "${KERNELS:-}" ]] || [[ " $KERNELS " == *" $name "* ]]; then
        kernels+=("$name")
    fi
done
if [[ ${#kernels[@]} -eq 0 ]]; then
    echo "run.sh: no kernel matches KERNELS='${KERNELS:-}'" >&2
    exit 2
fi

progress() {
    echo "bench: $*" >&2
}

# Per kernel and variant ("native", "qemu", "translated"): a status ("ok", "mismatch", "run failed (...)",
# "translate failed", "not built") and a file of measured seconds, one per line.
declare -A status
declare -A translate_seconds
declare -A output_bytes

# Seconds elapsed between two $EPOCHREALTIME readings.
elapsed() {
    awk -v start="$1" -v end="$2" 'BEGIN { printf "%.3f\n", end - start }'
}

# ---- Build and translate -------------------------------------------------------------------------------

# A bare name is looked up on PATH; a missing translator makes every kernel's translation fail.
vmtrans="$(command -v "$vmtrans" || echo "$vmtrans")"
if [[ ! -x "$vmtrans" ]]; then
    progress "warning: no translator at $vmtrans (build it with cargo build --release -p vmtrans); every kernel will show 'translate failed'."
fi

for kernel in "${kernels[@]}"; do
    source="bench/kernels/$kernel.c"
    native_binary="$build_directory/$kernel.x86_64"
    guest_binary="$build_directory/$kernel.aarch64"
    translated_binary="$build_directory/$kernel.native"
    rm -f "$native_binary" "$guest_binary" "$translated_binary" "$build_directory/$kernel".*.times
    progress "building $kernel"

    if "$native_cc" "${common_cflags[@]}" -o "$native_binary" "$source" -lm 2>"$build_directory/$kernel.native-cc.log"; then
        status[$kernel:native]=ok
    else
        status[$kernel:native]="not built"
        progress "native build of $kernel failed; see $build_directory/$kernel.native-cc.log"
    fi

    if "$guest_cc" -static "${common_cflags[@]}" -o "$guest_binary" "$source" -lm 2>"$build_directory/$kernel.guest-cc.log"; then
        status[$kernel:qemu]=ok
    else
        status[$kernel:qemu]="not built"
        status[$kernel:translated]="not built"
        progress "AArch64 build of $kernel failed; see $build_directory/$kernel.guest-cc.log"
        continue
    fi

    translate_log="$build_directory/$kernel.translate.log"
    start="$EPOCHREALTIME"
    translate_status=0
    if [[ -x "$vmtrans" ]]; then
        "$vmtrans" "$guest_binary" -o "$translated_binary" "${vmtrans_flags[@]}" >"$translate_log" 2>&1 ||
            translate_status=$?
    else
        echo "no translator at $vmtrans" >"$translate_log"
        translate_status=127
    fi
    end="$EPOCHREALTIME"
    if [[ "$translate_status" -eq 0 && -f "$translated_binary" && -x "$translated_binary" ]]; then
        status[$kernel:translated]=ok
        translate_seconds[$kernel]="$(elapsed "$start" "$end")"
        output_bytes[$kernel]="$(stat -c %s "$translated_binary")"
    else
        status[$kernel:translated]="translate failed"
        if [[ "$translate_status" -eq 0 ]]; then
            progress "translating $kernel failed: the translator exited with status 0 but wrote no executable $translated_binary"
        else
            progress "translating $kernel failed (exit status $translate_status); see $translate_log"
        fi
    fi
done

# ---- Timed runs, interleaved -----------------------------------------------------------------------------

# Runs one variant of one kernel once, appends its time, and checks its output against the native one.
run_variant() {
    local kernel="$1" variant="$2"
    local command=()
    case "$variant" in
        native) command=("$build_directory/$kernel.x86_64") ;;
        qemu) command=("$qemu" "$build_directory/$kernel.aarch64") ;;
        translated) command=("$build_directory/$kernel.native") ;;
    esac
    local output="$build_directory/$kernel.$variant.out"
    local start end exit_status=0
    start="$EPOCHREALTIME"
    timeout --kill-after=10 "$run_timeout" "${command[@]}" </dev/null >"$output" 2>"$build_directory/$kernel.$variant.err" ||
        exit_status=$?
    end="$EPOCHREALTIME"
    if [[ "$exit_status" -eq 124 ]]; then
        status[$kernel:$variant]="run failed (timeout after ${run_timeout}s)"
        return
    elif [[ "$exit_status" -gt 128 ]]; then
        status[$kernel:$variant]="run failed (killed by SIG$(kill -l $((exit_status - 128)) 2>/dev/null || echo "$exit_status"))"
        return
    elif [[ "$exit_status" -ne 0 ]]; then
        status[$kernel:$variant]="run failed (exit status $exit_status)"
        return
    fi
    elapsed "$start" "$end" >>"$build_directory/$kernel.$variant.times"
    if [[ "$variant" != native && "${status[$kernel:native]}" == ok ]] &&
        ! cmp -s "$output" "$build_directory/$kernel.native.out"; then
        status[$kernel:$variant]=mismatch
    fi
}

for round in $(seq 1 "$rounds"); do
    for kernel in "${kernels[@]}"; do
        progress "round $round/$rounds: $kernel"
        for variant in native qemu translated; do
            # A variant that failed once is not run again; a mismatching one keeps being timed.
            case "${status[$kernel:$variant]}" in
                ok | mismatch) run_variant "$kernel" "$variant" ;;
            esac
        done
    done
done

# ---- Report ----------------------------------------------------------------------------------------------

# Prints the median of the numbers in a file (one per line), or nothing if there are none.
median() {
    [[ -s "$1" ]] || return 0
    sort -g "$1" | awk '{ value[NR] = $1 }
        END { if (NR % 2) printf "%.3f", value[(NR + 1) / 2]; else printf "%.3f", (value[NR / 2] + value[NR / 2 + 1]) / 2 }'
}

# Prints $1 / $2 with two decimals, or "-" when either is missing.
ratio() {
    if [[ -n "$1" && -n "$2" ]]; then
        awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
    else
        printf -- "-"
    fi
}

report="$(mktemp)"
trap 'rm -f "$report"' EXIT
{
    echo "vmtrans benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "host: $(uname -m), $(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores"
    echo "native: $("$native_cc" --version | head -n 1); guest: $("$guest_cc" --version | head -n 1)"
    echo "oracle: $("$qemu" --version | head -n 1)"
    echo "translator: $vmtrans${vmtrans_flags[*]:+ ${vmtrans_flags[*]}} (commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown))"
    echo "flags: ${common_cflags[*]}; rounds: $rounds (medians of wall-clock seconds)"
    echo
    format="%-9s %9s %9s %12s %9s %9s %11s %10s  %s\n"
    # shellcheck disable=SC2059
    printf "$format" kernel "native s" "qemu s" "translated s" "tr/native" "qemu/tr" "translate s" "output" status
    geometric_input="$(mktemp)"
    for kernel in "${kernels[@]}"; do
        native_time="" qemu_time="" translated_time=""
        [[ "${status[$kernel:native]}" == "not built" ]] || native_time="$(median "$build_directory/$kernel.native.times")"
        [[ "${status[$kernel:qemu]}" == "not built" ]] || qemu_time="$(median "$build_directory/$kernel.qemu.times")"
        [[ "${status[$kernel:translated]}" != ok && "${status[$kernel:translated]}" != mismatch ]] ||
            translated_time="$(median "$build_directory/$kernel.translated.times")"
        problems=()
        for variant in native qemu translated; do
            case "${status[$kernel:$variant]}" in
                ok) ;;
                mismatch) problems+=("MISMATCH ($variant output differs from native)") ;;
                "translate failed") problems+=("translate failed") ;;
                *) problems+=("$variant ${status[$kernel:$variant]}") ;;
            esac
        done
        if [[ ${#problems[@]} -eq 0 ]]; then
            row_status=ok
            echo "$native_time $qemu_time $translated_time ${translate_seconds[$kernel]}" >>"$geometric_input"
        else
            row_status="$(printf '%s; ' "${problems[@]}")"
            row_status="${row_status%; }"
        fi
        size="-"
        [[ -z "${output_bytes[$kernel]:-}" ]] || size="$(numfmt --to=iec --suffix=B "${output_bytes[$kernel]}")"
        # shellcheck disable=SC2059
        printf "$format" "$kernel" "${native_time:--}" "${qemu_time:--}" "${translated_time:--}" \
            "$(ratio "$translated_time" "$native_time")" "$(ratio "$qemu_time" "$translated_time")" \
            "${translate_seconds[$kernel]:--}" "$size" "$row_status"
    done
    agreeing="$(wc -l <"$geometric_input")"
    awk -v format="$format" -v total="${#kernels[@]}" '
        { for (i = 1; i <= 4; i++) log_sum[i] += log($i) }
        END {
            if (NR == 0) {
                printf "\ngeometric means: none (no kernel ran in all three variants with matching output)\n"
                exit
            }
            for (i = 1; i <= 4; i++) mean[i] = exp(log_sum[i] / NR)
            printf format, "geomean", sprintf("%.3f", mean[1]), sprintf("%.3f", mean[2]), sprintf("%.3f", mean[3]),
                sprintf("%.2f", mean[3] / mean[1]), sprintf("%.2f", mean[2] / mean[3]), sprintf("%.3f", mean[4]), "", \
                sprintf("over %d of %d kernels", NR, total)
            printf "\nqemu/native geometric mean over the same kernels: %.2f\n", mean[2] / mean[1]
        }' "$geometric_input"
    if [[ "$agreeing" -lt "${#kernels[@]}" ]]; then
        # The qemu-only view also covers the kernels that translation has not reached yet.
        qemu_ratios=""
        for kernel in "${kernels[@]}"; do
            if [[ "${status[$kernel:native]}" == ok && "${status[$kernel:qemu]}" == ok ]]; then
                qemu_ratios+="$(median "$build_directory/$kernel.native.times") $(median "$build_directory/$kernel.qemu.times")"$'\n'
            fi
        done
        printf '%s' "$qemu_ratios" | awk 'NF == 2 { s += log($2 / $1); n++ }
            END { if (n) printf "qemu/native geometric mean over the %d kernels where native and qemu agree: %.2f\n", n, exp(s / n) }'
    fi
    rm -f "$geometric_input"
} >"$report"

cp "$report" "$results_file"
cat "$report"
echo "(also written to $results_file)"

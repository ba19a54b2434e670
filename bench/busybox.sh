#!/usr/bin/env bash
#
# The real-program benchmark: Debian's busybox-static for arm64, translated by vmtrans, against
# busybox-static for amd64 (the same source and compiler, built natively) and against the arm64 build
# under qemu-aarch64. Runs `sha256sum`, `gzip -9`, `bzip2` and `sort` over one generated 40 MB text file,
# interleaved, ROUNDS times, and prints median times and the ratios translated/native and
# qemu/translated. Every output is compared with the native one (a difference is reported as a MISMATCH
# and the script exits with status 1). Also reports how long the translation took at the default level
# and the translator's peak memory.
#
# Both packages are fetched by scripts/fetch-busybox.sh with `apt-get download` into $BUSYBOX_CACHE
# (default .cache/busybox, ignored by git); nothing is committed. Fetching the arm64 package needs the
# arm64 architecture in dpkg (`dpkg --add-architecture arm64 && apt-get update`): the script does that
# when it may (as root), and says what to run otherwise.
#
# Environment (all optional):
#   ROUNDS=5                       timed rounds per command and variant (the median is reported)
#   INPUT_MB=40                    size of the generated input
#   VMTRANS=target/release/vmtrans the translator;  VMTRANS_FLAGS=""  extra translator flags
#   QEMU=qemu-aarch64              the emulator to compare with
#   BUSYBOX_CACHE=.cache/busybox   where the packages, the input and the builds go

set -euo pipefail

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repository_root"

rounds="${ROUNDS:-5}"
input_mb="${INPUT_MB:-40}"
vmtrans="${VMTRANS:-target/release/vmtrans}"
read -r -a vmtrans_flags <<<"${VMTRANS_FLAGS:-}"
qemu="${QEMU:-qemu-aarch64}"
cache="${BUSYBOX_CACHE:-.cache/busybox}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

progress() { echo "busybox.sh: $*" >&2; }
fail() {
    echo "busybox.sh: $*" >&2
    exit 2
}

[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || fail "ROUNDS must be a positive integer, not '$rounds'"
[[ "$input_mb" =~ ^[1-9][0-9]*$ ]] || fail "INPUT_MB must be a positive integer, not '$input_mb'"
[[ -x "$vmtrans" ]] || fail "no translator at $vmtrans (build it with cargo build --release -p vmtrans -p vmtrans-runtime)"
command -v "$qemu" >/dev/null || fail "$qemu is not installed (scripts/install-deps.sh installs it)"

# ---- Fetch -------------------------------------------------------------------------------------------

BUSYBOX_CACHE="$cache" scripts/fetch-busybox.sh || exit 2
native="$cache/busybox-static_amd64/bin/busybox"
guest="$cache/busybox-static_arm64/bin/busybox"
translated="$cache/busybox.native"

# ---- Translate -------------------------------------------------------------------------------------------

# A translation newer than the translator (and made with the same flags) is reused, with its timing.
translate_log="$cache/translate.log"
flags_file="$cache/translate.flags"
if [[ -x "$translated" && "$translated" -nt "$vmtrans" && -s "$cache/translate.time" ]] &&
    [[ "$(cat "$flags_file" 2>/dev/null)" == "${VMTRANS_FLAGS:-}" ]]; then
    progress "reusing $translated (newer than $vmtrans)"
else
    progress "translating $guest (default level)"
    /usr/bin/time -f "%e %M" -o "$cache/translate.time" "$vmtrans" "$guest" -o "$translated" --stats \
        "${vmtrans_flags[@]}" >"$translate_log" 2>&1 || {
        cat "$translate_log" >&2
        fail "vmtrans failed on busybox"
    }
    echo "${VMTRANS_FLAGS:-}" >"$flags_file"
fi
read -r translate_seconds translate_kb <"$cache/translate.time"

# ---- Input -----------------------------------------------------------------------------------------------

input="$cache/input-${input_mb}mb.txt"
if [[ ! -s "$input" ]]; then
    progress "generating a ${input_mb} MB input"
    # Deterministic, compressible but not trivially so: words from a small vocabulary and numbers.
    awk -v bytes=$((input_mb * 1024 * 1024)) 'BEGIN {
        srand(42); split("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu", w, " ");
        while (total < bytes) {
            line = w[int(rand() * 12) + 1] " " int(rand() * 1000000) " " w[int(rand() * 12) + 1] " " rand();
            print line; total += length(line) + 1 } }' >"$input"
fi

# ---- Run -------------------------------------------------------------------------------------------------

commands=("sha256sum" "gzip -9 -c" "bzip2 -c" "sort")
names=("sha256sum" "gzip -9" "bzip2" "sort")
declare -A times
mismatch=0

# run VARIANT INDEX: one timed run, its output compared with the native one.
run() {
    local variant="$1" index="$2"
    local -a prefix
    case "$variant" in
        native) prefix=("$native") ;;
        qemu) prefix=("$qemu" "$guest") ;;
        translated) prefix=("$translated") ;;
    esac
    local out="$cache/out.$variant.$index"
    local start end
    read -r -a args <<<"${commands[$index]}"
    start=$(date +%s.%N)
    "${prefix[@]}" "${args[@]}" "$input" >"$out"
    end=$(date +%s.%N)
    times[$variant:$index]+="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') "
    if [[ "$variant" != native ]] && ! cmp -s "$out" "$cache/out.native.$index"; then
        echo "MISMATCH: busybox ${names[$index]} $variant output differs from native" >&2
        mismatch=1
    fi
}

for round in $(seq 1 "$rounds"); do
    for index in "${!commands[@]}"; do
        progress "round $round/$rounds: ${names[$index]}"
        for variant in native qemu translated; do
            run "$variant" "$index"
        done
    done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

{
    echo "busybox benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), input ${input_mb} MB, median of $rounds"
    printf "%-10s %9s %9s %12s %10s %8s\n" command native qemu translated tr/native qemu/tr
    for index in "${!commands[@]}"; do
        n=$(median <<<"${times[native:$index]}")
        q=$(median <<<"${times[qemu:$index]}")
        t=$(median <<<"${times[translated:$index]}")
        printf "%-10s %9.3f %9.3f %12.3f %10s %8s\n" "${names[$index]}" "$n" "$q" "$t" "$(ratio "$t" "$n")" "$(ratio "$q" "$t")"
    done
    echo "translation: ${translate_seconds} s, peak memory $((translate_kb / 1024)) MiB, output $(($(stat -c %s "$translated") / 1024)) KiB"
    grep -E "^vmtrans: [0-9]+ functions|^vmtrans: time:" "$translate_log" || true
} | tee "$cache/results.txt"
exit "$mismatch"

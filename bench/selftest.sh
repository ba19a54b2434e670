#!/usr/bin/env bash
#
# Checks bench/run.sh itself, without the real translator: runs it on every kernel at tiny sizes, two
# rounds, with a stand-in "translator" that exercises each path of the report. For most kernels the stand-in
# writes a program that runs the guest under qemu-aarch64 (so the translated column fills in and the
# checksums agree); for hash it fails to translate, for fib it produces a program whose output differs,
# for sort one that crashes and for crc32 one that hangs. The script then checks that the table says so.
# Everything it writes goes to bench/out/selftest/, so a real bench/out/results.txt is left alone.

set -euo pipefail

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repository_root"

stub_directory=bench/out/selftest
mkdir -p "$stub_directory"
stub="$stub_directory/vmtrans-stub"
cat >"$stub" <<'STUB'
#!/usr/bin/env bash
# Stand-in translator for bench/selftest.sh: usage vmtrans-stub GUEST -o OUTPUT.
set -euo pipefail
guest="$(realpath "$1")"
output="$3"
case "$(basename "$guest")" in
    hash.*) echo "vmtrans-stub: pretending that translation fails" >&2; exit 1 ;;
    fib.*) printf '#!/bin/sh\nqemu-aarch64 "%s" | sed "s/[0-9]$/X/"\n' "$guest" >"$output" ;;
    sort.*) printf '#!/bin/sh\nkill -SEGV $$\n' >"$output" ;;
    crc32.*) printf '#!/bin/sh\nexec sleep 60\n' >"$output" ;;
    *) printf '#!/bin/sh\nexec qemu-aarch64 "%s" "$@"\n' "$guest" >"$output" ;;
esac
chmod +x "$output"
STUB
chmod +x "$stub"

tiny_sizes="-DITERATIONS=200000u -DWORDS=4096u -DPASSES=2 -DSTEPS=2000 -DELEMENTS=4096 -DREPEATS=20 -DDEPTH=20"
tiny_sizes+=" -DCALLS=20000u -DLIMIT=3000 -DMAX_DEPTH=8 -DLIST_ROUNDS=2 -DROUNDS=2 -DBUFFER_BYTES=65536u"

report="$stub_directory/report.txt"
BENCH_OUT="$stub_directory" VMTRANS="$stub" ROUNDS=2 RUN_TIMEOUT=3 BENCH_CFLAGS="$tiny_sizes" bench/run.sh >"$report"
cat "$report"

failures=0
expect() {
    local kernel="$1" pattern="$2"
    if grep -E "^$kernel " "$report" | grep -q -- "$pattern"; then
        echo "selftest: ok: $kernel row shows '$pattern'"
    else
        echo "selftest: FAIL: $kernel row does not show '$pattern'"
        failures=$((failures + 1))
    fi
}
expect hash "translate failed"
expect fib "MISMATCH (translated output differs from native)"
expect sort "translated run failed (killed by SIGSEGV)"
expect crc32 "translated run failed (timeout after 3s)"
expect sha256 " ok$"
expect nbody " ok$"
expect geomean "over 8 of 12 kernels"
if [[ "$failures" -ne 0 ]]; then
    echo "selftest: $failures check(s) failed"
    exit 1
fi
echo "selftest: all checks passed"

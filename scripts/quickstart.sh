#!/usr/bin/env bash
#
# The first thing to run: installs what is missing (scripts/install-deps.sh), builds vmtrans in release
# mode, compiles examples/hello.c into a static AArch64 Linux program, translates it into a native x86-64
# program with vmtrans and runs it, then runs the same guest under qemu-aarch64 and says whether the two
# agree (standard output and exit status). Everything it makes lands in target/quickstart/.
#
# Run it as root on a fresh Debian 12 machine (`sudo scripts/quickstart.sh`), or as yourself once the
# dependencies are installed.

set -euo pipefail

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repository_root"

scripts/install-deps.sh

# rustup installs into ~/.cargo/bin, which sudo's secure_path or a fresh shell may lack.
export PATH="$HOME/.cargo/bin:$PATH"
export LLVM_SYS_191_PREFIX=/usr/lib/llvm-19

say() {
    echo "quickstart: $*"
}

say "building vmtrans and its runtime (release; the first build takes several minutes)"
cargo build --release -p vmtrans -p vmtrans-runtime

work_directory=target/quickstart
mkdir -p "$work_directory"
guest="$work_directory/hello"
translated="$work_directory/hello.native"
rm -f "$guest" "$translated"

say "compiling examples/hello.c for AArch64: aarch64-linux-gnu-gcc -static -O2 -o $guest"
aarch64-linux-gnu-gcc -static -O2 -o "$guest" examples/hello.c

say "running the guest under qemu-aarch64 (the reference):"
qemu_status=0
qemu-aarch64 "$guest" </dev/null | tee "$work_directory/qemu.out" || qemu_status=$?
say "qemu-aarch64 exit status: $qemu_status"

say "translating: target/release/vmtrans $guest -o $translated"
start="$EPOCHREALTIME"
if ! target/release/vmtrans "$guest" -o "$translated"; then
    say "vmtrans could not translate $guest (see the messages above)."
    exit 1
fi
if [[ ! -x "$translated" ]]; then
    say "vmtrans reported success but wrote no executable $translated."
    exit 1
fi
say "translated in $(awk -v start="$start" -v end="$EPOCHREALTIME" 'BEGIN { printf "%.2f", end - start }') s;" \
    "$translated is $(stat -c %s "$translated") bytes."

say "running the translated program:"
translated_status=0
"$translated" </dev/null | tee "$work_directory/translated.out" || translated_status=$?
say "translated program's exit status: $translated_status"

if cmp -s "$work_directory/qemu.out" "$work_directory/translated.out" && [[ "$qemu_status" -eq "$translated_status" ]]; then
    say "the translated program and qemu-aarch64 agree (same output, same exit status)."
else
    say "the translated program and qemu-aarch64 DISAGREE:"
    diff "$work_directory/qemu.out" "$work_directory/translated.out" || true
    [[ "$qemu_status" -eq "$translated_status" ]] ||
        say "exit status: qemu-aarch64 $qemu_status, translated $translated_status"
    exit 1
fi

#!/usr/bin/env bash
#
# Fetches Debian packages with `apt-get download` and unpacks each into a directory of its own:
#
#   scripts/fetch-deb.sh CACHE PACKAGE:ARCH...
#
# unpacks PACKAGE:ARCH into CACHE/PACKAGE_ARCH (for example CACHE/bash-static_arm64/bin/bash-static).
# A package already unpacked there is kept, so a second run downloads nothing. The tests and benchmarks
# that run real, unmodified Debian programs (busybox, the static shells) fetch them this way; nothing it
# fetches is committed (.cache is ignored by git).
#
# Downloading an arm64 package needs the arm64 architecture in dpkg: the script adds it (and runs
# apt-get update) when it runs as root, and otherwise says what to run. Exits 2 with a one-line message
# when something cannot be fetched.

set -euo pipefail

progress() { echo "fetch-deb.sh: $*" >&2; }
fail() {
    echo "fetch-deb.sh: $*" >&2
    exit 2
}

[[ $# -ge 2 ]] || fail "usage: scripts/fetch-deb.sh CACHE PACKAGE:ARCH..."
cache="$1"
shift
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

for spec in "$@"; do
    package="${spec%%:*}"
    arch="${spec#*:}"
    [[ -n "$package" && -n "$arch" && "$arch" != "$spec" ]] || fail "'$spec' is not PACKAGE:ARCH"
    dest="$cache/${package}_$arch"
    if [[ -f "$dest/.unpacked" ]]; then
        continue
    fi
    if [[ "$arch" != "$(dpkg --print-architecture)" ]] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        if [[ "$(id -u)" -eq 0 ]]; then
            progress "adding the $arch architecture to dpkg (to download $spec)"
            dpkg --add-architecture "$arch"
            apt-get update -qq
        else
            fail "run 'sudo dpkg --add-architecture $arch && sudo apt-get update' once, then this script again"
        fi
    fi
    progress "downloading $spec"
    (cd "$cache" && rm -f "${package}"_*_"$arch".deb && apt-get download -q "$spec") ||
        fail "apt-get download $spec failed (its message is above)"
    debs=("$cache/${package}"_*_"$arch".deb)
    [[ -f "${debs[0]}" ]] || fail "apt-get download $spec left no ${package}_*_$arch.deb in $cache"
    rm -rf "$dest"
    dpkg-deb -x "${debs[0]}" "$dest" || fail "cannot unpack ${debs[0]}"
    touch "$dest/.unpacked"
done

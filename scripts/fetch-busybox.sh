#!/usr/bin/env bash
#
# Fetches Debian's busybox-static for amd64 and for arm64 (the same source, built by the same compiler
# for each) with `apt-get download` into $BUSYBOX_CACHE (default .cache/busybox, ignored by git) and
# unpacks them there: $BUSYBOX_CACHE/amd64/bin/busybox and $BUSYBOX_CACHE/arm64/bin/busybox. Packages
# already unpacked are kept. Used by bench/busybox.sh (speed) and testsuite/tests/busybox_applets.rs
# (behaviour); nothing it fetches is committed.
#
# Downloading the arm64 package needs the arm64 architecture in dpkg: the script adds it (and runs
# apt-get update) when it runs as root, and otherwise says what to run. Exits 2 with a one-line message
# when something cannot be fetched.

set -euo pipefail

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repository_root"
cache="${BUSYBOX_CACHE:-.cache/busybox}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

progress() { echo "fetch-busybox.sh: $*" >&2; }
fail() {
    echo "fetch-busybox.sh: $*" >&2
    exit 2
}

fetch() {
    local arch="$1"
    local binary="$cache/$arch/bin/busybox"
    if [[ -x "$binary" ]]; then
        return
    fi
    if [[ "$arch" == arm64 ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
        if [[ "$(id -u)" -eq 0 ]]; then
            progress "adding the arm64 architecture to dpkg (to download the arm64 package)"
            dpkg --add-architecture arm64
            apt-get update -qq
        else
            fail "run 'sudo dpkg --add-architecture arm64 && sudo apt-get update' once, then this script again"
        fi
    fi
    progress "downloading busybox-static:$arch"
    (cd "$cache" && rm -f busybox-static_*_"$arch".deb && apt-get download -q "busybox-static:$arch" 2>/dev/null) ||
        fail "apt-get download busybox-static:$arch failed"
    rm -rf "${cache:?}/$arch"
    dpkg-deb -x "$cache"/busybox-static_*_"$arch".deb "$cache/$arch"
    [[ -x "$binary" ]] || fail "the busybox-static:$arch package holds no bin/busybox"
}

fetch amd64
fetch arm64

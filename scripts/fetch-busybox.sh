#!/usr/bin/env bash
#
# Fetches Debian's busybox-static for amd64 and for arm64 (the same source, built by the same compiler
# for each) into $BUSYBOX_CACHE (default .cache/busybox, ignored by git) with scripts/fetch-deb.sh:
# $BUSYBOX_CACHE/busybox-static_amd64/bin/busybox and $BUSYBOX_CACHE/busybox-static_arm64/bin/busybox.
# Packages already unpacked are kept. Used by bench/busybox.sh (speed) and
# testsuite/tests/busybox_applets.rs (behaviour); nothing it fetches is committed. Exits 2 with a
# one-line message when something cannot be fetched.

set -euo pipefail

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repository_root"
cache="${BUSYBOX_CACHE:-.cache/busybox}"

scripts/fetch-deb.sh "$cache" busybox-static:amd64 busybox-static:arm64
for arch in amd64 arm64; do
    [[ -x "$cache/busybox-static_$arch/bin/busybox" ]] || {
        echo "fetch-busybox.sh: the busybox-static:$arch package holds no bin/busybox" >&2
        exit 2
    }
done

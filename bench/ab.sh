#!/usr/bin/env bash
# A/B comparison of two builds of one program (say, a kernel translated before and after a change to
# vmtrans), for a machine whose speed drifts by tens of percent within minutes.
#
# Each round runs A and B at the same time, one on each of the first two CPUs (taskset), and swaps the
# CPUs every round, so that drift hits both alike and a slower CPU slows each build in half the rounds.
# Prints each round's user times and the geometric mean of B/A over the rounds (below 1: B is faster).
# Use an even number of rounds. Needs two CPUs; both programs' output is discarded.
#
# Usage: bench/ab.sh ROUNDS PROGRAM_A PROGRAM_B [ARGS...]
set -euo pipefail

if [ "$#" -lt 3 ]; then
    echo "usage: bench/ab.sh ROUNDS PROGRAM_A PROGRAM_B [ARGS...]" >&2
    exit 2
fi
rounds=$1
a=$2
b=$3
shift 3
for p in "$a" "$b"; do
    [ -x "$p" ] || { echo "bench/ab.sh: $p is not an executable" >&2; exit 2; }
done
[ "$(nproc)" -ge 2 ] || { echo "bench/ab.sh: needs two CPUs" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for round in $(seq "$rounds"); do
    if [ $((round % 2)) = 0 ]; then cpu_a=0 cpu_b=1; else cpu_a=1 cpu_b=0; fi
    /usr/bin/time -f "%U" -o "$work/a" taskset -c "$cpu_a" "$a" "$@" >/dev/null 2>&1 &
    /usr/bin/time -f "%U" -o "$work/b" taskset -c "$cpu_b" "$b" "$@" >/dev/null 2>&1 &
    wait
    echo "round $round: A $(tail -1 "$work/a") s, B $(tail -1 "$work/b") s" | tee -a "$work/rounds"
done
# Times below the clock's 10 ms resolution count as 10 ms.
awk '{ a = ($4 < 0.01 ? 0.01 : $4); b = ($7 < 0.01 ? 0.01 : $7); s += log(b / a); ta += a; tb += b }
     END { printf "A mean %.3f s, B mean %.3f s, geometric mean of B/A %.3f over %d rounds\n", ta / NR, tb / NR, exp(s / NR), NR }' \
    "$work/rounds"

# POSIX shell script run by every static shell of testsuite/tests/static_shells.rs, under qemu-aarch64
# and translated; the two runs must print the same. Deterministic: no pids, times or random numbers.
x=0; i=0
while [ $i -lt 3000 ]; do x=$(( (x * 31 + i) % 1000003 )); i=$((i + 1)); done
echo "loop x=$x"
fib() { if [ "$1" -lt 2 ]; then echo "$1"; else echo $(( $(fib $(($1 - 1))) + $(fib $(($1 - 2))) )); fi; }
echo "fib 12 = $(fib 12)"
set -- a b "c d" e
for a in "$@"; do printf '<%s>' "$a"; done; echo " argc=$#"
s="hello world foo"; echo "${s#* } | ${s%% *} | ${#s} | ${s%o*} | ${s##*o}"
case $s in hello*) echo matched;; *) echo no;; esac
f() { v=$1; echo "f:$v:$#"; return 3; }; f 1 2; echo "status=$?"
echo $(( 7 / 2 )) $(( -7 % 3 )) $(( 6 * 7 )) $(( 0x10 + 010 ))
for w in zeta alpha mu; do echo $w; done | sort
read -r line <<EOT
here document line
EOT
echo "$line"
mkdir -p d/sub && echo one > d/a.txt && echo two > d/b.txt && echo three > d/sub/c.txt
for f in d/*.txt; do printf '%s:' "$f"; cat "$f"; done
cat d/a.txt d/b.txt > d/ab.txt; wc -l < d/ab.txt
while read -r w; do echo "read:$w"; done < d/ab.txt
echo appended >> d/a.txt; cat d/a.txt
( cd d/sub && pwd | sed 's|.*/||' )
rm -r d; [ -e d ] || echo removed
(exit 5); echo "subshell=$?"
false || echo "or-list"; true && echo "and-list"
trap 'echo caught USR1' USR1; kill -USR1 $$; echo "after signal"
sh_out=$( { echo out; echo err >&2; } 2>&1 ); echo "$sh_out" | tr '\n' ' '; echo
( sleep 0.05; exit 4 ) & wait $!; echo "background=$?"
printf '%s %d %x %o %5s|%-5s|\n' str 42 255 8 r l
echo "a:b:c" | { IFS=: read -r p q r; echo "$r $q $p"; }
unset x; echo "${x:-default} ${x-unset}"; x=; echo "[${x:-empty}] [${x-set}]"
i=0; until [ $i -ge 3 ]; do i=$((i + 1)); done; echo "until $i"
echo "end of posix.sh"
trap 'echo exiting' EXIT
exit 3

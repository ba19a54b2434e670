# bash-only features, run by bash-static in testsuite/tests/static_shells.rs (which runs posix.sh too).
declare -A m; m[a]=1; m[b]=2; for k in $(printf '%s\n' "${!m[@]}" | sort); do echo "$k=${m[$k]}"; done
x=0; for ((i = 0; i < 3000; i++)); do x=$(( (x * 31 + i) % 1000003 )); done; echo "x=$x"
s="Hello, World"; echo "${s^^} ${s,,} ${s/World/There} ${s:7:3}"
arr=(3 1 2); arr+=(9); echo "${#arr[@]} ${arr[*]} ${arr[@]:1:2}"
printf '%05.2f|%-6s|%x|%e|%g\n' 3.14159 ab 255 12345.678 0.0001
[[ "abc123" =~ ^([a-z]+)([0-9]+)$ ]] && echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
echo $(( 2 ** 40 )) $(( -7 / 2 )) $(( 0x1f )) $(( 1 << 62 ))
exec 3> fd3.txt; echo to-fd3 >&3; exec 3>&-; cat fd3.txt
diff <(printf 'a\nb\n') <(printf 'a\nc\n'); echo "diff=$?"
coproc C { read -r x; echo "got:$x"; }; echo hi >&"${C[1]}"; read -r y <&"${C[0]}"; echo "$y"; wait
mapfile -t L < <(printf '%s\n' 5 4 3); echo "${L[@]}"
getopts "ab:" o -b val; echo "$o $OPTARG"
printf -v v '%s-%s' x y; echo "$v"
true | false | true; echo "${PIPESTATUS[@]}"
set -o pipefail; false | true; echo "pipefail=$?"; set +o pipefail
read -r a b <<< "one two"; echo "$b $a"
echo {1..5} {a..c} {01..03}
type -t echo cd cat
f() { local -i n=$1; (( n <= 1 )) && { echo 1; return; }; echo $(( n * $(f $((n - 1))) )); }; echo "10! = $(f 10)"
shopt -s extglob; t=aaabbb; echo "${t##+(a)}"
echo "${BASH_VERSINFO[0]}"
echo "end of bash.sh"

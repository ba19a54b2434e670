# zsh-only features, run by zsh-static -f in testsuite/tests/static_shells.rs (zsh itself is not asked to run posix.sh: its own mode splits words differently).
typeset -A m; m=(a 1 b 2); for k in ${(ko)m}; do echo "$k=$m[$k]"; done
x=0; for ((i = 0; i < 3000; i++)); do (( x = (x * 31 + i) % 1000003 )); done; echo "x=$x"
s="Hello, World"; echo "${(U)s} ${(L)s} ${s/World/There}"
arr=(3 1 2); echo ${(n)arr} ${#arr} ${(On)arr} $arr[2]
printf '%05.2f|%-6s|%x|%e\n' 3.14159 ab 255 12345.678
echo $(( 2**40 )) $(( 7.0 / 2 )) $(( 10 % 4 ))
float y=1.5; (( y = y * 3 )); echo $y
setopt extendedglob; echo ${${:-abcdef}[2,4]}
words=(${(s:,:)${:-a,b,c}}); echo ${#words} ${(j:-:)words}
f() { echo "args:$#"; shift; echo "$@"; }; f 1 2 3
trap 'echo trapped' USR1; kill -USR1 $$; echo after
print -l one two | sort -r
echo ${(l:6::0:)${:-42}}
echo "end of zsh.zsh"

; test: lift
; A RET and a BLR whose register the same block sets to one address (as hand-written code and
; random instruction streams do): the RET becomes a jump with that one recovered target, and the
; BLR keeps its computed target but lists the address as a known callee.
; checked: adr gives 0x400008 (.Lnext) and 0x400014 (callee); the RET is lifted as jump_indirect
;  with `targets block0 0x400008` and .Lnext is a block of the function; the BLR writes x30 =
;  0x400010 (its return address) and ends in call_indirect with `targets block1 0x400014`.
	.text
f:
	adr	x27, .Lnext
	ret	x27
.Lnext:
	adr	x1, callee
	blr	x1
	ret
callee:
	ret

;; function constant_branch_targets @0x400000 {
;;     resume 0x400010 block2
;;     targets block0 0x400008
;;     targets block1 0x400014
;; block0 @0x400000:
;;     v0 = const.i64 0x400008
;;     setreg x27, v0
;;     v2 = getreg.i64 x27
;;     jump_indirect v2
;; block1 @0x400008:
;;     v3 = const.i64 0x400014
;;     setreg x1, v3
;;     v5 = getreg.i64 x1
;;     v6 = const.i64 0x400010
;;     setreg x30, v6
;;     call_indirect v5, ret 0x400010, block2
;; block2 @0x400010:
;;     v8 = getreg.i64 x30
;;     return v8
;; }

; test: lift
; Compare-and-branch and test-bit-and-branch: cbz, cbnz (32-bit), tbz, tbnz.
; checked: cbz x0 == 0 to .Lzero; cbnz tests only w1 (truncated); tbz tests bit 63 == 0 and tbnz bit 3 != 0 of
;  the 64-bit register; mov x0, #1 is movz; b .Lzero is a local jump.
	.text
cbz_tbz:
	cbz	x0, .Lzero
	cbnz	w1, .Lnonzero
	tbz	x2, #63, .Lpositive
	tbnz	w3, #3, .Lzero
	ret
.Lzero:
	mov	x0, #1
	ret
.Lnonzero:
	mov	x0, #2
	ret
.Lpositive:
	b	.Lzero

;; function compare_branch @0x400000 {
;; block0 @0x400000:
;;     v0 = getreg.i64 x0
;;     v1 = const.i64 0x0
;;     v2 = icmp.eq.i1 v0, v1
;;     branch v2, block5, block1
;; block1 @0x400004:
;;     v3 = getreg.i64 x1
;;     v4 = trunc.i32 v3
;;     v5 = const.i32 0x0
;;     v6 = icmp.ne.i1 v4, v5
;;     branch v6, block6, block2
;; block2 @0x400008:
;;     v7 = getreg.i64 x2
;;     v8 = const.i64 0x3f
;;     v9 = lshr.i64 v7, v8
;;     v10 = const.i64 0x1
;;     v11 = and.i64 v9, v10
;;     v12 = const.i64 0x0
;;     v13 = icmp.eq.i1 v11, v12
;;     branch v13, block7, block3
;; block3 @0x40000c:
;;     v14 = getreg.i64 x3
;;     v15 = const.i64 0x3
;;     v16 = lshr.i64 v14, v15
;;     v17 = const.i64 0x1
;;     v18 = and.i64 v16, v17
;;     v19 = const.i64 0x0
;;     v20 = icmp.ne.i1 v18, v19
;;     branch v20, block5, block4
;; block4 @0x400010:
;;     v21 = getreg.i64 x30
;;     return v21
;; block5 @0x400014:
;;     v22 = const.i64 0x1
;;     setreg x0, v22
;;     v24 = getreg.i64 x30
;;     return v24
;; block6 @0x40001c:
;;     v25 = const.i64 0x2
;;     setreg x0, v25
;;     v27 = getreg.i64 x30
;;     return v27
;; block7 @0x400024:
;;     jump block5
;; }

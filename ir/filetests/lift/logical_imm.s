; test: lift
; Wide constants (movz, movk, movn), logical immediates, tst and a shifted-register orr.
; checked: movz #0x1234, lsl 16 = 0x12340000; movk replaces bits 15:0; movn w1, #0 = 0xffffffff zero-extended;
;  the bitmask immediates are as written; orr rotates x2 right by 8; tst = ANDS to xzr with N = bit 63, Z =
;  result == 0, C = V = 0.
	.text
logic:
	movz	x0, #0x1234, lsl #16
	movk	x0, #0xabcd
	movn	w1, #0
	and	x2, x0, #0xff00ff00ff00ff00
	eor	w3, w1, #0x1
	orr	x4, x0, x2, ror #8
	tst	x4, #0x8000000000000000
	ret

;; function logical_imm @0x400000 {
;; block0 @0x400000:
;;     v0 = const.i64 0x12340000
;;     setreg x0, v0
;;     v2 = getreg.i64 x0
;;     v3 = const.i64 0xffffffffffff0000
;;     v4 = and.i64 v2, v3
;;     v5 = const.i64 0xabcd
;;     v6 = or.i64 v4, v5
;;     setreg x0, v6
;;     v8 = const.i32 0xffffffff
;;     v9 = uext.i64 v8
;;     setreg x1, v9
;;     v11 = getreg.i64 x0
;;     v12 = const.i64 0xff00ff00ff00ff00
;;     v13 = and.i64 v11, v12
;;     setreg x2, v13
;;     v15 = getreg.i64 x1
;;     v16 = trunc.i32 v15
;;     v17 = const.i32 0x1
;;     v18 = xor.i32 v16, v17
;;     v19 = uext.i64 v18
;;     setreg x3, v19
;;     v21 = getreg.i64 x0
;;     v22 = getreg.i64 x2
;;     v23 = const.i64 0x8
;;     v24 = rotr.i64 v22, v23
;;     v25 = or.i64 v21, v24
;;     setreg x4, v25
;;     v27 = getreg.i64 x4
;;     v28 = const.i64 0x8000000000000000
;;     v29 = and.i64 v27, v28
;;     v30 = const.i64 0x0
;;     v31 = icmp.slt.i1 v29, v30
;;     v32 = const.i64 0x0
;;     v33 = icmp.eq.i1 v29, v32
;;     v34 = const.i1 0x0
;;     setreg n, v31
;;     setreg z, v33
;;     setreg c, v34
;;     setreg v, v34
;;     v39 = getreg.i64 x30
;;     return v39
;; }

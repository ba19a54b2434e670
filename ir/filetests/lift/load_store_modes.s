; test: lift
; Loads and stores in each addressing mode: unsigned offset, pre-index, post-index, register
; offset (shifted, extended), unscaled, literal, and sign-extending loads.
; checked: unsigned offset x0+8; pre-index loads at x0+4, zero-extends w3, then writes x0 back; post-index
;  stores at x1, then x1 -= 8; register offset x5<<3 and sxtw(w6)<<1 (strh stores the low 16 bits); ldursb
;  sign-extends the byte at x0-1; ldrsw sign-extends; the literal is read at 0x400024.
	.text
ldst:
	ldr	x2, [x0, #8]
	ldr	w3, [x0, #4]!
	str	x2, [x1], #-8
	ldr	x4, [x0, x5, lsl #3]
	strh	w4, [x1, w6, sxtw #1]
	ldursb	x7, [x0, #-1]
	ldrsw	x8, [x0, #12]
	ldr	x9, .Lliteral
	ret
.Lliteral:
	.quad	0x1122334455667788

;; function load_store_modes @0x400000 {
;; block0 @0x400000:
;;     v0 = getreg.i64 x0
;;     v1 = const.i64 0x8
;;     v2 = add.i64 v0, v1
;;     v3 = load.i64 v2
;;     setreg x2, v3
;;     v5 = getreg.i64 x0
;;     v6 = const.i64 0x4
;;     v7 = add.i64 v5, v6
;;     v8 = load.i32 v7
;;     v9 = uext.i64 v8
;;     setreg x3, v9
;;     setreg x0, v7
;;     v12 = getreg.i64 x1
;;     v13 = const.i64 0xfffffffffffffff8
;;     v14 = add.i64 v12, v13
;;     v15 = getreg.i64 x2
;;     store v12, v15
;;     setreg x1, v14
;;     v18 = getreg.i64 x0
;;     v19 = getreg.i64 x5
;;     v20 = const.i64 0x3
;;     v21 = shl.i64 v19, v20
;;     v22 = add.i64 v18, v21
;;     v23 = load.i64 v22
;;     setreg x4, v23
;;     v25 = getreg.i64 x1
;;     v26 = getreg.i64 x6
;;     v27 = trunc.i32 v26
;;     v28 = sext.i64 v27
;;     v29 = const.i64 0x1
;;     v30 = shl.i64 v28, v29
;;     v31 = add.i64 v25, v30
;;     v32 = getreg.i64 x4
;;     v33 = trunc.i16 v32
;;     store v31, v33
;;     v35 = getreg.i64 x0
;;     v36 = const.i64 0xffffffffffffffff
;;     v37 = add.i64 v35, v36
;;     v38 = load.i8 v37
;;     v39 = sext.i64 v38
;;     setreg x7, v39
;;     v41 = getreg.i64 x0
;;     v42 = const.i64 0xc
;;     v43 = add.i64 v41, v42
;;     v44 = load.i32 v43
;;     v45 = sext.i64 v44
;;     setreg x8, v45
;;     v47 = const.i64 0x400024
;;     v48 = load.i64 v47
;;     setreg x9, v48
;;     v50 = getreg.i64 x30
;;     return v50
;; }

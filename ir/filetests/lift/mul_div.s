; test: lift
; Multiplies and divides: madd, msub, umulh, smull, udiv and sdiv (whose by-zero results are 0).
; checked: madd = x3 + x1*x2; msub (32-bit) = w3 - w1*w2, zero-extended; umulh = high half of the unsigned
;  128-bit product; smull = sext(w1)*sext(w2) + xzr; udiv and sdiv use the IR ops that give 0 on division by
;  zero (and MIN on MIN / -1), sdiv w8 zero-extended.
	.text
muldiv:
	madd	x0, x1, x2, x3
	msub	w4, w1, w2, w3
	umulh	x5, x1, x2
	smull	x6, w1, w2
	udiv	x7, x1, x2
	sdiv	w8, w1, w2
	ret

;; function mul_div @0x400000 {
;; block0 @0x400000:
;;     v0 = getreg.i64 x1
;;     v1 = getreg.i64 x2
;;     v2 = getreg.i64 x3
;;     v3 = mul.i64 v0, v1
;;     v4 = add.i64 v2, v3
;;     setreg x0, v4
;;     v6 = getreg.i64 x1
;;     v7 = trunc.i32 v6
;;     v8 = getreg.i64 x2
;;     v9 = trunc.i32 v8
;;     v10 = getreg.i64 x3
;;     v11 = trunc.i32 v10
;;     v12 = mul.i32 v7, v9
;;     v13 = sub.i32 v11, v12
;;     v14 = uext.i64 v13
;;     setreg x4, v14
;;     v16 = getreg.i64 x1
;;     v17 = getreg.i64 x2
;;     v18 = umulhi.i64 v16, v17
;;     setreg x5, v18
;;     v20 = getreg.i64 x1
;;     v21 = trunc.i32 v20
;;     v22 = getreg.i64 x2
;;     v23 = trunc.i32 v22
;;     v24 = sext.i64 v21
;;     v25 = sext.i64 v23
;;     v26 = const.i64 0x0
;;     v27 = mul.i64 v24, v25
;;     v28 = add.i64 v26, v27
;;     setreg x6, v28
;;     v30 = getreg.i64 x1
;;     v31 = getreg.i64 x2
;;     v32 = udiv.i64 v30, v31
;;     setreg x7, v32
;;     v34 = getreg.i64 x1
;;     v35 = trunc.i32 v34
;;     v36 = getreg.i64 x2
;;     v37 = trunc.i32 v36
;;     v38 = sdiv.i32 v35, v37
;;     v39 = uext.i64 v38
;;     setreg x8, v39
;;     v41 = getreg.i64 x30
;;     return v41
;; }

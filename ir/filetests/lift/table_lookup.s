; test: lift
; TBL and TBX through `swizzle`: a two-register TBL on 16 bytes, a one-register TBL on 8 bytes and
; a one-register TBX on 8 bytes.
; checked: by hand against the Arm ARM's TBL/TBX: table register r serves indices 16r..16r+15, so
;  the second register is swizzled by index - 16 (an index below 16 wraps to 240 or more, one of 32
;  or more stays at 16 or more: zero either way); the 8-byte forms widen the indices to 16 lanes,
;  swizzle, and keep the low 8; TBX keeps Vd's byte where the index is 16 or more.
	.text
tables:
	tbl	v0.16b, {v1.16b, v2.16b}, v3.16b
	tbl	v4.8b, {v5.16b}, v6.8b
	tbx	v7.8b, {v5.16b}, v6.8b
	ret

;; function table_lookup @0x400000 {
;; block0 @0x400000:
;;     v0 = getreg.i128 q3
;;     v1 = bitcast.i8x16 v0
;;     v2 = getreg.i128 q1
;;     v3 = bitcast.i8x16 v2
;;     v4 = swizzle.i8x16 v3, v1
;;     v5 = getreg.i128 q2
;;     v6 = bitcast.i8x16 v5
;;     v7 = const.i8x16 0x10101010101010101010101010101010
;;     v8 = sub.i8x16 v1, v7
;;     v9 = swizzle.i8x16 v6, v8
;;     v10 = or.i8x16 v4, v9
;;     v11 = bitcast.i128 v10
;;     setreg q0, v11
;;     v13 = getreg.i128 q6
;;     v14 = trunc.i64 v13
;;     v15 = bitcast.i8x8 v14
;;     v16 = shuffle.i8x16 [0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7] v15, v15
;;     v17 = getreg.i128 q5
;;     v18 = bitcast.i8x16 v17
;;     v19 = swizzle.i8x16 v18, v16
;;     v20 = shuffle.i8x8 [0 1 2 3 4 5 6 7] v19, v19
;;     v21 = bitcast.i64 v20
;;     v22 = uext.i128 v21
;;     setreg q4, v22
;;     v24 = getreg.i128 q6
;;     v25 = trunc.i64 v24
;;     v26 = bitcast.i8x8 v25
;;     v27 = shuffle.i8x16 [0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7] v26, v26
;;     v28 = getreg.i128 q5
;;     v29 = bitcast.i8x16 v28
;;     v30 = swizzle.i8x16 v29, v27
;;     v31 = shuffle.i8x8 [0 1 2 3 4 5 6 7] v30, v30
;;     v32 = const.i8x8 0x1010101010101010
;;     v33 = icmp.uge.i8x8 v26, v32
;;     v34 = getreg.i128 q7
;;     v35 = trunc.i64 v34
;;     v36 = bitcast.i8x8 v35
;;     v37 = and.i8x8 v33, v36
;;     v38 = or.i8x8 v31, v37
;;     v39 = bitcast.i64 v38
;;     v40 = uext.i128 v39
;;     setreg q7, v40
;;     v42 = getreg.i64 x30
;;     return v42
;; }

; test: lift
; Scalar floating point: double add and multiply, conversion to and from integers, a compare
; that sets the flags, and a single-precision move.
; checked: d and s registers are the low 64/32 bits of q, written back zero-extended to 128; fcvtzs rounds to
;  zero and saturates (NaN gives 0); scvtf w1 is signed to f32, nearest-even (FPCR = 0); fcmp flags: less
;  1000, equal 0110, greater 0010, unordered 0011 (N = olt, Z = oeq, C = !olt, V = uno).
	.text
fp:
	fadd	d0, d0, d1
	fmul	d2, d0, d1
	fcvtzs	x0, d2
	scvtf	s3, w1
	fcmp	d0, #0.0
	fmov	s4, s3
	ret

;; function fp_scalar @0x400000 {
;; block0 @0x400000:
;;     v0 = getreg.i128 q0
;;     v1 = trunc.i64 v0
;;     v2 = bitcast.f64 v1
;;     v3 = getreg.i128 q1
;;     v4 = trunc.i64 v3
;;     v5 = bitcast.f64 v4
;;     v6 = fadd.f64 v2, v5
;;     v7 = bitcast.i64 v6
;;     v8 = uext.i128 v7
;;     setreg q0, v8
;;     v10 = getreg.i128 q0
;;     v11 = trunc.i64 v10
;;     v12 = bitcast.f64 v11
;;     v13 = getreg.i128 q1
;;     v14 = trunc.i64 v13
;;     v15 = bitcast.f64 v14
;;     v16 = fmul.f64 v12, v15
;;     v17 = bitcast.i64 v16
;;     v18 = uext.i128 v17
;;     setreg q2, v18
;;     v20 = getreg.i128 q2
;;     v21 = trunc.i64 v20
;;     v22 = bitcast.f64 v21
;;     v23 = fp_to_int.s.zero.i64 v22
;;     setreg x0, v23
;;     v25 = getreg.i64 x1
;;     v26 = trunc.i32 v25
;;     v27 = stof.f32 v26
;;     v28 = bitcast.i32 v27
;;     v29 = uext.i128 v28
;;     setreg q3, v29
;;     v31 = getreg.i128 q0
;;     v32 = trunc.i64 v31
;;     v33 = bitcast.f64 v32
;;     v34 = const.f64 0x0
;;     v35 = fcmp.olt.i1 v33, v34
;;     v36 = fcmp.oeq.i1 v33, v34
;;     v37 = not.i1 v35
;;     v38 = fcmp.uno.i1 v33, v34
;;     setreg n, v35
;;     setreg z, v36
;;     setreg c, v37
;;     setreg v, v38
;;     v43 = getreg.i128 q3
;;     v44 = trunc.i32 v43
;;     v45 = bitcast.f32 v44
;;     v46 = bitcast.i32 v45
;;     v47 = uext.i128 v46
;;     setreg q4, v47
;;     v49 = getreg.i64 x30
;;     return v49
;; }

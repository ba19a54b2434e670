; test: lift
; Scalar floating point: double add and multiply, conversion to and from integers, a compare
; that sets the flags, and a single-precision move.
; checked: d and s registers are the low 64/32 bits of q, written back zero-extended to 128; fcvtzs rounds to
;  zero and saturates (NaN gives 0); scvtf w1 is signed to f32, nearest-even (FPCR = 0); fcmp flags: less
;  1000, equal 0110, greater 0010, unordered 0011 (N = olt, Z = oeq, C = !olt, V = uno); fcvtzs's
;  FPToFixed exceptions: IOC (0x1) unless the rounded value's magnitude bits are below 2^63 (0x43e0...)
;  or it is exactly -2^63 (0xc3e0...), so NaNs and infinities raise it; else IXC (0x10) when rounding
;  changed the bits.
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
;;     v23 = round_fp.zero.f64 v22
;;     v24 = bitcast.i64 v23
;;     v25 = const.i64 0x7fffffffffffffff
;;     v26 = and.i64 v24, v25
;;     v27 = const.i64 0x43e0000000000000
;;     v28 = icmp.ult.i1 v26, v27
;;     v29 = const.i64 0xc3e0000000000000
;;     v30 = icmp.eq.i1 v24, v29
;;     v31 = or.i1 v28, v30
;;     v32 = not.i1 v31
;;     v33 = getreg.i64 fpsr
;;     v34 = const.i64 0x1
;;     v35 = const.i64 0x0
;;     v36 = select.i64 v32, v34, v35
;;     v37 = or.i64 v33, v36
;;     setreg fpsr, v37
;;     v39 = bitcast.i64 v22
;;     v40 = const.i64 0x7ff0000000000000
;;     v41 = and.i64 v39, v40
;;     v42 = const.i64 0x0
;;     v43 = icmp.eq.i1 v41, v42
;;     v44 = sext.i64 v43
;;     v45 = getreg.i64 fpcr
;;     v46 = const.i64 0x1000000
;;     v47 = and.i64 v45, v46
;;     v48 = const.i64 0x0
;;     v49 = icmp.ne.i1 v47, v48
;;     v50 = const.i64 0xffffffffffffffff
;;     v51 = const.i64 0x0
;;     v52 = select.i64 v49, v50, v51
;;     v53 = and.i64 v44, v52
;;     v54 = const.i64 0x8000000000000000
;;     v55 = and.i64 v39, v54
;;     v56 = xor.i64 v55, v39
;;     v57 = and.i64 v56, v53
;;     v58 = xor.i64 v39, v57
;;     v59 = icmp.ne.i1 v24, v58
;;     v60 = and.i1 v31, v59
;;     v61 = getreg.i64 fpsr
;;     v62 = const.i64 0x10
;;     v63 = const.i64 0x0
;;     v64 = select.i64 v60, v62, v63
;;     v65 = or.i64 v61, v64
;;     setreg fpsr, v65
;;     v67 = fp_to_int.s.zero.i64 v22
;;     setreg x0, v67
;;     v69 = getreg.i64 x1
;;     v70 = trunc.i32 v69
;;     v71 = stof.f32 v70
;;     v72 = bitcast.i32 v71
;;     v73 = uext.i128 v72
;;     setreg q3, v73
;;     v75 = getreg.i128 q0
;;     v76 = trunc.i64 v75
;;     v77 = bitcast.f64 v76
;;     v78 = const.f64 0x0
;;     v79 = fcmp.olt.i1 v77, v78
;;     v80 = fcmp.oeq.i1 v77, v78
;;     v81 = not.i1 v79
;;     v82 = fcmp.uno.i1 v77, v78
;;     setreg n, v79
;;     setreg z, v80
;;     setreg c, v81
;;     setreg v, v82
;;     v87 = getreg.i128 q3
;;     v88 = trunc.i32 v87
;;     v89 = bitcast.f32 v88
;;     v90 = bitcast.i32 v89
;;     v91 = uext.i128 v90
;;     setreg q4, v91
;;     v93 = getreg.i64 x30
;;     return v93
;; }

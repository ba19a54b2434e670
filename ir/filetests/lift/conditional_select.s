; test: lift
; Conditional selects and a conditional compare: csel, csinc (cset), csneg, ccmp.
; checked: csel LT = N != V; cset w3, hi = csinc wzr, wzr, ls giving 1 exactly when HI; csneg GE = N == V
;  selecting -w1 otherwise; ccmp evaluates NE before comparing and takes NZCV = 0100 (Z only) when it fails;
;  csinc EQ uses the ccmp's Z and adds 1 to x3.
	.text
select:
	cmp	x0, x1
	csel	x2, x0, x1, lt
	cset	w3, hi
	csneg	w4, w0, w1, ge
	ccmp	x0, #5, #4, ne
	csinc	x0, x2, x3, eq
	ret

;; function conditional_select @0x400000 {
;; block0 @0x400000:
;;     v0 = getreg.i64 x0
;;     v1 = getreg.i64 x1
;;     v2 = sub.i64 v0, v1
;;     v3 = const.i64 0x0
;;     v4 = icmp.slt.i1 v2, v3
;;     v5 = icmp.eq.i1 v0, v1
;;     v6 = icmp.uge.i1 v0, v1
;;     v7 = xor.i64 v0, v1
;;     v8 = xor.i64 v0, v2
;;     v9 = and.i64 v7, v8
;;     v10 = const.i64 0x0
;;     v11 = icmp.slt.i1 v9, v10
;;     setreg n, v4
;;     setreg z, v5
;;     setreg c, v6
;;     setreg v, v11
;;     v16 = getreg.i64 x0
;;     v17 = getreg.i64 x1
;;     v18 = getreg.i1 n
;;     v19 = getreg.i1 v
;;     v20 = icmp.eq.i1 v18, v19
;;     v21 = not.i1 v20
;;     v22 = select.i64 v21, v16, v17
;;     setreg x2, v22
;;     v24 = const.i32 0x0
;;     v25 = const.i32 0x0
;;     v26 = const.i32 0x1
;;     v27 = add.i32 v25, v26
;;     v28 = getreg.i1 c
;;     v29 = getreg.i1 z
;;     v30 = not.i1 v29
;;     v31 = and.i1 v28, v30
;;     v32 = not.i1 v31
;;     v33 = select.i32 v32, v24, v27
;;     v34 = uext.i64 v33
;;     setreg x3, v34
;;     v36 = getreg.i64 x0
;;     v37 = trunc.i32 v36
;;     v38 = getreg.i64 x1
;;     v39 = trunc.i32 v38
;;     v40 = neg.i32 v39
;;     v41 = getreg.i1 n
;;     v42 = getreg.i1 v
;;     v43 = icmp.eq.i1 v41, v42
;;     v44 = select.i32 v43, v37, v40
;;     v45 = uext.i64 v44
;;     setreg x4, v45
;;     v47 = getreg.i64 x0
;;     v48 = const.i64 0x5
;;     v49 = getreg.i1 z
;;     v50 = not.i1 v49
;;     v51 = sub.i64 v47, v48
;;     v52 = const.i64 0x0
;;     v53 = icmp.slt.i1 v51, v52
;;     v54 = icmp.eq.i1 v47, v48
;;     v55 = icmp.uge.i1 v47, v48
;;     v56 = xor.i64 v47, v48
;;     v57 = xor.i64 v47, v51
;;     v58 = and.i64 v56, v57
;;     v59 = const.i64 0x0
;;     v60 = icmp.slt.i1 v58, v59
;;     setreg n, v53
;;     setreg z, v54
;;     setreg c, v55
;;     setreg v, v60
;;     v65 = getreg.i1 n
;;     v66 = const.i1 0x0
;;     v67 = select.i1 v50, v65, v66
;;     setreg n, v67
;;     v69 = getreg.i1 z
;;     v70 = const.i1 0x1
;;     v71 = select.i1 v50, v69, v70
;;     setreg z, v71
;;     v73 = getreg.i1 c
;;     v74 = const.i1 0x0
;;     v75 = select.i1 v50, v73, v74
;;     setreg c, v75
;;     v77 = getreg.i1 v
;;     v78 = const.i1 0x0
;;     v79 = select.i1 v50, v77, v78
;;     setreg v, v79
;;     v81 = getreg.i64 x2
;;     v82 = getreg.i64 x3
;;     v83 = const.i64 0x1
;;     v84 = add.i64 v82, v83
;;     v85 = getreg.i1 z
;;     v86 = select.i64 v85, v81, v84
;;     setreg x0, v86
;;     v88 = getreg.i64 x30
;;     return v88
;; }

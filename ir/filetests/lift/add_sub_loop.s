; test: lift
; Sums x1 counting down from x0, with flag-setting arithmetic and a conditional branch back.
; checked: ADDS: C = result <u x, V = x and y share a sign the result lacks; SUBS (32-bit): Z = x == y, C = x
;  >=u y (no borrow), V = (x^y)&(x^r) <s 0, w0 zero-extended; b.ne = !Z back to the loop; cmn = ADDS to xzr
;  (flags only); mov = orr from xzr.
	.text
sum:
	mov	x1, xzr
.Lloop:
	adds	x1, x1, x0
	subs	w0, w0, #1
	b.ne	.Lloop
	cmn	x1, #4
	ret

;; function add_sub_loop @0x400000 {
;; block0 @0x400000:
;;     v0 = const.i64 0x0
;;     v1 = const.i64 0x0
;;     v2 = or.i64 v0, v1
;;     setreg x1, v2
;;     jump block1
;; block1 @0x400004:
;;     v4 = getreg.i64 x1
;;     v5 = getreg.i64 x0
;;     v6 = add.i64 v4, v5
;;     v7 = const.i64 0x0
;;     v8 = icmp.slt.i1 v6, v7
;;     v9 = const.i64 0x0
;;     v10 = icmp.eq.i1 v6, v9
;;     v11 = icmp.ult.i1 v6, v4
;;     v12 = xor.i64 v4, v6
;;     v13 = xor.i64 v5, v6
;;     v14 = and.i64 v12, v13
;;     v15 = const.i64 0x0
;;     v16 = icmp.slt.i1 v14, v15
;;     setreg n, v8
;;     setreg z, v10
;;     setreg c, v11
;;     setreg v, v16
;;     setreg x1, v6
;;     v22 = getreg.i64 x0
;;     v23 = trunc.i32 v22
;;     v24 = const.i32 0x1
;;     v25 = sub.i32 v23, v24
;;     v26 = const.i32 0x0
;;     v27 = icmp.slt.i1 v25, v26
;;     v28 = icmp.eq.i1 v23, v24
;;     v29 = icmp.uge.i1 v23, v24
;;     v30 = xor.i32 v23, v24
;;     v31 = xor.i32 v23, v25
;;     v32 = and.i32 v30, v31
;;     v33 = const.i32 0x0
;;     v34 = icmp.slt.i1 v32, v33
;;     setreg n, v27
;;     setreg z, v28
;;     setreg c, v29
;;     setreg v, v34
;;     v39 = uext.i64 v25
;;     setreg x0, v39
;;     v41 = getreg.i1 z
;;     v42 = not.i1 v41
;;     branch v42, block1, block2
;; block2 @0x400010:
;;     v43 = getreg.i64 x1
;;     v44 = const.i64 0x4
;;     v45 = add.i64 v43, v44
;;     v46 = const.i64 0x0
;;     v47 = icmp.slt.i1 v45, v46
;;     v48 = const.i64 0x0
;;     v49 = icmp.eq.i1 v45, v48
;;     v50 = icmp.ult.i1 v45, v43
;;     v51 = xor.i64 v43, v45
;;     v52 = xor.i64 v44, v45
;;     v53 = and.i64 v51, v52
;;     v54 = const.i64 0x0
;;     v55 = icmp.slt.i1 v53, v54
;;     setreg n, v47
;;     setreg z, v49
;;     setreg c, v50
;;     setreg v, v55
;;     v60 = getreg.i64 x30
;;     return v60
;; }

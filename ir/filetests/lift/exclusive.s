; test: lift
; An atomic increment as a load-acquire-exclusive / store-release-exclusive retry loop.
; checked: ldaxr loads, arms the monitor (address, value; high half zero) and fences after the load (acquire);
;  stlxr stores through a cmpxchg (sequentially consistent, so release holds) against the value the monitor
;  saw, only when the monitored address matches, writes w2 = 0 on success and 1 on failure, and clears the
;  monitor; cbnz w2 retries.
	.text
atomic_inc:
.Lretry:
	ldaxr	x1, [x0]
	add	x1, x1, #1
	stlxr	w2, x1, [x0]
	cbnz	w2, .Lretry
	mov	x0, x1
	ret

;; function exclusive @0x400000 {
;; block0 @0x400000:
;;     v0 = getreg.i64 x0
;;     v1 = load.i64 v0
;;     setreg excl_addr, v0
;;     v3 = uext.i128 v1
;;     v4 = trunc.i64 v3
;;     setreg excl_val, v4
;;     v6 = const.i128 0x40
;;     v7 = lshr.i128 v3, v6
;;     v8 = trunc.i64 v7
;;     setreg excl_val_hi, v8
;;     setreg x1, v1
;;     fence
;;     v12 = getreg.i64 x1
;;     v13 = const.i64 0x1
;;     v14 = add.i64 v12, v13
;;     setreg x1, v14
;;     v16 = getreg.i64 x0
;;     v17 = getreg.i64 x1
;;     v18 = getreg.i64 excl_val
;;     v19 = getreg.i64 excl_val_hi
;;     v20 = uext.i128 v18
;;     v21 = uext.i128 v19
;;     v22 = const.i128 0x40
;;     v23 = shl.i128 v21, v22
;;     v24 = or.i128 v20, v23
;;     v25 = trunc.i64 v24
;;     v26 = getreg.i64 excl_addr
;;     v27 = icmp.eq.i1 v26, v16
;;     v28 = select.i64 v27, v17, v25
;;     v29 = cmpxchg.i64 v16, v25, v28
;;     v30 = icmp.eq.i1 v29, v25
;;     v31 = and.i1 v27, v30
;;     v32 = not.i1 v31
;;     v33 = uext.i32 v32
;;     v34 = uext.i64 v33
;;     setreg x2, v34
;;     v36 = const.i64 0xffffffffffffffff
;;     setreg excl_addr, v36
;;     v38 = getreg.i64 x2
;;     v39 = trunc.i32 v38
;;     v40 = const.i32 0x0
;;     v41 = icmp.ne.i1 v39, v40
;;     branch v41, block0, block1
;; block1 @0x400010:
;;     v42 = const.i64 0x0
;;     v43 = getreg.i64 x1
;;     v44 = or.i64 v42, v43
;;     setreg x0, v44
;;     v46 = getreg.i64 x30
;;     return v46
;; }

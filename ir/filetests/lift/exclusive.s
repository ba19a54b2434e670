; test: lift
; An atomic increment as a load-acquire-exclusive / store-release-exclusive retry loop.
; checked: ldaxr first traps (misaligned, its pc and word) when x0 is not 8-byte aligned, then loads, arms
;  the monitor (address, value; high half zero) and fences after the load (acquire); stlxr, only when the
;  monitored address matches and is aligned, stores through a cmpxchg (sequentially consistent, so release
;  holds) against the value the monitor saw and writes w2 = 0 on success and 1 on failure, otherwise writes
;  w2 = 1 without touching memory; either way it clears the monitor; cbnz w2 retries.
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
;;     v1 = const.i64 0x7
;;     v2 = and.i64 v0, v1
;;     v3 = const.i64 0x0
;;     v4 = icmp.ne.i1 v2, v3
;;     branch v4, block2, block3
;; block1 @0x400010:
;;     v54 = const.i64 0x0
;;     v55 = getreg.i64 x1
;;     v56 = or.i64 v54, v55
;;     setreg x0, v56
;;     v58 = getreg.i64 x30
;;     return v58
;; block2:
;;     trap.misaligned 0x400000, 0xc85ffc01
;; block3:
;;     v5 = getreg.i64 x0
;;     v6 = load.i64 v5
;;     setreg excl_addr, v5
;;     v8 = uext.i128 v6
;;     v9 = trunc.i64 v8
;;     setreg excl_val, v9
;;     v11 = const.i128 0x40
;;     v12 = lshr.i128 v8, v11
;;     v13 = trunc.i64 v12
;;     setreg excl_val_hi, v13
;;     setreg x1, v6
;;     fence
;;     v17 = getreg.i64 x1
;;     v18 = const.i64 0x1
;;     v19 = add.i64 v17, v18
;;     setreg x1, v19
;;     v21 = getreg.i64 x0
;;     v22 = getreg.i64 excl_addr
;;     v23 = icmp.eq.i1 v22, v21
;;     v24 = const.i64 0x7
;;     v25 = and.i64 v21, v24
;;     v26 = const.i64 0x0
;;     v27 = icmp.ne.i1 v25, v26
;;     v28 = not.i1 v27
;;     v29 = and.i1 v23, v28
;;     branch v29, block4, block5
;; block4:
;;     v30 = getreg.i64 x0
;;     v31 = getreg.i64 x1
;;     v32 = getreg.i64 excl_val
;;     v33 = getreg.i64 excl_val_hi
;;     v34 = uext.i128 v32
;;     v35 = uext.i128 v33
;;     v36 = const.i128 0x40
;;     v37 = shl.i128 v35, v36
;;     v38 = or.i128 v34, v37
;;     v39 = trunc.i64 v38
;;     v40 = cmpxchg.i64 v30, v39, v31
;;     v41 = icmp.ne.i1 v40, v39
;;     v42 = uext.i32 v41
;;     v43 = uext.i64 v42
;;     setreg x2, v43
;;     jump block6
;; block5:
;;     v45 = const.i32 0x1
;;     v46 = uext.i64 v45
;;     setreg x2, v46
;;     jump block6
;; block6:
;;     v48 = const.i64 0xffffffffffffffff
;;     setreg excl_addr, v48
;;     v50 = getreg.i64 x2
;;     v51 = trunc.i32 v50
;;     v52 = const.i32 0x0
;;     v53 = icmp.ne.i1 v51, v52
;;     branch v53, block0, block1
;; }

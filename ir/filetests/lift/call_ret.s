; test: lift
; A frame push, a direct call and a return through the restored link register.
; checked: stp pre-index stores x29 at sp-16 and x30 at sp-8, then writes sp back; mov x29, sp = add #0 reads
;  the new sp; bl sets x30 = 0x40000c and calls 0x400018 with a resume point at the return site; ldp
;  post-index loads from the old sp, then sp += 16; ret returns to x30 as loaded.
	.text
caller:
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	bl	callee
	add	x0, x0, #1
	ldp	x29, x30, [sp], #16
	ret
callee:
	ret

;; function call_ret @0x400000 {
;;     resume 0x40000c block1
;; block0 @0x400000:
;;     v0 = getreg.i64 sp
;;     v1 = const.i64 0xfffffffffffffff0
;;     v2 = add.i64 v0, v1
;;     v3 = const.i64 0x8
;;     v4 = add.i64 v2, v3
;;     v5 = getreg.i64 x29
;;     store v2, v5
;;     v7 = getreg.i64 x30
;;     store v4, v7
;;     setreg sp, v2
;;     v10 = getreg.i64 sp
;;     v11 = const.i64 0x0
;;     v12 = add.i64 v10, v11
;;     setreg x29, v12
;;     v14 = const.i64 0x40000c
;;     setreg x30, v14
;;     call_guest 0x400018, ret 0x40000c, block1
;; block1 @0x40000c:
;;     v16 = getreg.i64 x0
;;     v17 = const.i64 0x1
;;     v18 = add.i64 v16, v17
;;     setreg x0, v18
;;     v20 = getreg.i64 sp
;;     v21 = const.i64 0x10
;;     v22 = add.i64 v20, v21
;;     v23 = const.i64 0x8
;;     v24 = add.i64 v20, v23
;;     v25 = load.i64 v20
;;     setreg x29, v25
;;     v27 = load.i64 v24
;;     setreg x30, v27
;;     setreg sp, v22
;;     v30 = getreg.i64 x30
;;     return v30
;; }

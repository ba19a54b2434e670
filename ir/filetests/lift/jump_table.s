; test: lift
; A dense switch as gcc emits it: bounds check, byte table in .rodata, adr base, scaled add, br.
; checked: cmp/b.hi: HI = C && !Z to the default; adrp gives page 0x500000 (.rodata), ldrb zero-extends the
;  byte at x1 + uxtw(w0), adr gives 0x400020, add scales sxtb(w1) by 4; the four table targets
;  0x400020/28/30/38 appear as blocks 2-5 (reached only through the recovered table).
	.text
switch:
	cmp	w0, 3
	b.hi	.Ldefault
	adrp	x1, .Ltable
	add	x1, x1, :lo12:.Ltable
	ldrb	w1, [x1, w0, uxtw]
	adr	x2, .Lcase0
	add	x1, x2, w1, sxtb #2
	br	x1
.Lcase0:
	mov	w0, 10
	ret
.Lcase1:
	mov	w0, 20
	ret
.Lcase2:
	mov	w0, 30
	ret
.Lcase3:
	mov	w0, 40
	ret
.Ldefault:
	mov	w0, 0
	ret
	.section .rodata
.Ltable:
	.byte	(.Lcase0 - .Lcase0) / 4
	.byte	(.Lcase1 - .Lcase0) / 4
	.byte	(.Lcase2 - .Lcase0) / 4
	.byte	(.Lcase3 - .Lcase0) / 4

;; function jump_table @0x400000 {
;;     targets block1 0x400020, 0x400028, 0x400030, 0x400038
;; block0 @0x400000:
;;     v0 = getreg.i64 x0
;;     v1 = trunc.i32 v0
;;     v2 = const.i32 0x3
;;     v3 = sub.i32 v1, v2
;;     v4 = const.i32 0x0
;;     v5 = icmp.slt.i1 v3, v4
;;     v6 = icmp.eq.i1 v1, v2
;;     v7 = icmp.uge.i1 v1, v2
;;     v8 = xor.i32 v1, v2
;;     v9 = xor.i32 v1, v3
;;     v10 = and.i32 v8, v9
;;     v11 = const.i32 0x0
;;     v12 = icmp.slt.i1 v10, v11
;;     setreg n, v5
;;     setreg z, v6
;;     setreg c, v7
;;     setreg v, v12
;;     v17 = getreg.i1 c
;;     v18 = getreg.i1 z
;;     v19 = not.i1 v18
;;     v20 = and.i1 v17, v19
;;     branch v20, block6, block1
;; block1 @0x400008:
;;     v21 = const.i64 0x500000
;;     setreg x1, v21
;;     v23 = getreg.i64 x1
;;     v24 = const.i64 0x0
;;     v25 = add.i64 v23, v24
;;     setreg x1, v25
;;     v27 = getreg.i64 x1
;;     v28 = getreg.i64 x0
;;     v29 = trunc.i32 v28
;;     v30 = uext.i64 v29
;;     v31 = add.i64 v27, v30
;;     v32 = load.i8 v31
;;     v33 = uext.i64 v32
;;     setreg x1, v33
;;     v35 = const.i64 0x400020
;;     setreg x2, v35
;;     v37 = getreg.i64 x2
;;     v38 = getreg.i64 x1
;;     v39 = trunc.i32 v38
;;     v40 = trunc.i8 v39
;;     v41 = sext.i64 v40
;;     v42 = const.i64 0x2
;;     v43 = shl.i64 v41, v42
;;     v44 = add.i64 v37, v43
;;     setreg x1, v44
;;     v46 = getreg.i64 x1
;;     jump_indirect v46
;; block2 @0x400020:
;;     v47 = const.i32 0xa
;;     v48 = uext.i64 v47
;;     setreg x0, v48
;;     v50 = getreg.i64 x30
;;     return v50
;; block3 @0x400028:
;;     v51 = const.i32 0x14
;;     v52 = uext.i64 v51
;;     setreg x0, v52
;;     v54 = getreg.i64 x30
;;     return v54
;; block4 @0x400030:
;;     v55 = const.i32 0x1e
;;     v56 = uext.i64 v55
;;     setreg x0, v56
;;     v58 = getreg.i64 x30
;;     return v58
;; block5 @0x400038:
;;     v59 = const.i32 0x28
;;     v60 = uext.i64 v59
;;     setreg x0, v60
;;     v62 = getreg.i64 x30
;;     return v62
;; block6 @0x400040:
;;     v63 = const.i32 0x0
;;     v64 = uext.i64 v63
;;     setreg x0, v64
;;     v66 = getreg.i64 x30
;;     return v66
;; }

; test: lift
; Bitfield moves: ubfx, sbfiz, bfi (32- and 64-bit forms).
; checked: DecodeBitMasks by hand: ubfx #4,#8 has wmask 0xf0000000000000ff, tmask 0xff on zero dst; sbfiz
;  (32-bit, immr 29, imms 4) has wmask 0xf8, tmask 0xff, top = bit 4 replicated; bfi (immr 48, imms 11) has
;  wmask 0xfff0000, tmask 0xfffffff and keeps the rest of x3.
	.text
bits:
	ubfx	x1, x0, #4, #8
	sbfiz	w2, w0, #3, #5
	bfi	x3, x0, #16, #12
	ret

;; function bitfield @0x400000 {
;; block0 @0x400000:
;;     v0 = getreg.i64 x0
;;     v1 = const.i64 0x0
;;     v2 = const.i64 0x4
;;     v3 = rotr.i64 v0, v2
;;     v4 = const.i64 0xfffffffffffff00
;;     v5 = and.i64 v1, v4
;;     v6 = const.i64 0xf0000000000000ff
;;     v7 = and.i64 v3, v6
;;     v8 = or.i64 v5, v7
;;     v9 = const.i64 0xffffffffffffff00
;;     v10 = and.i64 v1, v9
;;     v11 = const.i64 0xff
;;     v12 = and.i64 v8, v11
;;     v13 = or.i64 v10, v12
;;     setreg x1, v13
;;     v15 = getreg.i64 x0
;;     v16 = trunc.i32 v15
;;     v17 = const.i32 0x0
;;     v18 = const.i32 0x1d
;;     v19 = rotr.i32 v16, v18
;;     v20 = const.i32 0xffffff07
;;     v21 = and.i32 v17, v20
;;     v22 = const.i32 0xf8
;;     v23 = and.i32 v19, v22
;;     v24 = or.i32 v21, v23
;;     v25 = const.i32 0x1b
;;     v26 = shl.i32 v16, v25
;;     v27 = const.i32 0x1f
;;     v28 = ashr.i32 v26, v27
;;     v29 = const.i32 0xffffff00
;;     v30 = and.i32 v28, v29
;;     v31 = const.i32 0xff
;;     v32 = and.i32 v24, v31
;;     v33 = or.i32 v30, v32
;;     v34 = uext.i64 v33
;;     setreg x2, v34
;;     v36 = getreg.i64 x0
;;     v37 = getreg.i64 x3
;;     v38 = const.i64 0x30
;;     v39 = rotr.i64 v36, v38
;;     v40 = const.i64 0xfffffffff000ffff
;;     v41 = and.i64 v37, v40
;;     v42 = const.i64 0xfff0000
;;     v43 = and.i64 v39, v42
;;     v44 = or.i64 v41, v43
;;     v45 = const.i64 0xfffffffff0000000
;;     v46 = and.i64 v37, v45
;;     v47 = const.i64 0xfffffff
;;     v48 = and.i64 v44, v47
;;     v49 = or.i64 v46, v48
;;     setreg x3, v49
;;     v51 = getreg.i64 x30
;;     return v51
;; }

; test: lift
; Bitfield moves: ubfx, sbfiz, bfi (32- and 64-bit forms).
; checked: by hand against the Arm ARM's SBFM/UBFM: ubfx #4,#8 is UBFM immr 4, imms 11, so bits 11..4 are
;  shifted up by 63-11 = 52 and logically down by 52+4 = 56; sbfiz (32-bit, immr 29, imms 4) takes bits 4..0,
;  shifted up by 27 and arithmetically down by 27 (sign-extended), then up by 32-29 = 3; bfi (BFM, immr 48,
;  imms 11) uses DecodeBitMasks: wmask 0xfff0000, tmask 0xfffffff, and keeps the rest of x3.
	.text
bits:
	ubfx	x1, x0, #4, #8
	sbfiz	w2, w0, #3, #5
	bfi	x3, x0, #16, #12
	ret

;; function bitfield @0x400000 {
;; block0 @0x400000:
;;     v0 = getreg.i64 x0
;;     v1 = const.i64 0x34
;;     v2 = shl.i64 v0, v1
;;     v3 = const.i64 0x38
;;     v4 = lshr.i64 v2, v3
;;     setreg x1, v4
;;     v6 = getreg.i64 x0
;;     v7 = trunc.i32 v6
;;     v8 = const.i32 0x1b
;;     v9 = shl.i32 v7, v8
;;     v10 = const.i32 0x1b
;;     v11 = ashr.i32 v9, v10
;;     v12 = const.i32 0x3
;;     v13 = shl.i32 v11, v12
;;     v14 = uext.i64 v13
;;     setreg x2, v14
;;     v16 = getreg.i64 x0
;;     v17 = getreg.i64 x3
;;     v18 = const.i64 0x30
;;     v19 = rotr.i64 v16, v18
;;     v20 = const.i64 0xfffffffff000ffff
;;     v21 = and.i64 v17, v20
;;     v22 = const.i64 0xfff0000
;;     v23 = and.i64 v19, v22
;;     v24 = or.i64 v21, v23
;;     v25 = const.i64 0xfffffffff0000000
;;     v26 = and.i64 v17, v25
;;     v27 = const.i64 0xfffffff
;;     v28 = and.i64 v24, v27
;;     v29 = or.i64 v26, v28
;;     setreg x3, v29
;;     v31 = getreg.i64 x30
;;     return v31
;; }

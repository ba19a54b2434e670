; test: lift
; An instruction vmtrans does not implement yet (sm4e, FEAT_SM4) after one it does, and an SVE one
; (this guest's CPU has no SVE, so it is unallocated): each ends its block in a trap.
; checked: the add before sm4e stays (it runs before the trap), sm4e becomes trap.unsupported with its
;  word 0xcec08420 at 0x400008, and SVE's ptrue (0x2518e3e0) becomes trap.undefined at 0x400010.
	.arch armv8.2-a+sve+sm4
	.text
unsupported:
	cbz	x0, .Lsve
	add	x1, x1, #1
	sm4e	v0.4s, v1.4s
	ret
.Lsve:
	ptrue	p0.b

;; function unsupported @0x400000 {
;; block0 @0x400000:
;;     v0 = getreg.i64 x0
;;     v1 = const.i64 0x0
;;     v2 = icmp.eq.i1 v0, v1
;;     branch v2, block2, block1
;; block1 @0x400004:
;;     v3 = getreg.i64 x1
;;     v4 = const.i64 0x1
;;     v5 = add.i64 v3, v4
;;     setreg x1, v5
;;     trap.unsupported 0x400008, 0xcec08420
;; block2 @0x400010:
;;     trap.undefined 0x400010, 0x2518e3e0
;; }

; test: lift
; A permanently undefined instruction (udf) and a branch to it over a breakpoint (brk).
; checked: cbz takes the udf when x0 == 0; brk #0x3e8 traps as a breakpoint with word 0xd4207d00 (0xd4200000 |
;  imm16 << 5); udf #7 is the undefined word 0x00000007; nothing follows a trap, but the instruction after
;  a brk is a resume point (0x400008), where a SIGTRAP handler that steps over the brk goes on.
	.text
trap:
	cbz	x0, .Lundefined
	brk	#0x3e8
.Lundefined:
	udf	#7

;; function trap @0x400000 {
;;     resume 0x400008 block2
;; block0 @0x400000:
;;     v0 = getreg.i64 x0
;;     v1 = const.i64 0x0
;;     v2 = icmp.eq.i1 v0, v1
;;     branch v2, block2, block1
;; block1 @0x400004:
;;     trap.breakpoint 0x400004, 0xd4207d00
;; block2 @0x400008:
;;     trap.undefined 0x400008, 0x00000007
;; }

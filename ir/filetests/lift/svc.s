; test: lift
; A system call (exit_group) followed by code that runs if it returns.
; checked: x8 = 94 (0x5e); the syscall names the svc's own address 0x400004 and goes on at 0x400008, which is
;  also a resume point; the svc immediate is ignored, as Linux does.
	.text
exit:
	mov	x8, #94
	svc	#0
	ret

;; function svc @0x400000 {
;;     resume 0x400008 block1
;; block0 @0x400000:
;;     v0 = const.i64 0x5e
;;     setreg x8, v0
;;     syscall 0x400004, block1
;; block1 @0x400008:
;;     v2 = getreg.i64 x30
;;     return v2
;; }

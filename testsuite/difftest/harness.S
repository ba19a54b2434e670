// The fixed part of the difftest oracle harness: a static AArch64 Linux program, run under
// qemu-aarch64, that runs many test cases back to back. The test driver appends one slot per
// case (section .cases) and links the program with .cases and .window at fixed addresses.
//
// Protocol. Standard input: an 8-byte little-endian index of the first case to run, then for
// each case a 800-byte initial state block and the 4096-byte memory window. For every case
// run, standard output receives the 800-byte final state block and the 4096-byte window.
// The program exits with status 0 at the end of input.
//
// State block (little-endian): x0..x30 at 0 (8 bytes each), sp at 248, NZCV at 256 (the
// register's value, flags in bits 31..28), FPCR at 264, FPSR at 272, 8 bytes padding,
// v0..v31 at 288 (16 bytes each).
//
// Register convention: no register is reserved. The harness enters a case with every
// general register, sp, NZCV, FPCR, FPSR and v0..v31 loaded from the state block, and the
// case's last instruction is followed by `b case_done`, which saves x0 in TPIDR_EL0 to free
// a base register. Generated code must therefore not use TPIDR_EL0, must not branch outside
// its own code, and must keep memory accesses inside the window. The harness itself never
// uses the stack, so the case may leave sp anywhere.

        .equ STATE_SIZE, 800
        .equ WINDOW_SIZE, 4096

        .text
        .global _start
_start:
        adrp    x1, cur_case
        add     x1, x1, :lo12:cur_case
        mov     x2, #8
        bl      read_full
        cmp     x0, #8
        b.ne    done

next_case:
        adrp    x19, state_in
        add     x19, x19, :lo12:state_in
        mov     x1, x19
        mov     x2, #STATE_SIZE
        bl      read_full
        cmp     x0, #STATE_SIZE
        b.ne    done
        adrp    x1, window
        add     x1, x1, :lo12:window
        mov     x2, #WINDOW_SIZE
        bl      read_full
        cmp     x0, #WINDOW_SIZE
        b.ne    done

        adrp    x9, cur_case
        ldr     x10, [x9, :lo12:cur_case]
        adrp    x11, case_slots
        add     x11, x11, :lo12:case_slots
        add     x9, x11, x10, lsl #8

        ldr     x1, [x19, #248]
        mov     sp, x1
        ldr     x1, [x19, #264]
        msr     fpcr, x1
        ldr     x1, [x19, #272]
        msr     fpsr, x1
        ldp     q0, q1, [x19, #288]
        ldp     q2, q3, [x19, #320]
        ldp     q4, q5, [x19, #352]
        ldp     q6, q7, [x19, #384]
        ldp     q8, q9, [x19, #416]
        ldp     q10, q11, [x19, #448]
        ldp     q12, q13, [x19, #480]
        ldp     q14, q15, [x19, #512]
        ldp     q16, q17, [x19, #544]
        ldp     q18, q19, [x19, #576]
        ldp     q20, q21, [x19, #608]
        ldp     q22, q23, [x19, #640]
        ldp     q24, q25, [x19, #672]
        ldp     q26, q27, [x19, #704]
        ldp     q28, q29, [x19, #736]
        ldp     q30, q31, [x19, #768]
        ldr     x1, [x19, #256]
        msr     nzcv, x1
        br      x9

        .global case_done
case_done:
        msr     tpidr_el0, x0
        adrp    x0, state_out
        add     x0, x0, :lo12:state_out
        stp     x1, x2, [x0, #8]
        stp     x3, x4, [x0, #24]
        stp     x5, x6, [x0, #40]
        stp     x7, x8, [x0, #56]
        stp     x9, x10, [x0, #72]
        stp     x11, x12, [x0, #88]
        stp     x13, x14, [x0, #104]
        stp     x15, x16, [x0, #120]
        stp     x17, x18, [x0, #136]
        stp     x19, x20, [x0, #152]
        stp     x21, x22, [x0, #168]
        stp     x23, x24, [x0, #184]
        stp     x25, x26, [x0, #200]
        stp     x27, x28, [x0, #216]
        stp     x29, x30, [x0, #232]
        mrs     x1, tpidr_el0
        str     x1, [x0]
        mov     x1, sp
        str     x1, [x0, #248]
        mrs     x1, nzcv
        str     x1, [x0, #256]
        mrs     x1, fpcr
        str     x1, [x0, #264]
        mrs     x1, fpsr
        str     x1, [x0, #272]
        stp     q0, q1, [x0, #288]
        stp     q2, q3, [x0, #320]
        stp     q4, q5, [x0, #352]
        stp     q6, q7, [x0, #384]
        stp     q8, q9, [x0, #416]
        stp     q10, q11, [x0, #448]
        stp     q12, q13, [x0, #480]
        stp     q14, q15, [x0, #512]
        stp     q16, q17, [x0, #544]
        stp     q18, q19, [x0, #576]
        stp     q20, q21, [x0, #608]
        stp     q22, q23, [x0, #640]
        stp     q24, q25, [x0, #672]
        stp     q26, q27, [x0, #704]
        stp     q28, q29, [x0, #736]
        stp     q30, q31, [x0, #768]
        // The case may have changed FPCR; the next case sets its own, and the harness uses no FP.
        mov     x1, x0
        mov     x2, #STATE_SIZE
        bl      write_full
        adrp    x1, window
        add     x1, x1, :lo12:window
        mov     x2, #WINDOW_SIZE
        bl      write_full
        adrp    x9, cur_case
        ldr     x10, [x9, :lo12:cur_case]
        add     x10, x10, #1
        str     x10, [x9, :lo12:cur_case]
        b       next_case

done:
        mov     x0, #0
        mov     x8, #93
        svc     #0

// read_full(x1 = buffer, x2 = length) -> x0 = bytes read (less at end of input).
// Clobbers x0..x8 and x20..x22.
read_full:
        mov     x20, x1
        mov     x21, x2
        mov     x22, #0
1:      cmp     x22, x21
        b.hs    2f
        mov     x0, #0
        add     x1, x20, x22
        sub     x2, x21, x22
        mov     x8, #63
        svc     #0
        cmp     x0, #0
        b.le    2f
        add     x22, x22, x0
        b       1b
2:      mov     x0, x22
        ret

// write_full(x1 = buffer, x2 = length): writes it all to standard output, or exits with
// status 2 when the output is closed. Clobbers x0..x8 and x20..x22.
write_full:
        mov     x20, x1
        mov     x21, x2
        mov     x22, #0
1:      cmp     x22, x21
        b.hs    2f
        mov     x0, #1
        add     x1, x20, x22
        sub     x2, x21, x22
        mov     x8, #64
        svc     #0
        cmp     x0, #0
        b.le    3f
        add     x22, x22, x0
        b       1b
2:      ret
3:      mov     x0, #2
        mov     x8, #93
        svc     #0

        .bss
        .balign 16
cur_case:
        .skip   8
        .balign 16
state_in:
        .skip   STATE_SIZE
        .balign 16
state_out:
        .skip   STATE_SIZE

        .section .window, "aw", %nobits
        .balign 4096
window:
        .skip   WINDOW_SIZE

// Case slots follow (appended by the driver): slot i starts at case_slots + 256 * i with an
// 18-instruction prologue that loads x1..x30 and then x0 from the state block, then the
// case's instructions, then `b case_done`.
        .section .cases, "ax"
        .balign 256
case_slots:

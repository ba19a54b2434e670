//! The two places where the runtime's C convention meets the convention of translated code: the
//! trampoline through which the runtime enters a translated function, and `vmtrans_dispatch`,
//! which translated code calls (or jumps to) for a guest address it cannot reach directly.
//!
//! Translated functions use LLVM's `x86_regcallcc` (translator/src/llvm/types.rs, `guest_fn`):
//! eleven 64-bit arguments in rax, rcx, rdx, rdi, rsi, r8, r9, r12, r13, r14 and r15 (the state,
//! the pc, then `PASSED_IN_REGISTERS` in order), and a result of eleven fields in the same
//! registers (the pc in rcx, and each register of `RETURNED_IN_REGISTERS` in its argument's
//! register). Translated functions keep no host register for their callers (LLVM's
//! `no_callee_saved_registers`). Rust cannot call or define such functions, so these trampolines
//! move the passed registers between the host registers and the state, which is exact on the
//! runtime's side.

use core::mem::offset_of;

use vmtrans_ir::a64::CpuState;
use vmtrans_ir::sync::{PASSED_IN_REGISTERS, RESULT_REGISTER, RETURNED_IN_REGISTERS};
use vmtrans_ir::Reg;

use crate::dispatch::{GuestFn, GuestReturn};

/// The offset in `CpuState` of the register passed as argument `2 + i` of a translated function.
const fn passed_field(i: usize) -> usize {
    let r = PASSED_IN_REGISTERS[i];
    if r.0 == Reg::SP.0 {
        offset_of!(CpuState, sp)
    } else {
        assert!(r.0 < 31, "only x registers and sp are passed");
        offset_of!(CpuState, x) + 8 * r.0 as usize
    }
}

// The trampolines below take x0 as the C result's first word and x30 as the one passed register a
// return does not hand back: the third argument and the fifth.
const _: () = {
    assert!(PASSED_IN_REGISTERS.len() == 9 && RETURNED_IN_REGISTERS.len() == 8);
    assert!(PASSED_IN_REGISTERS[0].0 == RESULT_REGISTER.0);
    assert!(PASSED_IN_REGISTERS[1].0 == Reg::SP.0);
    assert!(PASSED_IN_REGISTERS[2].0 == Reg::x(30).0);
    let mut i = 0;
    while i < RETURNED_IN_REGISTERS.len() {
        let passed_at = if i < 2 { i } else { i + 1 };
        assert!(RETURNED_IN_REGISTERS[i].0 == PASSED_IN_REGISTERS[passed_at].0);
        i += 1;
    }
};

extern "C" {
    /// Enters translated function `f` at the state's pc with the state's registers, stores back
    /// the registers it returns but x0, and returns x0 and the pc (see `dispatch::enter`).
    fn vmtrans_enter_translated(f: GuestFn, state: *mut CpuState) -> GuestReturn;
}

/// Calls translated function `f` as `vmtrans_enter_translated` says.
///
/// # Safety
/// `f` must be a translated function of this program and `state` the calling thread's state.
pub(crate) unsafe fn call_translated(f: GuestFn, state: &mut CpuState) -> GuestReturn {
    // SAFETY: as the caller promises.
    unsafe { vmtrans_enter_translated(f, state) }
}

// `vmtrans_enter_translated(f, state)`, C convention. It saves the registers the C convention
// keeps (the translated function keeps none), keeps the state on the stack, loads the arguments
// from the state and stores the results back. Seven pushes leave the stack 16-byte aligned for the
// call.
core::arch::global_asm!(
    ".pushsection .text.vmtrans_enter_translated,\"ax\",@progbits",
    ".globl vmtrans_enter_translated",
    ".hidden vmtrans_enter_translated",
    ".type vmtrans_enter_translated,@function",
    ".p2align 4",
    "vmtrans_enter_translated:",
    "push rbp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    "push rsi",
    "mov r11, rdi",
    "mov rax, rsi",
    "mov rcx, [rax + {pc}]",
    "mov rdx, [rax + {a2}]",
    "mov rdi, [rax + {a3}]",
    "mov rsi, [rax + {a4}]",
    "mov r8, [rax + {a5}]",
    "mov r9, [rax + {a6}]",
    "mov r12, [rax + {a7}]",
    "mov r13, [rax + {a8}]",
    "mov r14, [rax + {a9}]",
    "mov r15, [rax + {a10}]",
    "call r11",
    "pop rbx",
    "mov [rbx + {a3}], rdi",
    "mov [rbx + {a5}], r8",
    "mov [rbx + {a6}], r9",
    "mov [rbx + {a7}], r12",
    "mov [rbx + {a8}], r13",
    "mov [rbx + {a9}], r14",
    "mov [rbx + {a10}], r15",
    "mov rax, rdx",
    "mov rdx, rcx",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
    ".size vmtrans_enter_translated, .-vmtrans_enter_translated",
    ".popsection",
    pc = const offset_of!(CpuState, pc),
    a2 = const passed_field(0),
    a3 = const passed_field(1),
    a4 = const passed_field(2),
    a5 = const passed_field(3),
    a6 = const passed_field(4),
    a7 = const passed_field(5),
    a8 = const passed_field(6),
    a9 = const passed_field(7),
    a10 = const passed_field(8),
);

// `vmtrans_dispatch`, with the type and convention of translated code. It stores the passed
// registers the C function does not take (x19-x23, x29) into the state, calls
// `dispatch::vmtrans_dispatch_c` with the state, the pc, x0, sp and x30, and returns the pc and x0
// it gets with the state's other returned registers. Like translated code it keeps no register
// for its caller. The push of the state leaves the stack 16-byte aligned for the call.
core::arch::global_asm!(
    ".pushsection .text.vmtrans_dispatch,\"ax\",@progbits",
    ".globl vmtrans_dispatch",
    ".hidden vmtrans_dispatch",
    ".type vmtrans_dispatch,@function",
    ".p2align 4",
    "vmtrans_dispatch:",
    "mov [rax + {a5}], r8",
    "mov [rax + {a6}], r9",
    "mov [rax + {a7}], r12",
    "mov [rax + {a8}], r13",
    "mov [rax + {a9}], r14",
    "mov [rax + {a10}], r15",
    "push rax",
    "mov r8, rsi",
    "mov r10, rdi",
    "mov rdi, rax",
    "mov rsi, rcx",
    "mov rcx, r10",
    "call {dispatch}",
    "pop r11",
    "mov rcx, rdx",
    "mov rdx, rax",
    "mov rax, r11",
    "mov rdi, [r11 + {a3}]",
    "mov r8, [r11 + {a5}]",
    "mov r9, [r11 + {a6}]",
    "mov r12, [r11 + {a7}]",
    "mov r13, [r11 + {a8}]",
    "mov r14, [r11 + {a9}]",
    "mov r15, [r11 + {a10}]",
    "ret",
    ".size vmtrans_dispatch, .-vmtrans_dispatch",
    ".popsection",
    a3 = const passed_field(1),
    a5 = const passed_field(3),
    a6 = const passed_field(4),
    a7 = const passed_field(5),
    a8 = const passed_field(6),
    a9 = const passed_field(7),
    a10 = const passed_field(8),
    dispatch = sym crate::dispatch::vmtrans_dispatch_c,
);

#[cfg(test)]
mod tests {
    use super::*;

    // A stand-in for a translated function, in the convention described above: it returns pc + 1
    // in rcx, x0 + 2 in rdx, sp + 3 in rdi, and x19-x23 and x29 plus 4 to 9 in r8, r9 and r12-r15,
    // and clobbers rax, rbx, rbp and rsi, as translated code may.
    core::arch::global_asm!(
        ".pushsection .text.vmtrans_test_guest_fn,\"ax\",@progbits",
        ".globl vmtrans_test_guest_fn",
        ".hidden vmtrans_test_guest_fn",
        ".p2align 4",
        "vmtrans_test_guest_fn:",
        "add rcx, 1",
        "add rdx, 2",
        "add rdi, 3",
        "add r8, 4",
        "add r9, 5",
        "add r12, 6",
        "add r13, 7",
        "add r14, 8",
        "add r15, 9",
        "mov rbx, -1",
        "mov rbp, -1",
        "mov rsi, -1",
        "xor eax, eax",
        "ret",
        ".popsection",
    );

    extern "C" {
        fn vmtrans_test_guest_fn();
    }

    #[test]
    fn the_entry_trampoline_passes_the_state_and_stores_back_what_comes_back() {
        let mut state = CpuState { pc: 0x1000, sp: 0x2000, ..CpuState::default() };
        for (i, x) in state.x.iter_mut().enumerate() {
            *x = i as u64;
        }
        // SAFETY: the stand-in follows the convention the trampoline expects.
        let r = unsafe { call_translated(vmtrans_test_guest_fn, &mut state) };
        assert_eq!((r.pc, r.x0), (0x1001, 2));
        assert_eq!(state.sp, 0x2003);
        assert_eq!(state.x[19..24], [23, 25, 27, 29, 31]);
        assert_eq!(state.x[29], 38);
        // x30 goes in but does not come back; the runtime's caller sets it from the pc.
        assert_eq!(state.x[30], 30);
        // The other registers are the runtime's own, untouched.
        assert_eq!(state.x[1..19], (1..19).collect::<Vec<u64>>()[..]);
    }
}

//! The symbols the runtime exports to translated code: the guest base, the system call entry and the
//! signal poll of loop back-edges.
//! (The translator's tables reach the runtime through `vmtrans_start`, see `dispatch`.)

use vmtrans_ir::a64::CpuState;

use crate::signal::{self, SyscallSite};
use crate::syscall;

/// The host address of guest address 0; written once at start-up, before any guest code runs.
#[no_mangle]
pub static mut vmtrans_guest_base: u64 = 0;

/// Performs the guest system call described by `state` (number in x8, arguments in x0..x5) and
/// leaves its result in x0 as the kernel would (`-errno` on failure). `state.pc` already holds the
/// address after the SVC. Recorded signals are delivered before the call starts and before this returns
/// (see `crate::signal`); a call interrupted by a handler with SA_RESTART is made again here once the
/// handler has returned.
///
/// # Safety
/// `state` must point to the calling thread's guest CPU state, valid for reads and writes.
#[no_mangle]
pub unsafe extern "C" fn vmtrans_syscall(state: *mut CpuState) {
    // SAFETY: translated code passes its own thread's state, which nothing else touches meanwhile.
    let state = unsafe { &mut *state };
    loop {
        let site = SyscallSite { number: state.x[8], first_arg: state.x[0], svc_pc: state.pc.wrapping_sub(4) };
        if site.number != syscall::RT_SIGRETURN && signal::has_deliverable() && !deliver_before_call(state, &site) {
            return;
        }
        crate::syscall::handle(state);
        if site.number == syscall::RT_SIGRETURN {
            // The handler loop that ran this frame delivers what its sigreturn unblocked.
            return;
        }
        if !signal::has_deliverable() && site.number != syscall::RT_SIGSUSPEND {
            return;
        }
        let restart = signal::deliver_pending(state, Some(site));
        if !restart || state.pc != site.svc_pc {
            return;
        }
        state.pc = site.svc_pc.wrapping_add(4);
    }
}

/// Delivers the recorded signals the guest does not block before the system call at `site` starts,
/// as Linux delivers a signal on the way back to user mode, before the SVC could run: so the call
/// sees the signal's effects (a handler's flag, a mask it leaves), and a signal that arrived unblocked
/// cannot turn into a blocked one that only the runtime knows of (rt_sigprocmask, signalfd, sigpending
/// would miss it). The handlers' frames resume at the SVC. True when the call is to be made now; false
/// when a handler changed the context, and the guest goes on from it (at the SVC, if its pc is still
/// there, which makes the call with the new registers).
fn deliver_before_call(state: &mut CpuState, site: &SyscallSite) -> bool {
    state.pc = site.svc_pc;
    if !signal::deliver_pending_unchanged(state) {
        return false;
    }
    state.pc = site.svc_pc.wrapping_add(4);
    true
}

/// Called by translated code at a loop back-edge, in a function that calls out anyway, when the
/// thread's poll word (`vmtrans_signal_pending`) is raised (ir/src/poll.rs): delivers the signals recorded for this thread that it does not block. The translated code has
/// written its registers back and set the pc to the loop's next block. Returns non-zero when a handler
/// changed a guest register or the pc (by editing its `ucontext`, or by ending the thread): the
/// translated code keeps its registers in host registers across the call and goes on with them only
/// when this returns 0; otherwise it returns and the dispatcher goes on from the state.
///
/// # Safety
/// `state` must point to the calling thread's guest CPU state, valid for reads and writes.
#[no_mangle]
pub unsafe extern "C" fn vmtrans_poll(state: *mut CpuState) -> u32 {
    // SAFETY: translated code passes its own thread's state, which nothing else touches meanwhile.
    let state = unsafe { &mut *state };
    let before = state.clone();
    signal::safe_point(state);
    u32::from(!state.same_guest_registers(&before))
}

// `vmtrans_poll` as translated code calls it: with LLVM's `preserve_most` convention, under which
// the callee keeps every general register but r11 and the result's rax. A loop's poll sits on its
// cold path, and with the C convention every value the loop holds in a caller-saved register had
// to move to a callee-saved one (or the host stack) for the whole loop, because of that one call.
// The trampoline saves the registers the C convention lets `vmtrans_poll` clobber; seven pushes
// leave the stack 16-byte aligned for the call (it is 8 past alignment on entry). Vector registers
// are the caller's to save under `preserve_most`, as under the C convention.
core::arch::global_asm!(
    ".pushsection .text.vmtrans_poll_preserving,\"ax\",@progbits",
    ".globl vmtrans_poll_preserving",
    ".hidden vmtrans_poll_preserving",
    ".type vmtrans_poll_preserving,@function",
    ".p2align 4",
    "vmtrans_poll_preserving:",
    "push rcx",
    "push rdx",
    "push rsi",
    "push rdi",
    "push r8",
    "push r9",
    "push r10",
    "call {poll}",
    "pop r10",
    "pop r9",
    "pop r8",
    "pop rdi",
    "pop rsi",
    "pop rdx",
    "pop rcx",
    "ret",
    ".size vmtrans_poll_preserving, .-vmtrans_poll_preserving",
    ".popsection",
    poll = sym vmtrans_poll,
);

//! The symbols the runtime exports to translated code: the guest base and the system call entry.
//! (The translator's tables reach the runtime through `vmtrans_start`, see `dispatch`.)

use vmtrans_ir::a64::CpuState;

/// The host address of guest address 0; written once at start-up, before any guest code runs.
#[no_mangle]
pub static mut vmtrans_guest_base: u64 = 0;

/// Performs the guest system call described by `state` (number in x8, arguments in x0..x5) and
/// leaves its result in x0 as the kernel would (`-errno` on failure). `state.pc` already holds the
/// address after the SVC.
///
/// # Safety
/// `state` must point to the calling thread's guest CPU state, valid for reads and writes.
#[no_mangle]
pub unsafe extern "C" fn vmtrans_syscall(state: *mut CpuState) {
    // SAFETY: translated code passes its own thread's state, which nothing else touches meanwhile.
    let state = unsafe { &mut *state };
    crate::syscall::handle(state);
}

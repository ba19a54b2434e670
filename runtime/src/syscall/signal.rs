//! Guest signal state and the signal system calls: the actions the guest installs (rt_sigaction), its
//! blocked mask (rt_sigprocmask), its alternate stack (sigaltstack), signals it sends to itself (kill,
//! tkill, tgkill), waiting for signals (rt_sigsuspend, rt_sigtimedwait, rt_sigpending) and rt_sigreturn.
//! SIG_IGN and SIG_DFL are mirrored to the host; a guest handler gets the runtime's recording host handler,
//! and `crate::signal` delivers the recorded signals to the guest handler at safe points (see there).
//! The host mask follows the guest's blocked mask, apart from the signals the runtime owns.
//!
//! Synchronous signals from guest code (SIGSEGV/SIGBUS of its memory accesses, SIGILL/SIGTRAP of UDF and
//! BRK) reach the guest's handlers through `crate::signal::sync_fault`; see there and `crate::signal` for
//! the limits.

use std::cell::Cell;
use std::sync::{Mutex, MutexGuard};

use vmtrans_ir::a64::CpuState;

use super::Args;
use crate::errno::{host_result, Errno, SysResult, EINVAL, ENOMEM, EPERM};
use crate::memory;
use crate::signal::{
    self,
    frame::{AltStack, SIGINFO_SIZE, SS_DISABLE, SS_ONSTACK},
};

/// The number of signals (1..=64).
const NSIG: u64 = 64;
/// The kernel's sigset size: the only one rt_sigaction and rt_sigprocmask accept.
const SIGSET_SIZE: u64 = 8;
pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;
/// Signals whose host dispositions stay the runtime's (its fault handler, and the synchronous
/// signals a translated program raises for its own faults), never mirrored from the guest.
pub const HOST_OWNED: [u64; 5] =
    [libc::SIGSEGV as u64, libc::SIGBUS as u64, libc::SIGILL as u64, libc::SIGFPE as u64, libc::SIGTRAP as u64];

/// A guest `struct sigaction` as AArch64 lays it out: handler, flags, restorer, mask (32 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestSigaction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

impl GuestSigaction {
    fn from_bytes(bytes: &[u8; 32]) -> GuestSigaction {
        let word = |i: usize| u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().unwrap_or_default());
        GuestSigaction { handler: word(0), flags: word(1), restorer: word(2), mask: word(3) }
    }

    fn to_bytes(self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, word) in [self.handler, self.flags, self.restorer, self.mask].into_iter().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&word.to_le_bytes());
        }
        out
    }
}

type Actions = [GuestSigaction; NSIG as usize + 1];

static ACTIONS: Mutex<Actions> =
    Mutex::new([GuestSigaction { handler: 0, flags: 0, restorer: 0, mask: 0 }; NSIG as usize + 1]);

/// The actions of a vfork child, which shares the parent's memory but, as the kernel gives it, has a
/// copy of the parent's actions to change (posix_spawn's child resets every handler to SIG_DFL).
static VFORK_CHILD_ACTIONS: Mutex<Actions> =
    Mutex::new([GuestSigaction { handler: 0, flags: 0, restorer: 0, mask: 0 }; NSIG as usize + 1]);

thread_local! {
    /// This thread's blocked mask, as the guest set it.
    static BLOCKED: Cell<u64> = const { Cell::new(0) };
    /// This thread's alternate signal stack as the guest set it.
    static ALT_STACK: Cell<AltStack> = const { Cell::new(AltStack::DISABLED) };
}

/// The calling thread's values of the thread-locals above, to restore after a vfork child that ran
/// on this thread's thread-local storage (`crate::vfork`).
#[derive(Clone, Copy)]
pub struct SignalThreadLocals {
    blocked: u64,
    alt_stack: AltStack,
}

impl SignalThreadLocals {
    pub fn save() -> Self {
        SignalThreadLocals { blocked: BLOCKED.with(Cell::get), alt_stack: ALT_STACK.with(Cell::get) }
    }

    pub fn restore(self) {
        BLOCKED.with(|c| c.set(self.blocked));
        ALT_STACK.with(|c| c.set(self.alt_stack));
    }
}

fn actions() -> MutexGuard<'static, Actions> {
    let table = if crate::vfork::in_child() { &VFORK_CHILD_ACTIONS } else { &ACTIONS };
    table.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Gives the vfork child about to start a copy of the calling process's actions.
pub fn copy_actions_for_vfork_child() {
    let copy = *actions();
    *VFORK_CHILD_ACTIONS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = copy;
}

/// The action the guest has installed for `signal`.
pub fn guest_action(signal: u64) -> GuestSigaction {
    actions().get(signal as usize).copied().unwrap_or_default()
}

/// Resets `signal` to its default action (SA_RESETHAND on delivery).
pub fn reset_to_default(signal: u64) {
    let action = GuestSigaction::default();
    if let Some(slot) = actions().get_mut(signal as usize) {
        *slot = action;
    }
    signal::mirror_disposition(signal, &action);
}

/// The calling thread's blocked mask, as the guest set it.
pub fn blocked_mask() -> u64 {
    BLOCKED.with(Cell::get)
}

/// Sets the calling thread's guest mask (a new thread's, inherited from its parent; a handler's; the one
/// sigreturn restores). The caller mirrors it to the host with `signal::sync_host_mask`.
pub fn set_blocked_mask(mask: u64) {
    BLOCKED.with(|blocked| blocked.set(mask));
}

/// The calling thread's alternate signal stack.
pub fn alt_stack() -> AltStack {
    ALT_STACK.with(Cell::get)
}

/// The mask bit for `signal` (1..=64).
fn bit(signal: u64) -> u64 {
    1u64 << (signal - 1)
}

pub fn rt_sigaction(a: Args) -> SysResult {
    let (signal, new, old) = (a[0], a[1], a[2]);
    if a[3] != SIGSET_SIZE || signal == 0 || signal > NSIG {
        return Err(EINVAL);
    }
    let new_action = if new != 0 {
        if signal == libc::SIGKILL as u64 || signal == libc::SIGSTOP as u64 {
            return Err(EINVAL);
        }
        let mut bytes = [0u8; 32];
        memory::read_into(new, &mut bytes)?;
        Some(GuestSigaction::from_bytes(&bytes))
    } else {
        None
    };
    let previous = guest_action(signal);
    if old != 0 {
        memory::write_bytes(old, &previous.to_bytes())?;
    }
    if let Some(mut action) = new_action {
        action.mask &= !UNBLOCKABLE;
        actions()[signal as usize] = action;
        signal::mirror_disposition(signal, &action);
    }
    Ok(0)
}

/// The signals that can never be blocked.
pub const UNBLOCKABLE: u64 = (1 << (libc::SIGKILL - 1)) | (1 << (libc::SIGSTOP - 1));

/// Applies a sigprocmask `how` to `current`; None for an unknown `how`.
pub fn apply_mask(current: u64, how: u64, set: u64) -> Option<u64> {
    let next = match how as i32 {
        libc::SIG_BLOCK => current | set,
        libc::SIG_UNBLOCK => current & !set,
        libc::SIG_SETMASK => set,
        _ => return None,
    };
    Some(next & !UNBLOCKABLE)
}

pub fn rt_sigprocmask(a: Args) -> SysResult {
    let (how, new, old) = (a[0], a[1], a[2]);
    if a[3] != SIGSET_SIZE {
        return Err(EINVAL);
    }
    let current = BLOCKED.with(Cell::get);
    let next = if new != 0 { Some(apply_mask(current, how, memory::read_u64(new)?).ok_or(EINVAL)?) } else { None };
    if old != 0 {
        memory::write_u64(old, current)?;
    }
    if let Some(mask) = next {
        BLOCKED.with(|blocked| blocked.set(mask));
        signal::sync_host_mask();
    }
    Ok(0)
}

/// rt_sigpending: the signals recorded and not delivered, and those the host holds for this thread.
pub fn rt_sigpending(a: Args) -> SysResult {
    if a[1] != SIGSET_SIZE {
        return Err(EINVAL);
    }
    let mut host = 0u64;
    // SAFETY: an 8-byte set, as sigsetsize says.
    unsafe { libc::syscall(libc::SYS_rt_sigpending, &mut host, 8usize) };
    memory::write_u64(a[0], (host | signal::recorded()) & blocked_mask())?;
    Ok(0)
}

/// rt_sigsuspend: waits with a temporary mask until a signal is delivered (the delivery after this call
/// runs the handler, whose frame saves the previous mask for sigreturn to restore); always EINTR.
pub fn rt_sigsuspend(a: Args) -> SysResult {
    if a[1] != SIGSET_SIZE {
        return Err(EINVAL);
    }
    let temporary = memory::read_u64(a[0])? & !UNBLOCKABLE;
    let previous = blocked_mask();
    set_blocked_mask(temporary);
    signal::set_suspended_mask(previous);
    // With every signal blocked, no recording handler can run between the check and the wait: the host's
    // sigsuspend swaps the mask and waits in one step.
    signal::block_all_on_host();
    if !signal::has_deliverable() {
        let wait_mask = signal::host_wait_mask(temporary);
        // SAFETY: an 8-byte set, as sigsetsize says; returns when a host handler has run.
        unsafe { libc::syscall(libc::SYS_rt_sigsuspend, &wait_mask, 8usize) };
    }
    signal::sync_host_mask();
    Err(Errno(libc::EINTR))
}

/// rt_sigtimedwait: takes a signal of `set` that is recorded, or waits for one on the host.
pub fn rt_sigtimedwait(a: Args) -> SysResult {
    let (set_addr, info_addr, timeout_addr) = (a[0], a[1], a[2]);
    if a[3] != SIGSET_SIZE {
        return Err(EINVAL);
    }
    let set = memory::read_u64(set_addr)? & !UNBLOCKABLE;
    let take = |info_addr: u64| -> Option<SysResult> {
        let (signal, info) = signal::take_recorded(set)?;
        signal::sync_host_mask();
        if info_addr != 0 {
            if let Err(error) = memory::write_bytes(info_addr, &info) {
                return Some(Err(error));
            }
        }
        Some(Ok(signal))
    };
    if let Some(result) = take(info_addr) {
        return result;
    }
    let mut timeout = [0u8; 16];
    if timeout_addr != 0 {
        memory::read_into(timeout_addr, &mut timeout)?;
    }
    let host_set = set & !signal::host_owned_bits();
    let mut info = [0u8; SIGINFO_SIZE];
    let timeout_ptr = if timeout_addr != 0 { timeout.as_ptr() } else { std::ptr::null() };
    // SAFETY: an 8-byte set, a 128-byte siginfo buffer and a timespec (the same layout on both sides).
    let result = unsafe { libc::syscall(libc::SYS_rt_sigtimedwait, &host_set, info.as_mut_ptr(), timeout_ptr, 8usize) };
    match host_result(result) {
        Ok(signal) => {
            if info_addr != 0 {
                memory::write_bytes(info_addr, &info)?;
            }
            Ok(signal)
        }
        Err(Errno(libc::EINTR)) => take(info_addr).unwrap_or(Err(Errno(libc::EINTR))),
        Err(error) => Err(error),
    }
}

/// The kernel's MINSIGSTKSZ on AArch64.
const MINSIGSTKSZ: u64 = 5120;

/// sigaltstack. `stack_t` on AArch64: sp, flags (i32), size (24 bytes). The stack cannot change while the
/// thread runs on it.
pub fn sigaltstack(state: &CpuState, a: Args) -> SysResult {
    let (new, old) = (a[0], a[1]);
    let current = alt_stack();
    let mut next = None;
    if new != 0 {
        let mut bytes = [0u8; 24];
        memory::read_into(new, &mut bytes)?;
        let sp = u64::from_le_bytes(bytes[0..8].try_into().unwrap_or_default());
        let flags = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or_default());
        let size = u64::from_le_bytes(bytes[16..24].try_into().unwrap_or_default());
        if current.contains(state.sp) {
            return Err(EPERM);
        }
        let mode = flags & !SS_AUTODISARM;
        next = Some(if mode == SS_DISABLE {
            AltStack::DISABLED
        } else if mode == 0 || mode == SS_ONSTACK {
            if size < MINSIGSTKSZ {
                return Err(ENOMEM);
            }
            AltStack { sp, flags: 0, size }
        } else {
            return Err(EINVAL);
        });
    }
    if old != 0 {
        let mut bytes = [0u8; 24];
        bytes[0..8].copy_from_slice(&current.sp.to_le_bytes());
        bytes[8..12].copy_from_slice(&current.reported_flags(state.sp).to_le_bytes());
        bytes[16..24].copy_from_slice(&current.size.to_le_bytes());
        memory::write_bytes(old, &bytes)?;
    }
    if let Some(stack) = next {
        ALT_STACK.with(|alt| alt.set(stack));
    }
    Ok(0)
}

/// siginfo si_code values for signals sent with kill and with tkill/tgkill.
const SI_USER: i32 = 0;
const SI_TKILL: i32 = -6;

/// sigaltstack's SS_AUTODISARM flag (accepted and ignored).
const SS_AUTODISARM: u32 = 1 << 31;

/// Whether `signal`'s default action ends the process (everything but the ignored and stop signals).
pub fn default_is_fatal(signal: u64) -> bool {
    !matches!(
        signal as i32,
        libc::SIGCHLD
            | libc::SIGCONT
            | libc::SIGURG
            | libc::SIGWINCH
            | libc::SIGSTOP
            | libc::SIGTSTP
            | libc::SIGTTIN
            | libc::SIGTTOU
    )
}

/// Sends `signal` to the calling thread, as the guest's kill/tkill/tgkill to itself asks. A signal with a
/// guest handler goes through the host, whose recording handler sees it before this call returns; the
/// delivery after the system call then runs the guest handler, as Linux does before the call returns.
fn signal_self(signal: u64, code: i32) -> SysResult {
    if signal == 0 {
        return Ok(0);
    }
    if signal > NSIG {
        return Err(EINVAL);
    }
    let action = guest_action(signal);
    if action.handler == SIG_IGN {
        return Ok(0);
    }
    if action.handler != SIG_DFL && HOST_OWNED.contains(&signal) {
        // The host's SIGSEGV & co. belong to the runtime's fault handler: record the guest's own one directly.
        signal::record_sent_to_self(signal, code);
        return Ok(0);
    }
    let blocked = BLOCKED.with(Cell::get) & bit(signal) != 0;
    if action.handler == SIG_DFL {
        if default_is_fatal(signal) && !blocked {
            crate::dispatch::before_exit();
        }
        signal::mirror_disposition(signal, &action);
    }
    // SAFETY: the signal itself, to this thread; its host disposition follows the guest's action.
    unsafe {
        host_result(libc::syscall(libc::SYS_tgkill, libc::getpid(), libc::syscall(libc::SYS_gettid), signal as i32))
    }
}

/// rt_sigqueueinfo: the guest's siginfo goes to the host as it is (the same layout on both sides).
pub fn rt_sigqueueinfo(a: Args) -> SysResult {
    let mut info = [0u8; SIGINFO_SIZE];
    memory::read_into(a[2], &mut info)?;
    // SAFETY: a 128-byte siginfo.
    host_result(unsafe { libc::syscall(libc::SYS_rt_sigqueueinfo, a[0] as i32, a[1] as i32, info.as_ptr()) })
}

/// rt_tgsigqueueinfo: as rt_sigqueueinfo, to one thread.
pub fn rt_tgsigqueueinfo(a: Args) -> SysResult {
    let mut info = [0u8; SIGINFO_SIZE];
    memory::read_into(a[3], &mut info)?;
    // SAFETY: a 128-byte siginfo.
    host_result(unsafe {
        libc::syscall(libc::SYS_rt_tgsigqueueinfo, a[0] as i32, a[1] as i32, a[2] as i32, info.as_ptr())
    })
}

pub fn kill(a: Args) -> SysResult {
    // SAFETY: getpid has no preconditions.
    let own = unsafe { libc::getpid() } as i64;
    let host_handles = a[1] != 0 && a[1] <= NSIG && guest_action(a[1]).handler > SIG_IGN && !HOST_OWNED.contains(&a[1]);
    if a[0] as i32 as i64 == own && !host_handles {
        return signal_self(a[1], SI_USER);
    }
    // SAFETY: signal numbers are the same on both sides; a signal to this process with a guest handler is
    // recorded by the host handler of this thread (the kernel prefers the sending thread) before this returns.
    host_result(unsafe { libc::kill(a[0] as i32, a[1] as i32) } as i64)
}

pub fn tkill(a: Args) -> SysResult {
    // SAFETY: gettid has no preconditions.
    let own = unsafe { libc::syscall(libc::SYS_gettid) };
    if a[0] as i32 as i64 == own {
        return signal_self(a[1], SI_TKILL);
    }
    // SAFETY: as in `kill`.
    host_result(unsafe { libc::syscall(libc::SYS_tkill, a[0] as i32, a[1] as i32) })
}

pub fn tgkill(a: Args) -> SysResult {
    // SAFETY: as in `kill` and `tkill`.
    let (pid, tid) = unsafe { (libc::getpid() as i64, libc::syscall(libc::SYS_gettid)) };
    if a[0] as i32 as i64 == pid && a[1] as i32 as i64 == tid {
        return signal_self(a[2], SI_TKILL);
    }
    // SAFETY: as in `kill`.
    host_result(unsafe { libc::syscall(libc::SYS_tgkill, a[0] as i32, a[1] as i32, a[2] as i32) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_combine_as_the_kernel_does() {
        assert_eq!(apply_mask(0b1, libc::SIG_BLOCK as u64, 0b100), Some(0b101));
        assert_eq!(apply_mask(0b101, libc::SIG_UNBLOCK as u64, 0b1), Some(0b100));
        assert_eq!(apply_mask(0b101, libc::SIG_SETMASK as u64, 0b10), Some(0b10));
        assert_eq!(apply_mask(0, libc::SIG_SETMASK as u64, u64::MAX), Some(!UNBLOCKABLE));
        assert_eq!(apply_mask(0, 7, 0), None);
    }

    #[test]
    fn sigaction_round_trips_the_aarch64_layout() {
        let action = GuestSigaction { handler: 0x400123, flags: 0x0400_0004, restorer: 0x400456, mask: 1 << 9 };
        let bytes = action.to_bytes();
        assert_eq!(u64::from_le_bytes(bytes[8..16].try_into().unwrap()), 0x0400_0004);
        assert_eq!(u64::from_le_bytes(bytes[24..32].try_into().unwrap()), 1 << 9);
        assert_eq!(GuestSigaction::from_bytes(&bytes), action);
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert_eq!(rt_sigaction([0, 0, 0, 8, 0, 0]), Err(EINVAL));
        assert_eq!(rt_sigaction([65, 0, 0, 8, 0, 0]), Err(EINVAL));
        assert_eq!(rt_sigaction([2, 0, 0, 16, 0, 0]), Err(EINVAL));
        assert_eq!(rt_sigaction([2, 0, 0, 8, 0, 0]), Ok(0));
        assert_eq!(rt_sigprocmask([0, 0, 0, 4, 0, 0]), Err(EINVAL));
        assert!(default_is_fatal(libc::SIGABRT as u64) && !default_is_fatal(libc::SIGCHLD as u64));
    }
}

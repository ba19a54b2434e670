//! Guest signal state: the actions the guest installs (rt_sigaction), its blocked mask
//! (rt_sigprocmask), its alternate stack (sigaltstack), and signals it sends to itself (kill,
//! tkill, tgkill). Delivery to guest handlers is later work; until then the host mirrors what can
//! be mirrored without running guest code: SIG_IGN and SIG_DFL dispositions and the blocked mask,
//! so ignored signals stay ignored (across exec too) and default actions kill with the right status.

use std::cell::Cell;
use std::sync::{Mutex, MutexGuard};

use super::Args;
use crate::errno::{host_result, SysResult, EINVAL};
use crate::memory;

/// The number of signals (1..=64).
const NSIG: u64 = 64;
/// The kernel's sigset size: the only one rt_sigaction and rt_sigprocmask accept.
const SIGSET_SIZE: u64 = 8;
const SIG_DFL: u64 = 0;
const SIG_IGN: u64 = 1;
/// Signals whose host dispositions stay the runtime's (its fault handler, and the synchronous
/// signals a translated program raises for its own faults), never mirrored from the guest.
const HOST_OWNED: [u64; 5] =
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

static ACTIONS: Mutex<[GuestSigaction; NSIG as usize + 1]> =
    Mutex::new([GuestSigaction { handler: 0, flags: 0, restorer: 0, mask: 0 }; NSIG as usize + 1]);

thread_local! {
    /// This thread's blocked mask, as the guest set it.
    static BLOCKED: Cell<u64> = const { Cell::new(0) };
    /// This thread's alternate signal stack as the guest set it: (sp, flags, size).
    static ALT_STACK: Cell<(u64, u32, u64)> = const { Cell::new((0, 2, 0)) };
}

fn actions() -> MutexGuard<'static, [GuestSigaction; NSIG as usize + 1]> {
    ACTIONS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The action the guest has installed for `signal`.
pub fn guest_action(signal: u64) -> GuestSigaction {
    actions().get(signal as usize).copied().unwrap_or_default()
}

/// The calling thread's blocked mask, as the guest set it.
pub fn blocked_mask() -> u64 {
    BLOCKED.with(Cell::get)
}

/// Gives a new thread its parent's blocked mask (the host thread inherited the host mask already).
pub fn set_blocked_mask(mask: u64) {
    BLOCKED.with(|blocked| blocked.set(mask));
}

/// The mask bit for `signal` (1..=64).
fn bit(signal: u64) -> u64 {
    1u64 << (signal - 1)
}

/// Mirrors SIG_IGN/SIG_DFL into the host disposition; guest handlers leave the host default for now.
fn mirror_disposition(signal: u64, action: &GuestSigaction) {
    if HOST_OWNED.contains(&signal) || signal > 31 {
        return;
    }
    let host = if action.handler == SIG_IGN { libc::SIG_IGN } else { libc::SIG_DFL };
    // SAFETY: setting a disposition to SIG_IGN or SIG_DFL.
    unsafe { libc::signal(signal as i32, host) };
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
    if let Some(action) = new_action {
        actions()[signal as usize] = action;
        mirror_disposition(signal, &action);
    }
    Ok(0)
}

/// The signals that can never be blocked.
const UNBLOCKABLE: u64 = (1 << (libc::SIGKILL - 1)) | (1 << (libc::SIGSTOP - 1));

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

/// Blocks on the host what the guest blocks, apart from the signals the runtime owns.
fn mirror_mask(mask: u64) {
    // SAFETY: plain sigset manipulation and pthread_sigmask on the calling thread.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for signal in 1..=31u64 {
            if mask & bit(signal) != 0 && !HOST_OWNED.contains(&signal) {
                libc::sigaddset(&mut set, signal as i32);
            }
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
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
        mirror_mask(mask);
    }
    Ok(0)
}

/// sigaltstack: recorded for the delivery to come. `stack_t` on AArch64: sp, flags (i32), size (24 bytes).
pub fn sigaltstack(a: Args) -> SysResult {
    let (new, old) = (a[0], a[1]);
    let mut next = None;
    if new != 0 {
        let mut bytes = [0u8; 24];
        memory::read_into(new, &mut bytes)?;
        let sp = u64::from_le_bytes(bytes[0..8].try_into().unwrap_or_default());
        let flags = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or_default());
        let size = u64::from_le_bytes(bytes[16..24].try_into().unwrap_or_default());
        next = Some((sp, flags, size));
    }
    if old != 0 {
        let (sp, flags, size) = ALT_STACK.with(Cell::get);
        let mut bytes = [0u8; 24];
        bytes[0..8].copy_from_slice(&sp.to_le_bytes());
        bytes[8..12].copy_from_slice(&flags.to_le_bytes());
        bytes[16..24].copy_from_slice(&size.to_le_bytes());
        memory::write_bytes(old, &bytes)?;
    }
    if let Some(stack) = next {
        ALT_STACK.with(|alt| alt.set(stack));
    }
    Ok(0)
}

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

/// Sends `signal` to the calling thread, as the guest's kill/tkill/tgkill to itself asks.
fn signal_self(signal: u64) -> SysResult {
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
    if action.handler != SIG_DFL {
        eprintln!("vmtrans: signal {signal} has a guest handler; delivering to guest handlers is not supported yet");
        return Ok(0);
    }
    let blocked = BLOCKED.with(Cell::get) & bit(signal) != 0;
    if default_is_fatal(signal) && !blocked {
        crate::dispatch::before_exit();
    }
    // SAFETY: the default action for a signal the guest left at SIG_DFL; then the signal itself.
    unsafe {
        libc::signal(signal as i32, libc::SIG_DFL);
        host_result(libc::syscall(libc::SYS_tgkill, libc::getpid(), libc::syscall(libc::SYS_gettid), signal as i32))
    }
}

pub fn kill(a: Args) -> SysResult {
    // SAFETY: getpid has no preconditions.
    let own = unsafe { libc::getpid() } as i64;
    if a[0] as i32 as i64 == own {
        return signal_self(a[1]);
    }
    // SAFETY: signal numbers are the same on both sides.
    host_result(unsafe { libc::kill(a[0] as i32, a[1] as i32) } as i64)
}

pub fn tkill(a: Args) -> SysResult {
    // SAFETY: gettid has no preconditions.
    let own = unsafe { libc::syscall(libc::SYS_gettid) };
    if a[0] as i32 as i64 == own {
        return signal_self(a[1]);
    }
    // SAFETY: as in `kill`.
    host_result(unsafe { libc::syscall(libc::SYS_tkill, a[0] as i32, a[1] as i32) })
}

pub fn tgkill(a: Args) -> SysResult {
    // SAFETY: as in `kill` and `tkill`.
    let (pid, tid) = unsafe { (libc::getpid() as i64, libc::syscall(libc::SYS_gettid)) };
    if a[0] as i32 as i64 == pid && a[1] as i32 as i64 == tid {
        return signal_self(a[2]);
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

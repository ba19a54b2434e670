//! Delivering signals to guest handlers, as the AArch64 Linux kernel does.
//!
//! A signal for which the guest installed a handler gets a host handler (`on_host_signal`) that only
//! records it: its siginfo and a pending bit, per thread (the host kernel already chose a thread that does
//! not block it). The host handler also adds the signal to the mask the host restores when it returns, so
//! further instances wait in the host kernel (queued, for real-time signals) until this one is delivered:
//! the host mask is always the guest's blocked mask plus the signals recorded and not yet delivered.
//!
//! Delivery happens at safe points, where the runtime has control and the guest state is exact: before and
//! after every system call (`vmtrans_syscall`; before, the frame resumes at the SVC, as when Linux delivers
//! a signal on the way back to user mode just before it), in the dispatcher's loops, and at loop back-edges of translated code,
//! which test the thread's poll word (`vmtrans_signal_pending`, raised by the recording handler) and,
//! when it is raised, write their registers back and leave for the dispatcher, which delivers and
//! resumes the loop (unless translated with `--no-signal-poll`; ir/src/poll.rs). The runtime writes the kernel's
//! `rt_sigframe` (see `frame`) onto the guest stack, sets the handler's registers and runs guest code from the
//! handler in a nested loop, until the handler's rt_sigreturn has restored the whole state from the frame;
//! then the interrupted code continues (translated code resumes after its system call). A blocking system
//! call interrupted by the signal returns EINTR, or, with SA_RESTART and a restartable call, the frame
//! resumes at the SVC with the original x0 and the call is made again.
//!
//! Synchronous signals: SIGILL and SIGTRAP from UDF/BRK (and unsupported instructions) are delivered with
//! the exact state (`deliver_synchronous`); SIGSEGV and SIGBUS from guest memory accesses go to the guest's
//! handler with the context of the last safe point, and the faulting access runs again when the handler
//! returns with that context unchanged (`sync_fault`, which explains why and what works).
//!
//! Limits: a signal arriving between the runtime's last check and the start of a blocking host call is only seen
//! when that call returns; when several signals are pending at once, each handler runs to completion before
//! the next starts (the kernel stacks all their frames first, so the last one's handler runs first).

pub mod frame;
mod host_context;
pub mod sync_fault;

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use vmtrans_ir::a64::CpuState;

use crate::syscall::mem;
use crate::syscall::signal::{self as sys, GuestSigaction};
use crate::{dispatch, memory, thread};
use frame::SIGINFO_SIZE;

/// sa_flags bits (the same on AArch64 and x86-64).
pub const SA_SIGINFO: u64 = 4;
pub const SA_RESTORER: u64 = 0x0400_0000;
pub const SA_ONSTACK: u64 = 0x0800_0000;
pub const SA_RESTART: u64 = 0x1000_0000;
pub const SA_NODEFER: u64 = 0x4000_0000;
pub const SA_RESETHAND: u64 = 0x8000_0000;

/// The sigreturn trampoline the kernel's vDSO provides, for handlers installed without SA_RESTORER (glibc
/// on AArch64 leaves the restorer to the vDSO): `mov x8, #139; svc #0` in a page the runtime maps into the
/// guest space on first use, so that unwinders (pthread_cancel, backtrace) that read the return address's
/// instructions recognise a signal frame. The runtime never runs it: `dispatch::step` performs the
/// sigreturn itself when the guest reaches it, so the page needs no translation and no fallback.
static SIGRETURN_TRAMPOLINE: OnceLock<u64> = OnceLock::new();
/// The trampoline's two instructions.
const TRAMPOLINE_CODE: [u32; 2] = [0xd280_1168, 0xd400_0001];

/// The trampoline's guest address, mapping it first if needed (0 when the guest space has no room).
fn sigreturn_trampoline() -> u64 {
    *SIGRETURN_TRAMPOLINE.get_or_init(|| {
        const PROT_READ_WRITE: u64 = 3;
        const PROT_READ_EXEC: u64 = 5;
        const MAP_PRIVATE_ANONYMOUS: u64 = 0x22;
        let Ok(page) = mem::mmap([0, 4096, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, u64::MAX, 0]) else { return 0 };
        let code = (TRAMPOLINE_CODE[0] as u64) | (TRAMPOLINE_CODE[1] as u64) << 32;
        if memory::write_u64(page, code).is_err() || mem::mprotect([page, 4096, PROT_READ_EXEC, 0, 0, 0]).is_err() {
            return 0;
        }
        page
    })
}

/// Whether `pc` is the sigreturn trampoline (the guest returned from a handler installed without SA_RESTORER).
#[inline]
pub fn is_sigreturn_trampoline(pc: u64) -> bool {
    SIGRETURN_TRAMPOLINE.get().is_some_and(|&trampoline| trampoline == pc && pc != 0)
}

/// A signal recorded by the host handler and not yet delivered.
struct Pending {
    /// Bit `n - 1` for signal n.
    bits: AtomicU64,
    /// The host siginfo of each recorded signal, as 16 words.
    info: [[AtomicU64; SIGINFO_SIZE / 8]; 64],
}

thread_local! {
    /// This thread's recorded signals (touched by the host handler: atomics only, no lazy initialisation).
    static PENDING: Pending = const {
        Pending { bits: AtomicU64::new(0), info: [const { [const { AtomicU64::new(0) }; SIGINFO_SIZE / 8] }; 64] }
    };
    /// The frame address of the last completed rt_sigreturn on this thread (0 when seen).
    static SIGRETURNED: Cell<u64> = const { Cell::new(0) };
    /// The mask rt_sigsuspend replaced: the next frame saves it, so the handler's sigreturn restores it.
    static SUSPENDED_MASK: Cell<Option<u64>> = const { Cell::new(None) };
    /// This thread's CPU state while it runs guest code (null before).
    static CURRENT_STATE: Cell<*mut CpuState> = const { Cell::new(std::ptr::null_mut()) };
}

/// The calling thread's values of the thread-locals above (see `crate::vfork`). The recorded
/// signals are kept as bits and their siginfo words.
pub struct DeliveryThreadLocals {
    pending_bits: u64,
    pending_info: [[u64; SIGINFO_SIZE / 8]; 64],
    sigreturned: u64,
    suspended_mask: Option<u64>,
    current_state: *mut CpuState,
}

impl DeliveryThreadLocals {
    pub fn save() -> Self {
        PENDING.with(|pending| DeliveryThreadLocals {
            pending_bits: pending.bits.load(Ordering::Acquire),
            pending_info: std::array::from_fn(|s| std::array::from_fn(|w| pending.info[s][w].load(Ordering::Relaxed))),
            sigreturned: SIGRETURNED.with(Cell::get),
            suspended_mask: SUSPENDED_MASK.with(Cell::get),
            current_state: CURRENT_STATE.with(Cell::get),
        })
    }

    pub fn restore(&self) {
        PENDING.with(|pending| {
            for (s, words) in self.pending_info.iter().enumerate() {
                for (w, &word) in words.iter().enumerate() {
                    pending.info[s][w].store(word, Ordering::Relaxed);
                }
            }
            pending.bits.store(self.pending_bits, Ordering::Release);
        });
        SIGRETURNED.with(|c| c.set(self.sigreturned));
        SUSPENDED_MASK.with(|c| c.set(self.suspended_mask));
        CURRENT_STATE.with(|c| c.set(self.current_state));
        // The poll word is the thread's too: raised again when something recorded waits, so that the
        // restored code's loops still poll for it.
        set_poll_word(self.pending_bits != 0);
    }

    /// What a new thread starts with: nothing recorded, no state yet.
    pub fn fresh() -> Self {
        DeliveryThreadLocals {
            pending_bits: 0,
            pending_info: [[0; SIGINFO_SIZE / 8]; 64],
            sigreturned: 0,
            suspended_mask: None,
            current_state: std::ptr::null_mut(),
        }
    }
}

/// Records `state` as the CPU state of the guest code this thread runs, for the host handler.
pub fn set_current_state(state: &mut CpuState) {
    CURRENT_STATE.with(|current| current.set(state));
}

/// Whether this thread runs guest code (it has a CPU state).
pub fn has_current_state() -> bool {
    !CURRENT_STATE.with(Cell::get).is_null()
}

/// This thread's CPU state, for code that runs in place of the interrupted guest code (the fault
/// trampoline), where no other reference to it is in use.
fn current_state() -> &'static mut CpuState {
    // SAFETY: set by `run_thread` to the thread's state, which outlives the thread's guest code; the
    // callers run where the interrupted code that borrowed it will never continue.
    unsafe { &mut *CURRENT_STATE.with(Cell::get) }
}

// The thread's poll word, which translated loops test at their back-edges (ARCHITECTURE.md, "Safe
// points"): a thread-local `u32` that translated code reads with the local-exec TLS model, one
// instruction (`cmpl $0, %fs:vmtrans_signal_pending@tpoff`) that needs no register, where a word
// in the CPU state needed the state's pointer in a register on every iteration (or a reload of it
// from a spill slot). Rust has no stable way to give a thread-local a symbol name, so the word is
// defined here in assembly and written with single instructions, which are atomic with respect to
// the signal handler that raises it on the same thread.
core::arch::global_asm!(
    ".pushsection .tbss.vmtrans_signal_pending,\"awT\",@nobits",
    ".globl vmtrans_signal_pending",
    ".hidden vmtrans_signal_pending",
    ".type vmtrans_signal_pending,@object",
    ".size vmtrans_signal_pending,4",
    ".p2align 2",
    "vmtrans_signal_pending:",
    ".zero 4",
    ".popsection",
);

/// Raises (`true`) or clears this thread's poll word (async-signal-safe).
fn set_poll_word(raised: bool) {
    let value = u32::from(raised);
    // SAFETY: one store to this thread's own word, defined above; the asm block is a compiler barrier.
    unsafe {
        core::arch::asm!(
            "movl {value:e}, %fs:vmtrans_signal_pending@tpoff",
            value = in(reg) value,
            options(att_syntax, nostack, preserves_flags),
        );
    }
}

/// Whether this thread's poll word is raised.
#[cfg(test)]
fn poll_word_raised() -> bool {
    let value: u32;
    // SAFETY: one load of this thread's own word.
    unsafe {
        core::arch::asm!(
            "movl %fs:vmtrans_signal_pending@tpoff, {value:e}",
            value = out(reg) value,
            options(att_syntax, nostack, preserves_flags, readonly),
        );
    }
    value != 0
}

/// The mask bit of `signal` (1..=64).
fn bit(signal: u64) -> u64 {
    1u64 << (signal - 1)
}

/// The host signals the runtime keeps for itself: never blocked, never given a guest disposition.
pub fn host_owned_bits() -> u64 {
    sys::HOST_OWNED.iter().fold(0, |mask, &signal| mask | bit(signal))
}

// The host's sigreturn trampoline for handlers installed with the raw rt_sigaction (x86-64: rt_sigreturn is
// system call 15). glibc's sigaction refuses signals 32 and 33, which the guest's glibc uses, so the runtime
// installs its handlers with the raw call and must name its own restorer.
std::arch::global_asm!(
    ".text",
    ".globl vmtrans_host_sigreturn",
    ".type vmtrans_host_sigreturn, @function",
    "vmtrans_host_sigreturn:",
    "mov eax, 15",
    "syscall",
    "ud2",
);

extern "C" {
    fn vmtrans_host_sigreturn();
}

/// The x86-64 kernel's `struct sigaction`.
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

/// The host handler of every signal the guest handles: records the signal and keeps it blocked on the host
/// until it is delivered. Async-signal-safe: atomics and plain stores only.
extern "C" fn on_host_signal(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    let signal = signal as u64;
    if !(1..=64).contains(&signal) {
        return;
    }
    // SAFETY: the kernel's siginfo of an SA_SIGINFO handler.
    unsafe { record_host_siginfo(signal, info) };
    // SAFETY: the kernel passes the interrupted context; the first word of its sigset holds signals 1..=64.
    unsafe {
        let context = context as *mut libc::ucontext_t;
        let mask = std::ptr::addr_of_mut!((*context).uc_sigmask) as *mut u64;
        *mask |= bit(signal);
    }
}

/// Records `signal` (1..=64) for this thread with the host kernel's siginfo, whose layout for
/// signals sent by processes and timers is the AArch64 kernel's too, and raises the thread's
/// pending word. Async-signal-safe: atomics and plain stores only.
///
/// # Safety
/// `info` points to the 128-byte siginfo the kernel passed to an SA_SIGINFO handler.
pub unsafe fn record_host_siginfo(signal: u64, info: *const libc::siginfo_t) {
    PENDING.with(|pending| {
        let slot = &pending.info[signal as usize - 1];
        let words = info as *const u64;
        for (i, word) in slot.iter().enumerate() {
            // SAFETY: the caller's siginfo is 128 bytes.
            word.store(unsafe { words.add(i).read_unaligned() }, Ordering::Relaxed);
        }
        pending.bits.fetch_or(bit(signal), Ordering::Release);
    });
    // Its translated loops leave for a safe point at their next back-edge.
    set_poll_word(true);
}

/// Sets the host disposition of `signal` for the guest's `action`: its default, ignored, or the recording
/// handler. The fault signals keep the runtime's handler unless the guest ignores them (`fault::set_guest_ignores`).
pub fn mirror_disposition(signal: u64, action: &GuestSigaction) {
    sync_fault::note_guest_action(
        signal,
        !matches!(action.handler, sys::SIG_DFL | sys::SIG_IGN),
        action.handler == sys::SIG_IGN,
    );
    if signal == 0 || signal > 64 {
        return;
    }
    if host_owned_bits() & bit(signal) != 0 {
        crate::fault::set_guest_ignores(signal as i32, action.handler == sys::SIG_IGN);
        return;
    }
    let (handler, flags) = match action.handler {
        sys::SIG_DFL => (libc::SIG_DFL, 0),
        sys::SIG_IGN => (libc::SIG_IGN, 0),
        _ => (on_host_signal as *const () as usize, libc::SA_SIGINFO as u64),
    };
    let host = KernelSigaction {
        handler,
        flags: flags | SA_RESTORER,
        restorer: vmtrans_host_sigreturn as *const () as usize,
        mask: !0,
    };
    // SAFETY: a valid kernel sigaction for a signal the runtime does not own.
    unsafe { libc::syscall(libc::SYS_rt_sigaction, signal as i64, &host, 0usize, 8usize) };
}

fn host_sigprocmask(how: i32, set: u64) -> u64 {
    let mut old = 0u64;
    // SAFETY: 8-byte sets, as the kernel's sigsetsize says.
    unsafe { libc::syscall(libc::SYS_rt_sigprocmask, how, &set, &mut old, 8usize) };
    old
}

/// Makes the host mask the guest's blocked mask plus the signals recorded and not yet delivered.
pub fn sync_host_mask() {
    // Block everything first, so that no recording handler runs between reading the pending bits and
    // setting the mask (it would then be unblocked while recorded, and a second instance could overwrite it).
    block_all_on_host();
    let pending = PENDING.with(|p| p.bits.load(Ordering::Acquire));
    host_sigprocmask(libc::SIG_SETMASK, (sys::blocked_mask() | pending) & !host_owned_bits());
}

/// Blocks every signal but the runtime's own on the host (until the next `sync_host_mask`).
pub fn block_all_on_host() {
    host_sigprocmask(libc::SIG_BLOCK, !host_owned_bits());
}

/// Records `signal`, sent by the guest to itself with si_code `code`, without the host (the runtime's own
/// host signals); delivered like any other.
pub fn record_sent_to_self(signal: u64, code: i32) {
    let mut info = [0u8; SIGINFO_SIZE];
    // SAFETY: getpid and getuid have no preconditions.
    let (pid, uid) = unsafe { (libc::getpid() as u32 as u64, libc::getuid() as u64) };
    info[0..8].copy_from_slice(&signal.to_le_bytes());
    info[8..16].copy_from_slice(&(code as u32 as u64).to_le_bytes());
    info[16..24].copy_from_slice(&(pid | uid << 32).to_le_bytes());
    record_with_info(signal, &info);
}

/// Delivers a synchronous signal raised by the guest instruction at `state.pc` (exact state) to the
/// guest's handler, with si_code `code` and si_addr `addr`: false (nothing done) when the guest has no
/// handler for it or blocks it, where the kernel would kill the process.
pub fn deliver_synchronous(state: &mut CpuState, signal: i32, code: i32, addr: u64) -> bool {
    let signal_bit = bit(signal as u64);
    if !sync_fault::guest_handles(signal) || sys::blocked_mask() & signal_bit != 0 {
        return false;
    }
    let mut info = [0u8; SIGINFO_SIZE];
    info[0..4].copy_from_slice(&signal.to_le_bytes());
    info[8..12].copy_from_slice(&code.to_le_bytes());
    info[16..24].copy_from_slice(&addr.to_le_bytes());
    record_with_info(signal as u64, &info);
    deliver_pending(state, None);
    true
}

/// Records `signal` for this thread with the siginfo `info`, delivered like any other.
pub fn record_with_info(signal: u64, info: &[u8; SIGINFO_SIZE]) {
    PENDING.with(|pending| {
        for (word, chunk) in pending.info[signal as usize - 1].iter().zip(info.chunks_exact(8)) {
            word.store(u64::from_le_bytes(chunk.try_into().unwrap_or_default()), Ordering::Relaxed);
        }
        pending.bits.fetch_or(bit(signal), Ordering::Release);
    });
}

/// The host mask for waiting with the guest mask `guest_mask` (rt_sigsuspend).
pub fn host_wait_mask(guest_mask: u64) -> u64 {
    (guest_mask | PENDING.with(|p| p.bits.load(Ordering::Acquire))) & !host_owned_bits()
}

/// Makes a host call that waits with the guest's temporary mask `mask` in force, as the kernel does for the
/// sigmask argument of ppoll, pselect6 and epoll_pwait: the host call gets the host mask for `mask` (it
/// swaps masks and waits in one step), and a recorded signal `mask` lets through ends the wait at once
/// with EINTR. When the wait ends that way, the handler runs with `mask` in force and its sigreturn
/// restores the previous mask; otherwise the previous mask is back as soon as the call returns.
pub fn wait_with_mask(mask: Option<u64>, call: impl FnOnce(*const u64) -> i64) -> Result<u64, crate::errno::Errno> {
    use crate::errno::{host_result, Errno};
    let Some(mask) = mask else { return host_result(call(std::ptr::null())) };
    let temporary = mask & !sys::UNBLOCKABLE;
    let previous = sys::blocked_mask();
    // With every signal blocked, no recording handler runs between the check and the wait.
    block_all_on_host();
    let result = if recorded() & !temporary != 0 {
        Err(Errno(libc::EINTR))
    } else {
        let host_mask = host_wait_mask(temporary);
        host_result(call(&host_mask))
    };
    if result == Err(Errno(libc::EINTR)) && recorded() & !temporary != 0 {
        sys::set_blocked_mask(temporary);
        set_suspended_mask(previous);
    }
    sync_host_mask();
    result
}

/// The recorded signals of this thread.
pub fn recorded() -> u64 {
    PENDING.with(|p| p.bits.load(Ordering::Acquire))
}

/// Whether a recorded signal is not blocked (cheap: a safe point asks this first).
pub fn has_deliverable() -> bool {
    let bits = recorded();
    bits != 0 && bits & !sys::blocked_mask() != 0
}

/// Takes the lowest recorded signal in `allowed`, with its siginfo.
pub fn take_recorded(allowed: u64) -> Option<(u64, [u8; SIGINFO_SIZE])> {
    PENDING.with(|pending| {
        let ready = pending.bits.load(Ordering::Acquire) & allowed;
        if ready == 0 {
            return None;
        }
        let signal = ready.trailing_zeros() as u64 + 1;
        let mut info = [0u8; SIGINFO_SIZE];
        for (i, word) in pending.info[signal as usize - 1].iter().enumerate() {
            info[i * 8..i * 8 + 8].copy_from_slice(&word.load(Ordering::Relaxed).to_le_bytes());
        }
        pending.bits.fetch_and(!bit(signal), Ordering::AcqRel);
        Some((signal, info))
    })
}

/// In a forked child: pending signals are not inherited.
pub fn after_fork_in_child() {
    PENDING.with(|p| p.bits.store(0, Ordering::Release));
    sync_host_mask();
}

/// Records that rt_sigsuspend replaced the mask `previous`, for the frame of the signal that ends the wait.
pub fn set_suspended_mask(previous: u64) {
    SUSPENDED_MASK.with(|saved| saved.set(Some(previous)));
}

/// The system call a safe point follows, for SA_RESTART.
#[derive(Clone, Copy, Debug)]
pub struct SyscallSite {
    pub number: u64,
    /// x0 before the call (the call's result has replaced it).
    pub first_arg: u64,
    /// The SVC's address.
    pub svc_pc: u64,
}

/// Whether system call `number`, interrupted by a handler with SA_RESTART, is made again (signal(7)).
pub fn is_restartable(number: u64) -> bool {
    matches!(
        number,
        25 // fcntl (F_SETLKW)
            | 29 // ioctl
            | 32 // flock
            | 56 // openat (FIFOs)
            | 63..=68 // read, write, readv, writev, pread64, pwrite64
            | 71 // sendfile
            | 95 // waitid
            | 98 // futex
            | 202 | 242 // accept, accept4
            | 206..=212 // sendto, recvfrom, setsockopt, getsockopt, shutdown, sendmsg, recvmsg
            | 260 // wait4
            | 278 // getrandom
    )
}

const EINTR: i64 = libc::EINTR as i64;

/// Delivers every recorded signal the guest does not block, one after the other, each handler running to
/// its rt_sigreturn. After a system call, `site` describes it. Returns whether the first frame resumes at
/// the SVC (the call is to be made again once the handlers are done).
pub fn deliver_pending(state: &mut CpuState, mut site: Option<SyscallSite>) -> bool {
    let mut restart = false;
    while !thread::is_exiting(state) {
        let Some((signal, info)) = take_recorded(!sys::blocked_mask()) else { break };
        let action = sys::guest_action(signal);
        match action.handler {
            sys::SIG_IGN => {
                sync_host_mask();
                continue;
            }
            sys::SIG_DFL => {
                if sys::default_is_fatal(signal) {
                    dispatch::before_exit();
                    dispatch::die_by_signal(signal as i32);
                }
                sync_host_mask();
                continue;
            }
            _ => {}
        }
        if let Some(site) = site.take() {
            if state.x[0] as i64 == -EINTR && action.flags & SA_RESTART != 0 && is_restartable(site.number) {
                state.pc = site.svc_pc;
                state.x[0] = site.first_arg;
                restart = true;
            }
        }
        run_handler(state, signal, &info, &action);
    }
    if let Some(previous) = SUSPENDED_MASK.with(Cell::take) {
        sys::set_blocked_mask(previous);
        sync_host_mask();
    }
    restart
}

/// `deliver_pending` with no system call to restart, for a caller that goes on with registers the
/// state does not hold: true when the handlers left the guest context as they found it. The frames
/// hold FPSR with the host's flags folded in, so they are folded into the state first (a handler
/// that leaves its context alone then gives back exactly this state).
pub fn deliver_pending_unchanged(state: &mut CpuState) -> bool {
    crate::fpenv::fold_flags(state);
    let before = state.clone();
    deliver_pending(state, None);
    state.same_guest_registers(&before)
}

/// Builds the frame of `signal` for the interrupted `state` and runs the guest handler until its
/// rt_sigreturn (or until the thread exits; a handler that never returns keeps running here).
fn run_handler(state: &mut CpuState, signal: u64, info: &[u8; SIGINFO_SIZE], action: &GuestSigaction) {
    let current_mask = sys::blocked_mask();
    let saved_mask = SUSPENDED_MASK.with(Cell::take).unwrap_or(current_mask);
    let alt = sys::alt_stack();
    let use_alt = action.flags & SA_ONSTACK != 0 && alt.reported_flags(state.sp) == 0;
    let place = frame::place(if use_alt { alt.sp + alt.size } else { state.sp });
    // The frame holds the whole FPSR; the handler starts with the interrupted FPCR and FPSR, as on Linux.
    crate::fpenv::fold_flags(state);
    if frame::write(place, state, info, saved_mask, &alt).is_err() {
        // The kernel cannot write the frame either: it forces SIGSEGV.
        eprintln!("vmtrans: cannot write the frame of signal {signal} at guest address {:#x}", place.frame);
        dispatch::before_exit();
        dispatch::die_by_signal(libc::SIGSEGV);
    }
    if action.flags & SA_RESETHAND != 0 {
        sys::reset_to_default(signal);
    }
    let mut handler_mask = current_mask | action.mask;
    if action.flags & SA_NODEFER == 0 {
        handler_mask |= bit(signal);
    }
    sys::set_blocked_mask(handler_mask & !sys::UNBLOCKABLE);
    sync_host_mask();
    state.x[0] = signal;
    state.x[1] = place.frame;
    state.x[2] = place.frame + SIGINFO_SIZE as u64;
    state.sp = place.frame;
    state.x[29] = place.record;
    state.x[30] = if action.flags & SA_RESTORER != 0 { action.restorer } else { sigreturn_trampoline() };
    state.pc = action.handler;
    let handler_stack = if use_alt { (alt.sp, alt.sp + alt.size) } else { (0, place.record) };
    run_until_sigreturn(state, place.frame, handler_stack);
}

/// Runs guest code until the rt_sigreturn of the frame at `frame` has completed. The handler runs with
/// its stack pointer inside `handler_stack` (low, high]; once it is outside, the handler has left by
/// siglongjmp (or switched stacks) and the interrupted code will not be resumed from here: the host
/// frames between this loop and the thread's checkpoint are abandoned, and guest code goes on from the
/// thread's main loop (`sync_fault`), so that a program that leaves many handlers this way does not
/// pile host frames up.
fn run_until_sigreturn(state: &mut CpuState, frame: u64, handler_stack: (u64, u64)) {
    // A frame a handler left by siglongjmp may have been sigreturned later from the main loop, with no
    // one waiting: that must not pass for this frame's return.
    SIGRETURNED.with(|done| done.set(0));
    loop {
        if SIGRETURNED.with(Cell::get) == frame {
            SIGRETURNED.with(|done| done.set(0));
            return;
        }
        if thread::is_exiting(state) {
            return;
        }
        if !(handler_stack.0 < state.sp && state.sp <= handler_stack.1) {
            sync_fault::abandon_to_checkpoint();
        }
        if has_deliverable() {
            deliver_pending(state, None);
            continue;
        }
        dispatch::step(state);
    }
}

/// rt_sigreturn: restores the state and the mask from the frame at sp. The result is the restored state,
/// not a value in x0.
pub fn sigreturn(state: &mut CpuState) {
    let frame = state.sp;
    match frame::restore(state, frame) {
        Ok(mask) => {
            // The restored FPCR and FPSR replace the handler's.
            crate::fpenv::load(state);
            sys::set_blocked_mask(mask & !sys::UNBLOCKABLE);
            sync_host_mask();
            SIGRETURNED.with(|done| done.set(frame));
        }
        Err(_) => {
            eprintln!("vmtrans: rt_sigreturn found no valid signal frame at guest address {frame:#x}");
            dispatch::before_exit();
            dispatch::die_by_signal(libc::SIGSEGV);
        }
    }
}

/// A safe point between guest code: delivers what is deliverable.
#[inline]
pub fn safe_point(state: &mut CpuState) {
    // Cleared first: a signal recorded from here on raises it again. One recorded but blocked
    // waits for the safe point after the system call that unblocks it, not for loops to poll.
    set_poll_word(false);
    if has_deliverable() {
        deliver_pending(state, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_sent_to_self_is_recorded_with_the_kernel_siginfo_layout() {
        record_sent_to_self(libc::SIGFPE as u64, -6);
        assert_eq!(recorded() & bit(libc::SIGFPE as u64), bit(libc::SIGFPE as u64));
        assert_eq!(take_recorded(0), None, "nothing is taken outside the allowed set");
        let (signal, info) = take_recorded(!0).expect("the signal is recorded");
        assert_eq!(signal, libc::SIGFPE as u64);
        let word = |at: usize| i32::from_le_bytes(info[at..at + 4].try_into().unwrap());
        assert_eq!((word(0), word(8), word(16)), (libc::SIGFPE, -6, std::process::id() as i32));
        assert_eq!(recorded(), 0);
    }

    #[test]
    fn recording_a_signal_raises_this_threads_poll_word_only() {
        std::thread::spawn(|| {
            assert!(!poll_word_raised(), "a new thread starts with its word clear");
            // SAFETY: an all-zero siginfo is a valid one, 128 bytes long.
            unsafe { record_host_siginfo(libc::SIGUSR2 as u64, &std::mem::zeroed()) };
            assert!(poll_word_raised());
            std::thread::spawn(|| assert!(!poll_word_raised(), "another thread's word is its own")).join().unwrap();
            set_poll_word(false);
            assert!(!poll_word_raised());
            DeliveryThreadLocals::save().restore();
            assert!(poll_word_raised(), "restoring recorded signals raises the word again");
            let _ = take_recorded(!0);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn restartable_calls_follow_signal_7() {
        assert!(is_restartable(63) && is_restartable(260) && is_restartable(98));
        assert!(!is_restartable(101) && !is_restartable(73) && !is_restartable(133));
    }
}

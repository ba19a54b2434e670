//! vfork, that is clone(CLONE_VM | CLONE_VFORK): the child runs in the parent's address space, on a
//! host stack of its own, while the calling thread waits, as the kernel's vfork does.
//!
//! A vfork child shares the guest memory with its parent, so what it stores before it calls execve or
//! exits is what the parent then sees: posix_spawn's child reports a failed execve that way (the
//! parent's posix_spawn returns ENOENT), and programs that use vfork directly rely on it too. The
//! host's clone(CLONE_VM | CLONE_VFORK) gives exactly that: the child is a new process in the same host
//! address space, and the calling thread sleeps in the kernel until the child has called execve or
//! exited. The child runs the runtime's guest loop on a stack mapped for it, with a copy of the
//! caller's CPU state (x0 = 0, and sp and TPIDR_EL0 as clone asked).
//!
//! The child has no thread-local storage of its own: glibc's clone gives a CLONE_VM child without
//! CLONE_SETTLS its caller's thread pointer, so the runtime's thread-locals the child uses are its
//! caller's. They are saved before the clone and restored after it, and the child starts with fresh
//! values (nothing recorded, no robust list, no fault checkpoint). Process-wide state the child must
//! not change under its parent is kept apart: the child works on a copy of the signal actions (the
//! kernel copies them; posix_spawn's child resets every handler), and `exit` and `exit_group` in the
//! child end just the child, leaving the count of live guest threads and the statistics printed at
//! exit to the parent (`in_child` tells the child apart).

use std::sync::atomic::{AtomicI32, Ordering};

use vmtrans_ir::a64::CpuState;

use crate::errno::{Errno, SysResult, EAGAIN};
use crate::memory;
use crate::signal::sync_fault::FaultThreadLocals;
use crate::signal::DeliveryThreadLocals;
use crate::syscall::signal::SignalThreadLocals;
use crate::thread::{self, ThreadLocals};

/// The host stack of a vfork child: as deep as a guest thread's, since guest calls nest host frames.
const CHILD_STACK: usize = thread::GUEST_THREAD_STACK;

/// The host tid of the vfork child running now, 0 when none (the calling thread is asleep meanwhile,
/// so there is at most one per thread; a nested vfork saves and restores its parent's).
static CHILD_TID: AtomicI32 = AtomicI32::new(0);

/// Whether the calling task is a vfork child (whose `exit` must end it alone and touch nothing of
/// its parent's process-wide state).
pub fn in_child() -> bool {
    let child = CHILD_TID.load(Ordering::SeqCst);
    child != 0 && child as u64 == thread::host_tid()
}

/// What the child needs from its parent; it lives on the parent's host stack, which stays put while
/// the parent waits.
struct ChildStart {
    state: CpuState,
    /// CLONE_CHILD_SETTID's word, and CLONE_CHILD_CLEARTID's.
    set_tid: Option<u64>,
    clear_tid: Option<u64>,
    /// The calling thread's host signal mask, which the child starts with.
    host_mask: libc::sigset_t,
}

/// The calling thread's runtime thread-locals, which the child borrows (see the module comment).
struct SavedThreadLocals {
    thread: ThreadLocals,
    signal: SignalThreadLocals,
    delivery: DeliveryThreadLocals,
    fault: FaultThreadLocals,
}

impl SavedThreadLocals {
    fn save() -> Self {
        SavedThreadLocals {
            thread: ThreadLocals::save(),
            signal: SignalThreadLocals::save(),
            delivery: DeliveryThreadLocals::save(),
            fault: FaultThreadLocals::save(),
        }
    }

    fn restore(&self) {
        self.thread.restore();
        self.signal.restore();
        self.delivery.restore();
        self.fault.restore();
    }
}

/// A mapping for the child's host stack, unmapped when dropped.
struct HostStack {
    base: *mut libc::c_void,
    len: usize,
}

impl HostStack {
    fn new(len: usize) -> Result<HostStack, Errno> {
        // SAFETY: a fresh anonymous mapping wherever the host puts it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(EAGAIN);
        }
        Ok(HostStack { base, len })
    }

    /// The initial stack pointer (stacks grow down), 16-byte aligned.
    fn top(&self) -> *mut libc::c_void {
        // SAFETY: one past the end of the mapping, which is page aligned.
        unsafe { self.base.cast::<u8>().add(self.len).cast() }
    }
}

impl Drop for HostStack {
    fn drop(&mut self) {
        // SAFETY: the mapping is ours and no task runs on it any more (the child has exited or
        // replaced its address space by execve before the parent wakes).
        unsafe { libc::munmap(self.base, self.len) };
    }
}

/// The tid words a vfork child writes (CLONE_CHILD_SETTID) and clears at exit (CLONE_CHILD_CLEARTID).
pub struct VforkTids {
    pub set_tid: Option<u64>,
    pub clear_tid: Option<u64>,
}

/// clone with CLONE_VM | CLONE_VFORK (see the module comment). `flags`' low byte is the signal the
/// child's exit sends its parent.
pub fn vfork(state: &CpuState, flags: u64, child_sp: Option<u64>, tls: Option<u64>, tids: VforkTids) -> SysResult {
    let mut child = state.clone();
    child.x[0] = 0;
    if let Some(sp) = child_sp {
        child.sp = sp;
    }
    if let Some(tls) = tls {
        child.tpidr_el0 = tls;
    }
    // The exclusive monitor does not survive into another process.
    child.excl_addr = u64::MAX;
    let stack = HostStack::new(CHILD_STACK)?;
    // Host signals wait until the thread-locals are this thread's again: a handler that ran on the
    // way out of clone would record into the child's values, which the restore then overwrites.
    // SAFETY: plain signal-mask calls on sets that live here.
    let host_mask = unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
        old
    };
    let mut start = ChildStart { state: child, set_tid: tids.set_tid, clear_tid: tids.clear_tid, host_mask };
    let saved = SavedThreadLocals::save();
    crate::syscall::signal::copy_actions_for_vfork_child();
    crate::signal::sync_fault::copy_handled_for_vfork_child();
    let previous_child = CHILD_TID.load(Ordering::SeqCst);
    let exit_signal = (flags & 0xff) as libc::c_int;
    // SAFETY: the child runs `child_main` on its own stack with `start`, which outlives it (this
    // thread sleeps until the child has exited or called execve); CLONE_VFORK makes the wait.
    let pid = unsafe {
        libc::clone(
            child_main,
            stack.top(),
            libc::CLONE_VM | libc::CLONE_VFORK | exit_signal,
            std::ptr::addr_of_mut!(start).cast(),
        )
    };
    let host_error = std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EAGAIN);
    saved.restore();
    CHILD_TID.store(previous_child, Ordering::SeqCst);
    // SAFETY: as above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &host_mask, std::ptr::null_mut()) };
    drop(stack);
    if pid < 0 {
        return Err(Errno(host_error));
    }
    Ok(pid as u64)
}

/// The child's host entry: runs the guest from the copied state; its exit or execve ends it.
extern "C" fn child_main(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `vfork` passes its `ChildStart`, which stays valid while its thread sleeps.
    let start = unsafe { &mut *arg.cast::<ChildStart>() };
    let tid = thread::host_tid();
    CHILD_TID.store(tid as i32, Ordering::SeqCst);
    // SAFETY: the mask is a copy the parent made; this sets the child's own mask.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &start.host_mask, std::ptr::null_mut()) };
    ThreadLocals::fresh(start.clear_tid.unwrap_or(0)).restore();
    DeliveryThreadLocals::fresh().restore();
    FaultThreadLocals::fresh().restore();
    if let Some(addr) = start.set_tid {
        let _ = memory::write_u32(addr, tid as u32);
    }
    crate::dispatch::run_thread(&mut start.state);
    // The guest's exit ends the child before this; a thread that unwound out of the loop ends here.
    // SAFETY: _exit ends the child at once, touching nothing its parent shares.
    unsafe { libc::_exit(0) }
}

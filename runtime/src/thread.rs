//! Guest threads: one host thread per guest thread, each with its own boxed CPU state. A thread clone
//! (CLONE_VM|CLONE_THREAD...) starts a host thread that runs the same loop as the first guest thread; `exit`
//! from a thread that is not the last ends only that thread. This module keeps what is per thread (the
//! clear-child-tid word, the robust list head, the exit mark) and what the threads share (how many live).
//!
//! How a thread leaves: `exit` marks the thread as exiting and sets the state's pc to `THREAD_EXIT_PC`, an
//! address outside the guest space that no guest call can return to. Translated code checks the pc after
//! every system call and returns from its host frame when it is not the address after the SVC, and so does
//! every translated frame above it; the runtime's loops (`dispatch::run_thread`, `vmtrans_call`,
//! `vmtrans_dispatch`) stop when `is_exiting` says so. The thread's run loop then releases the
//! robust futexes the thread still holds (`robust`), clears the clear-child-tid word, wakes a futex waiter
//! on it (what pthread_join waits for) and ends the host thread.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use vmtrans_ir::a64::CpuState;

use crate::errno::{SysResult, EAGAIN};
use crate::memory::{self, host_ptr};

/// The pc of a guest thread that is exiting: outside the guest space, so never a guest return address.
pub const THREAD_EXIT_PC: u64 = 0xffff_dead_0000_0000;
/// The host stack of each guest thread: translated code nests host frames per guest call, so deep guest
/// recursion needs a deep host stack (the reservation is lazy; untouched pages cost nothing).
pub const GUEST_THREAD_STACK: usize = 256 << 20;
/// The host stack of the first guest thread (as large as before threads existed).
pub const MAIN_THREAD_STACK: usize = 1 << 30;

/// The guest threads alive (the first one counts from the start).
static LIVE_THREADS: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// Whether this thread called `exit` and is unwinding its host frames.
    static EXITING: Cell<bool> = const { Cell::new(false) };
    /// The guest word to clear and wake when this thread exits (set_tid_address, CLONE_CHILD_CLEARTID).
    static CLEAR_CHILD_TID: Cell<u64> = const { Cell::new(0) };
    /// The robust futex list head and its length, as set_robust_list recorded them.
    static ROBUST_LIST: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// Whether the thread owning `state` has called `exit` and must stop running guest code.
pub fn is_exiting(state: &CpuState) -> bool {
    state.pc == THREAD_EXIT_PC && EXITING.with(Cell::get)
}

/// Records where this thread's tid is cleared at exit.
pub fn set_clear_child_tid(addr: u64) {
    CLEAR_CHILD_TID.with(|word| word.set(addr));
}

/// Records this thread's robust list (head, length).
pub fn set_robust_list(head: u64, len: u64) {
    ROBUST_LIST.with(|list| list.set((head, len)));
}

/// This thread's robust list (head, length) as last recorded.
pub fn robust_list() -> (u64, u64) {
    ROBUST_LIST.with(Cell::get)
}

/// The host thread id of the caller.
pub fn host_tid() -> u64 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::syscall(libc::SYS_gettid) as u64 }
}

/// `exit` from the thread owning `state`: the last thread ends the process with its own status (what a
/// Linux host reports, checked natively and under qemu even when the group leader exited first with
/// another status); any other thread is marked as exiting and leaves through its run loop. Returns when
/// the thread must unwind.
pub fn exit_thread(state: &mut CpuState, status: u64, end_process: fn(u64) -> !) {
    if LIVE_THREADS.fetch_sub(1, Ordering::SeqCst) == 1 {
        end_process(status);
    }
    EXITING.with(|exiting| exiting.set(true));
    state.pc = THREAD_EXIT_PC;
}

/// The last duties of an exiting thread, in the kernel's order: release the robust futexes it still owns
/// (see `robust`), then write 0 to the clear-child-tid word and wake one waiter on it (a shared futex wake,
/// as the kernel's).
pub fn finish_thread() {
    let (head, _) = robust_list();
    crate::robust::exit_robust_list(&crate::robust::GuestMemory, head, host_tid() as u32);
    let addr = CLEAR_CHILD_TID.with(|word| word.replace(0));
    if addr == 0 || memory::write_u32(addr, 0).is_err() {
        return;
    }
    if let Ok(word) = host_ptr(addr, 4) {
        // SAFETY: the word lies inside the guest space and was just written.
        unsafe { libc::syscall(libc::SYS_futex, word, libc::FUTEX_WAKE, 1, 0usize, 0usize, 0u32) };
    }
}

/// The calling thread's values of the thread-locals above (see `crate::vfork`).
#[derive(Clone, Copy)]
pub struct ThreadLocals {
    exiting: bool,
    clear_child_tid: u64,
    robust_list: (u64, u64),
}

impl ThreadLocals {
    pub fn save() -> Self {
        ThreadLocals {
            exiting: EXITING.with(Cell::get),
            clear_child_tid: CLEAR_CHILD_TID.with(Cell::get),
            robust_list: ROBUST_LIST.with(Cell::get),
        }
    }

    pub fn restore(self) {
        EXITING.with(|c| c.set(self.exiting));
        CLEAR_CHILD_TID.with(|c| c.set(self.clear_child_tid));
        ROBUST_LIST.with(|c| c.set(self.robust_list));
    }

    /// What a new thread starts with: not exiting, no robust list (the kernel does not copy it),
    /// and the clear-child-tid word it was given.
    pub fn fresh(clear_child_tid: u64) -> Self {
        ThreadLocals { exiting: false, clear_child_tid, robust_list: (0, 0) }
    }
}

/// What a thread clone asks for, beyond the new state.
pub struct CloneRequest {
    /// Where to store the new tid in the parent (CLONE_PARENT_SETTID), and in the child (CLONE_CHILD_SETTID).
    pub parent_tid: Option<u64>,
    pub child_tid: Option<u64>,
    /// The word the child clears at exit (CLONE_CHILD_CLEARTID).
    pub clear_child_tid: Option<u64>,
}

/// Starts a guest thread with state `child` and returns its tid once the child knows it and has written
/// the requested tid words (as the kernel does before clone returns).
pub fn spawn(child: CpuState, request: CloneRequest, run: fn(&mut CpuState)) -> SysResult {
    let blocked = crate::syscall::signal::blocked_mask();
    let (started_tx, started_rx) = mpsc::sync_channel::<u64>(1);
    LIVE_THREADS.fetch_add(1, Ordering::SeqCst);
    let spawned = std::thread::Builder::new().name("guest".into()).stack_size(GUEST_THREAD_STACK).spawn(move || {
        let tid = host_tid();
        crate::syscall::signal::set_blocked_mask(blocked);
        crate::signal::sync_host_mask();
        for addr in [request.parent_tid, request.child_tid].into_iter().flatten() {
            let _ = memory::write_u32(addr, tid as u32);
        }
        if let Some(addr) = request.clear_child_tid {
            set_clear_child_tid(addr);
        }
        let _ = started_tx.send(tid);
        drop(started_tx);
        let _alt_stack = crate::fault::ThreadAltStack::new();
        let mut state = Box::new(child);
        run(&mut state);
        finish_thread();
    });
    if spawned.is_err() {
        LIVE_THREADS.fetch_sub(1, Ordering::SeqCst);
        return Err(EAGAIN);
    }
    started_rx.recv().map_err(|_| EAGAIN)
}

/// In a forked child: the calling thread is the only thread of the new process.
pub fn after_fork_in_child() {
    LIVE_THREADS.store(1, Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_pc_is_no_guest_address() {
        assert!(!memory::in_guest_space(THREAD_EXIT_PC, 4));
        assert_eq!(THREAD_EXIT_PC % 4, 0);
        let mut state = CpuState::default();
        state.pc = THREAD_EXIT_PC;
        assert!(!is_exiting(&state), "the pc alone does not mark a thread as exiting");
    }

    #[test]
    fn robust_lists_and_clear_words_are_per_thread() {
        set_robust_list(0x1000, 24);
        set_clear_child_tid(0x2000);
        std::thread::spawn(|| {
            assert_eq!(robust_list(), (0, 0));
            assert_eq!(CLEAR_CHILD_TID.with(Cell::get), 0);
        })
        .join()
        .unwrap();
        assert_eq!(robust_list(), (0x1000, 24));
        set_clear_child_tid(0);
    }
}

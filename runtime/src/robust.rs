//! Robust futexes at thread exit, done by the runtime as the Linux kernel does them (`exit_robust_list` and
//! `handle_futex_death` in kernel/futex/core.c). The guest's robust list lives in guest memory with guest
//! pointers, so the host kernel cannot walk it: set_robust_list only records it (see `thread`), and when a
//! guest thread exits, this walk marks every futex word still owned by the thread's tid as FUTEX_OWNER_DIED
//! and wakes a waiter, so that the next pthread_mutex_lock of a robust mutex answers EOWNERDEAD instead of
//! waiting forever.
//!
//! The list: `struct robust_list_head { next; long futex_offset; list_op_pending; }` (24 bytes on AArch64);
//! each entry is a `struct robust_list { next; }` whose futex word lies at `entry + futex_offset`; bit 0 of a
//! pointer marks a PI futex. The list is circular: it ends when `next` comes back to the head.

use std::sync::atomic::{AtomicU32, Ordering};

/// The owner's tid in a futex word.
const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
/// Set when the owner died without unlocking.
const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
/// Set when some thread waits in the kernel.
const FUTEX_WAITERS: u32 = 0x8000_0000;
/// The most entries walked, as the kernel's ROBUST_LIST_LIMIT (a guard against circular lists).
const ROBUST_LIST_LIMIT: usize = 2048;

/// How the walk reaches guest memory: reads of pointer words, and the futex words as host atomics.
pub trait RobustMemory {
    /// The 64-bit word at guest address `addr`, or None when it cannot be read.
    fn read_u64(&self, addr: u64) -> Option<u64>;
    /// The futex word at guest address `addr` (4-byte aligned, writable), or None.
    fn futex_word(&self, addr: u64) -> Option<&AtomicU32>;
    /// Wakes one waiter on the futex word (a shared wake, as the kernel's).
    fn wake_one(&self, word: &AtomicU32);
}

/// Marks the futex word at `addr` as left by a dead owner when `tid` owns it, waking a waiter as the kernel
/// does (PI futexes are woken by the host kernel's own PI-state cleanup). A pending operation on a free
/// non-PI word wakes a waiter that may have missed its wake-up.
fn handle_futex_death(memory: &impl RobustMemory, addr: u64, tid: u32, pi: bool, pending: bool) {
    if addr % 4 != 0 {
        return;
    }
    let Some(word) = memory.futex_word(addr) else {
        return;
    };
    let mut value = word.load(Ordering::SeqCst);
    loop {
        if pending && !pi && value == 0 {
            memory.wake_one(word);
            return;
        }
        if value & FUTEX_TID_MASK != tid {
            return;
        }
        let marked = (value & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        match word.compare_exchange(value, marked, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => break,
            Err(current) => value = current,
        }
    }
    if !pi && value & FUTEX_WAITERS != 0 {
        memory.wake_one(word);
    }
}

/// Walks the robust list at `head` of the exiting thread `tid`.
pub fn exit_robust_list(memory: &impl RobustMemory, head: u64, tid: u32) {
    if head == 0 {
        return;
    }
    let (Some(first), Some(offset), Some(pending)) =
        (memory.read_u64(head), memory.read_u64(head.wrapping_add(8)), memory.read_u64(head.wrapping_add(16)))
    else {
        return;
    };
    let futex_of = |entry: u64| (entry & !1).wrapping_add(offset);
    let pending_entry = pending & !1;
    let mut entry = first;
    for _ in 0..ROBUST_LIST_LIMIT {
        if entry & !1 == head {
            break;
        }
        let next = memory.read_u64(entry & !1);
        if entry & !1 != pending_entry {
            handle_futex_death(memory, futex_of(entry), tid, entry & 1 != 0, false);
        }
        match next {
            Some(next) => entry = next,
            None => break,
        }
    }
    if pending_entry != 0 {
        handle_futex_death(memory, futex_of(pending), tid, pending & 1 != 0, true);
    }
}

/// The guest address space as the walk sees it.
pub struct GuestMemory;

impl RobustMemory for GuestMemory {
    fn read_u64(&self, addr: u64) -> Option<u64> {
        crate::memory::read_u64(addr).ok()
    }

    fn futex_word(&self, addr: u64) -> Option<&AtomicU32> {
        // Checks that the word is mapped writable before touching it.
        crate::memory::check_writable(addr, 4).ok()?;
        let pointer = crate::memory::host_ptr(addr, 4).ok()?;
        // SAFETY: a 4-byte aligned, mapped, writable word of the guest space, which lives as long as the
        // process; guest threads access it atomically too.
        Some(unsafe { AtomicU32::from_ptr(pointer.cast()) })
    }

    fn wake_one(&self, word: &AtomicU32) {
        // SAFETY: the word is a valid futex word of this process.
        unsafe { libc::syscall(libc::SYS_futex, word.as_ptr(), libc::FUTEX_WAKE, 1, 0usize, 0usize, 0u32) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A guest memory of 64-bit cells at addresses 0x1000 + 8 * i (futex words in their low halves).
    struct FakeMemory {
        words: Vec<AtomicU32>,
        pointers: Vec<Cell<u64>>,
        wakes: Cell<usize>,
    }

    const BASE: u64 = 0x1000;

    impl FakeMemory {
        fn new(cells: usize) -> FakeMemory {
            FakeMemory {
                words: (0..cells).map(|_| AtomicU32::new(0)).collect(),
                pointers: (0..cells).map(|_| Cell::new(0)).collect(),
                wakes: Cell::new(0),
            }
        }
        fn index(addr: u64) -> usize {
            ((addr - BASE) / 8) as usize
        }
    }

    impl RobustMemory for FakeMemory {
        fn read_u64(&self, addr: u64) -> Option<u64> {
            self.pointers.get(FakeMemory::index(addr)).map(Cell::get)
        }
        fn futex_word(&self, addr: u64) -> Option<&AtomicU32> {
            self.words.get(FakeMemory::index(addr))
        }
        fn wake_one(&self, _word: &AtomicU32) {
            self.wakes.set(self.wakes.get() + 1);
        }
    }

    /// Builds head (cells 0..3, futex_offset 8) -> entry at cell 4 -> entry at cell 6 -> head; each
    /// entry's futex word is the next cell.
    fn two_entry_list(memory: &FakeMemory) -> u64 {
        let cell = |i: u64| BASE + 8 * i;
        memory.pointers[0].set(cell(4));
        memory.pointers[1].set(8);
        memory.pointers[2].set(0);
        memory.pointers[4].set(cell(6));
        memory.pointers[6].set(cell(0));
        cell(0)
    }

    #[test]
    fn owned_words_are_marked_and_waiters_woken() {
        let memory = FakeMemory::new(8);
        let head = two_entry_list(&memory);
        memory.words[5].store(77 | FUTEX_WAITERS, Ordering::SeqCst);
        memory.words[7].store(78, Ordering::SeqCst);
        exit_robust_list(&memory, head, 77);
        assert_eq!(memory.words[5].load(Ordering::SeqCst), FUTEX_WAITERS | FUTEX_OWNER_DIED);
        assert_eq!(memory.words[7].load(Ordering::SeqCst), 78, "another owner's word is left alone");
        assert_eq!(memory.wakes.get(), 1);
    }

    #[test]
    fn the_pending_entry_is_handled_once_and_pi_entries_are_not_woken() {
        let memory = FakeMemory::new(8);
        let head = two_entry_list(&memory);
        memory.pointers[4].set((BASE + 8 * 6) | 1);
        memory.pointers[2].set(BASE + 8 * 4);
        memory.words[5].store(0, Ordering::SeqCst);
        memory.words[7].store(77 | FUTEX_WAITERS, Ordering::SeqCst);
        exit_robust_list(&memory, head, 77);
        assert_eq!(memory.words[7].load(Ordering::SeqCst), FUTEX_WAITERS | FUTEX_OWNER_DIED);
        assert_eq!(memory.wakes.get(), 1, "only the free pending word is woken; the PI one is not");
    }

    #[test]
    fn circular_lists_end_at_the_limit() {
        let memory = FakeMemory::new(8);
        let head = two_entry_list(&memory);
        memory.pointers[6].set(BASE + 8 * 4);
        memory.words[5].store(77, Ordering::SeqCst);
        exit_robust_list(&memory, head, 77);
        assert_eq!(memory.words[5].load(Ordering::SeqCst), FUTEX_OWNER_DIED);
    }
}

//! The fallback engine: runs guest code that has no translation (code found only at run time,
//! or reached at an address discovery did not know) by lifting one block at a time with the same
//! lifter as the translator and running it in the IR's reference interpreter. Lifted blocks are
//! cached by address. Every instruction run here is counted for VMTRANS_STATS.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use vmtrans_ir::a64::{lift_block_for_interpreter, CpuState};
use vmtrans_ir::interp::{run_block as interp_block, Env, Exit, Fault};
use vmtrans_ir::{Function, Reg};

use crate::dispatch::{die_by_signal, raise_trap, FALLBACK_BLOCKS, FALLBACK_INSNS};

/// The most instructions lifted into one fallback block.
const MAX_BLOCK: usize = 64;

/// A lifted block and its number of guest instructions.
type CachedBlock = Arc<(Function, usize)>;

type Cache = Mutex<HashMap<u64, CachedBlock>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Locks the block cache (clone holds it across a fork, so that the child never finds it locked).
pub fn lock_cache() -> std::sync::MutexGuard<'static, HashMap<u64, CachedBlock>> {
    cache().lock().unwrap_or_else(|e| e.into_inner())
}

/// Counts the invalidations of cached blocks (IC IVAU), so that each thread can tell whether the
/// blocks its own cache holds are still valid.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Slots of each thread's cache of recent blocks (a power of two).
const THREAD_SLOTS: usize = 1024;

/// A block in a thread's cache: its guest address, the generation it was valid in, and the block.
type ThreadSlot = Option<(u64, u64, CachedBlock)>;

thread_local! {
    /// This thread's direct-mapped cache of the blocks it ran, in front of the shared cache, whose
    /// lock and hash lookup cost more than a block of a few instructions takes to run.
    static THREAD_CACHE: RefCell<Vec<ThreadSlot>> = const { RefCell::new(Vec::new()) };
}

/// The cached block at `pc`: from the thread's cache when it holds it from the current
/// generation, else from the shared cache (and then kept in the thread's).
fn cached_block(pc: u64) -> Option<CachedBlock> {
    // Read before the shared cache: an invalidation removes its blocks first and then moves the
    // generation on, so a block found after this read is stamped with a generation no newer than
    // the one that saw it removed.
    let generation = GENERATION.load(Ordering::Acquire);
    let slot = (pc >> 2) as usize & (THREAD_SLOTS - 1);
    let local = THREAD_CACHE.with_borrow(|slots| match slots.get(slot) {
        Some(Some((at, valid_in, block))) if *at == pc && *valid_in == generation => Some(block.clone()),
        _ => None,
    });
    if local.is_some() {
        return local;
    }
    let shared = lock_cache().get(&pc).cloned()?;
    remember_in_thread(pc, generation, &shared);
    Some(shared)
}

/// Keeps `block` at `pc` in the thread's cache, valid in `generation`.
fn remember_in_thread(pc: u64, generation: u64, block: &CachedBlock) {
    THREAD_CACHE.with_borrow_mut(|slots| {
        if slots.is_empty() {
            slots.resize(THREAD_SLOTS, None);
        }
        slots[(pc >> 2) as usize & (THREAD_SLOTS - 1)] = Some((pc, generation, block.clone()));
    });
}

/// Whether guest range `[addr, addr + bytes)` may be accessed through a host pointer: inside the
/// guest space, and, when guest addresses are host addresses, not below `LOWEST_MAPPABLE`. There the
/// pointer would be null or nearly so, and a Rust access through it undefined behaviour; nothing is
/// mapped so low, so the access is made as a one-byte load in assembly instead, which faults as
/// translated code's access would (the fault handler hands the guest its SIGSEGV; for a store the
/// signal frame's ESR then says read, where the hardware's says write). False when that load does
/// not fault after all, or outside the guest space.
fn accessible(addr: u64, bytes: u64) -> bool {
    if !crate::memory::in_guest_space(addr, bytes) {
        return false;
    }
    if crate::memory::base() != 0 || addr >= crate::memory::LOWEST_MAPPABLE {
        return true;
    }
    // SAFETY: a one-byte load at a host address where the runtime maps nothing; it faults, and the
    // fault goes to the guest as any guest access's does, or it reads a byte and changes nothing.
    unsafe {
        std::arch::asm!("mov {byte}, byte ptr [{addr}]", addr = in(reg) addr, byte = out(reg_byte) _,
            options(nostack, readonly, preserves_flags));
    }
    false
}

/// Reads a guest instruction word, or None outside the guest space.
fn read_insn(addr: u64) -> Option<u32> {
    if addr % 4 != 0 || !accessible(addr, 4) {
        return None;
    }
    // SAFETY: inside the reserved guest region; an unmapped page faults as the guest would.
    Some(unsafe { std::ptr::read_unaligned((crate::memory::base() + addr) as *const u32) })
}

/// The interpreter's view of a guest thread: its state and the guest address space.
struct GuestEnv<'a> {
    state: &'a mut CpuState,
}

fn check(addr: u64, bytes: usize, write: bool) -> Result<*mut u8, Fault> {
    if accessible(addr, bytes as u64) {
        Ok((crate::memory::base() + addr) as *mut u8)
    } else {
        Err(Fault { addr, write })
    }
}

impl Env for GuestEnv<'_> {
    fn reg(&mut self, r: Reg) -> u128 {
        self.state.get(r)
    }
    fn set_reg(&mut self, r: Reg, v: u128) {
        self.state.set(r, v)
    }
    fn load(&mut self, addr: u64, bytes: usize) -> Result<u128, Fault> {
        let p = check(addr, bytes, false)?;
        // SAFETY: inside the guest region; unmapped pages fault like translated code's accesses.
        // Each size is read as its own type (a copy of a variable length is a call of memmove).
        Ok(unsafe {
            match bytes {
                1 => u128::from(*p),
                2 => u128::from(std::ptr::read_unaligned(p as *const u16)),
                4 => u128::from(std::ptr::read_unaligned(p as *const u32)),
                8 => u128::from(std::ptr::read_unaligned(p as *const u64)),
                _ => {
                    let mut buf = [0u8; 16];
                    std::ptr::copy_nonoverlapping(p, buf.as_mut_ptr(), bytes.min(16));
                    u128::from_le_bytes(buf)
                }
            }
        })
    }
    fn store(&mut self, addr: u64, bytes: usize, v: u128) -> Result<(), Fault> {
        let p = check(addr, bytes, true)?;
        // SAFETY: as in `load`.
        unsafe {
            match bytes {
                1 => *p = v as u8,
                2 => std::ptr::write_unaligned(p as *mut u16, v as u16),
                4 => std::ptr::write_unaligned(p as *mut u32, v as u32),
                8 => std::ptr::write_unaligned(p as *mut u64, v as u64),
                _ => std::ptr::copy_nonoverlapping(v.to_le_bytes().as_ptr(), p, bytes.min(16)),
            }
        }
        Ok(())
    }
    fn atomic_update(
        &mut self,
        addr: u64,
        bytes: usize,
        f: &mut dyn FnMut(u128) -> Option<u128>,
    ) -> Result<u128, Fault> {
        use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicU8};
        let p = check(addr, bytes, true)?;
        macro_rules! cas_loop {
            ($atomic:ty, $int:ty) => {{
                // SAFETY: the pointer is inside the guest region and the guest asked for an
                // atomic access of this size there.
                let a = unsafe { <$atomic>::from_ptr(p as *mut $int) };
                let mut old = a.load(Ordering::SeqCst);
                loop {
                    let Some(new) = f(old as u128) else { return Ok(old as u128) };
                    match a.compare_exchange(old, new as $int, Ordering::SeqCst, Ordering::SeqCst) {
                        Ok(_) => return Ok(old as u128),
                        Err(cur) => old = cur,
                    }
                }
            }};
        }
        match bytes {
            1 => cas_loop!(AtomicU8, u8),
            2 => cas_loop!(AtomicU16, u16),
            4 => cas_loop!(AtomicU32, u32),
            8 => cas_loop!(AtomicU64, u64),
            _ => {
                // 16-byte atomics: serialised by a lock (rare: pair exclusives in the fallback).
                static LOCK: Mutex<()> = Mutex::new(());
                let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
                let old = self.load(addr, bytes)?;
                if let Some(new) = f(old) {
                    self.store(addr, bytes, new)?;
                }
                Ok(old)
            }
        }
    }
    fn cntvct(&mut self) -> u64 {
        crate::dispatch::vmtrans_helper_cntvct()
    }
    fn fpcr_write(&mut self, value: u64) {
        crate::dispatch::vmtrans_helper_fpcr_write(value);
    }
    fn fpsr_read(&mut self, held: u64) -> u64 {
        crate::dispatch::vmtrans_helper_fpsr_read(held)
    }
    fn fpsr_write(&mut self, value: u64) {
        crate::dispatch::vmtrans_helper_fpsr_write(value);
    }
    fn invalidate_code(&mut self, addr: u64) {
        invalidate(addr);
    }
}

/// The bytes of one instruction cache line (CTR_EL0's IminLine, `sem/system.rs`).
const ICACHE_LINE: u64 = 64;

/// IC IVAU of `addr`: drops every cached block that holds an instruction of its cache line, so
/// that code written there since (a JIT compiler reusing its buffer) is lifted again. A block
/// starts at most `MAX_BLOCK` instructions before the line.
pub fn invalidate(addr: u64) {
    let line = addr & !(ICACHE_LINE - 1);
    let earliest = line.saturating_sub(4 * (MAX_BLOCK as u64 - 1));
    let mut cache = lock_cache();
    for start in (earliest..line + ICACHE_LINE).step_by(4) {
        if cache.get(&start).is_some_and(|block| start + 4 * block.1 as u64 > line) {
            cache.remove(&start);
        }
    }
    // Every thread's cache is stale from here on (see `cached_block`).
    GENERATION.fetch_add(1, Ordering::Release);
}

/// IC IVAU in translated code (`call_helper invalidate_code`); returns the address.
#[no_mangle]
pub extern "C" fn vmtrans_helper_invalidate_code(addr: u64) -> u64 {
    invalidate(addr);
    addr
}

/// True when VMTRANS_TRACE_FALLBACK is set: each block the fallback engine lifts is reported once.
fn trace_fallback() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("VMTRANS_TRACE_FALLBACK").is_some_and(|v| v != "0"))
}

/// Runs the guest block at the state's pc and leaves the pc at the next guest address.
pub fn run_block(state: &mut CpuState) {
    let pc = state.pc;
    let block = match cached_block(pc) {
        Some(b) => b,
        None => {
            let Ok(lifted) = lift_block_for_interpreter(pc, &read_insn, MAX_BLOCK) else {
                // No code can be read there: the hardware would fault on the fetch.
                eprintln!("vmtrans: guest jumped to {pc:#x}, which holds no code");
                crate::dispatch::before_exit();
                die_by_signal(libc::SIGSEGV);
            };
            if trace_fallback() {
                eprintln!("vmtrans: fallback block at {pc:#x} ({} instructions)", lifted.insns);
            }
            let generation = GENERATION.load(Ordering::Acquire);
            let b = Arc::new((lifted.func, lifted.insns));
            lock_cache().insert(pc, b.clone());
            remember_in_thread(pc, generation, &b);
            b
        }
    };
    FALLBACK_BLOCKS.fetch_add(1, Ordering::Relaxed);
    FALLBACK_INSNS.fetch_add(block.1 as u64, Ordering::Relaxed);
    let func = &block.0;
    let mut b = func.entry();
    loop {
        let exit = {
            let mut env = GuestEnv { state: &mut *state };
            interp_block(func, b, &mut env)
        };
        match exit {
            Ok(Exit::Block(next)) => b = next,
            Ok(Exit::Call { target, .. }) | Ok(Exit::Jump { target }) => {
                state.pc = target;
                return;
            }
            Ok(Exit::Syscall { pc, .. }) => {
                state.pc = pc.wrapping_add(4);
                // SAFETY: the state is this thread's.
                unsafe { crate::abi::vmtrans_syscall(state) };
                return;
            }
            Ok(Exit::Trap { kind, pc, insn }) => {
                state.pc = pc;
                raise_trap(state, kind, insn);
                return;
            }
            Err(fault) => {
                eprintln!("vmtrans: guest fault at guest address {:#x} (pc near {pc:#x})", fault.addr);
                crate::dispatch::before_exit();
                die_by_signal(libc::SIGSEGV);
            }
        }
    }
}

//! The dispatcher: how control moves between translated code, the fallback engine and the
//! runtime, and the entry points translated code calls.
//!
//! Translated functions (`GuestFn`) start at their entry, or resume at any leader the table
//! lists, and return when the guest function returns, with the return address and the registers
//! they hand back. x0, sp, x30, x19-x23 and x29 travel as arguments
//! (`vmtrans_ir::sync::PASSED_IN_REGISTERS`), so the state's copies are stale while translated
//! code runs; the runtime enters it through a trampoline (`crate::trampolines`) that passes the
//! state's values and stores back what comes back, and writes the returned pc to x30 as well (a
//! return went to x30's value), unless the pc is `PC_IN_STATE`, which says that the state holds
//! the exact pc and x30. The
//! table, sorted by guest address, maps every address at which translated code can be entered to
//! its function. A guest address not in the table is run by the fallback engine, one block at a
//! time, until control reaches an address that is.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use vmtrans_ir::a64::CpuState;
use vmtrans_ir::inst::TrapKind;
use vmtrans_ir::lookup_cache::{lookup_cache_hit, lookup_cache_slot, lookup_cache_word, LOOKUP_CACHE_SLOTS};
use vmtrans_ir::sync::PC_IN_STATE;

use crate::memory::GuestBase;
use crate::{fallback, signal, thread};

/// The address of a translated function. Its convention is not the C one
/// (translator/src/llvm/types.rs, `guest_fn`): only `crate::trampolines` calls it.
pub type GuestFn = unsafe extern "C" fn();

/// What the runtime's side of a call of translated code gets back (`crate::trampolines`): x0 and
/// the guest address it returned to, which is x30's value too, or `PC_IN_STATE` (see `enter`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct GuestReturn {
    pub x0: u64,
    pub pc: u64,
}

/// Enters translated code `f` at the state's pc with the state's registers, and writes back
/// what it returns.
///
/// # Safety
/// `f` must be a translated function of this program and `state` the calling thread's state.
unsafe fn enter(f: GuestFn, state: &mut CpuState) {
    // SAFETY: as the caller promises.
    let r = unsafe { crate::trampolines::call_translated(f, state) };
    take_return(state, r);
}

/// Writes back what translated code returned (its other returned registers are in the state
/// already): x0, and the pc, which is x30 too, unless it is `PC_IN_STATE`.
fn take_return(state: &mut CpuState, r: GuestReturn) {
    state.x[0] = r.x0;
    if r.pc != PC_IN_STATE {
        // The code returned by RET, to x30, which it did not store.
        state.pc = r.pc;
        state.x[30] = r.pc;
    }
}

/// What translated code that called into the runtime gets back: x0 and the pc, or `PC_IN_STATE`
/// when x30 is another value (see `enter`).
fn state_return(state: &CpuState) -> GuestReturn {
    let pc = if state.x[30] == state.pc { state.pc } else { PC_IN_STATE };
    GuestReturn { x0: state.x[0], pc }
}

/// One entry of the translator's table.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct FuncEntry {
    pub guest_addr: u64,
    pub code: GuestFn,
}

/// What the translator's object hands the runtime at start-up (see translator/src/llvm/mod.rs).
#[repr(C)]
pub struct GuestProgram {
    pub func_table: *const FuncEntry,
    pub func_table_len: u64,
    pub image: *const u8,
    pub image_len: u64,
    /// Non-zero when the translated code takes guest address `A` to be host address `A`
    /// (`--guest-base zero`), so the guest space must be reserved at its own addresses; zero when
    /// the code adds `vmtrans_guest_base` and the space may go anywhere.
    pub guest_base_zero: u64,
}

struct Program {
    table: &'static [FuncEntry],
    image: &'static [u8],
    guest_base: GuestBase,
}

// SAFETY: the tables are immutable data of the executable.
unsafe impl Send for Program {}
unsafe impl Sync for Program {}

static PROGRAM: OnceLock<Program> = OnceLock::new();

/// Guest instructions run by the fallback engine (reported with VMTRANS_STATS=1).
pub static FALLBACK_INSNS: AtomicU64 = AtomicU64::new(0);
/// Guest blocks run by the fallback engine.
pub static FALLBACK_BLOCKS: AtomicU64 = AtomicU64::new(0);

/// Records the translator's tables.
///
/// # Safety
/// `p` must point to a `GuestProgram` whose arrays live for the whole run.
pub unsafe fn install_program(p: *const GuestProgram) {
    let p = unsafe { &*p };
    let table = unsafe { std::slice::from_raw_parts(p.func_table, p.func_table_len as usize) };
    let image = unsafe { std::slice::from_raw_parts(p.image, p.image_len as usize) };
    let guest_base = if p.guest_base_zero != 0 { GuestBase::Zero } else { GuestBase::Anywhere };
    let _ = PROGRAM.set(Program { table, image, guest_base });
}

/// Where the installed program's code expects the guest space (anywhere before `install_program`).
pub fn guest_base_mode() -> GuestBase {
    PROGRAM.get().map_or(GuestBase::Anywhere, |p| p.guest_base)
}

/// The guest ELF file embedded in the executable (empty before `install_program`).
pub fn guest_image() -> &'static [u8] {
    PROGRAM.get().map(|p| p.image).unwrap_or(&[])
}

/// A direct-mapped cache of recent table lookups (indirect calls and jumps repeat their targets),
/// laid out as ir/src/lookup_cache.rs says. Translated code reads it inline at every indirect call
/// and jump whose targets the translator did not know, and calls `vmtrans_lookup` on a miss.
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static vmtrans_lookup_cache: [AtomicU64; LOOKUP_CACHE_SLOTS] = [const { AtomicU64::new(0) }; LOOKUP_CACHE_SLOTS];

/// The translated code that can be entered at guest address `pc`.
pub fn lookup(pc: u64) -> Option<GuestFn> {
    let table = PROGRAM.get()?.table;
    let slot = &vmtrans_lookup_cache[lookup_cache_slot(pc)];
    if let Some(i) = lookup_cache_hit(slot.load(Ordering::Relaxed), pc) {
        return Some(table[i].code);
    }
    // Code written at run time lies outside the table's range: no search for it.
    let (first, last) = (table.first()?, table.last()?);
    if pc < first.guest_addr || pc > last.guest_addr {
        return None;
    }
    let i = table.binary_search_by_key(&pc, |e| e.guest_addr).ok()?;
    if let Some(word) = lookup_cache_word(pc, i) {
        slot.store(word, Ordering::Relaxed);
    }
    Some(table[i].code)
}

/// Translated code calls this when its inline lookup in `vmtrans_lookup_cache` misses: the
/// translation that can be entered at `target` (now cached), or null when there is none (the
/// caller then goes through `vmtrans_call` or `vmtrans_dispatch`).
#[no_mangle]
pub extern "C" fn vmtrans_lookup(target: u64) -> Option<GuestFn> {
    lookup(target)
}

/// Runs one step from the state's pc: a translated function if one can be entered there (it
/// returns when its guest function does), else one block in the fallback engine.
pub(crate) fn step(state: &mut CpuState) {
    if signal::is_sigreturn_trampoline(state.pc) {
        signal::sigreturn(state);
        return;
    }
    match lookup(state.pc) {
        // SAFETY: table entries are translated functions of the right type.
        Some(f) => unsafe { enter(f, state) },
        None => fallback::run_block(state),
    }
}

/// Runs guest code on the calling thread until the thread exits (`exit` with other threads alive).
pub fn run_thread(state: &mut CpuState) {
    signal::set_current_state(state);
    crate::fpenv::load(state);
    // A fault delivered to a guest handler that leaves by siglongjmp abandons the frames above the
    // checkpoint and comes back here (`signal::sync_fault`); the loop then goes on from the state's pc.
    while !thread::is_exiting(state) {
        signal::sync_fault::run_protected(state, run_loop);
    }
}

/// The body of `run_thread`, called through the fault checkpoint with the thread's state.
extern "C" fn run_loop(state: *mut u8) {
    // SAFETY: `run_thread` passes its exclusive reference to the thread's state.
    let state = unsafe { &mut *(state as *mut CpuState) };
    while !thread::is_exiting(state) {
        signal::safe_point(state);
        step(state);
    }
}

/// Runs the first guest thread with this state; never returns. The process ends when its last guest
/// thread exits or one calls exit_group; if the first thread exits before others, this thread waits.
pub fn run_guest(state: CpuState) -> ! {
    // Guest calls nest host frames of translated code: give the guest a deep host stack.
    let handle = std::thread::Builder::new()
        .name("guest".into())
        .stack_size(thread::MAIN_THREAD_STACK)
        .spawn(move || {
            let _alt_stack = crate::fault::ThreadAltStack::new();
            let mut state = Box::new(state);
            run_thread(&mut state);
            thread::finish_thread();
        })
        .expect("cannot start the guest thread");
    // Signals sent to the process go to a guest thread that does not block them, never to this one.
    // SAFETY: plain sigset manipulation and pthread_sigmask on the calling thread.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_BLOCK, &all, std::ptr::null_mut());
    }
    if handle.join().is_ok() {
        // The first guest thread exited while others run: the last of them ends the process.
        loop {
            std::thread::park();
        }
    }
    // A panic in the guest thread lands here.
    before_exit();
    std::process::exit(134);
}

/// Called once before the process exits, whatever the cause.
pub fn before_exit() {
    static DONE: AtomicU64 = AtomicU64::new(0);
    if DONE.swap(1, Ordering::SeqCst) != 0 {
        return;
    }
    if std::env::var_os("VMTRANS_STATS").is_some_and(|v| v != "0") {
        eprintln!(
            "vmtrans-stats: fallback_insns={} fallback_blocks={}",
            FALLBACK_INSNS.load(Ordering::Relaxed),
            FALLBACK_BLOCKS.load(Ordering::Relaxed)
        );
    }
}

/// Translated code jumps here (through `vmtrans_dispatch` in `crate::trampolines`, which has the
/// convention of translated code and has stored the other passed registers) for a guest address
/// it cannot reach directly: runs from `pc` until translated code has been entered once and
/// returned (so the caller's frame returns in turn, as the guest function that jumped would), or
/// until the thread exits.
///
/// # Safety
/// `state` must be the calling thread's guest state.
pub(crate) unsafe extern "C" fn vmtrans_dispatch_c(
    state: *mut CpuState,
    pc: u64,
    x0: u64,
    sp: u64,
    x30: u64,
) -> GuestReturn {
    let state = unsafe { &mut *state };
    state.pc = pc;
    state.x[0] = x0;
    state.sp = sp;
    state.x[30] = x30;
    while !thread::is_exiting(state) {
        signal::safe_point(state);
        if let Some(f) = lookup(state.pc) {
            // SAFETY: as in `step`.
            unsafe { enter(f, state) };
            break;
        }
        fallback::run_block(state);
    }
    state_return(state)
}

/// Translated code calls guest code it cannot call directly (BLR, or BL to code not
/// translated) through here: runs from `target` until control comes back to `ret`, or the thread exits.
///
/// # Safety
/// `state` must be the calling thread's guest state.
#[no_mangle]
pub unsafe extern "C" fn vmtrans_call(state: *mut CpuState, target: u64, ret: u64) {
    let state = unsafe { &mut *state };
    state.pc = target;
    while state.pc != ret && !thread::is_exiting(state) {
        signal::safe_point(state);
        if state.pc == ret {
            break;
        }
        step(state);
    }
}

/// Translated code reached a trap (UDF, BRK, an unsupported instruction): raise the signal the
/// hardware would. The state is exact here, with the pc at the trapping instruction; when the guest
/// handles the signal, the handler runs and translated code goes on from the pc it leaves (as on
/// hardware, a handler that does not move the pc past the instruction meets it again).
///
/// # Safety
/// `state` must be the calling thread's guest state.
#[no_mangle]
pub unsafe extern "C" fn vmtrans_trap(state: *mut CpuState, kind: u32, insn: u32) {
    let state = unsafe { &mut *state };
    raise_trap(state, TrapKind::ALL.get(kind as usize).copied().unwrap_or(TrapKind::Undefined), insn);
}

/// Raises the signal of a trap at `state.pc`: SIGILL (ILL_ILLOPC, si_addr the pc), for BRK SIGTRAP
/// (TRAP_BRKPT, si_addr the pc), for an unaligned acquire/release, exclusive or atomic access
/// SIGBUS (BUS_ADRALN, si_addr the address accessed, as Linux reports an alignment fault). An
/// unsupported instruction is reported on stderr first. The guest's handler runs when it has one
/// and does not block the signal; otherwise the process dies by the signal.
pub fn raise_trap(state: &mut CpuState, kind: TrapKind, insn: u32) {
    // ILL_ILLOPC, TRAP_BRKPT and BUS_ADRALN are all 1.
    const CODE: i32 = 1;
    let (sig, addr) = match kind {
        TrapKind::Breakpoint => (libc::SIGTRAP, state.pc),
        TrapKind::Misaligned => {
            (libc::SIGBUS, vmtrans_ir::a64::sem::ldst::ordered_access_address(insn, |r| state.get(r) as u64))
        }
        _ => (libc::SIGILL, state.pc),
    };
    if kind == TrapKind::Unsupported {
        eprintln!(
            "vmtrans: unsupported instruction {insn:08x} ({}) at guest address {:#x}",
            vmtrans_ir::a64::disassemble(insn),
            state.pc
        );
    }
    if signal::deliver_synchronous(state, sig, CODE, addr) {
        return;
    }
    before_exit();
    die_by_signal(sig)
}

/// Ends the process by `sig` with its default action, so the exit status says so.
pub fn die_by_signal(sig: i32) -> ! {
    // SAFETY: plain libc calls with valid arguments.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    std::process::exit(128 + sig)
}

/// CRC-32 and CRC-32C for translated code (`call_helper crc32`).
#[no_mangle]
pub extern "C" fn vmtrans_helper_crc32(acc: u32, data: u64, size: u64, castagnoli: u32) -> u32 {
    vmtrans_ir::helpers::crc32(acc, data, size as u32, castagnoli != 0)
}

/// A guest write of FPCR (`call_helper fpcr_write`): makes the host round and flush as it says
/// and returns the value unchanged. The controls MXCSR cannot hold (DN, AHP, FZ16) are read from
/// the guest's FPCR by the code they affect (see `crate::fpenv`).
#[no_mangle]
pub extern "C" fn vmtrans_helper_fpcr_write(value: u64) -> u64 {
    crate::fpenv::apply_fpcr(value);
    value
}

/// A guest read of FPSR (`call_helper fpsr_read`): the value the guest holds with the cumulative
/// exception flags raised since they were last folded into it (see `crate::fpenv`).
#[no_mangle]
pub extern "C" fn vmtrans_helper_fpsr_read(held: u64) -> u64 {
    held | crate::fpenv::fpsr_flags()
}

/// A guest write of FPSR (`call_helper fpsr_write`): the written value replaces the flags raised so
/// far; returns it.
#[no_mangle]
pub extern "C" fn vmtrans_helper_fpsr_write(value: u64) -> u64 {
    crate::fpenv::clear_flags();
    value
}

/// CNTVCT_EL0 for translated code: nanoseconds of the monotonic clock (CNTFRQ_EL0 says 1 GHz).
#[no_mangle]
pub extern "C" fn vmtrans_helper_cntvct() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is a valid timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_returned_pc_is_x30_too_unless_it_says_the_state_holds_both() {
        let mut state = CpuState { pc: 0x4000, ..CpuState::default() };
        state.x[30] = 0x1234;
        // A translated function that returned by RET to 0x4008 with x0 = 7.
        take_return(&mut state, GuestReturn { x0: 7, pc: 0x4008 });
        assert_eq!((state.x[0], state.pc, state.x[30]), (7, 0x4008, 0x4008));

        // One that made a system call after which a handler moved the pc, leaving the state exact.
        state.pc = 0x5000;
        state.x[30] = 0x4010;
        let r = state_return(&state);
        take_return(&mut state, r);
        assert_eq!((state.pc, state.x[30]), (0x5000, 0x4010));
    }

    #[test]
    fn the_runtime_returns_a_plain_pc_only_when_x30_holds_it() {
        let mut state = CpuState { pc: 0x4008, ..CpuState::default() };
        state.x[30] = 0x4008;
        assert_eq!(state_return(&state).pc, 0x4008);
        state.x[30] = 0x4010;
        assert_eq!(state_return(&state).pc, PC_IN_STATE);
    }
}

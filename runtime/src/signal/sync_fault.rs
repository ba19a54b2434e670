//! Synchronous SIGSEGV and SIGBUS from guest memory accesses, delivered to the guest's handler.
//!
//! The host fault handler (`crate::fault`) runs on its alternate stack in the middle of translated
//! code, where the guest state in memory is only as exact as the last safe point (registers live in
//! host registers in between). When the guest has a handler for the signal, does not block it, and the
//! fault is an access to a guest address by the thread running guest code, the host handler does not
//! kill the process: it records the fault and makes the host context return into
//! `vmtrans_fault_trampoline` on the thread's own stack. The trampoline delivers the signal with the
//! kernel's siginfo (si_addr the guest address, si_code SEGV_MAPERR for an address the guest has not
//! mapped and SEGV_ACCERR for one it may not access that way, BUS_* from the host for SIGBUS) and a
//! context whose pc and registers are those of the last safe point, not of the faulting instruction
//! (x0, sp, x30, x19-x23 and x29, which translated code hands over in host registers at calls and
//! returns, as last stored, which may be earlier still).
//!
//! The handler may leave by siglongjmp (probing memory), _exit or abort; the host frames of the faulted
//! code are then abandoned: `run_protected` at the base of every guest thread's loop is a checkpoint
//! that `abandon` returns to (the frames in between are translated code and the runtime's dispatch
//! loops, which hold no locks). Or it may fix the cause (mprotect the page, extend the file, map
//! something) and return, the pattern of write barriers, lazy allocation and user-space paging: the
//! host handler copied the interrupted host context onto the thread's stack (`host_context`), and when
//! the handler's rt_sigreturn leaves the guest context as it was given, the trampoline restores that
//! copy, so the faulting instruction runs again with every register as it was. A handler that changed
//! the pc in its context has the guest go on from there; one that changed other registers but not the
//! pc cannot be honoured (the faulting instruction is not known), and the process then ends by the
//! signal with a message.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use vmtrans_ir::a64::CpuState;

use super::frame::SIGINFO_SIZE;
use super::host_context;
use crate::memory::{self, GUEST_SPACE_SIZE};
use crate::syscall::signal as sys;

/// Signals (bit n-1) for which the guest has installed a handler; read in the host fault handler,
/// where the runtime's locks may not be taken.
static GUEST_HANDLED: AtomicU64 = AtomicU64::new(0);
/// The same for a vfork child, which has its own copy of the actions (see `crate::vfork`).
static VFORK_CHILD_GUEST_HANDLED: AtomicU64 = AtomicU64::new(0);
/// Signals the guest ignores (SIG_IGN), for the same readers.
static GUEST_IGNORED: AtomicU64 = AtomicU64::new(0);
static VFORK_CHILD_GUEST_IGNORED: AtomicU64 = AtomicU64::new(0);

/// The sets of handled and of ignored signals of the calling process.
fn guest_sets() -> (&'static AtomicU64, &'static AtomicU64) {
    if crate::vfork::in_child() {
        (&VFORK_CHILD_GUEST_HANDLED, &VFORK_CHILD_GUEST_IGNORED)
    } else {
        (&GUEST_HANDLED, &GUEST_IGNORED)
    }
}

/// Records the guest's disposition of `signal` (called whenever its action changes): a handler,
/// ignored, or neither (the default action).
pub fn note_guest_action(signal: u64, handled: bool, ignored: bool) {
    if (1..=64).contains(&signal) {
        let bit = 1u64 << (signal - 1);
        for (set, member) in [(guest_sets().0, handled), (guest_sets().1, ignored)] {
            if member {
                set.fetch_or(bit, Ordering::Relaxed);
            } else {
                set.fetch_and(!bit, Ordering::Relaxed);
            }
        }
    }
}

/// Whether the guest has a handler installed for `signal`.
pub fn guest_handles(signal: i32) -> bool {
    (1..=64).contains(&signal) && guest_sets().0.load(Ordering::Relaxed) & (1u64 << (signal - 1)) != 0
}

/// Whether the guest ignores `signal`.
pub fn guest_ignores(signal: i32) -> bool {
    (1..=64).contains(&signal) && guest_sets().1.load(Ordering::Relaxed) & (1u64 << (signal - 1)) != 0
}

/// Gives the vfork child about to start a copy of the calling process's handled and ignored sets.
pub fn copy_handled_for_vfork_child() {
    VFORK_CHILD_GUEST_HANDLED.store(GUEST_HANDLED.load(Ordering::Relaxed), Ordering::Relaxed);
    VFORK_CHILD_GUEST_IGNORED.store(GUEST_IGNORED.load(Ordering::Relaxed), Ordering::Relaxed);
}

/// The callee-saved registers, stack pointer and resume address `run_protected` saved.
#[repr(C)]
#[derive(Clone, Copy)]
struct Checkpoint {
    words: [u64; 8],
}

/// A fault the host handler recorded for the trampoline: signal, guest address, host si_code.
#[derive(Clone, Copy)]
struct PendingFault {
    signal: i32,
    guest_addr: u64,
    host_code: i32,
}

thread_local! {
    static CHECKPOINT: Cell<Checkpoint> = const { Cell::new(Checkpoint { words: [0; 8] }) };
    static HAS_CHECKPOINT: Cell<bool> = const { Cell::new(false) };
    static FAULT: Cell<Option<PendingFault>> = const { Cell::new(None) };
}

/// The calling thread's values of the thread-locals above (see `crate::vfork`).
#[derive(Clone, Copy)]
pub struct FaultThreadLocals {
    checkpoint: Checkpoint,
    has_checkpoint: bool,
    fault: Option<PendingFault>,
}

impl FaultThreadLocals {
    pub fn save() -> Self {
        FaultThreadLocals {
            checkpoint: CHECKPOINT.with(Cell::get),
            has_checkpoint: HAS_CHECKPOINT.with(Cell::get),
            fault: FAULT.with(Cell::get),
        }
    }

    pub fn restore(self) {
        CHECKPOINT.with(|c| c.set(self.checkpoint));
        HAS_CHECKPOINT.with(|c| c.set(self.has_checkpoint));
        FAULT.with(|c| c.set(self.fault));
    }

    /// What a new thread starts with: no checkpoint, no fault.
    pub fn fresh() -> Self {
        FaultThreadLocals { checkpoint: Checkpoint { words: [0; 8] }, has_checkpoint: false, fault: None }
    }
}

// `u64 vmtrans_run_checkpointed(fn(*mut u8), *mut u8 arg, *mut Checkpoint)`: saves the callee-saved
// registers, the stack pointer after return and the return address, then calls fn(arg); returns 0
// when fn returns, or 1 when `vmtrans_resume_checkpoint` came back to the checkpoint.
// `! vmtrans_resume_checkpoint(*const Checkpoint)`: restores them and returns 1 from that call.
std::arch::global_asm!(
    ".text",
    ".globl vmtrans_run_checkpointed",
    ".type vmtrans_run_checkpointed, @function",
    "vmtrans_run_checkpointed:",
    "mov [rdx], rbx",
    "mov [rdx + 8], rbp",
    "mov [rdx + 16], r12",
    "mov [rdx + 24], r13",
    "mov [rdx + 32], r14",
    "mov [rdx + 40], r15",
    "lea rax, [rsp + 8]",
    "mov [rdx + 48], rax",
    "mov rax, [rsp]",
    "mov [rdx + 56], rax",
    "sub rsp, 8",
    "mov rax, rdi",
    "mov rdi, rsi",
    "call rax",
    "add rsp, 8",
    "xor eax, eax",
    "ret",
    ".globl vmtrans_resume_checkpoint",
    ".type vmtrans_resume_checkpoint, @function",
    "vmtrans_resume_checkpoint:",
    "mov rbx, [rdi]",
    "mov rbp, [rdi + 8]",
    "mov r12, [rdi + 16]",
    "mov r13, [rdi + 24]",
    "mov r14, [rdi + 32]",
    "mov r15, [rdi + 40]",
    "mov rsp, [rdi + 48]",
    "mov eax, 1",
    "jmp qword ptr [rdi + 56]",
);

extern "C" {
    fn vmtrans_run_checkpointed(f: extern "C" fn(*mut u8), arg: *mut u8, checkpoint: *mut Checkpoint) -> u64;
    fn vmtrans_resume_checkpoint(checkpoint: *const Checkpoint) -> !;
}

/// Runs `body(state)` with a checkpoint `abandon` can return to; true when it came back that way.
pub fn run_protected(state: &mut CpuState, body: extern "C" fn(*mut u8)) -> bool {
    let outer = CHECKPOINT.with(Cell::get);
    let had_outer = HAS_CHECKPOINT.with(|has| has.replace(true));
    // SAFETY: the checkpoint is this thread's and lives as long as the thread; `body` gets the state.
    let abandoned =
        unsafe { vmtrans_run_checkpointed(body, (state as *mut CpuState).cast(), CHECKPOINT.with(|c| c.as_ptr())) }
            != 0;
    CHECKPOINT.with(|c| c.set(outer));
    HAS_CHECKPOINT.with(|has| has.set(had_outer));
    abandoned
}

/// Leaves every frame above the innermost `run_protected` of this thread, when there is one (a
/// guest handler that left by siglongjmp); without one, returns and the caller goes on.
pub fn abandon_to_checkpoint() {
    if HAS_CHECKPOINT.with(Cell::get) {
        abandon();
    }
}

/// Leaves every frame above the innermost `run_protected` of this thread.
fn abandon() -> ! {
    // SAFETY: the checkpoint was saved by `run_protected`, whose frame is still live below us.
    unsafe { vmtrans_resume_checkpoint(CHECKPOINT.with(|c| c.as_ptr())) }
}

/// Called by the host fault handler: true when the fault goes to a guest handler, in which case the
/// host context has been pointed at the trampoline (the handler then just returns).
///
/// # Safety
/// `info` and `context` are the kernel's arguments of an SA_SIGINFO handler for SIGSEGV or SIGBUS.
pub unsafe fn redirect(signal: i32, info: *const libc::siginfo_t, context: *mut libc::c_void) -> bool {
    let signal_bit = 1u64 << (signal - 1);
    if !guest_handles(signal)
        || sys::blocked_mask() & signal_bit != 0
        || !HAS_CHECKPOINT.with(Cell::get)
        || !super::has_current_state()
    {
        return false;
    }
    // SAFETY: the kernel's siginfo of a fault.
    let (host_addr, host_code) = unsafe { ((*info).si_addr() as u64, (*info).si_code) };
    let guest_addr = host_addr.wrapping_sub(memory::base());
    // A general-protection fault has no address (si_addr 0), which with the guest base at 0 would
    // read as an access at guest address 0.
    if host_code == crate::fault::SI_KERNEL || host_addr < memory::base() || guest_addr >= GUEST_SPACE_SIZE {
        return false;
    }
    FAULT.with(|f| f.set(Some(PendingFault { signal, guest_addr, host_code })));
    // SAFETY: the kernel's ucontext; the copy of it and then the trampoline's frames go on the
    // interrupted stack below its red zone; the trampoline starts aligned as after a call, with the
    // copy's address (0 when the context cannot be resumed) as its argument.
    unsafe {
        let context = context as *mut libc::ucontext_t;
        let gregs = &mut (*context).uc_mcontext.gregs;
        let interrupted_sp = gregs[libc::REG_RSP as usize] as u64;
        let saved = host_context::save_below_interrupted_stack(context);
        let sp = saved.unwrap_or(interrupted_sp - 256) & !15;
        gregs[libc::REG_RSP as usize] = (sp - 8) as i64;
        gregs[libc::REG_RDI as usize] = saved.unwrap_or(0) as i64;
        gregs[libc::REG_RIP as usize] = vmtrans_fault_trampoline as *const () as i64;
    }
    true
}

/// The siginfo the kernel gives a guest fault: SEGV_MAPERR when the guest has nothing mapped there,
/// SEGV_ACCERR when it has (the host, whose reservation covers everything, says ACCERR for both).
fn guest_siginfo(fault: PendingFault) -> [u8; SIGINFO_SIZE] {
    const SEGV_MAPERR: i32 = 1;
    const SEGV_ACCERR: i32 = 2;
    let code = if fault.signal == libc::SIGSEGV {
        let page = memory::page_down(fault.guest_addr);
        match memory::try_space() {
            Some(space) if space.vmas.is_mapped(page, page + memory::PAGE_SIZE) => SEGV_ACCERR,
            Some(_) => SEGV_MAPERR,
            None => fault.host_code,
        }
    } else {
        fault.host_code
    };
    let mut info = [0u8; SIGINFO_SIZE];
    info[0..4].copy_from_slice(&fault.signal.to_le_bytes());
    info[8..12].copy_from_slice(&code.to_le_bytes());
    info[16..24].copy_from_slice(&fault.guest_addr.to_le_bytes());
    info
}

/// Where a redirected fault continues, on the faulting thread's stack: delivers the signal to the
/// guest handler; when the handler returns with its context as it was given, goes back into the
/// faulting instruction (`saved`, the host context the fault interrupted), otherwise leaves the
/// faulted frames (see the module comment).
extern "C" fn vmtrans_fault_trampoline(saved: u64) -> ! {
    let Some(fault) = FAULT.with(Cell::take) else { abandon() };
    let state = super::current_state();
    let interrupted_pc = state.pc;
    // The handler's context is not the faulting instruction's: say so once, rather than hide it.
    static TOLD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !TOLD.swap(true, Ordering::Relaxed) {
        eprintln!(
            "vmtrans: signal {} at guest address {:#x} goes to the guest's handler with the registers and pc of an earlier safe point (guest pc {interrupted_pc:#x}), not of the faulting instruction",
            fault.signal, fault.guest_addr
        );
    }
    super::record_with_info(fault.signal as u64, &guest_siginfo(fault));
    let unchanged = super::deliver_pending_unchanged(state);
    if crate::thread::is_exiting(state) {
        abandon();
    }
    if saved != 0 && unchanged {
        // SAFETY: `redirect` saved the context on this thread's stack above this frame, and the frames
        // of the faulted code above it are untouched (the handler ran below them).
        unsafe { host_context::resume(saved) }
    }
    if state.pc != interrupted_pc {
        abandon();
    }
    let why = if saved == 0 {
        "the host FP state of the faulting thread could not be saved"
    } else {
        "it changed registers in its context but not the pc, and the faulting instruction cannot be resumed with other registers"
    };
    eprintln!(
        "vmtrans: the guest's handler of signal {} (guest address {:#x}) returned, but {why}",
        fault.signal, fault.guest_addr
    );
    crate::dispatch::before_exit();
    crate::dispatch::die_by_signal(fault.signal)
}

//! A copy of the host context a fault interrupted, and the way back into it.
//!
//! When a guest handler takes a fault of translated code and returns without changing its context,
//! the faulting host instruction must run again with every host register as it was: the guest's
//! registers live in host registers between safe points, so nothing else knows them. The host fault
//! handler (on its alternate stack) copies the kernel's saved context (the general registers and the
//! whole XSAVE area, or the FXSAVE area on hosts without XSAVE) onto the interrupted thread's stack,
//! below the red zone of the code it interrupted; `resume` later restores that copy exactly, as the
//! kernel's rt_sigreturn would have, and jumps back to the faulting instruction.
//!
//! The copy lives on the interrupted stack, not in a thread-local, so that a fault inside the guest's
//! handler (a handler installed with SA_NODEFER that touches another protected page) nests: each
//! fault's copy lies below the frames of the one it interrupted.

/// Where the fault handler may start writing below the interrupted stack pointer: past the 128-byte
/// red zone the System V ABI lets leaf code use without moving rsp and the 17 words the way back
/// pops (`vmtrans_resume_host_context`), with room to spare.
const INTERRUPTED_STACK_GAP: u64 = 320;
/// The largest FP state copied; an XSAVE area beyond it (future state components) is not resumable.
const MAX_FP_STATE_SIZE: usize = 16 * 1024;
/// `fx_sw_bytes` in the reserved tail of the FXSAVE area: present when the kernel saved an XSAVE area.
const FX_SW_BYTES: usize = 464;
const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;
/// The size of the legacy FXSAVE area, which begins every XSAVE area.
const FXSAVE_SIZE: usize = 512;

/// How the FP state after the header is saved (the restore instruction follows from it).
const FP_NONE: u64 = 0;
const FP_FXSAVE: u64 = 1;
const FP_XSAVE: u64 = 2;

/// The saved general registers and how to restore the FP state, followed in memory by that state
/// (at `FP_STATE_OFFSET`, 64-byte aligned as XRSTOR wants). The assembly below reads these offsets.
#[repr(C, align(64))]
pub struct SavedHostContext {
    /// The kernel's `gregs`, indexed by `libc::REG_*` (offset 0).
    gregs: [i64; 23],
    /// The state components to restore (XRSTOR's edx:eax), offset 184.
    xfeatures: u64,
    /// `FP_NONE`, `FP_FXSAVE` or `FP_XSAVE`, offset 192.
    fp_format: u64,
}

/// The offset of the FP state from the start of the copy.
const FP_STATE_OFFSET: usize = 256;

const _: () = {
    assert!(std::mem::offset_of!(SavedHostContext, xfeatures) == 184);
    assert!(std::mem::offset_of!(SavedHostContext, fp_format) == 192);
    assert!(std::mem::size_of::<SavedHostContext>() <= FP_STATE_OFFSET);
    assert!(libc::REG_RSP == 15 && libc::REG_RIP == 16 && libc::REG_EFL == 17 && libc::REG_RAX == 13);
    assert!(libc::REG_RSI == 9 && libc::REG_RDI == 8 && libc::REG_R8 == 0 && libc::REG_R15 == 7);
    assert!(libc::REG_RBP == 10 && libc::REG_RBX == 11 && libc::REG_RDX == 12 && libc::REG_RCX == 14);
    assert!(FP_STATE_OFFSET % 64 == 0);
    // The 17 words of the return sequence lie between the red zone and the copy.
    assert!(INTERRUPTED_STACK_GAP >= 128 + 17 * 8);
};

/// The FP state of `context`: its address, size and format (`FP_NONE` when there is none or it is too
/// large to copy).
///
/// # Safety
/// `context` is the kernel's ucontext of a running signal handler.
unsafe fn fp_state(context: *const libc::ucontext_t) -> (*const u8, usize, u64, u64) {
    // SAFETY: the caller's ucontext; fpregs, when not null, points at the saved FXSAVE/XSAVE area.
    unsafe {
        let area = (*context).uc_mcontext.fpregs as *const u8;
        if area.is_null() {
            return (area, 0, FP_NONE, 0);
        }
        let magic = std::ptr::read_unaligned(area.add(FX_SW_BYTES) as *const u32);
        if magic != FP_XSTATE_MAGIC1 {
            return (area, FXSAVE_SIZE, FP_FXSAVE, 0);
        }
        let xfeatures = std::ptr::read_unaligned(area.add(FX_SW_BYTES + 8) as *const u64);
        let size = std::ptr::read_unaligned(area.add(FX_SW_BYTES + 16) as *const u32) as usize;
        if !(FXSAVE_SIZE + 64..=MAX_FP_STATE_SIZE).contains(&size) {
            return (area, 0, FP_NONE, 0);
        }
        (area, size, FP_XSAVE, xfeatures)
    }
}

/// Copies the interrupted host context onto the interrupted stack and returns the copy's address,
/// which is also the lowest address written (the caller's code may run below it). None when the FP
/// state cannot be copied, so the context cannot be resumed.
///
/// # Safety
/// `context` is the kernel's ucontext of a running SIGSEGV/SIGBUS handler whose interrupted stack is
/// the thread's own, with room below its stack pointer.
pub unsafe fn save_below_interrupted_stack(context: *const libc::ucontext_t) -> Option<u64> {
    // SAFETY: the caller's ucontext; the copy goes below the interrupted code's red zone, where
    // nothing of the interrupted code lives.
    unsafe {
        let (area, size, format, xfeatures) = fp_state(context);
        if format == FP_NONE {
            return None;
        }
        let gregs = (*context).uc_mcontext.gregs;
        let rsp = gregs[libc::REG_RSP as usize] as u64;
        let copy = (rsp - INTERRUPTED_STACK_GAP - (FP_STATE_OFFSET + size) as u64) & !63;
        let saved = copy as *mut SavedHostContext;
        saved.write(SavedHostContext { gregs, xfeatures, fp_format: format });
        std::ptr::copy_nonoverlapping(area, (copy as *mut u8).add(FP_STATE_OFFSET), size);
        Some(copy)
    }
}

// `! vmtrans_resume_host_context(*const SavedHostContext)`: restores the FP state (XRSTOR or FXRSTOR),
// then writes the general registers, the flags and rip in pop order into the 17 words just below the
// interrupted code's red zone ([rsp - 264, rsp - 128)), points rsp at them and pops them: `ret 128`
// takes rip and leaves rsp at its interrupted value. Every word is read at or above rsp, so a signal
// that arrives meanwhile (its frame goes below rsp) cannot overwrite one not yet read, and the red
// zone is never touched. The copy itself lies below those words (`INTERRUPTED_STACK_GAP`).
std::arch::global_asm!(
    ".text",
    ".globl vmtrans_resume_host_context",
    ".type vmtrans_resume_host_context, @function",
    "vmtrans_resume_host_context:",
    "mov rsi, rdi",
    "mov rcx, [rsi + 192]",
    "cmp rcx, 2",
    "jne 2f",
    "mov eax, [rsi + 184]",
    "mov edx, [rsi + 188]",
    "xrstor64 [rsi + 256]",
    "jmp 3f",
    "2:",
    "fxrstor64 [rsi + 256]",
    "3:",
    "mov rax, [rsi + 15 * 8]",
    "sub rax, 264",
    // r8..r15 (gregs 0..7).
    "mov rcx, [rsi + 0 * 8]",
    "mov [rax + 0 * 8], rcx",
    "mov rcx, [rsi + 1 * 8]",
    "mov [rax + 1 * 8], rcx",
    "mov rcx, [rsi + 2 * 8]",
    "mov [rax + 2 * 8], rcx",
    "mov rcx, [rsi + 3 * 8]",
    "mov [rax + 3 * 8], rcx",
    "mov rcx, [rsi + 4 * 8]",
    "mov [rax + 4 * 8], rcx",
    "mov rcx, [rsi + 5 * 8]",
    "mov [rax + 5 * 8], rcx",
    "mov rcx, [rsi + 6 * 8]",
    "mov [rax + 6 * 8], rcx",
    "mov rcx, [rsi + 7 * 8]",
    "mov [rax + 7 * 8], rcx",
    // rdi, rsi, rbp, rbx, rdx (gregs 8..12), then rcx (14), rax (13), the flags (17) and rip (16).
    "mov rcx, [rsi + 8 * 8]",
    "mov [rax + 8 * 8], rcx",
    "mov rcx, [rsi + 9 * 8]",
    "mov [rax + 9 * 8], rcx",
    "mov rcx, [rsi + 10 * 8]",
    "mov [rax + 10 * 8], rcx",
    "mov rcx, [rsi + 11 * 8]",
    "mov [rax + 11 * 8], rcx",
    "mov rcx, [rsi + 12 * 8]",
    "mov [rax + 12 * 8], rcx",
    "mov rcx, [rsi + 14 * 8]",
    "mov [rax + 13 * 8], rcx",
    "mov rcx, [rsi + 13 * 8]",
    "mov [rax + 14 * 8], rcx",
    "mov rcx, [rsi + 17 * 8]",
    "mov [rax + 15 * 8], rcx",
    "mov rcx, [rsi + 16 * 8]",
    "mov [rax + 16 * 8], rcx",
    "mov rsp, rax",
    "pop r8",
    "pop r9",
    "pop r10",
    "pop r11",
    "pop r12",
    "pop r13",
    "pop r14",
    "pop r15",
    "pop rdi",
    "pop rsi",
    "pop rbp",
    "pop rbx",
    "pop rdx",
    "pop rcx",
    "pop rax",
    "popfq",
    "ret 128",
);

extern "C" {
    fn vmtrans_resume_host_context(saved: *const SavedHostContext) -> !;
}

/// Goes back into the host context saved at `saved`, abandoning every frame above it.
///
/// # Safety
/// `saved` was returned by `save_below_interrupted_stack` on this thread, and the frames of the
/// interrupted code (above the copy) are still live.
pub unsafe fn resume(saved: u64) -> ! {
    // SAFETY: the caller's promise; the routine restores what the kernel had saved.
    unsafe { vmtrans_resume_host_context(saved as *const SavedHostContext) }
}

//! The AArch64 Linux signal frame (`struct rt_sigframe` of arch/arm64/kernel/signal.c): how the runtime
//! writes it onto the guest stack before a guest handler runs, and how rt_sigreturn reads it back.
//!
//! Layout, from the top of the chosen stack down: a frame record {fp, lr} (16 bytes, 16-byte aligned;
//! x29 points at it), then the frame itself, 16-byte aligned, which is where sp points in the handler:
//! `siginfo_t` (128 bytes) followed by `struct ucontext` (uc_flags, uc_link, uc_stack, uc_sigmask padded
//! to 128 bytes, then `struct sigcontext` at a 16-byte boundary: fault_address, x0..x30, sp, pc, pstate,
//! and 4096 reserved bytes holding an `fpsimd_context` record followed by a null terminator record).
//! The offsets below were checked against the AArch64 glibc headers (`offsetof` under qemu-aarch64).

use vmtrans_ir::a64::CpuState;

use crate::errno::{Errno, EFAULT};
use crate::memory;

/// The size of `siginfo_t` (the same on AArch64 and x86-64, with the same layout of the common fields).
pub const SIGINFO_SIZE: usize = 128;
/// `struct ucontext` inside the frame.
const UCONTEXT: usize = SIGINFO_SIZE;
/// Fields of `struct ucontext`, from its start.
const UC_STACK: usize = 16;
const UC_SIGMASK: usize = 40;
const UC_MCONTEXT: usize = 176;
/// Fields of `struct sigcontext`, from its start.
const MC_FAULT_ADDRESS: usize = 0;
const MC_REGS: usize = 8;
const MC_SP: usize = 256;
const MC_PC: usize = 264;
const MC_PSTATE: usize = 272;
const MC_RESERVED: usize = 288;
/// The size of `__reserved`, where the context records go.
const RESERVED_SIZE: usize = 4096;
/// The `fpsimd_context` record: head {magic, size}, fpsr, fpcr, then vregs[32] at offset 16.
const FPSIMD_MAGIC: u32 = 0x4650_8001;
const FPSIMD_SIZE: usize = 528;
const FPSIMD_VREGS: usize = 16;
/// The size of `struct rt_sigframe` (a multiple of 16, so `sigframe_size` adds no padding).
pub const FRAME_SIZE: usize = UCONTEXT + UC_MCONTEXT + MC_RESERVED + RESERVED_SIZE;
/// The frame record {fp, lr} the kernel pushes above the frame.
const FRAME_RECORD_SIZE: usize = 16;

const _: () = {
    assert!(FRAME_SIZE == 4688);
    assert!(FRAME_SIZE % 16 == 0);
    assert!((UCONTEXT + UC_MCONTEXT) % 16 == 0);
    assert!(MC_RESERVED % 16 == 0);
    assert!(FPSIMD_VREGS + 32 * 16 == FPSIMD_SIZE);
    assert!(FPSIMD_SIZE + 8 <= RESERVED_SIZE);
};

/// `stack_t` flags.
pub const SS_ONSTACK: u32 = 1;
pub const SS_DISABLE: u32 = 2;

/// A thread's alternate signal stack, as sigaltstack recorded it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AltStack {
    pub sp: u64,
    pub flags: u32,
    pub size: u64,
}

impl AltStack {
    pub const DISABLED: AltStack = AltStack { sp: 0, flags: SS_DISABLE, size: 0 };

    /// Whether `sp` lies on this alternate stack (the kernel's `on_sig_stack` for a stack growing down).
    pub fn contains(&self, sp: u64) -> bool {
        self.size != 0 && sp > self.sp && sp - self.sp <= self.size
    }

    /// The flags the kernel reports for this stack when the thread's sp is `sp` (`sas_ss_flags`).
    pub fn reported_flags(&self, sp: u64) -> u32 {
        if self.size == 0 || self.flags & SS_DISABLE != 0 {
            SS_DISABLE
        } else if self.contains(sp) {
            SS_ONSTACK
        } else {
            0
        }
    }
}

/// Where the frame goes and what the handler starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FramePlace {
    /// The frame's address: the handler's sp, and x1 - 128 ... x1 itself.
    pub frame: u64,
    /// The frame record's address: the handler's x29.
    pub record: u64,
}

/// Chooses the frame's place below `stack_top` (the interrupted sp, or the top of the alternate stack).
pub fn place(stack_top: u64) -> FramePlace {
    let record = (stack_top - FRAME_RECORD_SIZE as u64) & !15;
    FramePlace { frame: record - FRAME_SIZE as u64, record }
}

fn put_u64(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn get_u64(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default())
}

fn get_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default())
}

/// The bytes of the frame and the frame record above it for the interrupted `state`: `info` is the
/// siginfo, `saved_mask` the mask sigreturn restores, `alt` the thread's alternate stack.
pub fn encode(state: &CpuState, info: &[u8; SIGINFO_SIZE], saved_mask: u64, alt: &AltStack) -> Vec<u8> {
    let mut bytes = vec![0u8; FRAME_SIZE + FRAME_RECORD_SIZE];
    bytes[..SIGINFO_SIZE].copy_from_slice(info);
    let uc = UCONTEXT;
    put_u64(&mut bytes, uc + UC_STACK, alt.sp);
    put_u32(&mut bytes, uc + UC_STACK + 8, alt.reported_flags(state.sp));
    put_u64(&mut bytes, uc + UC_STACK + 16, alt.size);
    put_u64(&mut bytes, uc + UC_SIGMASK, saved_mask);
    let mc = uc + UC_MCONTEXT;
    put_u64(&mut bytes, mc + MC_FAULT_ADDRESS, 0);
    for (i, value) in state.x.iter().enumerate() {
        put_u64(&mut bytes, mc + MC_REGS + 8 * i, *value);
    }
    put_u64(&mut bytes, mc + MC_SP, state.sp);
    put_u64(&mut bytes, mc + MC_PC, state.pc);
    put_u64(&mut bytes, mc + MC_PSTATE, state.nzcv());
    let fp = mc + MC_RESERVED;
    put_u32(&mut bytes, fp, FPSIMD_MAGIC);
    put_u32(&mut bytes, fp + 4, FPSIMD_SIZE as u32);
    put_u32(&mut bytes, fp + 8, state.fpsr as u32);
    put_u32(&mut bytes, fp + 12, state.fpcr as u32);
    for (i, value) in state.q.iter().enumerate() {
        let at = fp + FPSIMD_VREGS + 16 * i;
        bytes[at..at + 16].copy_from_slice(&value.to_le_bytes());
    }
    // The terminator record after the fpsimd record is already zero.
    put_u64(&mut bytes, FRAME_SIZE, state.x[29]);
    put_u64(&mut bytes, FRAME_SIZE + 8, state.x[30]);
    bytes
}

/// Writes the frame for `state` at `place` into guest memory.
pub fn write(
    place: FramePlace,
    state: &CpuState,
    info: &[u8; SIGINFO_SIZE],
    saved_mask: u64,
    alt: &AltStack,
) -> Result<(), Errno> {
    memory::write_bytes(place.frame, &encode(state, info, saved_mask, alt))
}

/// Reads the frame at `frame` back into `state` (x0..x30, sp, pc, NZCV, v0..v31, FPSR, FPCR) and returns
/// the saved mask; EFAULT when the frame is unreadable or malformed (the kernel then kills with SIGSEGV).
pub fn restore(state: &mut CpuState, frame: u64) -> Result<u64, Errno> {
    if frame % 16 != 0 {
        return Err(EFAULT);
    }
    let mut bytes = vec![0u8; FRAME_SIZE];
    memory::read_into(frame, &mut bytes)?;
    decode(state, &bytes)
}

/// The pure half of `restore`.
pub fn decode(state: &mut CpuState, bytes: &[u8]) -> Result<u64, Errno> {
    let mc = UCONTEXT + UC_MCONTEXT;
    let fp = mc + MC_RESERVED;
    if get_u32(bytes, fp) != FPSIMD_MAGIC || get_u32(bytes, fp + 4) as usize != FPSIMD_SIZE {
        return Err(EFAULT);
    }
    for i in 0..31 {
        state.x[i] = get_u64(bytes, mc + MC_REGS + 8 * i);
    }
    state.sp = get_u64(bytes, mc + MC_SP);
    state.pc = get_u64(bytes, mc + MC_PC);
    let pstate = get_u64(bytes, mc + MC_PSTATE);
    state.n = (pstate >> 31 & 1) as u8;
    state.z = (pstate >> 30 & 1) as u8;
    state.c = (pstate >> 29 & 1) as u8;
    state.v = (pstate >> 28 & 1) as u8;
    state.fpsr = get_u32(bytes, fp + 8) as u64;
    state.fpcr = get_u32(bytes, fp + 12) as u64;
    for i in 0..32 {
        let at = fp + FPSIMD_VREGS + 16 * i;
        state.q[i] = u128::from_le_bytes(bytes[at..at + 16].try_into().unwrap_or_default());
    }
    Ok(get_u64(bytes, UCONTEXT + UC_SIGMASK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_sits_below_its_record_and_both_are_aligned() {
        let place = place(0x7fff_1238);
        assert_eq!(place.record % 16, 0);
        assert_eq!(place.frame % 16, 0);
        assert_eq!(place.record, 0x7fff_1220);
        assert_eq!(place.record - place.frame, FRAME_SIZE as u64);
    }

    #[test]
    fn a_frame_round_trips_the_whole_state() {
        let mut state = CpuState::default();
        for i in 0..31 {
            state.x[i] = 0x1000 + i as u64;
        }
        state.sp = 0x7000;
        state.pc = 0x40_1234;
        state.n = 1;
        state.c = 1;
        state.q[7] = u128::MAX - 5;
        state.fpsr = 0x10;
        state.fpcr = 0x0300_0000;
        let info = [7u8; SIGINFO_SIZE];
        let bytes = encode(&state, &info, 0b1010, &AltStack::DISABLED);
        assert_eq!(&bytes[..SIGINFO_SIZE], &info[..]);
        assert_eq!(get_u64(&bytes, 128 + 176 + 264), 0x40_1234, "pc at sigcontext + 264");
        assert_eq!(get_u64(&bytes, 128 + 176 + 272), 0xa000_0000, "N and C in pstate bits 31 and 29");
        assert_eq!(get_u32(&bytes, 128 + 176 + 288), FPSIMD_MAGIC);
        assert_eq!(get_u32(&bytes, 128 + 16 + 8), SS_DISABLE, "uc_stack.ss_flags");
        assert_eq!(get_u64(&bytes, FRAME_SIZE), 0x1000 + 29, "the frame record holds x29 then x30");
        let mut back = CpuState::default();
        assert_eq!(decode(&mut back, &bytes), Ok(0b1010));
        assert_eq!((back.x, back.sp, back.pc, back.nzcv()), (state.x, state.sp, state.pc, state.nzcv()));
        assert_eq!((back.q, back.fpsr, back.fpcr), (state.q, state.fpsr, state.fpcr));
    }

    #[test]
    fn a_frame_without_its_fpsimd_record_is_refused() {
        let bytes = vec![0u8; FRAME_SIZE];
        assert_eq!(decode(&mut CpuState::default(), &bytes), Err(EFAULT));
    }

    #[test]
    fn alternate_stacks_report_their_flags() {
        let alt = AltStack { sp: 0x1000, flags: 0, size: 0x2000 };
        assert!(alt.contains(0x3000) && !alt.contains(0x1000) && !alt.contains(0x3010));
        assert_eq!(alt.reported_flags(0x2000), SS_ONSTACK);
        assert_eq!(alt.reported_flags(0x9000), 0);
        assert_eq!(AltStack::DISABLED.reported_flags(0x9000), SS_DISABLE);
    }
}

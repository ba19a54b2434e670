//! The guest's floating-point environment (FPCR's controls and FPSR's cumulative exception flags)
//! kept in the host's SSE control and status register, MXCSR, of the thread that runs the guest
//! thread.
//!
//! Translated code and the fallback engine compute with the host's SSE instructions, which round as
//! MXCSR says and raise its sticky exception flags. So instead of computing FPSR's flags in every
//! floating-point operation, vmtrans sets MXCSR's rounding control and flush-to-zero bits from the
//! guest's FPCR, and reads the flags back when the guest reads FPSR. The guest's FPSR is at every
//! moment `state.fpsr | fpsr_flags()`: the state's word holds what the guest wrote and what was
//! folded in earlier (`fold_flags`), MXCSR what the guest raised since. The runtime folds the flags
//! into the state wherever it hands the state to someone else (a system call, a signal frame), and
//! loads MXCSR from the state wherever the guest's FPCR and FPSR come from the state (a new thread,
//! sigreturn).
//!
//! The controls MXCSR cannot say are read from the guest's FPCR by the code they affect: DN (default
//! NaN) by the code that fixes NaN results (see `InstData::follows_default_nan_mode`), FZ16 and AHP
//! by the half-precision operations, which the IR computes with integer operations. What is not
//! emulated: FPSR.IDC (input denormal, raised only under flush-to-zero).
//! Tininess is detected after rounding on x86 and before rounding on Arm, so an underflow flag can
//! differ for a result that rounds up to the smallest normal number.

use vmtrans_ir::a64::CpuState;

/// MXCSR's exception flags: invalid (IE, bit 0), denormal operand (DE, 1), divide by zero (ZE, 2),
/// overflow (OE, 3), underflow (UE, 4), precision (PE, 5).
const MXCSR_FLAGS: u32 = 0x3f;
/// MXCSR with every exception masked, round to nearest, no flush to zero: the host's default.
const MXCSR_DEFAULT: u32 = 0x1f80;
/// MXCSR's rounding control (bits 14..13) and flush-to-zero (bit 15) and denormals-are-zero (bit 6).
const MXCSR_RC_SHIFT: u32 = 13;
const MXCSR_FTZ: u32 = 1 << 15;
const MXCSR_DAZ: u32 = 1 << 6;

use vmtrans_ir::a64::state::fpcr;

/// FPSR's cumulative flags that MXCSR models: IOC (bit 0), DZC (1), OFC (2), UFC (3), IXC (4).
pub const FPSR_MODELLED_FLAGS: u64 = 0x1f;

fn read_mxcsr() -> u32 {
    let mut value: u32 = 0;
    // SAFETY: stmxcsr stores the 32-bit MXCSR to the given address; SSE is part of x86-64.
    unsafe { std::arch::asm!("stmxcsr [{}]", in(reg) &mut value, options(nostack, preserves_flags)) };
    value
}

fn write_mxcsr(value: u32) {
    // SAFETY: ldmxcsr loads MXCSR; callers keep every exception masked (bits 12..7 set), so no
    // floating-point operation traps.
    unsafe { std::arch::asm!("ldmxcsr [{}]", in(reg) &value, options(nostack, preserves_flags)) };
}

/// FPSR's cumulative flags raised since they were last cleared, from MXCSR.
pub fn fpsr_flags() -> u64 {
    mxcsr_flags_as_fpsr(read_mxcsr())
}

/// The FPSR flags that MXCSR value `mxcsr` holds.
fn mxcsr_flags_as_fpsr(mxcsr: u32) -> u64 {
    let invalid = mxcsr & 1;
    let divide_by_zero = mxcsr >> 2 & 1;
    let overflow = mxcsr >> 3 & 1;
    let underflow = mxcsr >> 4 & 1;
    let inexact = mxcsr >> 5 & 1;
    (invalid | divide_by_zero << 1 | overflow << 2 | underflow << 3 | inexact << 4) as u64
}

/// Clears MXCSR's exception flags (a guest write of FPSR replaces them).
pub fn clear_flags() {
    write_mxcsr(read_mxcsr() & !MXCSR_FLAGS);
}

/// Moves the flags raised since the last fold from MXCSR into `state.fpsr`, which then holds the
/// guest's whole FPSR.
pub fn fold_flags(state: &mut CpuState) {
    let mxcsr = read_mxcsr();
    if mxcsr & MXCSR_FLAGS != 0 {
        state.fpsr |= mxcsr_flags_as_fpsr(mxcsr);
        write_mxcsr(mxcsr & !MXCSR_FLAGS);
    }
}

/// The MXCSR that computes as FPCR value `fpcr` says, with no flags raised.
fn mxcsr_for(fpcr: u64) -> u32 {
    // Arm's RMode 0..3 is to nearest, towards +inf, towards -inf, towards zero; x86's RC is to
    // nearest, towards -inf, towards +inf, towards zero.
    let rounding = match fpcr >> fpcr::RMODE_SHIFT & 3 {
        0 => 0,
        1 => 2,
        2 => 1,
        _ => 3,
    };
    let flush = if fpcr & fpcr::FZ != 0 { MXCSR_FTZ | MXCSR_DAZ } else { 0 };
    MXCSR_DEFAULT | rounding << MXCSR_RC_SHIFT | flush
}

/// Makes the host compute as FPCR value `fpcr` says, keeping the flags raised so far.
pub fn apply_fpcr(fpcr: u64) {
    write_mxcsr(mxcsr_for(fpcr) | read_mxcsr() & MXCSR_FLAGS);
}

/// Loads MXCSR from the state (FPCR's controls, no flags: `state.fpsr` holds them), for a thread
/// about to run guest code or a guest context just restored.
pub fn load(state: &CpuState) {
    write_mxcsr(mxcsr_for(state.fpcr));
}

/// Puts the host's default floating-point environment back (round to nearest, no flush to zero, no
/// flags), for runtime code that must not compute in the guest's modes.
pub fn reset() {
    write_mxcsr(MXCSR_DEFAULT);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_modes_map_to_the_host_ones() {
        // RMode towards +inf is x86's round up (RC = 2), towards -inf round down (RC = 1).
        assert_eq!(mxcsr_for(1 << 22) >> MXCSR_RC_SHIFT & 3, 2);
        assert_eq!(mxcsr_for(2 << 22) >> MXCSR_RC_SHIFT & 3, 1);
        assert_eq!(mxcsr_for(3 << 22) >> MXCSR_RC_SHIFT & 3, 3);
        assert_eq!(mxcsr_for(fpcr::FZ) & (MXCSR_FTZ | MXCSR_DAZ), MXCSR_FTZ | MXCSR_DAZ);
        assert_eq!(mxcsr_for(0), MXCSR_DEFAULT);
    }

    #[test]
    fn host_flags_become_fpsr_flags() {
        // IE, ZE, OE, UE, PE become IOC, DZC, OFC, UFC, IXC; DE has no counterpart.
        assert_eq!(mxcsr_flags_as_fpsr(0b11_1101), 0b1_1111);
        assert_eq!(mxcsr_flags_as_fpsr(0b10), 0);
    }

    #[test]
    fn a_division_by_zero_and_an_inexact_sum_raise_their_flags() {
        let saved = read_mxcsr();
        clear_flags();
        let x = std::hint::black_box(1.0f64);
        let zero = std::hint::black_box(0.0f64);
        std::hint::black_box(x / zero);
        assert_eq!(fpsr_flags(), 0b10);
        std::hint::black_box(x + std::hint::black_box(1e-30));
        assert_eq!(fpsr_flags(), 0b1_0010);
        let mut state = CpuState::default();
        fold_flags(&mut state);
        assert_eq!((state.fpsr, fpsr_flags()), (0b1_0010, 0));
        write_mxcsr(saved);
    }

    #[test]
    fn the_rounding_mode_rounds_host_arithmetic() {
        let saved = read_mxcsr();
        apply_fpcr(3 << 22);
        let third = std::hint::black_box(1.0f64) / std::hint::black_box(3.0f64);
        apply_fpcr(1 << 22);
        let third_up = std::hint::black_box(1.0f64) / std::hint::black_box(3.0f64);
        write_mxcsr(saved);
        assert_eq!(third_up.to_bits(), third.to_bits() + 1);
    }
}

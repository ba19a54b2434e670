//! Exception generation (SVC, BRK, HLT) and system instructions: hints, barriers, cache
//! maintenance that user space may issue, and MRS/MSR of the registers Linux lets EL0 reach.
//!
//! Identification registers answer with the values of the CPU vmtrans presents; their feature
//! fields claim only what the lifter implements, like AT_HWCAP does.

use crate::a64::lift::{Lifter, SemError};
use crate::inst::{Helper, Terminator, TrapKind};
use crate::reg::Reg;
use crate::types::Type;

/// CTR_EL0: 64-byte cache lines for data and instructions, VIPT instruction cache.
pub const CTR_EL0: u64 = 0x8444_c004;
/// DCZID_EL0: DC ZVA allowed, zeroing blocks of 64 bytes (2^4 words).
pub const DCZID_EL0: u64 = 4;
/// CNTFRQ_EL0: the counter runs at 1 GHz (the runtime reads it from a nanosecond clock).
pub const CNTFRQ_EL0: u64 = 1_000_000_000;
/// MIDR_EL1: an Arm Cortex-A72 r0p3.
pub const MIDR_EL1: u64 = 0x410f_d083;

/// SVC, BRK, HLT, and the exceptions EL0 may not raise.
pub fn exception(l: &mut Lifter) -> Result<(), SemError> {
    let opc = l.field(21, 3);
    let op2 = l.field(2, 3);
    let ll = l.field(0, 2);
    if op2 != 0 {
        return Err(SemError::Undefined);
    }
    let (pc, insn) = (l.pc, l.insn);
    match (opc, ll) {
        (0b000, 0b01) => {
            let cont = l.block_at(pc.wrapping_add(4));
            l.end(Terminator::Syscall { pc, cont });
        }
        (0b000, 0b10) | (0b000, 0b11) => l.end(Terminator::Trap { kind: TrapKind::Undefined, pc, insn }),
        (0b001, 0b00) => l.end(Terminator::Trap { kind: TrapKind::Breakpoint, pc, insn }),
        (0b010, 0b00) => l.end(Terminator::Trap { kind: TrapKind::Halt, pc, insn }),
        _ => return Err(SemError::Undefined),
    }
    Ok(())
}

/// Hints, barriers, PSTATE, SYS and MRS/MSR.
pub fn system(l: &mut Lifter) -> Result<(), SemError> {
    let read = l.bit(21);
    let op0 = l.field(19, 2);
    let op1 = l.field(16, 3);
    let crn = l.field(12, 4);
    let crm = l.field(8, 4);
    let op2 = l.field(5, 3);
    let rt = l.field(0, 5);
    match (read, op0) {
        (false, 0b00) => {
            if crn == 0b0010 && op1 == 0b011 && rt == 31 {
                // Hints (NOP, YIELD, WFE, BTI, the pointer-authentication hints, ...): none has an
                // effect vmtrans must model; a CPU without pointer authentication runs PAC hints as
                // NOPs too, and AT_HWCAP does not claim it.
                return Ok(());
            }
            if crn == 0b0011 && op1 == 0b011 && rt == 31 {
                return barrier(l, op2);
            }
            if crn == 0b0100 && op1 == 0 && crm == 0 && rt == 31 {
                return flag_manipulation(l, op2);
            }
            Err(SemError::Unsupported)
        }
        (false, 0b01) => sys(l, op1, crn, crm, op2, rt),
        (_, 0b10) | (_, 0b11) => {
            let key = (op0, op1, crn, crm, op2);
            if read {
                mrs(l, key, rt)
            } else {
                msr(l, key, rt)
            }
        }
        _ => Err(SemError::Unsupported),
    }
}

/// CFINV (FEAT_FlagM), XAFLAG and AXFLAG (FEAT_FlagM2): PSTATE writes that rearrange NZCV.
fn flag_manipulation(l: &mut Lifter, op2: u32) -> Result<(), SemError> {
    let (z, c, v) = (l.b.get(Reg::Z), l.b.get(Reg::C), l.b.get(Reg::V));
    match op2 {
        // CFINV: C = NOT(C).
        0b000 => {
            let not_c = l.b.not(c);
            l.b.set(Reg::C, not_c);
        }
        // XAFLAG: from the "external" format to Arm's: N = !C & !Z, Z = Z & C, C = C | Z,
        // V = !C & Z.
        0b001 => {
            let (not_c, not_z) = (l.b.not(c), l.b.not(z));
            let n2 = l.b.and(not_c, not_z);
            let z2 = l.b.and(z, c);
            let c2 = l.b.or(c, z);
            let v2 = l.b.and(not_c, z);
            l.set_nzcv(n2, z2, c2, v2);
        }
        // AXFLAG: from Arm's format to the external one: N = 0, Z = Z | V, C = C & !V, V = 0.
        0b010 => {
            let zero = l.b.bool(false);
            let z2 = l.b.or(z, v);
            let not_v = l.b.not(v);
            let c2 = l.b.and(c, not_v);
            l.set_nzcv(zero, z2, c2, zero);
        }
        _ => return Err(SemError::Unsupported),
    }
    Ok(())
}

/// CLREX, DSB, DMB, ISB, SB.
fn barrier(l: &mut Lifter, op2: u32) -> Result<(), SemError> {
    match op2 {
        0b010 => {
            let clear = l.imm64(u64::MAX);
            l.b.set(Reg::EXCL_ADDR, clear);
        }
        0b100 | 0b101 => l.b.fence(),
        0b110 | 0b111 => {}
        _ => return Err(SemError::Unsupported),
    }
    Ok(())
}

/// The SYS instructions EL0 may use: DC ZVA zeroes a block; IC IVAU tells the runtime that code
/// in its line may have changed (a JIT's, which runs in the fallback engine); data cache cleaning
/// has no effect on a coherent host. Self-modifying code of translated pages is not detected yet
/// (docs/isa-coverage.md).
fn sys(l: &mut Lifter, op1: u32, crn: u32, crm: u32, op2: u32, rt: u32) -> Result<(), SemError> {
    match (op1, crn, crm, op2) {
        (0b011, 0b0111, 0b0100, 0b001) => {
            let a = l.xreg(rt, true);
            let aligned = l.b.and_imm(a, !63u128);
            let zero = l.b.iconst(Type::I128, 0);
            for i in 0..4u64 {
                let p = l.b.add_imm(aligned, i * 16);
                l.b.store(p, zero);
            }
            Ok(())
        }
        (0b011, 0b0111, 0b0101, 0b001) => {
            let a = l.xreg(rt, true);
            l.b.call_helper(Helper::InvalidateCode, &[a]);
            Ok(())
        }
        // DC CVAU, CVAC, CVAP, CVADP and CIVAC.
        (0b011, 0b0111, 0b1011, 0b001)
        | (0b011, 0b0111, 0b1010, 0b001)
        | (0b011, 0b0111, 0b1100, 0b001)
        | (0b011, 0b0111, 0b1101, 0b001)
        | (0b011, 0b0111, 0b1110, 0b001) => Ok(()),
        _ => Err(SemError::Unsupported),
    }
}

type SysReg = (u32, u32, u32, u32, u32);
const NZCV: SysReg = (3, 3, 4, 2, 0);
const FPCR: SysReg = (3, 3, 4, 4, 0);
const FPSR: SysReg = (3, 3, 4, 4, 1);
const TPIDR_EL0: SysReg = (3, 3, 13, 0, 2);
const TPIDRRO_EL0: SysReg = (3, 3, 13, 0, 3);
const CNTFRQ: SysReg = (3, 3, 14, 0, 0);
const CNTVCT: SysReg = (3, 3, 14, 0, 2);
const CNTVCTSS: SysReg = (3, 3, 14, 0, 6);
const CTR: SysReg = (3, 3, 0, 0, 1);
const DCZID: SysReg = (3, 3, 0, 0, 7);

/// The value Linux shows EL0 for an emulated identification register (op0 = 3, op1 = 0, CRn = 0).
fn id_register(key: SysReg) -> Option<u64> {
    let (op0, op1, crn, crm, op2) = key;
    if (op0, op1, crn) != (3, 0, 0) {
        return None;
    }
    Some(match (crm, op2) {
        (0, 0) => MIDR_EL1,
        (0, 5) => 0x8000_0000, // MPIDR_EL1
        (0, 6) => 0,           // REVIDR_EL1
        // ID_AA64PFR0_EL1: EL0 and EL1 in AArch64 only; FP (bits 19..16) and AdvSIMD (23..20) with
        // half precision (1), matching AT_HWCAP's FPHP and ASIMDHP.
        (4, 0) => 0x11 | (1 << 16) | (1 << 20),
        // ID_AA64ISAR0_EL1, matching AT_HWCAP: AES with PMULL (bits 7..4 = 2), SHA1 (11..8 = 1),
        // SHA256 with SHA512 (15..12 = 2), CRC32 (19..16 = 1), LSE atomics (23..20 = 2), RDM
        // (31..28 = 1), SHA3 (35..32 = 1), dot product (47..44 = 1), FHM (51..48 = 1), flag
        // manipulation with FlagM2 (55..52 = 2).
        (6, 0) => {
            (2 << 4)
                | (1 << 8)
                | (2 << 12)
                | (1 << 16)
                | (2 << 20)
                | (1 << 28)
                | (1 << 32)
                | (1 << 44)
                | (1 << 48)
                | (2 << 52)
        }
        // ID_AA64ISAR1_EL1: JSCVT (bits 15..12 = 1), FCMA (19..16 = 1), LRCPC with LDAPUR/STLUR
        // (23..20 = 2), FRINTTS (35..32 = 1), I8MM (55..52 = 1).
        (6, 1) => (1 << 12) | (1 << 16) | (2 << 20) | (1 << 32) | (1 << 52),
        // Every other identification register of the space reads as zero for EL0.
        (1..=7, _) => 0,
        _ => return None,
    })
}

fn mrs(l: &mut Lifter, key: SysReg, rt: u32) -> Result<(), SemError> {
    let v = match key {
        NZCV => {
            let mut acc = l.imm64(0);
            for (i, r) in [Reg::N, Reg::Z, Reg::C, Reg::V].into_iter().enumerate() {
                let f = l.b.get(r);
                let w = l.b.uext(Type::I64, f);
                let s = l.b.shl_imm(w, 31 - i as u32);
                acc = l.b.or(acc, s);
            }
            acc
        }
        FPCR => l.b.get(Reg::FPCR),
        FPSR => {
            let held = l.b.get(Reg::FPSR);
            l.b.call_helper(Helper::FpsrRead, &[held])
        }
        TPIDR_EL0 => l.b.get(Reg::TPIDR),
        TPIDRRO_EL0 => l.imm64(0),
        CNTFRQ => l.imm64(CNTFRQ_EL0),
        CNTVCT | CNTVCTSS => l.b.call_helper(Helper::ReadCntvct, &[]),
        CTR => l.imm64(CTR_EL0),
        DCZID => l.imm64(DCZID_EL0),
        _ => match id_register(key) {
            Some(x) => l.imm64(x),
            None => return Err(SemError::Unsupported),
        },
    };
    l.set_xreg(rt, v);
    Ok(())
}

fn msr(l: &mut Lifter, key: SysReg, rt: u32) -> Result<(), SemError> {
    let v = l.xreg(rt, true);
    match key {
        NZCV => {
            for (i, r) in [Reg::N, Reg::Z, Reg::C, Reg::V].into_iter().enumerate() {
                let s = l.b.lshr_imm(v, 31 - i as u32);
                let f = l.b.trunc(Type::I1, s);
                l.b.set(r, f);
            }
        }
        FPCR => {
            // Only the architected FPCR bits are kept (AHP, DN, FZ, RMode and FZ16; the trap
            // enables read as zero, as on hardware without trapping); the rest read as zero.
            let m = l.b.and_imm(v, 0x07c8_0000);
            let m = l.b.call_helper(Helper::FpcrWrite, &[m]);
            l.b.set(Reg::FPCR, m);
        }
        FPSR => {
            let m = l.b.and_imm(v, 0xf800_009f);
            let m = l.b.call_helper(Helper::FpsrWrite, &[m]);
            l.b.set(Reg::FPSR, m);
        }
        TPIDR_EL0 => l.b.set(Reg::TPIDR, v),
        _ => return Err(SemError::Unsupported),
    }
    Ok(())
}

//! Branches: unconditional (immediate and register), compare-and-branch, test-and-branch and
//! conditional branches. The group also holds exception generation and system instructions,
//! which `lift` hands to `system`.

use crate::a64::lift::{Lifter, SemError};
use crate::a64::sem::system;
use crate::inst::{IntCC, Terminator};
use crate::reg::Reg;

/// Sign-extends the low `bits` bits of `x`.
pub(crate) fn sext(x: u32, bits: u32) -> i64 {
    ((x as i64) << (64 - bits)) >> (64 - bits)
}

/// Routes the branches, exception generation and system group.
pub fn lift(l: &mut Lifter) -> Result<(), SemError> {
    let insn = l.insn;
    if insn & 0x7c00_0000 == 0x1400_0000 {
        b_bl(l)
    } else if insn & 0x7e00_0000 == 0x3400_0000 {
        cbz_cbnz(l)
    } else if insn & 0x7e00_0000 == 0x3600_0000 {
        tbz_tbnz(l)
    } else if insn & 0xff00_0000 == 0x5400_0000 {
        b_cond(l)
    } else if insn & 0xff00_0000 == 0xd400_0000 {
        system::exception(l)
    } else if insn & 0xffc0_0000 == 0xd500_0000 {
        system::system(l)
    } else if insn & 0xfe00_0000 == 0xd600_0000 {
        branch_reg(l)
    } else {
        Err(SemError::Undefined)
    }
}

fn target(l: &Lifter, imm: u32, bits: u32) -> u64 {
    l.pc.wrapping_add((sext(imm, bits) << 2) as u64)
}

/// B and BL.
fn b_bl(l: &mut Lifter) -> Result<(), SemError> {
    let dest = target(l, l.field(0, 26), 26);
    if l.bit(31) {
        let ret = l.pc.wrapping_add(4);
        let r = l.imm64(ret);
        l.b.set(Reg::x(30), r);
        l.call_targets.push(dest);
        let cont = l.block_at(ret);
        l.end(Terminator::CallGuest { target: dest, ret_addr: ret, cont });
    } else {
        let dest = l.block_at(dest);
        l.end(Terminator::Jump { dest });
    }
    Ok(())
}

fn branch_on(l: &mut Lifter, cond: crate::entities::Value, dest: u64) {
    let then_dest = l.block_at(dest);
    let else_dest = l.block_at(l.pc.wrapping_add(4));
    l.end(Terminator::Branch { cond, then_dest, else_dest });
}

/// CBZ and CBNZ.
fn cbz_cbnz(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let v = l.xreg(l.field(0, 5), sf);
    let cc = if l.bit(24) { IntCC::Ne } else { IntCC::Eq };
    let cond = l.b.icmp_imm(cc, v, 0);
    let dest = target(l, l.field(5, 19), 19);
    branch_on(l, cond, dest);
    Ok(())
}

/// TBZ and TBNZ.
fn tbz_tbnz(l: &mut Lifter) -> Result<(), SemError> {
    let bit = (l.field(31, 1) << 5) | l.field(19, 5);
    let v = l.xreg(l.field(0, 5), true);
    let shifted = l.b.lshr_imm(v, bit);
    let one = l.b.and_imm(shifted, 1);
    let cc = if l.bit(24) { IntCC::Ne } else { IntCC::Eq };
    let cond = l.b.icmp_imm(cc, one, 0);
    let dest = target(l, l.field(5, 14), 14);
    branch_on(l, cond, dest);
    Ok(())
}

/// B.cond and BC.cond (the latter differs only as a branch-prediction hint).
fn b_cond(l: &mut Lifter) -> Result<(), SemError> {
    if l.bit(24) {
        return Err(SemError::Undefined);
    }
    let cond_field = l.field(0, 4);
    let dest = target(l, l.field(5, 19), 19);
    if cond_field >> 1 == 0b111 {
        let d = l.block_at(dest);
        l.end(Terminator::Jump { dest: d });
    } else {
        let cond = l.cond_holds(cond_field);
        branch_on(l, cond, dest);
    }
    Ok(())
}

/// BR, BLR and RET (the pointer-authenticating forms are not supported).
fn branch_reg(l: &mut Lifter) -> Result<(), SemError> {
    let opc = l.field(21, 4);
    let op2 = l.field(16, 5);
    let op3 = l.field(10, 6);
    let op4 = l.field(0, 5);
    if op2 != 0b11111 {
        return Err(SemError::Undefined);
    }
    if op3 != 0 || op4 != 0 {
        return Err(SemError::Unsupported);
    }
    let n = l.field(5, 5);
    match opc {
        0b0000 => {
            let t = l.xreg(n, true);
            l.end(Terminator::JumpIndirect { target: t });
        }
        0b0001 => {
            let t = l.xreg(n, true);
            let ret = l.pc.wrapping_add(4);
            let r = l.imm64(ret);
            l.b.set(Reg::x(30), r);
            let cont = l.block_at(ret);
            l.end(Terminator::CallIndirect { target: t, ret_addr: ret, cont });
        }
        0b0010 => {
            let t = l.xreg(n, true);
            // RET through another register than the link register is a jump as far as anything
            // but branch prediction goes, and not a return the call convention describes: what a
            // procedure returns is known only for `ret` through x30 (`sync::CallConvention`).
            if n == 30 {
                l.end(Terminator::Return { target: t });
            } else {
                l.end(Terminator::JumpIndirect { target: t });
            }
        }
        0b0100 | 0b0101 => return Err(SemError::Undefined),
        _ => return Err(SemError::Unsupported),
    }
    Ok(())
}

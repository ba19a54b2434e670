//! Data processing (immediate): PC-relative addressing, add/subtract, logical, move wide,
//! bitfield and extract.

use crate::a64::lift::{Lifter, SemError};
use crate::a64::sem::branch::sext;
use crate::inst::BinaryOp;
use crate::types::Type;

/// Routes on bits 25..23.
pub fn lift(l: &mut Lifter) -> Result<(), SemError> {
    match l.field(23, 3) {
        0b000 | 0b001 => adr_adrp(l),
        0b010 => add_sub_imm(l),
        0b011 => Err(SemError::Unsupported), // ADDG/SUBG (memory tagging).
        0b100 => logical_imm(l),
        0b101 => move_wide(l),
        0b110 => bitfield(l),
        _ => extr(l),
    }
}

/// ADR and ADRP.
fn adr_adrp(l: &mut Lifter) -> Result<(), SemError> {
    let imm = (l.field(5, 19) << 2) | l.field(29, 2);
    let off = sext(imm, 21);
    let v = if l.bit(31) { (l.pc & !0xfff).wrapping_add((off << 12) as u64) } else { l.pc.wrapping_add(off as u64) };
    let c = l.imm64(v);
    l.set_xreg(l.field(0, 5), c);
    Ok(())
}

/// ADD, ADDS, SUB and SUBS (immediate). CMP and CMN are SUBS and ADDS to the zero register.
fn add_sub_imm(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let sub = l.bit(30);
    let set_flags = l.bit(29);
    let imm = (l.field(10, 12) as u64) << if l.bit(22) { 12 } else { 0 };
    let (rn, rd) = (l.field(5, 5), l.field(0, 5));
    let t = if sf { Type::I64 } else { Type::I32 };
    let x = l.xreg_sp(rn, sf);
    let y = l.b.iconst(t, imm as u128);
    let r = if sub { l.sub_flags(x, y, set_flags) } else { l.add_flags(x, y, set_flags) };
    if set_flags {
        l.set_xreg(rd, r);
    } else {
        l.set_xreg_sp(rd, r);
    }
    Ok(())
}

/// The Arm manual's DecodeBitMasks: the (wmask, tmask) pair of a logical immediate or bitfield
/// encoding, or None when the encoding is reserved.
pub fn decode_bit_masks(n: u32, imms: u32, immr: u32, immediate: bool, datasize: u32) -> Option<(u64, u64)> {
    let combined = (n << 6) | (!imms & 0x3f);
    if combined == 0 {
        return None;
    }
    let len = 31 - combined.leading_zeros();
    if len < 1 {
        return None;
    }
    let esize = 1u32 << len;
    if esize > datasize {
        return None;
    }
    let levels = esize - 1;
    if immediate && imms & levels == levels {
        return None;
    }
    let s = imms & levels;
    let r = immr & levels;
    let d = s.wrapping_sub(r) & levels;
    let ones = |k: u32| if k >= 64 { u64::MAX } else { (1u64 << k) - 1 };
    let emask = ones(esize);
    let welem = ones(s + 1);
    let telem = ones(d + 1);
    let wrot = if r == 0 { welem } else { ((welem >> r) | (welem << (esize - r))) & emask };
    let replicate = |e: u64| {
        let mut out = 0u64;
        let mut i = 0;
        while i < datasize {
            out |= e << i;
            i += esize;
        }
        out & ones(datasize)
    };
    Some((replicate(wrot), replicate(telem)))
}

/// AND, ORR, EOR and ANDS (immediate).
fn logical_imm(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let opc = l.field(29, 2);
    let n = l.field(22, 1);
    if !sf && n == 1 {
        return Err(SemError::Undefined);
    }
    let datasize = if sf { 64 } else { 32 };
    let (wmask, _) = decode_bit_masks(n, l.field(10, 6), l.field(16, 6), true, datasize).ok_or(SemError::Undefined)?;
    let (rn, rd) = (l.field(5, 5), l.field(0, 5));
    let t = if sf { Type::I64 } else { Type::I32 };
    let x = l.xreg(rn, sf);
    let imm = l.b.iconst(t, wmask as u128);
    let r = match opc {
        0b00 | 0b11 => l.b.and(x, imm),
        0b01 => l.b.or(x, imm),
        _ => l.b.xor(x, imm),
    };
    if opc == 0b11 {
        l.set_nz_clear_cv(r);
        l.set_xreg(rd, r);
    } else {
        l.set_xreg_sp(rd, r);
    }
    Ok(())
}

/// MOVN, MOVZ and MOVK.
fn move_wide(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let opc = l.field(29, 2);
    let hw = l.field(21, 2);
    if opc == 0b01 || (!sf && hw >= 2) {
        return Err(SemError::Undefined);
    }
    let shift = hw * 16;
    let imm = (l.field(5, 16) as u64) << shift;
    let rd = l.field(0, 5);
    let t = if sf { Type::I64 } else { Type::I32 };
    let r = match opc {
        0b00 => l.b.iconst(t, !imm as u128),
        0b10 => l.b.iconst(t, imm as u128),
        _ => {
            let old = l.xreg(rd, sf);
            let kept = l.b.and_imm(old, !(0xffffu128 << shift));
            let ins = l.b.iconst(t, imm as u128);
            l.b.or(kept, ins)
        }
    };
    l.set_xreg(rd, r);
    Ok(())
}

/// SBFM, BFM and UBFM (and so ASR, LSL, LSR, SXT*, UXT*, SBFX, UBFX, BFI, BFXIL by immediate).
fn bitfield(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let opc = l.field(29, 2);
    let n = l.field(22, 1);
    if opc == 0b11 || n != sf as u32 {
        return Err(SemError::Undefined);
    }
    let datasize = if sf { 64 } else { 32 };
    let (immr, imms) = (l.field(16, 6), l.field(10, 6));
    if !sf && (immr >= 32 || imms >= 32) {
        return Err(SemError::Undefined);
    }
    let (wmask, tmask) = decode_bit_masks(n, imms, immr, false, datasize).ok_or(SemError::Undefined)?;
    let (rn, rd) = (l.field(5, 5), l.field(0, 5));
    let t = if sf { Type::I64 } else { Type::I32 };
    let src = l.xreg(rn, sf);
    if opc != 0b01 {
        // SBFM and UBFM move one field and extend it, which the Arm ARM's rotate-and-mask form
        // below computes too; two shifts say it more plainly, and LLVM turns them into `movsx`,
        // `shr` or `shl` where the masks defeat it (SXTW became five instructions). With
        // imms >= immr the field is bits imms..immr, moved down to bit 0 (SBFX, UBFX, ASR, LSR,
        // SXT*, UXT*); otherwise it is bits imms..0, moved up to bit datasize - immr (SBFIZ,
        // UBFIZ, LSL).
        let up = l.b.shl_imm(src, datasize - 1 - imms);
        let r = if imms >= immr {
            let down = datasize - 1 - imms + immr;
            if opc == 0b00 {
                l.b.ashr_imm(up, down)
            } else {
                l.b.lshr_imm(up, down)
            }
        } else {
            let back = datasize - 1 - imms;
            let field = if opc == 0b00 { l.b.ashr_imm(up, back) } else { l.b.lshr_imm(up, back) };
            l.b.shl_imm(field, datasize - immr)
        };
        l.set_xreg(rd, r);
        return Ok(());
    }
    // BFM: the Arm ARM's rotate-and-mask form, inserting into the destination's own bits.
    let dst = l.xreg(rd, sf);
    let amt = l.b.iconst(t, immr as u128);
    let rotated = l.b.binary(BinaryOp::Rotr, src, amt);
    let keep = l.b.and_imm(dst, !wmask as u128);
    let moved = l.b.and_imm(rotated, wmask as u128);
    let bot = l.b.or(keep, moved);
    let top_part = l.b.and_imm(dst, !tmask as u128);
    let bot_part = l.b.and_imm(bot, tmask as u128);
    let r = l.b.or(top_part, bot_part);
    l.set_xreg(rd, r);
    Ok(())
}

/// EXTR (and ROR by immediate).
fn extr(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let op21 = l.field(29, 2);
    let n = l.field(22, 1);
    let o0 = l.field(21, 1);
    let lsb = l.field(10, 6);
    if op21 != 0 || o0 != 0 || n != sf as u32 || (!sf && lsb >= 32) {
        return Err(SemError::Undefined);
    }
    let datasize = if sf { 64 } else { 32 };
    let (rm, rn, rd) = (l.field(16, 5), l.field(5, 5), l.field(0, 5));
    let lo = l.xreg(rm, sf);
    let r = if lsb == 0 {
        lo
    } else {
        let hi = l.xreg(rn, sf);
        let a = l.b.lshr_imm(lo, lsb);
        let b = l.b.shl_imm(hi, datasize - lsb);
        l.b.or(a, b)
    };
    l.set_xreg(rd, r);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::decode_bit_masks;

    #[test]
    fn bit_masks_match_the_manual_examples() {
        // AND x0, x1, #0xff: N=1, immr=0, imms=0b000111.
        assert_eq!(decode_bit_masks(1, 0b000111, 0, true, 64).unwrap().0, 0xff);
        // ORR w0, w1, #0x55555555: N=0, immr=0, imms=0b111100.
        assert_eq!(decode_bit_masks(0, 0b111100, 0, true, 32).unwrap().0, 0x5555_5555);
        // 0xfffffffffffffffe is ones(63) rotated: N=1, immr=63, imms=62.
        assert_eq!(decode_bit_masks(1, 62, 63, true, 64).unwrap().0, 0xffff_ffff_ffff_fffe);
        // All ones is reserved for logical immediates.
        assert!(decode_bit_masks(1, 63, 0, true, 64).is_none());
    }
}

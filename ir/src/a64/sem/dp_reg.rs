//! Data processing (register): logical and add/subtract with shifted or extended registers,
//! add/subtract with carry, conditional compare and select, data processing with one, two and
//! three sources (including multiplies, divides and CRC32).

use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::inst::{BinaryOp, Helper, IntCC, UnaryOp};
use crate::reg::Reg;
use crate::types::Type;

/// Routes on op0 (bit 30), op1 (bit 28), op2 (bits 24..21) and op3 (bits 15..10).
pub fn lift(l: &mut Lifter) -> Result<(), SemError> {
    let op0 = l.bit(30);
    let op1 = l.bit(28);
    let op2 = l.field(21, 4);
    if !op1 {
        return if op2 & 0b1000 == 0 {
            logical_shifted(l)
        } else if op2 & 0b1001 == 0b1000 {
            add_sub_shifted(l)
        } else {
            add_sub_extended(l)
        };
    }
    match op2 {
        0b0110 => {
            if op0 {
                dp_1src(l)
            } else {
                dp_2src(l)
            }
        }
        0b0000 => match l.field(10, 6) {
            0 => adc_sbc(l),
            0b000001 | 0b100001 => rmif(l),
            0b000010 | 0b010010 => setf(l),
            _ => Err(SemError::Undefined),
        },
        0b0010 => cond_compare(l),
        0b0100 => cond_select(l),
        _ if op2 & 0b1000 != 0 => dp_3src(l),
        _ => Err(SemError::Undefined),
    }
}

/// Applies a shift of type `kind` (LSL, LSR, ASR, ROR) by a constant.
fn shift_by(l: &mut Lifter, v: Value, kind: u32, amount: u32) -> Value {
    if amount == 0 {
        return v;
    }
    match kind {
        0 => l.b.shl_imm(v, amount),
        1 => l.b.lshr_imm(v, amount),
        2 => l.b.ashr_imm(v, amount),
        _ => {
            let t = l.b.value_type(v);
            let a = l.b.iconst(t, amount as u128);
            l.b.binary(BinaryOp::Rotr, v, a)
        }
    }
}

/// AND, BIC, ORR, ORN, EOR, EON, ANDS and BICS (shifted register); MOV and MVN are ORR/ORN.
fn logical_shifted(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let opc = l.field(29, 2);
    let kind = l.field(22, 2);
    let invert = l.bit(21);
    let amount = l.field(10, 6);
    if !sf && amount >= 32 {
        return Err(SemError::Undefined);
    }
    let (rm, rn, rd) = (l.field(16, 5), l.field(5, 5), l.field(0, 5));
    let x = l.xreg(rn, sf);
    let y0 = l.xreg(rm, sf);
    let y1 = shift_by(l, y0, kind, amount);
    let y = if invert { l.b.not(y1) } else { y1 };
    let r = match opc {
        0b00 | 0b11 => l.b.and(x, y),
        0b01 => l.b.or(x, y),
        _ => l.b.xor(x, y),
    };
    l.set_xreg(rd, r);
    if opc == 0b11 {
        l.set_nz_clear_cv(r);
    }
    Ok(())
}

/// ADD, ADDS, SUB and SUBS (shifted register); NEG, CMP and CMN are aliases.
fn add_sub_shifted(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let sub = l.bit(30);
    let set_flags = l.bit(29);
    let kind = l.field(22, 2);
    let amount = l.field(10, 6);
    if kind == 0b11 || (!sf && amount >= 32) {
        return Err(SemError::Undefined);
    }
    let (rm, rn, rd) = (l.field(16, 5), l.field(5, 5), l.field(0, 5));
    let x = l.xreg(rn, sf);
    let y0 = l.xreg(rm, sf);
    let y = shift_by(l, y0, kind, amount);
    let r = if sub { l.sub_flags(x, y, set_flags) } else { l.add_flags(x, y, set_flags) };
    l.set_xreg(rd, r);
    Ok(())
}

/// Extends the low bits of a register as an extended-register operand does (UXTB..SXTX), then
/// shifts it left by `shift`.
pub fn extend_reg(l: &mut Lifter, rm: u32, option: u32, shift: u32, sf: bool) -> Value {
    let t = if sf { Type::I64 } else { Type::I32 };
    let src_bits = 8 << (option & 3);
    let raw = l.xreg(rm, option & 3 == 3);
    let narrow = if src_bits >= t.bits() {
        l.b.trunc(t, raw)
    } else {
        let n = l.b.trunc(Type::int(src_bits), raw);
        if option & 4 != 0 {
            l.b.sext(t, n)
        } else {
            l.b.uext(t, n)
        }
    };
    l.b.shl_imm(narrow, shift)
}

/// ADD, ADDS, SUB and SUBS (extended register).
fn add_sub_extended(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let sub = l.bit(30);
    let set_flags = l.bit(29);
    let opt = l.field(22, 2);
    let option = l.field(13, 3);
    let shift = l.field(10, 3);
    if opt != 0 || shift > 4 {
        return Err(SemError::Undefined);
    }
    let (rm, rn, rd) = (l.field(16, 5), l.field(5, 5), l.field(0, 5));
    let x = l.xreg_sp(rn, sf);
    let y = extend_reg(l, rm, option, shift, sf);
    let r = if sub { l.sub_flags(x, y, set_flags) } else { l.add_flags(x, y, set_flags) };
    if set_flags {
        l.set_xreg(rd, r);
    } else {
        l.set_xreg_sp(rd, r);
    }
    Ok(())
}

/// ADC, ADCS, SBC and SBCS.
fn adc_sbc(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let sub = l.bit(30);
    let set_flags = l.bit(29);
    let (rm, rn, rd) = (l.field(16, 5), l.field(5, 5), l.field(0, 5));
    let x = l.xreg(rn, sf);
    let y0 = l.xreg(rm, sf);
    let y = if sub { l.b.not(y0) } else { y0 };
    let c = l.b.get(Reg::C);
    let r = l.add_with_carry(x, y, c, set_flags);
    l.set_xreg(rd, r);
    Ok(())
}

/// CCMN and CCMP, register and immediate forms.
fn cond_compare(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let sub = l.bit(30);
    if !l.bit(29) || l.bit(10) || l.bit(4) {
        return Err(SemError::Undefined);
    }
    let cond = l.field(12, 4);
    let nzcv = l.field(0, 4);
    let rn = l.field(5, 5);
    let t = if sf { Type::I64 } else { Type::I32 };
    let x = l.xreg(rn, sf);
    let y = if l.bit(11) { l.b.iconst(t, l.field(16, 5) as u128) } else { l.xreg(l.field(16, 5), sf) };
    let holds = l.cond_holds(cond);
    // Compute the comparison's flags, then choose them or the immediate ones.
    if sub {
        l.sub_flags(x, y, true);
    } else {
        l.add_flags(x, y, true);
    }
    for (i, r) in [Reg::N, Reg::Z, Reg::C, Reg::V].into_iter().enumerate() {
        let computed = l.b.get(r);
        let imm = l.b.bool(nzcv >> (3 - i) & 1 != 0);
        let f = l.b.select(holds, computed, imm);
        l.b.set(r, f);
    }
    Ok(())
}

/// CSEL, CSINC, CSINV and CSNEG (and CSET, CSETM, CINC, CINV, CNEG).
fn cond_select(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let op = l.bit(30);
    let op2 = l.field(10, 2);
    if l.bit(29) || op2 > 1 {
        return Err(SemError::Undefined);
    }
    let (rm, cond, rn, rd) = (l.field(16, 5), l.field(12, 4), l.field(5, 5), l.field(0, 5));
    let x = l.xreg(rn, sf);
    let y0 = l.xreg(rm, sf);
    let y = match (op, op2) {
        (false, 0) => y0,
        (false, _) => l.b.add_imm(y0, 1),
        (true, 0) => l.b.not(y0),
        (true, _) => l.b.unary(UnaryOp::Neg, y0),
    };
    let holds = l.cond_holds(cond);
    let r = l.b.select(holds, x, y);
    l.set_xreg(rd, r);
    Ok(())
}

/// UDIV, SDIV, LSLV, LSRV, ASRV, RORV, CRC32* and CRC32C*.
fn dp_2src(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    if l.bit(29) {
        return Err(SemError::Unsupported); // SUBPS and friends (memory tagging).
    }
    let opcode = l.field(10, 6);
    let (rm, rn, rd) = (l.field(16, 5), l.field(5, 5), l.field(0, 5));
    let op = match opcode {
        0b000010 => BinaryOp::Udiv,
        0b000011 => BinaryOp::Sdiv,
        0b001000 => BinaryOp::Shl,
        0b001001 => BinaryOp::Lshr,
        0b001010 => BinaryOp::Ashr,
        0b001011 => BinaryOp::Rotr,
        0b010000..=0b010111 => return crc32(l),
        _ => return Err(SemError::Unsupported),
    };
    let x = l.xreg(rn, sf);
    let y = l.xreg(rm, sf);
    // The IR's shifts take the amount modulo the width, as LSLV and friends do.
    let r = l.b.binary(op, x, y);
    l.set_xreg(rd, r);
    Ok(())
}

/// CRC32B/H/W/X and CRC32CB/H/W/X.
fn crc32(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let sz = l.field(10, 2);
    let castagnoli = l.bit(12);
    if sf != (sz == 3) {
        return Err(SemError::Undefined);
    }
    let (rm, rn, rd) = (l.field(16, 5), l.field(5, 5), l.field(0, 5));
    let acc = l.xreg(rn, false);
    let data = l.xreg(rm, true);
    let size = l.imm64(1 << sz);
    let helper = if castagnoli { Helper::Crc32c } else { Helper::Crc32 };
    let r = l.b.call_helper(helper, &[acc, data, size]);
    l.set_xreg(rd, r);
    Ok(())
}

/// RBIT, REV16, REV32, REV, CLZ and CLS.
fn dp_1src(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    if l.bit(29) || l.field(16, 5) != 0 {
        return Err(SemError::Unsupported); // Pointer authentication and the like.
    }
    let opcode = l.field(10, 6);
    let (rn, rd) = (l.field(5, 5), l.field(0, 5));
    let x = l.xreg(rn, sf);
    let r = match (opcode, sf) {
        (0b000000, _) => l.b.unary(UnaryOp::Bitrev, x),
        (0b000001, _) => rev_within(l, x, 16),
        (0b000010, true) => rev_within(l, x, 32),
        (0b000010, false) | (0b000011, true) => l.b.unary(UnaryOp::Bswap, x),
        (0b000100, _) => l.b.unary(UnaryOp::Clz, x),
        (0b000101, _) => {
            // CLS(x) = CLZ(x ^ (x >> 1)) - 1 with an arithmetic shift, counting the sign bit out.
            let s = l.b.ashr_imm(x, 1);
            let d = l.b.xor(x, s);
            let z = l.b.unary(UnaryOp::Clz, d);
            let t = l.b.value_type(x);
            let one = l.b.iconst(t, 1);
            l.b.sub(z, one)
        }
        _ => return Err(SemError::Unsupported),
    };
    l.set_xreg(rd, r);
    Ok(())
}

/// Reverses the bytes inside each `container`-bit part of `x`.
fn rev_within(l: &mut Lifter, x: Value, container: u32) -> Value {
    let t = l.b.value_type(x);
    let lanes = t.bits() / container;
    let lane = crate::types::LaneType::int_of_bits(container).expect("container width");
    let v = l.b.bitcast(Type::vec(lane, lanes), x);
    let s = l.b.unary(UnaryOp::Bswap, v);
    l.b.bitcast(t, s)
}

/// MADD, MSUB, SMADDL, SMSUBL, SMULH, UMADDL, UMSUBL and UMULH.
fn dp_3src(l: &mut Lifter) -> Result<(), SemError> {
    let sf = l.bit(31);
    let op54 = l.field(29, 2);
    let op31 = l.field(21, 3);
    let o0 = l.bit(15);
    let (rm, ra, rn, rd) = (l.field(16, 5), l.field(10, 5), l.field(5, 5), l.field(0, 5));
    if op54 != 0 {
        return Err(SemError::Undefined);
    }
    let r = match (op31, o0, sf) {
        (0b000, _, _) => {
            let x = l.xreg(rn, sf);
            let y = l.xreg(rm, sf);
            let a = l.xreg(ra, sf);
            let p = l.b.binary(BinaryOp::Mul, x, y);
            if o0 {
                l.b.sub(a, p)
            } else {
                l.b.add(a, p)
            }
        }
        (0b001, _, true) | (0b101, _, true) => {
            let signed = op31 == 0b001;
            let x32 = l.xreg(rn, false);
            let y32 = l.xreg(rm, false);
            let (x, y) = if signed {
                (l.b.sext(Type::I64, x32), l.b.sext(Type::I64, y32))
            } else {
                (l.b.uext(Type::I64, x32), l.b.uext(Type::I64, y32))
            };
            let a = l.xreg(ra, true);
            let p = l.b.binary(BinaryOp::Mul, x, y);
            if o0 {
                l.b.sub(a, p)
            } else {
                l.b.add(a, p)
            }
        }
        (0b010, false, true) | (0b110, false, true) => {
            let x = l.xreg(rn, true);
            let y = l.xreg(rm, true);
            let op = if op31 == 0b010 { BinaryOp::Smulhi } else { BinaryOp::Umulhi };
            l.b.binary(op, x, y)
        }
        _ => return Err(SemError::Undefined),
    };
    l.set_xreg(rd, r);
    Ok(())
}

/// RMIF Xn, #shift, #mask (FEAT_FlagM): rotates Xn right by `shift` and copies bits 3..0 of the
/// result into N, Z, C, V where `mask` has a one. Encoding `1 0 1 11010000 imm6 00001 Rn 0 mask`.
fn rmif(l: &mut Lifter) -> Result<(), SemError> {
    if l.field(29, 3) != 0b101 || l.bit(4) {
        return Err(SemError::Undefined);
    }
    let shift = l.field(15, 6);
    let mask = l.field(0, 4);
    let x = l.xreg(l.field(5, 5), true);
    let rotated = if shift == 0 {
        x
    } else {
        let amount = l.b.i64(shift as u64);
        l.b.binary(BinaryOp::Rotr, x, amount)
    };
    for (bit, reg) in [(3, Reg::N), (2, Reg::Z), (1, Reg::C), (0, Reg::V)] {
        if mask >> bit & 1 == 1 {
            let shifted = l.b.lshr_imm(rotated, bit);
            let flag = l.b.trunc(Type::I1, shifted);
            l.b.set(reg, flag);
        }
    }
    Ok(())
}

/// SETF8 / SETF16 Wn (FEAT_FlagM): N = bit 7 (15), Z = the low 8 (16) bits are zero, V = bit 8
/// (16) XOR bit 7 (15); C is unchanged. Encoding `0 0 1 11010000 000000 sz 0010 Rn 0 1101`.
fn setf(l: &mut Lifter) -> Result<(), SemError> {
    if l.field(29, 3) != 0b001 || l.field(15, 6) != 0 || l.field(0, 5) != 0b01101 {
        return Err(SemError::Undefined);
    }
    let top = if l.bit(14) { 15 } else { 7 };
    let w = l.xreg(l.field(5, 5), false);
    let low = l.b.and_imm(w, (1u128 << (top + 1)) - 1);
    let z = l.b.icmp_imm(IntCC::Eq, low, 0);
    let sign = l.b.lshr_imm(w, top);
    let n = l.b.trunc(Type::I1, sign);
    let next = l.b.lshr_imm(w, top + 1);
    let next = l.b.trunc(Type::I1, next);
    let v = l.b.xor(n, next);
    l.b.set(Reg::N, n);
    l.b.set(Reg::Z, z);
    l.b.set(Reg::V, v);
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::a64::testenv::{run_insns, TestEnv};

    #[test]
    fn subs_sets_carry_as_not_borrow() {
        // subs x0, x1, x2 with x1 = 5, x2 = 3: no borrow, so C = 1.
        let mut env = TestEnv::new(0x10000, 64);
        env.state.x[1] = 5;
        env.state.x[2] = 3;
        run_insns(&mut env, &[0xeb020020]);
        assert_eq!(env.state.x[0], 2);
        assert_eq!((env.state.n, env.state.z, env.state.c, env.state.v), (0, 0, 1, 0));
        // 3 - 5 borrows: C = 0, N = 1.
        env.state.x[1] = 3;
        env.state.x[2] = 5;
        run_insns(&mut env, &[0xeb020020]);
        assert_eq!(env.state.x[0], (-2i64) as u64);
        assert_eq!((env.state.n, env.state.z, env.state.c, env.state.v), (1, 0, 0, 0));
    }

    #[test]
    fn division_by_zero_gives_zero() {
        // udiv x0, x1, x2 and sdiv x3, x1, x2 with x2 = 0.
        let mut env = TestEnv::new(0x10000, 64);
        env.state.x[1] = 77;
        env.state.x[0] = 5;
        env.state.x[3] = 5;
        run_insns(&mut env, &[0x9ac20820, 0x9ac20c23]);
        assert_eq!(env.state.x[0], 0);
        assert_eq!(env.state.x[3], 0);
    }
}

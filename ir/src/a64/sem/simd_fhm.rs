//! FEAT_FHM: FMLAL, FMLSL, FMLAL2 and FMLSL2, the widening half-precision multiply-adds, vector
//! and by element. Each single-precision lane of Vd gets, fused, the product of two halves: lane
//! `e` of the lower (FMLAL, FMLSL) or upper (FMLAL2, FMLSL2) half of Vn's used bits, negated for
//! FMLSL (FPNeg), and the same lane of Vm or one indexed lane of Vm (FPMulAddH). The halves widen
//! exactly to single precision, flushed under FPCR.FZ16 as arithmetic operands (`simd_half.rs`);
//! their product is then exact in single precision (at most 22 significant bits, exponents from
//! -48 to 32), so a single-precision fused multiply-add rounds the sum once, as the manual does,
//! with its NaN rules (the addend's NaN first, signalling ones before quiet ones).

use super::fp16::{fused, halves, negate};
use super::half::widen;
use super::{read, write, Shape};
use crate::a64::lift::{Lifter, SemError};
use crate::entities::Value;
use crate::types::LaneType;

/// FMLAL{2} and FMLSL{2} (vector), `0 Q U 01110 S 0 1 Rm 1 U' 101 1 Rn Rd`: `upper` is U (the
/// "2" forms), `subtract` is S.
pub(super) fn vector(l: &mut Lifter, q: bool, upper: bool, subtract: bool) -> Result<(), SemError> {
    let (rm, rn, rd) = (l.field(16, 5), l.field(5, 5), l.field(0, 5));
    let lanes = if q { 4 } else { 2 };
    let y = part(l, rm, lanes, upper);
    multiply_add_long(l, q, upper, subtract, rn, y, rd);
    Ok(())
}

/// FMLAL{2} and FMLSL{2} (by element), `0 Q U 01111 10 L M Rm opcode H 0 Rn Rd` with opcode
/// 0000 (FMLAL), 0100 (FMLSL), 1000 (FMLAL2), 1100 (FMLSL2): Vm is v0-v15 and the half lane is
/// H:L:M. No scalar form.
pub(super) fn by_element(l: &mut Lifter, q: bool, upper: bool, subtract: bool) -> Result<(), SemError> {
    let index = l.field(11, 1) << 2 | l.field(21, 1) << 1 | l.field(20, 1);
    let (rm, rn, rd) = (l.field(16, 4), l.field(5, 5), l.field(0, 5));
    let lanes = if q { 4 } else { 2 };
    let vm = read(l, rm, halves(8));
    let y = l.b.shuffle(vm, vm, &vec![index as u8; lanes as usize]);
    multiply_add_long(l, q, upper, subtract, rn, y, rd);
    Ok(())
}

/// `lanes` half lanes of register `r`: its first ones, or with `upper` the next as many (the
/// upper half of the 64 or 128 bits the form uses).
fn part(l: &mut Lifter, r: u32, lanes: u32, upper: bool) -> Value {
    let v = read(l, r, halves(8));
    let first = if upper { lanes } else { 0 };
    let picks: Vec<u8> = (first..first + lanes).map(|k| k as u8).collect();
    l.b.shuffle(v, v, &picks)
}

/// Vd's single lanes plus, fused, the products of Vn's part (negated with `subtract`) and the
/// half lanes `y`.
fn multiply_add_long(l: &mut Lifter, q: bool, upper: bool, subtract: bool, rn: u32, y: Value, rd: u32) {
    let shape = Shape::float(false, q);
    let x = part(l, rn, shape.lanes, upper);
    let x = if subtract { negate(l, x) } else { x };
    let wide_x = widen(l, x, LaneType::F32, false);
    let wide_y = widen(l, y, LaneType::F32, false);
    let acc = read(l, rd, shape);
    let r = fused(l, wide_x, wide_y, acc, shape);
    write(l, rd, r);
}

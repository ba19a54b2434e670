//! Unit tests of the scalar FP semantics. Instruction words come from `aarch64-linux-gnu-as`;
//! expected values are derived from the Arm ARM's pseudocode (and a few were confirmed with
//! qemu-aarch64). Every test also checks that the lifted IR passes the verifier. The table of
//! cases recorded from qemu-aarch64 lives in `fp_qemu_cases.rs` and runs from here too.

use crate::a64::lift::lift_block;
use crate::a64::state::CpuState;
use crate::a64::testenv::{run_insns, trap_of, TestEnv};
use crate::interp::Exit;
use crate::verifier::verify;

#[path = "fp_qemu_cases.rs"]
mod qemu_cases;

#[path = "fp_half_tests.rs"]
mod half;

/// Where the tests place their code (the address `run_insns` uses).
const CODE_ADDR: u64 = 0x1000;

/// A pattern left in registers before a test, to show which bits an instruction writes.
const GARBAGE: u128 = 0xdead_beef_cafe_f00d_0123_4567_89ab_cdef;

/// Lifts `code` as one block and checks the verifier accepts the IR.
fn assert_verifies(code: &[u32]) {
    let read = |a: u64| code.get((a.checked_sub(CODE_ADDR)? / 4) as usize).copied();
    let lifted = lift_block(CODE_ADDR, &read, 64).expect("readable");
    if let Err(errors) = verify(&lifted.func) {
        panic!("IR of {code:08x?} does not verify: {errors:?}");
    }
}

/// Runs `code` from a state `init` prepares and returns the final state; fails on a trap.
fn run(code: &[u32], init: impl FnOnce(&mut CpuState)) -> CpuState {
    assert_verifies(code);
    let mut env = TestEnv::new(0x10_0000, 16);
    env.state.q = [GARBAGE; 32];
    env.state.x = [GARBAGE as u64; 31];
    init(&mut env.state);
    let exit = run_insns(&mut env, code);
    assert!(matches!(exit, Exit::Jump { .. }), "{code:08x?} ended with {exit:?}");
    env.state
}

fn d(x: f64) -> u128 {
    x.to_bits() as u128
}

fn s(x: f32) -> u128 {
    x.to_bits() as u128
}

/// Runs a one-source or two-source instruction on d1 (and d2, d3) and returns q0.
fn fp_op(word: u32, inputs: &[u128]) -> u128 {
    let st = run(&[word], |st| {
        for (i, &x) in inputs.iter().enumerate() {
            st.q[i + 1] = x;
        }
    });
    st.q[0]
}

/// Runs a conversion to a general register from q1 and returns x0.
fn to_int(word: u32, input: u128) -> u64 {
    run(&[word], |st| st.q[1] = input).x[0]
}

/// Runs a conversion from x1 to a SIMD&FP register and returns q0.
fn from_int(word: u32, input: u64) -> u128 {
    run(&[word], |st| st.x[1] = input).q[0]
}

const DEFAULT_NAN_D: u128 = 0x7ff8_0000_0000_0000;
const DEFAULT_NAN_S: u128 = 0x7fc0_0000;

#[test]
fn fmov_between_general_and_fp_registers() {
    // fmov s0, w1: the upper 96 bits of q0 become zero.
    assert_eq!(from_int(0x1e270020, 0x1122_3344_5566_7788), 0x5566_7788);
    // fmov w0, s1: zero-extends into x0.
    assert_eq!(to_int(0x1e260020, 0xffff_ffff_8765_4321), 0x8765_4321);
    // fmov d0, x1 and fmov x0, d1.
    assert_eq!(from_int(0x9e670020, 0x1122_3344_5566_7788), 0x1122_3344_5566_7788);
    assert_eq!(to_int(0x9e660020, 0xaaaa_1122_3344_5566_7788_9900), 0x3344_5566_7788_9900);
    // fmov v0.d[1], x1 keeps the bottom half; fmov x0, v1.d[1] reads the top half.
    assert_eq!(from_int(0x9eaf0020, 0x1122_3344_5566_7788), 0x1122_3344_5566_7788_0123_4567_89ab_cdef);
    assert_eq!(to_int(0x9eae0020, 0x1122_3344_5566_7788_9900_aabb_ccdd_eeff), 0x1122_3344_5566_7788);
}

#[test]
fn float_to_int_rounding_modes() {
    // fcvtns w0, s1 / fcvtps x0, d1 / fcvtms w0, d1 / fcvtzs x0, s1 / fcvtas x0, d1.
    assert_eq!(to_int(0x1e200020, s(2.5)), 2);
    assert_eq!(to_int(0x1e200020, s(-3.5)), (-4i32) as u32 as u64);
    assert_eq!(to_int(0x9e680020, d(1.25)), 2);
    assert_eq!(to_int(0x9e680020, d(-1.75)), (-1i64) as u64);
    assert_eq!(to_int(0x1e700020, d(-1.25)), (-2i32) as u32 as u64);
    assert_eq!(to_int(0x9e380020, s(-7.9)), (-7i64) as u64);
    assert_eq!(to_int(0x9e640020, d(2.5)), 3);
    assert_eq!(to_int(0x9e640020, d(-2.5)), (-3i64) as u64);
    // fcvtau w0, s1 of -0.5 rounds away to -1, which saturates to 0.
    assert_eq!(to_int(0x1e250020, s(-0.5)), 0);
    assert_eq!(to_int(0x1e250020, s(0.5)), 1);
}

#[test]
fn float_to_int_saturates_and_nan_gives_zero() {
    // fcvtzs x0, s1 of 1e30 saturates; fcvtzu x0, d1 of a negative value gives 0.
    assert_eq!(to_int(0x9e380020, s(1e30)), 0x7fff_ffff_ffff_ffff);
    assert_eq!(to_int(0x9e380020, s(-1e30)), 0x8000_0000_0000_0000);
    assert_eq!(to_int(0x9e380020, s(f32::NAN)), 0);
    assert_eq!(to_int(0x9e790020, d(-5.0)), 0);
    assert_eq!(to_int(0x9e790020, d(f64::INFINITY)), u64::MAX);
    // fcvtnu w0, s1 of 2^32 saturates to the W maximum, zero-extended into x0.
    assert_eq!(to_int(0x1e210020, s(4294967296.0)), 0xffff_ffff);
    // fcvtms w0, d1 of -2^31 - 0.5 rounds down below the minimum and saturates.
    assert_eq!(to_int(0x1e700020, d(-2147483648.5)), 0x8000_0000);
}

#[test]
fn int_to_float() {
    // scvtf s0, w1 / scvtf d0, x1 / ucvtf s0, x1 / ucvtf d0, w1.
    assert_eq!(from_int(0x1e220020, 0xffff_ffff), s(-1.0));
    assert_eq!(from_int(0x9e620020, (-3i64) as u64), d(-3.0));
    assert_eq!(from_int(0x9e230020, u64::MAX), s(18446744073709551616.0));
    assert_eq!(from_int(0x1e630020, 0x1_ffff_ffff), d(4294967295.0));
    // 2^24 + 1 rounds to even in single precision.
    assert_eq!(from_int(0x1e220020, 0x0100_0001), s(16777216.0));
}

#[test]
fn fixed_point_conversions() {
    // scvtf s0, w1, #4: -8 / 16.
    assert_eq!(from_int(0x1e02f020, (-8i32) as u32 as u64), s(-0.5));
    // ucvtf d0, x1, #64: 2^63 / 2^64.
    assert_eq!(from_int(0x9e430020, 1 << 63), d(0.5));
    assert_eq!(from_int(0x9e430020, 1), d(2f64.powi(-64)));
    // fcvtzs w0, s1, #1: 2.75 * 2 truncates to 5.
    assert_eq!(to_int(0x1e18fc20, s(2.75)), 5);
    assert_eq!(to_int(0x1e18fc20, s(-2.75)), (-5i32) as u32 as u64);
    // fcvtzu x0, d1, #3: 1.126 * 8 truncates to 9; a huge value saturates.
    assert_eq!(to_int(0x9e59f420, d(1.126)), 9);
    assert_eq!(to_int(0x9e59f420, d(1e300)), u64::MAX);
    // fcvtzs w0, d1, #32: 0.5 is 2^31, one past the maximum.
    assert_eq!(to_int(0x1e588020, d(0.5)), 0x7fff_ffff);
    assert_eq!(to_int(0x1e588020, d(-0.5)), 0x8000_0000);
    assert_eq!(to_int(0x1e588020, d(0.25)), 0x4000_0000);
}

#[test]
fn fixed_point_unallocated_scale() {
    // scvtf s0, w1 with scale 31 (fbits 33) is unallocated for a W register.
    assert_eq!(trap_of(0x1e02_0000 | 31 << 10 | 1 << 5), Some(crate::inst::TrapKind::Undefined));
}

/// Runs fjcvtzs w0, d1 and returns (w0, NZCV).
fn fjcvtzs(x: f64) -> (u64, u64) {
    let st = run(&[0x1e7e0020], |st| {
        st.q[1] = d(x);
        (st.n, st.z, st.c, st.v) = (1, 0, 1, 1);
    });
    (st.x[0], st.nzcv() >> 28)
}

#[test]
fn fjcvtzs_is_modular_and_sets_z_when_exact() {
    assert_eq!(fjcvtzs(5.0), (5, 0b0100));
    assert_eq!(fjcvtzs(-5.0), (0xffff_fffb, 0b0100));
    assert_eq!(fjcvtzs(5.5), (5, 0));
    assert_eq!(fjcvtzs(-5.5), (0xffff_fffb, 0));
    assert_eq!(fjcvtzs(-0.0), (0, 0));
    assert_eq!(fjcvtzs(0.0), (0, 0b0100));
    assert_eq!(fjcvtzs(2147483648.0), (0x8000_0000, 0));
    assert_eq!(fjcvtzs(-2147483648.0), (0x8000_0000, 0b0100));
    assert_eq!(fjcvtzs(4294967301.0), (5, 0));
    // 2^63 + 2^40 and -(2^52 + 1) * 2^20: beyond the i64 range the low bits still count.
    assert_eq!(fjcvtzs(9223373136366403584.0), (0, 0));
    assert_eq!(fjcvtzs(-(((1u64 << 52) + 1) as f64) * 2f64.powi(20)), (0xfff0_0000, 0));
    assert_eq!(fjcvtzs(f64::NAN), (0, 0));
    assert_eq!(fjcvtzs(f64::NEG_INFINITY), (0, 0));
}

#[test]
fn one_source_value_operations() {
    // fmov s0, s1 zeroes the upper bits; fabs and fneg touch only the sign, NaNs included.
    assert_eq!(fp_op(0x1e204020, &[0xffff_0000_3f80_0000]), 0x3f80_0000);
    assert_eq!(fp_op(0x1e60c020, &[d(-2.0)]), d(2.0));
    assert_eq!(fp_op(0x1e60c020, &[0xfff0_0000_0000_0001]), 0x7ff0_0000_0000_0001);
    assert_eq!(fp_op(0x1e214020, &[0x7fa0_0000]), 0xffa0_0000);
    // fsqrt d0, d1: -0 stays -0; a negative number gives the default NaN.
    assert_eq!(fp_op(0x1e61c020, &[d(2.25)]), d(1.5));
    assert_eq!(fp_op(0x1e61c020, &[d(-0.0)]), d(-0.0));
    assert_eq!(fp_op(0x1e61c020, &[d(-1.0)]), DEFAULT_NAN_D);
    assert_eq!(fp_op(0x1e61c020, &[0x7ff0_0000_0000_0001]), 0x7ff8_0000_0000_0001);
}

#[test]
fn precision_conversions() {
    // fcvt d0, s1 and fcvt s0, d1; a signalling NaN becomes quiet, keeping its top payload.
    assert_eq!(fp_op(0x1e22c020, &[s(1.5)]), d(1.5));
    assert_eq!(fp_op(0x1e22c020, &[0x7f80_0001]), 0x7ff8_0000_2000_0000);
    assert_eq!(fp_op(0x1e624020, &[d(1.0 + 2f64.powi(-24))]), s(1.0));
    assert_eq!(fp_op(0x1e624020, &[d(1e300)]), s(f32::INFINITY));
    assert_eq!(fp_op(0x1e624020, &[0x7ff4_0000_2000_0000]), 0x7fe0_0001);
}

/// The value of a non-NaN half from its fields, by the IEEE definition.
fn half_value(half: u16) -> f64 {
    let sign = if half >> 15 == 1 { -1.0 } else { 1.0 };
    let (exponent, fraction) = ((half >> 10 & 0x1f) as i32, (half & 0x3ff) as f64);
    match exponent {
        0 => sign * fraction * 2f64.powi(-24),
        31 => sign * f64::INFINITY,
        _ => sign * (1.0 + fraction / 1024.0) * 2f64.powi(exponent - 15),
    }
}

#[test]
fn half_to_single_and_double_is_exact_for_every_half() {
    for half in 0..=u16::MAX {
        let input = 0xffff_0000 | half as u128;
        // fcvt s0, h1 and fcvt d0, h1.
        let single = fp_op(0x1ee24020, &[input]);
        let double = fp_op(0x1ee2c020, &[input]);
        if half & 0x7c00 == 0x7c00 && half & 0x3ff != 0 {
            // A NaN becomes quiet; its payload moves to the top of the fraction (FPConvertNaN).
            let (sign, payload) = ((half >> 15) as u128, (half & 0x3ff | 0x200) as u128);
            assert_eq!(single, sign << 31 | 0x7f80_0000 | payload << 13, "{half:#x}");
            assert_eq!(double, sign << 63 | 0x7ff0_0000_0000_0000 | payload << 42, "{half:#x}");
        } else {
            assert_eq!(single, s(half_value(half) as f32), "{half:#x}");
            assert_eq!(double, d(half_value(half)), "{half:#x}");
        }
    }
}

#[test]
fn bfcvt_is_unsupported_and_unallocated_fcvt_forms_are_undefined() {
    use crate::inst::TrapKind;
    // bfcvt h0, s1 (FEAT_BF16) is unsupported.
    assert_eq!(trap_of(0x1e634020), Some(TrapKind::Unsupported));
    // fcvt s0, s1 (opc equal to ftype), opc 10 from single and ftype 10 are unallocated.
    assert_eq!(trap_of(0x1e224020), Some(TrapKind::Undefined));
    assert_eq!(trap_of(0x1e234020), Some(TrapKind::Undefined));
    assert_eq!(trap_of(0x1ea22820), Some(TrapKind::Undefined));
}

#[test]
fn rounding_to_integral() {
    let frint = |word: u32, x: f64| f64::from_bits(fp_op(word, &[d(x)]) as u64);
    // frintn, frintm, frintz, frinta, frintx, frinti on doubles.
    assert_eq!(frint(0x1e644020, 2.5), 2.0);
    assert_eq!(frint(0x1e644020, 3.5), 4.0);
    assert_eq!(frint(0x1e654020, -1.25), -2.0);
    assert_eq!(frint(0x1e65c020, -1.75), -1.0);
    assert_eq!(frint(0x1e664020, -2.5), -3.0);
    assert_eq!(frint(0x1e674020, 0.5), 0.0);
    assert_eq!(frint(0x1e67c020, 1.5), 2.0);
    // frintz of -0.25 keeps the sign of zero.
    assert_eq!(fp_op(0x1e65c020, &[d(-0.25)]), d(-0.0));
    // frintp s0, s1.
    assert_eq!(fp_op(0x1e24c020, &[s(1.1)]), s(2.0));
    assert_eq!(fp_op(0x1e24c020, &[s(-0.5)]), s(-0.0));
}

#[test]
fn rounding_to_integral_in_integer_range() {
    // frint32z d0, d1 / frint32x s0, s1 / frint64z d0, d1 / frint64x d0, d1.
    assert_eq!(fp_op(0x1e684020, &[d(-7.9)]), d(-7.0));
    assert_eq!(fp_op(0x1e684020, &[d(2147483647.9)]), d(2147483647.0));
    assert_eq!(fp_op(0x1e684020, &[d(2147483648.0)]), d(-2147483648.0));
    assert_eq!(fp_op(0x1e684020, &[d(-2147483648.9)]), d(-2147483648.0));
    assert_eq!(fp_op(0x1e684020, &[d(f64::NAN)]), d(-2147483648.0));
    assert_eq!(fp_op(0x1e684020, &[d(-0.5)]), d(-0.0));
    assert_eq!(fp_op(0x1e28c020, &[s(2.5)]), s(2.0));
    assert_eq!(fp_op(0x1e28c020, &[s(f32::INFINITY)]), s(-2147483648.0));
    assert_eq!(fp_op(0x1e694020, &[d(9.3e18)]), d(-9223372036854775808.0));
    assert_eq!(fp_op(0x1e69c020, &[d(9.2e18)]), d(9.2e18));
}

#[test]
fn two_source_arithmetic() {
    assert_eq!(fp_op(0x1e620820, &[d(1.5), d(-4.0)]), d(-6.0));
    assert_eq!(fp_op(0x1e221820, &[s(1.0), s(4.0)]), s(0.25));
    assert_eq!(fp_op(0x1e622820, &[d(0.1), d(0.2)]), d(0.1 + 0.2));
    assert_eq!(fp_op(0x1e623820, &[d(1.0), d(1.0)]), d(0.0));
    // 0/0 gives the positive default NaN; a NaN operand propagates, signalling ones first.
    assert_eq!(fp_op(0x1e221820, &[s(0.0), s(0.0)]), DEFAULT_NAN_S);
    assert_eq!(fp_op(0x1e622820, &[0x7ff8_0000_0000_0005, 0x7ff0_0000_0000_0007]), 0x7ff8_0000_0000_0007);
    assert_eq!(fp_op(0x1e622820, &[0xfff8_0000_0000_0005, d(1.0)]), 0xfff8_0000_0000_0005);
    // fnmul negates the product.
    assert_eq!(fp_op(0x1e628820, &[d(2.0), d(3.0)]), d(-6.0));
    assert_eq!(fp_op(0x1e628820, &[d(0.0), d(3.0)]), d(-0.0));
}

#[test]
fn min_and_max() {
    // fmax and fmin order -0 below +0; a NaN operand gives a NaN.
    assert_eq!(fp_op(0x1e624820, &[d(-0.0), d(0.0)]), d(0.0));
    assert_eq!(fp_op(0x1e625820, &[d(0.0), d(-0.0)]), d(-0.0));
    assert_eq!(fp_op(0x1e624820, &[d(1.0), 0x7ff8_0000_0000_0001]), 0x7ff8_0000_0000_0001);
    // fmaxnm and fminnm prefer the number to a quiet NaN but not to a signalling one.
    assert_eq!(fp_op(0x1e626820, &[0x7ff8_0000_0000_0001, d(-3.0)]), d(-3.0));
    assert_eq!(fp_op(0x1e227820, &[s(2.0), 0x7fc0_0001]), s(2.0));
    assert_eq!(fp_op(0x1e227820, &[s(2.0), 0x7f80_0001]), 0x7fc0_0001);
}

#[test]
fn fused_multiply_add_family() {
    let (n, m, a) = (d(3.0), d(5.0), d(1.0));
    assert_eq!(fp_op(0x1f420c20, &[n, m, a]), d(16.0));
    assert_eq!(fp_op(0x1f428c20, &[n, m, a]), d(-14.0));
    assert_eq!(fp_op(0x1f620c20, &[n, m, a]), d(-16.0));
    assert_eq!(fp_op(0x1f228c20, &[s(3.0), s(5.0), s(1.0)]), s(14.0));
    // Fused: 0.1 * 10 - 1 is not zero when rounded once.
    assert_eq!(fp_op(0x1f420c20, &[d(0.1), d(10.0), d(-1.0)]), d(0.1f64.mul_add(10.0, -1.0)));
    // fmsub negates the first factor, so its NaN comes out with the sign flipped.
    assert_eq!(fp_op(0x1f428c20, &[0x7ff8_0000_0000_0009, m, a]), 0xfff8_0000_0000_0009);
    // fnmadd negates the addend: (-n)*m + (-a) with a NaN addend flips its sign.
    assert_eq!(fp_op(0x1f620c20, &[n, m, 0x7ff8_0000_0000_0003]), 0xfff8_0000_0000_0003);
    // FPMulAdd: a quiet NaN addend loses to an invalid infinity-times-zero product (default NaN,
    // positive even for fnmadd); a signalling NaN addend still propagates, made quiet.
    let (inf, zero) = (d(f64::INFINITY), d(-0.0));
    assert_eq!(fp_op(0x1f420c20, &[inf, zero, 0xfff8_0000_0000_0003]), DEFAULT_NAN_D);
    assert_eq!(fp_op(0x1f620c20, &[zero, inf, 0x7ff8_0000_0000_0003]), DEFAULT_NAN_D);
    assert_eq!(fp_op(0x1f420c20, &[inf, zero, 0x7ff0_0000_0000_0003]), 0x7ff8_0000_0000_0003);
    assert_eq!(fp_op(0x1f020c20, &[s(0.0), s(f32::NEG_INFINITY), 0x7fc0_0001]), DEFAULT_NAN_S);
}

/// Runs a compare (or conditional compare) with the given inputs and initial flags; returns NZCV.
fn flags_after(word: u32, n: u128, m: u128, nzcv_in: u8) -> u64 {
    let st = run(&[word], |st| {
        st.q[1] = n;
        st.q[2] = m;
        (st.n, st.z, st.c, st.v) = (nzcv_in >> 3 & 1, nzcv_in >> 2 & 1, nzcv_in >> 1 & 1, nzcv_in & 1);
    });
    st.nzcv() >> 28
}

#[test]
fn compares_set_the_manuals_flags() {
    // fcmp d1, d2 / fcmpe s1, s2 / fcmp d1, #0.0 / fcmpe d1, #0.0.
    assert_eq!(flags_after(0x1e622020, d(1.0), d(2.0), 0), 0b1000);
    assert_eq!(flags_after(0x1e622020, d(2.0), d(2.0), 0), 0b0110);
    assert_eq!(flags_after(0x1e622020, d(3.0), d(2.0), 0), 0b0010);
    assert_eq!(flags_after(0x1e622020, d(f64::NAN), d(2.0), 0), 0b0011);
    assert_eq!(flags_after(0x1e222030, s(-0.0), s(0.0), 0), 0b0110);
    assert_eq!(flags_after(0x1e602028, d(-0.0), d(5.0), 0b1111), 0b0110);
    assert_eq!(flags_after(0x1e602038, d(-1.0), d(5.0), 0), 0b1000);
    assert_eq!(flags_after(0x1e602028, d(f64::INFINITY), d(5.0), 0), 0b0010);
}

#[test]
fn conditional_compare_and_select() {
    // fccmp d1, d2, #0x5, eq: Z set compares; Z clear gives 0101.
    assert_eq!(flags_after(0x1e620425, d(1.0), d(2.0), 0b0100), 0b1000);
    assert_eq!(flags_after(0x1e620425, d(1.0), d(2.0), 0b0000), 0b0101);
    // fccmpe s1, s2, #0x3, lt: N != V holds.
    assert_eq!(flags_after(0x1e22b433, s(2.0), s(1.0), 0b1000), 0b0010);
    assert_eq!(flags_after(0x1e22b433, s(2.0), s(1.0), 0b1001), 0b0011);
    // fcsel d0, d1, d2, ne.
    let select = |z: u8| {
        run(&[0x1e621c20], |st| {
            (st.q[1], st.q[2], st.z) = (d(1.0) | 1 << 100, d(2.0), z);
        })
        .q[0]
    };
    assert_eq!(select(0), d(1.0));
    assert_eq!(select(1), d(2.0));
}

#[test]
fn immediate_moves() {
    let imm = |word: u32| run(&[word], |_| {}).q[0];
    assert_eq!(imm(0x1e6e1000), d(1.0));
    assert_eq!(imm(0x1e381000), s(-0.125));
    assert_eq!(imm(0x1e67f000), d(31.0));
    // A nonzero imm5 field is unallocated.
    assert_eq!(trap_of(0x1e6e1000 | 1 << 5), Some(crate::inst::TrapKind::Undefined));
}

#[test]
fn m_and_s_bits_are_unallocated() {
    use crate::inst::TrapKind;
    // fadd d0, d1, d2 with M (bit 31) or S (bit 29) set; fmadd with S set.
    assert_eq!(trap_of(0x1e622820 | 1 << 31), Some(TrapKind::Undefined));
    assert_eq!(trap_of(0x1e622820 | 1 << 29), Some(TrapKind::Undefined));
    assert_eq!(trap_of(0x1f420c20 | 1 << 29), Some(TrapKind::Undefined));
    // fcvtzs x0, s1 with S set.
    assert_eq!(trap_of(0x9e380020 | 1 << 29), Some(TrapKind::Undefined));
    // scvtf h0, w1 with rmode 01 is unallocated, not an unsupported half-precision form.
    assert_eq!(trap_of(0x1eea0020), Some(TrapKind::Undefined));
}

//! Tests of the Advanced SIMD semantics against qemu-aarch64.
//!
//! `simd_qemu_cases.txt` holds an input state (v0-v7, x1-x3, 256 bytes of memory at x0) and,
//! for each instruction, the state changes that qemu-aarch64 produced when it ran the
//! instruction from that state (`simd_qemu_cases.py` assembles the instructions, runs them in a
//! small static AArch64 harness under qemu and writes the file; add instructions with its
//! `--add`). Each case here lifts the same word, checks the IR with the verifier, runs it in the
//! interpreter from the same state, and compares every changed register and byte, and that
//! nothing else changed. Further tests check the decoding of unallocated and unimplemented
//! encodings, and register lists that wrap from v31 to v0 (expected values from the manual).

use crate::a64::lift::lift_block;
use crate::a64::testenv::{run_insns, trap_of, TestEnv};
use crate::interp::Exit;
use crate::verifier::verify;

const CASES: &str = include_str!("simd_qemu_cases.txt");
const MEM_BASE: u64 = 0x10000;

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

fn u128_le(s: &str) -> u128 {
    let b = hex_bytes(s);
    let mut buf = [0u8; 16];
    buf.copy_from_slice(&b);
    u128::from_le_bytes(buf)
}

/// The input state of every case.
struct Inputs {
    v: [u128; 8],
    x: [u64; 4],
    mem: Vec<u8>,
}

fn parse_inputs() -> Inputs {
    let mut inp = Inputs { v: [0; 8], x: [0; 4], mem: vec![] };
    for line in CASES.lines().filter(|l| l.starts_with("in ")) {
        let mut parts = line.split_whitespace().skip(1);
        let (name, val) = (parts.next().expect("name"), parts.next().expect("value"));
        let idx = |p: &str| name[1..].parse::<usize>().map_err(|_| p.to_string()).expect("register number");
        match name.as_bytes()[0] {
            b'v' => inp.v[idx(name)] = u128_le(val),
            b'x' => inp.x[idx(name)] = u64::from_str_radix(val, 16).expect("hex"),
            _ => inp.mem = hex_bytes(val),
        }
    }
    inp
}

/// Runs one case; returns a description of every difference from qemu's result.
fn run_case(inp: &Inputs, word: u32, changes: &str) -> Vec<String> {
    let mut errs = vec![];
    let lifted = lift_block(0x1000, &|a| (a == 0x1000).then_some(word), 1).expect("lift");
    if let Err(e) = verify(&lifted.func) {
        errs.push(format!("verifier: {e:?}"));
        return errs;
    }
    if !lifted.unsupported.is_empty() {
        errs.push("lifted as unsupported".into());
        return errs;
    }
    let mut env = TestEnv::new(MEM_BASE, 256);
    env.state.q[..8].copy_from_slice(&inp.v);
    env.state.x[0] = MEM_BASE;
    env.state.x[1..4].copy_from_slice(&inp.x[1..]);
    env.mem.copy_from_slice(&inp.mem);
    let exit = run_insns(&mut env, &[word]);
    if let Exit::Trap { kind, .. } = exit {
        errs.push(format!("trapped: {kind:?}"));
        return errs;
    }
    let mut want_v = inp.v;
    let mut want_x = [MEM_BASE, inp.x[1], inp.x[2], inp.x[3]];
    let mut want_mem = inp.mem.clone();
    for ch in changes.split_whitespace() {
        let (k, val) = ch.split_once('=').expect("change");
        if let Some(off) = k.strip_prefix("mem@") {
            let off: usize = off.parse().expect("offset");
            let bytes = hex_bytes(val);
            want_mem[off..off + bytes.len()].copy_from_slice(&bytes);
        } else if let Some(n) = k.strip_prefix('v') {
            want_v[n.parse::<usize>().expect("v")] = u128_le(val);
        } else if let Some(n) = k.strip_prefix('x') {
            let n: usize = n.parse().expect("x");
            let x = u64::from_str_radix(val, 16).expect("hex");
            want_x[n] = if n == 0 { x.wrapping_add(MEM_BASE) } else { x };
        }
    }
    for (i, (got, want)) in env.state.q.iter().zip(want_v).enumerate() {
        if *got != want {
            errs.push(format!("v{i} = {got:032x}, qemu {want:032x}"));
        }
    }
    for (i, (got, want)) in env.state.x.iter().zip(want_x).enumerate() {
        if *got != want {
            errs.push(format!("x{i} = {got:#x}, qemu {want:#x}"));
        }
    }
    if env.mem != want_mem {
        let first = (0..256).find(|&i| env.mem[i] != want_mem[i]).unwrap_or(0);
        errs.push(format!("memory differs from byte {first}"));
    }
    if env.state.q[8..].iter().any(|&q| q != 0) {
        errs.push("a register above v7 changed".into());
    }
    errs
}

#[test]
fn simd_matches_qemu() {
    let inp = parse_inputs();
    let mut failures = vec![];
    let mut count = 0;
    for line in CASES.lines().filter(|l| l.starts_with("case ")) {
        let mut parts = line[5..].splitn(3, '|');
        let word = u32::from_str_radix(parts.next().expect("word").trim(), 16).expect("hex word");
        let asm = parts.next().expect("asm").trim();
        let changes = parts.next().unwrap_or("").trim();
        count += 1;
        let errs = run_case(&inp, word, changes);
        if !errs.is_empty() {
            failures.push(format!("{asm} ({word:08x}): {}", errs.join("; ")));
        }
    }
    assert!(count > 300, "only {count} cases");
    assert!(failures.is_empty(), "{} of {count} cases differ from qemu:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn simd_unallocated_encodings_are_undefined() {
    use crate::inst::TrapKind::Undefined;
    // Encodings the manual marks unallocated or reserved, derived from its encoding tables.
    let words = [
        (0x0c40_8c00, "LD2 multiple with size 11 and Q 0 (.1d)"),
        (0x0c41_7000, "LD1 without post-index but Rm nonzero"),
        (0x4e10_0400, "DUP (element) with imm5 = 10000"),
        (0x0e08_3c00, "UMOV to a W register of a D element"),
        (0x0ee2_8420, "ADD vector with size 11 and Q 0"),
        (0x0d60_d000, "LD2R (0x0d60c000) with S = 1"),
        (0x0e00_0800, "ZIP-class opcode 000"),
        (0x0ea0_5800, "CNT with size 10"),
        (0x4e4d_41cc, "TBL with op2 01 (bits 23..22)"),
        (0x4ec3_43be, "TBL with op2 11"),
        (0x5e80_1027, "SHA1C with size 10"),
        (0x4e68_4800, "AESE with size 01"),
        (0x5e68_0800, "SHA1H with size 01"),
    ];
    for (word, what) in words {
        assert_eq!(trap_of(word), Some(Undefined), "{what} ({word:08x})");
    }
}

#[test]
fn simd_unimplemented_encodings_are_unsupported() {
    use crate::inst::TrapKind::Unsupported;
    // Valid encodings (from aarch64-linux-gnu-as) that vmtrans does not lift yet.
    let words = [
        (0x0fd8_f80b, "bfmlalb v11.4s, v0.8h, v8.h[5]"),
        (0x6e42_fc20, "bfdot v0.4s, v1.8h, v2.8h"),
        (0x6e42_ec20, "bfmmla v0.4s, v1.8h, v2.8h"),
        (0x0ea1_6820, "bfcvtn v0.4h, v1.4s"),
        (0x6ec2_fc20, "bfmlalt v0.4s, v1.8h, v2.8h"),
    ];
    for (word, what) in words {
        assert_eq!(trap_of(word), Some(Unsupported), "{what} ({word:08x})");
    }
}

#[test]
fn complex_add_and_multiply_add_rotate_as_the_manual_says() {
    // Two complex numbers of f32 lanes (re, im) in a 128-bit register.
    let pairs = |a: (f32, f32), b: (f32, f32)| {
        [a.0, a.1, b.0, b.1].iter().enumerate().fold(0u128, |acc, (i, x)| acc | (x.to_bits() as u128) << (32 * i))
    };
    let run = |word: u32, acc: u128| {
        let mut env = TestEnv::new(MEM_BASE, 16);
        env.state.q[1] = pairs((1.0, 2.0), (2.0, 5.0));
        env.state.q[2] = pairs((3.0, 4.0), (3.0, -4.0));
        env.state.q[0] = acc;
        run_insns(&mut env, &[word]);
        env.state.q[0]
    };
    // fcadd v0.4s, v1.4s, v2.4s, #90 and #270: a + i*b and a - i*b.
    assert_eq!(run(0x6e82_e420, 0), pairs((-3.0, 5.0), (6.0, 8.0)));
    assert_eq!(run(0x6e82_f420, 0), pairs((5.0, -1.0), (-2.0, 2.0)));
    // fcmla v0.4s, v1.4s, v2.4s, #0 / #90 / #180 / #270, accumulating onto (1, 1) and (0, 0):
    // n = (1, 2) and (2, 5), m = (3, 4) and (3, -4).
    let acc = pairs((1.0, 1.0), (0.0, 0.0));
    assert_eq!(run(0x6e82_c420, acc), pairs((4.0, 5.0), (6.0, -8.0)));
    assert_eq!(run(0x6e82_cc20, acc), pairs((-7.0, 7.0), (20.0, 15.0)));
    assert_eq!(run(0x6e82_d420, acc), pairs((-2.0, -3.0), (-6.0, 8.0)));
    assert_eq!(run(0x6e82_dc20, acc), pairs((9.0, -5.0), (-20.0, -15.0)));
    // fcmla v0.4s, v1.4s, v2.s[0] and v2.s[1], #0 and #90: every pair of n times m's pair 0,
    // (3, 4), or pair 1, (3, -4).
    assert_eq!(run(0x6f82_1020, acc), pairs((4.0, 5.0), (6.0, 8.0)));
    assert_eq!(run(0x6f82_1820, acc), pairs((4.0, -3.0), (6.0, -8.0)));
    assert_eq!(run(0x6f82_3820, acc), pairs((9.0, 7.0), (20.0, 15.0)));
    // By element: single lanes need Q = 1 and L = 0; on half lanes index H = 1 needs Q = 1.
    assert_eq!(trap_of(0x2f82_1020), Some(crate::inst::TrapKind::Undefined));
    assert_eq!(trap_of(0x6fa2_1020), Some(crate::inst::TrapKind::Undefined));
    assert_eq!(trap_of(0x6fc2_1020), Some(crate::inst::TrapKind::Undefined));
    assert_eq!(trap_of(0x2f62_7820), Some(crate::inst::TrapKind::Undefined));
    // 64-bit lanes in a 64-bit vector do not exist.
    assert_eq!(trap_of(0x2ec2_e420), Some(crate::inst::TrapKind::Undefined));
}

/// A small integer as the bits of a half (exact: |i| <= 2048).
fn half(i: i32) -> u128 {
    if i == 0 {
        return 0;
    }
    let (sign, m) = (if i < 0 { 0x8000 } else { 0 }, i.unsigned_abs());
    let e = 31 - m.leading_zeros();
    (sign | (e + 15) << 10 | (m << (10 - e)) & 0x3ff) as u128
}

/// Half lanes from bits, lane 0 first.
fn half_lanes(lanes: &[u128]) -> u128 {
    lanes.iter().enumerate().fold(0, |acc, (k, &h)| acc | h << (16 * k))
}

/// Single lanes from values, lane 0 first.
fn single_lanes(lanes: &[f32]) -> u128 {
    lanes.iter().enumerate().fold(0, |acc, (k, x)| acc | (x.to_bits() as u128) << (32 * k))
}

#[test]
fn mixed_sign_dot_products_and_matrix_multiplies() {
    let bytes = |b: [u8; 16]| u128::from_le_bytes(b);
    let words = |w: [i32; 4]| w.iter().enumerate().fold(0u128, |acc, (k, &x)| acc | (x as u32 as u128) << (32 * k));
    let run = |word: u32, n: u128, m: u128, acc: [i32; 4]| {
        let mut env = TestEnv::new(MEM_BASE, 16);
        (env.state.q[1], env.state.q[2], env.state.q[0]) = (n, m, words(acc));
        run_insns(&mut env, &[word]);
        env.state.q[0]
    };
    // 0xff is 255 unsigned and -1 signed; 2 is 2 either way.
    let (ff, twos) = (bytes([0xff; 16]), bytes([2; 16]));
    // usdot v0.4s, v1.16b, v2.16b: Vn unsigned, Vm signed.
    assert_eq!(run(0x4e82_9c20, ff, twos, [1, 0, 0, 0]), words([2041, 2040, 2040, 2040]));
    assert_eq!(run(0x4e82_9c20, twos, ff, [0; 4]), words([-8; 4]));
    // usdot v0.2s, v1.8b, v2.8b: the upper half is zeroed.
    assert_eq!(run(0x0e82_9c20, ff, twos, [0; 4]), words([2040, 2040, 0, 0]));
    // sudot v0.4s, v1.16b, v2.4b[2] (Vn signed, Vm unsigned) and usdot v0.2s, v1.8b, v2.4b[1].
    let m = bytes([0, 0, 0, 0, 2, 2, 2, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    assert_eq!(run(0x4f02_f820, twos, m, [0; 4]), words([2040; 4]));
    assert_eq!(run(0x4f02_f820, ff, m, [0; 4]), words([-1020; 4]));
    assert_eq!(run(0x0fa2_f020, ff, m, [0; 4]), words([2040, 2040, 0, 0]));
    // smmla, ummla, usmmla v0.4s, v1.16b, v2.16b: rows of 8 bytes, word 2i + j gains row i of Vn
    // times row j of Vm.
    let rows = |r0: u8, r1: u8| bytes([r0, r0, r0, r0, r0, r0, r0, r0, r1, r1, r1, r1, r1, r1, r1, r1]);
    assert_eq!(run(0x4e82_a420, rows(1, 2), rows(3, 5), [1, 2, 3, 4]), words([25, 42, 51, 84]));
    assert_eq!(run(0x4e82_a420, ff, ff, [0; 4]), words([8; 4]));
    assert_eq!(run(0x6e82_a420, ff, ff, [0; 4]), words([520200; 4]));
    assert_eq!(run(0x4e82_ac20, ff, ff, [0; 4]), words([-2040; 4]));
    assert_eq!(run(0x4e82_ac20, rows(0xff, 1), rows(2, 0xff), [0; 4]), words([4080, -2040, 16, -8]));
    // The matrix forms need Q = 1.
    assert_eq!(trap_of(0x0e82_a420), Some(crate::inst::TrapKind::Undefined));
}

#[test]
fn vector_round_to_int_n_gives_the_most_negative_integer_out_of_range() {
    use crate::a64::state::fpsr::{IOC, IXC};
    let doubles = |lanes: [f64; 2]| lanes[0].to_bits() as u128 | (lanes[1].to_bits() as u128) << 64;
    let run = |word: u32, v1: u128| {
        let mut env = TestEnv::new(MEM_BASE, 16);
        env.state.q[1] = v1;
        run_insns(&mut env, &[word]);
        (env.state.q[0], env.state.fpsr)
    };
    // frint32z v0.4s, v1.4s: toward zero; 3e9 and a NaN are out of the 32-bit range.
    let (r, fpsr) = run(0x4e21_e820, single_lanes(&[1.5, -2.7, 3e9, f32::NAN]));
    assert_eq!(r, single_lanes(&[1.0, -2.0, -2147483648.0, -2147483648.0]));
    assert_eq!(fpsr & (IOC | IXC), IOC | IXC);
    // frint32x v0.2s, v1.2s: FPCR's mode (nearest, ties to even); exact lanes raise nothing.
    let (r, fpsr) = run(0x2e21_e820, single_lanes(&[2.0, -7.0, 9.0, 9.0]));
    assert_eq!((r, fpsr & (IOC | IXC)), (single_lanes(&[2.0, -7.0]), 0));
    // frint64x v0.2d, v1.2d: 2.5 rounds to 2, 1e19 is beyond 2^63; -2^63 itself is in range.
    let (r, fpsr) = run(0x6e61_f820, doubles([2.5, 1e19]));
    assert_eq!(r, doubles([2.0, -9223372036854775808.0]));
    assert_eq!(fpsr & (IOC | IXC), IOC | IXC);
    let (r, fpsr) = run(0x6e61_f820, doubles([-9223372036854775808.0, -0.25]));
    assert_eq!((r, fpsr & (IOC | IXC)), (doubles([-9223372036854775808.0, -0.0]), IXC));
    // frint64z v0.4s, v1.4s: 3e9 fits 64 bits.
    let (r, _) = run(0x4e21_f820, single_lanes(&[3e9, -0.5, 1e19, -1e19]));
    assert_eq!(r, single_lanes(&[3e9, -0.0, -9223372036854775808.0, -9223372036854775808.0]));
}

#[test]
fn widening_half_multiply_adds_take_their_part_and_round_once() {
    let n = half_lanes(&[1, 2, 3, 4, 5, 6, 7, 8].map(half));
    let m = half_lanes(&[2, 3, -1, 4, 1, 1, 2, 2].map(half));
    let run = |word: u32, v15: u128| {
        let mut env = TestEnv::new(MEM_BASE, 16);
        (env.state.q[1], env.state.q[2], env.state.q[15]) = (n, m, v15);
        env.state.q[0] = single_lanes(&[10.0, 20.0, 30.0, 40.0]);
        run_insns(&mut env, &[word]);
        env.state.q[0]
    };
    // fmlal v0.4s, v1.4h, v2.4h: lanes 0-3 of n and m.
    assert_eq!(run(0x4e22_ec20, 0), single_lanes(&[12.0, 26.0, 27.0, 56.0]));
    // fmlsl2 v0.2s, v1.2h, v2.2h: lanes 2-3 (the upper half of 64 bits), negated; 64-bit result.
    assert_eq!(run(0x2ea2_cc20, 0), single_lanes(&[13.0, 4.0]));
    // fmlal2 v0.4s, v1.4h, v15.h[7]: lanes 4-7 of n times lane 7 of v15 (3).
    let v15 = half(3) << (16 * 7) | half(100);
    assert_eq!(run(0x6fbf_8820, v15), single_lanes(&[25.0, 38.0, 51.0, 64.0]));
    // fmlal v0.2s, v1.2h, v2.h[3]: lanes 0-1 of n times lane 3 of m (4).
    assert_eq!(run(0x0fb2_0020, 0), single_lanes(&[14.0, 28.0]));
    // fmlsl v0.4s, v1.4h, v2.h[0] (2) and fmlsl2 v0.2s, v1.2h, v2.h[1] (3).
    assert_eq!(run(0x4f82_4020, 0), single_lanes(&[8.0, 16.0, 24.0, 32.0]));
    assert_eq!(run(0x2f92_c020, 0), single_lanes(&[1.0, 8.0]));
    // One rounding: (1 + 2^-10)^2 - 1 = 2^-9 + 2^-20, which a product rounded to half first
    // (1 + 2^-9) would lose.
    let mut env = TestEnv::new(MEM_BASE, 16);
    (env.state.q[1], env.state.q[2]) = (0x3c01, 0x3c01);
    env.state.q[0] = single_lanes(&[-1.0]);
    run_insns(&mut env, &[0x0e22_ec20]); // fmlal v0.2s, v1.2h, v2.2h
    assert_eq!(env.state.q[0], single_lanes(&[2f32.powi(-9) + 2f32.powi(-20), 0.0]));
    // No scalar by-element form.
    assert_eq!(trap_of(0x5fb2_0020), Some(crate::inst::TrapKind::Undefined));
}

#[test]
fn half_precision_complex_arithmetic_rotates_as_the_single_form() {
    // Four complex numbers of half lanes in a 128-bit register (64-bit forms use the first two).
    let pairs = |p: [(i32, i32); 4]| {
        p.iter().flat_map(|&(re, im)| [re, im]).enumerate().fold(0u128, |acc, (k, x)| acc | half(x) << (16 * k))
    };
    let n = pairs([(1, 2), (2, 5), (1, 2), (2, 5)]);
    let m = pairs([(3, 4), (3, -4), (3, 4), (3, -4)]);
    let run = |word: u32, acc: u128| {
        let mut env = TestEnv::new(MEM_BASE, 16);
        (env.state.q[1], env.state.q[2], env.state.q[0]) = (n, m, acc);
        run_insns(&mut env, &[word]);
        env.state.q[0]
    };
    // The single-precision test's figures, twice: fcadd v0.8h, v1.8h, v2.8h, #90 and #270.
    assert_eq!(run(0x6e42_e420, 0), pairs([(-3, 5), (6, 8), (-3, 5), (6, 8)]));
    assert_eq!(run(0x6e42_f420, 0), pairs([(5, -1), (-2, 2), (5, -1), (-2, 2)]));
    // fcmla v0.8h, v1.8h, v2.8h, #0 / #90 / #180 / #270 onto (1, 1), (0, 0), (1, 1), (0, 0).
    let acc = pairs([(1, 1), (0, 0), (1, 1), (0, 0)]);
    assert_eq!(run(0x6e42_c420, acc), pairs([(4, 5), (6, -8), (4, 5), (6, -8)]));
    assert_eq!(run(0x6e42_cc20, acc), pairs([(-7, 7), (20, 15), (-7, 7), (20, 15)]));
    assert_eq!(run(0x6e42_d420, acc), pairs([(-2, -3), (-6, 8), (-2, -3), (-6, 8)]));
    assert_eq!(run(0x6e42_dc20, acc), pairs([(9, -5), (-20, -15), (9, -5), (-20, -15)]));
    // fcmla v0.4h, v1.4h, v2.4h, #0: the upper 64 bits of the result are zero.
    assert_eq!(run(0x2e42_c420, acc), pairs([(4, 5), (6, -8), (0, 0), (0, 0)]));
    // By element: fcmla v0.8h, v1.8h, v2.h[1], #0 (pair 1 of m, (3, -4)); v2.h[3], #90 (pair 3,
    // (3, -4)); fcmla v0.4h, v1.4h, v2.h[1], #90 (pair 1 of all of v2, 64-bit result).
    assert_eq!(run(0x6f62_1020, acc), pairs([(4, -3), (6, -8), (4, -3), (6, -8)]));
    assert_eq!(run(0x6f62_3820, acc), pairs([(9, 7), (20, 15), (9, 7), (20, 15)]));
    assert_eq!(run(0x2f62_3020, acc), pairs([(9, 7), (20, 15), (0, 0), (0, 0)]));
}

#[test]
fn simd_structure_registers_wrap_from_v31_to_v0() {
    let mem: Vec<u8> = (0..128u32).map(|i| (i * 7 + 3) as u8).collect();
    let word_at = |off: usize| u32::from_le_bytes(mem[off..off + 4].try_into().expect("4 bytes")) as u128;
    // ld2 {v31.16b, v0.16b}, [x0]: byte 2e + t of memory is lane e of register t.
    let mut env = TestEnv::new(MEM_BASE, 128);
    env.mem.copy_from_slice(&mem);
    env.state.x[0] = MEM_BASE;
    run_insns(&mut env, &[0x4c40_801f]);
    let lanes = |t: usize| (0..16).fold(0u128, |acc, e| acc | (mem[2 * e + t] as u128) << (8 * e));
    assert_eq!(env.state.q[31], lanes(0));
    assert_eq!(env.state.q[0], lanes(1));
    // ld4 {v30.4s, v31.4s, v0.4s, v1.4s}, [x1], #64: word 4e + t is lane e of register t.
    let mut env = TestEnv::new(MEM_BASE, 128);
    env.mem.copy_from_slice(&mem);
    env.state.x[1] = MEM_BASE;
    run_insns(&mut env, &[0x4cdf_083e]);
    let words = |t: usize| (0..4).fold(0u128, |acc, e| acc | word_at(4 * (4 * e + t)) << (32 * e));
    for (t, reg) in [30usize, 31, 0, 1].into_iter().enumerate() {
        assert_eq!(env.state.q[reg], words(t), "v{reg}");
    }
    assert_eq!(env.state.x[1], MEM_BASE + 64);
}

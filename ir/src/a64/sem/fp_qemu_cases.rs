//! Differential cases for the scalar FP semantics, recorded from qemu-aarch64 (the oracle) and
//! replayed here through the lifter and the interpreter.
//!
//! Each case runs one instruction word. Before it, q1..q3 hold `0x5555aaaa5555aaaa` in their top
//! halves and the inputs a, b, c in their bottom halves, x1 holds a, q0 and x0 hold a garbage
//! pattern, and NZCV holds `flags`; after it, q0 (all 128 bits), x0 and NZCV must match what
//! qemu-aarch64 gave. So the cases also check which bits an instruction leaves alone or zeroes.
//!
//! The data files were made by the Python script at the end of this file:
//! `python3 gen.py` writes `cases.c` and `stubs.s`; then
//! `aarch64-linux-gnu-gcc -O1 -static -march=armv8.5-a cases.c stubs.s -o cases`,
//! `qemu-aarch64 -cpu max ./cases > out.txt` and `python3 gen.py split out.txt ir/src/a64/sem`.

use super::run;

#[path = "fp_qemu_convert.rs"]
mod convert;
#[path = "fp_qemu_other.rs"]
mod other;
#[path = "fp_qemu_two_source.rs"]
mod two_source;

/// The top halves of q1..q3 in every case.
const INPUT_HIGH: u128 = 0x5555_aaaa_5555_aaaa << 64;

/// Replays every case of `table` and fails listing the ones that differ from qemu (also used for
/// the half-precision tables of `fp_half_tests.rs`, recorded with the same harness).
pub(super) fn replay(table: &str) {
    let mut mismatches = vec![];
    for line in table.lines() {
        let fields: Vec<u128> = line.split_whitespace().map(|x| u128::from_str_radix(x, 16).expect("hex")).collect();
        let [word, a, b, c, flags, q0, x0, nzcv] = fields[..] else { panic!("bad case line {line:?}") };
        let state = run(&[word as u32], |st| {
            st.q[1] = INPUT_HIGH | a;
            st.q[2] = INPUT_HIGH | b;
            st.q[3] = INPUT_HIGH | c;
            st.x[1] = a as u64;
            let flags = flags as u8;
            (st.n, st.z, st.c, st.v) = (flags >> 3 & 1, flags >> 2 & 1, flags >> 1 & 1, flags & 1);
        });
        let got = (state.q[0], state.x[0] as u128, (state.nzcv() >> 28) as u128);
        if got != (q0, x0, nzcv) {
            mismatches.push(format!("{line}\n    vmtrans: q0 {:x} x0 {:x} nzcv {:x}", got.0, got.1, got.2));
        }
    }
    assert!(mismatches.is_empty(), "{} cases differ from qemu:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[test]
fn conversions_match_qemu() {
    replay(convert::CASES);
}

#[test]
fn two_source_operations_match_qemu() {
    replay(two_source::CASES);
}

#[test]
fn other_operations_match_qemu() {
    replay(other::CASES);
}

// The generator (Python 3):
//
// #!/usr/bin/env python3
// """Records scalar-FP cases from qemu-aarch64 for vmtrans's fp unit tests.
//
// Each case: an instruction word and inputs a, b, c, flags. The stub sets q1..q3 to
// (HI << 64 | input), x1 to a, q0 and x0 to a garbage pattern and NZCV to flags, runs
// the word, and prints q0, x0 and NZCV. Output lines: `word a b c flags q0 x0 nzcv`, hex.
// """
// import struct, subprocess, sys
//
// def d(x): return struct.unpack('<Q', struct.pack('<d', x))[0]
// def s(x): return struct.unpack('<I', struct.pack('<f', x))[0]
// INF = float('inf')
// QNAN_D, SNAN_D, NQNAN_D = 0x7ff800000000abcd, 0x7ff000000000abcd, 0xfff8000000001234
// QNAN_S, SNAN_S, NQNAN_S = 0x7fc0abcd, 0x7f80abcd, 0xffc01234
//
// CONV_D = [d(x) for x in [0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, -3.5, 2147483647.5, -2147483649.0,
//           4294967296.5, 2.0**63, -2.0**64, INF]] + [QNAN_D]
// CONV_S = [s(x) for x in [0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, -3.5, 2147483648.0, -2147483904.0,
//           4294967296.0, 2.0**63, -2.0**64, INF]] + [SNAN_S]
// INTS = [0, 1, 0xffffffff, 0x80000000, 0x01000001, 0x7fffffffffffffff, 0x8000000000000000,
//         0xffffffffffffffff, 0x0020000000000001, 0xfffffffffffffffd]
// ONE_D = [d(x) for x in [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.5, 1e-310, 2147483647.5, -2147483648.5,
//          2.0**63 + 2.0**11, 1e300, INF, -INF]] + [QNAN_D, SNAN_D, NQNAN_D]
// ONE_S = [s(x) for x in [0.0, -0.0, 1.0, -2.5, 3.5, 1e-40, 2147483648.0, 3e38, -INF]] + [QNAN_S, SNAN_S]
// TWO_D = [d(x) for x in [0.0, -0.0, 1.5, -INF]] + [QNAN_D, SNAN_D]
// TWO_S = [s(x) for x in [-0.0, 3.0, INF]] + [NQNAN_S, SNAN_S]
//
// cases = []
// def add(word, ins, b=0, c=0, flags=0):
//     for a in ins: cases.append((word, a, b, c, flags))
// def add2(word, vals):
//     for a in vals:
//         for b in vals: cases.append((word, a, b, 0, 0))
//
// # FCVT{N,P,M,Z}{S,U}, FCVTA{S,U}: (sf, ftype) in (X, D) and (W, S).
// for sf, ft, vals in [(1, 1, CONV_D), (0, 0, CONV_S)]:
//     for rmode_op in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (0, 4), (0, 5)]:
//         rmode, op = rmode_op
//         add(sf << 31 | 0x1e200020 | ft << 22 | rmode << 19 | op << 16, vals)
// for sf, ft, vals in [(0, 1, CONV_D[:9] + CONV_D[12:]), (1, 0, CONV_S[:9] + CONV_S[12:])]:
//     add(sf << 31 | 0x1e200020 | ft << 22 | 3 << 19 | 0 << 16, vals)     # fcvtzs
//     add(sf << 31 | 0x1e200020 | ft << 22 | 0 << 19 | 5 << 16, vals)     # fcvtau
// # SCVTF/UCVTF, all four register shapes.
// for sf in (0, 1):
//     for ft in (0, 1):
//         for op in (2, 3):
//             add(sf << 31 | 0x1e200020 | ft << 22 | op << 16, INTS)
// # Fixed point: fcvtzs w0, s1, #1; fcvtzu x0, d1, #3; fcvtzs w0, d1, #32; scvtf s0, w1, #4; ucvtf d0, x1, #64.
// add(0x1e18fc20, CONV_S); add(0x9e59f420, CONV_D); add(0x1e588020, CONV_D)
// add(0x1e02f020, INTS); add(0x9e430020, INTS)
// # FMOV general, FJCVTZS.
// for w in (0x1e270020, 0x1e260020, 0x9e670020, 0x9e660020, 0x9eaf0020, 0x9eae0020):
//     add(w, INTS[:4])
// add(0x1e7e0020, ONE_D + [d(x) for x in [5.0, -5.0, -2147483648.0, 4294967301.0, 2.0**63 + 2.0**40]])
// # One source, double: fmov fabs fneg fsqrt fcvt(s) frint n p m z a x i 32z 32x 64z 64x.
// for op in [0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19]:
//     add(0x1e604020 | op << 15, ONE_D)
// # One source, single: fsqrt fcvt(d) frintn frinta frint32x frint64z.
// for op in [3, 5, 8, 12, 17, 18]:
//     add(0x1e204020 | op << 15, ONE_S)
// # FCVT from half precision: fcvt s0, h1 and fcvt d0, h1.
// HALVES = [0x0000, 0x8000, 0x0001, 0x83ff, 0x0400, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0xfc00, 0x7d01, 0xfe01, 0x7fff]
// add(0x1ee24020, HALVES); add(0x1ee2c020, HALVES)
// # Two sources: fmul fdiv fadd fsub fmax fmin fmaxnm fminnm fnmul.
// for op in range(9):
//     add2(0x1e620820 | op << 12, TWO_D)
//     add2(0x1e220820 | op << 12, TWO_S)
// # Three sources: fmadd fmsub fnmadd fnmsub with a NaN, an infinity-times-zero and exact cases.
// for o1, o0 in [(0, 0), (0, 1), (1, 0), (1, 1)]:
//     w = 0x1f420c20 | o1 << 21 | o0 << 15
//     for a, b, c in [(d(3.0), d(5.0), d(1.0)), (d(0.1), d(10.0), d(-1.0)), (QNAN_D, d(1.0), SNAN_D),
//                     (d(INF), d(0.0), d(1.0)), (d(INF), d(0.0), QNAN_D), (NQNAN_D, QNAN_D, d(2.0)),
//                     (d(1e308), d(10.0), d(-INF)), (d(-0.0), d(0.0), d(0.0)), (d(1.0), d(-1.0), d(1.0))]:
//         cases.append((w, a, b, c, 0))
//     w = 0x1f020c20 | o1 << 21 | o0 << 15
//     for a, b, c in [(s(3.0), s(5.0), s(1.0)), (SNAN_S, QNAN_S, s(1.0)), (s(INF), s(-INF), s(INF))]:
//         cases.append((w, a, b, c, 0))
// # Compares: fcmp d1, d2; fcmpe s1, s2; fcmp d1, #0.0.
// add2(0x1e622020, TWO_D); add2(0x1e222030, TWO_S); add(0x1e602028, TWO_D)
// # fccmp d1, d2, #5, eq and fccmpe s1, s2, #3, lt under each flag setting; fcsel d0, d1, d2, ne.
// for flags in range(16):
//     cases.append((0x1e620425, d(1.0), d(2.0), 0, flags))
//     cases.append((0x1e22b433, s(2.0), QNAN_S, 0, flags))
//     cases.append((0x1e621c20, d(1.0), d(2.0), 0, flags))
// # FMOV immediate over all 256 imm8 values for double, some for single.
// for imm8 in range(0, 256, 3):
//     cases.append((0x1e601000 | imm8 << 13, 0, 0, 0, 0))
// for imm8 in range(0, 256, 17):
//     cases.append((0x1e201000 | imm8 << 13, 0, 0, 0, 0))
//
// words = sorted(set(c[0] for c in cases))
// asm = ['.text']
// for i, w in enumerate(words):
//     asm += [f'.globl stub{i}', f'stub{i}:', 'ldp q0, q1, [x0]', 'ldp q2, q3, [x0, #32]',
//             'ldr x1, [x0, #64]', 'ldr x10, [x0, #72]', 'msr nzcv, x10', 'mov x9, x0', 'ldr x0, [x9, #80]',
//             f'.inst {w:#010x}', 'str q0, [x9]', 'str x0, [x9, #80]', 'mrs x10, nzcv', 'str x10, [x9, #72]', 'ret']
// open('stubs.s', 'w').write('\n'.join(asm) + '\n')
// c = ['#include <stdio.h>', '#include <stdint.h>',
//      'typedef unsigned __int128 u128;',
//      'struct st { u128 q[4]; uint64_t x1, nzcv, x0; } __attribute__((aligned(16)));']
// c += [f'void stub{i}(struct st *);' for i in range(len(words))]
// c.append('static void (*stubs[])(struct st *) = {' + ','.join(f'stub{i}' for i in range(len(words))) + '};')
// c.append('static const struct { uint32_t w, k; uint64_t a, b, c, f; } cases[] = {')
// c += [f'{{{w:#x}u,{words.index(w)},{a:#x}ull,{b:#x}ull,{cc:#x}ull,{f}}},' for w, a, b, cc, f in cases]
// c.append('};')
// c.append(r'''
// int main(void) {
//   const u128 garbage = ((u128)0xdeadbeefcafef00dull << 64) | 0x0123456789abcdefull;
//   const u128 hi = (u128)0x5555aaaa5555aaaaull << 64;
//   for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
//     struct st s = { { garbage, hi | cases[i].a, hi | cases[i].b, hi | cases[i].c },
//                     cases[i].a, (uint64_t)cases[i].f << 28, (uint64_t)garbage };
//     stubs[cases[i].k](&s);
//     printf("%08x %llx %llx %llx %llx %llx%016llx %llx %llx\n", cases[i].w,
//            (unsigned long long)cases[i].a, (unsigned long long)cases[i].b, (unsigned long long)cases[i].c,
//            (unsigned long long)cases[i].f, (unsigned long long)(s.q[0] >> 64), (unsigned long long)s.q[0],
//            (unsigned long long)s.x0, (unsigned long long)(s.nzcv >> 28));
//   }
//   return 0;
// }''')
// open('cases.c', 'w').write('\n'.join(c) + '\n')
//
// def group(w):
//     """The data file a case goes to: conversions, two-source arithmetic, or the rest."""
//     if not w >> 24 & 1 and (not w >> 21 & 1 or w >> 10 & 0x3f == 0):
//         return 'convert'
//     if not w >> 24 & 1 and w >> 10 & 3 == 2:
//         return 'two_source'
//     return 'other'
//
// TITLES = {
//     'convert': 'conversions to and from integers and fixed point,\n//! FMOV (general), FJCVTZS',
//     'two_source': 'data-processing with two sources.',
//     'other': 'data-processing with one and three sources,\n//! compares, conditional compare and select, FMOV (immediate)',
// }
//
// if len(sys.argv) == 4 and sys.argv[1] == 'split':
//     lines = open(sys.argv[2]).read().splitlines()
//     for name, title in TITLES.items():
//         body = [l for l in lines if group(int(l.split()[0], 16)) == name]
//         with open(f'{sys.argv[3]}/fp_qemu_{name}.rs', 'w') as f:
//             f.write(f'//! Scalar FP cases recorded from qemu-aarch64 7.2 (`-cpu max`): {title}.\n'.replace('..', '.'))
//             f.write('//! Generated by the script in `fp_qemu_cases.rs`; do not edit by hand.\n\n')
//             f.write('/// One case a line: `word a b c flags q0 x0 nzcv`, in hexadecimal.\n')
//             f.write('pub(super) const CASES: &str = "\\\n' + '\n'.join(body) + '\n";\n')

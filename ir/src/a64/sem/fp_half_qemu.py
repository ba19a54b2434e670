#!/usr/bin/env python3
"""Records half-precision scalar-FP cases from qemu-aarch64 for vmtrans's fp unit tests.

Same harness as the generator in `fp_qemu_cases.rs`: the stub sets q1..q3 to (HI << 64 | input),
x1 to a, q0 and x0 to a garbage pattern and NZCV to flags, runs the word, and prints q0, x0 and
NZCV. Output lines: `word a b c flags q0 x0 nzcv`, hex. Usage: `python3 fp_half_qemu.py` writes
cases.c and stubs.s; `aarch64-linux-gnu-gcc -O1 -static -march=armv8.2-a+fp16 cases.c stubs.s -o cases`;
`qemu-aarch64 -cpu max ./cases > out.txt`; `python3 fp_half_qemu.py write out.txt ir/src/a64/sem` (writes
fp_qemu_half_convert.rs, fp_qemu_half_two_source.rs and fp_qemu_half_other.rs).
"""
import random, struct, sys

def d(x): return struct.unpack('<Q', struct.pack('<d', x))[0]
def s(x): return struct.unpack('<I', struct.pack('<f', x))[0]
def hv(h):
    """The value of a finite half."""
    e, f = h >> 10 & 0x1f, h & 0x3ff
    v = f * 2.0**-24 if e == 0 else (1024 + f) * 2.0**(e - 25)
    return -v if h >> 15 else v
INF = float('inf')
rng = random.Random(16)

# Sources for FCVT to half: midpoints between halves, one ulp of the source either side,
# subnormal and overflow boundaries, the double-rounding trap, NaNs, infinities, zeros.
MIDS = [(hv(h) + hv(h + 1)) / 2 for h in [0, 1, 0x3ff, 0x400, 0x3c00, 0x3c01, 0x3555, 0x7bfe]] + [65520.0, 2.0**-25]
CVT_D = [d(x) for x in [0.0, -0.0, 1.0, -1.5, 65504.0, 65519.99, 1e300, -INF, INF, 5e-324, 1e-8, 0.1, -3.3e-5]]
CVT_D += [d(m) for m in MIDS] + [d(m) + 1 for m in MIDS] + [d(m) - 1 for m in MIDS] + [d(-m) for m in MIDS]
CVT_D += [d(1.0 + 2.0**-11 + 2.0**-40), d(1.0 + 2.0**-11 - 2.0**-40)]
CVT_D += [0x7ff800000000abcd, 0x7ff400000000abcd, 0xfff0000000000001, 0xfff8040000000000]
CVT_D += [d(rng.uniform(-70000, 70000) * 2.0**rng.randint(-30, 0)) for _ in range(40)]
CVT_S = [s(x) for x in [0.0, -0.0, 1.0, -1.5, 65504.0, 65519.99, 3e38, -INF, 1e-8, 0.1]]
CVT_S += [s(m) for m in MIDS] + [s(m) + 1 for m in MIDS] + [s(m) - 1 for m in MIDS] + [0x80000001, 0x00000001]
CVT_S += [0x7fc0abcd, 0x7f80abcd, 0xffc01234, 0xff802001]
CVT_S += [s(rng.uniform(-70000, 70000) * 2.0**rng.randint(-30, 0)) for _ in range(40)]
# Halves for arithmetic: zeros, subnormals, normals, infinities, quiet and signalling NaNs.
HALVES = [0x0000, 0x8000, 0x0001, 0x83ff, 0x0400, 0x3c00, 0xbc01, 0x3555, 0x4248, 0x7bff, 0x7c00, 0xfc00,
          0x7e55, 0xfd01, 0x7d02]
PAIRS = [0x0000, 0x8000, 0x0001, 0x3c00, 0xbc01, 0x4248, 0x7bff, 0xfc00, 0x7e55, 0x7d02]
CONV_H = [0x0000, 0x8000, 0x3800, 0xb800, 0x3e00, 0x4100, 0xc100, 0xc300, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e55,
          0x7d01, 0x0001, 0x3c01, 0x5bff]
INTS = [0, 1, 0xffffffff, 0x80000000, 0x0000fff0, 0x0000ffef, 0x00000801, 0x00001003, 0x7fffffffffffffff,
        0x8000000000000000, 0xffffffffffffffff, 0x0020000000000001, 0xfffffffffffffffd, 0x0008004000000001,
        0xfff7ffbfffffffff, 0x1000000000000000, 0x0000000000001801]

cases = []
def add(word, ins, b=0, c=0, flags=0):
    for a in ins: cases.append((word, a, b, c, flags))
def add2(word, vals):
    for a in vals:
        for b in vals: cases.append((word, a, b, 0, 0))

# FCVT h0, s1 and h0, d1.
add(0x1e23c020, CVT_S); add(0x1e63c020, CVT_D)
# Two sources: fmul fdiv fadd fsub fmax fmin fmaxnm fminnm fnmul h0, h1, h2.
for op in range(9):
    add2(0x1ee20820 | op << 12, PAIRS)
# Three sources: fmadd fmsub fnmadd fnmsub h0, h1, h2, h3.
TRIPLES = [(0x4200, 0x4500, 0x3c00), (0x2e66, 0x4900, 0xbc00), (0x7e00, 0x3c00, 0x7d01), (0x7c00, 0x0000, 0x3c00),
           (0x7c00, 0x0000, 0x7e55), (0xfe01, 0x7e02, 0x4000), (0x7bff, 0x4900, 0xfc00), (0x8000, 0x0000, 0x0000),
           (0x3c00, 0xbc00, 0x3c00), (0x5bff, 0x5bff, 0x0001), (0x3c01, 0x3c01, 0xbc02), (0x0001, 0x0001, 0x7bff),
           (0x7bff, 0x3c01, 0x8001), (0x4248, 0x3555, 0x83ff)]
TRIPLES += [(rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(16)) for _ in range(30)]
for o1, o0 in [(0, 0), (0, 1), (1, 0), (1, 1)]:
    for a, b, c in TRIPLES:
        cases.append((0x1fc20c20 | o1 << 21 | o0 << 15, a, b, c, 0))
# One source: fmov fabs fneg fsqrt frintn frintp frintm frintz frinta frintx frinti h0, h1.
for op in [0, 1, 2, 3, 8, 9, 10, 11, 12, 14, 15]:
    add(0x1ee04020 | op << 15, HALVES + [0x3e00, 0x4100, 0xc100, 0x3800, 0xb4cd, 0x63ff, 0x4401])
# FCVT s0, h1 and d0, h1 over the same halves.
add(0x1ee24020, HALVES); add(0x1ee2c020, HALVES)
# Compares: fcmp h1, h2; fcmpe h1, h2; fcmp h1, #0.0; fcmpe h1, #0.0.
add2(0x1ee22020, PAIRS); add2(0x1ee22030, PAIRS); add(0x1ee02028, HALVES); add(0x1ee02038, HALVES)
# fccmp h1, h2, #5, eq; fccmpe h1, h2, #3, lt; fcsel h0, h1, h2, ne under each flag setting.
for flags in range(16):
    cases.append((0x1ee20425, 0x3c00, 0x4000, 0, flags))
    cases.append((0x1ee2b433, 0x4000, 0x7e00, 0, flags))
    cases.append((0x1ee21c20, 0x3c00, 0x4000, 0, flags))
# FMOV h0, #imm over every other imm8 value.
for imm8 in range(0, 256, 2):
    cases.append((0x1ee01000 | imm8 << 13, 0, 0, 0, 0))
# FCVT{N,P,M,Z}{S,U} and FCVTA{S,U} from h1 to w0 and x0.
for sf in (0, 1):
    for rmode, op in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (0, 4), (0, 5)]:
        add(sf << 31 | 0x1ee00020 | rmode << 19 | op << 16, CONV_H)
# SCVTF, UCVTF h0 from w1 and x1.
for sf in (0, 1):
    for op in (2, 3):
        add(sf << 31 | 0x1ee00020 | op << 16, INTS)
# Fixed point: fcvtzs w0, h1, #4; fcvtzu x0, h1, #3; fcvtzs x0, h1, #64; scvtf h0, x1, #60;
# ucvtf h0, x1, #64; scvtf h0, w1, #16; ucvtf h0, w1, #1.
add(0x1ed8f020, CONV_H); add(0x9ed9f420, CONV_H); add(0x9ed80020, CONV_H)
add(0x9ec21020, INTS); add(0x9ec30020, INTS); add(0x1ec2c020, INTS); add(0x1ec3fc20, INTS)
# FMOV h0, w1; w0, h1; x0, h1; h0, x1.
for w in (0x1ee70020, 0x1ee60020, 0x9ee60020, 0x9ee70020):
    add(w, INTS[:4] + [0x1234567890abcdef])

def group(w):
    """The data file a case goes to: conversions (FCVT to half, integer and fixed point, FMOV
    general), two-source arithmetic, or the rest."""
    if w in (0x1e23c020, 0x1e63c020) or not w >> 24 & 1 and (not w >> 21 & 1 or w >> 10 & 0x3f == 0):
        return 'convert'
    if not w >> 24 & 1 and w >> 10 & 3 == 2:
        return 'two_source'
    return 'other'

if len(sys.argv) == 4 and sys.argv[1] == 'write':
    lines = open(sys.argv[2]).read().splitlines()
    for name in ('convert', 'two_source', 'other'):
        body = [l for l in lines if group(int(l.split()[0], 16)) == name]
        with open(f'{sys.argv[3]}/fp_qemu_half_{name}.rs', 'w') as f:
            f.write('//! Half-precision scalar FP cases recorded from qemu-aarch64 7.2 (`-cpu max`), replayed by\n')
            f.write('//! `fp_half_tests.rs`. Generated by the script in `fp_half_qemu.py`; do not edit by hand.\n\n')
            f.write('/// One case a line: `word a b c flags q0 x0 nzcv`, in hexadecimal.\n')
            f.write('pub(super) const CASES: &str = "\\\n' + '\n'.join(body) + '\n";\n')
    sys.exit(0)

words = sorted(set(c[0] for c in cases))
asm = ['.arch armv8.2-a+fp16', '.text']
for i, w in enumerate(words):
    asm += [f'.globl stub{i}', f'stub{i}:', 'ldp q0, q1, [x0]', 'ldp q2, q3, [x0, #32]',
            'ldr x1, [x0, #64]', 'ldr x10, [x0, #72]', 'msr nzcv, x10', 'mov x9, x0', 'ldr x0, [x9, #80]',
            f'.inst {w:#010x}', 'str q0, [x9]', 'str x0, [x9, #80]', 'mrs x10, nzcv', 'str x10, [x9, #72]', 'ret']
open('stubs.s', 'w').write('\n'.join(asm) + '\n')
c = ['#include <stdio.h>', '#include <stdint.h>',
     'typedef unsigned __int128 u128;',
     'struct st { u128 q[4]; uint64_t x1, nzcv, x0; } __attribute__((aligned(16)));']
c += [f'void stub{i}(struct st *);' for i in range(len(words))]
c.append('static void (*stubs[])(struct st *) = {' + ','.join(f'stub{i}' for i in range(len(words))) + '};')
c.append('static const struct { uint32_t w, k; uint64_t a, b, c, f; } cases[] = {')
c += [f'{{{w:#x}u,{words.index(w)},{a:#x}ull,{b:#x}ull,{cc:#x}ull,{f}}},' for w, a, b, cc, f in cases]
c.append('};')
c.append(r'''
int main(void) {
  const u128 garbage = ((u128)0xdeadbeefcafef00dull << 64) | 0x0123456789abcdefull;
  const u128 hi = (u128)0x5555aaaa5555aaaaull << 64;
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct st s = { { garbage, hi | cases[i].a, hi | cases[i].b, hi | cases[i].c },
                    cases[i].a, (uint64_t)cases[i].f << 28, (uint64_t)garbage };
    stubs[cases[i].k](&s);
    printf("%08x %llx %llx %llx %llx %llx%016llx %llx %llx\n", cases[i].w,
           (unsigned long long)cases[i].a, (unsigned long long)cases[i].b, (unsigned long long)cases[i].c,
           (unsigned long long)cases[i].f, (unsigned long long)(s.q[0] >> 64), (unsigned long long)s.q[0],
           (unsigned long long)s.x0, (unsigned long long)(s.nzcv >> 28));
  }
  return 0;
}''')
open('cases.c', 'w').write('\n'.join(c) + '\n')

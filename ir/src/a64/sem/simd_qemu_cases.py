#!/usr/bin/env python3
"""Regenerates simd_qemu_cases.txt, the qemu-aarch64 oracle data of the SIMD unit tests.

Every instruction named in the case file (and in the optional --add file, one per line, '#'
comments allowed) is assembled with aarch64-linux-gnu-as, run once from a fixed input state inside
a small static AArch64 program under qemu-aarch64, and the registers and memory it changed are
recorded. simd_tests.rs replays each case in vmtrans's interpreter from the same state.

Usage: python3 simd_qemu_cases.py [--add FILE] [--seed N] [--out PATH]
--seed draws other inputs (special integers and floats) for a differential run: write the case
file with it, run `cargo test -p vmtrans-ir --lib simd`, then regenerate without --seed, as the
committed file uses the default inputs. Needs aarch64-linux-gnu-gcc, -as, -objdump, qemu-aarch64.
"""
import argparse, os, random, struct, subprocess, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MARCH = 'armv8.2-a+crypto+fp16+dotprod+rdma'


def inputs(seed):
    """The input state: v0-v7, x0-x3 (x0 is the memory address) and 256 bytes of memory."""
    random.seed(1234 if seed is None else seed)
    rb = lambda n: bytes(random.randint(0, 255) for _ in range(n))
    f32s = lambda vals: b''.join(struct.pack('<f', v) for v in vals)
    f64s = lambda vals: b''.join(struct.pack('<d', v) for v in vals)
    nan, inf = float('nan'), float('inf')
    # v2 holds table indices: some in range of one, two or four registers, some past them all.
    idx = bytes(random.choice([random.randint(0, 15), random.randint(16, 63), random.randint(64, 255)])
                for _ in range(16))
    v = [bytes.fromhex('00800080ff7f01000000008fffffffff'), rb(16), idx, rb(16),
         f32s([-1.5, 2.5, 3.0e9, -0.0]), f32s([inf, nan, 0.5, 1e-3]), f64s([0.0, -3.5]), f64s([-inf, 2.0**70])]
    v[5] = v[5][:12] + struct.pack('<I', 0x7f800001)  # A signalling NaN.
    if seed is not None:
        sp32 = [0.0, -0.0, inf, -inf, nan, 1.0, -1.0, 0.5, 1.5, 2.5, -2.5, 3e9, -3e9, 1e-40, 65504.0, 1e20,
                4294967296.0, 65520.0, 65519.0, 6e-8, 3e-8, 1e-5, 2.0**-14, -65504.0]
        sp64 = [0.0, -0.0, inf, -inf, nan, 1.0, -1.5, 2.5, 2.0**70, -2.0**63, 1e-310, 0.1]
        pick = lambda sp: random.choice(sp) if random.random() < 0.6 else random.uniform(-1e3, 1e3)
        special = lambda: bytes(random.choice([0, 0x80, 0x7f, 0xff, 0x01, random.randint(0, 255)]) for _ in range(16))
        v = [special(), rb(16), idx, special(), f32s([pick(sp32) for _ in range(4)]),
             f32s([pick(sp32) for _ in range(4)]), f64s([pick(sp64) for _ in range(2)]),
             f64s([pick(sp64) for _ in range(2)])]
    x = [0, 32, 0x8877665544332211, 0xfedcba9876543210]
    return v, x, rb(256)


def encode(lines, tmp):
    """Instruction words of the assembly lines, in order."""
    src, obj = os.path.join(tmp, 'enc.s'), os.path.join(tmp, 'enc.o')
    open(src, 'w').write('\n'.join(lines) + '\n')
    subprocess.check_call(['aarch64-linux-gnu-as', '-march=' + MARCH, src, '-o', obj])
    dump = subprocess.check_output(['aarch64-linux-gnu-objdump', '-d', obj], text=True)
    words = [int(p[1].strip(), 16) for p in (l.split('\t') for l in dump.splitlines())
             if len(p) >= 3 and p[0].strip().endswith(':')]
    assert len(words) == len(lines), (len(words), len(lines))
    return words


def run(lines, v, x, mem, tmp):
    """Runs every instruction under qemu; returns (registers, memory) bytes per instruction."""
    asm = ['.text']
    for i, ins in enumerate(lines):
        asm += [f'.globl case_{i}', f'case_{i}:', 'mov x9, x0', 'ldp q0, q1, [x9]', 'ldp q2, q3, [x9, 32]',
                'ldp q4, q5, [x9, 64]', 'ldp q6, q7, [x9, 96]', 'ldp x0, x1, [x9, 128]', 'ldp x2, x3, [x9, 144]',
                ins, 'stp q0, q1, [x9]', 'stp q2, q3, [x9, 32]', 'stp q4, q5, [x9, 64]', 'stp q6, q7, [x9, 96]',
                'stp x0, x1, [x9, 128]', 'stp x2, x3, [x9, 144]', 'ret']
    asm += ['.data', '.balign 8', '.globl cases', 'cases:'] + [f'.quad case_{i}' for i in range(len(lines))]
    open(os.path.join(tmp, 'cases.s'), 'w').write('\n'.join(asm) + '\n')
    arr = lambda b: ','.join(str(c) for c in b)
    main = f'''#include <stdio.h>
#include <string.h>
#include <stdint.h>
extern void (*cases[])(void *);
static const unsigned char vin[128] = {{{arr(b''.join(v))}}};
static const unsigned char min[256] = {{{arr(mem)}}};
static unsigned char membuf[256] __attribute__((aligned(16)));
int main(void) {{
  for (int i = 0; i < {len(lines)}; i++) {{
    uint64_t ctx[20] __attribute__((aligned(16)));
    memcpy(ctx, vin, 128); memcpy(membuf, min, 256);
    ctx[16] = (uint64_t)membuf; ctx[17] = {x[1]}ULL; ctx[18] = {x[2]}ULL; ctx[19] = {x[3]}ULL;
    cases[i](ctx);
    ctx[16] -= (uint64_t)membuf;
    for (int k = 0; k < 160; k++) printf("%02x", ((unsigned char *)ctx)[k]);
    printf(" ");
    for (int k = 0; k < 256; k++) printf("%02x", membuf[k]);
    printf("\\n");
  }}
  return 0;
}}
'''
    open(os.path.join(tmp, 'main.c'), 'w').write(main)
    exe = os.path.join(tmp, 'cases')
    subprocess.check_call(['aarch64-linux-gnu-gcc', '-O1', '-static', '-march=' + MARCH,
                           os.path.join(tmp, 'main.c'), os.path.join(tmp, 'cases.s'), '-o', exe])
    out = subprocess.check_output(['qemu-aarch64', exe], text=True).splitlines()
    return [tuple(bytes.fromhex(h) for h in line.split()) for line in out]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--add')
    ap.add_argument('--seed', type=int)
    ap.add_argument('--out', default=os.path.join(HERE, 'simd_qemu_cases.txt'))
    args = ap.parse_args()
    case_file = os.path.join(HERE, 'simd_qemu_cases.txt')
    lines = [l.split('|')[1].strip() for l in open(case_file) if l.startswith('case ')]
    if args.add:
        lines += [l.strip() for l in open(args.add) if l.strip() and not l.startswith('#')]
    v, x, mem = inputs(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        words = encode(lines, tmp)
        results = run(lines, v, x, mem, tmp)
    o = ['# Generated by simd_qemu_cases.py: each instruction run under qemu-aarch64 from the state below.',
         '# in v<n> <16 bytes hex, memory order> | x<n> <hex> | mem <256 bytes hex>']
    o += [f'in v{i} {b.hex()}' for i, b in enumerate(v)] + [f'in x{i} {x[i]:x}' for i in range(1, 4)]
    o += [f'in mem {mem.hex()}',
          '# case <word> | <asm> | changes: v<n>=<hex> x<n>=<hex> (x0 relative to mem) mem@<off>=<hex>']
    for w, ins, (regs, m) in zip(words, lines, results):
        ch = [f'v{k}={regs[16*k:16*k+16].hex()}' for k in range(8) if regs[16*k:16*k+16] != v[k]]
        for k in range(4):
            val = struct.unpack('<Q', regs[128 + 8*k:136 + 8*k])[0]
            if val != x[k]:
                ch.append(f'x{k}={val:x}')
        diff = [k for k in range(256) if m[k] != mem[k]]
        if diff:
            ch.append(f'mem@{diff[0]}={m[diff[0]:diff[-1] + 1].hex()}')
        o.append(f'case {w:08x} | {ins} | {" ".join(ch)}')
    open(args.out, 'w').write('\n'.join(o) + '\n')


if __name__ == '__main__':
    main()

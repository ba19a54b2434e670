//! Tests of the Advanced SIMD semantics against qemu-aarch64.
//!
//! `simd_qemu_cases.txt` holds an input state (v0-v7, x1-x3, 256 bytes of memory at x0) and,
//! for each instruction, the state changes that qemu-aarch64 produced when it ran the
//! instruction from that state (as recorded by a small static AArch64 harness). Each case here
//! lifts the same word, checks the IR with the verifier, runs it in the interpreter from the same
//! state, and compares every changed register and byte, and that nothing else changed.

use crate::a64::lift::lift_block;
use crate::a64::testenv::{run_insns, TestEnv};
use crate::interp::Exit;
use crate::verifier::verify;

const CASES: &str = include_str!("simd_qemu_cases.txt");
const MEM_BASE: u64 = 0x10000;

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
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
    let mut inp = Inputs {
        v: [0; 8],
        x: [0; 4],
        mem: vec![],
    };
    for line in CASES.lines().filter(|l| l.starts_with("in ")) {
        let mut parts = line.split_whitespace().skip(1);
        let (name, val) = (parts.next().expect("name"), parts.next().expect("value"));
        let idx = |p: &str| {
            name[1..]
                .parse::<usize>()
                .map_err(|_| p.to_string())
                .expect("register number")
        };
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
    assert!(
        failures.is_empty(),
        "{} of {count} cases differ from qemu:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

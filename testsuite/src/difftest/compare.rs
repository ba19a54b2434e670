//! Comparing a candidate's final state with the oracle's, and rendering mismatches for people:
//! the code with its disassembly, the initial state, and expected against got per location.

use std::fmt::Write;

use vmtrans_ir::a64::disassemble;

use crate::difftest::case::{Case, MachineState, WINDOW_ADDR};

/// What to compare besides the general registers, sp, NZCV, v0..v31 and the window.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompareOptions {
    /// Compare FPSR too (on unless DIFFTEST_FPSR=0; see tests/difftest.rs).
    pub fpsr: bool,
}

/// One location whose final value differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// "x3", "sp", "nzcv", "fpsr", "v7" or "mem[0x10000040]" (a 16-byte line).
    pub location: String,
    pub expected: String,
    pub got: String,
}

fn nzcv_text(v: u64) -> String {
    let flag = |bit: u32, c: char| if v >> bit & 1 != 0 { c } else { '-' };
    format!("{}{}{}{} ({v:#x})", flag(31, 'N'), flag(30, 'Z'), flag(29, 'C'), flag(28, 'V'))
}

/// Every location where `got` differs from `expected`.
pub fn diff(expected: &MachineState, got: &MachineState, opts: CompareOptions) -> Vec<Difference> {
    let mut out = vec![];
    let mut push = |location: String, e: String, g: String| out.push(Difference { location, expected: e, got: g });
    for i in 0..31 {
        if expected.x[i] != got.x[i] {
            push(format!("x{i}"), format!("{:#018x}", expected.x[i]), format!("{:#018x}", got.x[i]));
        }
    }
    if expected.sp != got.sp {
        push("sp".into(), format!("{:#018x}", expected.sp), format!("{:#018x}", got.sp));
    }
    if expected.nzcv != got.nzcv {
        push("nzcv".into(), nzcv_text(expected.nzcv), nzcv_text(got.nzcv));
    }
    if opts.fpsr && expected.fpsr != got.fpsr {
        push("fpsr".into(), format!("{:#x}", expected.fpsr), format!("{:#x}", got.fpsr));
    }
    for i in 0..32 {
        if expected.v[i] != got.v[i] {
            push(format!("v{i}"), format!("{:#034x}", expected.v[i]), format!("{:#034x}", got.v[i]));
        }
    }
    for (line, (e, g)) in expected.mem.chunks(16).zip(got.mem.chunks(16)).enumerate() {
        if e != g {
            let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(" ");
            push(format!("mem[{:#x}]", WINDOW_ADDR + 16 * line as u64), hex(e), hex(g));
        }
    }
    out
}

/// The case's code, one line per instruction: address, word, disassembly.
pub fn listing(case: &Case, addr: u64) -> String {
    let mut s = String::new();
    for (i, w) in case.code.iter().enumerate() {
        let _ = writeln!(s, "    {:#x}: {w:08x}  {}", addr + 4 * i as u64, disassemble(*w));
    }
    s
}

/// The initial state worth showing: all general registers, sp, NZCV, FPCR, and the vector
/// registers when `with_vectors`.
pub fn inputs(state: &MachineState, with_vectors: bool) -> String {
    let mut s = String::new();
    for row in 0..8 {
        s.push_str("   ");
        for i in (4 * row..4 * row + 4).filter(|&i| i < 31) {
            let _ = write!(s, " x{i:<2}={:#018x}", state.x[i]);
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "    sp={:#x} nzcv={} fpcr={:#x} fpsr={:#x}",
        state.sp,
        nzcv_text(state.nzcv),
        state.fpcr,
        state.fpsr
    );
    if with_vectors {
        for row in 0..16 {
            let _ = writeln!(
                s,
                "    v{:<2}={:#034x} v{:<2}={:#034x}",
                2 * row,
                state.v[2 * row],
                2 * row + 1,
                state.v[2 * row + 1]
            );
        }
    }
    s
}

/// A full report of one mismatch (at most `limit` differences listed).
pub fn report(case: &Case, addr: u64, engine: &str, what: &str, diffs: &[Difference], limit: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "MISMATCH class {} engine {engine}: {what}", case.class);
    s.push_str(&listing(case, addr));
    // FPSR's flags come from the vector registers' values as much as a vector result does.
    let with_vectors = diffs.iter().any(|d| d.location.starts_with('v') || d.location == "fpsr");
    s.push_str("  initial state:\n");
    s.push_str(&inputs(&case.init, with_vectors));
    if !diffs.is_empty() {
        s.push_str("  location      expected                            got\n");
    }
    for d in diffs.iter().take(limit) {
        let _ = writeln!(s, "    {:<10} {:<35} {}", d.location, d.expected, d.got);
    }
    if diffs.len() > limit {
        let _ = writeln!(s, "    ... and {} more", diffs.len() - limit);
    }
    s
}

//! Random test-case generators, one module per group of instruction classes. Each class draws
//! valid encodings from templates (fields randomised within the valid space of the encoding)
//! and a random initial state biased to edge cases; classes that touch memory also point their
//! base registers into the window so that every access stays inside it.
//!
//! Exclusions, for the harness's sake: no system calls, no system-register access (TPIDR_EL0
//! is the harness's scratch register), no counters or other state outside the compared set, no
//! branches outside the case's own code, and no backward branches (no loops). FPCR is zero unless
//! DIFFTEST_FPCR=1 asks for random controls (rounding mode, flush-to-zero, default-NaN and the
//! half-precision controls AHP and FZ16).

pub mod branch;
pub mod encodings;
pub mod fp;
pub mod int;
pub mod ldst;
pub mod simd;
pub mod simd_fp16;
pub mod simd_long;
pub mod simd_scalar;

use crate::difftest::case::{Case, MachineState, WINDOW_ADDR, WINDOW_SIZE};
use crate::difftest::rng::Rng;

/// A generator of one instruction: it may adjust the initial state (memory bases, indices).
pub type InsnGen = fn(&mut Rng, &mut MachineState) -> u32;

/// How a class builds its cases.
#[derive(Clone, Copy)]
pub enum Shape {
    /// Sequences of 1 to `max` instructions, each from one of the generators.
    Seq { max: usize, gens: &'static [InsnGen] },
    /// A generator of whole cases' code (for classes whose instructions depend on each other).
    Whole(fn(&mut Rng, &mut MachineState) -> Vec<u32>),
}

/// An instruction class.
#[derive(Clone, Copy)]
pub struct Class {
    pub name: &'static str,
    pub shape: Shape,
}

/// Every class, in report order.
pub fn classes() -> Vec<Class> {
    let mut all = vec![];
    all.extend_from_slice(int::CLASSES);
    all.extend_from_slice(ldst::CLASSES);
    all.extend_from_slice(branch::CLASSES);
    all.extend_from_slice(fp::CLASSES);
    all.extend_from_slice(simd::CLASSES);
    all.extend_from_slice(simd_long::CLASSES);
    all.extend_from_slice(simd_scalar::CLASSES);
    all.push(MIXED);
    all.extend_from_slice(encodings::CLASSES);
    all
}

/// Whether class `name` draws cases that qemu ends with a signal on purpose: the encoding sweeps
/// (unallocated words: SIGILL) and the misaligned ordered accesses (SIGBUS). Every other class
/// draws only cases that qemu runs to the end.
pub fn kills_qemu_on_purpose(name: &str) -> bool {
    encodings::is_sweep(name) || name == ldst::MISALIGNED
}

/// Sequences drawn from every class whose instructions stand alone: values and flags flow between
/// integer, floating-point and vector instructions, through the lifter's and the optimiser's
/// handling of each. The load/store classes (whose base registers are set up for one access) and
/// the branches (whose targets are laid out for their own sequences) are left out.
const MIXED: Class = Class { name: "mix", shape: Shape::Whole(mixed) };

fn mixed(rng: &mut Rng, st: &mut MachineState) -> Vec<u32> {
    let sources: Vec<&'static [InsnGen]> = classes()
        .iter()
        .filter_map(|c| match c.shape {
            Shape::Seq { gens, .. } if !c.name.starts_with("ldst") && !encodings::is_sweep(c.name) => Some(gens),
            _ => None,
        })
        .collect();
    let len = rng.range(2, 16) as usize;
    (0..len)
        .map(|_| {
            let gens = rng.pick(&sources);
            rng.pick(gens)(rng, st)
        })
        .collect()
}

/// The class called `name`.
pub fn class(name: &str) -> Option<Class> {
    classes().into_iter().find(|c| c.name == name)
}

/// A random initial state: edge-biased registers, random flags and vectors, random memory,
/// sp 16-byte aligned in the middle of the window.
pub fn random_state(rng: &mut Rng) -> MachineState {
    let mut st = MachineState::default();
    for x in st.x.iter_mut() {
        *x = rng.edgy_u64();
    }
    st.nzcv = (rng.bits(4) as u64) << 28;
    for v in st.v.iter_mut() {
        *v = rng.edgy_v128();
    }
    for chunk in st.mem.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
    }
    st.sp = WINDOW_ADDR + 16 * rng.range(64, 192);
    // With DIFFTEST_FPCR=1, half of the cases round to nearest without flushing, as nearly all
    // programs do, and the others draw FPCR.RMode (bits 23..22), FZ (24), DN (25), AHP (26) and
    // FZ16 (19).
    if random_fpcr() && rng.chance(1, 2) {
        st.fpcr = (rng.bits(5) as u64) << 22 | (rng.bits(1) as u64) << 19;
    }
    st
}

/// Whether cases draw a random FPCR (DIFFTEST_FPCR=1).
fn random_fpcr() -> bool {
    std::env::var("DIFFTEST_FPCR").is_ok_and(|v| v == "1")
}

/// One random case of `class`.
pub fn generate_one(class: &Class, rng: &mut Rng) -> Case {
    let mut init = random_state(rng);
    let code = match class.shape {
        Shape::Seq { max, gens } => {
            let len = if rng.chance(1, 2) { 1 } else { rng.range(1, max as u64) as usize };
            (0..len).map(|_| rng.pick(gens)(rng, &mut init)).collect()
        }
        Shape::Whole(f) => f(rng, &mut init),
    };
    Case { class: class.name, code, init }
}

/// A stable hash of a class name, mixed into seeds so that classes draw different streams.
pub fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// `count` cases of `class` from `seed`: the same arguments always give the same cases.
pub fn generate(class: &Class, seed: u64, count: usize) -> Vec<Case> {
    let mut rng = Rng::new(seed ^ name_hash(class.name));
    (0..count).map(|_| generate_one(class, &mut rng)).collect()
}

/// A general register number 0..=30, or 31 (the zero register or sp) one time in `zr_odds`.
pub fn reg(rng: &mut Rng, zr_odds: u64) -> u32 {
    if rng.chance(1, zr_odds) {
        31
    } else {
        rng.below(31) as u32
    }
}

/// A SIMD&FP register number.
pub fn vreg(rng: &mut Rng) -> u32 {
    rng.bits(5)
}

/// Draws one of `ops` (U, opcode, smallest size, largest size) and a size in its range.
pub fn pick_sized(rng: &mut Rng, ops: &[(u32, u32, u32, u32)]) -> (u32, u32, u32) {
    let (u, opcode, lo, hi) = rng.pick(ops);
    (u, opcode, rng.range(lo as u64, hi as u64) as u32)
}

/// A random address in the window for an access of `size` bytes, aligned to `size` three times
/// in four.
pub fn window_addr(rng: &mut Rng, size: u64) -> u64 {
    let span = WINDOW_SIZE as u64 - size;
    let off = rng.below(span + 1);
    WINDOW_ADDR + if rng.chance(3, 4) { off & !(size.next_power_of_two() - 1) } else { off }
}

/// Sets general register `n` (31 being sp) to `value`.
pub fn set_base(st: &mut MachineState, n: u32, value: u64) {
    if n == 31 {
        st.sp = value;
    } else {
        st.x[n as usize] = value;
    }
}

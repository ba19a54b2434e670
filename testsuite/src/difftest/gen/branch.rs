//! Generators of the branch class: short sequences of flag-setting and data instructions with
//! forward branches inside the sequence (B.cond with every condition, CBZ/CBNZ, TBZ/TBNZ, B,
//! BL, and ADR followed by BR/BLR/RET). Targets lie after the branch and at most at the end of
//! the code, so every case terminates and never leaves its code.

use crate::difftest::case::MachineState;
use crate::difftest::gen::{int, reg, Class, InsnGen, Shape};
use crate::difftest::rng::Rng;

/// Instructions between branches: they set flags and registers the branches test.
const FILLER: &[InsnGen] =
    &[int::addsub_imm, int::addsub_shifted, int::cond_compare, int::move_wide, int::logical_imm, int::bitfield];

/// A branch at word `pos` to word `target` (> `pos`); `target` may be the end of the code.
fn branch(rng: &mut Rng, pos: usize, target: usize) -> u32 {
    let words = (target - pos) as u32;
    let rt = reg(rng, 8);
    match rng.below(6) {
        0 | 1 => 0x5400_0000 | (words & 0x7ffff) << 5 | rng.bits(4),
        2 => 0x3400_0000 | rng.bits(1) << 31 | rng.bits(1) << 24 | (words & 0x7ffff) << 5 | rt,
        3 => {
            let bit = rng.bits(6);
            0x3600_0000 | (bit >> 5) << 31 | rng.bits(1) << 24 | (bit & 31) << 19 | (words & 0x3fff) << 5 | rt
        }
        4 => 0x1400_0000 | (words & 0x3ff_ffff),
        _ => 0x9400_0000 | (words & 0x3ff_ffff),
    }
}

/// What goes at one position of a branch case.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Filler,
    Branch,
    /// ADR at this position, the indirect branch at the next one.
    AdrPair,
    /// The indirect branch of the pair before: no branch may land here (it would skip the ADR).
    Indirect,
}

/// A random target at or after `first` (at most the end of the code) that is not an indirect branch.
fn target_after(rng: &mut Rng, plan: &[Slot], first: usize) -> usize {
    let len = plan.len();
    let allowed: Vec<usize> = (first..=len).filter(|&t| t == len || plan[t] != Slot::Indirect).collect();
    rng.pick(&allowed)
}

/// A whole branch case: 3 to 12 words.
fn sequence(rng: &mut Rng, st: &mut MachineState) -> Vec<u32> {
    let len = rng.range(3, 12) as usize;
    let mut plan = Vec::with_capacity(len);
    while plan.len() < len {
        let room = len - plan.len();
        if room >= 2 && rng.chance(1, 6) {
            plan.extend([Slot::AdrPair, Slot::Indirect]);
        } else if rng.chance(1, 3) {
            plan.push(Slot::Branch);
        } else {
            plan.push(Slot::Filler);
        }
    }
    let mut code = Vec::with_capacity(len);
    for pos in 0..len {
        match plan[pos] {
            Slot::Filler => code.push(rng.pick(FILLER)(rng, st)),
            Slot::Branch => {
                let target = target_after(rng, &plan, pos + 1);
                code.push(branch(rng, pos, target));
            }
            Slot::AdrPair => {
                // ADR xN, target; then BR/BLR/RET xN, with the target after the indirect branch.
                let rn = rng.below(31) as u32;
                let target = target_after(rng, &plan, pos + 2);
                let bytes = 4 * (target - pos) as u32;
                code.push((bytes & 3) << 29 | 0x1000_0000 | (bytes >> 2) << 5 | rn);
                let op = rng.pick(&[0xd61f_0000u32, 0xd63f_0000, 0xd65f_0000]);
                code.push(op | rn << 5);
            }
            Slot::Indirect => {}
        }
    }
    code
}

/// The branch class.
pub const CLASSES: &[Class] = &[Class { name: "branch", shape: Shape::Whole(sequence) }];

//! Jump-table recovery: finds the guest addresses a `BR` can reach when it is the dispatch of a
//! bounded switch, by running its block in the reference interpreter for every index value.
//!
//! The bound comes from the compare-and-branch that guards the block (`cmp wN, #K` with `b.hi` or
//! `b.hs` to the default, or `b.ls`/`b.lo` to the table), whatever instructions then compute the target: the block is lifted as usual and
//! interpreted with the index register set to each value in range, the other registers set to
//! arbitrary values, and memory reads served from the read-only initial image. The block is run
//! twice with different arbitrary values; a target that depends on anything but the index and
//! read-only memory shows up as a disagreement, and recovery gives up.
//!
//! Registers and slots of the function's own stack frame that hold one constant where the block
//! starts (`constant_registers`) are given to the probe: a table base set up once in the prologue,
//! kept in a callee-saved register or, in a large function short of registers, spilled to the
//! frame and loaded back before each dispatch (`ldr x0, [sp, #16]`, SQLite's bytecode loop).

use std::collections::{BTreeSet, VecDeque};

use rustc_hash::FxHashMap;

use crate::a64::flow::{classify, Flow};
use crate::a64::lift::{lift_block, CodeSource};
use crate::interp::{run_block, Env, Exit, Fault};
use crate::reg::Reg;

/// The most cases recovered for one table.
pub const MAX_CASES: u64 = 4096;

/// The compare-and-branch in front of a table's dispatch block, as `guard_of` reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Guard {
    /// The register holding the case index.
    pub index_reg: Reg,
    /// The number of cases: the index is below this.
    pub cases: u64,
    /// Whether the compare is 64 bits wide (`cmp xN`), so that the whole register is the index;
    /// after `cmp wN` only the low 32 bits are known.
    pub wide: bool,
    /// A register the compared one was copied into just before the compare (`mov w5, w1; cmp w1,
    /// #0x27; b.ls`, OpenSSL's `EVP_CIPHER_CTX_ctrl`), which the table may be indexed by instead:
    /// a W copy is bounded whole (its upper half is zero).
    pub copy: Option<Reg>,
}

/// Where a probe puts the case index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Index {
    /// In a register: all of it when `wide` (a 64-bit compare bounded it, or the register was
    /// written as a W register), else only its low 32 bits, the rest being noise.
    Register { reg: Reg, wide: bool },
    /// In memory that is not read-only: every such load reads the index (truncated to the load's
    /// width). That is a match on a discriminant the block loads (`ldrb w8, [x8]; ldrb w11,
    /// [x9, x8]`), which the compiler knows to be in range and so does not compare.
    Loaded,
    /// Nowhere: only the noise varies.
    Nowhere,
}

/// Where `constant_registers` puts the stack pointer at a function's entry: an address no
/// user-space program can use, so that the slots of the function's frame are told apart from any
/// other memory, whatever the real stack pointer is at run time.
const ENTRY_SP: u64 = 0x4000_0000_0000_0000;

/// How far from `ENTRY_SP` an address is taken for a slot of the frame.
const FRAME_REACH: u64 = 1 << 32;

/// What constant propagation knows where an instruction starts: general registers (and sp) that
/// hold one constant whenever it runs, and slots of the function's stack frame that do, by their
/// address relative to `ENTRY_SP`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Known {
    /// The registers, by register.
    pub regs: FxHashMap<Reg, u64>,
    /// The frame's slots, by address: the width in bytes of the store that wrote it, and the value.
    pub slots: FxHashMap<u64, (usize, u64)>,
    /// The registers a call has clobbered since (bit n for xn), not written again: compiled code
    /// reads none of them before writing it, so where paths join they take the other paths'
    /// values. This keeps a table base that a loop holds in a scratch register known at its
    /// dispatch although code placed after a call that does not return (`__stack_chk_fail`),
    /// which this analysis takes to return, jumps back into the loop.
    clobbered: u32,
}

impl Known {
    /// What both `self` and `other` know alike: the meet of two paths.
    fn meet(&self, other: &Known) -> Known {
        let clobbered = |k: &Known, r: Reg| r.0 < 32 && k.clobbered >> r.0 & 1 == 1;
        let mut regs: FxHashMap<Reg, u64> =
            self.regs.iter().filter(|(r, v)| other.regs.get(r) == Some(v)).map(|(&r, &v)| (r, v)).collect();
        for (a, b) in [(self, other), (other, self)] {
            for (&r, &v) in &a.regs {
                if clobbered(b, r) {
                    regs.insert(r, v);
                }
            }
        }
        Known {
            regs,
            slots: self.slots.iter().filter(|(a, v)| other.slots.get(a) == Some(v)).map(|(&a, &v)| (a, v)).collect(),
            clobbered: self.clobbered & other.clobbered,
        }
    }
}

struct ProbeEnv<'a> {
    src: &'a dyn CodeSource,
    index: Index,
    value: u64,
    noise: u64,
    regs: FxHashMap<Reg, u128>,
    /// The frame slots known to hold a value, updated by the block's own stores.
    slots: FxHashMap<u64, (usize, u64)>,
    /// Whether the block read read-only memory (a table).
    read_table: bool,
    /// The last 8-byte read of read-only memory: its address and the value read.
    last_table_word: Option<(u64, u64)>,
}

/// The noise every probe is run with, once each: a value that depends on it is not known.
const NOISES: [u64; 2] = [0x5a5a_5a5a_1234_5678, 0x0f0f_f0f0_8765_4321];

impl<'a> ProbeEnv<'a> {
    /// A probe with the case index `value` where `index` says, `noise` in what is unknown, and
    /// the registers and frame slots of `known`.
    fn new(src: &'a dyn CodeSource, index: Index, value: u64, noise: u64, known: &Known) -> Self {
        ProbeEnv {
            src,
            index,
            value,
            noise,
            regs: known.regs.iter().map(|(&r, &v)| (r, v as u128)).collect(),
            slots: known.slots.clone(),
            read_table: false,
            last_table_word: None,
        }
    }

    /// Runs `func` from its entry until control leaves its blocks, and says how; None when the
    /// interpreter cannot run it or its blocks go round in a loop.
    fn run(&mut self, func: &crate::function::Function) -> Option<Exit> {
        let mut block = func.entry();
        for _ in 0..=func.blocks.len() {
            match run_block(func, block, self).ok()? {
                Exit::Block(next) => block = next,
                exit => return Some(exit),
            }
        }
        None
    }
}

/// Whether `addr` lies in the frame `ENTRY_SP` stands for.
fn in_frame(addr: u64) -> bool {
    addr.abs_diff(ENTRY_SP) < FRAME_REACH
}

impl Env for ProbeEnv<'_> {
    fn reg(&mut self, r: Reg) -> u128 {
        if let Some(&v) = self.regs.get(&r) {
            return v;
        }
        if let Index::Register { reg, wide } = self.index {
            if r == reg {
                // Only the compared width is known; after a 32-bit compare the bits above it are noise.
                let high = if wide { 0 } else { self.noise << 32 };
                return (self.value | high) as u128;
            }
        }
        (self.noise.wrapping_mul(r.0 as u64 + 1) as u128) & crate::interp::mask(r.ty().bits())
    }
    fn set_reg(&mut self, r: Reg, v: u128) {
        self.regs.insert(r, v);
    }
    fn load(&mut self, addr: u64, bytes: usize) -> Result<u128, Fault> {
        match self.src.rodata(addr, bytes) {
            Some(v) => {
                self.read_table = true;
                if bytes == 8 {
                    self.last_table_word = Some((addr, v as u64));
                }
                Ok(v)
            }
            None if self.slots.get(&addr).is_some_and(|&(width, _)| width == bytes) => Ok(self.slots[&addr].1 as u128),
            None if self.index == Index::Loaded => Ok(self.value as u128 & crate::interp::mask(8 * bytes as u32)),
            // Memory that may change (the stack, say) reads as noise: a target that depends on
            // it differs between the two probes and is rejected.
            None => {
                Ok((self.noise.rotate_left((addr % 61) as u32) ^ addr) as u128 & crate::interp::mask(8 * bytes as u32))
            }
        }
    }
    fn store(&mut self, addr: u64, bytes: usize, value: u128) -> Result<(), Fault> {
        // A store ends what the slots it overlaps held; one into the frame is a slot of its own.
        let end = addr.wrapping_add(bytes as u64);
        self.slots.retain(|&at, &mut (width, _)| at >= end || at.wrapping_add(width as u64) <= addr);
        if in_frame(addr) && bytes <= 8 {
            self.slots.insert(addr, (bytes, value as u64));
        }
        Ok(())
    }
}

/// The bound a conditional branch at `pc` puts on the index of a table dispatched at one of its
/// two successors: `cmp wN, #K` then `b.hi`/`b.hs` to the default (the table is the fall-through)
/// or `b.ls`/`b.lo` to the table. Returns the guarded block's address, the index register and the
/// number of cases.
pub fn guard_of(src: &dyn CodeSource, pc: u64) -> Option<(u64, Guard)> {
    let b = src.insn(pc)?;
    let c = src.insn(pc.checked_sub(4)?)?;
    if b & 0xff00_0010 != 0x5400_0000 {
        return None;
    }
    // cmp (immediate): SUBS with the zero register as destination.
    if c & 0x7f80_001f != 0x7100_001f {
        return None;
    }
    let imm = (((c >> 10) & 0xfff) as u64) << if c >> 22 & 1 == 1 { 12 } else { 0 };
    let rn = (c >> 5) & 0x1f;
    if rn == 31 {
        return None;
    }
    let target = pc.wrapping_add((crate::a64::sem::branch::sext((b >> 5) & 0x7ffff, 19) << 2) as u64);
    let fall = pc.wrapping_add(4);
    let (block, cases) = match b & 0xf {
        0b1000 => (fall, imm + 1),   // b.hi default: index <= imm falls through.
        0b0010 => (fall, imm),       // b.hs default: index < imm falls through.
        0b1001 => (target, imm + 1), // b.ls table: index <= imm branches.
        0b0011 => (target, imm),     // b.lo table: index < imm branches.
        _ => return None,
    };
    let wide = c >> 31 == 1 || pc.checked_sub(8).is_some_and(|at| upper_half_zero(src, at, rn as u8));
    let copy = pc.checked_sub(8).and_then(|at| copy_of(src, at, rn));
    (1..=MAX_CASES).contains(&cases).then_some((block, Guard { index_reg: Reg::x(rn as u8), cases, wide, copy }))
}

/// The register that a `mov wD, wN` (ORR with the zero register) among the few straight-line
/// instructions up to `pc` copies general register `n` into, when neither is written after it.
fn copy_of(src: &dyn CodeSource, pc: u64, n: u32) -> Option<Reg> {
    let mut written_after = BTreeSet::new();
    for p in preceding(src, pc) {
        if p.insn & 0x7fe0_ffe0 == 0x2a00_03e0 {
            let (m, d) = ((p.insn >> 16) & 0x1f, p.insn & 0x1f);
            let (copied, copy) = (Reg::x(m as u8), Reg::x(d as u8));
            if m == n && d != n && d != 31 && !written_after.contains(&copy) && !written_after.contains(&copied) {
                return Some(copy);
            }
        }
        if !p.straight {
            return None;
        }
        written_after.extend(p.writes().map(|(reg, _)| reg));
    }
    None
}

/// Whether the last of the few instructions up to `pc` that writes general register `n` writes
/// it as a W register (a 32-bit operation or a narrow load, which zero the upper half): then a
/// 32-bit compare of `wN` bounds all of `xN` (LLVM's `sub w15, w17, #1; cmp w15, #43; b.hi`
/// before a table indexed by x15). Looks back over straight-line code only.
fn upper_half_zero(src: &dyn CodeSource, pc: u64, n: u8) -> bool {
    for p in preceding(src, pc) {
        match p.writes().filter(|&(reg, _)| reg == Reg::x(n)).last() {
            Some((_, arg)) => {
                return match p.func.inst(arg) {
                    crate::inst::InstData::Convert { op: crate::inst::ConvOp::Uext, arg: narrow, .. } => {
                        p.func.value_type(*narrow).bits() <= 32
                    }
                    _ => false,
                }
            }
            None if p.straight => continue,
            None => return false,
        }
    }
    false
}

/// One instruction of the code before a guard's compare, lifted alone.
struct Preceding {
    insn: u32,
    func: crate::function::Function,
    /// Whether it goes on to the next instruction and nowhere else.
    straight: bool,
}

impl Preceding {
    /// The registers it writes, in order, with the values written.
    fn writes(&self) -> impl Iterator<Item = (Reg, crate::entities::Value)> + '_ {
        let f = &self.func;
        f.blocks.iter().flat_map(|bd| bd.insts.iter()).filter_map(move |&v| match f.inst(v) {
            crate::inst::InstData::SetReg { reg, arg } => Some((*reg, *arg)),
            _ => None,
        })
    }
}

/// The instructions at `pc`, `pc - 4`, ... (at most four), while they can be read and lifted.
fn preceding(src: &dyn CodeSource, pc: u64) -> impl Iterator<Item = Preceding> + '_ {
    (0..4u64).map_while(move |back| {
        let at = pc.checked_sub(4 * back)?;
        let insn = src.insn(at)?;
        let func = lift_block(at, &|a: u64| src.insn(a), 1).ok()?.func;
        let straight =
            func.blocks.len() == 1 && matches!(func.blocks[0].term, crate::inst::Terminator::JumpGuest { .. });
        Some(Preceding { insn, func, straight })
    })
}

/// Runs the dispatch block with the case index `value` where `index` says (twice, with different
/// noise in the unknown registers) and returns the jump target if both runs agree.
fn probe(
    src: &dyn CodeSource,
    func: &crate::function::Function,
    index: Index,
    value: u64,
    known: &Known,
) -> Option<u64> {
    probe_reading(src, func, index, value, known).map(|(target, _)| target)
}

/// `probe`, also telling whether the block read read-only memory to compute the target.
fn probe_reading(
    src: &dyn CodeSource,
    func: &crate::function::Function,
    index: Index,
    value: u64,
    known: &Known,
) -> Option<(u64, bool)> {
    let mut read_table = false;
    let mut seen = None;
    for noise in NOISES {
        let mut env = ProbeEnv::new(src, index, value, noise, known);
        let target = match env.run(func)? {
            // A call is the block's end too (the BLR of `constant_branch_target`).
            Exit::Jump { target } | Exit::Call { target, .. } => target,
            _ => return None,
        };
        if seen.is_some_and(|s| s != target) {
            return None;
        }
        seen = Some(target);
        read_table |= env.read_table;
    }
    seen.map(|target| (target, read_table))
}

/// The targets of the `BR` ending the block `[block_start, br_pc]`. With a `guard` (the index
/// register and the number of cases), every case is probed. Without one, each register the block
/// reads before writing is tried as the index, counting up from 0 while the target stays a valid
/// code address of the function (`valid`), and if none is, a value the block loads from memory
/// that may change; this may over-approximate the cases, which only adds blocks. `known` gives
/// the registers and frame slots that the function holds constant at the block (a table base
/// hoisted out of a loop, or spilled to the frame, say: `constant_registers`); recovery assumes
/// them. Any wrong guess here is harmless because the code generator only uses recovered targets
/// as the cases of a switch on the real computed address, whose default still goes to the
/// dispatcher.
pub fn recover(
    src: &dyn CodeSource,
    block_start: u64,
    br_pc: u64,
    guard: Option<Guard>,
    known: &Known,
    valid: &dyn Fn(u64) -> bool,
) -> Option<Vec<u64>> {
    let len = ((br_pc - block_start) / 4 + 1) as usize;
    let read = |a: u64| src.insn(a);
    let lifted = lift_block(block_start, &read, len).ok()?;
    let func = &lifted.func;
    let mut targets = vec![];
    match guard {
        Some(Guard { index_reg, cases, wide, copy }) => {
            let probe_all = |reg: Reg, wide: bool| -> Option<Vec<u64>> {
                let mut known = known.clone();
                known.regs.remove(&reg);
                (0..cases)
                    .map(|i| {
                        let t = probe(src, func, Index::Register { reg, wide }, i, &known)?;
                        src.insn(t).map(|_| t)
                    })
                    .collect()
            };
            targets = probe_all(index_reg, wide).or_else(|| probe_all(copy?, true))?;
        }
        None => {
            // A table of code addresses the target is read from is scanned whole, as the probes
            // below may reach only some of its entries (or one, which looks constant).
            targets.extend(scanned_table(src, func, known, valid));
            // A target that depends on nothing unknown (`adr x1, label; br x1`) is the one case.
            if let Some(t) = constant_target_of(src, func, known, valid) {
                targets.push(t);
                targets.sort_unstable();
                targets.dedup();
                return Some(targets);
            }
            // Registers read before being written in the block are the index candidates.
            let mut written = BTreeSet::new();
            let mut candidates = vec![];
            for bd in &func.blocks {
                for &v in &bd.insts {
                    match func.inst(v) {
                        crate::inst::InstData::GetReg { reg }
                            if reg.0 < 31 && !written.contains(reg) && !known.regs.contains_key(reg) =>
                        {
                            candidates.push(*reg)
                        }
                        crate::inst::InstData::SetReg { reg, .. } => {
                            written.insert(*reg);
                        }
                        _ => {}
                    }
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            // A register index is tried with noise above its low 32 bits first (a W index the
            // block widens itself), then whole (an X index); when no register is the index, a
            // discriminant the block loads is.
            for reg in candidates {
                let mut found = count_up(src, func, Index::Register { reg, wide: false }, known, valid);
                if found.len() < 2 {
                    found = count_up(src, func, Index::Register { reg, wide: true }, known, valid);
                }
                if found.len() >= 2 {
                    targets.extend(found);
                }
            }
            if targets.len() < 2 {
                let found = count_up(src, func, Index::Loaded, known, valid);
                if found.len() >= 2 {
                    targets.extend(found);
                }
            }
            if targets.is_empty() {
                return None;
            }
        }
    }
    targets.sort_unstable();
    targets.dedup();
    Some(targets)
}

/// The entries of a table of 8-byte code addresses in read-only memory that the dispatch block
/// `func` reads its target from (`goto *labels[op]`, CPython's computed gotos), when it does: the
/// words around the one the probe reads, both ways, while they are valid code addresses of the
/// function (`valid`), at most `MAX_CASES`. The probes of `recover` take unknown values for
/// random ones, and the index of such a dispatch often passes through a test that saturates on
/// them (CPython's `opcode | (eval_breaker ? 0xff : 0)`: every probe reads entry 255).
fn scanned_table(
    src: &dyn CodeSource,
    func: &crate::function::Function,
    known: &Known,
    valid: &dyn Fn(u64) -> bool,
) -> Vec<u64> {
    let mut env = ProbeEnv::new(src, Index::Loaded, 0, NOISES[0], known);
    let Some(Exit::Jump { target }) = env.run(func) else { return vec![] };
    let Some((at, word)) = env.last_table_word else { return vec![] };
    let is_code = |a: u64| valid(a) && a.is_multiple_of(4) && src.insn(a).is_some();
    if word != target || !is_code(word) {
        return vec![];
    }
    let entry = |a: u64| src.rodata(a, 8).map(|v| v as u64).filter(|&t| is_code(t));
    let mut found = vec![word];
    let mut up = at;
    while found.len() < MAX_CASES as usize {
        up = up.wrapping_add(8);
        match entry(up) {
            Some(t) => found.push(t),
            None => break,
        }
    }
    let mut down = at;
    while found.len() < MAX_CASES as usize {
        down = down.wrapping_sub(8);
        match entry(down) {
            Some(t) => found.push(t),
            None => break,
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The targets the probe finds for index values 0, 1, 2, ... in `index`, up to the first that is
/// not a valid code address of the function (`valid`) or `MAX_CASES`, sorted, without repeats.
/// The guesses beyond a W register index (a whole register, a loaded value) must go through a
/// read-only table: a target that is only the index scaled and added to a base would count up
/// through every instruction of the function.
fn count_up(
    src: &dyn CodeSource,
    func: &crate::function::Function,
    index: Index,
    known: &Known,
    valid: &dyn Fn(u64) -> bool,
) -> Vec<u64> {
    let needs_table = !matches!(index, Index::Register { wide: false, .. });
    let mut found = vec![];
    for i in 0..MAX_CASES {
        match probe_reading(src, func, index, i, known) {
            Some((t, read_table)) if valid(t) && src.insn(t).is_some() && (read_table || !needs_table) => found.push(t),
            _ => break,
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The target of the indirect branch ending `func` (one lifted block) when it is the same
/// whatever the unknown registers hold: the probe's two runs put different noise in every
/// register not in `known` and must agree.
fn constant_target_of(
    src: &dyn CodeSource,
    func: &crate::function::Function,
    known: &Known,
    valid: &dyn Fn(u64) -> bool,
) -> Option<u64> {
    let t = probe(src, func, Index::Nowhere, 0, known)?;
    (valid(t) && src.insn(t).is_some()).then_some(t)
}

/// The target of the RET or BLR ending the block `[block_start, ret_pc]` when the block sets it
/// to one constant (`adr x27, label; ret x27`): such a RET is a jump, not a return, and such a
/// BLR a direct call. The code generator still compares the computed address with it.
pub fn constant_branch_target(
    src: &dyn CodeSource,
    block_start: u64,
    ret_pc: u64,
    valid: &dyn Fn(u64) -> bool,
) -> Option<u64> {
    let len = ((ret_pc - block_start) / 4 + 1) as usize;
    let read = |a: u64| src.insn(a);
    let lifted = lift_block(block_start, &read, len).ok()?;
    constant_target_of(src, &lifted.func, &Known::default(), valid)
}

/// Constant propagation over the instructions `pcs` of a function (entered at `entry`): for each
/// instruction, the general registers and frame slots known to hold one constant whenever it runs
/// (`Known`). sp starts at `ENTRY_SP`, so the frame's slots have known addresses, and a constant
/// stored into one is known where it is loaded back. It follows the indirect jumps whose targets
/// are already known (`tables`, by the jump's address), so that a table reached only through
/// another table still sees the base its function set up before both.
///
/// Each instruction runs twice in the reference interpreter, with different noise in what is not
/// known; what it writes alike in both runs depends only on what is known. Guesses in three
/// respects: a call is assumed to change only the registers the procedure-call standard lets it
/// change (x0..x18, x30) and none of the caller's frame slots; a register a call changed is read
/// by no path before it is written again, so where paths join it takes the others' value
/// (`Known::clobbered`); and a store through an unknown address is assumed to miss the frame. It
/// is used only for jump-table recovery, where a wrong guess is harmless (see `recover`).
pub fn constant_registers(
    src: &dyn CodeSource,
    pcs: &BTreeSet<u64>,
    entry: u64,
    tables: &std::collections::BTreeMap<u64, Vec<u64>>,
) -> FxHashMap<u64, Known> {
    let read = |a: u64| src.insn(a);
    let mut lifted: FxHashMap<u64, Option<crate::function::Function>> = FxHashMap::default();
    let mut state: FxHashMap<u64, Known> = FxHashMap::default();
    let mut work: VecDeque<u64> = VecDeque::new();
    state.insert(entry, Known { regs: FxHashMap::from_iter([(Reg::SP, ENTRY_SP)]), ..Known::default() });
    work.push_back(entry);
    let mut visits = 0usize;
    while let Some(pc) = work.pop_front() {
        visits += 1;
        if visits > 64 * pcs.len() + 64 {
            break;
        }
        let Some(insn) = src.insn(pc) else { continue };
        let before = state.get(&pc).cloned().unwrap_or_default();
        let one = lifted.entry(pc).or_insert_with(|| lift_block(pc, &read, 1).ok().map(|l| l.func));
        let mut after = before.clone();
        if let Some(f) = one.as_ref() {
            let written: Vec<Reg> = f
                .blocks
                .iter()
                .flat_map(|b| b.insts.iter())
                .filter_map(|&v| match f.inst(v) {
                    crate::inst::InstData::SetReg { reg, .. } => Some(*reg),
                    _ => None,
                })
                .collect();
            let runs = NOISES.map(|noise| {
                let mut env = ProbeEnv::new(src, Index::Nowhere, 0, noise, &before);
                // The instruction's own blocks (a compare-and-swap's, say) run to its end.
                let ok = env.run(f).is_some();
                (ok, env)
            });
            let [(ok_a, a), (ok_b, b)] = &runs;
            let ok = *ok_a && *ok_b;
            for r in written {
                if r.0 < 32 {
                    after.clobbered &= !(1 << r.0);
                }
                match (a.regs.get(&r), b.regs.get(&r)) {
                    (Some(&va), Some(&vb)) if ok && va == vb && r.0 <= Reg::SP.0 => {
                        after.regs.insert(r, va as u64);
                    }
                    _ => {
                        after.regs.remove(&r);
                    }
                }
            }
            // An instruction the interpreter cannot run is taken to leave the frame alone.
            if ok {
                after.slots =
                    a.slots.iter().filter(|(at, v)| b.slots.get(at) == Some(v)).map(|(&at, &v)| (at, v)).collect();
            }
        }
        let flow = classify(insn, pc);
        if matches!(flow, Flow::Call { .. } | Flow::CallIndirect) {
            after.regs.retain(|r, _| r.0 >= 19 && r.0 != 30);
            after.clobbered = ((1 << 19) - 1) | (1 << 30);
        }
        let next = pc.wrapping_add(4);
        let succs: Vec<u64> = match flow {
            // The code after a call that never returns runs on no path through this call.
            Flow::Call { target } if src.never_returns(target) => vec![],
            Flow::Next | Flow::Call { .. } | Flow::CallIndirect | Flow::Syscall => vec![next],
            Flow::CondBranch { target } => vec![target, next],
            Flow::Branch { target } => vec![target],
            // A BR with recovered targets, or a RET to a constant (`adr x27, L; ret x27`).
            Flow::JumpIndirect | Flow::Return => tables.get(&pc).cloned().unwrap_or_default(),
            Flow::Stop => vec![],
        };
        for s in succs.into_iter().filter(|s| pcs.contains(s)) {
            let merged = match state.get(&s) {
                None => after.clone(),
                Some(old) => old.meet(&after),
            };
            if state.get(&s) != Some(&merged) {
                state.insert(s, merged);
                work.push_back(s);
            }
        }
    }
    state
}

#[cfg(test)]
mod tests;

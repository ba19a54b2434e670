//! The lifter's driver and the context every semantic function works through.
//!
//! `lift_function` lifts a guest function in two passes: discovery follows control flow from the
//! entry (with `flow::classify`) to find every block leader, then each leader's instructions are
//! lifted into its own IR block. A block that runs into the next leader ends with a jump to it, so
//! no block is ever split after the fact. Targets outside the function become `jump_guest`
//! exits. `lift_block` lifts a single guest block for the fallback engine: every exit leaves it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rustc_hash::FxHashMap;

use crate::a64::flow::{classify, Flow};
use crate::a64::jumptable;
use crate::a64::sem;
use crate::entities::{Block, Value};
use crate::function::{Builder, Function};
use crate::inst::*;
use crate::reg::Reg;
use crate::types::Type;

/// An instruction the lifter does not implement, at a guest address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unsupported {
    pub pc: u64,
    pub insn: u32,
}

/// Why a lift failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiftError {
    /// The entry address cannot be read.
    Unreadable(u64),
}

impl std::fmt::Display for LiftError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LiftError::Unreadable(a) => write!(f, "no code at {a:#x}"),
        }
    }
}

/// Where the lifter reads guest code and constant data from.
pub trait CodeSource {
    /// The instruction word at `addr`, if it holds code.
    fn insn(&self, addr: u64) -> Option<u32>;
    /// `bytes` bytes of memory at `addr` that cannot change at run time (read-only data), for
    /// jump-table recovery; None when unknown or writable.
    fn rodata(&self, addr: u64, bytes: usize) -> Option<u128>;
    /// Whether the function at `addr` is known never to return (`crate::noreturn`), so that the
    /// constant propagation of jump-table recovery need not follow the code after a call of it.
    /// False unless a caller that knows says otherwise.
    fn never_returns(&self, _addr: u64) -> bool {
        false
    }
}

/// What a semantic function reports when it does not handle an encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemError {
    /// The encoding is unallocated (or reserved): SIGILL on real hardware too.
    Undefined,
    /// The encoding is valid but vmtrans does not lift it yet.
    Unsupported,
}

/// The result of lifting one function.
pub struct LiftedFunction {
    pub func: Function,
    /// Guest instructions lifted (including those that became traps).
    pub insns: usize,
    /// Instructions the lifter does not implement (they became `trap.unsupported`).
    pub unsupported: Vec<Unsupported>,
    /// Direct call targets seen (for discovery of further functions).
    pub call_targets: Vec<u64>,
    /// Indirect jumps (BR) whose targets could not be recovered: they reach their targets through
    /// the dispatcher, natively only where a target is a resume point.
    pub unresolved_jumps: Vec<u64>,
    /// Indirect jumps (BR) whose targets could not be recovered but that were given the targets
    /// of the function's recovered tables as their cases (`guess_unresolved_tables`), each with
    /// its block: they reach those natively and anything else through the dispatcher.
    pub guessed_jumps: Vec<(Block, u64)>,
}

/// How the lifter maps guest addresses to blocks.
enum Mode {
    /// Leaders of the function and their blocks.
    Function { leaders: BTreeMap<u64, Block> },
    /// One block: every target leaves.
    Single,
}

/// The context semantic functions write through: the builder, the instruction being lifted,
/// and guest-level helpers (register views, flags, conditions, block targets).
pub struct Lifter<'f> {
    pub b: Builder<'f>,
    /// Address of the instruction being lifted.
    pub pc: u64,
    /// Its word.
    pub insn: u32,
    mode: Mode,
    /// Blocks made for targets outside the function, by target.
    exits: FxHashMap<u64, Block>,
    /// Direct call targets met.
    pub call_targets: Vec<u64>,
}

impl<'f> Lifter<'f> {
    /// Bits `lo..lo+len` of the instruction word.
    pub fn field(&self, lo: u32, len: u32) -> u32 {
        (self.insn >> lo) & ((1u32 << len) - 1)
    }

    /// Bit `i` of the instruction word.
    pub fn bit(&self, i: u32) -> bool {
        self.insn >> i & 1 != 0
    }

    /// The block that starts at guest address `addr`: a block of this function, or an exit block
    /// that jumps to it.
    pub fn block_at(&mut self, addr: u64) -> Block {
        if let Mode::Function { leaders } = &self.mode {
            if let Some(&b) = leaders.get(&addr) {
                return b;
            }
        }
        if let Some(&b) = self.exits.get(&addr) {
            return b;
        }
        let cur = self.b.current();
        let b = self.b.create_block(None);
        self.b.switch_to(b);
        self.b.terminate(Terminator::JumpGuest { target: addr });
        self.b.switch_to(cur);
        self.exits.insert(addr, b);
        b
    }

    /// Ends the current block.
    pub fn end(&mut self, term: Terminator) {
        self.b.terminate(term);
    }

    /// Traps with `kind` at this instruction when the i1 `cond` holds, and goes on lifting it in
    /// a new block where it does not: for checks an instruction makes before its effects (an
    /// alignment fault). Values are block-local, so nothing computed before the check can be used
    /// after it (read the registers again); nothing the instruction emitted before it may be an
    /// effect, and nothing after it may fail to lift (a failed instruction's code is dropped from
    /// the current block only).
    pub fn trap_if(&mut self, cond: Value, kind: TrapKind) {
        let trap = self.b.create_block(None);
        let go_on = self.b.create_block(None);
        self.b.terminate(Terminator::Branch { cond, then_dest: trap, else_dest: go_on });
        self.b.switch_to(trap);
        self.b.terminate(Terminator::Trap { kind, pc: self.pc, insn: self.insn });
        self.b.switch_to(go_on);
    }

    /// Reads general register `n` as 64 (`sf`) or 32 bits, register 31 reading zero.
    pub fn xreg(&mut self, n: u32, sf: bool) -> Value {
        let t = if sf { Type::I64 } else { Type::I32 };
        if n == 31 {
            return self.b.iconst(t, 0);
        }
        let v = self.b.get(Reg::x(n as u8));
        self.b.trunc(t, v)
    }

    /// Reads general register `n`, register 31 being SP.
    pub fn xreg_sp(&mut self, n: u32, sf: bool) -> Value {
        let t = if sf { Type::I64 } else { Type::I32 };
        let r = if n == 31 { Reg::SP } else { Reg::x(n as u8) };
        let v = self.b.get(r);
        self.b.trunc(t, v)
    }

    /// Writes general register `n` from an i32 (zero-extended) or i64; register 31 discards.
    pub fn set_xreg(&mut self, n: u32, v: Value) {
        if n == 31 {
            return;
        }
        let v = self.b.uext(Type::I64, v);
        self.b.set(Reg::x(n as u8), v);
    }

    /// Writes general register `n`, register 31 being SP.
    pub fn set_xreg_sp(&mut self, n: u32, v: Value) {
        let v = self.b.uext(Type::I64, v);
        let r = if n == 31 { Reg::SP } else { Reg::x(n as u8) };
        self.b.set(r, v);
    }

    /// Reads SIMD&FP register `n` (all 128 bits).
    pub fn vreg(&mut self, n: u32) -> Value {
        self.b.get(Reg::q(n as u8))
    }

    /// Writes SIMD&FP register `n` from a value of at most 128 bits, zeroing the bits above it
    /// (as every scalar and 64-bit vector write does).
    pub fn set_vreg(&mut self, n: u32, v: Value) {
        let t = self.b.value_type(v);
        let bits = self.b.bitcast(Type::int(t.bits()), v);
        let wide = self.b.uext(Type::I128, bits);
        self.b.set(Reg::q(n as u8), wide);
    }

    /// Reads the low `ty.bits()` bits of SIMD&FP register `n` as `ty`.
    pub fn vreg_as(&mut self, n: u32, ty: Type) -> Value {
        let q = self.vreg(n);
        let low = self.b.trunc(Type::int(ty.bits()), q);
        self.b.bitcast(ty, low)
    }

    /// Sets the four flags.
    pub fn set_nzcv(&mut self, n: Value, z: Value, c: Value, v: Value) {
        self.b.set(Reg::N, n);
        self.b.set(Reg::Z, z);
        self.b.set(Reg::C, c);
        self.b.set(Reg::V, v);
    }

    /// Sets N and Z from a result, C and V to zero (logical operations' flags).
    pub fn set_nz_clear_cv(&mut self, r: Value) {
        let n = self.b.icmp_imm(IntCC::Slt, r, 0);
        let z = self.b.icmp_imm(IntCC::Eq, r, 0);
        let f = self.b.bool(false);
        self.set_nzcv(n, z, f, f);
    }

    /// Sets the flags from a 4-bit NZCV constant.
    pub fn set_nzcv_imm(&mut self, nzcv: u32) {
        let vals: Vec<Value> = (0..4).map(|i| self.b.bool(nzcv >> (3 - i) & 1 != 0)).collect();
        self.set_nzcv(vals[0], vals[1], vals[2], vals[3]);
    }

    /// Sets FPSR's cumulative exception flags `bits` (an `fpsr::` mask) when `cond` holds: an `i1`,
    /// or a lane mask (vector or scalar) of which any set bit counts. Flags the host's SSE arithmetic raises
    /// for an operation as Arm does are left to it (the runtime keeps them in MXCSR, see
    /// `Helper::FpsrRead`); this is for the ones it cannot raise: saturation (QC), and exceptions
    /// of operations computed in integer arithmetic or whose host sequence raises other flags.
    pub fn raise_fpsr_if(&mut self, cond: Value, bits: u64) {
        let t = self.b.value_type(cond);
        let any = if t != Type::I1 {
            let lanes = self.b.bitcast(Type::int(t.bits()), cond);
            self.b.icmp_imm(IntCC::Ne, lanes, 0)
        } else {
            cond
        };
        let held = self.b.get(Reg::FPSR);
        let raised = self.b.i64(bits);
        let none = self.b.i64(0);
        let raised = self.b.select(any, raised, none);
        let fpsr = self.b.or(held, raised);
        self.b.set(Reg::FPSR, fpsr);
    }

    /// `x + y + carry` with AArch64's flags (AddWithCarry): returns the result and sets NZCV when
    /// `set_flags`.
    pub fn add_with_carry(&mut self, x: Value, y: Value, carry: Value, set_flags: bool) -> Value {
        let t = self.b.value_type(x);
        let c = self.b.uext(t, carry);
        let xy = self.b.add(x, y);
        let r = self.b.add(xy, c);
        if set_flags {
            let n = self.b.icmp_imm(IntCC::Slt, r, 0);
            let z = self.b.icmp_imm(IntCC::Eq, r, 0);
            // Unsigned carry out of x + y + c, as the carries of its two additions: x + y wrapped,
            // or adding the carry-in wrapped.
            let c1 = self.b.icmp(IntCC::Ult, xy, x);
            let c2 = self.b.icmp(IntCC::Ult, r, xy);
            let cout = self.b.or(c1, c2);
            // Signed overflow: x and y share a sign that the result does not.
            let xr = self.b.xor(x, r);
            let yr = self.b.xor(y, r);
            let both = self.b.and(xr, yr);
            let v = self.b.icmp_imm(IntCC::Slt, both, 0);
            self.set_nzcv(n, z, cout, v);
        }
        r
    }

    /// `x - y` with flags as SUBS computes them (x + !y + 1).
    pub fn sub_flags(&mut self, x: Value, y: Value, set_flags: bool) -> Value {
        let r = self.b.sub(x, y);
        if set_flags {
            let n = self.b.icmp_imm(IntCC::Slt, r, 0);
            let z = self.b.icmp(IntCC::Eq, x, y);
            let c = self.b.icmp(IntCC::Uge, x, y);
            let xy = self.b.xor(x, y);
            let xr = self.b.xor(x, r);
            let both = self.b.and(xy, xr);
            let v = self.b.icmp_imm(IntCC::Slt, both, 0);
            self.set_nzcv(n, z, c, v);
        }
        r
    }

    /// `x + y` with flags as ADDS computes them.
    pub fn add_flags(&mut self, x: Value, y: Value, set_flags: bool) -> Value {
        let r = self.b.add(x, y);
        if set_flags {
            let n = self.b.icmp_imm(IntCC::Slt, r, 0);
            let z = self.b.icmp_imm(IntCC::Eq, r, 0);
            let c = self.b.icmp(IntCC::Ult, r, x);
            let xr = self.b.xor(x, r);
            let yr = self.b.xor(y, r);
            let both = self.b.and(xr, yr);
            let v = self.b.icmp_imm(IntCC::Slt, both, 0);
            self.set_nzcv(n, z, c, v);
        }
        r
    }

    /// Whether condition `cond` (the 4-bit field of B.cond, CSEL, ...) holds now, as an i1.
    pub fn cond_holds(&mut self, cond: u32) -> Value {
        let base = match cond >> 1 {
            0 => self.b.get(Reg::Z),
            1 => self.b.get(Reg::C),
            2 => self.b.get(Reg::N),
            3 => self.b.get(Reg::V),
            4 => {
                let c = self.b.get(Reg::C);
                let z = self.b.get(Reg::Z);
                let nz = self.b.not(z);
                self.b.and(c, nz)
            }
            5 => {
                let n = self.b.get(Reg::N);
                let v = self.b.get(Reg::V);
                self.b.icmp(IntCC::Eq, n, v)
            }
            6 => {
                let n = self.b.get(Reg::N);
                let v = self.b.get(Reg::V);
                let ge = self.b.icmp(IntCC::Eq, n, v);
                let z = self.b.get(Reg::Z);
                let nz = self.b.not(z);
                self.b.and(ge, nz)
            }
            _ => return self.b.bool(true),
        };
        if cond & 1 == 1 {
            self.b.not(base)
        } else {
            base
        }
    }

    /// A 64-bit constant.
    pub fn imm64(&mut self, x: u64) -> Value {
        self.b.i64(x)
    }
}

/// Lifts one instruction into the current block. It may end the block (branches, traps).
fn lift_insn(l: &mut Lifter) -> Result<(), SemError> {
    sem::lift(l)
}

fn lift_one(l: &mut Lifter, unsupported: &mut Vec<Unsupported>) {
    let cur = l.b.current();
    let mark = l.b.func.blocks[cur.index()].insts.len();
    let value_mark = l.b.func.insts.len();
    match lift_insn(l) {
        Ok(()) => {}
        Err(e) => {
            // Drop what the failed instruction emitted (it is the tail of the tables), then trap.
            let cur = l.b.current();
            l.b.func.blocks[cur.index()].insts.truncate(mark);
            l.b.func.insts.truncate(value_mark);
            l.b.func.results.truncate(value_mark);
            let kind = match e {
                SemError::Undefined => TrapKind::Undefined,
                SemError::Unsupported => {
                    unsupported.push(Unsupported { pc: l.pc, insn: l.insn });
                    TrapKind::Unsupported
                }
            };
            if !l.b.is_terminated() {
                l.end(Terminator::Trap { kind, pc: l.pc, insn: l.insn });
            }
        }
    }
}

/// Lifts the guest function at `entry` from `src`. `is_local` says whether a branch target
/// belongs to this function (rather than being a tail call to another); `extra_leaders` are
/// addresses inside it known to be entered from elsewhere (code pointers found in data).
pub fn lift_function(
    name: &str,
    entry: u64,
    src: &dyn CodeSource,
    is_local: &dyn Fn(u64) -> bool,
    extra_leaders: &[u64],
) -> Result<LiftedFunction, LiftError> {
    let read = |a: u64| src.insn(a);
    if read(entry).is_none() {
        return Err(LiftError::Unreadable(entry));
    }
    // Pass 1: discover leaders.
    let mut leaders: BTreeSet<u64> = BTreeSet::new();
    let mut resume: BTreeSet<u64> = BTreeSet::new();
    let mut seen: BTreeSet<u64> = BTreeSet::new();
    let mut work: VecDeque<u64> = VecDeque::from([entry]);
    leaders.insert(entry);
    for &a in extra_leaders {
        if a != entry && is_local(a) && read(a).is_some() {
            // Entered from outside (a code pointer): a resume point too.
            resume.insert(a);
            if leaders.insert(a) {
                work.push_back(a);
            }
        }
    }
    let mut tables: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    let add_leader = |a: u64, work: &mut VecDeque<u64>, leaders: &mut BTreeSet<u64>| {
        if leaders.insert(a) {
            work.push_back(a);
        }
    };
    let mut guards: FxHashMap<u64, jumptable::Guard> = FxHashMap::default();
    // BLRs whose target the block computes as a constant, by address.
    let mut call_consts: FxHashMap<u64, u64> = FxHashMap::default();
    let mut pending: Vec<(u64, u64)> = vec![];
    let mut unresolved: Vec<(u64, u64)> = vec![];
    loop {
        while let Some(start) = work.pop_front() {
            let mut pc = start;
            loop {
                if !seen.insert(pc) {
                    break;
                }
                let Some(insn) = read(pc) else { break };
                let next = pc.wrapping_add(4);
                match classify(insn, pc) {
                    Flow::Next => {
                        pc = next;
                        // Running off the end of the function (into the next one) leaves it.
                        if leaders.contains(&pc) || !is_local(pc) {
                            break;
                        }
                        continue;
                    }
                    Flow::CondBranch { target } => {
                        if let Some((block, guard)) = jumptable::guard_of(src, pc) {
                            guards.insert(block, guard);
                        }
                        if is_local(target) && read(target).is_some() {
                            add_leader(target, &mut work, &mut leaders);
                        }
                        add_leader(next, &mut work, &mut leaders);
                    }
                    Flow::Branch { target } => {
                        if is_local(target) && read(target).is_some() {
                            add_leader(target, &mut work, &mut leaders);
                        }
                    }
                    Flow::Call { .. } | Flow::CallIndirect | Flow::Syscall => {
                        // A BLR of a constant the block computes calls that code directly.
                        if matches!(classify(insn, pc), Flow::CallIndirect) {
                            let code = |a: u64| read(a).is_some();
                            if let Some(t) = jumptable::constant_branch_target(src, start, pc, &code) {
                                call_consts.insert(pc, t);
                            }
                        }
                        // The code after a call of a function that does not return may be another
                        // function: only a return site inside this one is a leader.
                        if read(next).is_some() && is_local(next) {
                            resume.insert(next);
                            add_leader(next, &mut work, &mut leaders);
                        }
                    }
                    Flow::JumpIndirect => pending.push((start, pc)),
                    Flow::Return => {
                        // A RET to a constant the block computes is a local jump.
                        if let Some(t) = jumptable::constant_branch_target(src, start, pc, is_local) {
                            add_leader(t, &mut work, &mut leaders);
                            tables.insert(pc, vec![t]);
                        }
                    }
                    Flow::Stop => {
                        // A SIGTRAP handler (or a debugger) resumes after a BRK by stepping the pc over
                        // it: the next instruction is a resume point.
                        let is_brk = insn & 0xffe0_001f == 0xd420_0000;
                        if is_brk && read(next).is_some() && is_local(next) {
                            resume.insert(next);
                            add_leader(next, &mut work, &mut leaders);
                        }
                    }
                }
                break;
            }
        }
        // Every path is known: try the indirect jumps, whose tables may add paths.
        {
            let consts = if pending.is_empty() {
                FxHashMap::default()
            } else {
                jumptable::constant_registers(src, &seen, entry, &tables)
            };
            let none = jumptable::Known::default();
            for (start, pc) in std::mem::take(&mut pending) {
                let guard = guards.get(&start).copied();
                let known = consts.get(&start).unwrap_or(&none);
                match jumptable::recover(src, start, pc, guard, known, is_local) {
                    Some(targets) => {
                        let local: Vec<u64> = targets.into_iter().filter(|&t| is_local(t)).collect();
                        for &t in &local {
                            add_leader(t, &mut work, &mut leaders);
                        }
                        tables.insert(pc, local);
                    }
                    None => unresolved.push((start, pc)),
                }
            }
            pending = std::mem::take(&mut unresolved);
        }
        if work.is_empty() {
            break;
        }
    }
    let guessed = guess_unresolved_tables(&mut tables, &pending);
    // Leaders that cannot be read are not lifted; jumps to them leave the function.
    leaders.retain(|&a| read(a).is_some());

    // Pass 2: lift every leader's instructions into its block.
    let mut func = Function::new(name, entry);
    let mut b = Builder::new(&mut func);
    let mut map = BTreeMap::new();
    for &a in &leaders {
        map.insert(a, b.create_block(Some(a)));
    }
    let block_list: Vec<(u64, Block)> = map.iter().map(|(&a, &b)| (a, b)).collect();
    let mut l = Lifter {
        b,
        pc: 0,
        insn: 0,
        mode: Mode::Function { leaders: map },
        exits: FxHashMap::default(),
        call_targets: vec![],
    };
    let mut unsupported = vec![];
    let mut insns = 0;
    let mut indirect = vec![];
    let mut guessed_jumps = vec![];
    for &(start, block) in &block_list {
        l.b.switch_to(block);
        let mut pc = start;
        loop {
            let Some(insn) = read(pc) else {
                l.end(Terminator::JumpGuest { target: pc });
                break;
            };
            l.pc = pc;
            l.insn = insn;
            insns += 1;
            lift_one(&mut l, &mut unsupported);
            if l.b.is_terminated() {
                if let Some(targets) = tables.get(&pc) {
                    let cur = l.b.current();
                    let term = &mut l.b.func.blocks[cur.index()].term;
                    // A RET with recovered targets is a jump (see pass 1): both leave for the
                    // register's address, so only the lowering differs.
                    if let Terminator::Return { target } = *term {
                        *term = Terminator::JumpIndirect { target };
                    }
                    if matches!(term, Terminator::JumpIndirect { .. }) {
                        indirect.push((cur, targets.clone()));
                        if guessed.contains(&pc) {
                            guessed_jumps.push((cur, pc));
                        }
                    }
                }
                if let Some(&t) = call_consts.get(&pc) {
                    let cur = l.b.current();
                    if matches!(l.b.func.blocks[cur.index()].term, Terminator::CallIndirect { .. }) {
                        indirect.push((cur, vec![t]));
                        l.call_targets.push(t);
                    }
                }
                break;
            }
            pc = pc.wrapping_add(4);
            if let Mode::Function { leaders } = &l.mode {
                if let Some(&next) = leaders.get(&pc) {
                    l.end(Terminator::Jump { dest: next });
                    break;
                }
            }
            if !is_local(pc) {
                l.end(Terminator::JumpGuest { target: pc });
                break;
            }
        }
    }
    let call_targets = std::mem::take(&mut l.call_targets);
    let resume_points = if let Mode::Function { leaders } = &l.mode {
        resume.iter().filter_map(|a| leaders.get(a).map(|&b| (*a, b))).collect()
    } else {
        vec![]
    };
    drop(l);
    func.resume_points = resume_points;
    func.indirect_targets = indirect;
    let unresolved_jumps = pending.iter().map(|&(_, pc)| pc).filter(|pc| !guessed.contains(pc)).collect();
    Ok(LiftedFunction { func, insns, unsupported, call_targets, unresolved_jumps, guessed_jumps })
}

/// `lift_block`, then the optimisation passes that keep every register exact wherever the block
/// leaves (`opt::optimize`): what the runtime's fallback engine interprets. Flags that a later
/// instruction of the block overwrites are not computed, and a register the block wrote is not read
/// back from the state, which took about a tenth of the interpreter's time on code written at run
/// time (PCRE2's JIT). Like translated code, the state is exact where the block leaves, not at a
/// fault inside it.
pub fn lift_block_for_interpreter(
    pc: u64,
    read: &dyn Fn(u64) -> Option<u32>,
    max_insns: usize,
) -> Result<LiftedFunction, LiftError> {
    let mut lifted = lift_block(pc, read, max_insns)?;
    crate::opt::optimize(&mut lifted.func);
    Ok(lifted)
}

/// Lifts the single guest block at `pc` (at most `max_insns` instructions) for the fallback
/// engine. Every way out of it is an exit to a guest address.
pub fn lift_block(pc: u64, read: &dyn Fn(u64) -> Option<u32>, max_insns: usize) -> Result<LiftedFunction, LiftError> {
    if read(pc).is_none() {
        return Err(LiftError::Unreadable(pc));
    }
    let mut func = Function::new(format!("block_{pc:x}"), pc);
    let mut b = Builder::new(&mut func);
    let entry = b.create_block(Some(pc));
    b.switch_to(entry);
    let mut l = Lifter { b, pc, insn: 0, mode: Mode::Single, exits: FxHashMap::default(), call_targets: vec![] };
    let mut unsupported = vec![];
    let mut insns = 0;
    let mut at = pc;
    loop {
        let Some(insn) = read(at) else {
            l.end(Terminator::JumpGuest { target: at });
            break;
        };
        l.pc = at;
        l.insn = insn;
        insns += 1;
        lift_one(&mut l, &mut unsupported);
        if l.b.is_terminated() {
            break;
        }
        at = at.wrapping_add(4);
        if insns >= max_insns {
            l.end(Terminator::JumpGuest { target: at });
            break;
        }
    }
    let call_targets = std::mem::take(&mut l.call_targets);
    drop(l);
    Ok(LiftedFunction { func, insns, unsupported, call_targets, unresolved_jumps: vec![], guessed_jumps: vec![] })
}

/// The BRs of `pending` (each with its block's start) whose targets recovery could not find get
/// every target of the function's recovered tables (`tables`, by the jump's address) as theirs,
/// when those number at least two; returns their addresses. A function with several dispatch
/// sites into one set of labels (an interpreter's computed gotos, `goto *labels[op]` repeated at
/// the end of each handler, as in CPython) may hide the table base of one site from constant
/// propagation; that site then still reaches the labels the others reach natively, instead of
/// sending the rest of the function's run to the fallback engine. A wrong guess is harmless: the
/// cases only compare the computed address, and any other goes to the dispatcher as before.
fn guess_unresolved_tables(tables: &mut BTreeMap<u64, Vec<u64>>, pending: &[(u64, u64)]) -> BTreeSet<u64> {
    let mut labels: Vec<u64> = tables.values().filter(|t| t.len() >= 2).flatten().copied().collect();
    labels.sort_unstable();
    labels.dedup();
    if labels.len() < 2 {
        return BTreeSet::new();
    }
    pending
        .iter()
        .map(|&(_, pc)| {
            tables.insert(pc, labels.clone());
            pc
        })
        .collect()
}

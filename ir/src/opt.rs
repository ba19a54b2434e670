//! Optimisation passes over the IR. They shrink what the code generator has to chew on; LLVM does
//! the heavy optimisation afterwards.
//!
//! - `forward_registers`: inside a block, a `getreg` after a `setreg` (or `getreg`) of the same
//!   register uses the known value instead.
//! - `fold_signed_flag_compares`: a comparison of the N and V flags of one subtraction becomes the
//!   signed comparison of its operands, and the conditions HI and GT of one subtraction become
//!   `x > y` (unsigned, signed).
//! - `remove_dead_register_writes`: a `setreg` whose value no path reads before the register is
//!   written again is removed. Liveness is computed over the function's control-flow graph; every
//!   register is live wherever control leaves the function or calls out of it (calls, returns,
//!   jumps out, system calls, traps), so nothing observable changes -- except, under
//!   `CallConvention::AAPCS64`, the condition flags at calls and returns, which the procedure call
//!   standard says nobody reads there. Its main catch is condition flags, which most flag-setting
//!   instructions write and few paths read.
//! - `fold_selects_of_equal_arms`: a `select` whose arms are the same value (up to conversions of
//!   one value) becomes that value, so that its condition is seen dead here.
//! - `remove_dead_values`: instructions without side effects whose results are unused go.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::entities::Value;
use crate::function::Function;
use crate::inst::{BinaryOp, ConvOp, InstData, IntCC, Terminator, UnaryOp};
use crate::reg::Reg;
use crate::sync::CallConvention;
use crate::types::Type;

/// Runs every pass, in an order where each helps the next, keeping every register exact at every
/// exit.
pub fn optimize(func: &mut Function) {
    optimize_for(func, CallConvention::EXACT);
}

/// `optimize` where calls and returns follow `convention` (registers it declares dead there are not
/// kept for them).
pub fn optimize_for(func: &mut Function, convention: CallConvention) {
    forward_registers(func);
    fold_signed_flag_compares(func);
    fold_selects_of_equal_arms(func);
    remove_dead_register_writes(func, convention);
    remove_dead_values(func);
}

/// Whether `a` and `b` are bound to hold the same bits: the same value, equal constants, or the
/// same bit-moving conversion (truncation, extension, bitcast) of such values (FCSEL's two reads of
/// one register are two truncations of it). Rounding conversions are left out: two of one value
/// can round differently on either side of an FPCR write.
fn same_bits(func: &Function, a: Value, b: Value, depth: u32) -> bool {
    if a == b {
        return true;
    }
    if depth == 0 {
        return false;
    }
    match (func.inst(a), func.inst(b)) {
        (InstData::Const { ty: ta, bits: ba }, InstData::Const { ty: tb, bits: bb }) => ta == tb && ba == bb,
        (InstData::Convert { op: oa, ty: ta, arg: xa }, InstData::Convert { op: ob, ty: tb, arg: xb }) => {
            let moves_bits = matches!(oa, ConvOp::Trunc | ConvOp::Uext | ConvOp::Sext | ConvOp::Bitcast);
            moves_bits && oa == ob && ta == tb && same_bits(func, *xa, *xb, depth - 1)
        }
        _ => false,
    }
}

/// Replaces every `select` whose two arms hold the same bits (`same_bits`) by its first arm.
/// Its condition may then be dead, and `remove_dead_values` sees that: a float compare that only
/// fed such a select (FCSEL d0, d4, d4, LT after an FCMP) is kept for its exception flags, where
/// LLVM, folding the select itself, would drop the compare and the invalid-operation flag with it.
pub fn fold_selects_of_equal_arms(func: &mut Function) {
    let mut replace: FxHashMap<Value, Value> = FxHashMap::default();
    for block in &func.blocks {
        for &v in &block.insts {
            if let InstData::Select { args: [a, b], .. } = func.inst(v) {
                if same_bits(func, *a, *b, 4) {
                    replace.insert(v, *a);
                }
            }
        }
    }
    if replace.is_empty() {
        return;
    }
    // A replacement may itself be a folded select.
    let resolve = |mut v: Value| {
        while let Some(&r) = replace.get(&v) {
            v = r;
        }
        v
    };
    for bi in 0..func.blocks.len() {
        for i in 0..func.blocks[bi].insts.len() {
            let v = func.blocks[bi].insts[i];
            for a in args_mut(&mut func.insts[v.index()]) {
                *a = resolve(*a);
            }
        }
        for a in term_args_mut(&mut func.blocks[bi].term) {
            *a = resolve(*a);
        }
    }
}

/// The mutable value operands of an instruction.
fn args_mut(data: &mut InstData) -> Vec<&mut Value> {
    match data {
        InstData::Const { .. } | InstData::GetReg { .. } | InstData::Fence => vec![],
        InstData::SetReg { arg, .. }
        | InstData::Unary { arg, .. }
        | InstData::Convert { arg, .. }
        | InstData::FpToInt { arg, .. }
        | InstData::RoundFp { arg, .. }
        | InstData::Extract { arg, .. }
        | InstData::Splat { arg, .. } => vec![arg],
        InstData::Load { addr, .. } => vec![addr],
        InstData::Store { addr, arg } | InstData::AtomicRmw { addr, arg, .. } => vec![addr, arg],
        InstData::Binary { args, .. }
        | InstData::Icmp { args, .. }
        | InstData::Fcmp { args, .. }
        | InstData::Insert { args, .. }
        | InstData::Shuffle { args, .. } => args.iter_mut().collect(),
        InstData::Select { cond, args } => {
            let [a, b] = args;
            vec![cond, a, b]
        }
        InstData::Fma { args } => args.iter_mut().collect(),
        InstData::Cmpxchg { addr, args } => {
            let [a, b] = args;
            vec![addr, a, b]
        }
        InstData::CallHelper { args, .. } => args.iter_mut().collect(),
    }
}

fn term_args_mut(term: &mut Terminator) -> Vec<&mut Value> {
    match term {
        Terminator::Branch { cond, .. } => vec![cond],
        Terminator::CallIndirect { target, .. }
        | Terminator::Return { target }
        | Terminator::JumpIndirect { target } => {
            vec![target]
        }
        _ => vec![],
    }
}

/// Replaces reads of a register whose value the block already knows.
pub fn forward_registers(func: &mut Function) {
    for bi in 0..func.blocks.len() {
        let mut known: FxHashMap<Reg, Value> = FxHashMap::default();
        let mut replace: FxHashMap<Value, Value> = FxHashMap::default();
        let insts = func.blocks[bi].insts.clone();
        let mut kept = Vec::with_capacity(insts.len());
        for v in insts {
            for a in args_mut(&mut func.insts[v.index()]) {
                if let Some(&r) = replace.get(a) {
                    *a = r;
                }
            }
            match func.insts[v.index()] {
                InstData::GetReg { reg } => {
                    if let Some(&k) = known.get(&reg) {
                        replace.insert(v, k);
                        continue;
                    }
                    known.insert(reg, v);
                }
                InstData::SetReg { reg, arg } => {
                    known.insert(reg, arg);
                }
                _ => {}
            }
            kept.push(v);
        }
        func.blocks[bi].insts = kept;
        for a in term_args_mut(&mut func.blocks[bi].term) {
            if let Some(&r) = replace.get(a) {
                *a = r;
            }
        }
    }
    compact_orphans(func);
}

/// The operands `(x, y)` when `n` and `v` are the N and V flags of one subtraction `x - y`, as
/// `Lifter::sub_flags` computes them: `n = (x - y) < 0` and `v = ((x ^ y) & (x ^ (x - y))) < 0`
/// (signed, against zero; the operands of each `xor` and of the `and` in either order).
fn subtraction_of_flags(func: &Function, n: Value, v: Value) -> Option<(Value, Value)> {
    let negative = |value: Value| match func.inst(value) {
        InstData::Icmp { cc: IntCC::Slt, args: [lhs, zero] }
            if matches!(func.inst(*zero), InstData::Const { bits: 0, .. }) =>
        {
            Some(*lhs)
        }
        _ => None,
    };
    let binary = |value: Value, op: BinaryOp| match func.inst(value) {
        InstData::Binary { op: o, args } if *o == op => Some(*args),
        _ => None,
    };
    let difference = negative(n)?;
    let [x, y] = binary(difference, BinaryOp::Sub)?;
    let [p, q] = binary(negative(v)?, BinaryOp::And)?;
    let is_xor_of = |value: Value, a: Value, b: Value| {
        binary(value, BinaryOp::Xor).is_some_and(|[l, r]| (l, r) == (a, b) || (l, r) == (b, a))
    };
    let matches = |p: Value, q: Value| is_xor_of(p, x, y) && is_xor_of(q, x, difference);
    (matches(p, q) || matches(q, p)).then_some((x, y))
}

/// Rewrites `n == v` and `n != v`, where N and V come from one subtraction `x - y` in the same
/// block (a CMP or SUBS followed by B.GE, CSEL ..., LT, ...), as the signed comparison they are
/// equivalent to: N == V exactly when `x >= y` as signed integers, whatever the overflow. LLVM does
/// not see through the flag arithmetic, and a direct comparison lets it emit one `cmp` and a
/// conditional jump; the flags themselves are still computed for whoever reads them.
pub fn fold_signed_flag_compares(func: &mut Function) {
    for bi in 0..func.blocks.len() {
        for i in 0..func.blocks[bi].insts.len() {
            let v = func.blocks[bi].insts[i];
            let (cc, [a, b]) = match func.inst(v) {
                InstData::Icmp { cc: cc @ (IntCC::Eq | IntCC::Ne), args } if func.value_type(args[0]) == Type::I1 => {
                    (*cc, *args)
                }
                _ => continue,
            };
            let operands = subtraction_of_flags(func, a, b).or_else(|| subtraction_of_flags(func, b, a));
            if let Some((x, y)) = operands {
                let signed = if cc == IntCC::Eq { IntCC::Sge } else { IntCC::Slt };
                func.insts[v.index()] = InstData::Icmp { cc: signed, args: [x, y] };
            }
        }
        // Then `x >= y && !(x == y)`: HI (C set and Z clear, with C and Z of one subtraction
        // `x - y` being `x >= y` unsigned and `x == y`) and GT (the signed `x >= y` just folded,
        // and Z clear) become `x > y`. LLVM folds this alone, but once the flags have other readers
        // (a write-back at a loop's signal poll) it can rewrite it as `C xor Z` and keep three
        // flag computations in the loop.
        for i in 0..func.blocks[bi].insts.len() {
            let v = func.blocks[bi].insts[i];
            let InstData::Binary { op: BinaryOp::And, args: [p, q] } = *func.inst(v) else { continue };
            let greater = greater_than(func, p, q).or_else(|| greater_than(func, q, p));
            if let Some((cc, x, y)) = greater {
                func.insts[v.index()] = InstData::Icmp { cc, args: [x, y] };
            }
        }
    }
}

/// `(cc, x, y)` when `at_least` is `x >= y` (unsigned or signed) and `not_equal` is the negation
/// of `x == y` (same operands, either order), so that their conjunction is `x > y` compared by `cc`.
fn greater_than(func: &Function, at_least: Value, not_equal: Value) -> Option<(IntCC, Value, Value)> {
    let (strict, x, y) = match *func.inst(at_least) {
        InstData::Icmp { cc: IntCC::Uge, args: [x, y] } => (IntCC::Ugt, x, y),
        InstData::Icmp { cc: IntCC::Sge, args: [x, y] } => (IntCC::Sgt, x, y),
        _ => return None,
    };
    let InstData::Unary { op: UnaryOp::Not, arg } = *func.inst(not_equal) else { return None };
    match *func.inst(arg) {
        InstData::Icmp { cc: IntCC::Eq, args: [a, b] } if (a, b) == (x, y) || (a, b) == (y, x) => Some((strict, x, y)),
        _ => None,
    }
}

/// True when control leaves the function (or calls out of it) at this terminator, so every
/// register may be read there.
fn exits(term: &Terminator) -> bool {
    !matches!(term, Terminator::Jump { .. } | Terminator::Branch { .. } | Terminator::None)
}

/// Removes register writes no path reads (registers `convention` declares dead after a call or
/// return are not read there). A write that may lower sp stays all the same: the code generator
/// stores it to the state at once, so that a fault handler's frame spares the stack below it
/// (`sync::stack_pointer_raises`), and a later pop of it must still find it the current sp.
pub fn remove_dead_register_writes(func: &mut Function, convention: CallConvention) {
    let raises = crate::sync::stack_pointer_raises(func);
    let n = func.blocks.len();
    let all: FxHashSet<Reg> = Reg::all().collect();
    // Per block: registers read before written (gen) and registers written (kill).
    let mut gen = vec![FxHashSet::default(); n];
    let mut kill = vec![FxHashSet::default(); n];
    for (b, bd) in func.blocks() {
        for &v in &bd.insts {
            match func.inst(v) {
                InstData::GetReg { reg } if !kill[b.index()].contains(reg) => {
                    gen[b.index()].insert(*reg);
                }
                InstData::SetReg { reg, .. } => {
                    kill[b.index()].insert(*reg);
                }
                data => {
                    if let Some(reg) = data.implicit_register_read().filter(|r| !kill[b.index()].contains(r)) {
                        gen[b.index()].insert(reg);
                    }
                }
            }
        }
    }
    let succs: Vec<Vec<usize>> =
        func.blocks.iter().map(|bd| bd.term.successors().iter().map(|s| s.index()).collect()).collect();
    // What the convention leaves dead at each block's exit, computed once outside the fixed point.
    let dead: Vec<_> = func.blocks.iter().map(|bd| convention.dead_after(&bd.term)).collect();
    let mut live_in: Vec<FxHashSet<Reg>> = vec![FxHashSet::default(); n];
    let mut live_out: Vec<FxHashSet<Reg>> = vec![FxHashSet::default(); n];
    let mut changed = true;
    while changed {
        changed = false;
        for b in (0..n).rev() {
            let term = &func.blocks[b].term;
            let mut out: FxHashSet<Reg> = if exits(term) { all.clone() } else { FxHashSet::default() };
            for r in &dead[b] {
                out.remove(r);
            }
            for &s in &succs[b] {
                out.extend(live_in[s].iter().copied());
            }
            let mut inn: FxHashSet<Reg> = out.difference(&kill[b]).copied().collect();
            inn.extend(gen[b].iter().copied());
            if inn != live_in[b] || out != live_out[b] {
                live_in[b] = inn;
                live_out[b] = out;
                changed = true;
            }
        }
    }
    for b in 0..n {
        let mut live = live_out[b].clone();
        let insts = func.blocks[b].insts.clone();
        let mut keep = vec![true; insts.len()];
        for (i, &v) in insts.iter().enumerate().rev() {
            match func.insts[v.index()] {
                InstData::SetReg { reg, .. } => {
                    let may_lower_sp = reg == Reg::SP && !raises.contains(&v);
                    if !live.contains(&reg) && !may_lower_sp {
                        keep[i] = false;
                    }
                    live.remove(&reg);
                }
                InstData::GetReg { reg } => {
                    live.insert(reg);
                }
                ref data => live.extend(data.implicit_register_read()),
            }
        }
        func.blocks[b].insts = insts.into_iter().zip(keep).filter(|(_, k)| *k).map(|(v, _)| v).collect();
    }
    compact_orphans(func);
}

/// Removes side-effect-free instructions whose results nothing uses. Floating-point operations
/// stay for their exception flags (`InstData::may_raise_fp_exception`), and so does one float
/// comparison of each pair of operands that no used comparison compares: FCMP computes its flags
/// with several comparisons, of which any one raises what FCMP raises (invalid for a signalling
/// NaN), so an FCMP whose flags nobody reads keeps one.
pub fn remove_dead_values(func: &mut Function) {
    let compared = |data: &InstData| match data {
        InstData::Fcmp { args, .. } => Some((args[0].min(args[1]), args[0].max(args[1]))),
        _ => None,
    };
    loop {
        let used = func.used_values();
        let mut removed = false;
        let mut compared_pairs: FxHashSet<(Value, Value)> =
            used.iter().filter_map(|v| compared(&func.insts[v.index()])).collect();
        for bi in 0..func.blocks.len() {
            let before = func.blocks[bi].insts.len();
            let insts = std::mem::take(&mut func.blocks[bi].insts);
            func.blocks[bi].insts = insts
                .into_iter()
                .filter(|v| {
                    let data = &func.insts[v.index()];
                    used.contains(v)
                        || data.has_side_effect()
                        || data.may_raise_fp_exception()
                        || compared(data).is_some_and(|pair| compared_pairs.insert(pair))
                })
                .collect();
            removed |= func.blocks[bi].insts.len() != before;
        }
        if !removed {
            break;
        }
    }
    compact_orphans(func);
}

/// Renumbers values so that the instruction tables hold only placed instructions (the verifier
/// requires every instruction to be in a block).
fn compact_orphans(func: &mut Function) {
    let mut map: FxHashMap<Value, Value> = FxHashMap::default();
    let mut insts = vec![];
    let mut results = vec![];
    for bi in 0..func.blocks.len() {
        for v in func.blocks[bi].insts.iter_mut() {
            let nv = Value(insts.len() as u32);
            map.insert(*v, nv);
            insts.push(func.insts[v.index()].clone());
            results.push(func.results[v.index()]);
            *v = nv;
        }
    }
    for data in insts.iter_mut() {
        for a in args_mut(data) {
            *a = map[a];
        }
    }
    for bd in func.blocks.iter_mut() {
        for a in term_args_mut(&mut bd.term) {
            *a = map[a];
        }
    }
    func.insts = insts;
    func.results = results;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::a64::testenv::{run_insns, TestEnv};
    use crate::a64::{lift_block, CpuState};
    use crate::interp::{run_block, Exit};
    use crate::verifier::verify;

    /// Lifts `code` (placed at 0x1000) as one block, and optimises a copy, which must verify.
    fn lift_and_optimize(code: &[u32]) -> (Function, Function) {
        let read = |a: u64| code.get(((a - 0x1000) / 4) as usize).copied();
        let lifted = lift_block(0x1000, &read, 64).unwrap().func;
        let mut opt = lifted.clone();
        optimize(&mut opt);
        verify(&opt).unwrap();
        (lifted, opt)
    }

    /// Runs `f` in the interpreter from its entry until it leaves, with x1 and x2 set.
    fn run_with(f: &Function, x1: u64, x2: u64) -> CpuState {
        let mut env = TestEnv::new(0x10000, 16);
        env.state = CpuState::default();
        env.state.x[1] = x1;
        env.state.x[2] = x2;
        let mut b = f.entry();
        while let Exit::Block(next) = run_block(f, b, &mut env).unwrap() {
            b = next;
        }
        env.state
    }

    /// Runs a lifted block before and after optimisation and compares the final states.
    #[test]
    fn optimisation_keeps_the_meaning_of_lifted_code() {
        // cmp x1, x2; csel x0, x1, x2, lt; adds x3, x0, #1; cmp x3, #5; cset x4, eq; b.ne +8
        let code = [0xeb02003f_u32, 0x9a82b020, 0xb1000403, 0xf100147f, 0x9a9f17e4, 0x54000041];
        let (lifted, opt) = lift_and_optimize(&code);
        assert!(opt.inst_count() < lifted.inst_count());
        for (x1, x2) in [(1u64, 2u64), (4, 9), (9, 4), (u64::MAX, 3)] {
            let (a, b) = (run_with(&lifted, x1, x2), run_with(&opt, x1, x2));
            assert_eq!(a.x, b.x);
            assert_eq!((a.n, a.z, a.c, a.v), (b.n, b.z, b.c, b.v));
        }
        // And the same code still runs as a whole through the test environment.
        let mut env = TestEnv::new(0x10000, 16);
        env.state.x[1] = 4;
        env.state.x[2] = 9;
        run_insns(&mut env, &code);
        assert_eq!(env.state.x[4], 1);
    }

    /// FCSEL with one register in both arms reads it as the result: the select goes, and of the
    /// FCMP that fed it one compare stays (for its invalid-operation flag) though nothing reads
    /// its flags any more. fcmp d1, d2; fcsel d0, d4, d4, lt; fcmp d3, #0.0 (which overwrites the
    /// flags, so that the second FCMP's three compares are all live).
    #[test]
    fn selects_of_one_register_fold_and_keep_a_compare() {
        let code = [0x1e622020_u32, 0x1e64bc80, 0x1e602068];
        let (_, opt) = lift_and_optimize(&code);
        let count = |pred: fn(&InstData) -> bool| opt.blocks[0].insts.iter().filter(|v| pred(opt.inst(**v))).count();
        assert_eq!(count(|d| matches!(d, InstData::Select { .. })), 0, "{opt}");
        assert_eq!(count(|d| matches!(d, InstData::Fcmp { .. })), 1 + 3, "{opt}");
    }

    /// HI and LS after a CMP (C set and Z clear, and its negation) become unsigned comparisons of
    /// the operands and agree with the lifted flag arithmetic.
    #[test]
    fn unsigned_greater_than_folds_into_a_comparison() {
        // cmp x1, x2; cset x0, hi; cset x3, ls; cmp w1, w2; cset w4, hi; cset w5, ls
        let code = [0xeb02003f_u32, 0x9a9f97e0, 0x9a9f87e3, 0x6b02003f, 0x1a9f97e4, 0x1a9f87e5];
        let (lifted, opt) = lift_and_optimize(&code);
        let strict = opt.blocks[0]
            .insts
            .iter()
            .filter(|&&v| matches!(opt.inst(v), InstData::Icmp { cc: IntCC::Ugt, .. }))
            .count();
        assert_eq!(strict, 4, "{opt}");
        let edges = [0u64, 1, 2, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 1 << 32, 1 << 63, u64::MAX];
        for &x1 in &edges {
            for &x2 in &edges {
                let (a, b) = (run_with(&lifted, x1, x2), run_with(&opt, x1, x2));
                assert_eq!(a.x, b.x, "x1 = {x1:#x}, x2 = {x2:#x}");
                assert_eq!(b.x[0], (x1 > x2) as u64);
                assert_eq!(b.x[4], ((x1 as u32) > (x2 as u32)) as u64);
            }
        }
    }

    /// The signed conditions after a CMP, computed from N and V in the lifted code and from a
    /// direct comparison after `fold_signed_flag_compares`, agree on operands that overflow.
    #[test]
    fn signed_conditions_fold_into_comparisons() {
        // cmp x1, x2; cset x0, ge; cset x3, lt; cmp w1, w2; cset w4, gt; cset w5, le
        let code = [0xeb02003f_u32, 0x9a9fb7e0, 0x9a9fa7e3, 0x6b02003f, 0x1a9fd7e4, 0x1a9fc7e5];
        let (lifted, opt) = lift_and_optimize(&code);
        let direct = opt.blocks[0]
            .insts
            .iter()
            .filter(|&&v| {
                matches!(opt.inst(v), InstData::Icmp { cc: IntCC::Sge | IntCC::Slt | IntCC::Sgt, args }
                    if !matches!(opt.inst(args[1]), InstData::Const { .. }))
            })
            .count();
        assert_eq!(direct, 4, "every signed condition became a comparison of the operands");
        let edges = [0u64, 1, 2, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 1 << 63, (1 << 63) - 1, u64::MAX];
        for &x1 in &edges {
            for &x2 in &edges {
                let (a, b) = (run_with(&lifted, x1, x2), run_with(&opt, x1, x2));
                assert_eq!(a.x, b.x, "x1 = {x1:#x}, x2 = {x2:#x}");
                assert_eq!((a.n, a.z, a.c, a.v), (b.n, b.z, b.c, b.v));
            }
        }
        // The conditions themselves, against the Arm ARM's definitions (signed comparisons).
        let mut env = TestEnv::new(0x10000, 16);
        env.state.x[1] = 1 << 63;
        env.state.x[2] = 1;
        run_insns(&mut env, &code);
        assert_eq!((env.state.x[0], env.state.x[3]), (0, 1), "i64::MIN < 1");
        assert_eq!((env.state.x[4], env.state.x[5]), (0, 1), "0 <= 1 as w registers");
    }

    /// A leaf frame: the push lowers sp and the pop restores it before anything reads sp. Forwarding
    /// makes the pop add to the pushed value, which leaves the push without a reader; it must stay
    /// all the same, so that the code generator stores the lowered sp to the state (a fault at the
    /// load would otherwise place its handler's frame over the pushed registers), and the pop stays a
    /// raise of it, which needs no store.
    #[test]
    fn writes_that_lower_sp_stay_though_nothing_reads_them() {
        // stp x29, x30, [sp, #-32]!; ldr x9, [x1]; ldp x29, x30, [sp], #32; ret
        let code = [0xa9be7bfd_u32, 0xf9400029, 0xa8c27bfd, 0xd65f03c0];
        let (_, opt) = lift_and_optimize(&code);
        let raises = crate::sync::stack_pointer_raises(&opt);
        let writes: Vec<bool> = opt.blocks[0]
            .insts
            .iter()
            .filter(|&&v| matches!(opt.inst(v), InstData::SetReg { reg: Reg::SP, .. }))
            .map(|v| raises.contains(v))
            .collect();
        assert_eq!(writes, [false, true], "{opt}");
    }
}

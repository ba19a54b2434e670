//! Which floating-point results may go without a NaN check of their own.
//!
//! x86 and AArch64 agree on every result that is not a NaN, but not on which NaN an operation
//! gives (x86 makes a negative default NaN and prefers its first operand; AArch64 a positive one
//! and prefers signalling operands), so each float operation tests its result and, when it is a
//! NaN, makes the right one on a cold path (`FnLowering::nan_fix`). One test and branch per
//! operation is most of what a float loop costs beyond its arithmetic: on bench/kernels/nbody.c
//! the checks double the time of the translated program (measured by leaving them out).
//!
//! An arithmetic operation gives a NaN exactly when one of its operands is a NaN or the operation
//! is invalid, whatever the payload of those NaNs, and a comparison answers alike for every NaN.
//! So a result may go unchecked when each of its readers is one of:
//! - another such operation, whose check finds a NaN the result passed on: its cold path rebuilds
//!   the result AArch64 would have given (the result's own unchecked operands rebuilt first, and so
//!   on down) before choosing the NaN to return. At most one such reader: with more, the result's
//!   operands stay live until the last reader's check (on nbody, spills ate the gain);
//! - a float comparison, or a conversion to an integer (a NaN gives zero and raises IOC);
//! - a register write or a store of it, made with the host's result and replayed: the block checks
//!   the results its pending writes and stores took in one test, before anything that could see
//!   them (a load, which may alias a store; a read or another write of a register written; a
//!   store of another value, which a replay would undo; a write of FPCR; a helper; the block's
//!   end), and when any is a NaN, a cold path makes them again, in order, with exact values
//!   (`FnLowering::check_replayed_sinks`). Another thread could read a replayed store's first
//!   value only through a data race, which the memory model leaves undefined anyway.
//!
//! Any other reader (a conversion, an integer operation on the bits, a lane move, a terminator, a
//! reader in another block) needs the exact value at once, so the result keeps its check.
//!
//! The rules, all needed for the rebuilt value to be exact:
//! - The result and a rebuilding reader are operations lowered through one `nan_fix` with their
//!   operands as given (`nan_checked_operands`): float addition, subtraction, multiplication,
//!   division, square root and fused multiply-add of 32- or 64-bit lanes, not in pairs of singles
//!   (which go lane by lane).
//! - Readers take the result unchanged or through conversions that move bits without dropping
//!   any of the result's (a bitcast, a zero-extension, a truncation no narrower than the result),
//!   and rebuilding readers, comparisons and conversions read lanes as wide as the result's, so that each of
//!   their lanes is a NaN exactly when the rebuilt value's is.
//! - Readers are in the result's block with no write of FPCR in between: the cold paths read
//!   FPCR.DN when they run.
//! - A chain of skipped checks holds at most `MAX_SKIPPED_CHAIN` operations, so that no cold path
//!   rebuilds much.
//!
//! Measured by bench/ab.sh (6 rounds) against every result checked: nbody 0.72, saxpy 0.94.

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::{LLVMOpcode, LLVMRealPredicate};
use rustc_hash::{FxHashMap, FxHashSet};
use vmtrans_ir::inst::{BinaryOp, ConvOp, Helper, InstData, UnaryOp};
use vmtrans_ir::{Function, Reg, Type, Value};

use super::slots::Users;
use super::FnLowering;
use crate::llvm::types::NONAME;

/// The most operations whose checks a single check stands for, itself included.
const MAX_SKIPPED_CHAIN: usize = 16;

/// The operands of `v` if it is an operation whose lowering finishes its result with exactly one
/// `nan_fix` of those operands (in some order), and whose lanes are 32 or 64 bits wide.
fn nan_checked_operands(func: &Function, v: Value) -> Option<Vec<Value>> {
    let ty = func.results[v.index()]?;
    let single_pair = ty.is_vector() && ty.lanes() == 2 && ty.lane_bits() == 32;
    if !ty.is_float_like() || !matches!(ty.lane_bits(), 32 | 64) || single_pair {
        return None;
    }
    match func.inst(v) {
        InstData::Binary { op: BinaryOp::Fadd | BinaryOp::Fsub | BinaryOp::Fmul | BinaryOp::Fdiv, args } => {
            Some(args.to_vec())
        }
        InstData::Unary { op: UnaryOp::Fsqrt, arg } => Some(vec![*arg]),
        InstData::Fma { args } => Some(args.to_vec()),
        _ => None,
    }
}

/// Whether `inst` may change FPCR (whose default-NaN bit the cold paths read).
fn changes_fpcr(inst: &InstData) -> bool {
    matches!(inst, InstData::SetReg { reg: Reg::FPCR, .. } | InstData::CallHelper { helper: Helper::FpcrWrite, .. })
}

/// The value `v` is a bit-moving conversion of, and whether it keeps the low `bits` bits.
fn moved_bits_of(func: &Function, v: Value, bits: u32) -> Option<Value> {
    match func.inst(v) {
        InstData::Convert { op: ConvOp::Bitcast | ConvOp::Uext, arg, .. } => Some(*arg),
        InstData::Convert { op: ConvOp::Trunc, ty, arg } if ty.bits() >= bits => Some(*arg),
        _ => None,
    }
}

/// What `deferrable_nan_checks` found.
#[derive(Default)]
pub(in crate::llvm) struct NanCheckPlan {
    /// The operations made without a check of their own.
    pub(in crate::llvm) unchecked: FxHashSet<Value>,
    /// The register writes and stores of unchecked results (through conversions), which are made
    /// with the host's result and made again with the exact one on the cold path of the block's
    /// next check (`FnLowering::check_replayed_sinks`).
    pub(in crate::llvm) replayed_sinks: FxHashSet<Value>,
}

/// The operations of `func` that may skip their NaN check (see the module comment).
pub(super) fn deferrable_nan_checks(func: &Function, users: &Users) -> NanCheckPlan {
    let mut plan = NanCheckPlan::default();
    for (_, block) in func.blocks() {
        // Each instruction's place in the block, counted in writes of FPCR before it.
        let mut fpcr_epoch: FxHashMap<Value, usize> = FxHashMap::default();
        let mut epoch = 0;
        for &v in &block.insts {
            if changes_fpcr(func.inst(v)) {
                epoch += 1;
            }
            fpcr_epoch.insert(v, epoch);
        }
        // How many operations each unchecked result's rebuild takes.
        let mut chain: FxHashMap<Value, usize> = FxHashMap::default();
        for &v in &block.insts {
            let Some(operands) = nan_checked_operands(func, v) else { continue };
            let ty = func.results[v.index()].expect("an operation with operands has a result");
            let size = 1 + operands
                .iter()
                .map(|&x| chain.get(&source_of(func, x, ty.bits())).copied().unwrap_or(0))
                .sum::<usize>();
            if size > MAX_SKIPPED_CHAIN {
                continue;
            }
            if let Some(sinks) = readers_allow_skipping(func, users, v, ty, &fpcr_epoch) {
                plan.unchecked.insert(v);
                plan.replayed_sinks.extend(sinks);
                chain.insert(v, size);
            }
        }
    }
    plan
}

/// `x` with the bit-moving conversions that keep its low `bits` bits looked through.
fn source_of(func: &Function, mut x: Value, bits: u32) -> Value {
    while let Some(arg) = moved_bits_of(func, x, bits) {
        x = arg;
    }
    x
}

/// Whether `v` (of type `ty`) may go unchecked: every reader, directly or through bit-moving
/// conversions, is in the same FPCR epoch of its block and is one of: a `nan_checked_operands`
/// operation on lanes of `ty`'s width (at most one such), which rebuilds it; a
/// float comparison or a conversion to an integer on such lanes, which no NaN's payload changes;
/// a register write or a store of it, replayed. Returns those writes and stores.
fn readers_allow_skipping(
    func: &Function,
    users: &Users,
    v: Value,
    ty: Type,
    fpcr_epoch: &FxHashMap<Value, usize>,
) -> Option<Vec<Value>> {
    let epoch = fpcr_epoch[&v];
    let mut pending = vec![v];
    let mut rebuilding = 0;
    let mut sinks = vec![];
    while let Some(x) = pending.pop() {
        if users.by_terminator(x) {
            return None;
        }
        let same_lanes = func.value_type(x).lane_bits() == ty.lane_bits();
        for &user in users.of(x) {
            if fpcr_epoch.get(&user) != Some(&epoch) {
                return None;
            }
            if moved_bits_of(func, user, ty.bits()).is_some() {
                pending.push(user);
                continue;
            }
            match func.inst(user) {
                InstData::SetReg { .. } => sinks.push(user),
                InstData::Store { addr, arg } if *arg == x && *addr != x => sinks.push(user),
                InstData::Fcmp { .. } | InstData::FpToInt { .. } if same_lanes => {}
                _ if same_lanes && nan_checked_operands(func, user).is_some() => {
                    rebuilding += 1;
                    if rebuilding > 1 {
                        return None;
                    }
                }
                _ => return None,
            }
        }
    }
    Some(sinks)
}

impl FnLowering<'_> {
    /// Whether the replayed register writes and stores made so far must be checked before `v`
    /// is lowered: `v` may read memory or a register one of them wrote (a load may alias a store),
    /// write what one of them wrote (a later replay would undo it), read FPCR's default-NaN bit
    /// anew, or leave for code that sees the state (a helper).
    pub(super) fn replay_must_be_settled_before(&self, v: Value) -> bool {
        if self.replay_pending.is_empty() {
            return false;
        }
        let pending_writes_reg = |reg: Reg| {
            self.replay_pending
                .iter()
                .any(|&sink| matches!(self.func.inst(sink), InstData::SetReg { reg: written, .. } if *written == reg))
        };
        match self.func.inst(v) {
            InstData::Load { .. }
            | InstData::AtomicRmw { .. }
            | InstData::Cmpxchg { .. }
            | InstData::Fence
            | InstData::CallHelper { .. } => true,
            InstData::Store { .. } => !self.nan_plan.replayed_sinks.contains(&v),
            InstData::GetReg { reg } => pending_writes_reg(*reg),
            InstData::SetReg { reg, .. } => {
                *reg == Reg::FPCR || (!self.nan_plan.replayed_sinks.contains(&v) && pending_writes_reg(*reg))
            }
            _ => false,
        }
    }

    /// Checks the results the pending replayed writes and stores took: when any lane of any is a
    /// NaN, a cold path makes each write and store again, in order, with the value AArch64 would
    /// have computed (`exact_nan`).
    pub(super) fn check_replayed_sinks(&mut self) {
        if self.replay_pending.is_empty() {
            return;
        }
        let sinks = std::mem::take(&mut self.replay_pending);
        // Per sink, the conversions from the unchecked result it takes to what it takes, the
        // result last (the analysis allowed no other path).
        let chains: Vec<Vec<Value>> = sinks
            .iter()
            .map(|&sink| {
                let mut x = match *self.func.inst(sink) {
                    InstData::SetReg { arg, .. } | InstData::Store { arg, .. } => arg,
                    _ => unreachable!("only register writes and stores are replayed"),
                };
                let mut chain = vec![x];
                while !self.nan_plan.unchecked.contains(&x) {
                    x = match *self.func.inst(x) {
                        InstData::Convert { arg, .. } => arg,
                        _ => unreachable!("a replayed sink takes an unchecked result through conversions"),
                    };
                    chain.push(x);
                }
                chain
            })
            .collect();
        let mut roots: Vec<Value> = vec![];
        for chain in &chains {
            let root = *chain.last().expect("a chain holds its result");
            if !roots.contains(&root) {
                roots.push(root);
            }
        }
        // SAFETY: the builder is positioned in a block of a function; the new blocks join it.
        unsafe {
            let mut any_nan = None;
            for &root in &roots {
                let r = self.val(root);
                let r_nan = LLVMBuildFCmp(self.b, LLVMRealPredicate::LLVMRealUNO, r, r, NONAME);
                let nan = if self.func.value_type(root).lanes() > 1 {
                    self.intrinsic("llvm.vector.reduce.or", &[LLVMTypeOf(r_nan)], &[r_nan])
                } else {
                    r_nan
                };
                any_nan = Some(match any_nan {
                    None => nan,
                    Some(acc) => self.binop(LLVMOpcode::LLVMOr, acc, nan),
                });
            }
            let any_nan = any_nan.expect("a replayed sink takes an unchecked result");
            let func = LLVMGetBasicBlockParent(LLVMGetInsertBlock(self.b));
            let slow = LLVMAppendBasicBlockInContext(self.t.ctx, func, NONAME);
            let join = LLVMAppendBasicBlockInContext(self.t.ctx, func, NONAME);
            let br = LLVMBuildCondBr(self.b, any_nan, slow, join);
            self.set_branch_weights(br, 1, 2000);
            LLVMPositionBuilderAtEnd(self.b, slow);
            let mut rebuilt = FxHashMap::default();
            for (&sink, chain) in sinks.iter().zip(&chains) {
                // The sink is lowered again with the chain (which its lowering may look through)
                // holding exact values.
                let saved: Vec<(Value, Option<LLVMValueRef>)> =
                    chain.iter().map(|&x| (x, self.values[x.index()])).collect();
                for &x in chain.iter().rev() {
                    let exact = self.exact_nan(self.val(x), &mut rebuilt);
                    self.values[x.index()] = Some(exact);
                }
                self.lower_value(sink);
                for (x, value) in saved {
                    self.values[x.index()] = value;
                }
            }
            LLVMBuildBr(self.b, join);
            LLVMPositionBuilderAtEnd(self.b, join);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(text: &str) -> (Function, NanCheckPlan) {
        let func = vmtrans_ir::reader::parse_function(text).expect("the test function parses");
        let plan = deferrable_nan_checks(&func, &Users::new(&func));
        (func, plan)
    }

    /// Which results go unchecked, and which register writes and stores are replayed, in one block
    /// with every kind of reader the rules name.
    #[test]
    fn results_go_unchecked_only_where_a_reader_sees_any_nan() {
        let (_, plan) = plan_of(
            "function f @0x400000 {
block0 @0x400000:
    v0 = getreg.i128 q1
    v1 = trunc.i64 v0
    v2 = bitcast.f64 v1
    v3 = fmul.f64 v2, v2
    v4 = fadd.f64 v3, v2
    v5 = bitcast.i64 v4
    v6 = uext.i128 v5
    setreg q0, v6
    v8 = fsub.f64 v2, v2
    v9 = fadd.f64 v8, v2
    v10 = fmul.f64 v8, v2
    v11 = fdiv.f64 v2, v2
    v12 = bitcast.i64 v11
    v13 = const.i64 0x1
    v14 = add.i64 v12, v13
    setreg x0, v14
    v16 = fsqrt.f64 v2
    v17 = fcmp.olt.i1 v16, v2
    v18 = fp_to_int.s.zero.i64 v16
    v19 = fmul.f64 v2, v2
    v20 = bitcast.i64 v19
    v21 = trunc.i32 v20
    v22 = bitcast.f32 v21
    v23 = fadd.f32 v22, v22
    v24 = getreg.i64 sp
    store v24, v4
    v26 = getreg.i64 x30
    return v26
}",
        );
        let unchecked = |v: u32| plan.unchecked.contains(&Value(v));
        // Read once by another operation, which rebuilds it.
        assert!(unchecked(3));
        // Written to a register and stored: replayed.
        assert!(unchecked(4));
        assert!(plan.replayed_sinks.contains(&Value(7)));
        assert!(plan.replayed_sinks.contains(&Value(25)));
        // Two rebuilding readers.
        assert!(!unchecked(8));
        // An integer operation on its bits.
        assert!(!unchecked(11));
        // A comparison and a conversion to an integer.
        assert!(unchecked(16));
        // Half of its bits read as a single.
        assert!(!unchecked(19));
    }

    /// A reader in another block, or after a write of FPCR, sees the result unchecked only with a
    /// stale default-NaN bit or none of the block's tests, so the result keeps its check.
    #[test]
    fn readers_across_blocks_or_fpcr_writes_keep_the_check() {
        let (_, plan) = plan_of(
            "function f @0x400000 {
block0 @0x400000:
    v0 = getreg.i128 q1
    v1 = trunc.i64 v0
    v2 = bitcast.f64 v1
    v3 = fmul.f64 v2, v2
    v4 = fmul.f64 v2, v2
    v5 = const.i64 0x2000000
    setreg fpcr, v5
    v7 = fadd.f64 v4, v2
    jump block1
block1 @0x400010:
    v9 = fadd.f64 v3, v2
    v10 = getreg.i64 x30
    return v10
}",
        );
        assert!(!plan.unchecked.contains(&Value(3)));
        assert!(!plan.unchecked.contains(&Value(4)));
    }
}

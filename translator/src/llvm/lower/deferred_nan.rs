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
//! is invalid, whatever the payload of those NaNs. So when a result is read only by another such
//! operation, a NaN in it reaches that one's result, whose check finds it: the result may skip its
//! own check, and the cold path of its reader rebuilds the result AArch64 would have given (its
//! own unchecked operands rebuilt first, and so on down) before choosing the NaN to return. Any
//! other reader (a store, a register write, a comparison, a conversion, a terminator, a reader in
//! another block) needs the exact value, so the result keeps its check; so does a result with
//! several readers, whose operands would otherwise stay live until the last reader's check (on
//! nbody, spills ate the gain).
//!
//! The rules, all needed for the rebuilt value to be exact:
//! - The result and its one reader are operations lowered through one `nan_fix` with their operands
//!   as given (`nan_checked_operands`): float addition, subtraction, multiplication, division,
//!   square root and fused multiply-add of 32- or 64-bit lanes, not in pairs of singles (which
//!   go lane by lane).
//! - The reader takes the result unchanged or through conversions that move bits without dropping any
//!   of the result's (a bitcast, a zero-extension, a truncation no narrower than the result), and
//!   reads lanes as wide as the result's, so that each of its lanes is a NaN exactly when the
//!   rebuilt value's is.
//! - The reader is in the result's block with no write of FPCR in between: the cold path reads
//!   FPCR.DN when it runs.
//! - A chain of skipped checks holds at most `MAX_SKIPPED_CHAIN` operations, so that no cold path
//!   rebuilds much.

use rustc_hash::{FxHashMap, FxHashSet};
use vmtrans_ir::inst::{BinaryOp, ConvOp, Helper, InstData, UnaryOp};
use vmtrans_ir::{Function, Reg, Type, Value};

use super::slots::Users;

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

/// The operations of `func` that may skip their NaN check (see the module comment).
pub(super) fn deferrable_nan_checks(func: &Function, users: &Users) -> FxHashSet<Value> {
    let mut deferred = FxHashSet::default();
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
        // How many operations each deferred result's check stands for.
        let mut chain: FxHashMap<Value, usize> = FxHashMap::default();
        for &v in &block.insts {
            let Some(operands) = nan_checked_operands(func, v) else { continue };
            let ty = func.results[v.index()].expect("an operation with operands has a result");
            let size = 1 + operands
                .iter()
                .map(|&x| chain.get(&source_of(func, x, ty.bits())).copied().unwrap_or(0))
                .sum::<usize>();
            if size <= MAX_SKIPPED_CHAIN && read_once_by_checked(func, users, v, ty, &fpcr_epoch) {
                deferred.insert(v);
                chain.insert(v, size);
            }
        }
    }
    deferred
}

/// `x` with the bit-moving conversions that keep its low `bits` bits looked through.
fn source_of(func: &Function, mut x: Value, bits: u32) -> Value {
    while let Some(arg) = moved_bits_of(func, x, bits) {
        x = arg;
    }
    x
}

/// Whether `v` (of type `ty`) has one reader, directly or through bit-moving conversions, and it
/// is a `nan_checked_operands` operation on lanes of `ty`'s width in the same FPCR epoch of its
/// block.
fn read_once_by_checked(
    func: &Function,
    users: &Users,
    v: Value,
    ty: Type,
    fpcr_epoch: &FxHashMap<Value, usize>,
) -> bool {
    let epoch = fpcr_epoch[&v];
    let mut pending = vec![v];
    let mut readers = 0;
    while let Some(x) = pending.pop() {
        if users.by_terminator(x) {
            return false;
        }
        for &user in users.of(x) {
            if fpcr_epoch.get(&user) != Some(&epoch) {
                return false;
            }
            if moved_bits_of(func, user, ty.bits()).is_some() {
                pending.push(user);
                continue;
            }
            let reads_same_lanes = func.results[user.index()].is_some_and(|t| t.lane_bits() == ty.lane_bits());
            readers += 1;
            if readers > 1 || !reads_same_lanes || nan_checked_operands(func, user).is_none() {
                return false;
            }
        }
    }
    true
}

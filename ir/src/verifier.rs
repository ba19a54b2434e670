//! The IR verifier. It checks, for every function:
//!
//! 1. The function has at least one block, and every block ends with a terminator.
//! 2. Every instruction is placed in exactly one block.
//! 3. Every value an instruction or terminator reads is defined earlier in the same block
//!    (values are block-local; data crosses blocks only through guest registers).
//! 4. Every value read has a result (is not the "value" of `setreg`, `store` or `fence`).
//! 5. Every block a terminator names exists; every resume point names an existing block.
//! 6. Operand types fit the opcode: integer ops take integer scalars or vectors, float ops take
//!    float scalars or vectors, both operands of a binary op and of a comparison have one type
//!    (`swizzle` and the `aes_` operations take only `i8x16`,
//!    `clmul` and `clmulhi` only `i64`),
//!    `select` and `branch` conditions are `i1`, addresses and jump targets are `i64`, `setreg`
//!    stores the register's own type, and the recorded result type is the one the opcode yields.
//! 7. Conversions keep the lane count and go the right way (`uext`/`sext` widen, `trunc` narrows,
//!    `bitcast` keeps the total width, `fpromote`/`fdemote` widen/narrow floats); only `bitcast`
//!    turns a vector into a scalar or back (a one-lane vector is not its lane: LLVM converts
//!    lanes, never a vector into a scalar).
//! 8. Lane indices are in range; shuffle masks index the two inputs' lanes.
//! 9. Indirect targets are listed only for blocks that end in `jump_indirect` (each target the
//!    guest address of one of the function's blocks: a jump table stays inside its function) or
//!    `call_indirect` (any address: a known callee).
//!
//! Errors name the entity and say what is wrong; all are collected, not just the first.

use std::fmt;

use rustc_hash::FxHashSet;

use crate::entities::{Block, Value};
use crate::function::Function;
use crate::inst::*;
use crate::types::{LaneType, Type};

/// One rule broken at one place.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifierError {
    /// Where: a value (`v3`) or a block (`block2`).
    pub location: String,
    pub message: String,
}

impl fmt::Display for VerifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Checks every rule of the module header; returns all broken rules.
pub fn verify(func: &Function) -> Result<(), Vec<VerifierError>> {
    let mut v = Verifier { func, errors: vec![] };
    v.run();
    if v.errors.is_empty() {
        Ok(())
    } else {
        Err(v.errors)
    }
}

struct Verifier<'a> {
    func: &'a Function,
    errors: Vec<VerifierError>,
}

impl Verifier<'_> {
    fn err(&mut self, location: impl fmt::Display, message: impl Into<String>) {
        self.errors.push(VerifierError { location: location.to_string(), message: message.into() });
    }

    fn run(&mut self) {
        let f = self.func;
        if f.blocks.is_empty() {
            self.err(&f.name, "function has no blocks");
            return;
        }
        let mut placed = vec![false; f.insts.len()];
        for (block, data) in f.blocks() {
            let mut defined: FxHashSet<Value> = FxHashSet::default();
            for &v in &data.insts {
                if v.index() >= f.insts.len() {
                    self.err(block, format!("{v} does not exist"));
                    continue;
                }
                if placed[v.index()] {
                    self.err(v, "instruction placed twice");
                }
                placed[v.index()] = true;
                for a in f.inst(v).args() {
                    self.check_use(v, a, &defined);
                }
                self.check_inst(v);
                defined.insert(v);
            }
            for a in data.term.args() {
                self.check_use(block, a, &defined);
            }
            self.check_terminator(block, &data.term);
        }
        for (i, p) in placed.iter().enumerate() {
            if !p {
                self.err(Value(i as u32), "instruction is in no block");
            }
        }
        for &(addr, b) in &f.resume_points {
            if b.index() >= f.blocks.len() {
                self.err(b, format!("resume point {addr:#x} names a missing block"));
            }
        }
        for (b, targets) in &f.indirect_targets {
            match f.blocks.get(b.index()).map(|bd| &bd.term) {
                Some(Terminator::JumpIndirect { .. }) => {
                    for &t in targets {
                        if !f.blocks.iter().any(|bd| bd.guest_addr == Some(t)) {
                            self.err(*b, format!("may jump to {t:#x}, which is no block of the function"));
                        }
                    }
                }
                Some(Terminator::CallIndirect { .. }) => {}
                _ => self.err(*b, "has indirect targets but ends in no indirect jump or call".to_string()),
            }
        }
    }

    fn check_use(&mut self, at: impl fmt::Display, a: Value, defined: &FxHashSet<Value>) {
        if !defined.contains(&a) {
            self.err(at, format!("uses {a}, which is not defined earlier in this block"));
        } else if self.func.results[a.index()].is_none() {
            self.err(at, format!("uses {a}, which has no result"));
        }
    }

    fn ty(&self, v: Value) -> Option<Type> {
        self.func.results.get(v.index()).copied().flatten()
    }

    fn check_block_ref(&mut self, at: Block, b: Block) {
        if b.index() >= self.func.blocks.len() {
            self.err(at, format!("names {b}, which does not exist"));
        }
    }

    fn check_terminator(&mut self, block: Block, term: &Terminator) {
        for s in term.successors() {
            self.check_block_ref(block, s);
        }
        match *term {
            Terminator::None => self.err(block, "block has no terminator"),
            Terminator::Branch { cond, .. } => {
                if self.ty(cond) != Some(Type::I1) {
                    self.err(block, format!("branch condition {cond} is not i1"));
                }
            }
            Terminator::CallIndirect { target, .. }
            | Terminator::Return { target }
            | Terminator::JumpIndirect { target } => {
                if self.ty(target) != Some(Type::I64) {
                    self.err(block, format!("jump target {target} is not i64"));
                }
            }
            _ => {}
        }
    }

    fn check_inst(&mut self, v: Value) {
        let f = self.func;
        let result = f.results[v.index()];
        let expect = match self.expected_result(v) {
            Ok(t) => t,
            Err(msg) => {
                self.err(v, msg);
                return;
            }
        };
        if result != expect {
            self.err(v, format!("result type {result:?} should be {expect:?}"));
        }
    }

    /// The result type the opcode yields for these operands, or what is wrong with them.
    fn expected_result(&self, v: Value) -> Result<Option<Type>, String> {
        let t = |x: Value| self.ty(x).ok_or_else(|| format!("{x} has no type"));
        let same = |a: Value, b: Value| -> Result<Type, String> {
            let (ta, tb) = (t(a)?, t(b)?);
            if ta != tb {
                return Err(format!("operands {a}: {ta} and {b}: {tb} differ in type"));
            }
            Ok(ta)
        };
        Ok(match self.func.inst(v) {
            InstData::Const { ty, .. } => Some(*ty),
            InstData::GetReg { reg } => Some(reg.ty()),
            InstData::SetReg { reg, arg } => {
                if t(*arg)? != reg.ty() {
                    return Err(format!("setreg {reg} takes {}, not {}", reg.ty(), t(*arg)?));
                }
                None
            }
            InstData::Load { ty, addr } => {
                if t(*addr)? != Type::I64 {
                    return Err("address is not i64".into());
                }
                Some(*ty)
            }
            InstData::Store { addr, .. } => {
                if t(*addr)? != Type::I64 {
                    return Err("address is not i64".into());
                }
                None
            }
            InstData::Unary { op, arg } => {
                let ta = t(*arg)?;
                let float = matches!(op, UnaryOp::Fneg | UnaryOp::Fabs | UnaryOp::Fsqrt);
                if float && !ta.is_float_like() || !float && !ta.is_int_like() {
                    return Err(format!("{} does not take {ta}", op.name()));
                }
                if op.is_aes() && ta != Type::vec(LaneType::I8, 16) {
                    return Err(format!("{} takes i8x16, not {ta}", op.name()));
                }
                Some(ta)
            }
            InstData::Binary { op, args } => {
                let ta = same(args[0], args[1])?;
                let float = op.name().starts_with('f');
                if float && !ta.is_float_like() || !float && !ta.is_int_like() {
                    return Err(format!("{} does not take {ta}", op.name()));
                }
                if *op == BinaryOp::Swizzle && ta != Type::vec(LaneType::I8, 16) {
                    return Err(format!("swizzle takes i8x16, not {ta}"));
                }
                if matches!(op, BinaryOp::Clmul | BinaryOp::Clmulhi) && ta != Type::I64 {
                    return Err(format!("{} takes i64, not {ta}", op.name()));
                }
                Some(ta)
            }
            InstData::Select { cond, args } => {
                if t(*cond)? != Type::I1 {
                    return Err("select condition is not i1".into());
                }
                Some(same(args[0], args[1])?)
            }
            InstData::Fma { args } => {
                let ta = same(args[0], args[1])?;
                same(args[1], args[2])?;
                if !ta.is_float_like() {
                    return Err(format!("fma does not take {ta}"));
                }
                Some(ta)
            }
            InstData::Icmp { args, .. } => {
                let ta = same(args[0], args[1])?;
                if !ta.is_int_like() {
                    return Err(format!("icmp does not take {ta}"));
                }
                Some(if ta.is_vector() { ta } else { Type::I1 })
            }
            InstData::Fcmp { args, .. } => {
                let ta = same(args[0], args[1])?;
                if !ta.is_float_like() {
                    return Err(format!("fcmp does not take {ta}"));
                }
                Some(if ta.is_vector() { ta.as_int() } else { Type::I1 })
            }
            InstData::Convert { op, ty, arg } => {
                let ta = t(*arg)?;
                let (from, to) = (ta.lane_bits(), ty.lane_bits());
                let lanes_ok = ta.lanes() == ty.lanes() && ta.is_vector() == ty.is_vector();
                let ok = match op {
                    ConvOp::Uext | ConvOp::Sext => lanes_ok && ta.is_int_like() && ty.is_int_like() && to > from,
                    ConvOp::Trunc => lanes_ok && ta.is_int_like() && ty.is_int_like() && to < from,
                    ConvOp::Bitcast => ta.bits() == ty.bits(),
                    ConvOp::Fpromote => lanes_ok && ta.is_float_like() && ty.is_float_like() && to > from,
                    ConvOp::Fdemote => lanes_ok && ta.is_float_like() && ty.is_float_like() && to < from,
                    ConvOp::Stof | ConvOp::Utof => lanes_ok && ta.is_int_like() && ty.is_float_like(),
                };
                if !ok {
                    return Err(format!("{} cannot turn {ta} into {ty}", op.name()));
                }
                Some(*ty)
            }
            InstData::FpToInt { ty, arg, .. } => {
                let ta = t(*arg)?;
                if !ta.is_float_like()
                    || !ty.is_int_like()
                    || ta.lanes() != ty.lanes()
                    || ta.is_vector() != ty.is_vector()
                {
                    return Err(format!("fp_to_int cannot turn {ta} into {ty}"));
                }
                Some(*ty)
            }
            InstData::RoundFp { arg, .. } => {
                let ta = t(*arg)?;
                if !ta.is_float_like() {
                    return Err(format!("round_fp does not take {ta}"));
                }
                Some(ta)
            }
            InstData::Extract { lane, arg } => {
                let ta = t(*arg)?;
                if !ta.is_vector() || *lane as u32 >= ta.lanes() {
                    return Err(format!("no lane {lane} in {ta}"));
                }
                Some(ta.lane_type())
            }
            InstData::Insert { lane, args } => {
                let ta = t(args[0])?;
                if !ta.is_vector() || *lane as u32 >= ta.lanes() || t(args[1])? != ta.lane_type() {
                    return Err(format!("cannot insert {} into lane {lane} of {ta}", t(args[1])?));
                }
                Some(ta)
            }
            InstData::Splat { ty, arg } => {
                if !ty.is_vector() || t(*arg)? != ty.lane_type() {
                    return Err(format!("cannot splat {} to {ty}", t(*arg)?));
                }
                Some(*ty)
            }
            InstData::Shuffle { mask, args } => {
                let ta = same(args[0], args[1])?;
                if !ta.is_vector() || mask.iter().any(|&m| m as u32 >= 2 * ta.lanes()) {
                    return Err(format!("shuffle mask out of range for {ta}"));
                }
                let lane = ta.lane_type().as_lane().ok_or("bad lane")?;
                if mask.is_empty() || lane.bits() * mask.len() as u32 > 128 {
                    return Err("shuffle result is not a vector type".into());
                }
                Some(Type::vec(lane, mask.len() as u32))
            }
            InstData::AtomicRmw { addr, arg, .. } => {
                if t(*addr)? != Type::I64 {
                    return Err("address is not i64".into());
                }
                let ta = t(*arg)?;
                if !ta.is_int() {
                    return Err(format!("atomic_rmw does not take {ta}"));
                }
                Some(ta)
            }
            InstData::Cmpxchg { addr, args } => {
                if t(*addr)? != Type::I64 {
                    return Err("address is not i64".into());
                }
                Some(same(args[0], args[1])?)
            }
            InstData::Fence => None,
            InstData::CallHelper { helper, args } => {
                let want: &[Type] = match helper {
                    Helper::Crc32 | Helper::Crc32c => &[Type::I32, Type::I64, Type::I64],
                    Helper::ReadCntvct => &[],
                    Helper::FpcrWrite | Helper::FpsrRead | Helper::FpsrWrite | Helper::InvalidateCode => &[Type::I64],
                };
                let got: Vec<Type> = args.iter().map(|&a| t(a)).collect::<Result<_, _>>()?;
                if got != want {
                    return Err(format!("{} takes {want:?}, not {got:?}", helper.name()));
                }
                Some(if matches!(helper, Helper::Crc32 | Helper::Crc32c) { Type::I32 } else { Type::I64 })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    /// A function computing `op.TYPE` of a constant (twice the constant for a binary `op`).
    fn using(op: &str, ty: &str, binary: bool) -> crate::function::Function {
        let operands = if binary { "v0, v0" } else { "v0" };
        crate::reader::parse_function(&format!(
            "function f @0x400000 {{\nblock0 @0x400000:\n    v0 = const.{ty} 0x1\n    v1 = {op}.{ty} {operands}\n    \
             v2 = const.i64 0x0\n    return v2\n}}\n"
        ))
        .expect("parses")
    }

    #[test]
    fn only_bitcast_turns_a_one_lane_vector_into_a_scalar() {
        let convert = |op: &str, to: &str| {
            crate::reader::parse_function(&format!(
                "function f @0x400000 {{\nblock0 @0x400000:\n    v0 = const.i64 0x1\n    v1 = bitcast.i32x2 v0\n    \
                 v2 = shuffle.i32x1 [1] v1, v1\n    v3 = {op}.{to} v2\n    v4 = const.i64 0x0\n    return v4\n}}\n"
            ))
            .expect("parses")
        };
        assert!(super::verify(&convert("sext", "i64")).is_err(), "sext of i32x1 to i64 passed the verifier");
        assert!(super::verify(&convert("uext", "i64")).is_err(), "uext of i32x1 to i64 passed the verifier");
        assert!(super::verify(&convert("bitcast", "i32")).is_ok(), "bitcast of i32x1 to i32 failed the verifier");
    }

    #[test]
    fn the_verifier_takes_swizzle_only_on_i8x16() {
        assert!(super::verify(&using("swizzle", "i8x16", true)).is_ok());
        for ty in ["i32x4", "i8x8", "i64"] {
            assert!(super::verify(&using("swizzle", ty, true)).is_err(), "swizzle.{ty} passed the verifier");
        }
    }

    #[test]
    fn the_verifier_takes_aes_steps_on_i8x16_and_carry_less_products_on_i64_only() {
        for op in ["aes_shift_sub", "aes_inv_shift_sub", "aes_mix", "aes_inv_mix"] {
            assert!(super::verify(&using(op, "i8x16", false)).is_ok(), "{op}.i8x16 failed the verifier");
            assert!(super::verify(&using(op, "i32x4", false)).is_err(), "{op}.i32x4 passed the verifier");
        }
        for op in ["clmul", "clmulhi"] {
            assert!(super::verify(&using(op, "i64", true)).is_ok(), "{op}.i64 failed the verifier");
            assert!(super::verify(&using(op, "i64x2", true)).is_err(), "{op}.i64x2 passed the verifier");
        }
    }
}

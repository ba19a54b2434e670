//! A function: its instructions (data, kept apart from order), its blocks (order), and the builder
//! that appends to them while computing each result's type.
//!
//! Instruction `i` defines value `v{i}` (if it has a result), so a value needs no table of its own.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::entities::{Block, Value};
use crate::inst::*;
use crate::reg::Reg;
use crate::types::Type;

/// One basic block: its instructions in order and how it ends.
#[derive(Clone, Debug)]
pub struct BlockData {
    /// The guest address the block's code starts at, if it starts at one.
    pub guest_addr: Option<u64>,
    pub insts: Vec<Value>,
    pub term: Terminator,
}

/// A function of the IR: usually one guest function, or one guest block for the fallback engine.
#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    /// The guest address of the entry block.
    pub entry_addr: u64,
    /// Instruction data, indexed by the value each defines.
    pub insts: Vec<InstData>,
    /// The result type of each instruction, `None` when it has none.
    pub results: Vec<Option<Type>>,
    pub blocks: Vec<BlockData>,
    /// Guest addresses at which a caller may enter besides the entry (return sites, so that a
    /// return to a frame that was unwound can resume inside it), with their blocks.
    pub resume_points: Vec<(u64, Block)>,
    /// For blocks that end in `jump_indirect` or `call_indirect`, the guest addresses their jump
    /// or call may reach when they are known (a recovered jump table, a constant target); the
    /// code generator turns those into a local switch or direct calls, each guarded by a compare
    /// with the computed address.
    pub indirect_targets: Vec<(Block, Vec<u64>)>,
}

impl Function {
    /// The values some instruction or terminator of the function's blocks uses.
    pub fn used_values(&self) -> FxHashSet<Value> {
        let mut used = FxHashSet::default();
        for bd in &self.blocks {
            for &v in &bd.insts {
                used.extend(self.insts[v.index()].args());
            }
            used.extend(bd.term.args());
        }
        used
    }

    /// For each block (by index), the blocks control may go on in without leaving the function:
    /// the terminator's successors (a call's or system call's continuation included) and the local
    /// targets recovered for an indirect jump.
    pub fn successor_indices(&self) -> Vec<Vec<usize>> {
        let block_at: FxHashMap<u64, usize> =
            self.blocks().filter_map(|(b, bd)| bd.guest_addr.map(|a| (a, b.index()))).collect();
        let mut successors: Vec<Vec<usize>> =
            self.blocks.iter().map(|bd| bd.term.successors().iter().map(|s| s.index()).collect()).collect();
        for (b, targets) in &self.indirect_targets {
            if matches!(self.blocks[b.index()].term, Terminator::JumpIndirect { .. }) {
                successors[b.index()].extend(targets.iter().filter_map(|a| block_at.get(a).copied()));
            }
        }
        successors
    }

    /// An empty function with no blocks.
    pub fn new(name: impl Into<String>, entry_addr: u64) -> Function {
        Function {
            name: name.into(),
            entry_addr,
            insts: vec![],
            results: vec![],
            blocks: vec![],
            resume_points: vec![],
            indirect_targets: vec![],
        }
    }

    /// The entry block (the first one).
    pub fn entry(&self) -> Block {
        Block(0)
    }

    /// The type of a value; panics on a value with no result.
    pub fn value_type(&self, v: Value) -> Type {
        self.results[v.index()].unwrap_or_else(|| panic!("{v} has no result"))
    }

    /// The data of the instruction defining `v`.
    pub fn inst(&self, v: Value) -> &InstData {
        &self.insts[v.index()]
    }

    /// Iterates over the blocks with their handles.
    pub fn blocks(&self) -> impl Iterator<Item = (Block, &BlockData)> {
        self.blocks.iter().enumerate().map(|(i, b)| (Block(i as u32), b))
    }

    /// Number of instructions placed in blocks.
    pub fn inst_count(&self) -> usize {
        self.blocks.iter().map(|b| b.insts.len()).sum()
    }
}

/// Appends instructions to a function, one current block at a time.
pub struct Builder<'f> {
    pub func: &'f mut Function,
    current: Option<Block>,
}

impl<'f> Builder<'f> {
    pub fn new(func: &'f mut Function) -> Builder<'f> {
        Builder { func, current: None }
    }

    /// Adds an empty block (not yet current).
    pub fn create_block(&mut self, guest_addr: Option<u64>) -> Block {
        self.func.blocks.push(BlockData { guest_addr, insts: vec![], term: Terminator::None });
        Block(self.func.blocks.len() as u32 - 1)
    }

    /// Makes `block` the block instructions are appended to.
    pub fn switch_to(&mut self, block: Block) {
        self.current = Some(block);
    }

    /// The current block.
    pub fn current(&self) -> Block {
        self.current.expect("no current block")
    }

    /// True when the current block already ends.
    pub fn is_terminated(&self) -> bool {
        !matches!(self.func.blocks[self.current().index()].term, Terminator::None)
    }

    /// Ends the current block.
    pub fn terminate(&mut self, term: Terminator) {
        let b = self.current();
        debug_assert!(matches!(self.func.blocks[b.index()].term, Terminator::None), "{b} ends twice");
        self.func.blocks[b.index()].term = term;
    }

    /// Appends an instruction with the given result type and returns its value.
    pub fn push(&mut self, data: InstData, result: Option<Type>) -> Value {
        let v = Value(self.func.insts.len() as u32);
        self.func.insts.push(data);
        self.func.results.push(result);
        let b = self.current();
        self.func.blocks[b.index()].insts.push(v);
        v
    }

    fn ty(&self, v: Value) -> Type {
        self.func.value_type(v)
    }

    // Constructors, one per instruction kind, each computing the result type.

    pub fn iconst(&mut self, ty: Type, bits: u128) -> Value {
        let mask = if ty.bits() >= 128 { u128::MAX } else { (1u128 << ty.bits()) - 1 };
        self.push(InstData::Const { ty, bits: bits & mask }, Some(ty))
    }
    pub fn i64(&mut self, x: u64) -> Value {
        self.iconst(Type::I64, x as u128)
    }
    pub fn i32(&mut self, x: u32) -> Value {
        self.iconst(Type::I32, x as u128)
    }
    pub fn bool(&mut self, b: bool) -> Value {
        self.iconst(Type::I1, b as u128)
    }
    pub fn get(&mut self, reg: Reg) -> Value {
        self.push(InstData::GetReg { reg }, Some(reg.ty()))
    }
    pub fn set(&mut self, reg: Reg, arg: Value) {
        self.push(InstData::SetReg { reg, arg }, None);
    }
    pub fn load(&mut self, ty: Type, addr: Value) -> Value {
        self.push(InstData::Load { ty, addr }, Some(ty))
    }
    pub fn store(&mut self, addr: Value, arg: Value) {
        self.push(InstData::Store { addr, arg }, None);
    }
    pub fn unary(&mut self, op: UnaryOp, arg: Value) -> Value {
        let t = self.ty(arg);
        self.push(InstData::Unary { op, arg }, Some(t))
    }
    pub fn binary(&mut self, op: BinaryOp, a: Value, b: Value) -> Value {
        let t = self.ty(a);
        self.push(InstData::Binary { op, args: [a, b] }, Some(t))
    }
    pub fn select(&mut self, cond: Value, a: Value, b: Value) -> Value {
        let t = self.ty(a);
        self.push(InstData::Select { cond, args: [a, b] }, Some(t))
    }
    pub fn fma(&mut self, a: Value, b: Value, c: Value) -> Value {
        let t = self.ty(a);
        self.push(InstData::Fma { args: [a, b, c] }, Some(t))
    }
    pub fn icmp(&mut self, cc: IntCC, a: Value, b: Value) -> Value {
        let t = self.ty(a);
        let rt = if t.is_vector() { t } else { Type::I1 };
        self.push(InstData::Icmp { cc, args: [a, b] }, Some(rt))
    }
    pub fn fcmp(&mut self, cc: FloatCC, a: Value, b: Value) -> Value {
        let t = self.ty(a);
        let rt = if t.is_vector() { t.as_int() } else { Type::I1 };
        self.push(InstData::Fcmp { cc, args: [a, b] }, Some(rt))
    }
    pub fn convert(&mut self, op: ConvOp, ty: Type, arg: Value) -> Value {
        self.push(InstData::Convert { op, ty, arg }, Some(ty))
    }
    pub fn fp_to_int(&mut self, ty: Type, signed: bool, round: RoundMode, arg: Value) -> Value {
        self.push(InstData::FpToInt { ty, signed, round, arg }, Some(ty))
    }
    pub fn round_fp(&mut self, round: RoundMode, arg: Value) -> Value {
        let t = self.ty(arg);
        self.push(InstData::RoundFp { round, arg }, Some(t))
    }
    pub fn extract(&mut self, arg: Value, lane: u32) -> Value {
        let t = self.ty(arg).lane_type();
        self.push(InstData::Extract { lane: lane as u8, arg }, Some(t))
    }
    pub fn insert(&mut self, vec: Value, lane: u32, x: Value) -> Value {
        let t = self.ty(vec);
        self.push(InstData::Insert { lane: lane as u8, args: [vec, x] }, Some(t))
    }
    pub fn splat(&mut self, ty: Type, arg: Value) -> Value {
        self.push(InstData::Splat { ty, arg }, Some(ty))
    }
    pub fn shuffle(&mut self, a: Value, b: Value, mask: &[u8]) -> Value {
        let lane = self.ty(a).lane_type();
        let t = Type::vec(lane.as_lane().expect("vector lanes"), mask.len() as u32);
        self.push(InstData::Shuffle { mask: mask.into(), args: [a, b] }, Some(t))
    }
    pub fn atomic_rmw(&mut self, op: AtomicOp, addr: Value, arg: Value) -> Value {
        let t = self.ty(arg);
        self.push(InstData::AtomicRmw { op, addr, arg }, Some(t))
    }
    pub fn cmpxchg(&mut self, addr: Value, expected: Value, new: Value) -> Value {
        let t = self.ty(expected);
        self.push(InstData::Cmpxchg { addr, args: [expected, new] }, Some(t))
    }
    pub fn fence(&mut self) {
        self.push(InstData::Fence, None);
    }
    pub fn call_helper(&mut self, helper: Helper, args: &[Value]) -> Value {
        let t = match helper {
            Helper::Crc32 | Helper::Crc32c => Type::I32,
            Helper::ReadCntvct | Helper::FpcrWrite | Helper::FpsrRead | Helper::FpsrWrite | Helper::InvalidateCode => {
                Type::I64
            }
        };
        self.push(InstData::CallHelper { helper, args: args.into() }, Some(t))
    }

    // Shorthands used all over the lifter.

    pub fn add(&mut self, a: Value, b: Value) -> Value {
        self.binary(BinaryOp::Add, a, b)
    }
    pub fn sub(&mut self, a: Value, b: Value) -> Value {
        self.binary(BinaryOp::Sub, a, b)
    }
    pub fn and(&mut self, a: Value, b: Value) -> Value {
        self.binary(BinaryOp::And, a, b)
    }
    pub fn or(&mut self, a: Value, b: Value) -> Value {
        self.binary(BinaryOp::Or, a, b)
    }
    pub fn xor(&mut self, a: Value, b: Value) -> Value {
        self.binary(BinaryOp::Xor, a, b)
    }
    pub fn not(&mut self, a: Value) -> Value {
        self.unary(UnaryOp::Not, a)
    }
    pub fn uext(&mut self, ty: Type, a: Value) -> Value {
        if self.ty(a) == ty {
            return a;
        }
        self.convert(ConvOp::Uext, ty, a)
    }
    pub fn sext(&mut self, ty: Type, a: Value) -> Value {
        if self.ty(a) == ty {
            return a;
        }
        self.convert(ConvOp::Sext, ty, a)
    }
    pub fn trunc(&mut self, ty: Type, a: Value) -> Value {
        if self.ty(a) == ty {
            return a;
        }
        self.convert(ConvOp::Trunc, ty, a)
    }
    pub fn bitcast(&mut self, ty: Type, a: Value) -> Value {
        if self.ty(a) == ty {
            return a;
        }
        self.convert(ConvOp::Bitcast, ty, a)
    }
    /// A constant of `a`'s type with every lane `x` (a plain constant for scalars).
    pub fn lane_const(&mut self, t: Type, x: u128) -> Value {
        if !t.is_vector() {
            return self.iconst(t, x);
        }
        let w = t.lane_bits();
        let lane = if w >= 128 { x } else { x & ((1u128 << w) - 1) };
        let all = (0..t.lanes()).fold(0u128, |acc, i| acc | lane << (i * w));
        self.iconst(t, all)
    }

    /// Shifts by a constant amount (taken modulo the width, as `shl` is); on vectors, every lane.
    pub fn shl_imm(&mut self, a: Value, amt: u32) -> Value {
        if amt == 0 {
            return a;
        }
        let t = self.ty(a);
        let c = self.lane_const(t, amt as u128);
        self.binary(BinaryOp::Shl, a, c)
    }
    pub fn lshr_imm(&mut self, a: Value, amt: u32) -> Value {
        if amt == 0 {
            return a;
        }
        let t = self.ty(a);
        let c = self.lane_const(t, amt as u128);
        self.binary(BinaryOp::Lshr, a, c)
    }
    pub fn ashr_imm(&mut self, a: Value, amt: u32) -> Value {
        if amt == 0 {
            return a;
        }
        let t = self.ty(a);
        let c = self.lane_const(t, amt as u128);
        self.binary(BinaryOp::Ashr, a, c)
    }
    pub fn and_imm(&mut self, a: Value, mask: u128) -> Value {
        let t = self.ty(a);
        let c = self.lane_const(t, mask);
        self.and(a, c)
    }
    pub fn add_imm(&mut self, a: Value, imm: u64) -> Value {
        if imm == 0 {
            return a;
        }
        let t = self.ty(a);
        let c = self.lane_const(t, imm as u128);
        self.add(a, c)
    }
    pub fn icmp_imm(&mut self, cc: IntCC, a: Value, imm: u128) -> Value {
        let t = self.ty(a);
        let c = self.lane_const(t, imm);
        self.icmp(cc, a, c)
    }
    pub fn value_type(&self, v: Value) -> Type {
        self.ty(v)
    }
}

//! Where a function keeps the guest registers it touches: one alloca per register, which LLVM's
//! mem2reg turns into SSA values and phis, of the register's IR type; but for a vector register
//! (q0-q31) that the function uses only as floats, vectors or memory contents, which lives in a
//! host vector register (`vector_register_layouts`).
//!
//! Why: the IR types a vector register `i128`, and LLVM keeps an `i128` in two general-purpose
//! registers. In a loop that carries float values in guest registers (the values of any
//! numerical loop) every float operation then moved its operands from general-purpose registers
//! into vector registers and its result back, and the guest's 32 vector registers competed with
//! the integer ones for the host's 16 general-purpose registers. Such a register is kept as a
//! `<2 x i64>` vector (`Slot::Vector`) or, where the function uses only its low 32 or 64 bits
//! (scalar float code), as a `float` or `double` for those bits and an integer for the rest
//! (`Slot::Split`), which spares the zeroing of the upper lane at each write.
//!
//! Reads and writes of the IR still see the whole `i128` (`read_reg`, `write_reg`), which LLVM
//! folds where the IR truncates a read or extends what it writes; but its folds also move casts
//! across phis and into loads (turning a phi or a load whose uses are all one cast into one of the
//! cast's type), which could bring the integer types back. So the uses that need only part of a
//! register take it from the slot's own value (`lower_from_read`), writes of a zero-extended
//! float or of a vector store it as it is (`lower_register_write`), and a float loaded from
//! memory into a split register is loaded as a float (`float_loads`). A register that some use
//! reads or writes as an integer keeps the IR's `i128`: compilers use vector registers to hold
//! integers too (FMOV to and from general registers), and those moves are free in general-purpose
//! registers.

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::LLVMOpcode;
use rustc_hash::{FxHashMap, FxHashSet};
use vmtrans_ir::{ConvOp, Function, InstData, LaneType, Reg, Type, Value};

use super::FnLowering;
use crate::llvm::types::NONAME;

/// Where one register lives in the function.
#[derive(Clone, Copy)]
pub(super) enum Slot {
    /// One alloca of the register's IR type.
    Whole(LLVMValueRef),
    /// A vector register used whole somewhere: one `<2 x i64>` alloca, which LLVM keeps in a
    /// host vector register (an `i128` it would split into two general-purpose ones).
    Vector(LLVMValueRef),
    /// A vector register used only through its low `low_bits` (32 or 64) bits: those as a float
    /// of that width in `low`, and bits `low_bits..128` as an integer in `rest`.
    Split { low: LLVMValueRef, rest: LLVMValueRef, low_bits: u32 },
}

/// Who uses each value of a function, for the analyses below (made once per function).
pub(super) struct Users {
    /// The instructions that take each value as an argument, once per use.
    of: FxHashMap<Value, Vec<Value>>,
    /// The values some terminator takes.
    by_terminator: FxHashSet<Value>,
}

impl Users {
    pub(super) fn new(func: &Function) -> Users {
        let mut users = Users { of: FxHashMap::default(), by_terminator: FxHashSet::default() };
        for (_, bd) in func.blocks() {
            for &v in &bd.insts {
                for arg in func.inst(v).args() {
                    users.of.entry(arg).or_default().push(v);
                }
            }
            users.by_terminator.extend(bd.term.args());
        }
        users
    }

    /// The instructions that take `v`, once per use.
    pub(super) fn of(&self, v: Value) -> &[Value] {
        self.of.get(&v).map(Vec::as_slice).unwrap_or_default()
    }

    /// Whether a terminator takes `v`.
    pub(super) fn by_terminator(&self, v: Value) -> bool {
        self.by_terminator.contains(&v)
    }

    /// Whether `v` has exactly one use, by an instruction.
    fn only_one(&self, v: Value) -> bool {
        self.of(v).len() == 1 && !self.by_terminator.contains(&v)
    }
}

/// How a function keeps one vector register that it uses only as floats, vectors or memory
/// contents (`vector_register_layouts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Layout {
    /// Split (`Slot::Split`): every read of it is truncated to this width (32 or 64 bits) or
    /// less before any other use, and every write zero-extends a value of this width or less.
    /// Its bits above the width are then only ever what the state held at a reload, or zero
    /// after a write, and keeping them apart costs nothing where the function computes.
    Split(u32),
    /// Whole, as a host vector (`Slot::Vector`).
    Vector,
}

/// The vector registers `func` keeps in host vector registers, and how. A register qualifies
/// where every use of it is a float or a vector or goes to or from memory: what a read (or its
/// truncation) feeds is a cast to a float or vector type or a store, and what a write takes is
/// such a cast, a load or a constant (zero-extended or not). A register read or written as an
/// integer anywhere (FMOV between general and vector registers, lane inserts made of integer
/// shifts, which compilers emit when they use vector registers to hold integers) is left
/// out and keeps the IR's `i128`, which LLVM holds in general-purpose registers, where those
/// uses work without a move each.
pub(super) fn vector_register_layouts(func: &Function, users: &Users) -> FxHashMap<Reg, Layout> {
    // Per register: the narrowest width it is used at (`None` once a use needs it whole), and
    // whether some use is an integer one.
    let mut widths: FxHashMap<Reg, Option<u32>> = FxHashMap::default();
    let mut integer: FxHashSet<Reg> = FxHashSet::default();
    let narrow = |width: &mut Option<u32>, ty: Type| {
        *width = match (*width, ty.bits()) {
            (Some(w), bits @ (32 | 64)) => Some(w.min(bits)),
            _ => None,
        }
    };
    let is_float_or_vector = |ty: Type| matches!(ty, Type::F32 | Type::F64) || ty.is_vector();
    // A value a terminator uses counts as an integer use.
    let used_by_terminator = &users.by_terminator;
    let users_of = |v: Value| users.of(v);
    // Whether every use of `v` is a cast to a float or vector type or the value a store stores.
    let feeds_floats_or_memory = |v: Value| {
        !used_by_terminator.contains(&v)
            && users_of(v).iter().all(|&user| match *func.inst(user) {
                InstData::Convert { op: ConvOp::Bitcast, ty, .. } => is_float_or_vector(ty),
                InstData::Store { addr, .. } => addr != v,
                _ => false,
            })
    };
    // Whether `v` is a float or a vector cast to an integer, a load or a constant.
    let comes_from_floats_or_memory = |v: Value| match *func.inst(v) {
        InstData::Convert { op: ConvOp::Bitcast, arg, .. } => is_float_or_vector(func.value_type(arg)),
        InstData::Load { .. } | InstData::Const { .. } => true,
        _ => false,
    };
    for (_, bd) in func.blocks() {
        for &v in &bd.insts {
            match *func.inst(v) {
                InstData::GetReg { reg } if reg.ty() == Type::I128 => {
                    let width = widths.entry(reg).or_insert(Some(128));
                    if used_by_terminator.contains(&v) {
                        integer.insert(reg);
                    }
                    for &user in users_of(v) {
                        match *func.inst(user) {
                            InstData::Convert { op: ConvOp::Trunc, ty, .. } => {
                                narrow(width, ty);
                                if !feeds_floats_or_memory(user) {
                                    integer.insert(reg);
                                }
                            }
                            InstData::Convert { op: ConvOp::Bitcast, ty, .. } if ty.is_vector() => *width = None,
                            InstData::Store { addr, .. } if addr != v => *width = None,
                            _ => {
                                *width = None;
                                integer.insert(reg);
                            }
                        }
                    }
                }
                InstData::SetReg { reg, arg } if reg.ty() == Type::I128 => {
                    let width = widths.entry(reg).or_insert(Some(128));
                    let written = match *func.inst(arg) {
                        InstData::Convert { op: ConvOp::Uext, arg: narrow_arg, .. } => {
                            narrow(width, func.value_type(narrow_arg));
                            narrow_arg
                        }
                        _ => {
                            *width = None;
                            arg
                        }
                    };
                    if !comes_from_floats_or_memory(written) {
                        integer.insert(reg);
                    }
                }
                _ => {}
            }
        }
    }
    widths
        .into_iter()
        .filter(|(reg, _)| !integer.contains(reg))
        .map(|(reg, width)| (reg, width.filter(|&w| w <= 64).map_or(Layout::Vector, Layout::Split)))
        .collect()
}

/// The guest loads whose only use is to fill the low bits of a split register (`layouts`, from
/// `vector_register_layouts`) of the load's width, through a zero-extension used nowhere else: a
/// scalar float load (LDR of an S or D register). The code generator loads them as floats and
/// stores the float into the register's low slot as it is (`lower_register_write`). Loaded as
/// integers and cast, they made LLVM carry the value in a general-purpose register: it turns a
/// load whose one use is a cast into a load of the cast's type, and moves a cast that every
/// incoming value of a phi shares past the phi, so a float loaded before a loop and only read in
/// it went around the loop as an integer.
pub(super) fn float_loads(func: &Function, users: &Users, layouts: &FxHashMap<Reg, Layout>) -> FxHashSet<Value> {
    let mut loads = FxHashSet::default();
    for (_, bd) in func.blocks() {
        for &v in &bd.insts {
            let InstData::SetReg { reg, arg: extended } = func.inst(v) else { continue };
            let Some(&Layout::Split(width)) = layouts.get(reg) else { continue };
            let InstData::Convert { op: ConvOp::Uext, arg: loaded, .. } = func.inst(*extended) else { continue };
            let is_load = matches!(func.inst(*loaded), InstData::Load { .. });
            if is_load
                && func.value_type(*loaded).bits() == width
                && users.only_one(*extended)
                && users.only_one(*loaded)
            {
                loads.insert(*loaded);
            }
        }
    }
    loads
}

/// The 128-bit vector of floats of type `ty` (`float` or `double`).
fn floats_of(ty: Type) -> Type {
    if ty == Type::F32 {
        Type::Vec(LaneType::F32, 4)
    } else {
        Type::Vec(LaneType::F64, 2)
    }
}

/// What a `getreg` of a vector register loaded from its slot, besides the `i128` the IR sees:
/// the uses that only need part of it take that part from here (`lower_from_read`).
#[derive(Clone, Copy)]
pub(super) enum RawRead {
    /// The low float of a split register.
    LowFloat(LLVMValueRef),
    /// The `<2 x i64>` of a whole one.
    Vector(LLVMValueRef),
}

impl FnLowering<'_> {
    /// Makes register `r`'s slot in the entry block (where the builder is), as `layouts`
    /// (`vector_register_layouts`) says.
    pub(super) fn make_slot(&self, r: Reg, layouts: &FxHashMap<Reg, Layout>) -> Slot {
        // SAFETY: the builder is positioned in the function's entry block.
        unsafe {
            match layouts.get(&r) {
                Some(&Layout::Split(low_bits)) => Slot::Split {
                    low: LLVMBuildAlloca(self.b, self.float_of_width(low_bits), NONAME),
                    rest: LLVMBuildAlloca(self.b, LLVMIntTypeInContext(self.t.ctx, 128 - low_bits), NONAME),
                    low_bits,
                },
                Some(Layout::Vector) => Slot::Vector(LLVMBuildAlloca(self.b, self.vector_slot_type(), NONAME)),
                None => Slot::Whole(LLVMBuildAlloca(self.b, self.t.of(r.ty()), NONAME)),
            }
        }
    }

    /// `float` or `double`.
    pub(in crate::llvm) fn float_of_width(&self, bits: u32) -> LLVMTypeRef {
        self.t.of(if bits == 32 { Type::F32 } else { Type::F64 })
    }

    /// `<2 x i64>`, the type of a whole vector register's slot.
    fn vector_slot_type(&self) -> LLVMTypeRef {
        self.t.of(Type::Vec(LaneType::I64, 2))
    }

    /// The value of register `r` where the builder is, of its IR type.
    pub(in crate::llvm) fn read_reg(&self, r: Reg) -> LLVMValueRef {
        self.read_reg_raw(r).0
    }

    /// Lowers `v`, a `getreg` of `reg`, and keeps what a vector register's slot held for the
    /// uses that need only part of it (`lower_from_read`).
    pub(in crate::llvm) fn lower_register_read(&mut self, v: Value, reg: Reg) -> LLVMValueRef {
        let (value, raw) = self.read_reg_raw(reg);
        if let Some(raw) = raw {
            self.raw_reads.insert(v, raw);
        }
        value
    }

    /// `read_reg`, and for a vector register also what its slot held (`RawRead`).
    fn read_reg_raw(&self, r: Reg) -> (LLVMValueRef, Option<RawRead>) {
        // SAFETY: the builder is positioned in a block; the slots were made by `make_slot`.
        unsafe {
            match self.slots[&r] {
                Slot::Whole(slot) => (LLVMBuildLoad2(self.b, self.t.of(r.ty()), slot, NONAME), None),
                Slot::Vector(slot) => {
                    let vector = LLVMBuildLoad2(self.b, self.vector_slot_type(), slot, NONAME);
                    (LLVMBuildBitCast(self.b, vector, self.t.i128, NONAME), Some(RawRead::Vector(vector)))
                }
                Slot::Split { low, rest, low_bits } => {
                    let low_float = LLVMBuildLoad2(self.b, self.float_of_width(low_bits), low, NONAME);
                    let rest_ty = LLVMIntTypeInContext(self.t.ctx, 128 - low_bits);
                    let rest = LLVMBuildLoad2(self.b, rest_ty, rest, NONAME);
                    let low_int =
                        LLVMBuildBitCast(self.b, low_float, LLVMIntTypeInContext(self.t.ctx, low_bits), NONAME);
                    let low_wide = self.cast(LLVMOpcode::LLVMZExt, low_int, self.t.i128);
                    let rest_wide = self.cast(LLVMOpcode::LLVMZExt, rest, self.t.i128);
                    let shift = self.t.const_int(self.t.i128, u128::from(low_bits));
                    let rest_high = self.binop(LLVMOpcode::LLVMShl, rest_wide, shift);
                    (self.binop(LLVMOpcode::LLVMOr, low_wide, rest_high), Some(RawRead::LowFloat(low_float)))
                }
            }
        }
    }

    /// Lowers `v` from what a vector register's read loaded (`raw_reads`) where `v` is a cast
    /// that needs only part of it: a truncation to the low bits, a bitcast of such a truncation to
    /// a float, or a bitcast of the whole to a vector type. None for anything else.
    pub(in crate::llvm) fn lower_from_read(&self, v: Value) -> Option<LLVMValueRef> {
        let InstData::Convert { op, ty, arg } = *self.func.inst(v) else { return None };
        // SAFETY: the builder is positioned in a block; raw reads are values of this function.
        unsafe {
            match op {
                ConvOp::Trunc => match *self.raw_reads.get(&arg)? {
                    RawRead::Vector(vector) => {
                        let lane = LLVMBuildExtractElement(self.b, vector, self.t.const_int(self.t.i32, 0), NONAME);
                        Some(if ty == Type::I64 { lane } else { self.cast(LLVMOpcode::LLVMTrunc, lane, self.t.of(ty)) })
                    }
                    RawRead::LowFloat(_) => None,
                },
                ConvOp::Bitcast if matches!(ty, Type::F32 | Type::F64) => {
                    let InstData::Convert { op: ConvOp::Trunc, arg: read, ty: int_ty } = *self.func.inst(arg) else {
                        return None;
                    };
                    if int_ty.bits() != ty.bits() {
                        return None;
                    }
                    match *self.raw_reads.get(&read)? {
                        RawRead::LowFloat(f) => (LLVMTypeOf(f) == self.t.of(ty)).then_some(f),
                        RawRead::Vector(vector) => {
                            let floats = LLVMBuildBitCast(self.b, vector, self.t.of(floats_of(ty)), NONAME);
                            Some(LLVMBuildExtractElement(self.b, floats, self.t.const_int(self.t.i32, 0), NONAME))
                        }
                    }
                }
                ConvOp::Bitcast if ty.is_vector() && ty.bits() == 128 => match *self.raw_reads.get(&arg)? {
                    RawRead::Vector(vector) => Some(LLVMBuildBitCast(self.b, vector, self.t.of(ty), NONAME)),
                    RawRead::LowFloat(_) => None,
                },
                _ => None,
            }
        }
    }

    /// Lowers `setreg reg, arg`. A vector register written with a zero-extended scalar or a
    /// 128-bit vector gets that value as it is, without passing through an `i128` (see the
    /// module's comment); anything else through `write_reg`.
    pub(in crate::llvm) fn lower_register_write(&self, reg: Reg, arg: Value) {
        let slot = self.slots[&reg];
        // SAFETY: the builder is positioned in a block; the slots were made by `make_slot`.
        unsafe {
            match (slot, self.func.inst(arg)) {
                (Slot::Split { low, rest, low_bits }, InstData::Convert { op: ConvOp::Uext, arg: loaded, .. })
                    if self.loaded_floats.contains_key(loaded) =>
                {
                    LLVMBuildStore(self.b, self.loaded_floats[loaded], low);
                    let rest_ty = LLVMIntTypeInContext(self.t.ctx, 128 - low_bits);
                    LLVMBuildStore(self.b, self.t.const_int(rest_ty, 0), rest);
                }
                (Slot::Vector(slot), &InstData::Convert { op: ConvOp::Uext, arg: narrow, .. }) => {
                    let narrow_ty = self.func.value_type(narrow);
                    let value = match *self.func.inst(narrow) {
                        // A float's bits: insert the float into a vector of floats.
                        InstData::Convert { op: ConvOp::Bitcast, arg: float, .. }
                            if matches!(self.func.value_type(float), Type::F32 | Type::F64) =>
                        {
                            let zero = LLVMConstNull(self.t.of(floats_of(self.func.value_type(float))));
                            let index = self.t.const_int(self.t.i32, 0);
                            let v = LLVMBuildInsertElement(self.b, zero, self.val(float), index, NONAME);
                            LLVMBuildBitCast(self.b, v, self.vector_slot_type(), NONAME)
                        }
                        _ if narrow_ty.bits() <= 64 => {
                            let bits = LLVMBuildBitCast(
                                self.b,
                                self.val(narrow),
                                LLVMIntTypeInContext(self.t.ctx, narrow_ty.bits()),
                                NONAME,
                            );
                            let lane = if narrow_ty.bits() == 64 {
                                bits
                            } else {
                                self.cast(LLVMOpcode::LLVMZExt, bits, self.t.i64)
                            };
                            let zero = LLVMConstNull(self.vector_slot_type());
                            LLVMBuildInsertElement(self.b, zero, lane, self.t.const_int(self.t.i32, 0), NONAME)
                        }
                        _ => LLVMBuildBitCast(self.b, self.val(arg), self.vector_slot_type(), NONAME),
                    };
                    LLVMBuildStore(self.b, value, slot);
                }
                (Slot::Vector(slot), &InstData::Convert { op: ConvOp::Bitcast, arg: vector, .. })
                    if self.func.value_type(vector).is_vector() =>
                {
                    let value = LLVMBuildBitCast(self.b, self.val(vector), self.vector_slot_type(), NONAME);
                    LLVMBuildStore(self.b, value, slot);
                }
                _ => self.write_reg(reg, self.val(arg)),
            }
        }
    }

    /// Sets register `r` to `v`, of its IR type, where the builder is.
    pub(in crate::llvm) fn write_reg(&self, r: Reg, v: LLVMValueRef) {
        // SAFETY: as for `read_reg`.
        unsafe {
            match self.slots[&r] {
                Slot::Whole(slot) => {
                    LLVMBuildStore(self.b, v, slot);
                }
                Slot::Vector(slot) => {
                    LLVMBuildStore(self.b, LLVMBuildBitCast(self.b, v, self.vector_slot_type(), NONAME), slot);
                }
                Slot::Split { low, rest, low_bits } => {
                    let low_int = self.cast(LLVMOpcode::LLVMTrunc, v, LLVMIntTypeInContext(self.t.ctx, low_bits));
                    LLVMBuildStore(
                        self.b,
                        LLVMBuildBitCast(self.b, low_int, self.float_of_width(low_bits), NONAME),
                        low,
                    );
                    let shift = self.t.const_int(self.t.i128, u128::from(low_bits));
                    let rest_wide = self.binop(LLVMOpcode::LLVMLShr, v, shift);
                    let rest_ty = LLVMIntTypeInContext(self.t.ctx, 128 - low_bits);
                    LLVMBuildStore(self.b, self.cast(LLVMOpcode::LLVMTrunc, rest_wide, rest_ty), rest);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Function {
        vmtrans_ir::reader::parse_function(text).expect("the test function parses")
    }

    /// q1 is read only through its low 64 bits and written only zero-extended, so it splits;
    /// q2 is also read whole (as two doubles), so it is kept as a vector; q3 is read as an
    /// integer (FMOV to a general register), so it keeps the IR's `i128`.
    #[test]
    fn registers_used_as_floats_or_vectors_live_in_vector_registers() {
        let func = parse(
            "function f @0x400000 {
block0 @0x400000:
    v0 = getreg.i128 q1
    v1 = trunc.i64 v0
    v2 = bitcast.f64 v1
    v3 = getreg.i128 q2
    v4 = trunc.i64 v3
    v5 = bitcast.f64 v4
    v6 = fadd.f64 v2, v5
    v7 = bitcast.i64 v6
    v8 = uext.i128 v7
    setreg q1, v8
    v9 = bitcast.f64x2 v3
    v10 = fadd.f64x2 v9, v9
    v11 = bitcast.i128 v10
    setreg q2, v11
    v12 = getreg.i128 q3
    v13 = trunc.i32 v12
    v14 = uext.i64 v13
    setreg x0, v14
    v15 = getreg.i64 x30
    return v15
}",
        );
        let layouts = vector_register_layouts(&func, &Users::new(&func));
        assert_eq!(layouts.get(&Reg::q(1)), Some(&Layout::Split(64)));
        assert_eq!(layouts.get(&Reg::q(2)), Some(&Layout::Vector));
        assert_eq!(layouts.get(&Reg::q(3)), None);
    }

    /// A register used both as a single and as a double keeps its low 32 bits as a float; one
    /// written from a general register (FMOV) keeps the IR's `i128`.
    #[test]
    fn the_narrowest_float_use_sets_the_width() {
        let func = parse(
            "function f @0x400000 {
block0 @0x400000:
    v0 = getreg.i128 q4
    v1 = trunc.i32 v0
    v2 = bitcast.f32 v1
    v3 = trunc.i64 v0
    v4 = bitcast.f64 v3
    v5 = fpromote.f64 v2
    v6 = fadd.f64 v4, v5
    v7 = bitcast.i64 v6
    v8 = uext.i128 v7
    setreg q4, v8
    v9 = getreg.i64 x1
    v10 = uext.i128 v9
    setreg q5, v10
    v11 = getreg.i64 x30
    return v11
}",
        );
        let layouts = vector_register_layouts(&func, &Users::new(&func));
        assert_eq!(layouts.get(&Reg::q(4)), Some(&Layout::Split(32)));
        assert_eq!(layouts.get(&Reg::q(5)), None);
    }

    /// A load that only fills a split register is loaded as a float; one whose value is also
    /// used elsewhere is not.
    #[test]
    fn loads_only_into_split_registers_are_float_loads() {
        let func = parse(
            "function f @0x400000 {
block0 @0x400000:
    v0 = getreg.i64 x1
    v1 = load.i64 v0
    v2 = uext.i128 v1
    setreg q1, v2
    v3 = load.i64 v0
    v4 = uext.i128 v3
    setreg q2, v4
    setreg x2, v3
    v5 = getreg.i64 x30
    return v5
}",
        );
        let layouts = vector_register_layouts(&func, &Users::new(&func));
        assert_eq!(layouts.get(&Reg::q(1)), Some(&Layout::Split(64)));
        assert_eq!(layouts.get(&Reg::q(2)), Some(&Layout::Split(64)));
        let loads = float_loads(&func, &Users::new(&func), &layouts);
        assert!(loads.contains(&func.blocks[0].insts[1]), "{loads:?}");
        assert_eq!(loads.len(), 1, "{loads:?}");
    }
}

//! Instructions and terminators: what each IR operation is, declared once.
//!
//! An instruction computes at most one value from earlier values of the same block; guest state
//! (registers, flags, memory) is reached only through `getreg`/`setreg` and `load`/`store`, so
//! values never cross blocks and data flows between blocks through guest registers. The code
//! generator keeps those registers in SSA form (LLVM's mem2reg) inside a function. Each opcode's
//! text name is given once here, in the `names!` tables, which both the printer and the reader use.

use crate::entities::{Block, Value};
use crate::reg::Reg;
use crate::types::Type;

macro_rules! names {
    ($(#[$doc:meta])* $enum:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum $enum { $($(#[$vdoc])* $variant),* }

        impl $enum {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$enum] = &[$($enum::$variant),*];

            /// The text name.
            pub fn name(self) -> &'static str {
                match self { $($enum::$variant => $text),* }
            }

            /// Looks a variant up by its text name.
            pub fn from_name(s: &str) -> Option<Self> {
                match s { $($text => Some($enum::$variant),)* _ => None }
            }
        }
    };
}

names!(
    /// Operations of one operand; integer ones apply lane-wise to integer vectors, float ones to
    /// float vectors, and the `aes_` ones to a whole 16-byte state.
    UnaryOp {
        Not = "not",
        Neg = "neg",
        /// Absolute value of a signed integer (the minimum stays itself).
        Abs = "abs",
        /// Count of leading zeros; the width for zero.
        Clz = "clz",
        /// Count of trailing zeros; the width for zero.
        Ctz = "ctz",
        Popcnt = "popcnt",
        Bswap = "bswap",
        /// Reverse the order of the bits.
        Bitrev = "bitrev",
        Fneg = "fneg",
        Fabs = "fabs",
        Fsqrt = "fsqrt",
        /// AES ShiftRows then SubBytes of an `i8x16` state (the only type the `aes_` operations
        /// take; `crate::crypto` defines them): AArch64's AESE after its key XOR.
        AesShiftSub = "aes_shift_sub",
        /// AES InvShiftRows then InvSubBytes: AESD after its key XOR.
        AesInvShiftSub = "aes_inv_shift_sub",
        /// AES MixColumns (AESMC).
        AesMix = "aes_mix",
        /// AES InvMixColumns (AESIMC).
        AesInvMix = "aes_inv_mix",
    }
);

impl UnaryOp {
    /// True for the AES steps, which work on a whole 16-byte state rather than lane by lane.
    pub fn is_aes(self) -> bool {
        matches!(self, UnaryOp::AesShiftSub | UnaryOp::AesInvShiftSub | UnaryOp::AesMix | UnaryOp::AesInvMix)
    }
}

names!(
    /// Operations of two operands of the same type, producing that type. All but `swizzle` apply
    /// lane-wise to vectors.
    BinaryOp {
        Add = "add",
        Sub = "sub",
        Mul = "mul",
        /// High half of the unsigned double-width product.
        Umulhi = "umulhi",
        /// High half of the signed double-width product.
        Smulhi = "smulhi",
        /// Unsigned division; division by zero gives zero (as AArch64's UDIV).
        Udiv = "udiv",
        /// Signed division rounding to zero; by zero gives zero and MIN / -1 gives MIN (as SDIV).
        Sdiv = "sdiv",
        And = "and",
        Or = "or",
        Xor = "xor",
        /// Shift left by the second operand modulo the lane width.
        Shl = "shl",
        /// Logical shift right by the second operand modulo the lane width.
        Lshr = "lshr",
        /// Arithmetic shift right by the second operand modulo the lane width.
        Ashr = "ashr",
        /// Rotate right by the second operand modulo the lane width.
        Rotr = "rotr",
        Umin = "umin",
        Umax = "umax",
        Smin = "smin",
        Smax = "smax",
        UaddSat = "uadd_sat",
        SaddSat = "sadd_sat",
        UsubSat = "usub_sat",
        SsubSat = "ssub_sat",
        Fadd = "fadd",
        Fsub = "fsub",
        Fmul = "fmul",
        Fdiv = "fdiv",
        /// AArch64 FMIN: a NaN operand gives a NaN; -0 is below +0.
        Fmin = "fmin",
        /// AArch64 FMAX: a NaN operand gives a NaN; +0 is above -0.
        Fmax = "fmax",
        /// AArch64 FMINNM: a quiet NaN loses to a number.
        Fminnm = "fminnm",
        /// AArch64 FMAXNM: a quiet NaN loses to a number.
        Fmaxnm = "fmaxnm",
        /// Variable byte permutation of `i8x16` (the only type it takes): lane i of the result is
        /// lane `b[i]` of `a` when `b[i]` (unsigned) is below 16, else zero (as AArch64's
        /// one-register TBL, and WebAssembly's `i8x16.swizzle`).
        Swizzle = "swizzle",
        /// The low 64 bits of the carry-less (polynomial over GF(2)) product of two `i64` values
        /// (the only type it and `clmulhi` take).
        Clmul = "clmul",
        /// The high 64 bits of the carry-less product of two `i64` values.
        Clmulhi = "clmulhi",
    }
);

names!(
    /// Integer comparisons. On scalars the result is `i1`; on vectors it is a vector of the same
    /// shape whose lanes are all ones (true) or all zeros (false).
    IntCC {
        Eq = "eq",
        Ne = "ne",
        Ult = "ult",
        Ule = "ule",
        Ugt = "ugt",
        Uge = "uge",
        Slt = "slt",
        Sle = "sle",
        Sgt = "sgt",
        Sge = "sge",
    }
);

names!(
    /// Float comparisons, with the same result shapes as integer ones. `o*` are false when either
    /// operand is NaN; `uno` is true exactly then.
    FloatCC {
        Oeq = "oeq",
        One = "one",
        Olt = "olt",
        Ole = "ole",
        Ogt = "ogt",
        Oge = "oge",
        Uno = "uno",
        Ord = "ord",
    }
);

names!(
    /// Conversions between types of the same lane count.
    ConvOp {
        /// Zero-extend each lane to a wider integer.
        Uext = "uext",
        /// Sign-extend each lane to a wider integer.
        Sext = "sext",
        /// Keep the low bits of each lane.
        Trunc = "trunc",
        /// Reinterpret the bits as another type of the same total width.
        Bitcast = "bitcast",
        /// Widen floats (f32 to f64).
        Fpromote = "fpromote",
        /// Narrow floats (f64 to f32), rounding to nearest even.
        Fdemote = "fdemote",
        /// Signed integer to float, rounding to nearest even.
        Stof = "stof",
        /// Unsigned integer to float, rounding to nearest even.
        Utof = "utof",
    }
);

names!(
    /// Rounding modes of float-to-integer conversions and of rounding to an integral float.
    RoundMode {
        /// To nearest, ties to even.
        Nearest = "nearest",
        /// To nearest, ties away from zero.
        Away = "away",
        /// Towards plus infinity.
        Up = "up",
        /// Towards minus infinity.
        Down = "down",
        /// Towards zero.
        Zero = "zero",
        /// As the guest's FPCR says (the host's floating-point environment, which the runtime keeps
        /// in step with it), raising no inexact flag (FRINTI; FRINTX raises it in the IR).
        Current = "current",
    }
);

names!(
    /// Read-modify-write operations of `atomic_rmw`; each returns the old value.
    AtomicOp {
        Xchg = "xchg",
        Add = "add",
        /// Clears the operand's bits (AArch64 LDCLR): `old & !arg`.
        Clr = "clr",
        Or = "or",
        Xor = "xor",
        Smax = "smax",
        Smin = "smin",
        Umax = "umax",
        Umin = "umin",
    }
);

names!(
    /// Pure helpers too bulky to spell out in IR; the interpreter and the runtime both implement
    /// them from the one definition in `crate::helpers`.
    Helper {
        /// CRC-32 (polynomial 0x04C11DB7, reflected) of the low `8 * size` bits of the second
        /// operand, continuing the first: args (acc: i32, data: i64, size in bytes: i64).
        Crc32 = "crc32",
        /// CRC-32C (Castagnoli), same arguments as `crc32`.
        Crc32c = "crc32c",
        /// The virtual counter (CNTVCT_EL0); no arguments; i64.
        ReadCntvct = "read_cntvct",
        /// A write of FPCR: args (new value: i64); returns it. The runtime makes the host round and
        /// flush to zero as it says; the other controls (default NaN, AHP, FZ16) are read from
        /// the guest's FPCR where they act.
        FpcrWrite = "fpcr_write",
        /// A read of FPSR: args (the value held for it: i64); returns it with the cumulative
        /// exception flags the host raised since they were folded into the state (the runtime
        /// keeps them in the host's floating-point status register).
        FpsrRead = "fpsr_read",
        /// A write of FPSR: args (new value: i64); returns it. The host's raised flags are cleared.
        FpsrWrite = "fpsr_write",
        /// IC IVAU: args (an address: i64); returns it. Code the guest may have rewritten in the
        /// instruction cache line holding the address (`CTR_EL0`'s 64 bytes) must be fetched
        /// again: the runtime drops what its fallback engine lifted from it (a JIT's new code).
        InvalidateCode = "invalidate_code",
    }
);

names!(
    /// Why a `trap` terminator stops the guest; the runtime raises the matching signal.
    TrapKind {
        /// UDF or an encoding that is unallocated: SIGILL.
        Undefined = "undefined",
        /// An encoding vmtrans does not implement yet: SIGILL, and a report at translate time.
        Unsupported = "unsupported",
        /// BRK: SIGTRAP.
        Breakpoint = "breakpoint",
        /// HLT and other debug halts: SIGILL.
        Halt = "halt",
        /// An access the architecture requires to be aligned (acquire/release, exclusive, atomic;
        /// vmtrans implements no FEAT_LSE2) at an unaligned address: SIGBUS (BUS_ADRALN) with the
        /// address, which `a64::sem::ldst::ordered_access_address` recovers from the word.
        Misaligned = "misaligned",
    }
);

/// The data of one instruction.
#[derive(Clone, PartialEq, Debug)]
pub enum InstData {
    /// A constant of a scalar or vector type, given as its little-endian bits.
    Const {
        ty: Type,
        bits: u128,
    },
    /// The current value of a guest register.
    GetReg {
        reg: Reg,
    },
    /// Sets a guest register.
    SetReg {
        reg: Reg,
        arg: Value,
    },
    /// Loads a value of type `ty` from the little-endian guest address `addr` (i64).
    Load {
        ty: Type,
        addr: Value,
    },
    /// Stores `arg` at the guest address `addr` (i64), little-endian.
    Store {
        addr: Value,
        arg: Value,
    },
    Unary {
        op: UnaryOp,
        arg: Value,
    },
    Binary {
        op: BinaryOp,
        args: [Value; 2],
    },
    /// `cond ? args[0] : args[1]`, with an `i1` condition.
    Select {
        cond: Value,
        args: [Value; 2],
    },
    /// Fused `args[0] * args[1] + args[2]`, rounded once.
    Fma {
        args: [Value; 3],
    },
    Icmp {
        cc: IntCC,
        args: [Value; 2],
    },
    Fcmp {
        cc: FloatCC,
        args: [Value; 2],
    },
    Convert {
        op: ConvOp,
        ty: Type,
        arg: Value,
    },
    /// Float to integer of type `ty`, rounding as `round`, saturating; NaN gives zero.
    FpToInt {
        ty: Type,
        signed: bool,
        round: RoundMode,
        arg: Value,
    },
    /// Rounds a float to an integral float.
    RoundFp {
        round: RoundMode,
        arg: Value,
    },
    /// Lane `lane` of a vector.
    Extract {
        lane: u8,
        arg: Value,
    },
    /// The vector `args[0]` with lane `lane` replaced by `args[1]`.
    Insert {
        lane: u8,
        args: [Value; 2],
    },
    /// A vector of type `ty` with every lane `arg`.
    Splat {
        ty: Type,
        arg: Value,
    },
    /// Lanes picked from the concatenation of two vectors of one type; result has `mask.len()`
    /// lanes of their lane type.
    Shuffle {
        mask: Box<[u8]>,
        args: [Value; 2],
    },
    /// Atomically applies `op` at guest address `addr` and returns the old value.
    AtomicRmw {
        op: AtomicOp,
        addr: Value,
        arg: Value,
    },
    /// Atomically stores `args[1]` at `addr` if it holds `args[0]`; returns the old value.
    Cmpxchg {
        addr: Value,
        args: [Value; 2],
    },
    /// A full memory barrier.
    Fence,
    /// A call of a pure helper.
    CallHelper {
        helper: Helper,
        args: Box<[Value]>,
    },
}

/// How a block ends.
#[derive(Clone, PartialEq, Debug)]
pub enum Terminator {
    /// Not yet set (only while building; the verifier rejects it).
    None,
    Jump {
        dest: Block,
    },
    Branch {
        cond: Value,
        then_dest: Block,
        else_dest: Block,
    },
    /// A call of the guest function at `target` (BL), expected to return to `ret_addr`; execution
    /// then goes on in `cont`.
    CallGuest {
        target: u64,
        ret_addr: u64,
        cont: Block,
    },
    /// A call of the guest address held by `target` (BLR).
    CallIndirect {
        target: Value,
        ret_addr: u64,
        cont: Block,
    },
    /// A return to the guest address `target` (RET).
    Return {
        target: Value,
    },
    /// A jump to a guest address outside this function (a tail call, or a block not lifted here).
    JumpGuest {
        target: u64,
    },
    /// A jump to a computed guest address (BR).
    JumpIndirect {
        target: Value,
    },
    /// A system call (SVC) at guest address `pc`; execution then goes on in `cont` at `pc + 4`.
    Syscall {
        pc: u64,
        cont: Block,
    },
    /// Stops the guest with a signal at guest address `pc`; `insn` is the instruction word.
    Trap {
        kind: TrapKind,
        pc: u64,
        insn: u32,
    },
}

impl Terminator {
    /// The blocks of this function this terminator may continue in.
    pub fn successors(&self) -> Vec<Block> {
        match *self {
            Terminator::Jump { dest } => vec![dest],
            Terminator::Branch { then_dest, else_dest, .. } => vec![then_dest, else_dest],
            Terminator::CallGuest { cont, .. }
            | Terminator::CallIndirect { cont, .. }
            | Terminator::Syscall { cont, .. } => vec![cont],
            _ => vec![],
        }
    }

    /// The values this terminator reads.
    pub fn args(&self) -> Vec<Value> {
        match *self {
            Terminator::Branch { cond, .. } => vec![cond],
            Terminator::CallIndirect { target, .. }
            | Terminator::Return { target }
            | Terminator::JumpIndirect { target } => vec![target],
            _ => vec![],
        }
    }
}

impl InstData {
    /// The values this instruction reads, in operand order.
    pub fn args(&self) -> Vec<Value> {
        match self {
            InstData::Const { .. } | InstData::GetReg { .. } | InstData::Fence => vec![],
            InstData::SetReg { arg, .. }
            | InstData::Unary { arg, .. }
            | InstData::Convert { arg, .. }
            | InstData::FpToInt { arg, .. }
            | InstData::RoundFp { arg, .. }
            | InstData::Extract { arg, .. }
            | InstData::Splat { arg, .. } => vec![*arg],
            InstData::Load { addr, .. } => vec![*addr],
            InstData::Store { addr, arg } | InstData::AtomicRmw { addr, arg, .. } => vec![*addr, *arg],
            InstData::Binary { args, .. }
            | InstData::Icmp { args, .. }
            | InstData::Fcmp { args, .. }
            | InstData::Insert { args, .. }
            | InstData::Shuffle { args, .. } => args.to_vec(),
            InstData::Select { cond, args } => vec![*cond, args[0], args[1]],
            InstData::Fma { args } => args.to_vec(),
            InstData::Cmpxchg { addr, args } => vec![*addr, args[0], args[1]],
            InstData::CallHelper { args, .. } => args.to_vec(),
        }
    }

    /// True when the instruction is a floating-point operation that may raise one of FPSR's
    /// cumulative exception flags as it computes (the host raises them: see `Helper::FpsrRead`).
    /// Such an operation is kept, and computed, even when nothing reads its result, so that a
    /// result overwritten before it is read still leaves its flags.
    pub fn may_raise_fp_exception(&self) -> bool {
        use BinaryOp::*;
        match self {
            InstData::Binary { op, .. } => {
                matches!(op, Fadd | Fsub | Fmul | Fdiv | Fmin | Fmax | Fminnm | Fmaxnm)
            }
            InstData::Unary { op, .. } => *op == UnaryOp::Fsqrt,
            InstData::Convert { op, .. } => {
                matches!(op, ConvOp::Fpromote | ConvOp::Fdemote | ConvOp::Stof | ConvOp::Utof)
            }
            // A float comparison raises only what every comparison of the same operands raises
            // (FCMP's flags come from several), so an unused one may go.
            InstData::Fma { .. } | InstData::RoundFp { .. } => true,
            _ => false,
        }
    }

    /// True for the float operations whose NaN results follow FPCR.DN (default-NaN mode): with DN
    /// set, every NaN they produce is the default NaN (positive, only the quiet bit set) instead of
    /// a propagated operand (the manual's FPProcessNaN). They read FPCR as the guest state holds it
    /// at that moment, like the rounding mode and flush-to-zero that the host environment follows.
    /// Float results built from integer operations (half precision, estimates) apply the mode in
    /// the lifter.
    pub fn follows_default_nan_mode(&self) -> bool {
        use BinaryOp::*;
        match self {
            InstData::Binary { op, .. } => matches!(op, Fadd | Fsub | Fmul | Fdiv | Fmin | Fmax | Fminnm | Fmaxnm),
            InstData::Unary { op, .. } => *op == UnaryOp::Fsqrt,
            InstData::Convert { op, .. } => matches!(op, ConvOp::Fpromote | ConvOp::Fdemote),
            InstData::Fma { .. } | InstData::RoundFp { .. } => true,
            _ => false,
        }
    }

    /// The register the instruction reads besides through `get`: FPCR for the operations that
    /// follow its default-NaN mode (`follows_default_nan_mode`), which the code generator reads
    /// from the state. A pass that removes register writes nothing reads must count it.
    pub fn implicit_register_read(&self) -> Option<Reg> {
        self.follows_default_nan_mode().then_some(Reg::FPCR)
    }

    /// True when the instruction has an effect besides its result (so it may not be removed even
    /// if its result is unused).
    pub fn has_side_effect(&self) -> bool {
        matches!(
            self,
            InstData::SetReg { .. }
                | InstData::Store { .. }
                | InstData::AtomicRmw { .. }
                | InstData::Cmpxchg { .. }
                | InstData::Fence
                | InstData::Load { .. }
                | InstData::CallHelper {
                    helper: Helper::ReadCntvct
                        | Helper::FpcrWrite
                        | Helper::FpsrRead
                        | Helper::FpsrWrite
                        | Helper::InvalidateCode,
                    ..
                }
        )
    }
}

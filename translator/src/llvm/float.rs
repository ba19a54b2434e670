//! Lowering of the IR's floating-point operations, the part of `ops.rs` where AArch64 and x86-64
//! differ: NaN results made as AArch64 makes them (`nan_fix`: the first signalling NaN operand
//! quietened, else the first quiet one, else the positive default NaN, on a cold path), compares
//! that raise exactly the flags FCMP raises, conversions that saturate and round as FCVT* does,
//! FMAX/FMIN with AArch64's NaN and zero rules, and single-precision pairs computed lane by lane
//! so that stale upper lanes raise nothing. Each guest instruction's semantics stay in the lifter
//! (ir/src/a64/sem); this only makes each IR operation exact on the host.

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::{LLVMIntPredicate, LLVMOpcode, LLVMRealPredicate};
use rustc_hash::FxHashMap;
use vmtrans_ir::a64::state::fpcr;
use vmtrans_ir::inst::*;
use vmtrans_ir::types::Type;
use vmtrans_ir::{Reg, Value};

use super::lower::FnLowering;
use super::types::NONAME;

impl FnLowering<'_> {
    /// A float comparison. The ordering and equality predicates on scalars go through x86's quiet
    /// compare (`ucomiss`/`ucomisd`, which raises invalid only for a signalling NaN, as FCMP
    /// does): LLVM lowers a plain `fcmp olt` that it keeps as a mask to `cmpltss`, which raises
    /// invalid for a quiet NaN too, and it folds away any guard placed around the compare; and it
    /// rewrites `fcmp oeq x, 0.0` on a float made from integer bits (FMOV from a general
    /// register, a widened half) into an integer test of those bits, which raises nothing for a
    /// signalling NaN.
    pub(super) fn fcmp(&self, p: LLVMRealPredicate, a: LLVMValueRef, b: LLVMValueRef) -> LLVMValueRef {
        use LLVMRealPredicate::*;
        // SAFETY: `a` is a value of this context.
        let ty = unsafe { LLVMTypeOf(a) };
        let scalar = unsafe { LLVMGetTypeKind(ty) } != inkwell::llvm_sys::LLVMTypeKind::LLVMVectorTypeKind;
        let name = match p {
            LLVMRealOLT => "lt",
            LLVMRealOLE => "le",
            LLVMRealOGT => "gt",
            LLVMRealOGE => "ge",
            LLVMRealOEQ => "eq",
            LLVMRealUNE => "neq",
            _ => "",
        };
        if !scalar || name.is_empty() {
            // The host instruction (`ucomiss`, `cmpunordss`, `cmpltps`, ...) raises invalid for a
            // signalling NaN, so the semantics compare zeros where a compare must not happen (FCCMP
            // whose condition fails). LLVM would rewrite a compare of such a select into a select
            // of compares and run the compare of the NaN anyway: fences, which cost no
            // instruction, keep it from looking through.
            let (fenced_a, fenced_b) = self.fenced_pair(a, b);
            return unsafe { LLVMBuildFCmp(self.b, p, fenced_a, fenced_b, NONAME) };
        }
        let single = ty == self.t.of(Type::F32);
        let (vector_ty, intrinsic) = if single {
            (unsafe { LLVMVectorType(ty, 4) }, format!("llvm.x86.sse.ucomi{name}.ss"))
        } else {
            (unsafe { LLVMVectorType(ty, 2) }, format!("llvm.x86.sse2.ucomi{name}.sd"))
        };
        let zero = self.t.const_int(self.t.i32, 0);
        // SAFETY: the builder is positioned in a block; lane 0 exists.
        let (va, vb) = unsafe {
            (
                LLVMBuildInsertElement(self.b, LLVMGetPoison(vector_ty), a, zero, NONAME),
                LLVMBuildInsertElement(self.b, LLVMGetPoison(vector_ty), b, zero, NONAME),
            )
        };
        let r = self.intrinsic(&intrinsic, &[], &[va, vb]);
        self.icmp(LLVMIntPredicate::LLVMIntNE, r, zero)
    }

    /// `x` behind `llvm.arithmetic.fence`, which costs no instruction but hides the value from
    /// LLVM's folds (see the callers for what each would fold).
    pub(super) fn fenced(&self, x: LLVMValueRef) -> LLVMValueRef {
        // SAFETY: `x` is a value of this context.
        let ty = unsafe { LLVMTypeOf(x) };
        self.intrinsic("llvm.arithmetic.fence", &[ty], &[x])
    }

    /// Both operands fenced, once when they are the same value.
    pub(super) fn fenced_pair(&self, a: LLVMValueRef, b: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef) {
        let fenced_a = self.fenced(a);
        (fenced_a, if a == b { fenced_a } else { self.fenced(b) })
    }

    /// Whether each lane of float `x` (of type `t`) is a signalling NaN (a NaN with its quiet
    /// bit clear).
    pub(super) fn is_snan(&self, t: Type, x: LLVMValueRef) -> LLVMValueRef {
        let is_nan = self.fcmp(LLVMRealPredicate::LLVMRealUNO, x, x);
        let bits = self.bitcast(x, self.t.int_of(t));
        let quiet = self.binop(LLVMOpcode::LLVMAnd, bits, self.t.splat_const(t, quiet_bit(t)));
        let quiet_clear = self.icmp(LLVMIntPredicate::LLVMIntEQ, quiet, self.t.splat_const(t, 0));
        self.binop(LLVMOpcode::LLVMAnd, is_nan, quiet_clear)
    }

    /// Finishes a float result as AArch64 does (FPProcessNaNs): when the host produced a NaN,
    /// the first signalling NaN operand in `ops` order made quiet, else the first quiet NaN
    /// operand, else the positive default NaN (always the default NaN under FPCR.DN). For an
    /// operation whose check its readers' checks stand for (`deferred_nan.rs`), `r` as it is,
    /// recorded for their cold paths.
    pub(super) fn nan_fix(&self, t: Type, r: LLVMValueRef, ops: &[LLVMValueRef]) -> LLVMValueRef {
        if self.defer_nan_check.replace(false) {
            self.unchecked_nan_results.borrow_mut().insert(r, (t, ops.to_vec()));
            return r;
        }
        self.fix_nan_lanes(t, r, || {
            let mut rebuilt = FxHashMap::default();
            let ops: Vec<LLVMValueRef> = ops.iter().map(|&op| self.exact_nan(op, &mut rebuilt)).collect();
            self.propagated_nan(t, &ops)
        })
    }

    /// The NaN AArch64 makes from operands `ops` (of float type `t`), lane by lane: the first
    /// signalling NaN quietened, else the first quiet NaN, else the positive default NaN.
    fn propagated_nan(&self, t: Type, ops: &[LLVMValueRef]) -> LLVMValueRef {
        let it = self.t.int_of(t);
        let quieted = |op: LLVMValueRef| {
            let q = self.binop(LLVMOpcode::LLVMOr, self.bitcast(op, it), self.t.splat_const(t, quiet_bit(t)));
            self.bitcast(q, self.t.of(t))
        };
        // The operands' bits are taken from fenced values: unfenced, LLVM folds the cast of an
        // operand that the guest's code made from bits (a float read from a register or loaded
        // from memory) back to those bits, which then go from the hot path to this cold one in a
        // general-purpose register: one move per float operation.
        let ops: Vec<LLVMValueRef> = ops.iter().map(|&op| self.fenced(op)).collect();
        let mut out = self.default_nan(t);
        // Later selects win, so going backwards leaves the first operand of each kind.
        for &op in ops.iter().rev() {
            let is_nan = self.fcmp(LLVMRealPredicate::LLVMRealUNO, op, op);
            out = self.select(is_nan, quieted(op), out);
        }
        if ops.len() > 1 {
            for &op in ops.iter().rev() {
                out = self.select(self.is_snan(t, op), quieted(op), out);
            }
        }
        out
    }

    /// On a cold path: `x`, an operand of a float operation, as AArch64 would have computed it.
    /// That is `x` itself, but where `x` is (a bit-moving conversion of) a result made without
    /// its NaN check: whose NaN lanes are then rebuilt from its own operands, rebuilt first.
    /// Which lanes are NaNs the host got right (see `deferred_nan.rs`). `rebuilt` remembers
    /// what this cold path rebuilt already.
    pub(super) fn exact_nan(
        &self,
        x: LLVMValueRef,
        rebuilt: &mut FxHashMap<LLVMValueRef, LLVMValueRef>,
    ) -> LLVMValueRef {
        if let Some(&exact) = rebuilt.get(&x) {
            return exact;
        }
        let unchecked = self.unchecked_nan_results.borrow().get(&x).cloned();
        let exact = if let Some((t, ops)) = unchecked {
            let ops: Vec<LLVMValueRef> = ops.iter().map(|&op| self.exact_nan(op, rebuilt)).collect();
            let out = self.propagated_nan(t, &ops);
            let out = self.select(self.default_nan_mode(), self.default_nan(t), out);
            // SAFETY: the builder is positioned in a block; `x` is a float (vector) of this context.
            let x_nan = unsafe { LLVMBuildFCmp(self.b, LLVMRealPredicate::LLVMRealUNO, x, x, NONAME) };
            self.select(x_nan, out, x)
        } else if let Some((opcode, source)) = bit_moving_cast(x) {
            let exact_source = self.exact_nan(source, rebuilt);
            if exact_source == source {
                x
            } else {
                // SAFETY: `x` is a value of this context.
                self.cast(opcode, exact_source, unsafe { LLVMTypeOf(x) })
            }
        } else {
            x
        };
        rebuilt.insert(x, exact);
        exact
    }

    /// The positive default NaN in every lane of float type `t`.
    pub(super) fn default_nan(&self, t: Type) -> LLVMValueRef {
        let bits = if t.lane_bits() == 32 { 0x7fc0_0000u128 } else { 0x7ff8_0000_0000_0000 };
        self.bitcast(self.t.splat_const(t, bits), self.t.of(t))
    }

    /// Replaces the NaN lanes of float result `r` (of type `t`) on a cold path, entered when any
    /// lane is NaN: by `propagated()` (built there, so its work costs nothing on the hot path), or
    /// by the default NaN when the guest's FPCR.DN is set (read from the state there).
    ///
    /// `r` comes from a host operation, never a signalling NaN, so its test needs none of the fences
    /// `fcmp` puts around compares (they kept LLVM from copying the result to another register for
    /// the test: one `movapd` per float operation); what LLVM may do with the bare test (drop it
    /// where it proves `r` no NaN, compare an operand instead, as for a square root) raises
    /// nothing the operation itself does not.
    pub(super) fn fix_nan_lanes(
        &self,
        t: Type,
        r: LLVMValueRef,
        propagated: impl FnOnce() -> LLVMValueRef,
    ) -> LLVMValueRef {
        // SAFETY: the builder is positioned in a block; `r` is a float (vector) of this context.
        let r_nan = unsafe { LLVMBuildFCmp(self.b, LLVMRealPredicate::LLVMRealUNO, r, r, NONAME) };
        let any_nan = if t.lanes() > 1 {
            let flag_ty = unsafe { LLVMTypeOf(r_nan) };
            self.intrinsic("llvm.vector.reduce.or", &[flag_ty], &[r_nan])
        } else {
            r_nan
        };
        // SAFETY: the builder is positioned inside a function; the new blocks join that function.
        unsafe {
            let func = LLVMGetBasicBlockParent(LLVMGetInsertBlock(self.b));
            let entry = LLVMGetInsertBlock(self.b);
            let slow = LLVMAppendBasicBlockInContext(self.t.ctx, func, NONAME);
            let join = LLVMAppendBasicBlockInContext(self.t.ctx, func, NONAME);
            let br = LLVMBuildCondBr(self.b, any_nan, slow, join);
            // The NaN path is unlikely.
            self.set_branch_weights(br, 1, 2000);
            LLVMPositionBuilderAtEnd(self.b, slow);
            let out = propagated();
            let out = self.select(self.default_nan_mode(), self.default_nan(t), out);
            let fixed = self.select(r_nan, out, r);
            let slow_end = LLVMGetInsertBlock(self.b);
            LLVMBuildBr(self.b, join);
            LLVMPositionBuilderAtEnd(self.b, join);
            let phi = LLVMBuildPhi(self.b, self.t.of(t), NONAME);
            let mut values = [r, fixed];
            let mut blocks = [entry, slow_end];
            LLVMAddIncoming(phi, values.as_mut_ptr(), blocks.as_mut_ptr(), 2);
            phi
        }
    }

    /// Whether the guest's FPCR.DN (default-NaN mode) is set: an `i1` loaded from the state, which
    /// holds FPCR exactly at every point (a write of FPCR stores it there at once: `SetReg`).
    pub(super) fn default_nan_mode(&self) -> LLVMValueRef {
        let fpcr = self.load_state_field(Reg::FPCR);
        let dn = self.binop(LLVMOpcode::LLVMAnd, fpcr, self.t.const_int(self.t.i64, u128::from(fpcr::DN)));
        self.icmp(LLVMIntPredicate::LLVMIntNE, dn, self.t.const_int(self.t.i64, 0))
    }

    /// A float of `t`'s shape (f32 or f64 lanes) with every lane `value`.
    pub(super) fn float_splat(&self, t: Type, value: f64) -> LLVMValueRef {
        let bits = if t.lane_bits() == 32 { (value as f32).to_bits() as u128 } else { value.to_bits() as u128 };
        self.bitcast(self.t.splat_const(t, bits), self.t.of(t))
    }

    /// Rounds each lane of `x` to an integral value, ties away from zero (FRINTA), with no
    /// arithmetic that rounds: LLVM's `llvm.round` adds a number just below one half in the host's
    /// current mode, which the guest's FPCR may have made a directed one (and which raises inexact).
    /// Below 2^52 (2^23 for f32) the fraction `x - trunc(x)` is exact, and so is moving one further
    /// from zero; larger values, infinities and NaNs are `trunc(x)` (NaNs quieted, as FRINTA does).
    pub(super) fn round_away(&self, t: Type, x: LLVMValueRef) -> LLVMValueRef {
        let ft = self.t.of(t);
        let (mantissa_bits, abs_mask) =
            if t.lane_bits() == 32 { (23, 0x7fff_ffffu128) } else { (52, 0x7fff_ffff_ffff_ffffu128) };
        let limit = self.float_splat(t, (mantissa_bits as f64).exp2());
        // An integer compare of the magnitudes, so that a NaN raises nothing (and compares above).
        let abs_bits =
            self.binop(LLVMOpcode::LLVMAnd, self.bitcast(x, self.t.int_of(t)), self.t.splat_const(t, abs_mask));
        let small = self.icmp(LLVMIntPredicate::LLVMIntULT, abs_bits, self.bitcast(limit, self.t.int_of(t)));
        let small_x = self.select(small, x, self.float_splat(t, 0.0));
        let truncated = self.intrinsic("llvm.trunc", &[ft], &[small_x]);
        let fraction = self.binop(LLVMOpcode::LLVMFSub, small_x, truncated);
        let fraction_abs = self.intrinsic("llvm.fabs", &[ft], &[fraction]);
        let up = self.fcmp(LLVMRealPredicate::LLVMRealOGE, fraction_abs, self.float_splat(t, 0.5));
        let unit = self.intrinsic("llvm.copysign", &[ft], &[self.float_splat(t, 1.0), x]);
        let bumped = self.binop(LLVMOpcode::LLVMFAdd, truncated, unit);
        let rounded_small = self.select(up, bumped, truncated);
        let rounded_large = self.intrinsic("llvm.trunc", &[ft], &[x]);
        self.select(small, rounded_small, rounded_large)
    }

    /// Converts each lane of the unsigned integer `x` (of type `from`) to the float type `to`,
    /// rounding once in the host's current mode. LLVM expands an unsigned conversion of 64-bit
    /// and vector operands with a subtraction of magic numbers, which gives -0.0 for 0 when the
    /// mode rounds down; here a lane with its top bit set is halved with its lowest bit kept as a
    /// sticky bit, converted as signed (the only rounding) and doubled (exact). Neither conversion
    /// raises a flag the exact one would not: a lane whose unsigned value is exact is exact as a
    /// signed value too.
    pub(super) fn unsigned_to_float(&self, from: Type, x: LLVMValueRef, to: LLVMTypeRef) -> LLVMValueRef {
        if !from.is_vector() && from.bits() < 64 {
            // Zero-extended, a narrower scalar is a non-negative 64-bit one: one signed conversion.
            let wide = self.cast(LLVMOpcode::LLVMZExt, x, self.t.i64);
            return self.cast(LLVMOpcode::LLVMSIToFP, wide, to);
        }
        let one = self.t.splat_const(from, 1);
        let halved = self.binop(
            LLVMOpcode::LLVMOr,
            self.binop(LLVMOpcode::LLVMLShr, x, one),
            self.binop(LLVMOpcode::LLVMAnd, x, one),
        );
        let halved_float = self.cast(LLVMOpcode::LLVMSIToFP, halved, to);
        let doubled = self.binop(LLVMOpcode::LLVMFAdd, halved_float, halved_float);
        let direct = self.cast(LLVMOpcode::LLVMSIToFP, x, to);
        let top_bit_set = self.icmp(LLVMIntPredicate::LLVMIntSLT, x, self.t.splat_const(from, 0));
        self.select(top_bit_set, doubled, direct)
    }

    /// Converts each lane of float `x` (of type `from`), rounded as `round`, to the integer type
    /// `to`, signed or unsigned, saturating (a NaN gives 0), raising no host flag (the lifter
    /// computes FPToFixed's IOC and IXC itself; a signalling NaN raises invalid when it is rounded).
    /// LLVM's `fptosi.sat`/`fptoui.sat` raise invalid for out-of-range lanes and, unsigned, inexact
    /// for small ones (they subtract 2^63 from every lane), and LLVM may speculate a conversion
    /// past a select that guards it; so each lane is rounded on its own (a 64-bit vector's would
    /// otherwise be rounded in a register whose upper lanes hold stale data) and goes through
    /// x86's truncating conversion to 64 bits (an intrinsic LLVM does not move conversions into)
    /// of a value selected to be in range, and saturation is chosen with integer selects.
    pub(super) fn float_to_int(
        &self,
        round: RoundMode,
        from: Type,
        to: Type,
        signed: bool,
        x: LLVMValueRef,
    ) -> LLVMValueRef {
        if !from.is_vector() {
            let r = self.rounded(round, from, x);
            return self.integral_lane_to_int(from, to, signed, r);
        }
        let (from_lane, to_lane) = (from.lane_type(), to.lane_type());
        let mut out = unsafe { LLVMGetPoison(self.t.of(to)) };
        for i in 0..from.lanes() {
            let index = self.t.const_int(self.t.i32, i as u128);
            // SAFETY: the builder is positioned in a block; lanes are in range.
            unsafe {
                let lane = LLVMBuildExtractElement(self.b, x, index, NONAME);
                let r = self.rounded(round, from_lane, lane);
                let c = self.integral_lane_to_int(from_lane, to_lane, signed, r);
                out = LLVMBuildInsertElement(self.b, out, c, index, NONAME);
            }
        }
        out
    }

    /// `float_to_int` for one scalar lane, already rounded to the integral `r`. Its tests look at the float's bits: LLVM lowers
    /// pairs of scalar float compares to packed ones over the whole host register, whose other
    /// lanes may hold NaNs and raise invalid.
    pub(super) fn integral_lane_to_int(&self, from: Type, to: Type, signed: bool, r: LLVMValueRef) -> LLVMValueRef {
        use LLVMIntPredicate::{LLVMIntEQ, LLVMIntSLT, LLVMIntUGE, LLVMIntUGT, LLVMIntULT};
        let (w, fw) = (to.bits(), from.bits());
        let it = self.t.of(Type::int(fw));
        let float_bits = |x: f64| {
            let b = if fw == 32 { (x as f32).to_bits() as u128 } else { x.to_bits() as u128 };
            self.t.const_int(it, b)
        };
        let bits = self.bitcast(r, it);
        let abs = self.binop(LLVMOpcode::LLVMAnd, bits, self.t.const_int(it, (1u128 << (fw - 1)) - 1));
        let negative = self.icmp(LLVMIntSLT, bits, self.t.const_int(it, 0));
        let is_zero = self.icmp(LLVMIntEQ, abs, self.t.const_int(it, 0));
        let in_range = if signed {
            let below = self.icmp(LLVMIntULT, abs, float_bits(2f64.powi(w as i32 - 1)));
            let is_min = self.icmp(LLVMIntEQ, bits, float_bits(-(2f64.powi(w as i32 - 1))));
            self.binop(LLVMOpcode::LLVMOr, below, is_min)
        } else {
            // A rounded negative value is -0.0 (in range) or at most -1.
            let below = self.icmp(LLVMIntULT, abs, float_bits(2f64.powi(w as i32)));
            let sign_ok = self.binop(LLVMOpcode::LLVMOr, unsafe { LLVMBuildNot(self.b, negative, NONAME) }, is_zero);
            self.binop(LLVMOpcode::LLVMAnd, below, sign_ok)
        };
        // An unsigned 64-bit value of 2^63 or more is an integral float with at least 11 trailing
        // zero bits: halving it is exact, and so is doubling the converted half.
        let big = (!signed && w == 64).then(|| {
            let big = self.icmp(LLVMIntUGE, bits, float_bits(2f64.powi(63)));
            self.binop(LLVMOpcode::LLVMAnd, big, unsafe { LLVMBuildNot(self.b, negative, NONAME) })
        });
        let operand = match big {
            Some(big) => self.select(big, self.binop(LLVMOpcode::LLVMFMul, r, self.float_splat(from, 0.5)), r),
            None => r,
        };
        let safe = self.select(in_range, operand, self.float_splat(from, 0.0));
        let (vector_ty, name) = if fw == 32 {
            (unsafe { LLVMVectorType(self.t.of(Type::F32), 4) }, "llvm.x86.sse.cvttss2si64")
        } else {
            (unsafe { LLVMVectorType(self.t.of(Type::F64), 2) }, "llvm.x86.sse2.cvttsd2si64")
        };
        // SAFETY: the builder is positioned in a block; lane 0 exists.
        let as_vector = unsafe {
            LLVMBuildInsertElement(self.b, LLVMGetPoison(vector_ty), safe, self.t.const_int(self.t.i32, 0), NONAME)
        };
        let mut converted = self.intrinsic(name, &[], &[as_vector]);
        if let Some(big) = big {
            let doubled = self.binop(LLVMOpcode::LLVMShl, converted, self.t.const_int(self.t.i64, 1));
            converted = self.select(big, doubled, converted);
        }
        let converted = if w < 64 { self.cast(LLVMOpcode::LLVMTrunc, converted, self.t.of(to)) } else { converted };
        let int_const = |x: u128| self.t.const_int(self.t.of(to), x & ((1u128 << w) - 1));
        let (min, max) = if signed { (1u128 << (w - 1), (1u128 << (w - 1)) - 1) } else { (0, u128::MAX) };
        let nan = self.icmp(LLVMIntUGT, abs, float_bits(f64::INFINITY));
        let saturated = self.select(negative, int_const(min), int_const(max));
        let saturated = self.select(nan, int_const(0), saturated);
        self.select(in_range, converted, saturated)
    }

    /// `llvm.minimum` or `llvm.maximum` (`name`) of `a` and `b` (of type `ty`) without the host's
    /// invalid flag for quiet NaNs: x86's min and max raise it for any NaN operand, Arm's FMIN and
    /// FMAX only for signalling ones. Lanes where either operand is a NaN compute on zeros and give
    /// a NaN, which `nan_fix` then replaces by the right one; the NaN test itself raises invalid
    /// only for a signalling NaN.
    pub(super) fn min_max(&self, name: &str, ty: Type, a: LLVMValueRef, b: LLVMValueRef) -> LLVMValueRef {
        let lt = self.t.of(ty);
        // LLVM folds the minimum or maximum of a value with itself to the value, but under
        // flush-to-zero FMIN of a denormal with itself is a zero (the host's min, under
        // denormals-are-zero, gives it too): the fence, which costs no instruction, keeps the
        // operands apart.
        let b = self.fenced(b);
        let a_nan = self.fcmp(LLVMRealPredicate::LLVMRealUNO, a, a);
        let b_nan = self.fcmp(LLVMRealPredicate::LLVMRealUNO, b, b);
        let any_nan = self.binop(LLVMOpcode::LLVMOr, a_nan, b_nan);
        let zero = self.float_splat(ty, 0.0);
        let m = self.intrinsic(name, &[lt], &[self.select(any_nan, zero, a), self.select(any_nan, zero, b)]);
        self.select(any_nan, self.float_splat(ty, f64::NAN), m)
    }

    pub(super) fn rounded(&self, mode: RoundMode, t: Type, v: LLVMValueRef) -> LLVMValueRef {
        // LLVM rounds a constant operand at translation time as if FPCR were zero: a denormal as if
        // FZ were clear (ceil of one is 1, where FZ makes it 0) and `nearbyint` to nearest whatever
        // the rounding mode. The fence, which costs no instruction, leaves the rounding to run time.
        let v = self.fenced(v);
        let name = match mode {
            RoundMode::Away => return self.round_away(t, v),
            RoundMode::Nearest => "llvm.roundeven",
            RoundMode::Up => "llvm.ceil",
            RoundMode::Down => "llvm.floor",
            RoundMode::Zero => "llvm.trunc",
            RoundMode::Current => "llvm.nearbyint",
        };
        self.intrinsic(name, &[self.t.of(t)], &[v])
    }

    /// `fma(a, b, c)` (a * b + c rounded once) of type `ty`, with AArch64's NaN rules.
    pub(super) fn fma(&self, ty: Type, a: LLVMValueRef, b: LLVMValueRef, c: LLVMValueRef) -> LLVMValueRef {
        // LLVM computes a fused multiply-add of operands it proves constant (lanes a scalar write
        // zeroed, taken one at a time for a pair of singles) at translation time, rounding to
        // nearest: FMLS of such zeros towards minus infinity gave +0.0 for -0.0. The fences,
        // which cost no instruction, leave it to run time.
        let (fenced_a, fenced_b) = self.fenced_pair(a, b);
        let fenced_c = self.fenced(c);
        let r = self.intrinsic("llvm.fma", &[self.t.of(ty)], &[fenced_a, fenced_b, fenced_c]);
        self.nan_fix(ty, r, &[c, a, b])
    }

    /// The float comparison `cc` of `a` and `b` (of type `ty`): an `i1`, or a lane mask.
    pub(super) fn float_compare(&self, cc: FloatCC, ty: Type, a: LLVMValueRef, b: LLVMValueRef) -> LLVMValueRef {
        let p = match cc {
            FloatCC::Oeq => LLVMRealPredicate::LLVMRealOEQ,
            FloatCC::One => LLVMRealPredicate::LLVMRealONE,
            FloatCC::Olt => LLVMRealPredicate::LLVMRealOLT,
            FloatCC::Ole => LLVMRealPredicate::LLVMRealOLE,
            FloatCC::Ogt => LLVMRealPredicate::LLVMRealOGT,
            FloatCC::Oge => LLVMRealPredicate::LLVMRealOGE,
            FloatCC::Uno => LLVMRealPredicate::LLVMRealUNO,
            FloatCC::Ord => LLVMRealPredicate::LLVMRealORD,
        };
        let c = self.fcmp(p, a, b);
        if ty.is_vector() {
            self.cast(LLVMOpcode::LLVMSExt, c, self.t.int_of(ty))
        } else {
            c
        }
    }

    /// `x` (of type `ty`) rounded to an integral value as `round` says, NaNs quieted.
    pub(super) fn round_fp(&self, round: RoundMode, ty: Type, x: LLVMValueRef) -> LLVMValueRef {
        let r = self.rounded(round, ty, x);
        self.nan_fix(ty, r, &[x])
    }

    /// Lowers a floating-point instruction on two single-precision lanes (a 64-bit vector) one
    /// lane at a time, or returns None for any other instruction. LLVM widens such vectors to four
    /// lanes whose upper two hold whatever the host register held, and an operation on those
    /// raises host flags the guest's does not (an overflow of stale data, an invalid operation on
    /// a stale NaN); scalar operations touch only their lane.
    pub(super) fn lower_single_pair(&self, v: Value) -> Option<LLVMValueRef> {
        let is_pair = |t: Type| t.is_vector() && t.lanes() == 2 && t.lane_bits() == 32;
        let inst = self.func.inst(v).clone();
        let (args, f): (Vec<Value>, Box<dyn Fn(&[LLVMValueRef]) -> LLVMValueRef + '_>) = match inst {
            InstData::Binary { op, args } if is_pair(self.ty(args[0])) && self.ty(args[0]).is_float_like() => {
                (args.to_vec(), Box::new(move |l: &[LLVMValueRef]| self.binary(op, Type::F32, l[0], l[1])))
            }
            InstData::Unary { op: UnaryOp::Fsqrt, arg } if is_pair(self.ty(arg)) => {
                (vec![arg], Box::new(|l: &[LLVMValueRef]| self.unary(UnaryOp::Fsqrt, Type::F32, l[0])))
            }
            InstData::Fma { args } if is_pair(self.ty(args[0])) => {
                (args.to_vec(), Box::new(|l: &[LLVMValueRef]| self.fma(Type::F32, l[0], l[1], l[2])))
            }
            InstData::Fcmp { cc, args } if is_pair(self.ty(args[0])) => (
                args.to_vec(),
                Box::new(move |l: &[LLVMValueRef]| {
                    let c = self.float_compare(cc, Type::F32, l[0], l[1]);
                    self.cast(LLVMOpcode::LLVMSExt, c, self.t.i32)
                }),
            ),
            InstData::RoundFp { round, arg } if is_pair(self.ty(arg)) => {
                (vec![arg], Box::new(move |l: &[LLVMValueRef]| self.round_fp(round, Type::F32, l[0])))
            }
            InstData::Convert { op: op @ (ConvOp::Stof | ConvOp::Utof), ty, arg } if is_pair(ty) => (
                vec![arg],
                Box::new(move |l: &[LLVMValueRef]| {
                    let f32_ty = self.t.of(Type::F32);
                    // Hidden from LLVM's folds as in `lower_value`'s conversions.
                    let x = self.opaque(l[0]);
                    if op == ConvOp::Stof {
                        self.cast(LLVMOpcode::LLVMSIToFP, x, f32_ty)
                    } else {
                        self.unsigned_to_float(Type::I32, x, f32_ty)
                    }
                }),
            ),
            _ => return None,
        };
        let result_ty = self.func.results[v.index()].expect("a value");
        let operands: Vec<LLVMValueRef> = args.iter().map(|&a| self.float_operand(a)).collect();
        // SAFETY: the builder is positioned in a block; both lanes exist.
        unsafe {
            let mut out = LLVMGetPoison(self.t.of(result_ty));
            for lane in 0..2 {
                let index = self.t.const_int(self.t.i32, lane);
                let lanes: Vec<LLVMValueRef> =
                    operands.iter().map(|&x| LLVMBuildExtractElement(self.b, x, index, NONAME)).collect();
                out = LLVMBuildInsertElement(self.b, out, f(&lanes), index, NONAME);
            }
            Some(out)
        }
    }
}

/// The opcode and operand of `x` when it is a bitcast, truncation or zero extension instruction.
fn bit_moving_cast(x: LLVMValueRef) -> Option<(LLVMOpcode, LLVMValueRef)> {
    // SAFETY: queries of a value of this context; an instruction of these opcodes has operand 0.
    unsafe {
        if LLVMIsAInstruction(x).is_null() {
            return None;
        }
        let opcode = LLVMGetInstructionOpcode(x);
        matches!(opcode, LLVMOpcode::LLVMBitCast | LLVMOpcode::LLVMTrunc | LLVMOpcode::LLVMZExt)
            .then(|| (opcode, LLVMGetOperand(x, 0)))
    }
}

/// The quiet bit of a NaN of `t`'s lane type (the top fraction bit).
fn quiet_bit(t: Type) -> u128 {
    match t.lane_bits() {
        16 => 1 << 9,
        32 => 1 << 22,
        _ => 1 << 51,
    }
}

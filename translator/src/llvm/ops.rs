//! Lowering of IR instructions to LLVM instructions, one arm per IR operation, matching the
//! reference interpreter's semantics (ir/src/interp.rs): shifts take their amount modulo the lane
//! width, divisions by zero give zero, counts of zero give the width, float-to-integer
//! conversions saturate, and NaN results follow AArch64's rules (the floating-point operations'
//! own lowering is in `float.rs`).

use std::collections::BTreeSet;

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::{LLVMAtomicOrdering, LLVMAtomicRMWBinOp, LLVMIntPredicate, LLVMOpcode, LLVMRealPredicate};
use vmtrans_ir::inst::*;
use vmtrans_ir::types::Type;
use vmtrans_ir::{Reg, Value};

use super::lower::FnLowering;
use super::types::NONAME;

impl FnLowering<'_> {
    pub(super) fn val(&self, v: Value) -> LLVMValueRef {
        self.values[v.index()].expect("value lowered before use")
    }

    pub(super) fn ty(&self, v: Value) -> Type {
        self.func.value_type(v)
    }

    pub(super) fn binop(&self, op: LLVMOpcode, a: LLVMValueRef, b: LLVMValueRef) -> LLVMValueRef {
        unsafe { LLVMBuildBinOp(self.b, op, a, b, NONAME) }
    }

    pub(super) fn icmp(&self, p: LLVMIntPredicate, a: LLVMValueRef, b: LLVMValueRef) -> LLVMValueRef {
        unsafe { LLVMBuildICmp(self.b, p, a, b, NONAME) }
    }

    pub(super) fn select(&self, c: LLVMValueRef, a: LLVMValueRef, b: LLVMValueRef) -> LLVMValueRef {
        unsafe { LLVMBuildSelect(self.b, c, a, b, NONAME) }
    }

    pub(super) fn cast(&self, op: LLVMOpcode, v: LLVMValueRef, ty: LLVMTypeRef) -> LLVMValueRef {
        unsafe { LLVMBuildCast(self.b, op, v, ty, NONAME) }
    }

    pub(super) fn bitcast(&self, v: LLVMValueRef, ty: LLVMTypeRef) -> LLVMValueRef {
        self.cast(LLVMOpcode::LLVMBitCast, v, ty)
    }

    /// Calls the intrinsic `name` overloaded on `tys`.
    pub(super) fn intrinsic(&self, name: &str, tys: &[LLVMTypeRef], args: &[LLVMValueRef]) -> LLVMValueRef {
        unsafe {
            let id = LLVMLookupIntrinsicID(name.as_ptr() as *const _, name.len());
            assert!(id != 0, "no intrinsic {name}");
            let mut tys = tys.to_vec();
            let decl = LLVMGetIntrinsicDeclaration(self.module, id, tys.as_mut_ptr(), tys.len());
            let fty = LLVMIntrinsicGetType(self.t.ctx, id, tys.as_mut_ptr(), tys.len());
            let mut args = args.to_vec();
            LLVMBuildCall2(self.b, fty, decl, args.as_mut_ptr(), args.len() as u32, NONAME)
        }
    }

    /// The host address of guest address `addr`.
    pub(super) fn host_ptr(&self, addr: LLVMValueRef) -> LLVMValueRef {
        let host = match self.guest_base {
            Some(base) => self.binop(LLVMOpcode::LLVMAdd, base, addr),
            None => addr,
        };
        self.cast(LLVMOpcode::LLVMIntToPtr, host, self.t.ptr)
    }

    /// Tells LLVM how likely each side of the conditional branch `br` is (`then_weight` to
    /// `else_weight`), so the unlikely side moves out of the hot path.
    pub(super) fn set_branch_weights(&self, br: LLVMValueRef, then_weight: u32, else_weight: u32) {
        let weights = [self.md_string("branch_weights"), self.md_i32(then_weight), self.md_i32(else_weight)];
        // SAFETY: `br` is a conditional branch of this context.
        unsafe {
            let node = LLVMMDNodeInContext2(self.t.ctx, weights.as_ptr() as *mut _, 3);
            LLVMSetMetadata(
                br,
                LLVMGetMDKindIDInContext(self.t.ctx, c"prof".as_ptr(), 4),
                LLVMMetadataAsValue(self.t.ctx, node),
            );
        }
    }

    /// Marks `load` as reading memory that never changes while guest code runs.
    pub(super) fn mark_invariant(&self, load: LLVMValueRef) {
        // SAFETY: `load` is a load instruction of this context.
        unsafe {
            LLVMSetMetadata(
                load,
                LLVMGetMDKindIDInContext(self.t.ctx, c"invariant.load".as_ptr(), 14),
                LLVMMetadataAsValue(self.t.ctx, LLVMMDNodeInContext2(self.t.ctx, std::ptr::null_mut(), 0)),
            );
        }
    }

    /// A metadata string.
    fn md_string(&self, s: &str) -> LLVMMetadataRef {
        unsafe { LLVMMDStringInContext2(self.t.ctx, s.as_ptr() as *const _, s.len()) }
    }

    /// An i32 constant as metadata.
    fn md_i32(&self, x: u32) -> LLVMMetadataRef {
        unsafe { LLVMValueAsMetadata(self.t.const_int(self.t.i32, x as u128)) }
    }

    /// Makes LLVM compute the float value `r` (of type `ty`) whatever it proves about its uses, by
    /// handing it to an empty assembly statement: the operation raises the guest's exception flags
    /// in the host's status register (`InstData::may_raise_fp_exception`). A 64-bit vector goes
    /// lane by lane, as LLVM keeps it in a wider register.
    fn keep_computed(&self, ty: Type, r: LLVMValueRef) {
        if !ty.is_vector() && !ty.is_float() {
            // A comparison's `i1` (or a scalar mask) goes through a general register.
            let wide = self.cast(LLVMOpcode::LLVMZExt, r, self.t.i64);
            return self.keep_in_register(wide, "r");
        }
        if ty.is_vector() && ty.bits() < 128 {
            for lane in 0..ty.lanes() {
                // SAFETY: the builder is positioned in a block; the lane exists.
                let x =
                    unsafe { LLVMBuildExtractElement(self.b, r, self.t.const_int(self.t.i32, lane as u128), NONAME) };
                self.keep_computed(ty.lane_type(), x);
            }
            return;
        }
        self.keep_in_register(r, "x");
    }

    /// `x` passed through an empty assembly statement (no instruction, no side effect): LLVM can
    /// no longer see what it holds. An integer converted to a float goes through it, since LLVM
    /// folds a conversion of a known value (a `select` of two constants, say) at translation time
    /// and so drops the inexact flag the conversion raises at run time.
    pub(super) fn opaque(&self, x: LLVMValueRef) -> LLVMValueRef {
        use inkwell::llvm_sys::LLVMTypeKind as Kind;
        // SAFETY: type queries on a value and types of this context.
        let ty = unsafe { LLVMTypeOf(x) };
        let scalar_bits = |t| unsafe {
            match LLVMGetTypeKind(t) {
                Kind::LLVMIntegerTypeKind => LLVMGetIntTypeWidth(t),
                Kind::LLVMHalfTypeKind => 16,
                Kind::LLVMFloatTypeKind => 32,
                Kind::LLVMDoubleTypeKind => 64,
                _ => 0,
            }
        };
        let kind = unsafe { LLVMGetTypeKind(ty) };
        let bits = if kind == Kind::LLVMVectorTypeKind {
            unsafe { LLVMGetVectorSize(ty) * scalar_bits(LLVMGetElementType(ty)) }
        } else {
            scalar_bits(ty)
        };
        match kind {
            Kind::LLVMFloatTypeKind | Kind::LLVMDoubleTypeKind => self.empty_asm(x, Some(ty), "=x,0"),
            Kind::LLVMIntegerTypeKind if bits <= 64 => self.empty_asm(x, Some(ty), "=r,0"),
            // A 128-bit vector in an XMM register; a 64-bit one (which x86 has no register class
            // for) as a double.
            Kind::LLVMVectorTypeKind if bits == 128 => self.empty_asm(x, Some(ty), "=x,0"),
            Kind::LLVMVectorTypeKind if bits == 64 => {
                let double = self.bitcast(x, self.t.of(Type::F64));
                let hidden = self.empty_asm(double, Some(self.t.of(Type::F64)), "=x,0");
                self.bitcast(hidden, ty)
            }
            // No register holds it whole (a 128-bit integer, a half): left as it is.
            _ => x,
        }
    }

    /// The lowered value of `v`, an operand of a floating-point operation: a constant goes
    /// through `opaque`, since LLVM would otherwise compute the operation at translation time,
    /// without the exception flags (IOC for a signalling NaN, IXC, OFC) it raises at run time. A
    /// guest register written with a constant and read in the same block (MOVI, MVNI, FMOV
    /// immediate) is such an operand.
    pub(super) fn float_operand(&self, v: Value) -> LLVMValueRef {
        let x = self.val(v);
        // SAFETY: `x` is a value of this context.
        if self.ty(v).is_float_like() && unsafe { LLVMIsConstant(x) } != 0 {
            self.opaque(x)
        } else {
            x
        }
    }

    /// Hands `r` to an empty assembly statement in a register of `constraint`'s class.
    fn keep_in_register(&self, r: LLVMValueRef, constraints: &str) {
        self.empty_asm(r, None, constraints);
    }

    /// An empty assembly statement taking `arg`: with a result of type `result` (tied to `arg` by
    /// `constraints`) it is a pure function LLVM cannot see into; without one it has a side
    /// effect, so that `arg` is computed although nothing else reads it.
    fn empty_asm(&self, arg: LLVMValueRef, result: Option<LLVMTypeRef>, constraints: &str) -> LLVMValueRef {
        // SAFETY: an empty assembly string with one register operand; the builder is positioned.
        unsafe {
            let mut arg_ty = [LLVMTypeOf(arg)];
            let result_ty = result.unwrap_or_else(|| LLVMVoidTypeInContext(self.t.ctx));
            let fn_ty = LLVMFunctionType(result_ty, arg_ty.as_mut_ptr(), 1, 0);
            let asm = LLVMGetInlineAsm(
                fn_ty,
                c"".as_ptr() as *mut _,
                0,
                constraints.as_ptr() as *mut _,
                constraints.len(),
                i32::from(result.is_none()),
                0,
                inkwell::llvm_sys::LLVMInlineAsmDialect::LLVMInlineAsmDialectATT,
                0,
            );
            let mut args = [arg];
            LLVMBuildCall2(self.b, fn_ty, asm, args.as_mut_ptr(), 1, NONAME)
        }
    }

    /// Lowers the instruction defining `v`.
    pub(super) fn lower_inst(&mut self, v: Value) {
        let r = self.lower_value(v);
        if let (Some(r), Some(ty)) = (r, self.func.results[v.index()]) {
            let data = self.func.inst(v);
            // Every operation that can raise a floating-point flag is kept for it, used or not:
            // LLVM deletes one whose uses it proves do not matter (a result read only in lanes a
            // later write replaces, or a conversion read only above the lanes it wrote), and the
            // flag with it. On nbody and saxpy this cost nothing measurable (bench/ab.sh 4: 1.004,
            // 1.000) and about 300 bytes of code.
            if data.may_raise_fp_exception() || matches!(data, InstData::Fcmp { .. }) {
                self.keep_computed(ty, r);
            }
        }
    }

    /// Lowers the instruction defining `v` and records its LLVM value.
    pub(super) fn lower_value(&mut self, v: Value) -> Option<LLVMValueRef> {
        if let Some(r) = self.lower_single_pair(v) {
            self.values[v.index()] = Some(r);
            return Some(r);
        }
        // The operation's `nan_fix` leaves its check to its readers' (`deferred_nan.rs`).
        self.defer_nan_check.set(self.nan_plan.unchecked.contains(&v));
        let t = &self.t;
        let result_ty = self.func.results[v.index()];
        let r: Option<LLVMValueRef> = match self.func.inst(v).clone() {
            InstData::Const { ty, bits } => Some(t.const_of(ty, bits)),
            InstData::GetReg { reg } => {
                if self.unloaded.contains(&reg) {
                    self.load_unloaded(&BTreeSet::from([reg]));
                }
                Some(self.lower_register_read(v, reg))
            }
            InstData::Convert { .. } if self.lower_from_read(v).is_some() => self.lower_from_read(v),
            InstData::SetReg { reg, arg } => {
                self.unloaded.remove(&reg);
                self.lower_register_write(reg, arg);
                if reg == Reg::FPCR {
                    // FPCR also goes to the state at once: the cold NaN paths of float operations
                    // read its default-NaN bit there (`default_nan_mode`), wherever they are.
                    self.store_state_field(reg, self.val(arg));
                }
                if reg == Reg::SP && !self.stack_pointer_raises.contains(&v) {
                    // A lower (or unknown) stack pointer goes to the state at once, so the state's
                    // sp is never above the guest's (see `stack_pointer_raises`). Volatile, since
                    // LLVM sees no reader before the next write-back and would delete it.
                    let store = self.store_state_field(reg, self.val(arg));
                    // SAFETY: a store just built.
                    unsafe { LLVMSetVolatile(store, 1) };
                }
                None
            }
            InstData::Load { ty, addr } => unsafe {
                let p = self.host_ptr(self.val(addr));
                let as_float = self.float_loads.contains(&v);
                let load_ty = if as_float { self.float_of_width(ty.bits()) } else { t.of(ty) };
                let l = LLVMBuildLoad2(self.b, load_ty, p, NONAME);
                LLVMSetAlignment(l, 1);
                // A guest load whose value nothing uses still faults on a bad address (programs probe
                // memory that way, under a SIGSEGV handler): LLVM would delete it, so it is volatile.
                // So is one in a loop from an address the loop does not change (a spin-wait on a flag
                // another thread sets), which LLVM would otherwise hoist out of a loop that stores nothing.
                if !self.used_values.contains(&v) || self.repeated_loads.contains(&v) {
                    LLVMSetVolatile(l, 1);
                }
                if as_float {
                    self.loaded_floats.insert(v, l);
                    Some(LLVMBuildBitCast(self.b, l, t.of(ty), NONAME))
                } else {
                    Some(l)
                }
            },
            InstData::Store { addr, arg } => unsafe {
                let p = self.host_ptr(self.val(addr));
                let s = LLVMBuildStore(self.b, self.val(arg), p);
                LLVMSetAlignment(s, 1);
                None
            },
            InstData::Unary { op, arg } => Some(self.unary(op, self.ty(arg), self.float_operand(arg))),
            InstData::Binary { op, args } => {
                Some(self.binary(op, self.ty(args[0]), self.float_operand(args[0]), self.float_operand(args[1])))
            }
            InstData::Select { cond, args } => Some(self.select(self.val(cond), self.val(args[0]), self.val(args[1]))),
            InstData::Fma { args } => {
                let ty = self.ty(args[0]);
                Some(self.fma(
                    ty,
                    self.float_operand(args[0]),
                    self.float_operand(args[1]),
                    self.float_operand(args[2]),
                ))
            }
            InstData::Icmp { cc, args } => {
                let ty = self.ty(args[0]);
                let p = match cc {
                    IntCC::Eq => LLVMIntPredicate::LLVMIntEQ,
                    IntCC::Ne => LLVMIntPredicate::LLVMIntNE,
                    IntCC::Ult => LLVMIntPredicate::LLVMIntULT,
                    IntCC::Ule => LLVMIntPredicate::LLVMIntULE,
                    IntCC::Ugt => LLVMIntPredicate::LLVMIntUGT,
                    IntCC::Uge => LLVMIntPredicate::LLVMIntUGE,
                    IntCC::Slt => LLVMIntPredicate::LLVMIntSLT,
                    IntCC::Sle => LLVMIntPredicate::LLVMIntSLE,
                    IntCC::Sgt => LLVMIntPredicate::LLVMIntSGT,
                    IntCC::Sge => LLVMIntPredicate::LLVMIntSGE,
                };
                let c = self.icmp(p, self.val(args[0]), self.val(args[1]));
                Some(if ty.is_vector() { self.cast(LLVMOpcode::LLVMSExt, c, t.int_of(ty)) } else { c })
            }
            InstData::Fcmp { cc, args } => {
                let ty = self.ty(args[0]);
                Some(self.float_compare(cc, ty, self.float_operand(args[0]), self.float_operand(args[1])))
            }
            InstData::Convert { op, ty, arg } => {
                let x = if matches!(op, ConvOp::Fpromote | ConvOp::Fdemote) {
                    self.float_operand(arg)
                } else {
                    self.val(arg)
                };
                let to = t.of(ty);
                Some(match op {
                    ConvOp::Uext => self.cast(LLVMOpcode::LLVMZExt, x, to),
                    ConvOp::Sext => self.cast(LLVMOpcode::LLVMSExt, x, to),
                    ConvOp::Trunc => self.cast(LLVMOpcode::LLVMTrunc, x, to),
                    ConvOp::Bitcast => self.bitcast(x, to),
                    ConvOp::Fpromote => {
                        // LLVM folds a narrowing of a widening back to the original value, but a
                        // signalling NaN comes back quiet, with IOC raised (FCVT d0, s1; FCVT s2,
                        // d0): the fence, which costs no instruction, hides the widening.
                        let wide = self.cast(LLVMOpcode::LLVMFPExt, x, to);
                        let wide = self.intrinsic("llvm.arithmetic.fence", &[to], &[wide]);
                        // The host quiets a NaN and keeps its payload, as FPConvertNaN does.
                        self.fix_nan_lanes(ty, wide, || wide)
                    }
                    ConvOp::Fdemote => {
                        // LLVM moves a narrowing across a negation or absolute value of its
                        // operand (fptrunc(fabs(x)) becomes fabs(fptrunc(x))), which is wrong in
                        // a directed rounding mode: the fence, which costs no instruction, stops it.
                        let x = self.fenced(x);
                        let narrow = self.cast(LLVMOpcode::LLVMFPTrunc, x, to);
                        self.fix_nan_lanes(ty, narrow, || narrow)
                    }
                    ConvOp::Stof => self.cast(LLVMOpcode::LLVMSIToFP, self.opaque(x), to),
                    ConvOp::Utof => self.unsigned_to_float(self.ty(arg), self.opaque(x), to),
                })
            }
            InstData::FpToInt { ty, signed, round, arg } => {
                let from = self.ty(arg);
                Some(self.float_to_int(round, from, ty, signed, self.float_operand(arg)))
            }
            InstData::RoundFp { round, arg } => {
                let ty = self.ty(arg);
                let x = self.float_operand(arg);
                Some(self.round_fp(round, ty, x))
            }
            InstData::Extract { lane, arg } => unsafe {
                Some(LLVMBuildExtractElement(self.b, self.val(arg), t.const_int(t.i32, lane as u128), NONAME))
            },
            InstData::Insert { lane, args } => unsafe {
                Some(LLVMBuildInsertElement(
                    self.b,
                    self.val(args[0]),
                    self.val(args[1]),
                    t.const_int(t.i32, lane as u128),
                    NONAME,
                ))
            },
            InstData::Splat { ty, arg } => unsafe {
                let undef = LLVMGetPoison(t.of(ty));
                let one = LLVMBuildInsertElement(self.b, undef, self.val(arg), t.const_int(t.i32, 0), NONAME);
                let zeros = LLVMConstNull(LLVMVectorType(t.i32, ty.lanes()));
                Some(LLVMBuildShuffleVector(self.b, one, undef, zeros, NONAME))
            },
            InstData::Shuffle { mask, args } => unsafe {
                let mut elems: Vec<LLVMValueRef> = mask.iter().map(|&m| t.const_int(t.i32, m as u128)).collect();
                let m = LLVMConstVector(elems.as_mut_ptr(), elems.len() as u32);
                Some(LLVMBuildShuffleVector(self.b, self.val(args[0]), self.val(args[1]), m, NONAME))
            },
            InstData::AtomicRmw { op, addr, arg } => unsafe {
                let p = self.host_ptr(self.val(addr));
                let mut x = self.val(arg);
                let o = match op {
                    AtomicOp::Xchg => LLVMAtomicRMWBinOp::LLVMAtomicRMWBinOpXchg,
                    AtomicOp::Add => LLVMAtomicRMWBinOp::LLVMAtomicRMWBinOpAdd,
                    AtomicOp::Clr => {
                        x = self.binop(LLVMOpcode::LLVMXor, x, LLVMConstAllOnes(LLVMTypeOf(x)));
                        LLVMAtomicRMWBinOp::LLVMAtomicRMWBinOpAnd
                    }
                    AtomicOp::Or => LLVMAtomicRMWBinOp::LLVMAtomicRMWBinOpOr,
                    AtomicOp::Xor => LLVMAtomicRMWBinOp::LLVMAtomicRMWBinOpXor,
                    AtomicOp::Smax => LLVMAtomicRMWBinOp::LLVMAtomicRMWBinOpMax,
                    AtomicOp::Smin => LLVMAtomicRMWBinOp::LLVMAtomicRMWBinOpMin,
                    AtomicOp::Umax => LLVMAtomicRMWBinOp::LLVMAtomicRMWBinOpUMax,
                    AtomicOp::Umin => LLVMAtomicRMWBinOp::LLVMAtomicRMWBinOpUMin,
                };
                let r = LLVMBuildAtomicRMW(
                    self.b,
                    o,
                    p,
                    x,
                    LLVMAtomicOrdering::LLVMAtomicOrderingSequentiallyConsistent,
                    0,
                );
                LLVMSetAlignment(r, (self.ty(arg).bits() / 8).max(1));
                Some(r)
            },
            InstData::Cmpxchg { addr, args } => unsafe {
                let p = self.host_ptr(self.val(addr));
                let seq = LLVMAtomicOrdering::LLVMAtomicOrderingSequentiallyConsistent;
                let c = LLVMBuildAtomicCmpXchg(self.b, p, self.val(args[0]), self.val(args[1]), seq, seq, 0);
                LLVMSetAlignment(c, (self.ty(args[0]).bits() / 8).max(1));
                Some(LLVMBuildExtractValue(self.b, c, 0, NONAME))
            },
            InstData::Fence => unsafe {
                LLVMBuildFence(self.b, LLVMAtomicOrdering::LLVMAtomicOrderingSequentiallyConsistent, 0, NONAME);
                None
            },
            InstData::CallHelper { helper, args } => {
                let a: Vec<LLVMValueRef> = args.iter().map(|&x| self.val(x)).collect();
                Some(self.call_helper(helper, &a))
            }
        };
        assert!(!self.defer_nan_check.replace(false), "a deferred NaN check was not taken by `nan_fix`");
        if let (Some(r), Some(_)) = (r, result_ty) {
            self.values[v.index()] = Some(r);
        }
        r
    }

    pub(super) fn unary(&self, op: UnaryOp, ty: Type, x: LLVMValueRef) -> LLVMValueRef {
        let t = &self.t;
        let lt = t.of(ty);
        match op {
            UnaryOp::Not => self.binop(LLVMOpcode::LLVMXor, x, unsafe { LLVMConstAllOnes(lt) }),
            UnaryOp::Neg => self.binop(LLVMOpcode::LLVMSub, unsafe { LLVMConstNull(lt) }, x),
            UnaryOp::Abs => self.intrinsic("llvm.abs", &[lt], &[x, t.const_int(t.i1, 0)]),
            UnaryOp::Clz => self.intrinsic("llvm.ctlz", &[lt], &[x, t.const_int(t.i1, 0)]),
            UnaryOp::Ctz => self.intrinsic("llvm.cttz", &[lt], &[x, t.const_int(t.i1, 0)]),
            UnaryOp::Popcnt => self.intrinsic("llvm.ctpop", &[lt], &[x]),
            UnaryOp::Bswap if ty.lane_bits() == 8 => x,
            UnaryOp::Bswap => self.intrinsic("llvm.bswap", &[lt], &[x]),
            UnaryOp::Bitrev => self.intrinsic("llvm.bitreverse", &[lt], &[x]),
            UnaryOp::Fneg => unsafe { LLVMBuildFNeg(self.b, x, NONAME) },
            UnaryOp::Fabs => self.intrinsic("llvm.fabs", &[lt], &[x]),
            UnaryOp::Fsqrt => {
                let r = self.intrinsic("llvm.sqrt", &[lt], &[x]);
                self.nan_fix(ty, r, &[x])
            }
            UnaryOp::AesShiftSub | UnaryOp::AesInvShiftSub | UnaryOp::AesMix | UnaryOp::AesInvMix => {
                self.aes_step(op, ty, x)
            }
        }
    }

    /// An AES step of an `i8x16` state with AES-NI (which every target machine has: see
    /// `compile_part`'s features). AESENCLAST with a zero round key is ShiftRows and SubBytes,
    /// AESDECLAST their inverses, AESIMC is InvMixColumns, and MixColumns alone is AESENC (with
    /// a zero key) of AESDECLAST's result, whose SubBytes and ShiftRows undo AESDECLAST's.
    fn aes_step(&self, op: UnaryOp, ty: Type, x: LLVMValueRef) -> LLVMValueRef {
        let t = &self.t;
        let words = unsafe { LLVMVectorType(t.i64, 2) };
        let zero = unsafe { LLVMConstNull(words) };
        let state = self.cast(LLVMOpcode::LLVMBitCast, x, words);
        let call = |name: &str, state: LLVMValueRef| self.intrinsic(name, &[], &[state, zero]);
        let r = match op {
            UnaryOp::AesShiftSub => call("llvm.x86.aesni.aesenclast", state),
            UnaryOp::AesInvShiftSub => call("llvm.x86.aesni.aesdeclast", state),
            UnaryOp::AesMix => call("llvm.x86.aesni.aesenc", call("llvm.x86.aesni.aesdeclast", state)),
            _ => self.intrinsic("llvm.x86.aesni.aesimc", &[], &[state]),
        };
        self.cast(LLVMOpcode::LLVMBitCast, r, t.of(ty))
    }

    /// The low (`high` false) or high 64 bits of the carry-less product of two `i64` values, with
    /// PCLMULQDQ (every target machine has it too).
    fn carry_less_product(&self, a: LLVMValueRef, b: LLVMValueRef, high: bool) -> LLVMValueRef {
        let t = &self.t;
        let words = unsafe { LLVMVectorType(t.i64, 2) };
        let in_lane_0 = |v: LLVMValueRef| unsafe {
            LLVMBuildInsertElement(self.b, LLVMGetPoison(words), v, t.const_int(t.i32, 0), NONAME)
        };
        let product = self.intrinsic("llvm.x86.pclmulqdq", &[], &[in_lane_0(a), in_lane_0(b), t.const_int(t.i8, 0)]);
        unsafe { LLVMBuildExtractElement(self.b, product, t.const_int(t.i32, high as u128), NONAME) }
    }

    /// `swizzle` (of `i8x16`, the only type the verifier allows) as one PSHUFB (SSSE3, which every
    /// target machine has: see `compile_part`'s features). PSHUFB zeroes a lane whose index has its
    /// top bit set and otherwise takes the index modulo 16, so a saturating add of 112 sets the
    /// top bit of every index past the table and leaves the others their low four bits.
    fn swizzle(&self, ty: Type, table: LLVMValueRef, indices: LLVMValueRef) -> LLVMValueRef {
        let biased = self.intrinsic("llvm.uadd.sat", &[self.t.of(ty)], &[indices, self.t.splat_const(ty, 112)]);
        self.intrinsic("llvm.x86.ssse3.pshuf.b.128", &[], &[table, biased])
    }

    pub(super) fn binary(&self, op: BinaryOp, ty: Type, a: LLVMValueRef, b: LLVMValueRef) -> LLVMValueRef {
        use LLVMOpcode::*;
        let t = &self.t;
        let lt = t.of(ty);
        let w = ty.lane_bits();
        let zero = unsafe { LLVMConstNull(lt) };
        let shift_amount = |b: LLVMValueRef| self.binop(LLVMAnd, b, t.splat_const(ty, (w - 1) as u128));
        let mulhi = |signed: bool| {
            let wide_lane = Type::int(2 * w);
            let wide = if ty.is_vector() {
                t.of(Type::vec(wide_lane.as_lane().expect("lane"), ty.lanes()))
            } else {
                t.of(wide_lane)
            };
            let ext = if signed { LLVMSExt } else { LLVMZExt };
            let p = self.binop(LLVMMul, self.cast(ext, a, wide), self.cast(ext, b, wide));
            let wide_ty =
                if ty.is_vector() { Type::vec(wide_lane.as_lane().expect("lane"), ty.lanes()) } else { wide_lane };
            let hi = self.binop(LLVMLShr, p, t.splat_const(wide_ty, w as u128));
            self.cast(LLVMTrunc, hi, lt)
        };
        let fbin = |o: LLVMOpcode| {
            // LLVM folds identities that hold only when rounding to nearest (x - 0.0 is -0.0 for
            // x = +0.0 towards minus infinity) or for quiet NaNs (x * 1.0 quietens a signalling
            // x), also on operands it only proves constant (lanes a narrowing zeroed): fences,
            // which cost no instruction, hide the operands from it.
            let (fenced_a, fenced_b) = self.fenced_pair(a, b);
            let r = self.binop(o, fenced_a, fenced_b);
            self.nan_fix(ty, r, &[a, b])
        };
        match op {
            BinaryOp::Add => self.binop(LLVMAdd, a, b),
            BinaryOp::Sub => self.binop(LLVMSub, a, b),
            BinaryOp::Mul => self.binop(LLVMMul, a, b),
            BinaryOp::Umulhi => mulhi(false),
            BinaryOp::Smulhi => mulhi(true),
            BinaryOp::Udiv => {
                let is_zero = self.icmp(LLVMIntPredicate::LLVMIntEQ, b, zero);
                let safe = self.select(is_zero, t.splat_const(ty, 1), b);
                let q = self.binop(LLVMUDiv, a, safe);
                self.select(is_zero, zero, q)
            }
            BinaryOp::Sdiv => {
                let is_zero = self.icmp(LLVMIntPredicate::LLVMIntEQ, b, zero);
                let min = t.splat_const(ty, 1u128 << (w - 1));
                let a_min = self.icmp(LLVMIntPredicate::LLVMIntEQ, a, min);
                let b_m1 = self.icmp(LLVMIntPredicate::LLVMIntEQ, b, unsafe { LLVMConstAllOnes(lt) });
                let overflow = self.binop(LLVMAnd, a_min, b_m1);
                let bad = self.binop(LLVMOr, is_zero, overflow);
                let safe = self.select(bad, t.splat_const(ty, 1), b);
                let q = self.binop(LLVMSDiv, a, safe);
                self.select(is_zero, zero, q)
            }
            BinaryOp::And => self.binop(LLVMAnd, a, b),
            BinaryOp::Or => self.binop(LLVMOr, a, b),
            BinaryOp::Xor => self.binop(LLVMXor, a, b),
            BinaryOp::Shl if ty.is_vector() && w == 32 && unsafe { LLVMIsConstant(b) } == 0 => {
                // Without AVX2, LLVM shifts 32-bit lanes left by variable amounts by multiplying
                // with 2^amount made by a float-to-integer conversion, which raises the host's
                // invalid flag for an amount of 31. Two shifts by at most 16 each do not.
                let amount = shift_amount(b);
                let first = self.binop(LLVMLShr, amount, t.splat_const(ty, 1));
                let second = self.binop(LLVMSub, amount, first);
                self.binop(LLVMShl, self.binop(LLVMShl, a, first), second)
            }
            BinaryOp::Shl => self.binop(LLVMShl, a, shift_amount(b)),
            BinaryOp::Lshr => self.binop(LLVMLShr, a, shift_amount(b)),
            BinaryOp::Ashr => self.binop(LLVMAShr, a, shift_amount(b)),
            BinaryOp::Rotr => self.intrinsic("llvm.fshr", &[lt], &[a, a, b]),
            BinaryOp::Umin => self.intrinsic("llvm.umin", &[lt], &[a, b]),
            BinaryOp::Umax => self.intrinsic("llvm.umax", &[lt], &[a, b]),
            BinaryOp::Smin => self.intrinsic("llvm.smin", &[lt], &[a, b]),
            BinaryOp::Smax => self.intrinsic("llvm.smax", &[lt], &[a, b]),
            BinaryOp::UaddSat => self.intrinsic("llvm.uadd.sat", &[lt], &[a, b]),
            BinaryOp::SaddSat => self.intrinsic("llvm.sadd.sat", &[lt], &[a, b]),
            BinaryOp::UsubSat => self.intrinsic("llvm.usub.sat", &[lt], &[a, b]),
            BinaryOp::SsubSat => self.intrinsic("llvm.ssub.sat", &[lt], &[a, b]),
            BinaryOp::Swizzle => self.swizzle(ty, a, b),
            BinaryOp::Clmul => self.carry_less_product(a, b, false),
            BinaryOp::Clmulhi => self.carry_less_product(a, b, true),
            BinaryOp::Fadd => fbin(LLVMFAdd),
            BinaryOp::Fsub => fbin(LLVMFSub),
            BinaryOp::Fmul => fbin(LLVMFMul),
            BinaryOp::Fdiv => fbin(LLVMFDiv),
            BinaryOp::Fmin | BinaryOp::Fmax => {
                let name = if op == BinaryOp::Fmin { "llvm.minimum" } else { "llvm.maximum" };
                let r = self.min_max(name, ty, a, b);
                self.nan_fix(ty, r, &[a, b])
            }
            BinaryOp::Fminnm | BinaryOp::Fmaxnm => {
                // A quiet NaN loses to a number: replace it by the other operand when that is
                // not a NaN, then as FMIN/FMAX (a signalling NaN, or two NaNs, give a NaN that
                // follows the NaN rules of the originals).
                let name = if op == BinaryOp::Fminnm { "llvm.minimum" } else { "llvm.maximum" };
                let a_nan = self.fcmp(LLVMRealPredicate::LLVMRealUNO, a, a);
                let b_nan = self.fcmp(LLVMRealPredicate::LLVMRealUNO, b, b);
                let a_quiet = self.binop(LLVMOpcode::LLVMXor, self.is_snan(ty, a), a_nan);
                let b_quiet = self.binop(LLVMOpcode::LLVMXor, self.is_snan(ty, b), b_nan);
                // SAFETY: the builder is positioned in a block; `x` is an i1 or i1 vector.
                let not = |x| unsafe { LLVMBuildNot(self.b, x, NONAME) };
                let a_loses = self.binop(LLVMOpcode::LLVMAnd, a_quiet, not(b_nan));
                let b_loses = self.binop(LLVMOpcode::LLVMAnd, b_quiet, not(a_nan));
                let a2 = self.select(a_loses, b, a);
                let b2 = self.select(b_loses, a, b);
                let m = self.min_max(name, ty, a2, b2);
                self.nan_fix(ty, m, &[a, b])
            }
        }
    }
}

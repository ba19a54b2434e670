//! LLVM types and constants for IR types, and the raw-API helpers the lowering shares.
//!
//! The lowering talks to LLVM through its C API (re-exported by inkwell as `llvm_sys`), because
//! IR operations are generic over scalars and vectors, which the C API's untyped values express
//! directly. Everything unsafe about it is confined to this module and its siblings.

use std::ffi::CString;

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use vmtrans_ir::types::Type;

/// A C string for LLVM value names; the empty name for speed.
pub fn cname(s: &str) -> CString {
    CString::new(s).expect("no NUL in LLVM names")
}

/// The empty name.
pub const NONAME: *const CChar = c"".as_ptr();
type CChar = std::ffi::c_char;

/// The LLVM types vmtrans uses, made once per context.
#[derive(Clone, Copy)]
pub struct Types {
    pub ctx: LLVMContextRef,
    pub i1: LLVMTypeRef,
    pub i8: LLVMTypeRef,
    pub i16: LLVMTypeRef,
    pub i32: LLVMTypeRef,
    pub i64: LLVMTypeRef,
    pub i128: LLVMTypeRef,
    pub f32: LLVMTypeRef,
    pub f64: LLVMTypeRef,
    pub ptr: LLVMTypeRef,
    pub void: LLVMTypeRef,
    /// The type of every translated function (and of `vmtrans_dispatch`), under LLVM's
    /// `x86_regcallcc` (`GUEST_CALL_CONV`):
    /// `{ i64 × 11 } (ptr state, i64 pc, i64 × 9)`. The guest registers
    /// `vmtrans_ir::sync::PASSED_IN_REGISTERS` travel as the arguments after the pc, in that
    /// order, and a return hands back the pc it returns to (field 1: x30's value too, or
    /// `vmtrans_ir::sync::PC_IN_STATE`) and `RETURNED_IN_REGISTERS`, each in the field of the
    /// same number as its argument (`return_field`), so that a value a function hands on
    /// unchanged stays in its host register; fields 0 and 4 (the state and x30) are unused. All
    /// eleven are host registers both ways (rax, rcx, rdx, rdi, rsi, r8, r9, r12-r15), which the
    /// runtime's entry and dispatcher trampolines rely on (runtime/src/trampolines.rs).
    pub guest_fn: LLVMTypeRef,
    /// What a translated function returns (see `guest_fn`).
    pub guest_ret: LLVMTypeRef,
}

/// The calling convention of translated functions (see `Types::guest_fn`).
pub const GUEST_CALL_CONV: u32 = inkwell::llvm_sys::LLVMCallConv::LLVMX86RegCallCallConv as u32;

/// The function and call-site attribute that leaves translated functions no callee-saved host
/// register. `x86_regcallcc` alone would make them keep rbx, rbp and xmm8-xmm15 for their
/// callers, and so save all eight vector registers in the prologue of every function with a call
/// of C code (a system call, a signal poll) on any path. Without callee-saved registers a caller
/// keeps what it needs after a call on the host stack itself; what a call of translated code hands
/// back (x19-x23, x29, sp) needs no keeping.
pub const NO_CALLEE_SAVED: &str = "no_callee_saved_registers";

/// Makes `call` a call of translated code (or of `vmtrans_dispatch`): `GUEST_CALL_CONV`, and no
/// register kept across it (`NO_CALLEE_SAVED`).
///
/// # Safety
/// `call` must be a call instruction of context `ctx`.
pub unsafe fn make_guest_call(ctx: LLVMContextRef, call: LLVMValueRef) {
    // SAFETY: as the caller promises; the attribute's strings outlive the call, which copies them.
    unsafe {
        LLVMSetInstructionCallConv(call, GUEST_CALL_CONV);
        let attribute = LLVMCreateStringAttribute(
            ctx,
            NO_CALLEE_SAVED.as_ptr().cast(),
            NO_CALLEE_SAVED.len() as u32,
            c"".as_ptr(),
            0,
        );
        LLVMAddCallSiteAttribute(call, inkwell::llvm_sys::LLVMAttributeFunctionIndex, attribute);
    }
}

/// The field of `Types::guest_ret` holding the pc returned to.
pub const PC_FIELD: u32 = 1;

/// The field of `Types::guest_ret` holding register `r` of `RETURNED_IN_REGISTERS`: the number of
/// the argument that passes it.
pub fn return_field(r: vmtrans_ir::Reg) -> u32 {
    let i = vmtrans_ir::sync::PASSED_IN_REGISTERS.iter().position(|&p| p == r).expect("a passed register");
    2 + i as u32
}

impl Types {
    /// # Safety
    /// `ctx` must be a live LLVM context.
    pub unsafe fn new(ctx: LLVMContextRef) -> Types {
        unsafe {
            let ptr = LLVMPointerTypeInContext(ctx, 0);
            let void = LLVMVoidTypeInContext(ctx);
            let i64 = LLVMInt64TypeInContext(ctx);
            let mut fields = [i64; 2 + vmtrans_ir::sync::PASSED_IN_REGISTERS.len()];
            let guest_ret = LLVMStructTypeInContext(ctx, fields.as_mut_ptr(), fields.len() as u32, 0);
            let mut params = [i64; 2 + vmtrans_ir::sync::PASSED_IN_REGISTERS.len()];
            params[0] = ptr;
            Types {
                ctx,
                i1: LLVMInt1TypeInContext(ctx),
                i8: LLVMInt8TypeInContext(ctx),
                i16: LLVMInt16TypeInContext(ctx),
                i32: LLVMInt32TypeInContext(ctx),
                i64,
                i128: LLVMIntTypeInContext(ctx, 128),
                f32: LLVMFloatTypeInContext(ctx),
                f64: LLVMDoubleTypeInContext(ctx),
                ptr,
                void,
                guest_fn: LLVMFunctionType(guest_ret, params.as_mut_ptr(), params.len() as u32, 0),
                guest_ret,
            }
        }
    }

    /// The LLVM type of an IR type.
    pub fn of(&self, t: Type) -> LLVMTypeRef {
        match t {
            Type::I1 => self.i1,
            Type::I8 => self.i8,
            Type::I16 => self.i16,
            Type::I32 => self.i32,
            Type::I64 => self.i64,
            Type::I128 => self.i128,
            Type::F32 => self.f32,
            Type::F64 => self.f64,
            Type::Vec(lane, n) => unsafe { LLVMVectorType(self.of(lane.scalar()), n as u32) },
        }
    }

    /// The integer type as wide as `t` (lane-wise for vectors).
    pub fn int_of(&self, t: Type) -> LLVMTypeRef {
        self.of(t.as_int())
    }

    /// A constant of integer type `ty` holding the low bits of `bits`.
    pub fn const_int(&self, ty: LLVMTypeRef, bits: u128) -> LLVMValueRef {
        unsafe {
            let words = [bits as u64, (bits >> 64) as u64];
            LLVMConstIntOfArbitraryPrecision(ty, 2, words.as_ptr())
        }
    }

    /// A constant of IR type `t` with the given little-endian bits.
    pub fn const_of(&self, t: Type, bits: u128) -> LLVMValueRef {
        unsafe {
            let int_ty = LLVMIntTypeInContext(self.ctx, t.bits());
            let c = self.const_int(int_ty, bits);
            if t.is_int() {
                c
            } else {
                LLVMConstBitCast(c, self.of(t))
            }
        }
    }

    /// A vector or scalar of `t`'s shape with every lane `bits`.
    pub fn splat_const(&self, t: Type, lane_bits: u128) -> LLVMValueRef {
        let w = t.lane_bits();
        let mut all = 0u128;
        for i in 0..t.lanes() {
            all |= (lane_bits & mask(w)) << (i * w);
        }
        self.const_of(t.as_int(), all)
    }
}

/// All ones in the low `bits` bits.
pub fn mask(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

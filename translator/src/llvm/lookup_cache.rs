//! Inline lookups of indirect call and jump targets the lifter could not recover.
//!
//! Translated code looks the target up in the runtime's direct-mapped cache of table lookups
//! (`vmtrans_lookup_cache`, laid out as ir/src/lookup_cache.rs says) before it calls the runtime:
//! on a hit it loads the host function from `vmtrans_func_table` and calls it directly; on a miss
//! it calls `vmtrans_lookup`, which fills the cache and returns the function, or null when the
//! target has no translation (the caller then goes through `vmtrans_call` or `vmtrans_dispatch` as
//! before). Call sites, function pointers and virtual calls repeat their targets, so the common
//! case costs a few arithmetic instructions, two loads and a compare instead of a trip through the
//! runtime.

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::{LLVMAtomicOrdering, LLVMIntPredicate};
use vmtrans_ir::lookup_cache::{LOOKUP_CACHE_INDEX_BITS, LOOKUP_CACHE_SLOTS};

use super::lower::FnLowering;
use super::types::NONAME;

/// Bytes of one `vmtrans_func_table` entry (`{ i64 guest_addr, ptr code }`) and the offset of `code`.
const TABLE_ENTRY_BYTES: u64 = 16;
const TABLE_CODE_OFFSET: u64 = 8;

impl FnLowering<'_> {
    /// Emits the inline lookup of `target`, then `found(code)` where its translation `code` is
    /// known (after a cache hit, and after the runtime found it on a miss) and `missing()` where it
    /// has none. Each closure must end the block it is given. A hit goes straight to `found`, with
    /// no further test on the hot path.
    fn with_inline_lookup(&self, target: LLVMValueRef, found: impl Fn(LLVMValueRef), missing: impl FnOnce()) {
        unsafe {
            let t = &self.t;
            let c = |x: u64| t.const_int(t.i64, x as u128);
            // The slot, as `lookup_cache_slot` computes it: ((pc >> 2) ^ (pc >> 16)) & (slots - 1).
            let folded = LLVMBuildXor(
                self.b,
                LLVMBuildLShr(self.b, target, c(2), NONAME),
                LLVMBuildLShr(self.b, target, c(16), NONAME),
                NONAME,
            );
            let slot_index = LLVMBuildAnd(self.b, folded, c(LOOKUP_CACHE_SLOTS as u64 - 1), NONAME);
            let mut indices = [LLVMBuildMul(self.b, slot_index, c(8), NONAME)];
            let slot = LLVMBuildGEP2(self.b, t.i8, self.rt.lookup_cache, indices.as_mut_ptr(), 1, NONAME);
            let packed = LLVMBuildLoad2(self.b, t.i64, slot, NONAME);
            LLVMSetOrdering(packed, LLVMAtomicOrdering::LLVMAtomicOrderingMonotonic);
            LLVMSetAlignment(packed, 8);
            let cached_addr = LLVMBuildLShr(self.b, packed, c(LOOKUP_CACHE_INDEX_BITS as u64), NONAME);
            let same = self.icmp(LLVMIntPredicate::LLVMIntEQ, cached_addr, target);
            let filled = self.icmp(LLVMIntPredicate::LLVMIntNE, packed, c(0));
            let hit = LLVMBuildAnd(self.b, same, filled, NONAME);

            let func = LLVMGetBasicBlockParent(LLVMGetInsertBlock(self.b));
            let new_block = || LLVMAppendBasicBlockInContext(t.ctx, func, NONAME);
            let (hit_bb, miss_bb, found_bb, missing_bb) = (new_block(), new_block(), new_block(), new_block());
            let br = LLVMBuildCondBr(self.b, hit, hit_bb, miss_bb);
            self.set_branch_weights(br, 2000, 1);

            LLVMPositionBuilderAtEnd(self.b, hit_bb);
            let index = LLVMBuildAnd(self.b, packed, c((1 << LOOKUP_CACHE_INDEX_BITS) - 1), NONAME);
            let offset = LLVMBuildMul(self.b, index, c(TABLE_ENTRY_BYTES), NONAME);
            let mut indices = [LLVMBuildAdd(self.b, offset, c(TABLE_CODE_OFFSET), NONAME)];
            let code_ptr = LLVMBuildGEP2(self.b, t.i8, self.rt.func_table, indices.as_mut_ptr(), 1, NONAME);
            let cached_fn = LLVMBuildLoad2(self.b, t.ptr, code_ptr, NONAME);
            self.mark_invariant(cached_fn);
            found(cached_fn);

            LLVMPositionBuilderAtEnd(self.b, miss_bb);
            let mut args = [target];
            let looked_up = LLVMBuildCall2(self.b, self.rt.lookup_ty, self.rt.lookup, args.as_mut_ptr(), 1, NONAME);
            let translated = self.icmp(LLVMIntPredicate::LLVMIntNE, looked_up, LLVMConstPointerNull(t.ptr));
            LLVMBuildCondBr(self.b, translated, found_bb, missing_bb);
            LLVMPositionBuilderAtEnd(self.b, found_bb);
            found(looked_up);
            LLVMPositionBuilderAtEnd(self.b, missing_bb);
            missing();
        }
    }

    /// An indirect call through the lookup cache: the translation of `target` is called directly
    /// when there is one, else `vmtrans_call` runs the target until it returns to `ret_addr`.
    /// Returns what the call returned.
    pub(super) fn indirect_call_via_cache(&self, target: LLVMValueRef, ret_addr: u64) -> LLVMValueRef {
        self.join_results(|arrive| {
            self.with_inline_lookup(
                target,
                |code| arrive(self.call_guest_fn(code, target, false)),
                || arrive(self.runtime_call(target, ret_addr)),
            )
        })
    }

    /// An indirect jump through the lookup cache: a tail call of the translation of `target` when
    /// there is one, else of the dispatcher.
    pub(super) fn indirect_jump_via_cache(&self, target: LLVMValueRef) {
        self.with_inline_lookup(
            target,
            |code| {
                self.call_guest_fn(code, target, true);
            },
            || {
                self.call_guest_fn(self.rt.dispatch, target, true);
            },
        );
    }
}

//! The code generator's side of ir/src/restores.rs: a function whose epilogues put x24-x28 back
//! as they were on entry keeps flags of the registers some store may have changed in the state
//! since the entry, and stores the restored registers at a return or tail jump only when one of
//! them is set or the function returns elsewhere than to the link register it was entered with.

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::LLVMIntPredicate;
use vmtrans_ir::inst::InstData;
use vmtrans_ir::sync::PASSED_IN_REGISTERS;
use vmtrans_ir::Reg;

use super::FnLowering;
use crate::llvm::types::NONAME;

/// The flags of a function with restores before returns (`SyncSets::restores`): an `i16` alloca
/// with a bit per register (x19 + i is bit i) that some store may have changed in the state since
/// the entry, and the bits of the registers some epilogue of the function restores, the only ones
/// looked at.
#[derive(Clone, Copy)]
pub(super) struct RestoreFlags {
    pub(super) flags: LLVMValueRef,
    pub(super) tracked: u64,
}

/// The bits of the registers of the mask `regs` (one bit per register number) in `RestoreFlags`.
pub(super) fn flag_bits(regs: u128) -> u64 {
    ((regs >> Reg::x(19).0) & 0x7ff) as u64
}

impl FnLowering<'_> {
    /// Sets the flags where the function is entered: clear at its entry, and all set anywhere else
    /// (a resume point), where it knows nothing of what the state held.
    pub(super) fn note_entered(&self, at_entry: bool) {
        let Some(RestoreFlags { flags, tracked }) = self.restore_flags else { return };
        let value = if at_entry { 0 } else { tracked };
        // SAFETY: the flags and the builder belong to this function.
        unsafe { LLVMBuildStore(self.b, self.t.const_int(LLVMInt16TypeInContext(self.t.ctx), value as u128), flags) };
    }

    /// Sets the flags of the registers of the mask `regs`: from here on the state may no longer
    /// hold their values on entry (a store of them; `u128::MAX` after a call that may change any).
    pub(super) fn note_stored(&self, regs: u128) {
        let Some(RestoreFlags { flags, tracked }) = self.restore_flags else { return };
        let bits = flag_bits(regs) & tracked;
        if bits == 0 {
            return;
        }
        // SAFETY: the flags and the builder belong to this function.
        unsafe {
            let i16t = LLVMInt16TypeInContext(self.t.ctx);
            let value = if bits == tracked {
                self.t.const_int(i16t, bits as u128)
            } else {
                let old = LLVMBuildLoad2(self.b, i16t, flags, NONAME);
                LLVMBuildOr(self.b, old, self.t.const_int(i16t, bits as u128), NONAME)
            };
            LLVMBuildStore(self.b, value, flags);
        }
    }

    /// Before a return from `block` to `target` (or a tail call, which returns to `target`): the
    /// callee-saved registers that the block's epilogue put back as they were on entry
    /// (`SyncSets::restores`) are left unstored when the state still holds those values (no flag
    /// of theirs is set) and the return goes to the link register the function was entered with,
    /// as every return of compiled code does; otherwise they are stored (code that plants values
    /// in its own save slots and returns elsewhere, as `__builtin_eh_return` does, takes them from
    /// there).
    pub(super) fn store_restores_unless_returning_to_caller(&self, block: usize, target: LLVMValueRef) {
        let Some(&restored) = self.sync.restores.at_return.get(&block) else { return };
        let Some(RestoreFlags { flags, .. }) = self.restore_flags else {
            // A body entered where its prefix leaves (ir/src/prefix.rs), all but never at the
            // function's entry, keeps no flags: it just stores them.
            for (r, v) in self.restores_loaded_again(block) {
                self.write_back_value(r, v);
            }
            return;
        };
        let bits = flag_bits(restored);
        let entered_with =
            self.passed[PASSED_IN_REGISTERS.iter().position(|&r| r == Reg::x(30)).expect("x30 is passed")];
        unsafe {
            let fnv = LLVMGetBasicBlockParent(LLVMGetInsertBlock(self.b));
            let elsewhere = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
            let done = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
            let i16t = LLVMInt16TypeInContext(self.t.ctx);
            let stored = LLVMBuildLoad2(self.b, i16t, flags, NONAME);
            let stored = LLVMBuildAnd(self.b, stored, self.t.const_int(i16t, bits as u128), NONAME);
            let untouched = self.icmp(LLVMIntPredicate::LLVMIntEQ, stored, self.t.const_int(i16t, 0));
            let to_caller = self.icmp(LLVMIntPredicate::LLVMIntEQ, target, entered_with);
            let to_caller = LLVMBuildAnd(self.b, to_caller, untouched, NONAME);
            let br = LLVMBuildCondBr(self.b, to_caller, done, elsewhere);
            self.set_branch_weights(br, 100_000, 1);
            LLVMPositionBuilderAtEnd(self.b, elsewhere);
            for (r, v) in self.restores_loaded_again(block) {
                self.write_back_value(r, v);
            }
            LLVMBuildBr(self.b, done);
            LLVMPositionBuilderAtEnd(self.b, done);
        }
    }

    /// The values of the registers `block`'s epilogue restores (`SyncSets::restores`), for the
    /// cold path of `store_restores_unless_returning_to_caller`: each loaded again from its save
    /// slot where nothing in the block stores after the restore's load, so that the hot path need
    /// not load it at all (LLVM does not move a guest load past the state's stores), else the
    /// value loaded.
    pub(super) fn restores_loaded_again(&self, block: usize) -> Vec<(Reg, LLVMValueRef)> {
        let insts = &self.func.blocks[block].insts;
        let writes_memory = |v: &vmtrans_ir::Value| {
            matches!(self.func.inst(*v), InstData::Store { .. } | InstData::AtomicRmw { .. } | InstData::Cmpxchg { .. })
        };
        let mut found = vec![];
        for &v in insts {
            let InstData::SetReg { reg, arg } = *self.func.inst(v) else { continue };
            if !self.sync.restores.setregs.contains(&v) {
                continue;
            }
            let loaded = match *self.func.inst(arg) {
                InstData::Load { ty, addr } => {
                    // Values are local to their block, so the load is in this one, before the restore.
                    let at = insts.iter().position(|&w| w == arg).unwrap_or(0);
                    (!insts[at..].iter().any(writes_memory)).then(|| unsafe {
                        let l = LLVMBuildLoad2(self.b, self.t.of(ty), self.host_ptr(self.val(addr)), NONAME);
                        LLVMSetAlignment(l, 1);
                        l
                    })
                }
                _ => None,
            };
            found.push((reg, loaded.unwrap_or_else(|| self.read_reg(reg))));
        }
        found
    }
}

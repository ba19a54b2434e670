//! The code generator's side of ir/src/restores.rs: a function whose epilogues put x19-x29 back
//! as they were on entry keeps flags of the registers some store may have changed in the state
//! since the entry, and stores the restored registers at a return or tail jump only when one of
//! them is set or the function returns elsewhere than to the link register it was entered with.

use std::collections::BTreeSet;

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::LLVMIntPredicate;
use vmtrans_ir::inst::InstData;
use vmtrans_ir::sync::PASSED_IN_REGISTERS;
use vmtrans_ir::Reg;

use super::FnLowering;
use crate::llvm::types::NONAME;

/// The registers whose restores may leave them unstored at a return (ir/src/restores.rs).
pub(super) const RESTORABLE: std::ops::RangeInclusive<u8> = 19..=29;

/// `r`'s bit in `FnLowering::callee_saved_stored`, if it is one of `RESTORABLE`.
pub(super) fn restorable_bit(r: Reg) -> Option<u64> {
    RESTORABLE.clone().position(|n| Reg::x(n) == r).map(|i| 1 << i)
}

/// Every bit of `FnLowering::callee_saved_stored`.
pub(super) const ALL_RESTORABLE_BITS: u64 = (1 << (*RESTORABLE.end() - *RESTORABLE.start() + 1)) - 1;

impl FnLowering<'_> {
    /// Records, in a function with restores before returns, which of x19-x29 may no longer hold
    /// their values on entry in the state from here on (`Some(bits)`, more of them: a store, a
    /// call that may change them, an entry elsewhere than at the function's entry), or that all
    /// do (`None`: the entry).
    pub(super) fn note_callee_saved_stored(&self, stored: Option<u64>) {
        let Some(flags) = self.callee_saved_stored else { return };
        // Only the registers some epilogue of the function restores are looked at.
        let restored = self.sync.restores.registers();
        let tracked = RESTORABLE
            .clone()
            .filter(|&n| restored & (1 << Reg::x(n).0) != 0)
            .filter_map(|n| restorable_bit(Reg::x(n)))
            .fold(0, |m, b| m | b);
        // SAFETY: the flags and the builder belong to this function.
        unsafe {
            let i16t = LLVMInt16TypeInContext(self.t.ctx);
            let value = match stored.map(|bits| bits & tracked) {
                None => self.t.const_int(i16t, 0),
                Some(0) => return,
                // A constant, not an `or` with what the flags held: at an entry elsewhere than the
                // function's entry they hold nothing yet.
                Some(bits) if bits == tracked => self.t.const_int(i16t, bits as u128),
                Some(bits) => {
                    let old = LLVMBuildLoad2(self.b, i16t, flags, NONAME);
                    LLVMBuildOr(self.b, old, self.t.const_int(i16t, bits as u128), NONAME)
                }
            };
            LLVMBuildStore(self.b, value, flags);
        }
    }

    /// Before a return from `block` to `target` (or a tail call, which returns to `target`): the
    /// callee-saved registers that the block's epilogue put back as they were on entry
    /// (`SyncSets::restores`) are left unstored when the state still holds those values (nothing
    /// stored them since the entry: the flags `callee_saved_stored`) and the return goes to the
    /// link register the function was entered with, as every return of compiled code does;
    /// otherwise they are stored (code that plants values in its own save slots and returns
    /// elsewhere, as `__builtin_eh_return` does, takes them from there).
    pub(super) fn store_restores_unless_returning_to_caller(&self, block: usize, target: LLVMValueRef) {
        let Some(&restored) = self.sync.restores.at_return.get(&block) else { return };
        let Some(flags) = self.callee_saved_stored else { return };
        let regs: BTreeSet<Reg> = Reg::all().filter(|&r| restored & (1 << r.0) != 0).collect();
        let bits = regs.iter().filter_map(|&r| restorable_bit(r)).fold(0, |m, b| m | b);
        let entered_with =
            self.passed[PASSED_IN_REGISTERS.iter().position(|&r| r == Reg::x(30)).expect("x30 is passed")];
        if self.entered_at_prefix_exits {
            // A body is entered where its prefix leaves (the flags all set), all but never at the
            // function's entry: it just stores them.
            for (r, v) in self.restores_loaded_again(block) {
                self.write_back_value(r, v);
            }
            return;
        }
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
        for (i, &v) in insts.iter().enumerate() {
            let InstData::SetReg { reg, arg } = *self.func.inst(v) else { continue };
            if !self.sync.restores.setregs.contains(&v) {
                continue;
            }
            let loaded = match *self.func.inst(arg) {
                InstData::Load { ty, addr } => {
                    let at = insts.iter().position(|&w| w == arg);
                    let stored_after = at.is_none_or(|at| insts[at.min(i)..].iter().any(writes_memory));
                    (!stored_after).then(|| unsafe {
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

//! How control enters the LLVM functions of one guest function: the entry and resume points of a
//! whole function, the entry of an early-exit prefix, and the prefix's edges into the body
//! (ir/src/prefix.rs). Every entry point takes the passed registers from the arguments and loads
//! the others its block needs from the state, so no block becomes a join of many entries.

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::LLVMIntPredicate;
use vmtrans_ir::prefix::handed_over;
use vmtrans_ir::{Block, Function};

use super::FnLowering;
use crate::llvm::types::NONAME;

/// Where a whole function is entered, the likeliest first: a body is entered at the prefix's exits
/// (`extra_entries`, the first listed taken as the likeliest), never at the function's entry but
/// by the dispatcher; a function without a prefix at its entry; both at their resume points.
pub(super) fn entry_points(func: &Function, extra_entries: &[(u64, Block)]) -> Vec<(u64, Block)> {
    let mut entries = extra_entries.to_vec();
    entries.push((func.entry_addr, func.entry()));
    entries.extend(func.resume_points.iter().copied());
    let mut seen = std::collections::BTreeSet::new();
    entries.retain(|&(addr, _)| seen.insert(addr));
    entries
}

impl FnLowering<'_> {
    /// The entry of a whole function: enter at the entry, or resume at an entry point (a resume
    /// point, a prefix exit) in a block that takes the passed registers and reloads the others,
    /// then jumps to its block. The entry point expected most is tested first: the entry, or the
    /// first exit of the function's prefix (the other entry points are rare: a return after the
    /// dispatcher ran a callee, a longjmp), so it does not wait behind a search of the others.
    /// `entries` are `entry_points`, the likeliest first.
    pub(super) fn enter_whole(
        &mut self,
        llfn: LLVMValueRef,
        pc: LLVMValueRef,
        entries: &[(u64, Block)],
        bbs: &[LLVMBasicBlockRef],
    ) {
        let (t, b) = (self.t, self.b);
        // SAFETY: every LLVM object here belongs to this function's context and builder.
        unsafe {
            let entered = |l: &Self, blk: Block| {
                let bb = LLVMAppendBasicBlockInContext(t.ctx, llfn, NONAME);
                LLVMPositionBuilderAtEnd(b, bb);
                l.enter(blk.index());
                LLVMBuildBr(b, bbs[blk.index()]);
                bb
            };
            let here = LLVMGetInsertBlock(b);
            let hot = entered(self, entries[0].1);
            LLVMPositionBuilderAtEnd(b, here);
            if entries.len() == 1 {
                LLVMBuildBr(b, hot);
                return;
            }
            let others = LLVMAppendBasicBlockInContext(t.ctx, llfn, NONAME);
            let is_hot = self.icmp(LLVMIntPredicate::LLVMIntEQ, pc, t.const_int(t.i64, entries[0].0 as u128));
            let br = LLVMBuildCondBr(b, is_hot, hot, others);
            self.set_branch_weights(br, 2000, 1);
            let cases: Vec<(u64, LLVMBasicBlockRef)> =
                entries[1..].iter().map(|&(addr, blk)| (addr, entered(self, blk))).collect();
            // The table lists only the entry and the resume points, and a prefix hands on only its
            // exits, so no other pc arrives.
            let no_other_pc = LLVMAppendBasicBlockInContext(t.ctx, llfn, NONAME);
            LLVMPositionBuilderAtEnd(b, no_other_pc);
            LLVMBuildUnreachable(b);
            LLVMPositionBuilderAtEnd(b, others);
            let sw = LLVMBuildSwitch(b, pc, no_other_pc, cases.len() as u32);
            for (a, target) in cases {
                LLVMAddCase(sw, t.const_int(t.i64, a as u128), target);
            }
        }
    }

    /// The entry of a prefix: callers enter at the function's entry; any other pc (a resume point
    /// the dispatcher found in the table) goes straight on in the body.
    pub(super) fn enter_prefix(
        &mut self,
        llfn: LLVMValueRef,
        pc: LLVMValueRef,
        body: LLVMValueRef,
        bbs: &[LLVMBasicBlockRef],
    ) {
        let (t, b) = (self.t, self.b);
        // SAFETY: every LLVM object here belongs to this function's context and builder.
        unsafe {
            let init = LLVMAppendBasicBlockInContext(t.ctx, llfn, NONAME);
            let elsewhere = LLVMAppendBasicBlockInContext(t.ctx, llfn, NONAME);
            let is_entry = self.icmp(LLVMIntPredicate::LLVMIntEQ, pc, t.const_int(t.i64, self.func.entry_addr as u128));
            let br = LLVMBuildCondBr(b, is_entry, init, elsewhere);
            self.set_branch_weights(br, 2000, 1);
            LLVMPositionBuilderAtEnd(b, elsewhere);
            self.call_guest_fn_passing(body, pc, self.passed, true);
            LLVMPositionBuilderAtEnd(b, init);
            self.enter(0);
            LLVMBuildBr(b, bbs[0]);
        }
    }

    /// The edge of a prefix block `block` to `dest`, a block outside the prefix: stores what the
    /// body reads from the state on entering at `dest` (`vmtrans_ir::prefix::handed_over`) and goes
    /// on in the body, by a tail call with `dest`'s guest address as the pc.
    pub(super) fn edge_into_body(&mut self, block: usize, dest: Block, body: LLVMValueRef) -> LLVMBasicBlockRef {
        let addr = self.func.blocks[dest.index()].guest_addr.expect("a prefix exit has a guest address");
        let regs = handed_over(self.sync, &self.dirty_at_end[block], Block(block as u32), dest);
        // SAFETY: every LLVM object here belongs to this function's context and builder.
        unsafe {
            let here = LLVMGetInsertBlock(self.b);
            let stub = LLVMAppendBasicBlockInContext(self.t.ctx, LLVMGetBasicBlockParent(here), NONAME);
            LLVMPositionBuilderAtEnd(self.b, stub);
            self.write_back(&regs);
            self.call_guest_fn(body, self.const64(addr), true);
            LLVMPositionBuilderAtEnd(self.b, here);
            stub
        }
    }
}

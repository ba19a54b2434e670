//! How control leaves a block of the function being lowered: its terminator (branches, calls,
//! returns, jumps to other code, system calls, traps), what follows a call (the check of the
//! returned pc and sp, the reload of what the continuation reads), and the local edges, which write
//! registers back on the way into a loop that calls out and poll for signals on the way back to an
//! earlier block.

use std::collections::BTreeSet;

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::{LLVMAtomicOrdering, LLVMCallConv, LLVMIntPredicate};
use vmtrans_ir::inst::Terminator;
use vmtrans_ir::sync::{PASSED_IN_REGISTERS, PC_IN_STATE, RETURNED_IN_REGISTERS};
use vmtrans_ir::Reg;

use super::FnLowering;
use crate::llvm::types::{return_field, NONAME, PC_FIELD};

impl FnLowering<'_> {
    /// After a call that should come back to `ret_addr`: go on in `cont` if the pc it returned is
    /// `ret_addr`, else return (the frame was unwound). `returned` is what a translated callee
    /// returned (the pc and `RETURNED_IN_REGISTERS`); without it (a system call) all are the
    /// state's. Going on reloads the registers `cont` needs loaded (not those it leaves in the state
    /// until a path reads them, `unloaded_at_start`), except those returned, x30, which is
    /// `ret_addr` when a callee returned there (a RET goes to x30), and those of `kept`
    /// (callee-saved under the call convention, `CallConvention::kept_across`), which the callee
    /// left unchanged, provided the sp it returned is the one this function holds. With another sp
    /// (a context switch came back to this return address on another stack) the function returns
    /// too: the dispatcher then resumes at `ret_addr` in a block that reloads everything.
    pub(super) fn after_call(
        &mut self,
        ret_addr: u64,
        cont: vmtrans_ir::Block,
        kept: &[Reg],
        returned: Option<LLVMValueRef>,
        bbs: &[LLVMBasicBlockRef],
    ) {
        // A callee that may change x24-x28 may have stored them (a system call's handler too).
        if !kept.contains(&Reg::x(24)) {
            self.note_stored(u128::MAX);
        }
        // A kept register still unloaded is the callee's to keep in the state: reloaded after it.
        let kept: BTreeSet<Reg> = kept
            .iter()
            .copied()
            .filter(|r| self.live_at_start[cont.index()].contains(r) && !self.unloaded.contains(r))
            .collect();
        unsafe {
            let fnv = LLVMGetBasicBlockParent(LLVMGetInsertBlock(self.b));
            let check = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
            LLVMBuildBr(self.b, check);
            let unwind = match returned {
                // Hand on what the callee returned.
                Some(result) => {
                    let unwind = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
                    LLVMPositionBuilderAtEnd(self.b, unwind);
                    LLVMBuildRet(self.b, result);
                    unwind
                }
                None => self.unwind_block(fnv),
            };
            LLVMPositionBuilderAtEnd(self.b, check);
            let sp_before = self.read_reg(Reg::SP);
            let pc = match returned {
                Some(result) => {
                    for r in RETURNED_IN_REGISTERS {
                        self.write_reg(r, LLVMBuildExtractValue(self.b, result, return_field(r), NONAME));
                    }
                    self.write_reg(Reg::x(30), self.const64(ret_addr));
                    LLVMBuildExtractValue(self.b, result, PC_FIELD, NONAME)
                }
                None => self.load_pc(),
            };
            let mut not_reloaded = kept.clone();
            if returned.is_some() {
                not_reloaded.extend(PASSED_IN_REGISTERS);
            }
            // What the continuation leaves in the state until a path reads it (ir/src/lazy_loads.rs).
            not_reloaded.extend(self.unloaded_at_start[cont.index()].iter().copied());
            self.reload(cont.index(), &not_reloaded);
            let mut ok = self.icmp(LLVMIntPredicate::LLVMIntEQ, pc, self.const64(ret_addr));
            if !kept.is_empty() {
                // Only a call passes `kept` (a system call keeps nothing), and it returned sp.
                let same = self.icmp(LLVMIntPredicate::LLVMIntEQ, self.read_reg(Reg::SP), sp_before);
                ok = LLVMBuildAnd(self.b, ok, same, NONAME);
            }
            let br = LLVMBuildCondBr(self.b, ok, bbs[cont.index()], unwind);
            self.set_branch_weights(br, 2000, 1);
        }
    }

    /// The function's block that returns what the state holds at once (after a system call or
    /// signal delivery that moved the pc elsewhere).
    pub(super) fn unwind_block(&mut self, fnv: LLVMValueRef) -> LLVMBasicBlockRef {
        if let Some(bb) = self.unwind {
            return bb;
        }
        unsafe {
            let here = LLVMGetInsertBlock(self.b);
            let bb = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
            LLVMPositionBuilderAtEnd(self.b, bb);
            LLVMBuildRet(self.b, self.state_return_value());
            LLVMPositionBuilderAtEnd(self.b, here);
            self.unwind = Some(bb);
            bb
        }
    }

    /// Where the edge from `block` to `dest` enters: `dest` itself, or, for an edge back to a block at or
    /// before `block` (every cycle of the control-flow graph has one; `vmtrans_ir::poll`), a block
    /// that first tests the thread's poll word (`vmtrans_signal_pending`). When it is raised the
    /// registers live at `dest` are written back; then a function that calls nothing leaves for the
    /// dispatcher with `dest`'s address as the pc, as a jump to another function does (the runtime
    /// delivers the signals and enters the function again at `dest`, one of its resume points), and
    /// one that calls out calls the runtime's `preserve_most` trampoline and goes on with the values
    /// it holds unless a handler changed the state (`vmtrans_ir::poll` says why each). So a thread
    /// spinning in a translated loop still takes asynchronous signals, as on hardware. Registers
    /// dead at `dest` are left out of the write-back.
    ///
    /// An edge into a loop that calls out first writes back the registers `sync_sets` lists for it.
    pub(super) fn edge_to(
        &mut self,
        block: usize,
        dest: vmtrans_ir::Block,
        bbs: &[LLVMBasicBlockRef],
    ) -> LLVMBasicBlockRef {
        if let Some((blocks, body)) = &self.prefix_of {
            if !blocks.contains(&dest.index()) {
                let body = *body;
                return self.edge_into_body(block, dest, body);
            }
        }
        let target = self.poll_edge_to(block, dest, bbs);
        let Some(regs) = self.written_back_on_edge.get(&(block, dest.index())) else {
            return target;
        };
        unsafe {
            let here = LLVMGetInsertBlock(self.b);
            let write_back = LLVMAppendBasicBlockInContext(self.t.ctx, LLVMGetBasicBlockParent(here), NONAME);
            LLVMPositionBuilderAtEnd(self.b, write_back);
            self.write_back(regs);
            LLVMBuildBr(self.b, target);
            LLVMPositionBuilderAtEnd(self.b, here);
            write_back
        }
    }

    /// The poll word's address (`polls_for_fast_isel`), taken by the first instruction of
    /// function `fnv`'s entry block, so that only that one instruction goes to the slow selector.
    pub(super) fn poll_word_address(&mut self, fnv: LLVMValueRef) -> LLVMValueRef {
        if let Some(address) = self.poll_word_address {
            return address;
        }
        unsafe {
            let here = LLVMGetInsertBlock(self.b);
            let entry = LLVMGetEntryBasicBlock(fnv);
            let first = LLVMGetFirstInstruction(entry);
            if first.is_null() {
                LLVMPositionBuilderAtEnd(self.b, entry);
            } else {
                LLVMPositionBuilderBefore(self.b, first);
            }
            let address = self.intrinsic("llvm.threadlocal.address", &[self.t.ptr], &[self.rt.poll_word]);
            LLVMPositionBuilderAtEnd(self.b, here);
            self.poll_word_address = Some(address);
            address
        }
    }

    /// The part of `edge_to` that polls on edges back to an earlier block.
    pub(super) fn poll_edge_to(
        &mut self,
        block: usize,
        dest: vmtrans_ir::Block,
        bbs: &[LLVMBasicBlockRef],
    ) -> LLVMBasicBlockRef {
        let polled = self.signal_poll && vmtrans_ir::poll::polls_on_edge(self.func, block, dest.index());
        let Some(addr) = self.func.blocks[dest.index()].guest_addr.filter(|_| polled) else {
            return bbs[dest.index()];
        };
        unsafe {
            let here = LLVMGetInsertBlock(self.b);
            let fnv = LLVMGetBasicBlockParent(here);
            let poll = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
            let deliver = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
            LLVMPositionBuilderAtEnd(self.b, poll);
            self.branch_if_signal_pending(fnv, deliver, bbs[dest.index()]);
            LLVMPositionBuilderAtEnd(self.b, deliver);
            // Only what the loop may still read: a register dead at `dest` (the flags a compare
            // in the loop sets for its own branch, most often) is read neither by the loop nor by
            // the code the dispatcher resumes, so computing it on every iteration for this cold
            // path would be wasted. A handler sees such a register in its `ucontext` as last
            // stored.
            let live = &self.live_at_start[dest.index()];
            let mut regs: BTreeSet<Reg> = self.dirty_at_end[block].intersection(live).copied().collect();
            // Leaving needs `dest` to be a resume point (`add_poll_resume_points` makes it one);
            // without one the dispatcher would run the rest of the loop in the fallback engine.
            let resumable = self.func.resume_points.iter().any(|&(a, _)| a == addr);
            if self.polls_by_leaving && resumable {
                // The passed registers go in the jump's arguments; `dest` is a resume point.
                for r in PASSED_IN_REGISTERS {
                    regs.remove(&r);
                }
                self.write_back(&regs);
                let passed = PASSED_IN_REGISTERS.map(|r| {
                    if self.unloaded.contains(&r) {
                        self.load_from_state(r)
                    } else {
                        self.read_reg(r)
                    }
                });
                self.call_guest_fn_passing(self.rt.dispatch, self.const64(addr), passed, true);
            } else {
                // The runtime delivers and says whether a handler changed the state; the loop goes
                // on with the values it holds unless one did.
                self.set_pc(self.const64(addr));
                self.write_back(&regs);
                self.deliver_signals_then(fnv, bbs[dest.index()]);
            }
            LLVMPositionBuilderAtEnd(self.b, here);
            poll
        }
    }

    /// Ends the block being built with a test of the thread's poll word: on to `pending` when a
    /// signal is pending, else to `none`. For code generated as at -O0 the word's address is
    /// taken once (`poll_word_address`) and read by a volatile load; otherwise by a monotonic one,
    /// so that LLVM neither hoists it out of the loop nor merges it with others.
    pub(super) fn branch_if_signal_pending(
        &mut self,
        fnv: LLVMValueRef,
        pending: LLVMBasicBlockRef,
        none: LLVMBasicBlockRef,
    ) {
        // SAFETY: every LLVM object here belongs to this function's context and builder.
        unsafe {
            let word = if self.polls_for_fast_isel {
                let address = self.poll_word_address(fnv);
                let word = LLVMBuildLoad2(self.b, self.t.i32, address, NONAME);
                LLVMSetVolatile(word, 1);
                word
            } else {
                let word = LLVMBuildLoad2(self.b, self.t.i32, self.rt.poll_word, NONAME);
                LLVMSetOrdering(word, LLVMAtomicOrdering::LLVMAtomicOrderingMonotonic);
                word
            };
            LLVMSetAlignment(word, 4);
            let raised = self.icmp(LLVMIntPredicate::LLVMIntNE, word, self.t.const_int(self.t.i32, 0));
            let br = LLVMBuildCondBr(self.b, raised, pending, none);
            self.set_branch_weights(br, 1, 100_000);
        }
    }

    /// Ends the block being built (the state holding the pc and what a handler may read) with a
    /// call of the runtime that delivers the pending signals, then goes on to `next` unless a
    /// handler changed the state, in which case the function returns what the state holds.
    pub(super) fn deliver_signals_then(&mut self, fnv: LLVMValueRef, next: LLVMBasicBlockRef) {
        // SAFETY: every LLVM object here belongs to this function's context and builder.
        unsafe {
            let unwind = self.unwind_block(fnv);
            let mut args = [self.state];
            let changed = if self.polls_for_fast_isel {
                LLVMBuildCall2(self.b, self.rt.poll_ty, self.rt.poll_plain, args.as_mut_ptr(), 1, NONAME)
            } else {
                let call = LLVMBuildCall2(self.b, self.rt.poll_ty, self.rt.poll, args.as_mut_ptr(), 1, NONAME);
                LLVMSetInstructionCallConv(call, LLVMCallConv::LLVMPreserveMostCallConv as u32);
                call
            };
            let same = self.icmp(LLVMIntPredicate::LLVMIntEQ, changed, self.t.const_int(self.t.i32, 0));
            let br = LLVMBuildCondBr(self.b, same, next, unwind);
            self.set_branch_weights(br, 100_000, 1);
        }
    }

    pub(super) fn lower_terminator(&mut self, block: usize, term: &Terminator, bbs: &[LLVMBasicBlockRef]) {
        let val = |v: vmtrans_ir::Value| self.values[v.index()].expect("terminator operand");
        unsafe {
            match *term {
                Terminator::None => {
                    LLVMBuildUnreachable(self.b);
                }
                Terminator::Jump { dest } => {
                    self.load_for_successors(&[dest.index()]);
                    let dest = self.edge_to(block, dest, bbs);
                    LLVMBuildBr(self.b, dest);
                }
                Terminator::Branch { cond, then_dest, else_dest } => {
                    let cond = val(cond);
                    self.load_for_successors(&[then_dest.index(), else_dest.index()]);
                    let (then_bb, else_bb) = (self.edge_to(block, then_dest, bbs), self.edge_to(block, else_dest, bbs));
                    LLVMBuildCondBr(self.b, cond, then_bb, else_bb);
                }
                Terminator::CallGuest { target, ret_addr, cont } => {
                    self.flush(block);
                    let t = self.const64(target);
                    let returned = match self.fns.get(&target) {
                        Some(&f) => self.call_guest_fn(f, t, false),
                        None => self.runtime_call(t, ret_addr),
                    };
                    self.after_call(ret_addr, cont, self.convention.kept_across(term), Some(returned), bbs);
                }
                Terminator::CallIndirect { target, ret_addr, cont } => {
                    self.flush(block);
                    let t = val(target);
                    // Targets the lifter recovered are called directly when the computed
                    // address is one of them; any other address goes through the runtime.
                    let direct: Vec<(u64, LLVMValueRef)> = self
                        .indirect_targets_of(block)
                        .into_iter()
                        .filter_map(|a| self.fns.get(&a).map(|&f| (a, f)))
                        .collect();
                    let returned = if direct.is_empty() {
                        self.indirect_call_via_cache(t, ret_addr)
                    } else {
                        self.join_results(|arrive| {
                            let fnv = LLVMGetBasicBlockParent(LLVMGetInsertBlock(self.b));
                            for (a, f) in direct {
                                let hit = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
                                let miss = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
                                let is_a = self.icmp(LLVMIntPredicate::LLVMIntEQ, t, self.const64(a));
                                LLVMBuildCondBr(self.b, is_a, hit, miss);
                                LLVMPositionBuilderAtEnd(self.b, hit);
                                arrive(self.call_guest_fn(f, self.const64(a), false));
                                LLVMPositionBuilderAtEnd(self.b, miss);
                            }
                            arrive(self.runtime_call(t, ret_addr));
                        })
                    };
                    // What a callee reached through a register does with x19-x29 is not followed
                    // (call_boundaries): it may have stored them changed.
                    self.note_stored(u128::MAX);
                    self.after_call(ret_addr, cont, self.convention.kept_across(term), Some(returned), bbs);
                }
                Terminator::Return { target } => {
                    // The pc is x30's value (a RET goes to x30): the receiver takes it for x30 too.
                    // Only a return to `PC_IN_STATE` itself puts both in the state, as that pc
                    // tells the receiver to find them there.
                    let target = val(target);
                    self.store_restores_unless_returning_to_caller(block, target);
                    self.flush(block);
                    let fnv = LLVMGetBasicBlockParent(LLVMGetInsertBlock(self.b));
                    let odd = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
                    let usual = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
                    let is_marker = self.icmp(LLVMIntPredicate::LLVMIntEQ, target, self.const64(PC_IN_STATE));
                    let br = LLVMBuildCondBr(self.b, is_marker, odd, usual);
                    self.set_branch_weights(br, 1, 100_000);
                    LLVMPositionBuilderAtEnd(self.b, odd);
                    self.set_pc(target);
                    self.write_back_value(Reg::x(30), target);
                    // One `ret` for both: code generated as at -O0 hands each to the slow selector.
                    LLVMBuildBr(self.b, usual);
                    LLVMPositionBuilderAtEnd(self.b, usual);
                    let result = self.guest_return_value(target, |r| self.read_reg(r));
                    LLVMBuildRet(self.b, result);
                }
                Terminator::JumpGuest { target } => {
                    let t = self.const64(target);
                    // A tail call: the function jumped to returns to x30.
                    self.store_restores_unless_returning_to_caller(block, self.read_reg(Reg::x(30)));
                    self.flush(block);
                    self.leave_to(t, Some(target));
                }
                Terminator::JumpIndirect { target } => {
                    let t = val(target);
                    let group = self.shared_dispatch_of.get(&block).copied();
                    let known = if group.is_some() { vec![] } else { self.known_indirect_targets(block) };
                    if let Some(group) = group {
                        self.jump_through_shared_dispatch(block, t, group);
                    } else if known.is_empty() {
                        self.flush_leaving(block);
                        self.indirect_jump_via_cache(t);
                    } else {
                        self.load_for_successors(&known.iter().map(|&(_, i)| i).collect::<Vec<_>>());
                        let fnv = LLVMGetBasicBlockParent(LLVMGetInsertBlock(self.b));
                        let miss = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
                        // A recovered target at or before this block closes a cycle: it polls too.
                        let entries: Vec<LLVMBasicBlockRef> =
                            known.iter().map(|&(_, i)| self.edge_to(block, vmtrans_ir::Block(i as u32), bbs)).collect();
                        let sw = LLVMBuildSwitch(self.b, t, miss, known.len() as u32);
                        for (&(a, _), &entry) in known.iter().zip(&entries) {
                            LLVMAddCase(sw, self.const64(a), entry);
                        }
                        LLVMPositionBuilderAtEnd(self.b, miss);
                        self.flush_leaving(block);
                        self.leave_to(t, None);
                    }
                }
                Terminator::Syscall { pc, cont } => {
                    let next = pc.wrapping_add(4);
                    self.set_pc(self.const64(next));
                    self.flush(block);
                    let mut args = [self.state];
                    LLVMBuildCall2(self.b, self.rt.syscall_ty, self.rt.syscall, args.as_mut_ptr(), 1, NONAME);
                    self.after_call(next, cont, &[], None, bbs);
                }
                Terminator::Trap { kind, pc, insn } => {
                    self.set_pc(self.const64(pc));
                    self.flush(block);
                    let mut args = [
                        self.state,
                        self.t.const_int(self.t.i32, kind as u128),
                        self.t.const_int(self.t.i32, insn as u128),
                    ];
                    LLVMBuildCall2(self.b, self.rt.trap_ty, self.rt.trap, args.as_mut_ptr(), 3, NONAME);
                    // A handled signal leaves the pc where the handler resumes: go on from there,
                    // with the registers the state holds.
                    let pc = self.load_pc();
                    let passed = PASSED_IN_REGISTERS.map(|r| self.load_from_state(r));
                    self.call_guest_fn_passing(self.rt.dispatch, pc, passed, true);
                }
            }
        }
    }

    /// Calls the runtime to run guest code at `target` until it returns to `ret_addr`, after
    /// storing the passed registers (which the flush before a call leaves to the callee); returns
    /// what the state then holds, as a translated callee would.
    pub(in crate::llvm) fn runtime_call(&self, target: LLVMValueRef, ret_addr: u64) -> LLVMValueRef {
        unsafe {
            self.write_back(&BTreeSet::from(PASSED_IN_REGISTERS));
            let mut args = [self.state, target, self.const64(ret_addr)];
            LLVMBuildCall2(self.b, self.rt.call_ty, self.rt.call, args.as_mut_ptr(), 3, NONAME);
            // Code without a translation may have stored x19-x29 changed.
            self.note_stored(u128::MAX);
            self.state_return_value()
        }
    }
}

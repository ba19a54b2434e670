//! Lowering of one IR function to one LLVM function `g_<addr>(ptr state, i64 pc, ...)` of the
//! type and convention `Types::guest_fn` describes.
//!
//! Guest registers the function touches live in allocas (LLVM's mem2reg makes them SSA values):
//! x0, sp, x30, x19-x23 and x29 arrive as arguments (`vmtrans_ir::sync::PASSED_IN_REGISTERS`), the
//! others are loaded from the state where a path first reads them (`vmtrans_ir::lazy_loads`; resume
//! points load them at once); after every call the passed registers but x30 come back as results
//! and the others are reloaded (but the callee-saved ones the call convention keeps). They are
//! stored back before every call and exit, and only those a path may have written since the state
//! was last brought up to date (ir/src/sync.rs) are stored; the passed registers leave by calls,
//! jumps and returns in host registers, never through the state. The function starts at its entry when `pc` is its entry
//! address, and otherwise resumes at the block of that guest address (return sites, jump-table
//! targets, any leader the global table lists), so the dispatcher can re-enter it.
//! Calls of translated functions are native calls; after one returns, the pc it returns must be
//! the expected return address (and, where callee-saved registers are kept, the returned sp the
//! one the function holds), else the function returns at once, handing on what it got (its frame was
//! unwound by a longjmp, or a context switch came back on another stack) and the caller up the
//! host stack checks in turn; the dispatcher at the bottom resumes at the returned pc.
//!
//! A function whose entry can return before it calls out (ir/src/prefix.rs) is two LLVM functions
//! of that type: `g_<addr>` holds only that early-exit prefix, so its early return saves no host
//! callee-saved register, and tail-calls the private `g_<addr>.body`, the whole function, at the
//! guest address where a path leaves the prefix (`Shape`, `entries.rs`).
//!
//! Submodules: `entries.rs` (how control enters), `control.rs` (terminators, calls and edges),
//! `restores.rs` (epilogues' restores left unstored), `slots.rs` (where each register lives).

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;

use rustc_hash::{FxHashMap, FxHashSet};

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::{LLVMAtomicOrdering, LLVMIntPredicate, LLVMOpcode, LLVMTailCallKind};
use vmtrans_ir::a64::state::reg_offset;
use vmtrans_ir::inst::{Helper, InstData};
use vmtrans_ir::lazy_loads::unloaded_at_start;
use vmtrans_ir::loops::invariant_address_loads;
use vmtrans_ir::prefix::Prefix;
use vmtrans_ir::sync::{
    stack_pointer_raises, CallConvention, SyncSets, PASSED_IN_REGISTERS, PC_IN_STATE, RETURNED_IN_REGISTERS,
};
use vmtrans_ir::{Function, Reg, Type, Value};

use restores::{flag_bits, RestoreFlags};

use super::types::{make_guest_call, return_field, Types, NONAME, PC_FIELD};
use super::{CodegenOptions, GuestBase};

mod control;
pub(super) mod deferred_nan;
mod dispatch;
mod entries;
mod restores;
mod slots;

use deferred_nan::{deferrable_nan_checks, NanCheckPlan};
use entries::entry_points;
use slots::{float_loads, vector_register_layouts, RawRead, Slot, Users};

/// Runtime functions translated code calls.
#[derive(Clone, Copy)]
pub struct RuntimeFns {
    /// `vmtrans_dispatch`: runs guest code from `pc` (same type as a guest function).
    pub dispatch: LLVMValueRef,
    /// `void vmtrans_call(ptr, i64 target, i64 ret)`: calls guest code at `target` until it
    /// returns to `ret`.
    pub call: LLVMValueRef,
    pub call_ty: LLVMTypeRef,
    /// `void vmtrans_syscall(ptr)`.
    pub syscall: LLVMValueRef,
    pub syscall_ty: LLVMTypeRef,
    /// `void vmtrans_trap(ptr, i32 kind, i32 insn)`.
    pub trap: LLVMValueRef,
    pub trap_ty: LLVMTypeRef,
    /// `i32 vmtrans_helper_crc32(i32, i64, i64, i32 castagnoli)`.
    pub crc32: LLVMValueRef,
    pub crc32_ty: LLVMTypeRef,
    /// `i64 vmtrans_helper_cntvct()`.
    pub cntvct: LLVMValueRef,
    pub cntvct_ty: LLVMTypeRef,
    /// `i64 vmtrans_helper_fpcr_write(i64)`, `i64 vmtrans_helper_fpsr_read(i64)`,
    /// `i64 vmtrans_helper_fpsr_write(i64)` and `i64 vmtrans_helper_invalidate_code(i64)`, all of
    /// type `i64_helper_ty`.
    pub fpcr_write: LLVMValueRef,
    pub fpsr_read: LLVMValueRef,
    pub fpsr_write: LLVMValueRef,
    pub invalidate_code: LLVMValueRef,
    pub i64_helper_ty: LLVMTypeRef,
    /// `@vmtrans_guest_base`, an external i64 global.
    pub guest_base: LLVMValueRef,
    /// `i32 vmtrans_poll_preserving(ptr)`, called with LLVM's `preserve_most` convention: delivers
    /// recorded signals at a loop back-edge of a function that calls out; non-zero when a handler
    /// changed the registers or the pc.
    pub poll: LLVMValueRef,
    pub poll_ty: LLVMTypeRef,
    /// `i32 vmtrans_poll(ptr)`, the same with the C convention, for code generated as at -O0,
    /// whose fast instruction selector takes no `preserve_most` call.
    pub poll_plain: LLVMValueRef,
    /// `@vmtrans_signal_pending`, the runtime's thread-local poll word (an i32), which loop
    /// back-edges test.
    pub poll_word: LLVMValueRef,
    /// `@vmtrans_func_table` (defined in part 0; declared, hidden, in the others).
    pub func_table: LLVMValueRef,
    /// `@vmtrans_lookup_cache`, the runtime's cache of table lookups (ir/src/lookup_cache.rs).
    pub lookup_cache: LLVMValueRef,
    /// `ptr vmtrans_lookup(i64 target)`: the translation of `target`, or null.
    pub lookup: LLVMValueRef,
    pub lookup_ty: LLVMTypeRef,
}

/// Which part of a guest function one LLVM function holds (ir/src/prefix.rs).
pub enum Shape<'p> {
    /// The whole function, entered at its entry, at its resume points and at `extra_entries` (the
    /// exits of its prefix when it has one; the first of them is expected most).
    Whole { extra_entries: &'p [(u64, vmtrans_ir::Block)] },
    /// The early-exit prefix alone: every other path goes on in `body`, the `Whole` function,
    /// entered at the prefix exit's guest address.
    Prefix { prefix: &'p Prefix, body: LLVMValueRef },
}

/// The state of lowering one function.
pub struct FnLowering<'a> {
    pub t: Types,
    pub module: LLVMModuleRef,
    pub b: LLVMBuilderRef,
    pub func: &'a Function,
    pub rt: RuntimeFns,
    /// LLVM functions of translated guest functions, by guest entry address.
    pub fns: &'a FxHashMap<u64, LLVMValueRef>,
    pub values: Vec<Option<LLVMValueRef>>,
    /// The guest base loaded at the entry, with `GuestBase::Anywhere`; with `GuestBase::Zero`
    /// guest addresses are host addresses.
    pub guest_base: Option<LLVMValueRef>,
    state: LLVMValueRef,
    /// The function's arguments holding `PASSED_IN_REGISTERS`, in that order.
    passed: [LLVMValueRef; PASSED_IN_REGISTERS.len()],
    /// Where each register of `used` lives (`slots.rs`).
    slots: FxHashMap<Reg, Slot>,
    /// The guest loads made as float loads (`slots::float_loads`), and the float each loaded.
    pub(super) float_loads: FxHashSet<Value>,
    pub(super) loaded_floats: FxHashMap<Value, LLVMValueRef>,
    /// What each `getreg` of a vector register loaded from its slot (`slots.rs`).
    raw_reads: FxHashMap<Value, RawRead>,
    state_ptrs: FxHashMap<Reg, LLVMValueRef>,
    used: BTreeSet<Reg>,
    /// Per block, the registers that may differ from the state at its end (ir/src/sync.rs).
    dirty_at_end: Vec<BTreeSet<Reg>>,
    /// Per block, the registers whose values at its start some path reads.
    live_at_start: Vec<BTreeSet<Reg>>,
    /// The registers written back on edges into loops that call out.
    written_back_on_edge: FxHashMap<(usize, usize), BTreeSet<Reg>>,
    /// The block that returns what the state holds at once, made when first needed.
    unwind: Option<LLVMBasicBlockRef>,
    /// The index of the block starting at each guest address.
    block_at: FxHashMap<u64, usize>,
    /// Whether loop back-edges poll it (`--no-signal-poll` turns this off).
    signal_poll: bool,
    /// Whether loads and stores of state fields up to 8 bytes are unordered atomics
    /// (`keep_access_size`). Only optimisation merges accesses, so where code is generated as at -O0
    /// (every function at -O0, very large ones at any level) they are plain, which lets LLVM's fast
    /// instruction selector take them: it gives up on atomic accesses and hands their whole block to
    /// the slow selector, which made -O0 codegen twice as slow. (A very large function optimised
    /// at -O2 may so get merged accesses: slower, never wrong.)
    atomic_state_accesses: bool,
    /// Whether loops leave for the dispatcher when a signal is pending, rather than call the
    /// runtime (`vmtrans_ir::poll::polls_by_leaving`).
    polls_by_leaving: bool,
    /// Whether polls are made for the fast instruction selector (code generated as at -O0, as
    /// `atomic_state_accesses` is not), which takes neither a thread-local address, an atomic load
    /// nor a `preserve_most` call and hands each to the slow selector, thousands of times in a
    /// program: the poll word's address is taken once at the function's entry
    /// (`poll_word_address`), the word is read by a volatile load (nothing reorders at -O0, and
    /// a volatile load is neither hoisted nor merged either), and delivery calls `vmtrans_poll`.
    polls_for_fast_isel: bool,
    /// The poll word's address, taken at the top of the entry block when first needed.
    poll_word_address: Option<LLVMValueRef>,
    /// What calls and returns may assume.
    convention: CallConvention,
    /// The values the function uses (a load whose value is unused must still be made).
    pub(super) used_values: FxHashSet<vmtrans_ir::Value>,
    /// Loads in loops whose address does not change, which must be made on every iteration
    /// (`vmtrans_ir::loops`).
    pub(super) repeated_loads: FxHashSet<vmtrans_ir::Value>,
    /// Writes of sp that only raise it, which wait for the next write-back; every other write of sp
    /// goes to the state at once (`vmtrans_ir::sync::stack_pointer_raises`).
    pub(super) stack_pointer_raises: FxHashSet<vmtrans_ir::Value>,
    /// When lowering a prefix: the indices of its blocks, and the body function the other paths
    /// go on in.
    prefix_of: Option<(BTreeSet<usize>, LLVMValueRef)>,
    /// What `dirty_at_end`, `live_at_start` and `written_back_on_edge` were taken from.
    sync: &'a SyncSets,
    /// Per block, the registers still only in the state at its start (`vmtrans_ir::lazy_loads`).
    unloaded_at_start: Vec<BTreeSet<Reg>>,
    /// Those of the block being lowered, less what it has loaded or written so far.
    pub(super) unloaded: BTreeSet<Reg>,
    /// In a function with restores before returns, but for a body entered at its prefix's
    /// exits: the flags of the registers the state may no longer hold as on entry.
    restore_flags: Option<RestoreFlags>,
    /// The shared dispatch blocks of indirect jumps with the same targets (`dispatch.rs`), and
    /// the group of each such jump's block.
    shared_dispatch: Vec<dispatch::SharedDispatch>,
    shared_dispatch_of: FxHashMap<usize, usize>,
    /// The operations whose NaN check their readers' checks stand for, and the register writes
    /// and stores replayed with their exact values (`deferred_nan.rs`).
    pub(super) nan_plan: NanCheckPlan,
    /// The replayed register writes and stores made since the block's last check, in order.
    replay_pending: Vec<Value>,
    /// Set while lowering one of `nan_check_deferrable`, for its `nan_fix`.
    pub(super) defer_nan_check: Cell<bool>,
    /// The results made without their NaN check so far, each with its type and the operands its
    /// `nan_fix` was given, for the cold paths that rebuild them (`FnLowering::exact_nan`).
    pub(super) unchecked_nan_results: RefCell<FxHashMap<LLVMValueRef, (Type, Vec<LLVMValueRef>)>>,
}

/// Registers a function reads or writes.
fn used_registers(func: &Function) -> BTreeSet<Reg> {
    let mut used = BTreeSet::new();
    for (_, bd) in func.blocks() {
        for &v in &bd.insts {
            if let InstData::GetReg { reg } | InstData::SetReg { reg, .. } = func.inst(v) {
                used.insert(*reg);
            }
        }
    }
    used
}

impl<'a> FnLowering<'a> {
    /// Lowers `func` into the already declared LLVM function `llfn`.
    pub fn lower(
        t: Types,
        module: LLVMModuleRef,
        rt: RuntimeFns,
        fns: &'a FxHashMap<u64, LLVMValueRef>,
        func: &'a Function,
        sync: &'a SyncSets,
        llfn: LLVMValueRef,
        shape: Shape<'_>,
        opts: &CodegenOptions,
        level: u8,
    ) {
        unsafe {
            let b = LLVMCreateBuilderInContext(t.ctx);
            let entry = LLVMAppendBasicBlockInContext(t.ctx, llfn, NONAME);
            LLVMPositionBuilderAtEnd(b, entry);
            let state = LLVMGetParam(llfn, 0);
            let pc = LLVMGetParam(llfn, 1);
            let passed = std::array::from_fn(|i| LLVMGetParam(llfn, 2 + i as u32));
            let guest_base = match opts.guest_base {
                GuestBase::Zero => None,
                GuestBase::Anywhere => Some(LLVMBuildLoad2(b, t.i64, rt.guest_base, NONAME)),
            };
            let SyncSets { dirty_at_end, live_at_start, written_back_on_edge, .. } = sync.clone();
            // The first entry point leaves registers in the state; the others load them.
            let entries = match &shape {
                Shape::Whole { extra_entries } => entry_points(func, extra_entries),
                Shape::Prefix { .. } => vec![(func.entry_addr, func.entry())],
            };
            let entered: Vec<vmtrans_ir::Block> = entries.iter().map(|&(_, b)| b).collect();
            let unloaded_at_start = unloaded_at_start(
                func,
                &live_at_start,
                entered[0],
                &entered[1..],
                &PASSED_IN_REGISTERS,
                opts.convention_of(func.entry_addr),
            );
            // A register can be live where the function never names it: sp, which the code after
            // a call compares with the state's, and those passed in host registers.
            let mut used = used_registers(func);
            used.extend(live_at_start.iter().flatten().copied());
            used.extend(PASSED_IN_REGISTERS);
            let mut l = FnLowering {
                t,
                module,
                b,
                func,
                rt,
                fns,
                values: vec![None; func.insts.len()],
                guest_base,
                state,
                passed,
                slots: FxHashMap::default(),
                float_loads: FxHashSet::default(),
                loaded_floats: FxHashMap::default(),
                raw_reads: FxHashMap::default(),
                state_ptrs: FxHashMap::default(),
                used,
                dirty_at_end,
                live_at_start,
                written_back_on_edge,
                unwind: None,
                block_at: func.blocks().filter_map(|(b, bd)| bd.guest_addr.map(|a| (a, b.index()))).collect(),
                signal_poll: opts.signal_poll,
                atomic_state_accesses: level > 0,
                polls_by_leaving: vmtrans_ir::poll::polls_by_leaving(func),
                polls_for_fast_isel: level == 0,
                poll_word_address: None,
                convention: opts.convention_of(func.entry_addr),
                used_values: func.used_values(),
                repeated_loads: invariant_address_loads(func),
                stack_pointer_raises: stack_pointer_raises(func),
                sync,
                prefix_of: match &shape {
                    Shape::Prefix { prefix, body } => Some((prefix.blocks.iter().map(|b| b.index()).collect(), *body)),
                    Shape::Whole { .. } => None,
                },
                unloaded_at_start,
                unloaded: BTreeSet::new(),
                restore_flags: None,
                shared_dispatch: vec![],
                shared_dispatch_of: FxHashMap::default(),
                nan_plan: NanCheckPlan::default(),
                replay_pending: vec![],
                defer_nan_check: Cell::new(false),
                unchecked_nan_results: RefCell::new(FxHashMap::default()),
            };
            // A prefix writes back only what its own paths wrote.
            if let Shape::Prefix { prefix, .. } = &shape {
                for (b, dirty) in &prefix.dirty_at_end {
                    l.dirty_at_end[b.index()] = dirty.clone();
                }
            }
            // The guest base never changes once guest code runs.
            if let Some(load) = guest_base {
                l.mark_invariant(load);
            }
            let users = Users::new(func);
            let layouts = vector_register_layouts(func, &users);
            l.float_loads = float_loads(func, &users, &layouts);
            if level > 0 && std::env::var_os("NO_DEFER").is_none() {
                l.nan_plan = deferrable_nan_checks(func, &users);
            }
            for r in l.used.clone() {
                let slot = l.make_slot(r, &layouts);
                l.slots.insert(r, slot);
                l.state_ptr(r);
            }
            l.state_ptr(Reg::PC);
            // A body is entered at its prefix's exits, where the flags would be all set anyway.
            let body = matches!(&shape, Shape::Whole { extra_entries } if !extra_entries.is_empty());
            if !sync.restores.at_return.is_empty() && !body {
                let flags = LLVMBuildAlloca(b, LLVMInt16TypeInContext(t.ctx), NONAME);
                l.restore_flags = Some(RestoreFlags { flags, tracked: flag_bits(sync.restores.registers()) });
            }
            l.plan_shared_dispatch(llfn);
            let bbs: Vec<LLVMBasicBlockRef> =
                (0..func.blocks.len()).map(|_| LLVMAppendBasicBlockInContext(t.ctx, llfn, NONAME)).collect();
            match shape {
                Shape::Whole { .. } => l.enter_whole(llfn, pc, &entries, &bbs),
                Shape::Prefix { body, .. } => l.enter_prefix(llfn, pc, body, &bbs),
            }
            for (blk, bd) in func.blocks() {
                LLVMPositionBuilderAtEnd(b, bbs[blk.index()]);
                if l.prefix_of.as_ref().is_some_and(|(blocks, _)| !blocks.contains(&blk.index())) {
                    // Not compiled here: the prefix's edges to it lead into the body instead.
                    LLVMBuildUnreachable(b);
                    continue;
                }
                l.unloaded = l.unloaded_at_start[blk.index()].clone();
                for &v in &bd.insts {
                    if l.replay_must_be_settled_before(v) {
                        l.check_replayed_sinks();
                    }
                    l.lower_inst(v);
                    if l.nan_plan.replayed_sinks.contains(&v) {
                        l.replay_pending.push(v);
                    }
                }
                l.check_replayed_sinks();
                l.lower_terminator(blk.index(), &bd.term, &bbs);
            }
            l.finish_shared_dispatch(&bbs);
            LLVMDisposeBuilder(b);
        }
    }

    /// A pointer to register `r`'s field in the state (made once, in the entry block).
    fn state_ptr(&mut self, r: Reg) -> LLVMValueRef {
        if let Some(&p) = self.state_ptrs.get(&r) {
            return p;
        }
        let p = self.state_field_ptr(r);
        self.state_ptrs.insert(r, p);
        p
    }

    /// Stores `v` to register `r`'s field in the state where the builder is.
    pub(super) fn store_state_field(&self, r: Reg, v: LLVMValueRef) -> LLVMValueRef {
        // SAFETY: the builder is positioned in a block; the field lies inside the state.
        unsafe {
            let s = LLVMBuildStore(self.b, v, self.state_field_ptr(r));
            self.keep_access_size(s, reg_offset(r).1 as u32);
            s
        }
    }

    /// A pointer to register `r`'s field in the state, computed where the builder is (`state_ptr`
    /// caches one made in the entry block).
    fn state_field_ptr(&self, r: Reg) -> LLVMValueRef {
        let (off, _) = reg_offset(r);
        // SAFETY: the state pointer is the function's argument; the offset lies inside the state.
        unsafe {
            let mut idx = [self.t.const_int(self.t.i64, off as u128)];
            LLVMBuildGEP2(self.b, self.t.i8, self.state, idx.as_mut_ptr(), 1, NONAME)
        }
    }

    /// Loads register `r`'s field from the state where the builder is.
    pub(super) fn load_state_field(&self, r: Reg) -> LLVMValueRef {
        // SAFETY: the builder is positioned in a block; the field lies inside the state.
        unsafe {
            let l = LLVMBuildLoad2(self.b, self.t.of(r.ty()), self.state_field_ptr(r), NONAME);
            self.keep_access_size(l, reg_offset(r).1 as u32);
            l
        }
    }

    /// Makes a load or store of a state field of `bytes` bytes keep its own size. A caller
    /// stores registers one by one before a call and the callee loads them at its entry: had
    /// LLVM merged neighbouring loads into one wider load (two x registers into one 16-byte
    /// load, the four flags into one 4-byte load), that load could not be forwarded from the
    /// narrower stores still in the store buffer and would stall. LLVM does not merge atomic
    /// accesses, and an unordered atomic access of up to 8 bytes is a plain `mov`. Wider fields
    /// (vector registers) are single accesses already.
    fn keep_access_size(&self, access: LLVMValueRef, bytes: u32) {
        unsafe {
            LLVMSetAlignment(access, bytes);
            if bytes <= 8 && self.atomic_state_accesses {
                LLVMSetOrdering(access, LLVMAtomicOrdering::LLVMAtomicOrderingUnordered);
            }
        }
    }

    /// Where the function is entered before `block`: takes the passed registers from the
    /// arguments and loads the others `block` needs loaded from the state, but not those left there
    /// until a path reads them (`unloaded_at_start`).
    fn enter(&self, block: usize) {
        for (&r, &v) in PASSED_IN_REGISTERS.iter().zip(&self.passed) {
            self.write_reg(r, v);
        }
        // Entered anywhere but at its entry, the function knows nothing of what the state held.
        self.note_entered(block == 0);
        let mut not_loaded: BTreeSet<Reg> = PASSED_IN_REGISTERS.into_iter().collect();
        not_loaded.extend(self.unloaded_at_start[block].iter().copied());
        self.reload(block, &not_loaded);
    }

    /// Loads the registers still unloaded here that some block of `successors` expects loaded
    /// (it is a join with a path that loaded or wrote them, or the way into a loop that reads
    /// them). Blocks outside a prefix being lowered are the body's, which loads for itself.
    fn load_for_successors(&mut self, successors: &[usize]) {
        let mut needed = BTreeSet::new();
        for &s in successors {
            if self.prefix_of.as_ref().is_some_and(|(blocks, _)| !blocks.contains(&s)) {
                continue;
            }
            needed.extend(
                self.unloaded
                    .iter()
                    .filter(|r| self.live_at_start[s].contains(r) && !self.unloaded_at_start[s].contains(r)),
            );
        }
        self.load_unloaded(&needed);
    }

    /// Loads the registers of `regs` from the state where the builder is; they are unloaded.
    pub(super) fn load_unloaded(&mut self, regs: &BTreeSet<Reg>) {
        self.reload_only(regs);
        for r in regs {
            self.unloaded.remove(r);
        }
    }

    /// Stores back into the state the registers that may have changed since it was last brought
    /// up to date, at the end of `block` (ir/src/sync.rs); the others hold what it holds.
    fn flush(&self, block: usize) {
        self.write_back(&self.dirty_at_end[block]);
    }

    /// `flush` where control leaves the function by a jump that passes `PASSED_IN_REGISTERS` in
    /// host registers.
    fn flush_leaving(&self, block: usize) {
        let mut regs = self.dirty_at_end[block].clone();
        for r in PASSED_IN_REGISTERS {
            regs.remove(&r);
        }
        self.write_back(&regs);
    }

    /// Stores `v` into register `r`'s state field (a flag as a byte).
    fn write_back_value(&self, r: Reg, v: LLVMValueRef) {
        unsafe {
            let s = LLVMBuildStore(self.b, v, self.state_ptrs[&r]);
            self.keep_access_size(s, reg_offset(r).1 as u32);
        }
    }

    /// Stores the registers of `regs` into the state (an unloaded register is there already).
    fn write_back(&self, regs: &BTreeSet<Reg>) {
        if self.restore_flags.is_some() {
            self.note_stored(regs.difference(&self.unloaded).fold(0, |m, r| m | 1 << r.0));
        }
        for &r in regs.difference(&self.unloaded) {
            let v = self.read_reg(r);
            let v = if r.ty() == Type::I1 { self.cast(LLVMOpcode::LLVMZExt, v, self.t.i8) } else { v };
            self.write_back_value(r, v);
        }
    }

    /// Loads from the state the registers whose values some path from the start of `block` reads,
    /// but those of `except`.
    fn reload(&self, block: usize, except: &BTreeSet<Reg>) {
        let regs: BTreeSet<Reg> = self.live_at_start[block].difference(except).copied().collect();
        self.reload_only(&regs);
    }

    /// Loads the registers of `regs` from the state.
    fn reload_only(&self, regs: &BTreeSet<Reg>) {
        for &r in regs {
            unsafe {
                let is_flag = r.ty() == Type::I1;
                let ty = if is_flag { self.t.i8 } else { self.t.of(r.ty()) };
                let v = LLVMBuildLoad2(self.b, ty, self.state_ptrs[&r], NONAME);
                self.keep_access_size(v, reg_offset(r).1 as u32);
                let v = if is_flag { self.cast(LLVMOpcode::LLVMTrunc, v, self.t.i1) } else { v };
                self.write_reg(r, v);
            }
        }
    }

    fn set_pc(&self, v: LLVMValueRef) {
        self.write_back_value(Reg::PC, v);
    }

    fn load_pc(&self) -> LLVMValueRef {
        self.load_from_state(Reg::PC)
    }

    /// The value of 64-bit register `r` in the state (a load of its own size, `keep_access_size`).
    fn load_from_state(&self, r: Reg) -> LLVMValueRef {
        unsafe {
            let v = LLVMBuildLoad2(self.b, self.t.i64, self.state_ptrs[&r], NONAME);
            self.keep_access_size(v, reg_offset(r).1 as u32);
            v
        }
    }

    fn const64(&self, x: u64) -> LLVMValueRef {
        self.t.const_int(self.t.i64, x as u128)
    }

    /// What a translated function returns: the pc, and `value(r)` for each register of
    /// `RETURNED_IN_REGISTERS`.
    fn guest_return_value(&self, pc: LLVMValueRef, value: impl Fn(Reg) -> LLVMValueRef) -> LLVMValueRef {
        unsafe {
            let mut v = LLVMGetPoison(self.t.guest_ret);
            v = LLVMBuildInsertValue(self.b, v, pc, PC_FIELD, NONAME);
            for r in RETURNED_IN_REGISTERS {
                v = LLVMBuildInsertValue(self.b, v, value(r), return_field(r), NONAME);
            }
            v
        }
    }

    /// What the state holds (after the runtime ran guest code) as a translated function returns
    /// it, with `PC_IN_STATE` for the pc when the state's x30 is another value (whoever receives
    /// any other pc takes it for x30 too).
    fn state_return_value(&self) -> LLVMValueRef {
        unsafe {
            let pc = self.load_pc();
            let x30 = self.load_from_state(Reg::x(30));
            let differs = self.icmp(LLVMIntPredicate::LLVMIntNE, x30, pc);
            let pc = LLVMBuildSelect(self.b, differs, self.const64(PC_IN_STATE), pc, NONAME);
            self.guest_return_value(pc, |r| self.load_from_state(r))
        }
    }

    /// The targets the lifter recovered for the indirect jump or call ending block `block`.
    fn indirect_targets_of(&self, block: usize) -> Vec<u64> {
        let targets = self.func.indirect_targets.iter().filter(|(b, _)| b.index() == block);
        targets.flat_map(|(_, ts)| ts.iter().copied()).collect()
    }

    /// Calls guest code at `target` (a constant or a value) as a function of the same type as
    /// ours, passing the registers' current values, as a tail call when `tail`; returns what it
    /// returns.
    pub(super) fn call_guest_fn(&self, callee: LLVMValueRef, target: LLVMValueRef, tail: bool) -> LLVMValueRef {
        let passed = PASSED_IN_REGISTERS.map(|r| self.read_reg(r));
        self.call_guest_fn_passing(callee, target, passed, tail)
    }

    /// `call_guest_fn` with the values of `PASSED_IN_REGISTERS` given.
    fn call_guest_fn_passing(
        &self,
        callee: LLVMValueRef,
        target: LLVMValueRef,
        passed: [LLVMValueRef; PASSED_IN_REGISTERS.len()],
        tail: bool,
    ) -> LLVMValueRef {
        unsafe {
            let mut args = vec![self.state, target];
            args.extend(passed);
            let c = LLVMBuildCall2(self.b, self.t.guest_fn, callee, args.as_mut_ptr(), args.len() as u32, NONAME);
            make_guest_call(self.t.ctx, c);
            if tail {
                LLVMSetTailCallKind(c, LLVMTailCallKind::LLVMTailCallKindMustTail);
                LLVMBuildRet(self.b, c);
            }
            c
        }
    }

    /// Leaves the function for guest address `target`, by a tail call of its translation or of
    /// the dispatcher.
    fn leave_to(&self, target: LLVMValueRef, known: Option<u64>) {
        let callee = known.and_then(|a| self.fns.get(&a).copied()).unwrap_or(self.rt.dispatch);
        self.call_guest_fn(callee, target, true);
    }

    /// Emits the calls `arms` makes (each ends in its own block, with the call's result) and joins
    /// them: the result of whichever arm ran. `arms` gets a function to record each result with.
    pub(super) fn join_results(&self, arms: impl FnOnce(&dyn Fn(LLVMValueRef))) -> LLVMValueRef {
        unsafe {
            let fnv = LLVMGetBasicBlockParent(LLVMGetInsertBlock(self.b));
            let join = LLVMAppendBasicBlockInContext(self.t.ctx, fnv, NONAME);
            let incoming = std::cell::RefCell::new(vec![]);
            arms(&|result| {
                incoming.borrow_mut().push((result, LLVMGetInsertBlock(self.b)));
                LLVMBuildBr(self.b, join);
            });
            LLVMPositionBuilderAtEnd(self.b, join);
            let phi = LLVMBuildPhi(self.b, self.t.guest_ret, NONAME);
            let (mut values, mut blocks): (Vec<_>, Vec<_>) = incoming.into_inner().into_iter().unzip();
            LLVMAddIncoming(phi, values.as_mut_ptr(), blocks.as_mut_ptr(), values.len() as u32);
            phi
        }
    }

    pub(super) fn call_helper(&self, helper: Helper, args: &[LLVMValueRef]) -> LLVMValueRef {
        unsafe {
            match helper {
                Helper::Crc32 | Helper::Crc32c => {
                    let mut a = vec![
                        args[0],
                        args[1],
                        args[2],
                        self.t.const_int(self.t.i32, (helper == Helper::Crc32c) as u128),
                    ];
                    LLVMBuildCall2(self.b, self.rt.crc32_ty, self.rt.crc32, a.as_mut_ptr(), 4, NONAME)
                }
                Helper::ReadCntvct => {
                    LLVMBuildCall2(self.b, self.rt.cntvct_ty, self.rt.cntvct, std::ptr::null_mut(), 0, NONAME)
                }
                Helper::FpcrWrite | Helper::FpsrRead | Helper::FpsrWrite | Helper::InvalidateCode => {
                    let callee = match helper {
                        Helper::FpcrWrite => self.rt.fpcr_write,
                        Helper::FpsrRead => self.rt.fpsr_read,
                        Helper::FpsrWrite => self.rt.fpsr_write,
                        _ => self.rt.invalidate_code,
                    };
                    let mut a = [args[0]];
                    LLVMBuildCall2(self.b, self.rt.i64_helper_ty, callee, a.as_mut_ptr(), 1, NONAME)
                }
            }
        }
    }
}

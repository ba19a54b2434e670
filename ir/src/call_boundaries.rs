//! Which functions step outside the procedure call standard at their calls and returns, and the
//! call convention each function is translated under because of them.
//!
//! `CallConvention::AAPCS64` lets translated code skip the scratch registers and the flags where
//! control crosses a call or a return, and lets a caller keep x19-x29 across a call. Compiled
//! code obeys that, with one well-known exception: LLVM's machine outliner (Rust's standard
//! library is full of it, and so is anything built with `-Oz`) moves repeated instruction
//! sequences into functions called with BL that take inputs in any register (x9 and x10, say),
//! return outputs in any register (x8, or callee-saved x19), and may leave the flags set for the
//! caller. This module finds such boundaries from both sides, over the whole program:
//!
//! - a function that reads a scratch register (`DEAD_AT_CALL`) on entry before writing it
//!   (`entry_reads`): its callers store that register at their calls;
//! - a call of a function that sets no frame pointer (`is_frameless`: it may be an outlined
//!   fragment) whose continuation reads a register its callee should have clobbered
//!   (`DEAD_AT_RETURN`) before writing it, itself or as an argument of what it calls next (an
//!   outlined `ldr x2, [x29, #24]; mov w1, w0; ret` sets up a printf): the callee stores that
//!   register at its returns. A function that sets x29 is compiled code of the standard, whose
//!   scratch registers hold nothing after it returns, or hand-written assembly keeping a frame
//!   record that hands scratch registers to a sibling (OpenSSL's `aes_v8_set_encrypt_key` gives
//!   x2 and x12 to `aes_v8_set_decrypt_key`): it stores at its returns only what its callers' own
//!   code reads after the call before any other call (`own_reads_before_calls`), not what they pass
//!   on to their next callee; only in Go does it count as a fragment would.
//!   Nor does a read count where it lies only beyond a call that does not return (its cut
//!   continuation, ir/src/noreturn.rs): `__stack_chk_fail`'s made glibc's `free` store x2-x11;
//! - a function that may return with one of x19-x29 changed (the last write of the register on
//!   some path to a return is not a load, as the restore of a saved register is): its callers
//!   reload x19-x29 after calling it instead of keeping their own values.
//!
//! "Reads" here are the function's own `getreg`s, followed through its calls (to catch a value
//! passed on through a call) and into the entries of the functions it calls or jumps to, which
//! count what those read in turn: a function that takes one argument reads x0, not x1-x7, so a
//! call before it does not make its caller's previous callee store x1-x7. Indirect calls and
//! jumps may read every argument register; system calls read x0-x5 and x8.
//!
//! Go's code follows none of the standard: its functions take and return values in x0-x15 and
//! keep no callee-saved registers, and it calls interface methods and closures through registers.
//! So an indirect call counts as a call of every function whose address the program takes (the
//! caller's `address_taken`: code pointers in data or formed in code, and every function of a Go
//! program, whose method tables are built at run time from offsets): it stores what any of them
//! reads on entry, and in a Go program they all store at their returns what any indirect call's
//! continuation reads. Elsewhere a function called through a register returns no scratch
//! register: the outliner's fragments are only ever called directly, and the functions outside
//! the standard whose addresses C code takes keep more registers than the standard asks (TLS
//! descriptors keep all), which the caller stores before the call when it reads them after it
//! (ir/src/sync.rs) and gets back unchanged. Counting what continuations read there made every
//! such function store nearly every scratch register it wrote at its returns, the string
//! functions glibc picks at run time included: one dead trampoline of the dynamic linker
//! (`_dl_runtime_profile`, which saves x0-x7 and q0-q7 after its indirect call whatever they
//! hold) and any continuation that reads a register on a path that cannot run sufficed.
//!
//! A function that tail-jumps to another has that one return to its own callers, which
//! then stores what they read; so, in a Go program, does every address-taken function for an indirect jump whose
//! targets are unknown. What a callee changes of x19-x29 is followed through direct calls only:
//! Go's compiled callers count on none of x19-x27 across a call, and its x28 (the goroutine) and
//! x29 come back as they were (a goroutine switch changes sp too, which the caller's check after
//! the call sees); a C callback that changed one would break its compiled callers on real
//! hardware too.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use crate::entities::Value;
use crate::function::Function;
use crate::inst::{BinaryOp, InstData, Terminator};
use crate::reg::Reg;
use crate::sync::{bit, range, reads_and_writes, CallConvention, Mask, CALLEE_SAVED, DEAD_AT_CALL, DEAD_AT_RETURN};

/// The convention for each of `functions` (same order): `base` (`AAPCS64` or `EXACT`) with the
/// exceptions its callees and callers need. Under `EXACT` nothing is skipped anyway.
/// `address_taken` tells which entry addresses the program forms or stores as code pointers: the
/// functions an indirect call (BLR) may reach. `go_program` says whether the program is Go's,
/// whose functions called through registers may return values in scratch registers.
pub fn conventions(
    functions: &[Function],
    base: CallConvention,
    address_taken: &dyn Fn(u64) -> bool,
    go_program: bool,
) -> Vec<CallConvention> {
    if !base.follows_aapcs64 {
        return vec![base; functions.len()];
    }
    let index: FxHashMap<u64, usize> = functions.iter().enumerate().map(|(i, f)| (f.entry_addr, i)).collect();
    let target_of = |addr: u64| index.get(&addr).copied();
    let facts: Vec<BlockFacts> = functions.iter().map(BlockFacts::of).collect();
    let mut entry_reads: Vec<Mask> = vec![0; functions.len()];
    let mut changes_callee_saved: Vec<Mask> = vec![0; functions.len()];
    // Whole-program fixpoint: every function once, then again whenever a function it calls or
    // jumps to turns out to read or change more (only ever more, so this ends).
    let mut callers: Vec<Vec<usize>> = vec![vec![]; functions.len()];
    for (i, f) in functions.iter().enumerate() {
        for bd in &f.blocks {
            if let Terminator::CallGuest { target, .. } | Terminator::JumpGuest { target } = bd.term {
                if let Some(t) = target_of(target) {
                    callers[t].push(i);
                }
            }
        }
    }
    // An indirect call or jump may reach any function whose address the program takes, so it
    // reads what any of those reads on entry; that grows with the fixpoint, which then runs again.
    let indirectly_callable: Vec<bool> = functions.iter().map(|f| address_taken(f.entry_addr)).collect();
    let reads_of_callable = |entry_reads: &[Mask]| {
        entry_reads.iter().zip(&indirectly_callable).filter(|(_, &callable)| callable).fold(0, |m, (&r, _)| m | r)
    };
    let mut read_by_indirect_callees: Mask = 0;
    loop {
        fixpoint_over_callers(&callers, |i| {
            let f = &functions[i];
            // Blocks that reach no exit (a loop that only a signal leaves) keep the greatest
            // fixpoint's "everything": what is read on every path is also read on some path.
            let unknown = read_by_indirect_callees;
            let may = explicit_live_in(f, &facts[i], &entry_reads, &target_of, Paths::May, unknown);
            let must = explicit_live_in(f, &facts[i], &entry_reads, &target_of, Paths::Must, unknown);
            let reads = must.first().zip(may.first()).map_or(0, |(m, y)| m & y) & DEAD_AT_CALL;
            let changes = callee_saved_changed_at_return(f, &facts[i].dead_ends, &changes_callee_saved, &target_of);
            let grew = reads & !entry_reads[i] != 0 || changes & !changes_callee_saved[i] != 0;
            entry_reads[i] |= reads;
            changes_callee_saved[i] |= changes;
            grew
        });
        let now = reads_of_callable(&entry_reads);
        if now == read_by_indirect_callees {
            break;
        }
        read_by_indirect_callees = now;
    }
    // What each function may read on entry, arguments included, and through its callees: a
    // register a call's continuation passes on to its next callee is read after the call. A
    // function is analysed again whenever a callee's reads grow, so its last liveness is final.
    let mut entry_may_reads: Vec<Mask> = vec![0; functions.len()];
    let mut may_live: Vec<Vec<Mask>> = vec![vec![]; functions.len()];
    fixpoint_over_callers(&callers, |i| {
        let unknown = ARGUMENTS | read_by_indirect_callees;
        may_live[i] = explicit_live_in(&functions[i], &facts[i], &entry_may_reads, &target_of, Paths::May, unknown);
        let reads = may_live[i].first().copied().unwrap_or(0);
        let grew = reads & !entry_may_reads[i] != 0;
        entry_may_reads[i] |= reads;
        grew
    });
    // What the continuations read, per callee: the direct ones that may return scratch registers
    // (frameless ones, and in Go all), and in Go, for indirect calls, every function whose address
    // the program takes.
    let mut read_by_callers: Vec<Mask> = vec![0; functions.len()];
    let mut read_after_indirect_calls: Mask = 0;
    let returns_scratch_registers: Vec<bool> = functions.iter().map(|f| go_program || is_frameless(f)).collect();
    for ((f, live), facts) in functions.iter().zip(&may_live).zip(&facts) {
        let mut own_reads: Option<Vec<Mask>> = None;
        for bd in &f.blocks {
            match bd.term {
                Terminator::CallGuest { target, cont, .. } => match target_of(target) {
                    Some(t) if returns_scratch_registers[t] => {
                        read_by_callers[t] |= live[cont.index()] & DEAD_AT_RETURN
                    }
                    Some(t) => {
                        let own = own_reads.get_or_insert_with(|| own_reads_before_calls(f, facts));
                        read_by_callers[t] |= own[cont.index()] & DEAD_AT_RETURN;
                    }
                    None => {}
                },
                Terminator::CallIndirect { cont, .. } if go_program => {
                    read_after_indirect_calls |= live[cont.index()] & DEAD_AT_RETURN
                }
                _ => {}
            }
        }
    }
    for (i, &callable) in indirectly_callable.iter().enumerate() {
        if callable {
            read_by_callers[i] |= read_after_indirect_calls;
        }
    }
    hand_on_through_tail_jumps(
        functions,
        &facts,
        &target_of,
        &indirectly_callable,
        &returns_scratch_registers,
        go_program,
        &mut read_by_callers,
    );
    functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut convention = base;
            for bd in &f.blocks {
                match bd.term {
                    Terminator::CallGuest { target, .. } => {
                        if let Some(t) = target_of(target) {
                            convention.read_by_callees |= entry_reads[t];
                            convention.callees_keep_callee_saved &= changes_callee_saved[t] == 0;
                        }
                    }
                    Terminator::CallIndirect { .. } => convention.read_by_callees |= read_by_indirect_callees,
                    _ => {}
                }
            }
            convention.read_by_callers = read_by_callers[i];
            convention
        })
        .collect()
}

/// The registers each block's code itself reads before writing them on some path from its start
/// that makes no call first (`Paths::OwnBeforeCalls`). After a call of a function with a frame, a
/// scratch register read so is one the callee hands back: compiled code never does that, but
/// hand-written assembly does (OpenSSL's `aes_v8_set_decrypt_key` takes x2 and x12 from
/// `aes_v8_set_encrypt_key`, which keeps a frame record); the callee then stores it at its
/// returns. Reads by what the continuation calls next (a variadic callee reads all of x1-x7) do
/// not count here, unlike after frameless callees.
fn own_reads_before_calls(f: &Function, facts: &BlockFacts) -> Vec<Mask> {
    explicit_live_in(f, facts, &[], &|_| None, Paths::OwnBeforeCalls, 0)
}

/// Whether `f` never sets the frame pointer x29: it keeps no frame record, as the machine
/// outliner's fragments (and hand-written routines) do. Only such a function may be a fragment
/// that sets up its caller's next call (an outlined `ldr x2, [x29, #24]; mov w1, w0; ret` before
/// a printf), so only its callers count, after a call of it, the registers they pass on unread to
/// what they call next; a function that sets x29 is compiled code of the standard (its prologue),
/// whose scratch registers hold nothing after it returns, so outside Go it stores at its returns
/// only what its callers' own code reads (`own_reads_before_calls`). Otherwise nearly every
/// function stored at its returns every argument register it wrote: some caller goes on to a
/// variadic call, which reads them all, and code on paths that cannot run reads registers it never
/// set.
/// sp says nothing here: a fragment that makes a call saves the link register with
/// `str x30, [sp, #-16]!` and may still hand back `add x2, x0, #1` for the next call.
fn is_frameless(f: &Function) -> bool {
    !f.blocks
        .iter()
        .flat_map(|bd| &bd.insts)
        .any(|&v| matches!(f.inst(v), InstData::SetReg { reg, .. } if *reg == Reg::x(29)))
}

/// A function that leaves by a jump to another function (a tail call) has that function return to
/// its own callers: what those read after the call, the target stores at its returns too. An
/// indirect jump whose targets were not recovered may be such a tail call of any function whose
/// address the program takes (`indirectly_callable`): Go's assembly jumps through registers so.
/// Outside Go (`go_program`) such a target returns no scratch register (see the module's
/// comment), and the PLT stubs through which a static C program calls the string functions its C
/// library picks at run time hand nothing on. Nor does a jump to a function that
/// `returns_scratch_registers` says keeps the standard (it sets x29: glibc's `free`, reached by
/// a dozen frameless wrappers), nor a call's cut continuation (it runs only if a call that does not
/// return does).
fn hand_on_through_tail_jumps(
    functions: &[Function],
    facts: &[BlockFacts],
    target_of: &dyn Fn(u64) -> Option<usize>,
    indirectly_callable: &[bool],
    returns_scratch_registers: &[bool],
    go_program: bool,
    read_by_callers: &mut [Mask],
) {
    let mut tail_jumps: Vec<(usize, usize)> = vec![];
    let mut indirect_jumpers: Vec<usize> = vec![];
    for (i, f) in functions.iter().enumerate() {
        let recovered = |b: usize| f.indirect_targets.iter().any(|(block, _)| block.index() == b);
        for (b, bd) in f.blocks.iter().enumerate() {
            match bd.term {
                _ if facts[i].dead_ends[b] => {}
                Terminator::JumpGuest { target } => {
                    if let Some(t) =
                        target_of(target).filter(|&t| t != i && jumps_out(f, target) && returns_scratch_registers[t])
                    {
                        tail_jumps.push((i, t));
                    }
                }
                Terminator::JumpIndirect { .. } if go_program && !recovered(b) => indirect_jumpers.push(i),
                _ => {}
            }
        }
    }
    indirect_jumpers.dedup();
    let mut changed = true;
    while changed {
        changed = false;
        for &(from, to) in &tail_jumps {
            let more = read_by_callers[from] & !read_by_callers[to];
            if more != 0 {
                read_by_callers[to] |= more;
                changed = true;
            }
        }
        let through_registers = indirect_jumpers.iter().fold(0, |m, &i| m | read_by_callers[i]);
        for (reads, _) in read_by_callers.iter_mut().zip(indirectly_callable).filter(|(_, &callable)| callable) {
            if through_registers & !*reads != 0 {
                *reads |= through_registers;
                changed = true;
            }
        }
    }
}

/// The registers that may pass arguments to code whose reads are not known (an indirect call or
/// jump): x0-x8 and v0-v7.
const ARGUMENTS: Mask = range(Reg::x(0).0, Reg::x(8).0) | range(Reg::q(0).0, Reg::q(7).0);

/// What a system call reads: its arguments x0-x5 and its number in x8 (the kernel keeps the other
/// registers; a signal handler run there sees the others as the standard leaves them).
const SYSTEM_CALL_READS: Mask = range(Reg::x(0).0, Reg::x(5).0) | 1 << Reg::x(8).0;

/// Runs `step` on every function (by index), then again on the callers (`callers`) of each
/// function whose step reports that its facts grew, until nothing grows. Facts only grow, so this
/// ends.
fn fixpoint_over_callers(callers: &[Vec<usize>], mut step: impl FnMut(usize) -> bool) {
    let mut queued = vec![true; callers.len()];
    let mut work: VecDeque<usize> = (0..callers.len()).collect();
    while let Some(i) = work.pop_front() {
        queued[i] = false;
        if step(i) {
            for &c in &callers[i] {
                if !queued[c] {
                    queued[c] = true;
                    work.push_back(c);
                }
            }
        }
    }
}

/// What the analyses here need of each block of a function, made once per function (the
/// fixpoints revisit functions many times): the registers it reads before writing them and those
/// it writes (`reads_and_writes`), whether it continues a call that does not return
/// (`continuations_of_calls_that_do_not_return`), and the blocks of the function's resume points
/// by guest address.
struct BlockFacts {
    gen: Vec<Mask>,
    kill: Vec<Mask>,
    dead_ends: Vec<bool>,
    resumed_at: FxHashMap<u64, usize>,
}

impl BlockFacts {
    fn of(f: &Function) -> BlockFacts {
        let (gen, kill) = reads_and_writes(f);
        BlockFacts {
            gen,
            kill,
            dead_ends: continuations_of_calls_that_do_not_return(f),
            resumed_at: f.resume_points.iter().map(|&(a, b)| (a, b.index())).collect(),
        }
    }
}

/// Whether a liveness counts registers read on some path (`May`), on every path (`Must`), or on
/// some path that makes no call first, by the function's own code only (`OwnBeforeCalls`: what a
/// caller takes from the function it has just called, see `own_reads_before_calls`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Paths {
    May,
    Must,
    OwnBeforeCalls,
}

/// Per block of `f`, the registers read by a `getreg` of the function before any write, on some
/// or every path (`paths`) from the block's start, following calls to their continuations and
/// counting what the functions it calls or jumps to read on entry (`entry_reads`); or, with
/// `Paths::OwnBeforeCalls`, up to the next call and counting only its own reads and system calls'.
///
/// A function's own scratch reads on entry are taken on every path: optimised code reads
/// registers it never wrote on paths that cannot run (a value set and used under the same
/// condition), and counting those would make ordinary functions, and then all their callers,
/// look nonstandard. The outliner's functions are straight-line code, where every read is on
/// every path. What a call's continuation reads is taken on some path: that makes only the
/// callee store a little more at its returns. On some path, but not one through the continuation
/// of a call that does not return (`continuations_of_calls_that_do_not_return`): that one runs
/// only if the callee comes back after all, which ir/src/noreturn.rs rules out (or the compiler,
/// for a call that ends its function's code).
fn explicit_live_in(
    f: &Function,
    facts: &BlockFacts,
    entry_reads: &[Mask],
    target_of: &dyn Fn(u64) -> Option<usize>,
    paths: Paths,
    unknown_callee_reads: Mask,
) -> Vec<Mask> {
    let n = f.blocks.len();
    let BlockFacts { gen, kill, dead_ends, resumed_at } = facts;
    // Must-liveness is the greatest fixpoint: start from everything and shrink.
    let mut live_in: Vec<Mask> = vec![if paths == Paths::Must { Mask::MAX } else { 0 }; n];
    let mut changed = true;
    while changed {
        changed = false;
        for b in (0..n).rev() {
            let term = &f.blocks[b].term;
            let own = paths == Paths::OwnBeforeCalls;
            let callee_reads = |target: u64| match target_of(target) {
                _ if own => 0,
                Some(t) => entry_reads[t],
                None => unknown_callee_reads,
            };
            let calls = matches!(term, Terminator::CallGuest { .. } | Terminator::CallIndirect { .. });
            let exit = match *term {
                _ if dead_ends[b] && paths != Paths::Must => 0,
                Terminator::CallGuest { target, .. } => callee_reads(target),
                // A jump to one of its own resume points goes on there (through the dispatcher).
                Terminator::JumpGuest { target } => match resumed_at.get(&target) {
                    Some(&resumed) if paths != Paths::Must => live_in[resumed],
                    Some(_) => 0,
                    None => callee_reads(target),
                },
                Terminator::CallIndirect { .. } | Terminator::JumpIndirect { .. } if own => 0,
                Terminator::CallIndirect { .. } | Terminator::JumpIndirect { .. } => unknown_callee_reads,
                Terminator::Syscall { .. } => SYSTEM_CALL_READS,
                _ => 0,
            };
            let successors = term.successors();
            let mut out = match paths {
                // The own code's reads end at its next call.
                Paths::OwnBeforeCalls if calls || dead_ends[b] => 0,
                Paths::May | Paths::OwnBeforeCalls => successors.iter().fold(0, |m, s| m | live_in[s.index()]),
                Paths::Must if successors.is_empty() => 0,
                Paths::Must => successors.iter().fold(Mask::MAX, |m, s| m & live_in[s.index()]),
            };
            out |= exit;
            let inn = gen[b] | (out & !kill[b]);
            if inn != live_in[b] {
                live_in[b] = inn;
                changed = true;
            }
        }
    }
    live_in
}

/// Which of x19-x29 `f` may return with changed from what they were on entry: on some path to a
/// return or a jump to another function, the register's last write is not a restore (a load from the stack, `is_stack_load`, of
/// a register whose entry value the function stores), or a call of a function that changes it
/// (`changes`) comes after the last.
fn callee_saved_changed_at_return(
    f: &Function,
    dead_ends: &[bool],
    changes: &[Mask],
    target_of: &dyn Fn(u64) -> Option<usize>,
) -> Mask {
    let callee_saved: Mask = CALLEE_SAVED.iter().filter(|&&r| r != Reg::SP).fold(0, |m, &r| m | bit(r));
    let n = f.blocks.len();
    // The callee-saved registers whose values on entry the function stores somewhere: only those
    // can be restored by a load (an outlined fragment has no frame of its own and may load a
    // value its caller spilled into one).
    let saved: Mask = f
        .blocks
        .iter()
        .flat_map(|bd| bd.insts.iter())
        .filter_map(|&v| match f.inst(v) {
            InstData::Store { arg, .. } => match f.inst(*arg) {
                InstData::GetReg { reg } => Some(bit(*reg)),
                _ => None,
            },
            _ => None,
        })
        .fold(0, |m, b| m | b)
        & callee_saved;
    // Per block: the callee-saved registers it writes, and those whose last write is no restore.
    let mut written: Vec<Mask> = vec![0; n];
    let mut changed_here: Vec<Mask> = vec![0; n];
    for (b, bd) in f.blocks() {
        let b = b.index();
        for &v in &bd.insts {
            if let InstData::SetReg { reg, arg } = f.inst(v) {
                if callee_saved & bit(*reg) != 0 {
                    written[b] |= bit(*reg);
                    if saved & bit(*reg) != 0 && is_stack_load(f, *arg) {
                        changed_here[b] &= !bit(*reg);
                    } else {
                        changed_here[b] |= bit(*reg);
                    }
                }
            }
        }
    }
    let mut out: Vec<Mask> = vec![0; n];
    let mut changed = true;
    while changed {
        changed = false;
        let mut inn: Vec<Mask> = vec![0; n];
        for (b, bd) in f.blocks() {
            let mut leaving = out[b.index()];
            // A callee that changes some hands them back changed to the continuation.
            if let Terminator::CallGuest { target, .. } = bd.term {
                leaving |= target_of(target).map_or(0, |t| changes[t]);
            }
            for s in bd.term.successors() {
                inn[s.index()] |= leaving;
            }
        }
        for b in 0..n {
            let new = (inn[b] & !written[b]) | changed_here[b];
            if new != out[b] {
                out[b] = new;
                changed = true;
            }
        }
    }
    // A return hands back what it has; a jump to another function (a tail call: the outliner's
    // thunks end that way) hands it on, and that function returns it with its own changes. But
    // the continuation of a call that does not return
    // (`continuations_of_calls_that_do_not_return`) hands back nothing: no path goes on after
    // such a call, the one to exit on an allocation failure included, whatever it changed before.
    f.blocks.iter().enumerate().fold(0, |m, (b, bd)| match bd.term {
        _ if dead_ends[b] => m,
        Terminator::Return { .. } => m | out[b],
        Terminator::JumpGuest { target } if jumps_out(f, target) => {
            m | out[b] | target_of(target).map_or(0, |t| changes[t])
        }
        _ => m,
    })
}

/// The blocks of `f` that continue calls the code never returns from: a call's continuation that
/// only jumps to the call's own return address, which is how a call of a function that never
/// returns (ir/src/noreturn.rs) and a call that ends a function's code (one a compiler knows does
/// not return) are lifted. Control reaches them only if the callee returns after all, which the
/// analysis of noreturn.rs rules out for the first kind and the compiler for the second (a callee
/// that returned there would run the next function's code, or resume `f` at the return address
/// through the dispatcher, with what it changed not counted here).
fn continuations_of_calls_that_do_not_return(f: &Function) -> Vec<bool> {
    let mut dead_end = vec![false; f.blocks.len()];
    for bd in &f.blocks {
        if let Terminator::CallGuest { ret_addr, cont, .. } = bd.term {
            if crate::noreturn::falls_off(f, cont, ret_addr) {
                dead_end[cont.index()] = true;
            }
        }
    }
    dead_end
}

/// Whether a `jump_guest` of `f` to `target` leaves it: a jump to one of its own resume points
/// goes on inside it (through the dispatcher), anything else is a tail call.
pub(crate) fn jumps_out(f: &Function, target: u64) -> bool {
    !f.resume_points.iter().any(|&(r, _)| r == target)
}

/// Whether `v` loads from the stack: from sp or the frame pointer x29, plus constants (the second
/// register of an LDP is at the first one's address plus 8). That is how a function restores a
/// callee-saved register it saved; an outlined fragment that loads a new value into one from
/// elsewhere (the heap) changes it.
fn is_stack_load(f: &Function, v: Value) -> bool {
    let InstData::Load { addr, .. } = f.inst(v) else { return false };
    let mut addr = *addr;
    for _ in 0..4 {
        match f.inst(addr) {
            InstData::GetReg { reg } => return *reg == Reg::SP || *reg == Reg::x(29),
            InstData::Binary { op: BinaryOp::Add, args: [base, offset] }
                if matches!(f.inst(*offset), InstData::Const { .. }) =>
            {
                addr = *base
            }
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::parse_function;

    fn function(text: &str) -> Function {
        parse_function(text).unwrap()
    }

    /// A function at `addr` that calls `callee` and then, when `reads` names a register, copies it
    /// into x0 before it returns: the caller side of most cases here.
    fn caller_reading(addr: u64, callee: u64, reads: Option<&str>) -> Function {
        let ret = addr + 8;
        let read = reads.map_or(String::new(), |r| format!("    v1 = getreg.i64 {r}\n    setreg x0, v1\n"));
        function(&format!(
            "function caller_{addr:x} @{addr:#x} {{\n    resume {ret:#x} block1\nblock0 @{addr:#x}:\n    \
             v0 = const.i64 {ret:#x}\n    setreg x30, v0\n    call_guest {callee:#x}, ret {ret:#x}, block1\n\
             block1 @{ret:#x}:\n{read}    v2 = getreg.i64 x30\n    return v2\n}}"
        ))
    }

    /// An outlined sequence as LLVM's machine outliner makes them: it reads x9 and x10, which its
    /// caller set, and leaves its result in x8 and a new x19 for the caller.
    const OUTLINED: &str = "function outlined @0x1000 {
block0 @0x1000:
    v0 = getreg.i64 x9
    v1 = getreg.i64 x10
    v2 = add.i64 v0, v1
    setreg x8, v2
    setreg x19, v0
    v3 = getreg.i64 x30
    return v3
}";

    /// Its caller: sets x9 and x10, calls it, and reads x8 and x19 after the call.
    const CALLER: &str = "function caller @0x2000 {
    resume 0x200c block1
block0 @0x2000:
    v0 = const.i64 0x5
    setreg x9, v0
    setreg x10, v0
    v1 = const.i64 0x200c
    setreg x30, v1
    call_guest 0x1000, ret 0x200c, block1
block1 @0x200c:
    v2 = getreg.i64 x8
    v3 = getreg.i64 x19
    v4 = add.i64 v2, v3
    setreg x0, v4
    v5 = getreg.i64 x30
    return v5
}";

    /// An ordinary function: it saves x19, uses it, and restores it from the stack; on one path it
    /// reads x9 that it wrote only on the other (a path that cannot run in the program it came
    /// from, as optimised code has). Its caller reads x2 after calling it, on one path.
    const ORDINARY: &str = "function ordinary @0x3000 {
block0 @0x3000:
    v0 = getreg.i64 sp
    v1 = getreg.i64 x19
    store v0, v1
    v2 = getreg.i64 x0
    setreg x19, v2
    v8 = const.i1 0x1
    setreg z, v8
    v3 = getreg.i1 z
    branch v3, block1, block2
block1 @0x3010:
    setreg x9, v2
    jump block2
block2 @0x3014:
    v4 = getreg.i64 x9
    setreg x0, v4
    v5 = getreg.i64 sp
    v9 = const.i64 0x10
    v10 = add.i64 v5, v9
    v11 = const.i64 0x8
    v12 = add.i64 v10, v11
    v6 = load.i64 v12
    setreg x19, v6
    v7 = getreg.i64 x30
    return v7
}";

    const ORDINARY_CALLER: &str = "function ordinary_caller @0x4000 {
    resume 0x4008 block1
block0 @0x4000:
    v0 = const.i64 0x4008
    setreg x30, v0
    call_guest 0x3000, ret 0x4008, block1
block1 @0x4008:
    v4 = const.i1 0x1
    setreg z, v4
    v1 = getreg.i1 z
    branch v1, block2, block3
block2 @0x400c:
    v2 = getreg.i64 x2
    setreg x0, v2
    jump block3
block3 @0x4010:
    v3 = getreg.i64 x30
    return v3
}";

    #[test]
    fn outlined_functions_and_their_callers_keep_what_crosses_the_call() {
        let functions = [function(OUTLINED), function(CALLER)];
        let c = conventions(&functions, CallConvention::AAPCS64, &|_| false, false);
        let x = |n: u8| bit(Reg::x(n));
        assert_eq!(c[0].read_by_callers, x(8), "the caller reads x8 after the call");
        assert_eq!(c[1].read_by_callees, x(9) | x(10), "the callee reads x9 and x10");
        assert!(!c[1].callees_keep_callee_saved, "the callee changes x19");
        assert!(c[0].callees_keep_callee_saved, "the outlined function calls nothing");
        let call = &functions[1].blocks[0].term;
        assert!(c[1].kept_across(call).is_empty());
        assert!(!c[1].dead_after(call).contains(&Reg::x(9)));
        assert!(!c[0].dead_after(&functions[0].blocks[0].term).contains(&Reg::x(8)));
    }

    #[test]
    fn ordinary_functions_keep_the_standard_but_for_reads_after_their_calls() {
        let functions = [function(ORDINARY), function(ORDINARY_CALLER)];
        let c = conventions(&functions, CallConvention::AAPCS64, &|_| false, false);
        // The read of x9 on one path only is not taken as an input; x19 is restored by a load from
        // the stack (at sp + 16 + 8, as the second register of an LDP).
        assert_eq!(c[1].read_by_callees, 0);
        assert!(c[1].callees_keep_callee_saved);
        // A read after the call on some path makes the callee store x2 at its returns.
        assert_eq!(c[0].read_by_callers, bit(Reg::x(2)));
        assert!(c[1].is_standard());
    }

    /// A caller that passes x2, unread, from its first callee to its second, which reads it.
    const PASSES_X2_ON: &str = "function passes_x2_on @0xa200 {
    resume 0xa208 block1
    resume 0xa210 block2
block0 @0xa200:
    v0 = const.i64 0xa208
    setreg x30, v0
    call_guest 0x5000, ret 0xa208, block1
block1 @0xa208:
    v1 = const.i64 0xa210
    setreg x30, v1
    call_guest 0xa300, ret 0xa210, block2
block2 @0xa210:
    v2 = getreg.i64 x30
    return v2
}";

    /// Reads x2 on entry.
    const READS_X2: &str = "function reads_x2 @0xa300 {
block0 @0xa300:
    v0 = getreg.i64 x2
    setreg x0, v0
    v1 = getreg.i64 x30
    return v1
}";

    /// A callee with a frame record (it sets x29) that writes x2 as a temporary: under the
    /// standard its x2 means nothing after it returns, so it need not store it.
    const FRAMED: &str = "function framed @0x5000 {
block0 @0x5000:
    v0 = getreg.i64 sp
    v1 = const.i64 0x10
    v2 = sub.i64 v0, v1
    setreg sp, v2
    setreg x29, v2
    setreg x2, v1
    v3 = add.i64 v2, v1
    setreg sp, v3
    v4 = getreg.i64 x30
    return v4
}";

    #[test]
    fn only_a_frameless_callee_returns_what_its_caller_passes_on() {
        let functions = [function(FRAMED), function(PASSES_X2_ON), function(READS_X2)];
        let c = conventions(&functions, CallConvention::AAPCS64, &|_| false, false);
        assert_eq!(c[0].read_by_callers, 0);
        // One that sets no x29 may be an outlined fragment setting up the next call's arguments,
        // even one that pushes and pops the link register around a call of its own.
        let fragment = function(
            "function fragment @0x5000 {
block0 @0x5000:
    v0 = getreg.i64 sp
    v1 = const.i64 0x10
    v2 = sub.i64 v0, v1
    setreg sp, v2
    v3 = const.i64 0x7
    setreg x2, v3
    v4 = add.i64 v2, v1
    setreg sp, v4
    v5 = getreg.i64 x30
    return v5
}",
        );
        let functions = [fragment, function(PASSES_X2_ON), function(READS_X2)];
        let c = conventions(&functions, CallConvention::AAPCS64, &|_| false, false);
        assert_eq!(c[0].read_by_callers, bit(Reg::x(2)));
    }

    #[test]
    fn a_callee_with_a_frame_returns_only_what_its_callers_own_code_reads() {
        // Read by the caller's own code after a direct call of it (as hand-written assembly does:
        // OpenSSL's aes_v8_set_decrypt_key reads aes_v8_set_encrypt_key's x2 and x12), and after a
        // call of a thunk that tail-jumps to it (the thunk, which sets no frame, returns that).
        let functions = [
            function(FRAMED),
            caller_reading(0x6000, 0x5000, Some("x2")),
            function("function thunk @0x6100 {\nblock0 @0x6100:\n    jump_guest 0x5000\n}"),
            caller_reading(0x6200, 0x6100, Some("x3")),
        ];
        let c = conventions(&functions, CallConvention::AAPCS64, &|_| false, false);
        assert_eq!(c[0].read_by_callers, bit(Reg::x(2)));
        assert_eq!(c[2].read_by_callers, bit(Reg::x(3)), "the thunk sets no frame");
        // Go's functions keep no standard, frame or not.
        let c = conventions(&functions, CallConvention::AAPCS64, &|_| false, true);
        assert_eq!(c[0].read_by_callers, bit(Reg::x(2)) | bit(Reg::x(3)));
    }

    /// A fragment that sets x2 for its caller, which reads x2 only where a call of a function
    /// that never returns would come back: a path that does not run.
    #[test]
    fn a_read_after_a_call_that_does_not_return_is_not_a_read_after_the_call_before_it() {
        let fragment = "function fragment @0x7000 {
block0 @0x7000:
    v0 = const.i64 0x7
    setreg x2, v0
    v1 = getreg.i64 x30
    return v1
}";
        let caller = |cont: &str| {
            function(&format!(
                "function caller @0x8000 {{
    resume 0x8008 block1
    resume 0x8010 block2
block0 @0x8000:
    v0 = const.i64 0x8008
    setreg x30, v0
    call_guest 0x7000, ret 0x8008, block1
block1 @0x8008:
    v1 = const.i64 0x8010
    setreg x30, v1
    call_guest 0x9100, ret 0x8010, {cont}
block2 @0x8010:
    v2 = getreg.i64 x2
    setreg x0, v2
    v3 = getreg.i64 x30
    return v3
block3:
    jump_guest 0x8010
}}"
            ))
        };
        let spins = || function("function spins @0x9100 {\nblock0 @0x9100:\n    jump block0\n}");
        // As ir/src/noreturn.rs cuts the call: its continuation only jumps to the return address.
        let functions = [function(fragment), caller("block3"), spins()];
        let c = conventions(&functions, CallConvention::AAPCS64, &|_| false, false);
        assert_eq!(c[0].read_by_callers, 0);
        // A call that comes back reads x2 after it, which the fragment set: it stores x2.
        let functions = [function(fragment), caller("block2"), spins()];
        let c = conventions(&functions, CallConvention::AAPCS64, &|_| false, false);
        assert_eq!(c[0].read_by_callers, bit(Reg::x(2)));
    }

    #[test]
    fn a_callee_saved_register_loaded_from_elsewhere_than_the_stack_is_changed() {
        let loads = function(
            "function loads @0x5000 {
block0 @0x5000:
    v0 = getreg.i64 x0
    v1 = load.i64 v0
    setreg x19, v1
    v2 = getreg.i64 x30
    return v2
}",
        );
        let caller = caller_reading(0x6000, 0x5000, None);
        let c = conventions(&[loads, caller], CallConvention::AAPCS64, &|_| false, false);
        assert!(!c[1].callees_keep_callee_saved);
    }

    /// A function that changes x20 and x21 only on its way to a call that does not come back: one
    /// of a function that never returns (its continuation, as ir/src/noreturn.rs cuts it, jumps to
    /// the return address, here a resume point) and, on another path, a call that ends its code
    /// (the return address is the next function's). Its callers keep their callee-saved
    /// registers across calls of it.
    #[test]
    fn changes_on_the_way_to_a_call_that_does_not_return_are_not_returned() {
        let fails = function(
            "function fails @0x5000 {
    resume 0x5010 block2
block0 @0x5000:
    v0 = getreg.i1 z
    branch v0, block1, block3
block1 @0x5008:
    v1 = const.i64 0x1
    setreg x20, v1
    call_guest 0x9100, ret 0x5010, block4
block2 @0x5010:
    v2 = getreg.i64 x30
    return v2
block3 @0x5014:
    v3 = const.i64 0x2
    setreg x21, v3
    call_guest 0x9100, ret 0x5018, block5
block4:
    jump_guest 0x5010
block5:
    jump_guest 0x5018
}",
        );
        let caller = caller_reading(0x6000, 0x5000, None);
        let c = conventions(&[fails, caller], CallConvention::AAPCS64, &|_| false, false);
        assert!(c[0].callees_keep_callee_saved);
        assert!(c[1].callees_keep_callee_saved, "fails returns x19-x29 as it found them");
        // The same function returning after its change does change them.
        let returns = function(
            "function returns @0x5000 {
block0 @0x5000:
    v0 = const.i64 0x1
    setreg x20, v0
    v1 = getreg.i64 x30
    return v1
}",
        );
        let c =
            conventions(&[returns, caller_reading(0x6000, 0x5000, None)], CallConvention::AAPCS64, &|_| false, false);
        assert!(!c[1].callees_keep_callee_saved);
    }

    #[test]
    fn a_frameless_fragment_loading_its_callers_spill_changes_the_register() {
        let fragment = function(
            "function fragment @0x7000 {
block0 @0x7000:
    v0 = getreg.i64 sp
    v1 = const.i64 0x10
    v2 = add.i64 v0, v1
    v3 = load.i64 v2
    setreg x20, v3
    v4 = getreg.i64 x30
    return v4
}",
        );
        let caller = caller_reading(0x8000, 0x7000, None);
        let c = conventions(&[fragment, caller], CallConvention::AAPCS64, &|_| false, false);
        assert!(!c[1].callees_keep_callee_saved);
    }

    /// A Go-style function returning a pair in x2 and x3, called through a register by its caller,
    /// which reads x2 after the call; and a thunk that tail-jumps to it.
    const PAIR: &str = "function pair @0x9000 {
block0 @0x9000:
    v0 = getreg.i64 x9
    setreg x2, v0
    setreg x3, v0
    v1 = getreg.i64 x30
    return v1
}";

    const INDIRECT_CALLER: &str = "function indirect_caller @0xa000 {
    resume 0xa008 block1
block0 @0xa000:
    v0 = const.i64 0x7
    setreg x9, v0
    v1 = getreg.i64 x1
    v2 = const.i64 0xa008
    setreg x30, v2
    call_indirect v1, ret 0xa008, block1
block1 @0xa008:
    v3 = getreg.i64 x2
    setreg x0, v3
    v4 = getreg.i64 x30
    return v4
}";

    const THUNK: &str = "function thunk @0xb000 {
block0 @0xb000:
    jump_guest 0x9000
}";

    #[test]
    fn an_indirect_call_passes_and_receives_what_address_taken_functions_need() {
        let functions = [function(PAIR), function(INDIRECT_CALLER)];
        let c = conventions(&functions, CallConvention::AAPCS64, &|a| a == 0x9000, true);
        let x = |n: u8| bit(Reg::x(n));
        assert_eq!(c[1].read_by_callees, x(9), "the indirect call passes x9 to the callee that reads it");
        assert_eq!(c[0].read_by_callers, x(2), "the Go callee returns x2 to the indirect caller");
        // Outside Go a function called through a register returns no scratch register.
        let c = conventions(&functions, CallConvention::AAPCS64, &|a| a == 0x9000, false);
        assert_eq!((c[0].read_by_callers, c[1].read_by_callees), (0, x(9)));
        // A function whose address nobody takes is not reached by the indirect call.
        let c = conventions(&functions, CallConvention::AAPCS64, &|_| false, false);
        assert_eq!((c[0].read_by_callers, c[1].read_by_callees), (0, 0));
    }

    #[test]
    fn a_tail_jump_target_returns_what_the_jumping_functions_callers_read() {
        let functions = [function(PAIR), function(THUNK), caller_reading(0xc000, 0xb000, Some("x3"))];
        let c = conventions(&functions, CallConvention::AAPCS64, &|_| false, false);
        assert_eq!(c[1].read_by_callers, bit(Reg::x(3)));
        assert_eq!(c[0].read_by_callers, bit(Reg::x(3)), "pair returns to the thunk's caller");
    }

    /// A function that passes x9, unchanged, to whatever it calls through x1.
    const FORWARDER: &str = "function forwarder @0xd000 {
    resume 0xd008 block1
block0 @0xd000:
    v0 = getreg.i64 x1
    v1 = const.i64 0xd008
    setreg x30, v1
    call_indirect v0, ret 0xd008, block1
block1 @0xd008:
    v2 = getreg.i64 x30
    return v2
}";

    /// A function that ends by jumping through x16 (a veneer, or Go's `B (R1)`); the test's caller
    /// of it reads x3 after the call.
    const REGISTER_JUMPER: &str = "function register_jumper @0xe000 {
block0 @0xe000:
    v0 = getreg.i64 x16
    jump_indirect v0
}";

    #[test]
    fn what_an_indirect_callee_reads_is_read_by_a_function_forwarding_it() {
        // pair reads x9 on entry and may be called indirectly: forwarder, which leaves x9 as it
        // found it, reads x9 too, and so its direct caller must pass it.
        let functions = [function(PAIR), function(FORWARDER), caller_reading(0xd100, 0xd000, None)];
        let c = conventions(&functions, CallConvention::AAPCS64, &|a| a == 0x9000, false);
        assert_eq!(c[1].read_by_callees, bit(Reg::x(9)), "the indirect call passes x9");
        assert_eq!(c[2].read_by_callees, bit(Reg::x(9)), "so does the call of the forwarder");
    }

    #[test]
    fn a_jump_through_a_register_hands_its_callers_reads_to_address_taken_functions() {
        let functions = [function(PAIR), function(REGISTER_JUMPER), caller_reading(0xf000, 0xe000, Some("x3"))];
        let c = conventions(&functions, CallConvention::AAPCS64, &|a| a == 0x9000, true);
        assert_eq!(c[0].read_by_callers, bit(Reg::x(3)), "pair may be where Go's jump goes");
        // Outside Go the jump is a PLT stub's or a veneer's, to a function of the standard.
        let c = conventions(&functions, CallConvention::AAPCS64, &|a| a == 0x9000, false);
        assert_eq!(c[0].read_by_callers, 0);
    }

    #[test]
    fn a_system_call_reads_its_arguments_and_number_only() {
        // An address-taken trampoline that reads x16 on entry (the dynamic linker's PLT resolver
        // does), and a wrapper whose every path makes a system call.
        let trampoline = function(REGISTER_JUMPER);
        let wrapper = function(
            "function wrapper @0xe100 {
block0 @0xe100:
    syscall 0xe100, block1
block1 @0xe104:
    v0 = getreg.i64 x30
    return v0
}",
        );
        let functions = [trampoline, wrapper, caller_reading(0xe200, 0xe100, None)];
        let c = conventions(&functions, CallConvention::AAPCS64, &|a| a == 0xe000, false);
        assert_eq!(c[2].read_by_callees, 0, "the system call reads no x16, whatever indirect callees read");
    }

    #[test]
    fn the_exact_convention_is_left_alone() {
        let functions = [function(OUTLINED), function(CALLER)];
        assert!(conventions(&functions, CallConvention::EXACT, &|_| false, false)
            .iter()
            .all(|&c| c == CallConvention::EXACT));
    }
}

//! Calls of functions that never return, made jumps.
//!
//! Error paths call functions that never come back (`abort`, `__stack_chk_fail`, glibc's
//! `malloc_printerr`, `__assert_fail`), and compilers place whatever code comes next after such a
//! call, often another error path or the join of a retry loop. Followed as calls, those
//! continuations close cycles that no execution takes: a function's hot path then sits in a "loop
//! that calls out", and the code generator writes every register it changed back to the state on
//! the way in (ir/src/sync.rs), on every pass through the hot path.
//!
//! `functions_that_never_return` finds, over all lifted functions, those from whose entry no
//! return is reachable (a least fixed point: a function may return if a path from its entry or a
//! resume point reaches a `return`, a jump out of it to a function that may return or to unknown
//! code, or the continuation of a call of a function that may return). A call that is the last
//! instruction of its function's code counts as one that does not return: compilers place nothing
//! after a call they know never returns, so its continuation is the next function's code, and the
//! callee may be one that returns for other callers (glibc's `__libc_message` returns unless told
//! to abort, and `malloc_printerr` tells it to). `cut_noreturn_continuations` then gives each call
//! of a function that never returns a continuation that leaves the function for the return address
//! at once, as such a last call has. This is exact however the analysis decides: should the callee
//! return after all (a signal handler redirecting it, say), the caller goes on at the return
//! address through the dispatcher, where the code after the call is a resume point.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::entities::Block;
use crate::function::{BlockData, Function};
use crate::inst::Terminator;

/// The entry addresses of the functions of `functions` that never return (see the module comment).
pub fn functions_that_never_return(functions: &[Function]) -> FxHashSet<u64> {
    let index: FxHashMap<u64, usize> = functions.iter().enumerate().map(|(i, f)| (f.entry_addr, i)).collect();
    // Made once: the passes below revisit every function not yet known to return.
    let successors: Vec<Vec<Vec<usize>>> = functions.iter().map(Function::successor_indices).collect();
    let mut may_return = vec![false; functions.len()];
    let mut changed = true;
    while changed {
        changed = false;
        for (i, f) in functions.iter().enumerate() {
            let known = |target: u64| index.get(&target).is_none_or(|&j| may_return[j]);
            if !may_return[i] && reaches_a_return(f, &successors[i], known) {
                may_return[i] = true;
                changed = true;
            }
        }
    }
    functions.iter().zip(&may_return).filter(|(_, &r)| !r).map(|(f, _)| f.entry_addr).collect()
}

/// Whether a path from `f`'s entry or one of its resume points leaves `f` towards its caller, where
/// `successors` are `f`'s (`Function::successor_indices`) and `may_return(target)` says whether a
/// call of, or jump to, the guest address `target` may return.
fn reaches_a_return(f: &Function, successors: &[Vec<usize>], may_return: impl Fn(u64) -> bool) -> bool {
    let mut seen = vec![false; f.blocks.len()];
    let mut work: Vec<usize> = vec![f.entry().index()];
    work.extend(f.resume_points.iter().map(|(_, b)| b.index()));
    while let Some(b) = work.pop() {
        if std::mem::replace(&mut seen[b], true) {
            continue;
        }
        let term = &f.blocks[b].term;
        match *term {
            Terminator::Return { .. } | Terminator::JumpIndirect { .. } => return true,
            Terminator::JumpGuest { target } if may_return(target) => return true,
            Terminator::CallGuest { target, ret_addr, cont } => {
                if may_return(target) && !falls_off(f, cont, ret_addr) {
                    work.push(cont.index());
                }
                continue;
            }
            _ => {}
        }
        work.extend(successors[b].iter().copied());
    }
    false
}

/// Whether the continuation `cont` of a call returning to `ret_addr` leaves the function at once
/// for that address: the call is the last instruction of the function's code, which a compiler
/// emits only for a call it knows does not return (GCC's `noreturn`, as on a call of a reporting
/// function whose callee returns for other callers).
pub(crate) fn falls_off(f: &Function, cont: Block, ret_addr: u64) -> bool {
    let bd = &f.blocks[cont.index()];
    bd.insts.is_empty() && bd.term == Terminator::JumpGuest { target: ret_addr }
}

/// Gives every call in `func` of a function whose entry `noreturn` lists a continuation of its own
/// that leaves the function for the return address at once, as a call that is the last instruction
/// of its function has (`falls_off`); returns how many calls changed. The call stays a call (the
/// call convention's assumptions hold at it, so flags and scratch registers are not kept for the
/// callee), but nothing flows from it into the code after it in the function, which stays a resume
/// point for the return address.
pub fn cut_noreturn_continuations(func: &mut Function, noreturn: &FxHashSet<u64>) -> usize {
    let mut cut = 0;
    for b in 0..func.blocks.len() {
        let Terminator::CallGuest { target, ret_addr, cont } = func.blocks[b].term else { continue };
        if !noreturn.contains(&target) || falls_off(func, cont, ret_addr) {
            continue;
        }
        let leave = Block(func.blocks.len() as u32);
        func.blocks.push(BlockData {
            guest_addr: None,
            insts: vec![],
            term: Terminator::JumpGuest { target: ret_addr },
        });
        func.blocks[b].term = Terminator::CallGuest { target, ret_addr, cont: leave };
        cut += 1;
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::parse_function;
    use crate::verifier::verify;

    fn function(text: &str) -> Function {
        parse_function(text).unwrap()
    }

    /// Returns on one path and calls 0x2000 on the other, with the code after the call (a resume
    /// point) joining the first path.
    const CHECK: &str = "function check @0x3000 {
    resume 0x300c block1
block0 @0x3000:
    v0 = getreg.i1 z
    branch v0, block1, block2
block1 @0x3004:
    v1 = getreg.i64 x30
    return v1
block2 @0x3008:
    call_guest 0x2000, ret 0x300c, block1
}";

    #[test]
    fn functions_that_only_call_functions_that_never_return_never_return() {
        // abort loops on a trap; fail calls abort; check returns on one path and calls fail on the
        // other; wrap jumps to fail (a tail call); spin never leaves its loop.
        let abort = function(
            "function abort @0x1000 {
block0 @0x1000:
    trap.breakpoint 0x1000, 0xd4200000
}",
        );
        let fail = function(
            "function fail @0x2000 {
block0 @0x2000:
    call_guest 0x1000, ret 0x2004, block1
block1 @0x2004:
    v0 = getreg.i64 x30
    return v0
}",
        );
        let check = function(CHECK);
        let wrap = function(
            "function wrap @0x4000 {
block0 @0x4000:
    jump_guest 0x2000
}",
        );
        let unknown = function(
            "function unknown @0x5000 {
block0 @0x5000:
    jump_guest 0x9000
}",
        );
        let spin = function(
            "function spin @0x6000 {
block0 @0x6000:
    jump block0
}",
        );
        // report calls a function that returns, but as its last instruction.
        let report = function(
            "function report @0x7000 {
block0 @0x7000:
    call_guest 0x3000, ret 0x7004, block1
block1:
    jump_guest 0x7004
}",
        );
        let noreturn = functions_that_never_return(&[abort, fail, check, wrap, unknown, spin, report]);
        assert_eq!(noreturn, [0x1000, 0x2000, 0x4000, 0x6000, 0x7000].into_iter().collect::<FxHashSet<_>>());
    }

    #[test]
    fn a_call_of_a_function_that_never_returns_leaves_for_its_return_address_after_it() {
        let mut check = function(CHECK);
        assert_eq!(cut_noreturn_continuations(&mut check, &[0x2000].into_iter().collect::<FxHashSet<_>>()), 1);
        verify(&check).unwrap();
        assert_eq!(check.blocks[2].term, Terminator::CallGuest { target: 0x2000, ret_addr: 0x300c, cont: Block(3) });
        assert!(check.blocks[3].insts.is_empty());
        assert_eq!(check.blocks[3].term, Terminator::JumpGuest { target: 0x300c });
        // The return address stays a resume point, and a second pass changes nothing.
        assert_eq!(check.resume_points, vec![(0x300c, Block(1))]);
        assert_eq!(cut_noreturn_continuations(&mut check, &[0x2000].into_iter().collect::<FxHashSet<_>>()), 0);
    }
}

//! Where translated loops poll for signals, and what that asks of the function.
//!
//! A thread that spins in a translated loop must still take asynchronous signals, so every cycle of
//! a function's control-flow graph tests the thread's poll word on one of its edges: the edges of
//! jumps, branches and recovered indirect jumps that go to a block at or before their own (in block
//! order every cycle has such an edge). When the word is raised, the code writes back the registers
//! live at the edge's destination and then does one of two things:
//!
//! - In a function that calls out (a call or a system call anywhere in it), it calls the runtime
//!   (`vmtrans_poll`, through a trampoline called with LLVM's `preserve_most` convention, so the
//!   loop's values stay in whatever registers they are in), which delivers the signals, and goes on
//!   with the registers it holds, unless a handler changed the state (then it returns, and the
//!   dispatcher goes on from the state).
//! - In a function that calls nothing (`polls_by_leaving`: `strchr`, `memcpy`, a checksum loop), it
//!   leaves for the dispatcher with the destination's address as its pc, as a jump to another
//!   function would; the runtime delivers the signals at its safe point and enters the function
//!   again there, so the destination must be a resume point (`add_poll_resume_points`). A call on
//!   the loop's cold path would have made the function a non-leaf that saves six host registers on
//!   every call (sha256's block function ran 12% more instructions). In a function that calls out
//!   the frame is there anyway, and a resume point at a loop's header costs more than the call: its
//!   reload path joins the loop, so values computed before the loop (constants, addresses) stop
//!   being the same on every way in (the bytecode interpreter ran 5% more instructions, qsort 9%).
//!   Calling the `preserve_most` trampoline from leaves too was no better overall: sha256 4% and
//!   saxpy 3% more instructions, glibc's malloc 1% fewer.

use std::collections::BTreeSet;

use crate::function::Function;
use crate::inst::Terminator;

/// Whether translated code (with polling on) polls on the edge from block `from` to block `to`: a
/// local edge back to a block at or before `from` that has a guest address to resume at. The code
/// generator asks this for the edges of jumps, branches and recovered indirect jumps; the
/// continuations of calls and system calls never poll (those are safe points already).
pub fn polls_on_edge(func: &Function, from: usize, to: usize) -> bool {
    to <= from && func.blocks[to].guest_addr.is_some()
}

/// The blocks some polled edge goes to, by index: the local successors of jumps, branches and
/// indirect jumps (`Function::successor_indices`), not the continuations of calls.
pub fn polled_blocks(func: &Function) -> BTreeSet<usize> {
    let successors = func.successor_indices();
    let mut polled = BTreeSet::new();
    for (from, data) in func.blocks.iter().enumerate() {
        if matches!(data.term, Terminator::Jump { .. } | Terminator::Branch { .. } | Terminator::JumpIndirect { .. }) {
            polled.extend(successors[from].iter().copied().filter(|&to| polls_on_edge(func, from, to)));
        }
    }
    polled
}

/// Whether `func`'s loops leave for the dispatcher when a signal is pending rather than call the
/// runtime: it has no call and no system call (module comment).
pub fn polls_by_leaving(func: &Function) -> bool {
    !func.blocks.iter().any(|bd| {
        matches!(bd.term, Terminator::CallGuest { .. } | Terminator::CallIndirect { .. } | Terminator::Syscall { .. })
    })
}

/// Makes every block a polled edge goes to a resume point of `func` when it polls by leaving
/// (module comment).
pub fn add_poll_resume_points(func: &mut Function) {
    if !polls_by_leaving(func) {
        return;
    }
    for b in polled_blocks(func) {
        let block = crate::entities::Block(b as u32);
        let Some(addr) = func.blocks[b].guest_addr else { continue };
        if !func.resume_points.iter().any(|&(a, rb)| a == addr || rb == block) {
            func.resume_points.push((addr, block));
        }
    }
    func.resume_points.sort_unstable();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::parse_function;

    const LOOP: &str = "function count_down @0x1000 {
block0 @0x1000:
    jump block1
block1 @0x1004:
    v0 = getreg.i64 x1
    v1 = add.i64 v0, v0
    setreg x1, v1
    v2 = icmp.eq.i1 v1, v0
    branch v2, block1, block2
block2 @0x100c:
    v3 = getreg.i64 x30
    return v3
}";

    #[test]
    fn a_loop_header_reached_by_a_back_edge_becomes_a_resume_point() {
        let mut f = parse_function(LOOP).expect("the text parses");
        assert_eq!(polled_blocks(&f), BTreeSet::from([1]));
        add_poll_resume_points(&mut f);
        assert_eq!(f.resume_points, vec![(0x1004, crate::entities::Block(1))]);
        add_poll_resume_points(&mut f);
        assert_eq!(f.resume_points.len(), 1, "adding twice adds nothing");
    }

    #[test]
    fn a_function_that_calls_out_polls_by_calling_and_gets_no_resume_point() {
        let text = LOOP.replace(
            "block2 @0x100c:\n",
            "block2 @0x100c:\n    call_guest 0x2000, ret 0x1010, block3\nblock3 @0x1010:\n",
        );
        let mut f = parse_function(&text).expect("the text parses");
        assert!(!polls_by_leaving(&f));
        assert_eq!(polled_blocks(&f), BTreeSet::from([1]));
        add_poll_resume_points(&mut f);
        assert!(f.resume_points.is_empty());
    }

    #[test]
    fn code_without_a_cycle_polls_nowhere() {
        let mut f = parse_function(&LOOP.replace("branch v2, block1, block2", "jump block2")).expect("the text parses");
        add_poll_resume_points(&mut f);
        assert!(f.resume_points.is_empty());
    }
}

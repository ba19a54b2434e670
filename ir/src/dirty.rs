//! Which guest registers may hold a newer value than the state in memory, block by block.
//!
//! Translated code keeps the guest registers it touches in SSA values and writes them back to the
//! state only where something outside the function may look: calls, system calls, traps and exits.
//! It need not write back a register that still holds the value the state has, that is, one no
//! path has written since the state was last brought up to date. The state is up to date where the
//! function is entered (the registers are loaded from it) and after every call and system call
//! (they are reloaded from it); a register becomes dirty where a `setreg` writes it. This forward
//! may-analysis follows the control-flow edges that do not pass through such a synchronisation:
//! jumps, branches and the local targets of a recovered `jump_indirect`. At the end of every block
//! the result lists the registers a write-back there must store; storing them (and only them)
//! leaves the state exactly as storing every written register would.

use std::collections::{BTreeSet, HashMap};

use crate::function::Function;
use crate::inst::{InstData, Terminator};
use crate::reg::Reg;

/// For every block (by index), the registers that may be dirty at its end, after its instructions
/// and before its terminator.
pub fn dirty_at_block_ends(func: &Function) -> Vec<BTreeSet<Reg>> {
    let block_at: HashMap<u64, usize> =
        func.blocks().filter_map(|(b, bd)| bd.guest_addr.map(|a| (a, b.index()))).collect();
    let mut local_successors: Vec<Vec<usize>> = func
        .blocks
        .iter()
        .map(|bd| match bd.term {
            Terminator::Jump { .. } | Terminator::Branch { .. } => {
                bd.term.successors().iter().map(|s| s.index()).collect()
            }
            // A call's continuation reloads every register, so nothing dirty flows into it.
            _ => vec![],
        })
        .collect();
    for (b, targets) in &func.indirect_targets {
        if matches!(func.blocks[b.index()].term, Terminator::JumpIndirect { .. }) {
            local_successors[b.index()].extend(targets.iter().filter_map(|a| block_at.get(a).copied()));
        }
    }
    let mut dirty_out: Vec<BTreeSet<Reg>> = func
        .blocks
        .iter()
        .map(|bd| {
            bd.insts
                .iter()
                .filter_map(|&v| match func.inst(v) {
                    InstData::SetReg { reg, .. } => Some(*reg),
                    _ => None,
                })
                .collect()
        })
        .collect();
    // The written sets are the starting point; propagate along local edges until nothing grows.
    let mut work: Vec<usize> = (0..func.blocks.len()).collect();
    while let Some(b) = work.pop() {
        for &s in &local_successors[b] {
            let before = dirty_out[s].len();
            let incoming: Vec<Reg> = dirty_out[b].iter().copied().collect();
            dirty_out[s].extend(incoming);
            if dirty_out[s].len() != before {
                work.push(s);
            }
        }
    }
    dirty_out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::parse_function;

    fn regs(names: &[&str]) -> BTreeSet<Reg> {
        names.iter().map(|n| Reg::parse(n).unwrap()).collect()
    }

    #[test]
    fn writes_flow_along_jumps_but_not_through_calls() {
        let f = parse_function(
            "function f @0x1000 {
    resume 0x1008 block2
block0 @0x1000:
    v0 = getreg.i64 x0
    setreg x1, v0
    v1 = icmp.eq.i64 v0, v0
    branch v1, block1, block2
block1 @0x1004:
    setreg x2, v0
    call_guest 0x2000, ret 0x1008, block2
block2 @0x1008:
    v2 = getreg.i64 x3
    setreg x4, v2
    return v2
}",
        )
        .unwrap();
        let dirty = dirty_at_block_ends(&f);
        let at = |addr: u64| {
            let (b, _) = f.blocks().find(|(_, bd)| bd.guest_addr == Some(addr)).unwrap();
            dirty[b.index()].clone()
        };
        assert_eq!(at(0x1000), regs(&["x1"]));
        assert_eq!(at(0x1004), regs(&["x1", "x2"]));
        // 0x1008 is reached from 0x1000 directly (x1 dirty) and after 0x1004's call (all clean).
        assert_eq!(at(0x1008), regs(&["x1", "x4"]));
    }
}

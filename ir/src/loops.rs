//! Loops of a function's control-flow graph, and the guest loads in them that must be made again on
//! every iteration although their address does not change.
//!
//! A guest program that waits for another thread (or a signal handler) to store to a variable reads
//! it in a loop: `while (!ready) ;` on a relaxed atomic or a volatile flag compiles to a plain `ldr`
//! from an address the loop never changes, in a loop that stores nothing. The hardware makes that
//! load on every iteration. LLVM, which sees an ordinary load with no store or call in the loop,
//! may hoist it out and spin forever on the first value. So the code generator makes such loads
//! volatile. The guest's own compiler left these loads in the loop on purpose (it hoists loop-invariant
//! loads itself when it may), so keeping them there costs nothing the guest did not already pay.
//!
//! `invariant_address_loads` finds them: in every loop (`loops`, nested ones included), every `load`
//! whose address is computed, inside its block, only from constants and registers that no block of
//! the loop writes. A loop that calls out (a call, system call or trap) may change every register, so
//! there only loads from constant addresses count. A loaded value never counts as invariant, which
//! also covers pointer chasing (`while (!p->next->flag)`): the first load is volatile and LLVM cannot
//! move what depends on it.

use rustc_hash::FxHashSet;

use crate::entities::Value;
use crate::function::Function;
use crate::inst::{InstData, Terminator};
use crate::reg::Reg;

/// The loads of `func` that lie in a loop and whose address is the same on every iteration.
pub fn invariant_address_loads(func: &Function) -> FxHashSet<Value> {
    let mut found = FxHashSet::default();
    for body in loops(func) {
        let written = registers_written(func, &body);
        for &b in &body {
            for &v in &func.blocks[b].insts {
                if let InstData::Load { addr, .. } = func.inst(v) {
                    if is_invariant(func, *addr, &written) {
                        found.insert(v);
                    }
                }
            }
        }
    }
    found
}

/// The loops of `func`, each as its blocks (by index), nested loops included: every strongly
/// connected component of the control-flow graph that has a cycle is a loop; inside it, the edges
/// back to its entries (the blocks control reaches it through) are cut, and the components left with
/// a cycle are its inner loops, and so on (Steensgaard's loop nesting forest). Unlike natural loops,
/// this needs no dominating header: a loop entered in its middle (a rotated `while`) or at two places
/// is still found with exactly its blocks.
pub fn loops(func: &Function) -> Vec<Vec<usize>> {
    let successors = func.successor_indices();
    let n = successors.len();
    let mut predecessors = vec![vec![]; n];
    for (b, ss) in successors.iter().enumerate() {
        for &s in ss {
            predecessors[s].push(b);
        }
    }
    // Blocks entered from outside the function: the entry and the resume points.
    let mut is_root = vec![false; n];
    if n > 0 {
        is_root[0] = true;
    }
    for &(_, b) in &func.resume_points {
        is_root[b.index()] = true;
    }
    let mut found = vec![];
    let mut work = vec![((0..n).collect::<Vec<usize>>(), vec![])];
    while let Some((members, cut)) = work.pop() {
        for component in cyclic_components(&successors, &members, &cut) {
            let in_component: FxHashSet<usize> = component.iter().copied().collect();
            let mut entries: Vec<usize> = component
                .iter()
                .copied()
                .filter(|&b| is_root[b] || predecessors[b].iter().any(|p| !in_component.contains(p)))
                .collect();
            if entries.is_empty() {
                // A cycle nothing reaches: any block will do as its entry.
                entries.push(component[0]);
            }
            work.push((component.clone(), entries));
            found.push(component);
        }
    }
    found
}

/// The strongly connected components that have a cycle (Tarjan's algorithm, without recursion) in
/// the graph of `members`, leaving out the edges into `cut`.
fn cyclic_components(successors: &[Vec<usize>], members: &[usize], cut: &[usize]) -> Vec<Vec<usize>> {
    const NONE: usize = usize::MAX;
    let n = successors.len();
    let mut member = vec![false; n];
    for &b in members {
        member[b] = true;
    }
    let mut is_cut = vec![false; n];
    for &b in cut {
        is_cut[b] = true;
    }
    let edge_kept = |to: usize| member[to] && !is_cut[to];
    let mut index = vec![NONE; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = vec![];
    let mut next_index = 0;
    let mut result = vec![];
    for &root in members {
        if index[root] != NONE {
            continue;
        }
        // Each frame: a block and how many of its successors have been looked at.
        let mut frames = vec![(root, 0usize)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (b, ref mut next)) = frames.last_mut() {
            if let Some(&s) = successors[b].get(*next) {
                *next += 1;
                if !edge_kept(s) {
                    continue;
                }
                if index[s] == NONE {
                    index[s] = next_index;
                    low[s] = next_index;
                    next_index += 1;
                    stack.push(s);
                    on_stack[s] = true;
                    frames.push((s, 0));
                } else if on_stack[s] {
                    low[b] = low[b].min(index[s]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[b]);
            }
            if low[b] == index[b] {
                let mut component = vec![];
                loop {
                    let top = stack.pop().expect("the block's component is on the stack");
                    on_stack[top] = false;
                    component.push(top);
                    if top == b {
                        break;
                    }
                }
                if component.len() > 1 || successors[b].iter().any(|&s| s == b && edge_kept(s)) {
                    result.push(component);
                }
            }
        }
    }
    result
}

/// The registers some block of `body` may change; all of them when one calls out of the function.
fn registers_written(func: &Function, body: &[usize]) -> Option<FxHashSet<Reg>> {
    let mut written = FxHashSet::default();
    for &b in body {
        let bd = &func.blocks[b];
        if !matches!(bd.term, Terminator::Jump { .. } | Terminator::Branch { .. } | Terminator::JumpIndirect { .. }) {
            return None;
        }
        for &v in &bd.insts {
            if let InstData::SetReg { reg, .. } = func.inst(v) {
                written.insert(*reg);
            }
        }
    }
    Some(written)
}

/// Whether `v` is the same on every iteration of a loop writing `written` (`None`: every register).
fn is_invariant(func: &Function, v: Value, written: &Option<FxHashSet<Reg>>) -> bool {
    match func.inst(v) {
        InstData::Const { .. } => true,
        InstData::GetReg { reg } => written.as_ref().is_some_and(|w| !w.contains(reg)),
        InstData::Load { .. } | InstData::CallHelper { .. } => false,
        other => other.args().iter().all(|&a| is_invariant(func, a, written)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::parse_function;

    fn loads_at(text: &str) -> Vec<String> {
        let f = parse_function(text).unwrap();
        let found = invariant_address_loads(&f);
        let mut names: Vec<String> = found.iter().map(|v| v.to_string()).collect();
        names.sort();
        names
    }

    /// The loops of the function `text` describes, each sorted, in sorted order.
    fn sorted_loops(text: &str) -> Vec<Vec<usize>> {
        let mut found = loops(&parse_function(text).unwrap());
        found.iter_mut().for_each(|l| l.sort());
        found.sort();
        found
    }

    #[test]
    fn a_spin_wait_load_is_found_but_not_an_array_walk() {
        // block1 spins on [x1] (x1 unchanged in the loop) and walks [x2] (x2 advanced).
        let text = "function f @0x1000 {
block0 @0x1000:
    jump block1
block1 @0x1004:
    v0 = getreg.i64 x1
    v1 = load.i32 v0
    v2 = getreg.i64 x2
    v3 = load.i32 v2
    v4 = const.i64 0x4
    v5 = add.i64 v2, v4
    setreg x2, v5
    v6 = const.i32 0x0
    v7 = icmp.eq.i32 v1, v6
    branch v7, block1, block2
block2 @0x1010:
    v8 = getreg.i64 x30
    return v8
}";
        assert_eq!(loads_at(text), vec!["v1".to_string()]);
    }

    #[test]
    fn a_loop_entered_in_its_middle_is_found_with_its_blocks_only() {
        // A rotated `while`: block0 sets x2 and jumps to the test in block2; block1 is the body.
        // x2 is written before the loop, not in it, so the load in block2 is invariant.
        let text = "function f @0x1000 {
block0 @0x1000:
    v0 = getreg.i64 x19
    setreg x2, v0
    jump block2
block1 @0x1004:
    v1 = getreg.i64 x0
    setreg x0, v1
    jump block2
block2 @0x1008:
    v2 = getreg.i64 x2
    v3 = load.i32 v2
    v4 = const.i32 0x0
    v5 = icmp.eq.i32 v3, v4
    branch v5, block1, block3
block3 @0x100c:
    v6 = getreg.i64 x30
    return v6
}";
        assert_eq!(loads_at(text), vec!["v3".to_string()]);
        assert_eq!(sorted_loops(text), vec![vec![1, 2]]);
    }

    #[test]
    fn an_inner_loop_waiting_on_an_element_the_outer_loop_chooses_is_found() {
        // for (i) while (!flag[i]) ; -- x3 changes in the outer loop (block3), not in the inner one
        // (block2, a loop on itself).
        let text = "function f @0x1000 {
block0 @0x1000:
    jump block1
block1 @0x1004:
    jump block2
block2 @0x1008:
    v0 = getreg.i64 x1
    v1 = getreg.i64 x3
    v2 = add.i64 v0, v1
    v3 = load.i8 v2
    v4 = const.i8 0x0
    v5 = icmp.eq.i8 v3, v4
    branch v5, block2, block3
block3 @0x100c:
    v6 = getreg.i64 x3
    v7 = const.i64 0x1
    v8 = add.i64 v6, v7
    setreg x3, v8
    v9 = icmp.eq.i64 v8, v7
    branch v9, block1, block4
block4 @0x1010:
    v10 = getreg.i64 x30
    return v10
}";
        assert_eq!(loads_at(text), vec!["v3".to_string()]);
        assert_eq!(sorted_loops(text), vec![vec![1, 2, 3], vec![2]]);
    }

    #[test]
    fn loads_outside_loops_and_after_calls_are_not_found() {
        // The load in block0 is outside any loop; in block1 the call may change x1, so only the
        // load from a constant address stays invariant.
        let text = "function f @0x1000 {
    resume 0x1008 block2
block0 @0x1000:
    v0 = getreg.i64 x1
    v1 = load.i64 v0
    jump block1
block1 @0x1004:
    v2 = getreg.i64 x1
    v3 = load.i64 v2
    v4 = const.i64 0x4000
    v5 = load.i64 v4
    call_guest 0x2000, ret 0x1008, block2
block2 @0x1008:
    v6 = getreg.i64 x0
    v7 = const.i64 0x0
    v8 = icmp.eq.i64 v6, v7
    branch v8, block1, block3
block3 @0x100c:
    v9 = getreg.i64 x30
    return v9
}";
        assert_eq!(loads_at(text), vec!["v5".to_string()]);
    }
}

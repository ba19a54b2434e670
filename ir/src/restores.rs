//! Epilogues that put callee-saved registers back as they were on entry, where the state still
//! holds those values and a return need not store them.
//!
//! Only x24-x28 matter here: x19-x23 and x29 travel between translated functions in host
//! registers (`convention::PASSED_IN_REGISTERS`), and a return hands back whatever it holds of
//! them. A function that uses x24-x28 saves them in its prologue (`stp x24, x25, [sp, #16]`,
//! which reads them from the state) and loads them back in its epilogue. The load writes the register, so the
//! return stored it into the state again, although on a path that changed nothing (a cache hit in
//! `malloc`, a chunk put on a free list in `_int_free`: GCC saves what the slow paths need before
//! the first branch) the state still holds exactly that value. Each such register cost a load from
//! the guest stack and a store into the state per return.
//!
//! `restored_at_return` finds, per block that ends in a return or a tail jump, the callee-saved
//! registers whose last write in the block is such a restore; `ir/src/sync.rs` then counts those
//! registers clean after it, and the code generator stores them there only where the state may no
//! longer hold their values on entry: flags of the function, set where it stores one of x24-x28
//! into the state (at a call, a system call, a signal poll, the way into a loop), after a call of a
//! function that may change them, of one reached through a register or of code without a
//! translation, and where it is entered anywhere but at its entry (a resume point, a prefix's exit
//! into the body, where the body just stores them). On a path that stored nothing the flags are
//! constants, so the check costs nothing there.
//!
//! A restore is recognised by following the stack pointer and x29 as offsets from the entry's sp
//! through the function (`Frame`): a 64-bit load from a slot where, on every path from the entry,
//! the register's value on entry was stored and nothing else was stored since. Stores through
//! other addresses are taken not to hit the save slots (what the procedure call standard and
//! `call_boundaries` assume of callee-saved registers anyway). Two conditions keep out code that
//! plants values in its own save slots on purpose, as `__builtin_eh_return` does for the C++
//! unwinder: the return must leave sp where the function found it (eh_return adds a computed
//! adjustment), and the code generator stores the registers after all, on a cold path, when the
//! return goes anywhere but to the link register the function was entered with.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::call_boundaries::jumps_out;
use crate::entities::Value;
use crate::function::Function;
use crate::inst::{BinaryOp, InstData, Terminator};
use crate::reg::Reg;
use crate::sync::{bit, range, CallConvention, Mask};
use crate::types::Type;

/// x24-x28, the registers a restore may put back: the callee-saved registers that stay in the
/// state across calls (`convention::CALLEE_SAVED_IN_STATE`). The others travel between translated
/// functions in host registers, and a return hands back whatever it holds of them.
const RESTORABLE: Mask = range(Reg::x(24).0, Reg::x(28).0);

/// The registers whose entry values `Frame` follows: `RESTORABLE` and the link register, whose
/// value on entry the return goes to.
const FOLLOWED: Mask = RESTORABLE | 1 << Reg::x(30).0;

/// The restores `ir/src/sync.rs` counts as leaving their register clean.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Restores {
    /// The `setreg` instructions that are such restores.
    pub setregs: FxHashSet<Value>,
    /// Per block ending in a return or a jump to another function (by index), the registers those
    /// restores leave clean there.
    pub at_return: FxHashMap<usize, Mask>,
}

impl Restores {
    /// Every register some return of the function leaves to the state as it was on entry.
    pub fn registers(&self) -> Mask {
        self.at_return.values().fold(0, |m, &r| m | r)
    }
}

/// The restores of `func` before its returns (see the module comment): in each block that returns
/// to the link register's value on entry, or tail-jumps to another function with that link
/// register, with sp where the function found it, the `setreg`s that are the last write of their
/// register in the block and put back its value on entry from its save slot.
pub(crate) fn restored_at_return(func: &Function, convention: CallConvention) -> Restores {
    let mut found = Restores::default();
    if !convention.follows_aapcs64 {
        return found;
    }
    let at_start = frames_at_start(func, convention);
    for (b, bd) in func.blocks.iter().enumerate() {
        let Some(frame) = &at_start[b] else { continue };
        let leaves = match bd.term {
            Terminator::Return { .. } => true,
            // A tail call: the function jumped to returns to this one's caller.
            Terminator::JumpGuest { target } => jumps_out(func, target),
            _ => false,
        };
        if !leaves {
            continue;
        }
        let (end, known) = step(func, b, frame.clone());
        let to_caller = match &bd.term {
            Terminator::Return { target } => {
                matches!(known.get(target), Some(Abstract::Restored(r) | Abstract::Entry(r)) if *r == Reg::x(30))
            }
            _ => end.holds_entry & bit(Reg::x(30)) != 0,
        };
        if end.sp != Some(0) || !to_caller {
            continue;
        }
        let mut last: FxHashMap<Reg, Value> = FxHashMap::default();
        for &v in &bd.insts {
            if let InstData::SetReg { reg, .. } = func.inst(v) {
                last.insert(*reg, v);
            }
        }
        for (reg, v) in last {
            let restores = matches!(func.inst(v), InstData::SetReg { arg, .. }
                if known.get(arg) == Some(&Abstract::Restored(reg)));
            if RESTORABLE & bit(reg) != 0 && restores {
                found.setregs.insert(v);
                *found.at_return.entry(b).or_default() |= bit(reg);
            }
        }
    }
    found
}

/// What a value is, as far as the save slots go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Abstract {
    /// The entry's sp plus this offset.
    StackAt(i64),
    /// The value the register had where the function was entered.
    Entry(Reg),
    /// A load of that value back from its save slot.
    Restored(Reg),
    Const(i64),
}

/// What is known of the frame at a point of the function.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Frame {
    /// sp, as an offset from the entry's sp.
    sp: Option<i64>,
    /// x29, as an offset from the entry's sp.
    fp: Option<i64>,
    /// The registers of `FOLLOWED` that hold their value on entry (never written, or restored).
    holds_entry: Mask,
    /// The 8-byte stack slots (by offset from the entry's sp) that hold a register's value on
    /// entry on every path.
    saved: BTreeMap<i64, Reg>,
}

impl Frame {
    fn at_entry() -> Frame {
        Frame { sp: Some(0), fp: None, holds_entry: FOLLOWED, saved: BTreeMap::new() }
    }

    fn unknown() -> Frame {
        Frame { sp: None, fp: None, holds_entry: 0, saved: BTreeMap::new() }
    }

    /// What holds on both ways into a join.
    fn meet(&self, other: &Frame) -> Frame {
        Frame {
            sp: self.sp.filter(|&s| other.sp == Some(s)),
            fp: self.fp.filter(|&f| other.fp == Some(f)),
            holds_entry: self.holds_entry & other.holds_entry,
            saved: self.saved.iter().filter(|(k, r)| other.saved.get(k) == Some(r)).map(|(&k, &r)| (k, r)).collect(),
        }
    }

    /// Forgets the save slots that a store of `bytes` bytes at `offset` overwrites.
    fn overwrite(&mut self, offset: i64, bytes: i64) {
        self.saved.retain(|&slot, _| slot + 8 <= offset || offset + bytes <= slot);
    }

    /// What a call or system call ending a block leaves for its continuation: sp comes back as
    /// it was (the caller checks), and so do x19-x29 where the convention keeps them across it
    /// (x19-x23 and x29 come back in host registers: a callee that changes them returns at once).
    fn after(&self, term: &Terminator, convention: CallConvention) -> Frame {
        match term {
            Terminator::CallGuest { .. } | Terminator::CallIndirect { .. } => {
                let kept = !convention.kept_across(term).is_empty();
                Frame {
                    sp: self.sp,
                    fp: self.fp.filter(|_| kept),
                    holds_entry: if kept { self.holds_entry & RESTORABLE } else { 0 },
                    saved: self.saved.clone(),
                }
            }
            // A system call may be a clone onto another stack, or anything else: nothing is kept.
            Terminator::Syscall { .. } => Frame::unknown(),
            _ => self.clone(),
        }
    }
}

/// Runs block `b` from `frame`; returns the frame at its end and what its values are.
fn step(func: &Function, b: usize, mut frame: Frame) -> (Frame, FxHashMap<Value, Abstract>) {
    let mut known: FxHashMap<Value, Abstract> = FxHashMap::default();
    for &v in &func.blocks[b].insts {
        let got = |x: &Value| known.get(x).copied();
        let value = match func.inst(v) {
            InstData::Const { ty: Type::I64, bits } => Some(Abstract::Const(*bits as i64)),
            InstData::GetReg { reg } if *reg == Reg::SP => frame.sp.map(Abstract::StackAt),
            InstData::GetReg { reg } if *reg == Reg::x(29) && frame.fp.is_some() => frame.fp.map(Abstract::StackAt),
            InstData::GetReg { reg } if frame.holds_entry & bit(*reg) != 0 => Some(Abstract::Entry(*reg)),
            InstData::Binary { op, args: [x, y] } => match (op, got(x), got(y)) {
                (BinaryOp::Add, Some(Abstract::StackAt(k)), Some(Abstract::Const(c)))
                | (BinaryOp::Add, Some(Abstract::Const(c)), Some(Abstract::StackAt(k))) => {
                    Some(Abstract::StackAt(k.wrapping_add(c)))
                }
                (BinaryOp::Sub, Some(Abstract::StackAt(k)), Some(Abstract::Const(c))) => {
                    Some(Abstract::StackAt(k.wrapping_sub(c)))
                }
                _ => None,
            },
            InstData::Load { ty: Type::I64, addr } => match got(addr) {
                Some(Abstract::StackAt(k)) => frame.saved.get(&k).map(|&r| Abstract::Restored(r)),
                _ => None,
            },
            InstData::SetReg { reg, arg } => {
                let arg = got(arg);
                if *reg == Reg::SP {
                    frame.sp = match arg {
                        Some(Abstract::StackAt(k)) => Some(k),
                        _ => None,
                    };
                } else if FOLLOWED & bit(*reg) != 0 {
                    if *reg == Reg::x(29) {
                        frame.fp = match arg {
                            Some(Abstract::StackAt(k)) => Some(k),
                            _ => None,
                        };
                    }
                    let entry_again = matches!(arg, Some(Abstract::Entry(r) | Abstract::Restored(r)) if r == *reg);
                    if entry_again {
                        frame.holds_entry |= bit(*reg);
                    } else {
                        frame.holds_entry &= !bit(*reg);
                    }
                }
                None
            }
            InstData::Store { addr, arg } => {
                if let Some(Abstract::StackAt(k)) = got(addr) {
                    let bytes = i64::from(func.value_type(*arg).bits() / 8).max(1);
                    frame.overwrite(k, bytes);
                    if let (8, Some(Abstract::Entry(r))) = (bytes, got(arg)) {
                        frame.saved.insert(k, r);
                    }
                }
                None
            }
            InstData::AtomicRmw { addr, .. } | InstData::Cmpxchg { addr, .. } => {
                if let Some(Abstract::StackAt(k)) = got(addr) {
                    // At most 16 bytes (a pair), whatever the type.
                    frame.overwrite(k, 16);
                }
                None
            }
            _ => None,
        };
        if let Some(value) = value {
            known.insert(v, value);
        }
    }
    (frame, known)
}

/// The frame at the start of every block (`None` where no path from an entry leads).
fn frames_at_start(func: &Function, convention: CallConvention) -> Vec<Option<Frame>> {
    let n = func.blocks.len();
    let successors = func.successor_indices();
    let mut at_start: Vec<Option<Frame>> = vec![None; n];
    if n == 0 {
        return at_start;
    }
    at_start[0] = Some(Frame::at_entry());
    // Only the ways from the entry count: where the dispatcher enters the function elsewhere (a
    // resume point, a prefix's exit into the body), the code generator stores the restored
    // registers anyway, as its flags say the state may no longer hold their values on entry.
    let mut work: Vec<usize> = vec![0];
    while let Some(b) = work.pop() {
        let Some(frame) = at_start[b].clone() else { continue };
        let (end, _) = step(func, b, frame);
        let out = end.after(&func.blocks[b].term, convention);
        for &s in &successors[b] {
            let merged = match &at_start[s] {
                None => out.clone(),
                Some(old) => old.meet(&out),
            };
            if at_start[s].as_ref() != Some(&merged) {
                at_start[s] = Some(merged);
                work.push(s);
            }
        }
    }
    at_start
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::parse_function;

    /// A function with the usual frame: it saves x29, x30, x24 and x25, uses x24 on one path, and
    /// restores all of them before returning (GCC's shape, with the restores in the returning
    /// block).
    const FRAMED: &str = "function framed @0x1000 {
block0 @0x1000:
    v0 = getreg.i64 sp
    v1 = const.i64 0xffffffffffffffe0
    v2 = add.i64 v0, v1
    v3 = getreg.i64 x29
    store v2, v3
    v4 = const.i64 0x8
    v5 = add.i64 v2, v4
    v6 = getreg.i64 x30
    store v5, v6
    setreg sp, v2
    setreg x29, v2
    v7 = const.i64 0x10
    v8 = add.i64 v2, v7
    v9 = getreg.i64 x24
    store v8, v9
    v10 = add.i64 v8, v4
    v11 = getreg.i64 x25
    store v10, v11
    v12 = getreg.i1 z
    branch v12, block1, block2
block1 @0x1020:
    v13 = getreg.i64 x0
    setreg x24, v13
    jump block2
block2 @0x1024:
    v20 = getreg.i64 sp
    v21 = const.i64 0x10
    v22 = add.i64 v20, v21
    v23 = load.i64 v22
    setreg x24, v23
    v24 = const.i64 0x18
    v25 = add.i64 v20, v24
    v26 = load.i64 v25
    setreg x25, v26
    v27 = load.i64 v20
    setreg x29, v27
    v28 = const.i64 0x8
    v29 = add.i64 v20, v28
    v30 = load.i64 v29
    setreg x30, v30
    v31 = const.i64 0x20
    v32 = add.i64 v20, v31
    setreg sp, v32
    return v30
}";

    fn restored(text: &str) -> Restores {
        let f = parse_function(text).expect("the text parses");
        restored_at_return(&f, CallConvention::AAPCS64)
    }

    #[test]
    fn restores_of_values_on_entry_are_found() {
        // x24 is changed on one path only: on both, the load puts back its value on entry. x29
        // travels in host registers, so its restore leaves nothing to the state.
        let r = restored(FRAMED);
        assert_eq!(r.at_return.get(&2), Some(&(bit(Reg::x(24)) | bit(Reg::x(25)))));
        assert_eq!(r.setregs.len(), 2);
        assert_eq!(r.registers(), bit(Reg::x(24)) | bit(Reg::x(25)));
        // Under the exact convention nothing is left unstored.
        let f = parse_function(FRAMED).expect("the text parses");
        assert_eq!(restored_at_return(&f, CallConvention::EXACT), Restores::default());
    }

    #[test]
    fn a_call_on_the_way_leaves_the_restores_restores() {
        // block1 calls a function: sp and the save slots come back as they were (the caller checks
        // sp; the callee does not write into its caller's frame), so the loads still put back the
        // values on entry, even after a callee that may change x24-x29. Whether the state still
        // holds them is the code generator's flag's to say.
        let text = FRAMED.replace(
            "    setreg x24, v13\n    jump block2\n",
            "    setreg x24, v13\n    v14 = const.i64 0x1024\n    setreg x30, v14\n    \
             call_guest 0x2000, ret 0x1024, block2\n",
        );
        let f = parse_function(&text).expect("the text parses");
        assert_eq!(restored_at_return(&f, CallConvention::AAPCS64).registers(), restored(FRAMED).registers());
        let changing = CallConvention { callees_keep_callee_saved: false, ..CallConvention::AAPCS64 };
        assert_eq!(restored_at_return(&f, changing).registers(), restored(FRAMED).registers());
    }

    #[test]
    fn a_return_with_sp_moved_or_elsewhere_than_the_link_register_restores_nothing() {
        // `__builtin_eh_return`: sp adjusted by a computed amount before the return.
        let eh_return = FRAMED.replace(
            "    setreg sp, v32\n",
            "    v33 = getreg.i64 x4\n    v34 = add.i64 v32, v33\n    setreg sp, v34\n",
        );
        assert!(restored(&eh_return).at_return.is_empty());
        // A return to an address loaded from elsewhere.
        let elsewhere = FRAMED.replace("    return v30\n", "    v35 = load.i64 v20\n    return v35\n");
        assert!(restored(&elsewhere).at_return.is_empty());
    }

    #[test]
    fn a_tail_call_after_the_epilogue_counts_as_a_return() {
        let tail = FRAMED.replace("    return v30\n", "    jump_guest 0x3000\n");
        assert_eq!(restored(&tail).registers(), restored(FRAMED).registers());
        // Not with a link register other than the one on entry.
        let other = FRAMED
            .replace("    return v30\n", "    v36 = const.i64 0x1234\n    setreg x30, v36\n    jump_guest 0x3000\n");
        assert!(restored(&other).at_return.is_empty());
        // Nor a jump to one of the function's own resume points, which goes on within it.
        let inside = FRAMED
            .replace("function framed @0x1000 {\n", "function framed @0x1000 {\n    resume 0x1020 block1\n")
            .replace("    return v30\n", "    jump_guest 0x1020\n");
        assert!(restored(&inside).at_return.is_empty());
    }

    #[test]
    fn a_save_slot_overwritten_on_some_path_restores_nothing() {
        let text = FRAMED.replace(
            "    setreg x24, v13\n",
            "    setreg x24, v13\n    v40 = getreg.i64 sp\n    v41 = const.i64 0x10\n    v42 = add.i64 v40, v41\n    \
             store v42, v13\n",
        );
        let r = restored(&text);
        assert_eq!(r.at_return.get(&2), Some(&bit(Reg::x(25))));
    }

    #[test]
    fn only_the_ways_from_the_entry_count() {
        // block1, entered only from outside (a resume point no block leads to), does not hide
        // the restores on the way from the entry: where the dispatcher enters, the code generator
        // stores them anyway.
        let text = FRAMED
            .replace("function framed @0x1000 {\n", "function framed @0x1000 {\n    resume 0x1020 block1\n")
            .replace("    branch v12, block1, block2\n", "    jump block2\n");
        assert_eq!(restored(&text), restored(FRAMED));
    }
}

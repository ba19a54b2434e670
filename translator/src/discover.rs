//! Code discovery: which guest functions exist, and lifting each of them.
//!
//! Function entries come from the ELF entry point, function symbols, `.eh_frame` FDEs,
//! init/fini arrays, IRELATIVE resolvers, code pointers found in data, and then, as functions
//! are lifted, every direct call and tail-call target. A function's extent is its FDE or symbol
//! range when known, else up to the next known entry; code pointers and exception landing pads
//! that fall inside a function become extra leaders (and resume points) of it, so that indirect
//! jumps to them (computed gotos, label tables) and the unwinder's return to a `catch` block enter
//! translated code.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use vmtrans_ir::a64::{lift_function, CodeSource, Unsupported};
use vmtrans_ir::inst::Terminator;
use vmtrans_ir::Function;

use crate::elf::GuestImage;

impl CodeSource for GuestImage {
    fn insn(&self, addr: u64) -> Option<u32> {
        GuestImage::insn(self, addr)
    }
    fn rodata(&self, addr: u64, bytes: usize) -> Option<u128> {
        if self.is_writable(addr) {
            return None;
        }
        self.data(addr, bytes)
    }
}

/// The translated program's functions and what discovery found.
pub struct Discovered {
    pub functions: Vec<Function>,
    /// Guest instructions lifted, counted once per function that contains them.
    pub insns: usize,
    pub unsupported: Vec<Unsupported>,
    /// Indirect jumps whose targets were not recovered (they go through the dispatcher).
    pub unresolved_jumps: Vec<u64>,
    /// Indirect jumps whose targets were not recovered, given the targets of their function's
    /// recovered tables as cases (`LiftedFunction::guessed_jumps`; not in Go programs).
    pub guessed_jumps: Vec<u64>,
}

/// Finds and lifts every function reachable from the image's roots.
pub fn discover(image: &GuestImage) -> Discovered {
    let mut known: BTreeSet<u64> = BTreeSet::new();
    let mut extents: BTreeMap<u64, u64> = BTreeMap::new();
    for (&start, &end) in &image.fdes {
        if image.insn(start).is_some() && end > start {
            extents.insert(start, end);
        }
    }
    for (&addr, &(_, size)) in &image.symbols {
        if size > 0 && image.insn(addr).is_some() {
            extents.entry(addr).or_insert(addr + size);
        }
    }
    let mut roots: Vec<u64> = vec![image.entry];
    roots.extend(extents.keys().copied());
    roots.extend(image.symbols.keys().copied());
    roots.extend(image.init_fini.iter().copied());
    roots.extend(image.ifunc_resolvers.iter().copied());
    // Code pointers and landing pads inside a known extent are leaders of that function; the
    // others are entries.
    let mut extra: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for &p in image.code_pointers.iter().chain(&image.landing_pads) {
        match extents.range(..=p).next_back() {
            Some((&s, &e)) if p < e => {
                if p != s {
                    extra.entry(s).or_default().push(p);
                }
            }
            _ => roots.push(p),
        }
    }
    let mut work: VecDeque<u64> = VecDeque::new();
    for r in roots {
        if image.insn(r).is_some() && known.insert(r) {
            work.push_back(r);
        }
    }
    let mut functions = vec![];
    let mut insns = 0;
    let mut unsupported = vec![];
    let mut unresolved_jumps = vec![];
    let mut guessed_jumps = vec![];
    let go_program = !image.go_functions.is_empty() || image.go_table_problem.is_some();
    while let Some(entry) = work.pop_front() {
        let end = match extents.get(&entry) {
            Some(&e) => e,
            None => known.range(entry + 1..).next().copied().unwrap_or(u64::MAX),
        };
        // Inside a known extent only other extents and symbols start functions: an address that is
        // known only because something jumped to it stays part of the function around it (and gets
        // a translation of its own as well).
        let is_local = |a: u64| {
            a >= entry
                && a < end
                && (a == entry
                    || if extents.contains_key(&entry) {
                        !extents.contains_key(&a) && !image.symbols.contains_key(&a)
                    } else {
                        !known.contains(&a)
                    })
        };
        let name = image
            .symbols
            .get(&entry)
            .map(|(n, _)| n.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("sub_{entry:x}"));
        let Ok(mut lifted) =
            lift_function(&name, entry, image, &is_local, extra.get(&entry).map(|v| &v[..]).unwrap_or(&[]))
        else {
            continue;
        };
        insns += lifted.insns;
        unsupported.extend(lifted.unsupported.iter().copied());
        unresolved_jumps.extend(lifted.unresolved_jumps.iter().copied());
        if go_program {
            // call_boundaries takes an unrecovered jump in Go for a possible jump to any function
            // (a closure's tail call); a guessed table would hide that from it.
            for &(block, pc) in &lifted.guessed_jumps {
                lifted.func.indirect_targets.retain(|(b, _)| *b != block);
                unresolved_jumps.push(pc);
            }
        } else {
            guessed_jumps.extend(lifted.guessed_jumps.iter().map(|&(_, pc)| pc));
        }
        let mut new_targets: Vec<u64> = lifted.call_targets.clone();
        for (_, bd) in lifted.func.blocks() {
            if let Terminator::JumpGuest { target } = bd.term {
                // A tail call, or a jump into another function's code (glibc's `_setjmp` jumps
                // into `__sigsetjmp`): the target gets a translation of its own.
                new_targets.push(target);
            }
        }
        for t in new_targets {
            if image.insn(t).is_some() && known.insert(t) {
                work.push_back(t);
            }
        }
        functions.push(lifted.func);
    }
    unsupported.sort_by_key(|u| u.pc);
    unsupported.dedup();
    unresolved_jumps.sort_unstable();
    unresolved_jumps.dedup();
    guessed_jumps.sort_unstable();
    guessed_jumps.dedup();
    Discovered { functions, insns, unsupported, unresolved_jumps, guessed_jumps }
}

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

use rustc_hash::FxHashSet;
use vmtrans_ir::a64::{lift_function, CodeSource, LiftedFunction, Unsupported};
use vmtrans_ir::inst::Terminator;
use vmtrans_ir::noreturn::functions_that_never_return;
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
    /// The entries of the functions that never return (`vmtrans_ir::noreturn`), of `functions`
    /// as they are.
    pub never_return: FxHashSet<u64>,
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
    let go_program = !image.go_functions.is_empty() || image.go_table_problem.is_some();
    let mut found = Found::default();
    let context = Context { image, extents: &extents, extra: &extra, go_program };
    found.lift_reachable(&context, image, &mut known, &mut work);
    // Second round: the constant propagation that finds table bases follows the code after every
    // call, that of a function that never returns too (GCC places loop code after `bl
    // __stack_chk_fail`, reached on a path that restored the caller's registers), which loses a
    // base only the real paths set. Now that the calls that never return are known, the functions
    // with unrecovered jumps are lifted again without those continuations, and a lift that recovers
    // more replaces the first (what its new blocks call is discovered in turn).
    let mut never_return = functions_that_never_return(&found.functions);
    let mut changed = false;
    if !never_return.is_empty() {
        let knowing = KnowingNoReturn { image, never: &never_return };
        for i in 0..found.functions.len() {
            let before = found.meta[i].unresolved_jumps.len() + found.meta[i].guessed_jumps.len();
            let calls_one = found.functions[i]
                .blocks
                .iter()
                .any(|bd| matches!(bd.term, Terminator::CallGuest { target, .. } if never_return.contains(&target)));
            if before == 0 || !calls_one {
                continue;
            }
            let Some(again) = context.lift(&knowing, found.meta[i].entry, &known) else { continue };
            if again.unresolved_jumps.len() + again.guessed_jumps.len() < before {
                found.replace(i, again, image, &mut known, &mut work);
                changed = true;
            }
        }
        changed |= !work.is_empty();
        found.lift_reachable(&context, &knowing, &mut known, &mut work);
    }
    // New blocks and functions may reach no return where the first round's did.
    if changed {
        never_return = functions_that_never_return(&found.functions);
    }
    found.into_discovered(never_return)
}

/// What `discover` needs to lift one function besides the known entries.
struct Context<'a> {
    image: &'a GuestImage,
    extents: &'a BTreeMap<u64, u64>,
    extra: &'a BTreeMap<u64, Vec<u64>>,
    go_program: bool,
}

impl Context<'_> {
    /// Lifts the function at `entry` from `src`, its extent bounded by `known` entries; None when
    /// it cannot be lifted. In a Go program guessed tables are dropped again (call_boundaries takes
    /// an unrecovered jump there for a possible jump to any function, a closure's tail call; a
    /// guessed table would hide that from it).
    fn lift(&self, src: &dyn CodeSource, entry: u64, known: &BTreeSet<u64>) -> Option<LiftedFunction> {
        let end = match self.extents.get(&entry) {
            Some(&e) => e,
            None => known.range(entry + 1..).next().copied().unwrap_or(u64::MAX),
        };
        // Inside a known extent only other extents and symbols start functions: an address that
        // is known only because something jumped to it stays part of the function around it (and
        // gets a translation of its own as well).
        let is_local = |a: u64| {
            a >= entry
                && a < end
                && (a == entry
                    || if self.extents.contains_key(&entry) {
                        !self.extents.contains_key(&a) && !self.image.symbols.contains_key(&a)
                    } else {
                        !known.contains(&a)
                    })
        };
        let name = self
            .image
            .symbols
            .get(&entry)
            .map(|(n, _)| n.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("sub_{entry:x}"));
        let extra = self.extra.get(&entry).map(|v| &v[..]).unwrap_or(&[]);
        let mut lifted = lift_function(&name, entry, src, &is_local, extra).ok()?;
        if self.go_program {
            for (block, pc) in std::mem::take(&mut lifted.guessed_jumps) {
                lifted.func.indirect_targets.retain(|(b, _)| *b != block);
                lifted.unresolved_jumps.push(pc);
            }
        }
        Some(lifted)
    }
}

/// What one lifted function adds to `Discovered` besides its IR.
struct Meta {
    entry: u64,
    insns: usize,
    unsupported: Vec<Unsupported>,
    unresolved_jumps: Vec<u64>,
    guessed_jumps: Vec<u64>,
}

/// The functions lifted so far, with their `Meta` (same order).
#[derive(Default)]
struct Found {
    functions: Vec<Function>,
    meta: Vec<Meta>,
}

impl Found {
    /// Lifts every function in `work` and what they call, adding new entries to `known`.
    fn lift_reachable(
        &mut self,
        context: &Context,
        src: &dyn CodeSource,
        known: &mut BTreeSet<u64>,
        work: &mut VecDeque<u64>,
    ) {
        while let Some(entry) = work.pop_front() {
            let Some(lifted) = context.lift(src, entry, known) else { continue };
            queue_targets(&lifted, context.image, known, work);
            let (func, meta) = split(lifted);
            self.functions.push(func);
            self.meta.push(meta);
        }
    }

    /// Puts `lifted` in place of function `i`, queueing what it calls.
    fn replace(
        &mut self,
        i: usize,
        lifted: LiftedFunction,
        image: &GuestImage,
        known: &mut BTreeSet<u64>,
        work: &mut VecDeque<u64>,
    ) {
        queue_targets(&lifted, image, known, work);
        let (func, meta) = split(lifted);
        self.functions[i] = func;
        self.meta[i] = meta;
    }

    fn into_discovered(self, never_return: FxHashSet<u64>) -> Discovered {
        let mut d = Discovered {
            never_return,
            functions: self.functions,
            insns: 0,
            unsupported: vec![],
            unresolved_jumps: vec![],
            guessed_jumps: vec![],
        };
        for meta in self.meta {
            d.insns += meta.insns;
            d.unsupported.extend(meta.unsupported);
            d.unresolved_jumps.extend(meta.unresolved_jumps);
            d.guessed_jumps.extend(meta.guessed_jumps);
        }
        d.unsupported.sort_by_key(|u| u.pc);
        d.unsupported.dedup();
        d.unresolved_jumps.sort_unstable();
        d.unresolved_jumps.dedup();
        d.guessed_jumps.sort_unstable();
        d.guessed_jumps.dedup();
        d
    }
}

/// Queues the functions `lifted` calls or jumps into that are not known yet.
fn queue_targets(lifted: &LiftedFunction, image: &GuestImage, known: &mut BTreeSet<u64>, work: &mut VecDeque<u64>) {
    let mut new_targets: Vec<u64> = lifted.call_targets.clone();
    for (_, bd) in lifted.func.blocks() {
        if let Terminator::JumpGuest { target } = bd.term {
            // A tail call, or a jump into another function's code (glibc's `_setjmp` jumps into
            // `__sigsetjmp`): the target gets a translation of its own.
            new_targets.push(target);
        }
    }
    for t in new_targets {
        if image.insn(t).is_some() && known.insert(t) {
            work.push_back(t);
        }
    }
}

fn split(lifted: LiftedFunction) -> (Function, Meta) {
    let meta = Meta {
        entry: lifted.func.entry_addr,
        insns: lifted.insns,
        unsupported: lifted.unsupported,
        unresolved_jumps: lifted.unresolved_jumps,
        guessed_jumps: lifted.guessed_jumps.into_iter().map(|(_, pc)| pc).collect(),
    };
    (lifted.func, meta)
}

/// The image, knowing which functions never return (for the second round of `discover`).
struct KnowingNoReturn<'a> {
    image: &'a GuestImage,
    never: &'a FxHashSet<u64>,
}

impl CodeSource for KnowingNoReturn<'_> {
    fn insn(&self, addr: u64) -> Option<u32> {
        self.image.insn(addr)
    }
    fn rodata(&self, addr: u64, bytes: usize) -> Option<u128> {
        CodeSource::rodata(self.image, addr, bytes)
    }
    fn never_returns(&self, addr: u64) -> bool {
        self.never.contains(&addr)
    }
}

//! The LLVM back end: lowers lifted functions into one LLVM module, adds the tables the runtime
//! reads (the guest image and the guest-address-to-code table), optimises, and writes an x86-64
//! object file.
//!
//! The contract with the runtime (runtime/src/dispatch.rs, runtime/src/trampolines.rs) is: every
//! translated function has the type and convention `Types::guest_fn` describes (the runtime's
//! `GuestFn`, which it calls through a trampoline), and so has `vmtrans_dispatch`; `vmtrans_func_table` lists `{ i64 guest_addr, ptr code }` pairs,
//! sorted by address, for every guest address at which translated code can be entered; and
//! `vmtrans_guest_image` holds the guest ELF file; both are handed to the runtime by the C `main`
//! this module also emits, which calls `vmtrans_start(argc, argv, envp, &vmtrans_program)`.

mod float;
mod lookup_cache;
mod lower;
mod ops;
mod types;

use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap, FxHashSet};

use anyhow::{anyhow, Context as _, Result};
use inkwell::context::Context;
use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::{LLVMAttributeFunctionIndex, LLVMCallConv, LLVMLinkage, LLVMThreadLocalMode, LLVMVisibility};
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine, TargetTriple};
use inkwell::OptimizationLevel;
use vmtrans_ir::prefix::early_exit_prefix;
use vmtrans_ir::sync::{sync_sets, CallConvention};
use vmtrans_ir::Function;

use lower::{FnLowering, RuntimeFns, Shape};
use types::{cname, Types};

/// The name of the guest-address-to-code table (read by the runtime and by inline caches).
const FUNC_TABLE: &str = "vmtrans_func_table";
/// The runtime's thread-local poll word (runtime/src/signal/mod.rs).
const POLL_WORD: &str = "vmtrans_signal_pending";

/// Options of code generation.
pub struct CodegenOptions {
    /// 0 to 3, as `-O`.
    pub opt_level: u8,
    /// The host CPU to tune for, as LLVM names it.
    pub target_cpu: String,
    /// Where to write the LLVM IR text, if asked (parts after the first go beside it).
    pub emit_llvm: Option<std::path::PathBuf>,
    /// How many threads compile in parallel.
    pub jobs: usize,
    /// Whether loop back-edges test for pending signals (see `FnLowering::edge_to`).
    pub signal_poll: bool,
    /// What calls and returns may assume (`vmtrans_ir::sync::CallConvention`): `convention`,
    /// except for the functions (by entry address) in `conventions`
    /// (`vmtrans_ir::call_boundaries`).
    pub convention: CallConvention,
    pub conventions: FxHashMap<u64, CallConvention>,
    /// Where the guest address space lies in the host's (`--guest-base`).
    pub guest_base: GuestBase,
}

/// Where translated code finds guest memory: the host address of guest address `A`. With `Zero`
/// the runtime reserves the guest space at its own addresses (`LOWEST_GUEST_MAPPING` to
/// `GUEST_SPACE`) and a guest access is one host access; with `Anywhere` every access adds
/// `vmtrans_guest_base`, which keeps a host register (or a spill slot) busy in every function.
/// (The variants' comments are `--help` text.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GuestBase {
    /// Guest address A is host address A (the fastest; needs host addresses 64 KiB to 1 TiB free).
    Zero,
    /// The guest space goes wherever the host has room, and every access adds its base.
    Anywhere,
}

impl CodegenOptions {
    /// The call convention the function entered at `entry` is translated under.
    pub fn convention_of(&self, entry: u64) -> CallConvention {
        self.conventions.get(&entry).copied().unwrap_or(self.convention)
    }
}

/// The LLVM function name of the translation of the guest function at `addr`.
pub fn function_symbol(addr: u64) -> String {
    format!("g_{addr:x}")
}

unsafe fn declare(module: LLVMModuleRef, name: &str, ty: LLVMTypeRef) -> LLVMValueRef {
    let n = cname(name);
    unsafe { LLVMAddFunction(module, n.as_ptr(), ty) }
}

/// Keeps LLVM from inlining `function` into its callers (a body into its prefix, which would undo
/// the split).
unsafe fn set_no_inline(ctx: LLVMContextRef, function: LLVMValueRef) {
    // SAFETY: `function` belongs to `ctx`.
    unsafe { add_enum_attribute(ctx, function, "noinline") };
}

/// Adds the function attribute `name`, which must be an enum attribute every LLVM 19 knows.
unsafe fn add_enum_attribute(ctx: LLVMContextRef, function: LLVMValueRef, name: &str) {
    // SAFETY: `function` belongs to `ctx`.
    unsafe {
        let kind = LLVMGetEnumAttributeKindForName(name.as_ptr().cast(), name.len());
        assert_ne!(kind, 0, "LLVM knows no attribute {name}");
        LLVMAddAttributeAtIndex(function, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, kind, 0));
    }
}

/// Sets the attributes every translated function carries: the dynamic denormal mode (MXCSR follows
/// the guest's FPCR.FZ), when `tune_cpu` is given the microarchitecture to tune for, and with
/// `GuestBase::Zero` that address 0 may be accessed: a guest null pointer is host address 0 there,
/// and its access must fault (SIGSEGV, which the guest may handle) rather than be undefined
/// behaviour that LLVM deletes.
unsafe fn set_guest_fn_attributes(ctx: LLVMContextRef, function: LLVMValueRef, opts: &CodegenOptions) {
    // SAFETY: as for the callee.
    unsafe {
        LLVMSetFunctionCallConv(function, types::GUEST_CALL_CONV);
        add_string_attribute(ctx, function, types::NO_CALLEE_SAVED, "");
        set_dynamic_denormal_mode(ctx, function);
        if let Some(cpu) = tuning_for(&opts.target_cpu) {
            add_string_attribute(ctx, function, "tune-cpu", cpu);
        }
        if opts.guest_base == GuestBase::Zero {
            add_enum_attribute(ctx, function, "null_pointer_is_valid");
        }
    }
}

/// The CPU to tune for when generating code for `target_cpu`: `generic` for the ISA levels
/// (`x86-64`, `x86-64-v2`, ...), as clang does for `-march=x86-64-v2`; none (the CPU's own tuning)
/// for a named CPU. LLVM would otherwise tune the levels for Sandy Bridge or Haswell, and so write
/// a 32-bit rotate as `shld r, r, imm`, which some CPUs run several times slower than `ror` (SHA-256
/// took 1.5x as long on AMD Zen 4).
fn tuning_for(target_cpu: &str) -> Option<&'static str> {
    target_cpu.starts_with("x86-64").then_some("generic")
}

/// Tells LLVM that `function` runs with a denormal mode it cannot know: MXCSR's flush-to-zero and
/// denormals-are-zero follow the guest's FPCR.FZ (runtime/src/fpenv.rs). With the default ("ieee")
/// LLVM rewrites float tests into integer tests of the bits that see a denormal where the host's
/// compare, under denormals-are-zero, sees a zero (`fcmp oeq x, 0.0` becomes a test of x's bits
/// other than the sign), so FMLA's infinity-times-zero rule missed a flushed denormal factor.
unsafe fn set_dynamic_denormal_mode(ctx: LLVMContextRef, function: LLVMValueRef) {
    for key in ["denormal-fp-math", "denormal-fp-math-f32"] {
        // SAFETY: as for the callee.
        unsafe { add_string_attribute(ctx, function, key, "dynamic,dynamic") };
    }
}

/// Adds the function attribute `key`=`value` to `function`.
unsafe fn add_string_attribute(ctx: LLVMContextRef, function: LLVMValueRef, key: &str, value: &str) {
    // SAFETY: the strings outlive the call, which copies them; `function` belongs to `ctx`.
    unsafe {
        let attribute = LLVMCreateStringAttribute(
            ctx,
            key.as_ptr().cast(),
            key.len() as u32,
            value.as_ptr().cast(),
            value.len() as u32,
        );
        LLVMAddAttributeAtIndex(function, LLVMAttributeFunctionIndex, attribute);
    }
}

/// How a function is compiled: the level of LLVM's optimisation pipeline and that of its code
/// generator (instruction selection, register allocation, scheduling), which are the same but for
/// very large functions (`level_of`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Level {
    optimiser: u8,
    code_generator: u8,
}

impl Level {
    fn both(level: u8) -> Level {
        Level { optimiser: level, code_generator: level }
    }
}

/// Functions compiled together into one object file.
struct Part {
    /// How they are compiled (`level_of`).
    level: Level,
    /// Their indices.
    functions: Vec<usize>,
    /// Their instruction count (plus one each), for balancing.
    size: usize,
}

/// The size (in IR instructions) above which a function's code is generated as at -O0, after
/// the optimiser has run at the level asked for, because LLVM's register allocator takes time
/// super-linear in a function's size. Such code keeps values in stack slots between blocks, which
/// made hot interpreter loops several times slower: SQLite's `sqlite3VdbeExec` (23 000 IR
/// instructions) ran a query workload 3.9x slower than with its full code generation, and
/// CPython's `_PyEval_EvalFrameDefault` (31 500) is its program's hottest function. What full
/// code generation costs at these sizes: glibc's `__vfscanf_internal` (26 400, in every program
/// that scans input) about 5 s of one core, `sqlite3VdbeExec` about 3 s; busybox translated in
/// 35.8 s instead of 31.4 s with it set to 16 384 (its one function above that, at 0x40c640).
pub const HUGE_FUNCTION: usize = 65_536;

/// How a function is compiled: at `opts.opt_level`, except that
/// - a function without loops is compiled at most at 1. Code without a loop runs each instruction
///   at most once per call, so only a function called very often profits from the higher level,
///   and there the bench kernels showed none (fib 0.96, fptr 1.03, sort 0.93 of the -O2 time for
///   the whole program at -O1, against 1.08 to 1.18 slower for alloc, interp, nbody and stream,
///   whose hot code loops); at -O1 LLVM takes about half the time;
/// - a function larger than `HUGE_FUNCTION` has its code generated as at -O0.
fn level_of(func: &Function, opts: &CodegenOptions) -> Level {
    let optimiser = if opts.opt_level > 1 && vmtrans_ir::loops::loops(func).is_empty() { 1 } else { opts.opt_level };
    let code_generator = if is_huge(func) { 0 } else { optimiser };
    Level { optimiser, code_generator }
}

/// Whether `func` is larger than `HUGE_FUNCTION`, so that its code is generated as at -O0 whatever
/// the level (`level_of`; `--stats` lists such functions).
pub fn is_huge(func: &Function) -> bool {
    func.inst_count() > HUGE_FUNCTION
}

/// Compiles `functions` and the guest `image` into object files in `dir`, one per part, compiled
/// on `opts.jobs` threads; returns their paths. Functions are grouped by the level they are
/// compiled at (`level_of`), and each group is split into `opts.jobs` parts balanced by instruction
/// count, largest functions first; the threads take the parts largest first. The first part also
/// holds the tables and `main`.
pub fn compile(functions: &[Function], image: &[u8], opts: &CodegenOptions, dir: &Path) -> Result<Vec<PathBuf>> {
    Target::initialize_x86(&InitializationConfig::default());
    configure_llvm();
    let jobs = opts.jobs.max(1).min(functions.len().max(1));
    let levels: Vec<Level> = functions.iter().map(|f| level_of(f, opts)).collect();
    let mut order: Vec<usize> = (0..functions.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(functions[i].inst_count()));
    let mut distinct_levels = levels.clone();
    distinct_levels.sort_unstable_by(|a, b| b.cmp(a));
    distinct_levels.dedup();
    let mut parts: Vec<Part> = vec![];
    for level in distinct_levels {
        let first = parts.len();
        parts.extend((0..jobs).map(|_| Part { level, functions: vec![], size: 0 }));
        for &i in order.iter().filter(|&&i| levels[i] == level) {
            let k = (first..parts.len()).min_by_key(|&k| parts[k].size).unwrap_or(first);
            parts[k].size += functions[i].inst_count() + 1;
            parts[k].functions.push(i);
        }
    }
    parts.retain(|p| !p.functions.is_empty());
    if parts.is_empty() {
        // The tables and `main` still need a part.
        parts.push(Part { level: Level::both(opts.opt_level), functions: vec![], size: 0 });
    }
    let mut queue: Vec<usize> = (0..parts.len()).collect();
    queue.sort_by_key(|&k| std::cmp::Reverse(parts[k].size));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Vec<(usize, Result<PathBuf>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs.min(parts.len()))
            .map(|_| {
                let (parts, queue, next) = (&parts, &queue, &next);
                scope.spawn(move || {
                    let mut done = vec![];
                    loop {
                        let q = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&k) = queue.get(q) else { break };
                        let part = &parts[k];
                        let out = dir.join(format!("guest{k}.o"));
                        let compiled = compile_part(functions, &part.functions, k == 0, image, opts, part.level, &out);
                        done.push((k, compiled.map(|()| out)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| vec![(0, Err(anyhow!("internal error: a code generation thread panicked")))])
            })
            .collect()
    });
    let mut results: Vec<(usize, Result<PathBuf>)> = results.into_iter().flatten().collect();
    results.sort_by_key(|r| r.0);
    results.into_iter().map(|r| r.1).collect()
}

/// LLVM's own options that vmtrans sets, as LLVM's command line would (LLVM keeps them in
/// process-wide globals; the pass-builder options of the C interface have no say over these):
/// - `-vectorize-slp=false`: the SLP vectoriser looks for runs of similar scalar operations to
///   combine into vector ones, and the write-back of guest registers into adjacent state fields at
///   every call is such a run. It took about a sixth of the optimiser's time, while the bench
///   kernels ran no faster with it (see the note at `pass_options`). Turning it off in
///   `PassBuilderOptions`, as vmtrans did first, leaves it in LLVM's default pipeline.
const LLVM_OPTIONS: &[&str] = &["-vectorize-slp=false"];

/// Hands LLVM `LLVM_OPTIONS` and, after them, the options in the environment variable
/// `VMTRANS_LLVM_ARGS` (split at white space), a developer's tool: `-time-passes` prints where
/// the optimiser's time goes, per pass, and `-vectorize-slp=true` overrides the default above
/// (an option given twice is refused, so the default then stays out). LLVM's C interface drops
/// its complaints: a misspelt option does nothing, silently. Done once per process.
fn configure_llvm() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let from_environment = std::env::var("VMTRANS_LLVM_ARGS").unwrap_or_default();
        let name = |option: &str| option.split('=').next().unwrap_or_default().trim_start_matches('-').to_string();
        let overridden: Vec<String> = from_environment.split_whitespace().map(name).collect();
        let arguments: Vec<std::ffi::CString> = std::iter::once("vmtrans")
            .chain(LLVM_OPTIONS.iter().copied().filter(|option| !overridden.contains(&name(option))))
            .chain(from_environment.split_whitespace())
            .filter_map(|word| std::ffi::CString::new(word).ok())
            .collect();
        let pointers: Vec<*const std::ffi::c_char> = arguments.iter().map(|a| a.as_ptr()).collect();
        let overview = cname("vmtrans (LLVM options, VMTRANS_LLVM_ARGS)");
        // SAFETY: the strings outlive the call; LLVM copies what it keeps.
        unsafe {
            inkwell::llvm_sys::support::LLVMParseCommandLineOptions(
                pointers.len() as i32,
                pointers.as_ptr(),
                overview.as_ptr(),
            )
        };
    });
}

/// The x86-64 features every translated program's code may use beyond its `--target-cpu`:
/// CMPXCHG16B (128-bit atomics), SSE4.2 and POPCNT (the x86-64-v2 level), AES-NI (the AES
/// instructions' steps) and PCLMULQDQ (PMULL of 64-bit elements). Every x86-64 CPU made since
/// 2011 has them; the runtime checks at start-up that the host does, and says which it lacks
/// (`runtime/src/start.rs`, `REQUIRED_HOST_FEATURES` there lists the same ones).
const REQUIRED_HOST_FEATURES: &str = "+cx16,+sse4.2,+popcnt,+aes,+pclmul";

/// Compiles the functions `part` of `functions` at `level` into the object file `out`; the
/// tables and `main` too when `with_tables`.
fn compile_part(
    functions: &[Function],
    part: &[usize],
    with_tables: bool,
    image: &[u8],
    opts: &CodegenOptions,
    level: Level,
    out: &Path,
) -> Result<()> {
    let opt_level = level.optimiser;
    // Atomic state accesses keep the optimiser from merging them (`keep_access_size`); the fast
    // instruction selector of -O0 code generation takes no atomic access.
    let lowering_level = level.optimiser.min(level.code_generator);
    let context = Context::create();
    let module = context.create_module("vmtrans_guest");
    let triple = TargetTriple::create("x86_64-unknown-linux-gnu");
    let target = Target::from_triple(&triple).map_err(|e| anyhow!("LLVM has no x86-64 target: {e}"))?;
    let code_generator_level = match level.code_generator {
        0 => OptimizationLevel::None,
        1 => OptimizationLevel::Less,
        2 => OptimizationLevel::Default,
        _ => OptimizationLevel::Aggressive,
    };
    let features = REQUIRED_HOST_FEATURES;
    let tm = target
        .create_target_machine(
            &triple,
            &opts.target_cpu,
            features,
            code_generator_level,
            RelocMode::PIC,
            CodeModel::Default,
        )
        .ok_or_else(|| anyhow!("LLVM cannot make a target machine for CPU '{}'", opts.target_cpu))?;
    module.set_triple(&triple);
    module.set_data_layout(&tm.get_target_data().get_data_layout());

    unsafe {
        let ctx = context.raw();
        let m = module.as_mut_ptr();
        let t = Types::new(ctx);
        let rt = declare_runtime(m, &t);
        // Every function is declared in every part (hidden: calls between parts stay direct);
        // each part defines its own.
        let mut fns: FxHashMap<u64, LLVMValueRef> = FxHashMap::default();
        for f in functions {
            let v = declare(m, &function_symbol(f.entry_addr), t.guest_fn);
            LLVMSetVisibility(v, LLVMVisibility::LLVMHiddenVisibility);
            set_guest_fn_attributes(ctx, v, opts);
            fns.insert(f.entry_addr, v);
        }
        for &i in part {
            let f = &functions[i];
            let sync = sync_sets(f, opts.convention_of(f.entry_addr));
            let lower = |llfn, shape| FnLowering::lower(t, m, rt, &fns, f, &sync, llfn, shape, opts, lowering_level);
            // A function with an early return compiles it alone (ir/src/prefix.rs); the rest of
            // its paths go on in a second, private function holding the whole body.
            match early_exit_prefix(f, &sync) {
                Some(prefix) => {
                    let body = declare(m, &format!("{}.body", function_symbol(f.entry_addr)), t.guest_fn);
                    LLVMSetLinkage(body, LLVMLinkage::LLVMInternalLinkage);
                    set_guest_fn_attributes(ctx, body, opts);
                    set_no_inline(ctx, body);
                    lower(body, Shape::Whole { extra_entries: &prefix.exits });
                    lower(fns[&f.entry_addr], Shape::Prefix { prefix: &prefix, body });
                }
                None => lower(fns[&f.entry_addr], Shape::Whole { extra_entries: &[] }),
            }
        }
        if with_tables {
            emit_tables(m, &t, functions, &fns, image, opts.guest_base);
        }
    }
    module.verify().map_err(|e| anyhow!("internal error: LLVM rejected the generated module: {}", e.to_string()))?;
    if opt_level > 0 {
        let pipeline = format!("default<O{}>", opt_level.min(3));
        module
            .run_passes(&pipeline, &tm, pass_options())
            .map_err(|e| anyhow!("LLVM optimisation failed: {}", e.to_string()))?;
    }
    drop_unused_poll_word(&module);
    if let Some(p) = &opts.emit_llvm {
        let path = if with_tables {
            p.clone()
        } else {
            p.with_extension(format!("{}.ll", out.file_stem().and_then(|s| s.to_str()).unwrap_or("part")))
        };
        module.print_to_file(&path).map_err(|e| anyhow!("cannot write {}: {}", path.display(), e.to_string()))?;
    }
    tm.write_to_file(&module, FileType::Object, out)
        .map_err(|e| anyhow!("LLVM could not write the object file: {}", e.to_string()))
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

/// Deletes the declaration of the thread-local poll word when nothing in `module` uses it. An
/// unused declaration would still reach the object file as an undefined hidden symbol, but without
/// the TLS type that only a use gives it, and the linker rejects the runtime's TLS definition
/// against such a reference ("TLS reference mismatches non-TLS reference"). A part without loops
/// has no use; at -O1 and above LLVM's passes drop the declaration themselves (so it is looked up
/// by name, after them), at -O0 nothing does. Nor does anything at -O0 delete the blocks no path
/// reaches, which the code generator drops: a poll there counts as no use, so its load is made to
/// read a null pointer instead (with many parts, -O0 translations failed to link for want of this).
/// At -O0 polls read the word through its address, taken once at the entry (`llvm.threadlocal.address`,
/// see `FnLowering::poll_word_address`): such an address only unreachable polls read goes too.
fn drop_unused_poll_word(module: &inkwell::module::Module) {
    let name = cname(POLL_WORD);
    // SAFETY: the module is valid; the uses are rewritten only in blocks that never run, and a
    // global with no uses can be deleted.
    unsafe {
        let word = LLVMGetNamedGlobal(module.as_mut_ptr(), name.as_ptr());
        if word.is_null() {
            return;
        }
        let mut reachable: FxHashMap<LLVMValueRef, FxHashSet<LLVMBasicBlockRef>> = FxHashMap::default();
        let mut is_reachable = |user: LLVMValueRef| {
            let block = LLVMGetInstructionParent(user);
            let function = LLVMGetBasicBlockParent(block);
            reachable.entry(function).or_insert_with(|| reachable_blocks(function)).contains(&block)
        };
        let mut addresses = vec![];
        let mut unreachable_users = vec![];
        for user in users_of(word) {
            if LLVMIsAInstruction(user).is_null() {
                // A constant expression: leave the declaration alone.
                return;
            }
            if !is_reachable(user) {
                unreachable_users.push((user, word));
            } else if !LLVMIsACallInst(user).is_null() {
                addresses.push(user);
                unreachable_users.extend(users_of(user).into_iter().filter(|&u| !is_reachable(u)).map(|u| (u, user)));
            }
        }
        for (user, used) in unreachable_users {
            for i in 0..LLVMGetNumOperands(user) {
                if LLVMGetOperand(user, i as u32) == used {
                    LLVMSetOperand(user, i as u32, LLVMConstPointerNull(LLVMTypeOf(used)));
                }
            }
        }
        for address in addresses {
            if LLVMGetFirstUse(address).is_null() {
                LLVMInstructionEraseFromParent(address);
            }
        }
        if LLVMGetFirstUse(word).is_null() {
            LLVMDeleteGlobal(word);
        }
    }
}

/// The users of `value`, each once per use.
unsafe fn users_of(value: LLVMValueRef) -> Vec<LLVMValueRef> {
    let mut users = vec![];
    // SAFETY: `value` is a valid value; its use list is only read.
    unsafe {
        let mut usage = LLVMGetFirstUse(value);
        while !usage.is_null() {
            users.push(LLVMGetUser(usage));
            usage = LLVMGetNextUse(usage);
        }
    }
    users
}

/// The blocks of `function` that some path from its entry reaches.
unsafe fn reachable_blocks(function: LLVMValueRef) -> FxHashSet<LLVMBasicBlockRef> {
    let mut seen = FxHashSet::default();
    // SAFETY: `function` is a defined function of a valid module (it holds an instruction).
    unsafe {
        let mut work = vec![LLVMGetEntryBasicBlock(function)];
        while let Some(block) = work.pop() {
            if !seen.insert(block) {
                continue;
            }
            let terminator = LLVMGetBasicBlockTerminator(block);
            if terminator.is_null() {
                continue;
            }
            for i in 0..LLVMGetNumSuccessors(terminator) {
                work.push(LLVMGetSuccessor(terminator, i));
            }
        }
    }
    seen
}

/// The options of the optimisation pipeline: LLVM's defaults without the SLP vectoriser. It
/// looks for runs of similar scalar operations to combine into vector ones, and the write-back of
/// guest registers into adjacent state fields at every call is such a run: on busybox it took 18%
/// of the optimiser's time (27 of 150 s), while no bench kernel ran measurably faster with it (eight
/// kernels, `bench/ab.sh`, ratios 0.92 to 1.02; those were measured with `opt`, where the pass was
/// off). Guest vector code is already vector code here. The flag set here does not take the pass
/// out of LLVM 19's default pipeline, though: `LLVM_OPTIONS` does.
fn pass_options() -> PassBuilderOptions {
    let options = PassBuilderOptions::create();
    options.set_loop_slp_vectorization(false);
    options
}

unsafe fn declare_runtime(m: LLVMModuleRef, t: &Types) -> RuntimeFns {
    unsafe {
        let fty = |ret: LLVMTypeRef, params: &[LLVMTypeRef]| {
            let mut p = params.to_vec();
            LLVMFunctionType(ret, p.as_mut_ptr(), p.len() as u32, 0)
        };
        let call_ty = fty(t.void, &[t.ptr, t.i64, t.i64]);
        let syscall_ty = fty(t.void, &[t.ptr]);
        let trap_ty = fty(t.void, &[t.ptr, t.i32, t.i32]);
        let crc32_ty = fty(t.i32, &[t.i32, t.i64, t.i64, t.i32]);
        let cntvct_ty = fty(t.i64, &[]);
        let i64_helper_ty = fty(t.i64, &[t.i64]);
        let lookup_ty = fty(t.ptr, &[t.i64]);
        let poll_ty = fty(t.i32, &[t.ptr]);
        let gb = cname("vmtrans_guest_base");
        let guest_base = LLVMAddGlobal(m, t.i64, gb.as_ptr());
        // A declaration: part 0's `emit_tables` replaces it with the definition.
        let table_name = cname(FUNC_TABLE);
        let func_table = LLVMAddGlobal(m, t.i8, table_name.as_ptr());
        LLVMSetVisibility(func_table, LLVMVisibility::LLVMHiddenVisibility);
        // The thread's poll word, a thread-local of the runtime (runtime/src/signal/mod.rs): local-exec,
        // so that a loop's poll is one compare against %fs with no register.
        let poll_name = cname(POLL_WORD);
        let poll_word = LLVMAddGlobal(m, t.i32, poll_name.as_ptr());
        LLVMSetThreadLocalMode(poll_word, LLVMThreadLocalMode::LLVMLocalExecTLSModel);
        LLVMSetVisibility(poll_word, LLVMVisibility::LLVMHiddenVisibility);
        LLVMSetAlignment(poll_word, 4);
        let cache_name = cname("vmtrans_lookup_cache");
        let lookup_cache = LLVMAddGlobal(m, t.i64, cache_name.as_ptr());
        RuntimeFns {
            // The runtime's trampoline, which has the type and convention of translated code
            // (runtime/src/trampolines.rs).
            dispatch: {
                let dispatch = declare(m, "vmtrans_dispatch", t.guest_fn);
                LLVMSetFunctionCallConv(dispatch, types::GUEST_CALL_CONV);
                add_string_attribute(t.ctx, dispatch, types::NO_CALLEE_SAVED, "");
                dispatch
            },
            call: declare(m, "vmtrans_call", call_ty),
            call_ty,
            syscall: declare(m, "vmtrans_syscall", syscall_ty),
            syscall_ty,
            // The runtime's trampoline for `vmtrans_poll` that keeps the general registers
            // (runtime/src/abi.rs), so that a loop's values stay where they are across it.
            poll: {
                let poll = declare(m, "vmtrans_poll_preserving", poll_ty);
                LLVMSetFunctionCallConv(poll, LLVMCallConv::LLVMPreserveMostCallConv as u32);
                LLVMSetVisibility(poll, LLVMVisibility::LLVMHiddenVisibility);
                poll
            },
            poll_plain: declare(m, "vmtrans_poll", poll_ty),
            poll_ty,
            trap: declare(m, "vmtrans_trap", trap_ty),
            trap_ty,
            crc32: declare(m, "vmtrans_helper_crc32", crc32_ty),
            crc32_ty,
            cntvct: declare(m, "vmtrans_helper_cntvct", cntvct_ty),
            cntvct_ty,
            fpcr_write: declare(m, "vmtrans_helper_fpcr_write", i64_helper_ty),
            fpsr_read: declare(m, "vmtrans_helper_fpsr_read", i64_helper_ty),
            fpsr_write: declare(m, "vmtrans_helper_fpsr_write", i64_helper_ty),
            invalidate_code: declare(m, "vmtrans_helper_invalidate_code", i64_helper_ty),
            i64_helper_ty,
            guest_base,
            poll_word,
            func_table,
            lookup_cache,
            lookup: declare(m, "vmtrans_lookup", lookup_ty),
            lookup_ty,
        }
    }
}

/// Adds `vmtrans_func_table`, `vmtrans_func_table_len`, `vmtrans_guest_image` and
/// `vmtrans_guest_image_len`.
unsafe fn emit_tables(
    m: LLVMModuleRef,
    t: &Types,
    functions: &[Function],
    fns: &FxHashMap<u64, LLVMValueRef>,
    image: &[u8],
    guest_base: GuestBase,
) {
    unsafe {
        let mut entries: Vec<(u64, LLVMValueRef)> = vec![];
        for f in functions {
            let code = fns[&f.entry_addr];
            entries.push((f.entry_addr, code));
            for &(a, _) in &f.resume_points {
                entries.push((a, code));
            }
        }
        entries.sort_by_key(|e| e.0);
        // An address can be a leader of two functions (code shared by both); keep the first,
        // preferring a function whose entry it is.
        entries.dedup_by_key(|e| e.0);
        for e in entries.iter_mut() {
            if let Some(&f) = fns.get(&e.0) {
                e.1 = f;
            }
        }
        let mut elem_tys = [t.i64, t.ptr];
        let entry_ty = LLVMStructTypeInContext(t.ctx, elem_tys.as_mut_ptr(), 2, 0);
        let mut vals: Vec<LLVMValueRef> = entries
            .iter()
            .map(|&(a, f)| {
                let mut fields = [t.const_int(t.i64, a as u128), f];
                LLVMConstNamedStruct(entry_ty, fields.as_mut_ptr(), 2)
            })
            .collect();
        let arr = LLVMConstArray2(entry_ty, vals.as_mut_ptr(), vals.len() as u64);
        let table = add_const_global(m, "vmtrans_func_table.definition", LLVMTypeOf(arr), arr);
        LLVMSetVisibility(table, LLVMVisibility::LLVMHiddenVisibility);
        let declared = LLVMGetNamedGlobal(m, cname(FUNC_TABLE).as_ptr());
        if !declared.is_null() {
            LLVMReplaceAllUsesWith(declared, table);
            LLVMDeleteGlobal(declared);
        }
        LLVMSetValueName2(table, FUNC_TABLE.as_ptr() as *const _, FUNC_TABLE.len());
        let img = LLVMConstStringInContext2(t.ctx, image.as_ptr() as *const _, image.len(), 1);
        let image_global = add_const_global(m, "vmtrans_guest_image", LLVMTypeOf(img), img);
        LLVMSetAlignment(image_global, 4096);
        // struct GuestProgram { ptr func_table; i64 len; ptr image; i64 len; i64 guest_base_zero }
        // (runtime/src/dispatch.rs)
        let mut fields = [
            table,
            t.const_int(t.i64, entries.len() as u128),
            image_global,
            t.const_int(t.i64, image.len() as u128),
            t.const_int(t.i64, u128::from(guest_base == GuestBase::Zero)),
        ];
        let program = LLVMConstStructInContext(t.ctx, fields.as_mut_ptr(), fields.len() as u32, 0);
        let program = add_const_global(m, "vmtrans_program", LLVMTypeOf(program), program);
        // int main(int argc, char **argv, char **envp) { return vmtrans_start(argc, argv, envp, &vmtrans_program); }
        let mut start_params = [t.i32, t.ptr, t.ptr, t.ptr];
        let start_ty = LLVMFunctionType(t.i32, start_params.as_mut_ptr(), 4, 0);
        let start = declare(m, "vmtrans_start", start_ty);
        let mut main_params = [t.i32, t.ptr, t.ptr];
        let main_ty = LLVMFunctionType(t.i32, main_params.as_mut_ptr(), 3, 0);
        let main = declare(m, "main", main_ty);
        let b = LLVMCreateBuilderInContext(t.ctx);
        let bb = LLVMAppendBasicBlockInContext(t.ctx, main, types::NONAME);
        LLVMPositionBuilderAtEnd(b, bb);
        let mut args = [LLVMGetParam(main, 0), LLVMGetParam(main, 1), LLVMGetParam(main, 2), program];
        let r = LLVMBuildCall2(b, start_ty, start, args.as_mut_ptr(), 4, types::NONAME);
        LLVMBuildRet(b, r);
        LLVMDisposeBuilder(b);
    }
}

unsafe fn add_const_global(m: LLVMModuleRef, name: &str, ty: LLVMTypeRef, init: LLVMValueRef) -> LLVMValueRef {
    unsafe {
        let n = cname(name);
        let g = LLVMAddGlobal(m, ty, n.as_ptr());
        LLVMSetInitializer(g, init);
        LLVMSetGlobalConstant(g, 1);
        g
    }
}

/// The host CPU name LLVM would pick for this machine (for `--target-cpu native`).
pub fn host_cpu() -> String {
    TargetMachine::get_host_cpu_name().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use object::{Object, ObjectSymbol, SymbolKind};

    /// The options of a translation at `opt_level`, otherwise vmtrans's defaults, on one thread.
    fn test_options(opt_level: u8) -> CodegenOptions {
        CodegenOptions {
            opt_level,
            target_cpu: "x86-64-v2".to_string(),
            emit_llvm: None,
            jobs: 1,
            signal_poll: true,
            convention: CallConvention::AAPCS64,
            conventions: FxHashMap::default(),
            guest_base: GuestBase::Zero,
        }
    }

    /// The LLVM IR `compile` makes of `function` at -O2.
    fn optimised_llvm_ir(function: vmtrans_ir::Function) -> String {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let emitted = dir.path().join("out.ll");
        let opts = CodegenOptions { emit_llvm: Some(emitted.clone()), signal_poll: false, ..test_options(2) };
        compile(&[function], &[0u8; 0x20], &opts, dir.path()).expect("the function compiles");
        std::fs::read_to_string(&emitted).expect("the LLVM IR was written")
    }

    /// A loop that carries floats in vector registers carries them in LLVM as floats and vectors,
    /// which live in host vector registers, and not as the IR's `i128` or halves of it (general-
    /// purpose registers, and a move to a vector register and back for every float operation):
    /// q0 as a `double`, as the function uses it only as one, and q1, which it also uses whole,
    /// as a vector. The value loaded into q2 from memory in the outer loop, which the inner one
    /// reads, is loaded as a `double`.
    #[test]
    fn loops_carry_vector_registers_in_host_vector_registers() {
        let function = vmtrans_ir::reader::parse_function(
            "function f @0x400000 {
block0 @0x400000:
    jump block1
block1 @0x400004:
    v0 = getreg.i64 x2
    v1 = load.i64 v0
    v2 = uext.i128 v1
    setreg q2, v2
    jump block2
block2 @0x400008:
    v3 = getreg.i128 q0
    v4 = trunc.i64 v3
    v5 = bitcast.f64 v4
    v6 = getreg.i128 q2
    v7 = trunc.i64 v6
    v8 = bitcast.f64 v7
    v9 = fmul.f64 v5, v8
    v10 = bitcast.i64 v9
    v11 = uext.i128 v10
    setreg q0, v11
    v12 = getreg.i128 q1
    v13 = trunc.i64 v12
    v14 = bitcast.f64 v13
    v15 = fadd.f64 v14, v9
    v16 = bitcast.i64 v15
    v17 = uext.i128 v16
    setreg q1, v17
    v18 = getreg.i64 x1
    v19 = const.i64 0x1
    v20 = sub.i64 v18, v19
    setreg x1, v20
    v21 = const.i64 0x0
    v22 = icmp.ne.i64 v20, v21
    branch v22, block2, block3
block3 @0x400020:
    v30 = getreg.i64 x2
    v31 = const.i64 0x8
    v32 = add.i64 v30, v31
    setreg x2, v32
    v33 = getreg.i64 x3
    v34 = sub.i64 v33, v19
    setreg x3, v34
    v35 = icmp.ne.i64 v34, v21
    branch v35, block1, block4
block4 @0x400030:
    v23 = getreg.i128 q1
    v24 = bitcast.f64x2 v23
    v25 = fadd.f64x2 v24, v24
    v26 = bitcast.i128 v25
    setreg q1, v26
    v27 = getreg.i64 x30
    return v27
}",
        )
        .expect("the test function parses");
        let ir = optimised_llvm_ir(function);
        let body = &ir[ir.find("define").expect("a function")..];
        assert!(!body.contains("phi i128"), "{body}");
        // No integer phi holds a float: none is cast to a double.
        for line in body.lines().filter(|line| line.contains(" = phi i64 ")) {
            let name = line.trim().split(' ').next().expect("a phi's name");
            assert!(!body.contains(&format!("bitcast i64 {name} to double")), "{name} carries a double:\n{body}");
        }
        assert!(body.contains("phi <2 x double>") || body.contains("phi <2 x i64>"), "{body}");
        assert!(body.contains("load double"), "{body}");
    }

    /// A loop that no path from the entry reaches still polls on its back-edge, and at -O0 the code
    /// generator drops it: the object file must then not name the poll word as a plain symbol,
    /// which the linker refuses against the runtime's thread-local definition.
    #[test]
    fn a_poll_in_unreachable_code_leaves_no_plain_reference_to_the_poll_word() {
        let function = vmtrans_ir::reader::parse_function(
            "function f @0x400000 {
block0 @0x400000:
    v0 = getreg.i64 x30
    return v0
block1 @0x400004:
    v1 = getreg.i64 x1
    v2 = const.i64 0x1
    v3 = sub.i64 v1, v2
    setreg x1, v3
    v4 = icmp.eq.i64 v3, v2
    branch v4, block2, block1
block2 @0x400010:
    v5 = getreg.i64 x30
    return v5
}",
        )
        .expect("the test function parses");
        let opts = test_options(0);
        let dir = tempfile::tempdir().expect("a temporary directory");
        let objects = compile(&[function], &[0u8; 0x20], &opts, dir.path()).expect("the function compiles");
        for path in objects {
            let bytes = std::fs::read(&path).expect("the object file is readable");
            let file = object::File::parse(&*bytes).expect("the object file parses");
            for symbol in file.symbols().filter(|s| s.name() == Ok(POLL_WORD)) {
                assert_eq!(symbol.kind(), SymbolKind::Tls, "{}: {symbol:?}", path.display());
            }
        }
    }
}

//! The `vmtrans` command: translates a static AArch64 Linux executable into a native x86-64
//! Linux executable. It loads and validates the guest ELF, discovers and lifts its code into the
//! IR, compiles the IR with LLVM, and links the result with the vmtrans runtime.

mod discover;
mod elf;
mod gopclntab;
mod link;
mod llvm;
mod lsda;
mod static_pie;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use vmtrans_ir::a64::state::LOWEST_GUEST_MAPPING;
use vmtrans_ir::sync::CallConvention;
use vmtrans_ir::verifier::verify;

/// mimalloc, built with its `override` feature, also stands in for the C `malloc` that LLVM's
/// C++ code calls: glibc's allocator spent an eighth of a translation in `_int_malloc` and its
/// free-list consolidation.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Translates a statically linked AArch64 Linux executable into a native x86-64 Linux executable
/// that behaves as the guest does (arguments, environment, files, output, exit status).
///
/// Exit status: 0 on success, 2 when the input or the options are unusable (with a one-line
/// message), 1 when a tool vmtrans relies on (LLVM, the linker) fails.
#[derive(Parser, Debug)]
#[command(
    name = "vmtrans",
    version,
    about,
    after_long_help = "At run time the translated program reads VMTRANS_STATS=1 (report at exit how many guest \
instructions ran in the fallback engine), VMTRANS_STRACE=1 (log each guest system call) and \
VMTRANS_TRACE_FALLBACK=1 (report each guest block the fallback engine runs).\n\nExample:\n  \
aarch64-linux-gnu-gcc -static -O2 -o hello hello.c\n  vmtrans hello -o hello.native\n  ./hello.native"
)]
struct Cli {
    /// The guest program: a statically linked AArch64 Linux ELF executable.
    input: PathBuf,

    /// Where to write the native executable.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,

    /// Optimisation level of the generated code, 0 (fastest translation) to 3. At 2 and 3, functions
    /// without loops are compiled at 1: they run each instruction at most once per call, and LLVM
    /// takes half the time on them.
    #[arg(short = 'O', value_name = "LEVEL", default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=3))]
    opt_level: u8,

    /// Host CPU to generate code for, as LLVM names it ("x86-64-v2", "x86-64-v3", "native",
    /// "znver3", ...). The default runs on any x86-64 CPU from the last decade. The x86-64 levels
    /// choose instructions only and tune for no CPU in particular (as clang does); a named CPU, or
    /// "native", also tunes for that CPU. Whatever the CPU, translated code also uses CMPXCHG16B,
    /// SSE4.2, POPCNT, AES-NI and PCLMULQDQ (every x86-64 CPU since 2011 has them); a program run
    /// on a CPU without one says so and exits with status 127.
    #[arg(long, value_name = "CPU", default_value = "x86-64-v2")]
    target_cpu: String,

    /// Also write the lifted IR (the text form of every function) to FILE.
    #[arg(long, value_name = "FILE")]
    emit_ir: Option<PathBuf>,

    /// Also write the LLVM IR of the whole program (after optimisation) to FILE.
    #[arg(long, value_name = "FILE")]
    emit_llvm: Option<PathBuf>,

    /// Print what was found and lifted: functions, instructions, and every instruction that is
    /// not supported, with its address (it raises SIGILL if the program reaches it).
    #[arg(long)]
    stats: bool,

    /// The runtime library to link (default: libvmtrans_runtime.a next to this executable, or
    /// $VMTRANS_RUNTIME).
    #[arg(long, value_name = "FILE")]
    runtime: Option<PathBuf>,

    /// Keep the intermediate object files in DIR.
    #[arg(long, value_name = "DIR")]
    keep_objects: Option<PathBuf>,

    /// Do not test for pending signals at loop back-edges. Loops run slightly faster and translation
    /// is quicker, but an asynchronous signal sent to a thread that spins in a loop without system
    /// calls is then only delivered at its next system call or call through the runtime (a loop that
    /// waits for a signal handler's flag never ends). Loops waiting for another thread's store work
    /// either way.
    #[arg(long)]
    no_signal_poll: bool,

    /// Assume nothing of calls (BL, BLR) and returns (RET) beyond what the instructions do. By default
    /// vmtrans follows the AArch64 procedure call standard, which every compiler and C library obeys:
    /// no function receives condition flags (NZCV) from its caller or hands flags back to it, nor
    /// scratch registers other than arguments (x0-x8, x18, v0-v7) and results (x0, x1, v0-v3), so
    /// those are neither computed nor written back there; and a callee returns x24-x28 as it found
    /// them, so after a call the caller goes on with the values it held (it checks that sp is
    /// unchanged, so coroutine switches stay exact; x19-x23, x29 and sp come back from the callee
    /// as they are, either way). Call-heavy code runs markedly faster. Only
    /// hand-written assembly that passes a condition or another scratch register through a call or
    /// a return, or that changes a caller's callee-saved registers, needs this. (Old name:
    /// --flags-across-calls.)
    #[arg(long, alias = "flags-across-calls")]
    exact_calls: bool,

    /// Where the guest's memory lies in the translated program. "zero": guest address A is host
    /// address A, so each guest memory access is one host access with nothing added; the program
    /// then needs host addresses 64 KiB to 1 TiB free, as every ordinary Linux process leaves them,
    /// and says so in one line at start-up where they are not (under valgrind, say). "anywhere":
    /// the guest space goes wherever the host has room, and every access adds its base, which costs
    /// a register in every function (tight loops can take twice as long). A program with a segment
    /// below 64 KiB is translated with "anywhere", with a warning.
    #[arg(long, value_enum, value_name = "WHERE", default_value = "zero")]
    guest_base: llvm::GuestBase,

    /// Threads compiling in parallel (default: one per CPU).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(usize))]
    jobs: Option<usize>,
}

/// The guest base to translate with: `asked`, unless that is `Zero` and the image has a segment
/// below `LOWEST_GUEST_MAPPING`, which the host cannot map at its own address (then `Anywhere`,
/// with a warning).
fn guest_base_for(image: &elf::GuestImage, asked: llvm::GuestBase) -> llvm::GuestBase {
    let lowest = image.segments.iter().map(|s| s.vaddr).min();
    match lowest {
        Some(low) if asked == llvm::GuestBase::Zero && low < LOWEST_GUEST_MAPPING => {
            eprintln!(
                "vmtrans: warning: the program maps guest address {low:#x}, below {LOWEST_GUEST_MAPPING:#x}, \
                 which the host cannot map there; translating with --guest-base anywhere"
            );
            llvm::GuestBase::Anywhere
        }
        _ => asked,
    }
}

/// An error with the exit status it deserves.
struct Failure {
    status: u8,
    error: anyhow::Error,
}

fn input_error(e: impl Into<anyhow::Error>) -> Failure {
    Failure { status: 2, error: e.into() }
}

fn tool_error(e: impl Into<anyhow::Error>) -> Failure {
    Failure { status: 1, error: e.into() }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            // One line: the causes joined.
            let msg: Vec<String> = f.error.chain().map(|c| c.to_string()).collect();
            eprintln!("vmtrans: error: {}", msg.join(": "));
            ExitCode::from(f.status)
        }
    }
}

fn check_output_path(out: &Path) -> Result<(), Failure> {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(input_error(anyhow::anyhow!("output directory {} does not exist", dir.display())));
    }
    if out.is_dir() {
        return Err(input_error(anyhow::anyhow!("output path {} is a directory", out.display())));
    }
    Ok(())
}

fn run(cli: &Cli) -> Result<(), Failure> {
    let started = Instant::now();
    let name = cli.input.display().to_string();
    let bytes = std::fs::read(&cli.input).map_err(|e| input_error(anyhow::anyhow!("cannot read {name}: {e}")))?;
    let image = elf::GuestImage::parse(&name, bytes).map_err(input_error)?;
    check_output_path(&cli.output)?;
    let runtime = link::find_runtime(cli.runtime.as_deref()).map_err(input_error)?;

    if let Some(problem) = &image.go_table_problem {
        // Not an error: the program still translates, but Go functions that only method tables
        // reach (interface calls) will run in the fallback engine, slowly.
        eprintln!("vmtrans: warning: {problem}; Go functions reached only through method tables will run in the fallback engine");
    }
    let guest_base = guest_base_for(&image, cli.guest_base);
    let mut found = discover::discover(&image);
    let convention = if cli.exact_calls { CallConvention::EXACT } else { CallConvention::AAPCS64 };
    // Calls of functions that never return get a continuation of their own that leaves at once,
    // so the code after them closes no loop (ir/src/noreturn.rs).
    for f in found.functions.iter_mut() {
        vmtrans_ir::noreturn::cut_noreturn_continuations(f, &found.never_return);
    }
    // Functions outside the procedure call standard (the machine outliner's, Go's) make their
    // callers and callees store more at calls and returns (ir/src/call_boundaries.rs). An indirect
    // call may reach any function whose address the program forms, or any Go function; only
    // Go's return values in scratch registers through such calls.
    let address_taken: rustc_hash::FxHashSet<u64> =
        image.code_pointers.iter().chain(&image.go_functions).copied().collect();
    // A Go program whose function table could not be read is still Go's.
    let go_program = !image.go_functions.is_empty() || image.go_table_problem.is_some();
    let conventions = vmtrans_ir::call_boundaries::conventions(
        &found.functions,
        convention,
        &|a| address_taken.contains(&a),
        go_program,
    );
    for (f, &convention) in found.functions.iter_mut().zip(&conventions) {
        vmtrans_ir::opt::optimize_for(f, convention);
        // A loop of a function that calls nothing leaves for the dispatcher when it finds a
        // signal pending, and the dispatcher resumes it at the block it was going to (ir/src/poll.rs).
        if !cli.no_signal_poll {
            vmtrans_ir::poll::add_poll_resume_points(f);
        }
    }
    for f in &found.functions {
        if let Err(errs) = verify(f) {
            let first = errs.first().map(|e| e.to_string()).unwrap_or_default();
            return Err(tool_error(anyhow::anyhow!(
                "internal error: lifted IR of {} fails verification: {first}",
                f.name
            )));
        }
    }
    if let Some(p) = &cli.emit_ir {
        let mut text = String::new();
        for f in &found.functions {
            text.push_str(&f.to_string());
            text.push('\n');
        }
        std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display())).map_err(input_error)?;
    }
    let lifted_at = started.elapsed();

    let target_cpu = if cli.target_cpu == "native" { llvm::host_cpu() } else { cli.target_cpu.clone() };
    let jobs = cli.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let opts = llvm::CodegenOptions {
        opt_level: cli.opt_level,
        target_cpu,
        emit_llvm: cli.emit_llvm.clone(),
        jobs,
        signal_poll: !cli.no_signal_poll,
        convention,
        conventions: found
            .functions
            .iter()
            .zip(&conventions)
            .filter(|&(_, c)| *c != convention)
            .map(|(f, &c)| (f.entry_addr, c))
            .collect(),
        guest_base,
    };
    let tmp = tempfile::tempdir().context("cannot make a temporary directory").map_err(tool_error)?;
    let objects = llvm::compile(&found.functions, &image.bytes, &opts, tmp.path()).map_err(tool_error)?;
    let compiled_at = started.elapsed();
    link::link(&objects, &runtime, &cli.output).map_err(tool_error)?;
    if let Some(dir) = &cli.keep_objects {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display())).map_err(input_error)?;
        for o in &objects {
            let dest = dir.join(o.file_name().unwrap_or_default());
            std::fs::copy(o, &dest)
                .with_context(|| format!("cannot copy to {}", dest.display()))
                .map_err(tool_error)?;
        }
    }

    if cli.stats {
        let unsupported = found.unsupported.len();
        let lifted = found.insns - unsupported;
        let pct = if found.insns == 0 { 100.0 } else { 100.0 * lifted as f64 / found.insns as f64 };
        eprintln!(
            "vmtrans: {} functions, {} instructions discovered, {} lifted ({pct:.2}%), {} unsupported",
            found.functions.len(),
            found.insns,
            lifted,
            unsupported
        );
        if !opts.conventions.is_empty() {
            eprintln!(
                "vmtrans: {} functions have calls or returns outside the procedure call standard (they store more registers there)",
                opts.conventions.len()
            );
        }
        let huge: Vec<String> = found
            .functions
            .iter()
            .filter(|f| opts.opt_level > 0 && llvm::is_huge(f))
            .map(|f| format!("{:#x} ({})", f.entry_addr, f.inst_count()))
            .collect();
        if !huge.is_empty() {
            eprintln!(
                "vmtrans: {} functions of over {} IR instructions have their code generated as at -O0 after the optimiser (LLVM's register allocator takes too long on them): {}",
                huge.len(),
                llvm::HUGE_FUNCTION,
                huge.join(" ")
            );
        }
        if !found.unresolved_jumps.is_empty() {
            eprintln!(
                "vmtrans: {} indirect jumps with unrecovered targets go through the dispatcher: {}",
                found.unresolved_jumps.len(),
                address_list(&found.unresolved_jumps)
            );
        }
        if !found.guessed_jumps.is_empty() {
            eprintln!(
                "vmtrans: {} indirect jumps with unrecovered targets reach their function's other tables' targets natively, anything else through the dispatcher: {}",
                found.guessed_jumps.len(),
                address_list(&found.guessed_jumps)
            );
        }
        for u in &found.unsupported {
            eprintln!(
                "vmtrans: unsupported instruction at {:#x}: {:08x} {}",
                u.pc,
                u.insn,
                vmtrans_ir::a64::disassemble(u.insn)
            );
        }
        eprintln!(
            "vmtrans: time: lift {:.2}s, compile {:.2}s, link {:.2}s",
            lifted_at.as_secs_f64(),
            (compiled_at - lifted_at).as_secs_f64(),
            (started.elapsed() - compiled_at).as_secs_f64()
        );
    }
    Ok(())
}

/// The first 20 addresses of `addrs` in hex, and how many more there are.
fn address_list(addrs: &[u64]) -> String {
    let list: Vec<String> = addrs.iter().take(20).map(|a| format!("{a:#x}")).collect();
    let more = addrs.len().saturating_sub(20);
    format!("{}{}", list.join(" "), if more > 0 { format!(" and {more} more") } else { String::new() })
}

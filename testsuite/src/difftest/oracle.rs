//! The oracle: runs a batch of cases under qemu-aarch64 in one generated static program.
//!
//! The fixed part of the program is testsuite/difftest/harness.S (its header documents the
//! protocol and the register convention); this module appends one slot per case, assembles and
//! links the program in a fresh temporary directory, feeds it the initial states on standard
//! input and reads the final states from standard output. A case that kills the program (a
//! fault or an instruction qemu rejects) gets no result; the run then resumes after it.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::difftest::case::{
    Case, MachineState, CASES_ADDR, MAX_CODE_WORDS, SLOT_SIZE, STATE_BYTES, WINDOW_ADDR, WINDOW_SIZE,
};

/// The harness's fixed part.
const HARNESS: &str = include_str!("../../difftest/harness.S");

/// The tools the oracle runs; each can be overridden by an environment variable.
pub(crate) fn tool(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

/// Whether the oracle's tools are installed (assembler, linker, qemu-aarch64).
pub fn available() -> bool {
    [
        tool("DIFFTEST_AS", "aarch64-linux-gnu-as"),
        tool("DIFFTEST_LD", "aarch64-linux-gnu-ld"),
        tool("DIFFTEST_QEMU", "qemu-aarch64"),
    ]
    .iter()
    .all(|t| Command::new(t).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok())
}

/// The complete assembly source of the harness for `cases`, each in its own slot.
pub fn harness_source(cases: &[Case]) -> Result<String, String> {
    let mut src = String::with_capacity(HARNESS.len() + cases.len() * 600);
    src.push_str(HARNESS);
    for (i, case) in cases.iter().enumerate() {
        if case.code.len() > MAX_CODE_WORDS {
            return Err(format!("case {i} has {} instructions, more than {MAX_CODE_WORDS}", case.code.len()));
        }
        // Each slot is a function symbol: the harness reaches the slots only through a computed
        // branch, and the translator's discovery finds them through the symbol table.
        src.push_str(&format!("        .org {}\n        .type case_{i}, %function\ncase_{i}:\n", i as u64 * SLOT_SIZE));
        src.push_str("        adrp x0, state_in\n        add x0, x0, :lo12:state_in\n");
        for r in (1..31).step_by(2) {
            src.push_str(&format!("        ldp x{}, x{}, [x0, #{}]\n", r, r + 1, 8 * r));
        }
        src.push_str("        ldr x0, [x0]\n");
        for w in &case.code {
            src.push_str(&format!("        .inst {w:#010x}\n"));
        }
        src.push_str(&format!("        b case_done\n        .size case_{i}, . - case_{i}\n"));
    }
    Ok(src)
}

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let name =
            format!("vmtrans-difftest-{}-{}-{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    /// Removes the directory, unless DIFFTEST_KEEP=1 asks to keep it for debugging (its path is
    /// then printed).
    fn drop(&mut self) {
        if std::env::var("DIFFTEST_KEEP").is_ok_and(|v| v == "1") {
            eprintln!("difftest: kept {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn run_tool(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(())
}

/// Assembles and links the harness for `cases` into `dir`; returns the program's path.
fn build(dir: &Path, cases: &[Case]) -> Result<PathBuf, String> {
    let src = dir.join("harness.S");
    std::fs::write(&src, harness_source(cases)?).map_err(|e| format!("cannot write {}: {e}", src.display()))?;
    let obj = dir.join("harness.o");
    let exe = dir.join("harness");
    run_tool(Command::new(tool("DIFFTEST_AS", "aarch64-linux-gnu-as")).arg("-o").arg(&obj).arg(&src))?;
    run_tool(
        Command::new(tool("DIFFTEST_LD", "aarch64-linux-gnu-ld"))
            .args(["-static", "--no-warn-rwx-segments", "-o"])
            .arg(&exe)
            .arg(&obj)
            .arg(format!("--section-start=.cases={CASES_ADDR:#x}"))
            .arg(format!("--section-start=.window={WINDOW_ADDR:#x}")),
    )?;
    Ok(exe)
}

/// A harness program built for a batch of cases, in its own temporary directory.
pub struct HarnessProgram {
    dir: TempDir,
    exe: PathBuf,
}

impl HarnessProgram {
    /// Assembles and links the harness for `cases`.
    pub fn build(cases: &[Case]) -> Result<HarnessProgram, String> {
        let dir = TempDir::new()?;
        let exe = build(&dir.0, cases)?;
        Ok(HarnessProgram { dir, exe })
    }

    /// The AArch64 executable.
    pub fn exe(&self) -> &Path {
        &self.exe
    }

    /// The temporary directory the program lives in (removed with the program).
    pub fn dir(&self) -> &Path {
        &self.dir.0
    }
}

/// Runs `program` (a command that runs the harness) on `cases[first..]`; returns the final states
/// it produced, in order (fewer than asked when a case killed it).
fn run_from(mut program: Command, cases: &[Case], first: usize) -> Result<Vec<MachineState>, String> {
    let mut input = Vec::with_capacity(8 + (cases.len() - first) * (STATE_BYTES + WINDOW_SIZE));
    input.extend_from_slice(&(first as u64).to_le_bytes());
    for case in &cases[first..] {
        input.extend_from_slice(&case.init.to_block());
        input.extend_from_slice(&case.init.mem);
    }
    let mut child = program
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {program:?}: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    // Feed the input from another thread so that a full output pipe cannot deadlock us. A write
    // error means the program stopped early, which the short output already reports.
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut output = Vec::new();
    child
        .stdout
        .take()
        .ok_or("no stdout")?
        .read_to_end(&mut output)
        .map_err(|e| format!("reading the harness's output: {e}"))?;
    let _ = feeder.join();
    let _ = child.wait();
    let per_case = STATE_BYTES + WINDOW_SIZE;
    Ok(output
        .chunks_exact(per_case)
        .filter_map(|c| MachineState::from_block(&c[..STATE_BYTES], &c[STATE_BYTES..]))
        .collect())
}

/// Runs every case with the harness that `program` starts (called again after a case kills it).
/// Element `i` of the result is case `i`'s final state, or `None` when the case killed the
/// program.
pub fn run_all(cases: &[Case], program: &dyn Fn() -> Command) -> Result<Vec<Option<MachineState>>, String> {
    let mut results: Vec<Option<MachineState>> = Vec::with_capacity(cases.len());
    while results.len() < cases.len() {
        let got = run_from(program(), cases, results.len())?;
        let complete = results.len() + got.len() == cases.len();
        results.extend(got.into_iter().map(Some));
        if !complete {
            // The next case killed the program: record it and go on after it.
            results.push(None);
        }
    }
    Ok(results)
}

/// Runs `cases` under qemu-aarch64 in `program`, which must have been built for them.
pub fn run_qemu(program: &HarnessProgram, cases: &[Case]) -> Result<Vec<Option<MachineState>>, String> {
    run_all(cases, &|| {
        let mut cmd = Command::new("timeout");
        cmd.arg(tool("DIFFTEST_TIMEOUT", "300"))
            .arg(tool("DIFFTEST_QEMU", "qemu-aarch64"))
            .args(["-cpu", "max"])
            .arg(program.exe())
            .stderr(Stdio::null());
        cmd
    })
}

/// Runs every case under qemu-aarch64. Element `i` of the result is case `i`'s final state, with
/// its code at `case::code_addr(i)`, or `None` when the case killed the program.
pub fn run_batch(cases: &[Case]) -> Result<Vec<Option<MachineState>>, String> {
    run_qemu(&HarnessProgram::build(cases)?, cases)
}

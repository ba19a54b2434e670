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
fn tool(var: &str, default: &str) -> String {
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
        src.push_str(&format!("        .org {}\n", i as u64 * SLOT_SIZE));
        src.push_str("        adrp x0, state_in\n        add x0, x0, :lo12:state_in\n");
        for r in (1..31).step_by(2) {
            src.push_str(&format!("        ldp x{}, x{}, [x0, #{}]\n", r, r + 1, 8 * r));
        }
        src.push_str("        ldr x0, [x0]\n");
        for w in &case.code {
            src.push_str(&format!("        .inst {w:#010x}\n"));
        }
        src.push_str("        b case_done\n");
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
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
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

/// Runs the program on `cases[first..]`; returns the final states it produced, in order (fewer
/// than asked when a case killed it).
fn run_from(exe: &Path, cases: &[Case], first: usize) -> Result<Vec<MachineState>, String> {
    let mut input = Vec::with_capacity(8 + (cases.len() - first) * (STATE_BYTES + WINDOW_SIZE));
    input.extend_from_slice(&(first as u64).to_le_bytes());
    for case in &cases[first..] {
        input.extend_from_slice(&case.init.to_block());
        input.extend_from_slice(&case.init.mem);
    }
    let mut child = Command::new("timeout")
        .arg(tool("DIFFTEST_TIMEOUT", "300"))
        .arg(tool("DIFFTEST_QEMU", "qemu-aarch64"))
        .args(["-cpu", "max"])
        .arg(exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start qemu-aarch64: {e}"))?;
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
        .map_err(|e| format!("reading qemu output: {e}"))?;
    let _ = feeder.join();
    let _ = child.wait();
    let per_case = STATE_BYTES + WINDOW_SIZE;
    Ok(output
        .chunks_exact(per_case)
        .filter_map(|c| MachineState::from_block(&c[..STATE_BYTES], &c[STATE_BYTES..]))
        .collect())
}

/// Runs every case under qemu-aarch64. Element `i` of the result is case `i`'s final state, with
/// its code at `case::code_addr(i)`, or `None` when the case killed the program.
pub fn run_batch(cases: &[Case]) -> Result<Vec<Option<MachineState>>, String> {
    let dir = TempDir::new()?;
    let exe = build(&dir.0, cases)?;
    let mut results: Vec<Option<MachineState>> = Vec::with_capacity(cases.len());
    while results.len() < cases.len() {
        let got = run_from(&exe, cases, results.len())?;
        let complete = results.len() + got.len() == cases.len();
        results.extend(got.into_iter().map(Some));
        if !complete {
            // The next case killed the program: record it and go on after it.
            results.push(None);
        }
    }
    Ok(results)
}

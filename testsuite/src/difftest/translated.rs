//! The translated engine: the oracle's own harness program, translated by `vmtrans` and run
//! natively. This is the path users run, so it checks the LLVM lowering, register write-back at
//! function exits, the runtime's start-up and system calls, all against the same qemu results
//! the interpreter engines are compared with.
//!
//! The harness is translated once per batch. Its output is trusted only when the translated
//! program ran (almost) no guest instruction in the fallback engine (`VMTRANS_STATS=1` reports
//! the count): otherwise the interpreter, not the translation, would have produced the results.
//! A few are tolerated (`MAX_FALLBACK_PER_1000_CASES`): rare branch shapes, such as a BR whose
//! constant target is computed in a function that discovery split off, still reach the fallback
//! engine (correctly: the results are compared with qemu all the same).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::difftest::case::{Case, MachineState};
use crate::difftest::oracle::{run_all, tool, HarnessProgram};

/// How to translate the harness.
#[derive(Clone, Debug)]
pub struct Translation {
    /// The vmtrans binary.
    pub vmtrans: PathBuf,
    /// The optimisation level passed as `-O<level>`.
    pub opt_level: u8,
}

impl Translation {
    /// The vmtrans binary of this workspace (see `crate::require_vmtrans`) at `-O$DIFFTEST_OPT`
    /// (default 2, the level users get by default).
    pub fn from_env() -> Result<Translation, String> {
        let vmtrans = crate::require_vmtrans()?;
        let opt_level = match std::env::var("DIFFTEST_OPT") {
            Ok(v) if !v.is_empty() => v.parse().map_err(|_| format!("DIFFTEST_OPT={v} is not a level 0..3"))?,
            _ => 2,
        };
        Ok(Translation { vmtrans, opt_level })
    }
}

/// Translates `program` into `<its dir>/harness.native`.
fn translate(program: &HarnessProgram, how: &Translation) -> Result<PathBuf, String> {
    let native = program.dir().join("harness.native");
    let out = Command::new(&how.vmtrans)
        .arg(program.exe())
        .arg("-o")
        .arg(&native)
        .arg(format!("-O{}", how.opt_level))
        // Cases may set the flags before a BL or RET and read them after (the branch class does):
        // instruction semantics are compared exactly, not under the procedure call standard.
        .arg("--exact-calls")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", how.vmtrans.display()))?;
    if !out.status.success() {
        return Err(format!("vmtrans failed on the harness: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(native)
}

/// The fallback instruction counts that `VMTRANS_STATS=1` runs printed, one per run that
/// reached its exit.
fn fallback_insns(stderr: &str) -> Vec<u64> {
    stderr
        .lines()
        .filter(|l| l.starts_with("vmtrans-stats:"))
        .filter_map(|l| l.split_whitespace().find_map(|w| w.strip_prefix("fallback_insns=")))
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// Runs `cases` in the translation of `program` (which must have been built for them). Element
/// `i` of the result is case `i`'s final state, or `None` when the case killed the program.
pub fn run_translated(
    program: &HarnessProgram,
    cases: &[Case],
    how: &Translation,
) -> Result<Vec<Option<MachineState>>, String> {
    let native = translate(program, how)?;
    let stats = program.dir().join("stats.txt");
    let results = run_all(cases, &|| command(&native, &stats))?;
    check_no_fallback(&native, &stats, cases.len())?;
    Ok(results)
}

/// The command that runs the translated harness, appending its statistics to `stats`.
fn command(native: &Path, stats: &Path) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.arg(tool("DIFFTEST_TIMEOUT", "300")).arg(native).env("VMTRANS_STATS", "1").env("VMTRANS_TRACE_FALLBACK", "1");
    match std::fs::OpenOptions::new().create(true).append(true).open(stats) {
        Ok(f) => cmd.stderr(f),
        Err(_) => cmd.stderr(Stdio::null()),
    };
    cmd
}

/// Fallback instructions a translated run may execute per 1,000 cases (see the module header).
const MAX_FALLBACK_PER_1000_CASES: u64 = 4;

/// Checks that no run ran more than a few guest instructions in the fallback engine. Runs killed
/// by a case may not report; when none reported, a run over no cases (start-up and exit) must.
fn check_no_fallback(native: &Path, stats: &Path, cases: usize) -> Result<(), String> {
    let mut text = std::fs::read_to_string(stats).unwrap_or_default();
    let mut counts = fallback_insns(&text);
    if counts.is_empty() {
        let out = Command::new(native)
            .env("VMTRANS_STATS", "1")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", native.display()))?;
        text = String::from_utf8_lossy(&out.stderr).into_owned();
        counts = fallback_insns(&text);
    }
    // The fallback trace and the statistics, without the (expected) reports of unsupported
    // instructions.
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("vmtrans: unsupported instruction"))
        .take(40)
        .map(|l| format!("{l}\n"))
        .collect();
    let allowed = (cases as u64 * MAX_FALLBACK_PER_1000_CASES).div_ceil(1000);
    match counts.iter().max() {
        Some(&n) if n <= allowed => Ok(()),
        Some(n) => Err(format!(
            "the translated harness ran {n} instructions in the fallback engine (batch of {cases} cases): \
             the translation did not cover the cases, so its results would not test it\n{text}"
        )),
        None => Err(format!("the translated harness reported no statistics: {text}")),
    }
}

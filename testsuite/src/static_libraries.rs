//! Real programs built from Debian's arm64 static libraries, for the tests that compare them with
//! qemu-aarch64 (`tests/interpreters.rs`, `tests/libraries.rs`): where an unpacked package lies,
//! linking a static AArch64 program with the cross compiler, and running a set of cases both ways.
//! Each distinct guest program is translated once, at the default level; each case runs it under
//! qemu-aarch64 and translated with its own arguments and environment, and must give the same exit
//! status and standard output, with no guest instruction in the fallback engine unless the case
//! runs code written at run time (`Case::runs_generated_code`).

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::{command_under, find_in_path, parse_fallback_insns, run_with_limit, RunOutput, GUEST_CC};

/// The longest one run may take under qemu or translated (each takes a few seconds at most).
const RUN_LIMIT: Duration = Duration::from_secs(120);
/// The longest one translation may take (CPython, 9,600 functions, about 2 minutes on 2 cores).
const TRANSLATE_LIMIT: Duration = Duration::from_secs(900);

/// Where the libraries of an unpacked arm64 package lie, below its directory.
pub const LIBRARY_DIR: &str = "usr/lib/aarch64-linux-gnu";

/// The directory of the unpacked arm64 package `name` under `cache` (see `fetch_debian_packages`).
pub fn package(cache: &Path, name: &str) -> PathBuf {
    cache.join(format!("{name}_arm64"))
}

/// Links a static AArch64 program `output` with the cross compiler and `args`; panics with the
/// compiler's message when it fails.
pub fn link(args: &[&OsStr], output: &Path) {
    let cc = find_in_path(GUEST_CC).unwrap_or_else(|| panic!("{GUEST_CC} is not installed"));
    let run = Command::new(cc).arg("-static").arg("-o").arg(output).args(args).output().expect("the compiler runs");
    assert!(
        run.status.success(),
        "{GUEST_CC} failed for {}:\n{}",
        output.display(),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// One run to compare: the guest program, its arguments and environment, a line the oracle's
/// output must hold (so that two runs failing alike do not pass), and whether guest code may run
/// in the fallback engine (code a JIT writes at run time does; every other case must run none).
pub struct Case {
    pub name: &'static str,
    pub guest: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(&'static str, String)>,
    pub oracle_must_print: &'static str,
    pub runs_generated_code: bool,
}

/// Runs `case`'s program (through `launcher` when given) with `extra_env` added.
fn run_case(case: &Case, launcher: Option<&Path>, program: &Path, extra_env: &[(&str, &str)]) -> RunOutput {
    let mut command = command_under(launcher, program);
    command.args(&case.args).env_clear().env("PATH", "/usr/bin:/bin").env("LC_ALL", "C");
    for (key, value) in &case.env {
        command.env(key, value);
    }
    for (key, value) in extra_env {
        command.env(key, value);
    }
    run_with_limit(command, b"", RUN_LIMIT).expect("the program runs")
}

/// Translates every distinct guest of `cases` with `vmtrans` into `scratch` and runs each case under
/// `qemu` and translated; returns one message per case that failed (translation, a difference, or
/// fallback instructions).
pub fn compare_with_qemu(cases: &[Case], vmtrans: &Path, qemu: &Path, scratch: &Path) -> Vec<String> {
    let mut failures = vec![];
    let mut translations: HashMap<&Path, Option<PathBuf>> = HashMap::new();
    for case in cases {
        let translated = translations
            .entry(&case.guest)
            .or_insert_with(|| {
                let output = scratch.join(format!("{}.native", case.name));
                let mut translate = Command::new(vmtrans);
                translate.arg(&case.guest).arg("-o").arg(&output);
                let translation = run_with_limit(translate, b"", TRANSLATE_LIMIT).expect("vmtrans runs");
                if translation.status != 0 || translation.timed_out {
                    failures.push(format!(
                        "{}: vmtrans failed (status {}{}): {}",
                        case.name,
                        translation.status,
                        if translation.timed_out { ", timed out" } else { "" },
                        String::from_utf8_lossy(&translation.stderr)
                    ));
                    return None;
                }
                Some(output)
            })
            .clone();
        let Some(translated) = translated else { continue };
        let want = run_case(case, Some(qemu), &case.guest, &[]);
        let got = run_case(case, None, &translated, &[("VMTRANS_STATS", "1")]);
        let want_text = String::from_utf8_lossy(&want.stdout);
        let got_text = String::from_utf8_lossy(&got.stdout);
        let fallback = parse_fallback_insns(&got.stderr);
        if !want_text.contains(case.oracle_must_print) {
            failures.push(format!("{}: qemu-aarch64 did not finish:\n{want_text}", case.name));
        } else if want.status != got.status || want_text != got_text {
            failures.push(format!(
                "{}: status {} under qemu, {} translated\n--- qemu-aarch64:\n{want_text}--- translated:\n{got_text}--- translated stderr:\n{}",
                case.name,
                want.status,
                got.status,
                String::from_utf8_lossy(&got.stderr)
            ));
        } else if fallback != Some(0) && !case.runs_generated_code {
            failures.push(format!("{}: {fallback:?} guest instructions ran in the fallback engine", case.name));
        }
    }
    failures
}

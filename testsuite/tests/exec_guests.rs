//! execve of AArch64 programs from a translated program (`runtime/src/syscall/exec.rs`): a fork/exec
//! pipeline of three guest programs, `exec/pipeline.c`, whose stages are reached three ways: the very
//! program the translated executable carries (it runs translated again), a byte-different copy of it (it
//! runs in the fallback engine) and a `#!` script whose interpreter is that program. qemu-aarch64 cannot be
//! the oracle here (without binfmt_misc its execve of an AArch64 file fails), so the oracle is the native
//! x86-64 build of the same source running the same pipeline of native programs. The test also checks
//! that the copy really ran in the fallback engine and the other stages did not.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use vmtrans_testsuite::{compile_c, find_in_path, require_vmtrans, run_with_limit, suite_dir, ScratchDir, GUEST_CC};

const LIMIT: Duration = Duration::from_secs(300);

fn compile(compiler: &str, extra: &[&str], output: &Path) {
    let flags: Vec<&str> = extra.iter().copied().chain(["-O2"]).collect();
    compile_c(compiler, &flags, &suite_dir().join("exec").join("pipeline.c"), output);
}

/// A copy of `program` with one byte appended (the loader ignores it), so that it is a different file.
fn different_copy(program: &Path, copy: &Path) {
    let mut bytes = fs::read(program).expect("the program is readable");
    bytes.push(0);
    fs::write(copy, bytes).expect("the copy is writable");
    fs::set_permissions(copy, fs::Permissions::from_mode(0o755)).expect("the copy can be made executable");
}

/// A script run by `interpreter` with the argument "stage".
fn script(interpreter: &Path, path: &Path) {
    fs::write(path, format!("#!{} stage\n", interpreter.display())).expect("the script is writable");
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("the script can be made executable");
}

/// Runs `launcher run A B C` in `dir`, with VMTRANS_STATS=1, and returns (stdout, stderr, status).
fn run_pipeline(launcher: &Path, stages: [&Path; 3], dir: &Path) -> (String, String, i32) {
    let mut command = Command::new(launcher);
    command.arg("run").args(stages).current_dir(dir).env_clear().env("VMTRANS_STATS", "1");
    let output = run_with_limit(command, b"", LIMIT).expect("the pipeline runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status,
    )
}

#[test]
fn a_pipeline_of_aarch64_programs_runs_under_vmtrans() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    assert!(find_in_path(GUEST_CC).is_some(), "{GUEST_CC} is needed");
    let scratch = ScratchDir::new("exec").expect("a scratch directory");
    let dir = scratch.path();

    let native = dir.join("pipeline.x86_64");
    compile("gcc", &[], &native);
    let native_copy = dir.join("pipeline-copy.x86_64");
    different_copy(&native, &native_copy);
    let native_script = dir.join("stage.x86_64.sh");
    script(&native, &native_script);
    let (expected, _, expected_status) = run_pipeline(&native, [&native, &native_copy, &native_script], dir);
    assert_eq!(expected_status, 0, "the native pipeline fails");
    assert!(expected.contains("lines=4 bytes=91") && expected.contains("stage count: exit 0"), "native: {expected}");

    let guest = dir.join("pipeline.aarch64");
    compile(GUEST_CC, &["-static"], &guest);
    let guest_copy = dir.join("pipeline-copy.aarch64");
    different_copy(&guest, &guest_copy);
    let guest_script = dir.join("stage.aarch64.sh");
    script(&guest, &guest_script);
    let translated = dir.join("pipeline.native");
    let status = Command::new(&vmtrans).arg(&guest).arg("-o").arg(&translated).status().expect("vmtrans runs");
    assert!(status.success(), "vmtrans failed on the pipeline program");

    let (actual, stderr, actual_status) = run_pipeline(&translated, [&guest, &guest_copy, &guest_script], dir);
    assert_eq!(actual_status, 0, "the translated pipeline fails: {stderr}");
    assert_eq!(actual, expected, "translated and native pipelines differ; stderr: {stderr}");
    // Four processes report statistics: the driver, the two stages that run translated, and the copy, which has
    // no translation and runs in the fallback engine.
    let fallback: Vec<u64> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("vmtrans-stats: fallback_insns="))
        .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
        .collect();
    assert_eq!(fallback.len(), 4, "stderr: {stderr}");
    assert_eq!(fallback.iter().filter(|&&count| count > 0).count(), 1, "only the copy runs in the fallback: {stderr}");
}

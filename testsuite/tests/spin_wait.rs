//! Loops waiting for another thread's (or a signal handler's) store, translated at -O2, where LLVM's loop
//! optimisations run: `loops/spin_wait.c` spins on a volatile flag, a relaxed atomic, a pointer-chased
//! flag and a flag read in a loop that stores elsewhere, then on a flag a SIGALRM handler sets. The
//! translated program must see every store, as the hardware does (`vmtrans_ir::loops` keeps such loads in
//! their loops), with the loop polls on and, for the stores of other threads, with `--no-signal-poll` too.
//! The oracle is the native x86-64 build of the same source (its output does not depend on timing); each
//! run is bounded, so a load hoisted out of its loop fails the test as a timeout instead of hanging it.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use vmtrans_testsuite::{compile_c, find_in_path, require_vmtrans, run_with_limit, suite_dir, ScratchDir, GUEST_CC};

const RUN_LIMIT: Duration = Duration::from_secs(60);

fn compile(compiler: &str, extra: &[&str], output: &Path) {
    let flags: Vec<&str> = extra.iter().copied().chain(["-O2", "-pthread"]).collect();
    compile_c(compiler, &flags, &suite_dir().join("loops").join("spin_wait.c"), output);
}

/// Runs `program` with `args` and returns its stdout, failing on a timeout or a non-zero status.
fn run(program: &Path, args: &[&str]) -> String {
    let mut command = Command::new(program);
    command.args(args);
    let output = run_with_limit(command, b"", RUN_LIMIT).expect("the program runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.timed_out, "{} {args:?} still spins after {RUN_LIMIT:?}; stderr: {stderr}", program.display());
    assert_eq!(output.status, 0, "{} {args:?} failed; stderr: {stderr}", program.display());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn translated_spin_waits_see_other_threads_and_handlers() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    assert!(find_in_path(GUEST_CC).is_some(), "{GUEST_CC} is needed");
    let scratch = ScratchDir::new("spin-wait").expect("a scratch directory");
    let dir = scratch.path();

    let native = dir.join("spin_wait.x86_64");
    compile("gcc", &[], &native);
    let expected_polling = run(&native, &[]);
    let expected_no_poll = run(&native, &["no-poll"]);
    assert!(expected_polling.contains("handler flag: seen"), "native: {expected_polling}");
    assert!(expected_no_poll.contains("loop storing elsewhere: seen"), "native: {expected_no_poll}");

    let guest = dir.join("spin_wait.aarch64");
    compile(GUEST_CC, &["-static"], &guest);
    for (flags, args, expected) in
        [(&[][..], &[][..], &expected_polling), (&["--no-signal-poll"][..], &["no-poll"][..], &expected_no_poll)]
    {
        let translated = dir.join("spin_wait.native");
        let status = Command::new(&vmtrans)
            .arg(&guest)
            .args(["-O2", "-o"])
            .arg(&translated)
            .args(flags)
            .status()
            .expect("vmtrans runs");
        assert!(status.success(), "vmtrans {flags:?} failed on spin_wait");
        assert_eq!(&run(&translated, args), expected, "translated with {flags:?}");
    }
}

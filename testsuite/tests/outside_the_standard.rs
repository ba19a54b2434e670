//! Programs that step outside what ordinary `gcc -static` output does, run translated against
//! their references:
//!
//! - code in the style of LLVM's machine outliner (Rust's standard library, `clang -Oz`): calls of
//!   fragments that take inputs in scratch registers, return outputs in scratch and callee-saved
//!   registers, and leave the flags set for the caller (`ir/src/call_boundaries.rs`), against
//!   qemu-aarch64, translated at -O0 and -O2;
//! - acquire/release, exclusive and atomic accesses at unaligned addresses
//!   (`alignment/alignment_faults.c`), which must raise SIGBUS (BUS_ADRALN) with the address and
//!   the instruction's pc in the context, against qemu-aarch64, translated at -O0 and -O2;
//! - static position-independent executables (`-static-pie`), which the translator and the
//!   runtime place at `STATIC_PIE_BASE`: guest programs of `programs/` built that way must print
//!   their expected output.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use vmtrans_testsuite::{
    compile_c, find_in_path, guest_command, guest_stdin, parse_fallback_insns, program_source, require_vmtrans,
    run_with_limit, suite_dir, RunOutput, ScratchDir, EXTRA_CFLAGS, GUEST_CC, QEMU,
};

/// A loop that calls two outlined-style fragments. `frag_mul` reads x9 and x10, returns a
/// product in x8, a new x19 and the flags of a compare, which the caller branches on;
/// `frag_mix` reads x11 and x21 and returns x12, while the caller keeps its link register in
/// x15 across the call (the outliner's register-save form). The checksum is printed in hex and
/// its low byte is the exit status.
const GUEST: &str = r#"
    .text
    .global _start
_start:
    mov x20, #0
    mov x21, #1
loop:
    mov x9, x21
    add x10, x21, #3
    bl frag_mul
    b.hi big
    add x20, x20, x8
    b next
big:
    eor x20, x20, x19
next:
    mov x15, x30
    mov x11, x20
    bl frag_mix
    mov x30, x15
    mov x20, x12
    add x21, x21, #1
    cmp x21, #50
    b.ls loop
    adrp x1, buf
    add x1, x1, :lo12:buf
    mov x3, #16
    mov x4, x20
hex:
    sub x3, x3, #1
    and x5, x4, #0xf
    cmp x5, #10
    add x6, x5, #48
    add x7, x5, #87
    csel x6, x6, x7, lo
    strb w6, [x1, x3]
    lsr x4, x4, #4
    cbnz x3, hex
    mov w6, #10
    strb w6, [x1, #16]
    mov x0, #1
    mov x2, #17
    mov x8, #64
    svc #0
    and x0, x20, #0xff
    mov x8, #93
    svc #0
frag_mul:
    mul x8, x9, x10
    add x19, x8, #7
    cmp x8, #200
    ret
frag_mix:
    ror x12, x11, #7
    add x12, x12, x21
    ret

    .data
buf:
    .space 32
"#;

/// The longest one translation or run may take.
const RUN_LIMIT: Duration = Duration::from_secs(300);

#[test]
fn outlined_fragments_get_their_inputs_and_hand_back_their_outputs() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    assert!(find_in_path(GUEST_CC).is_some(), "{GUEST_CC} is needed");
    let qemu = find_in_path(QEMU).unwrap_or_else(|| panic!("{QEMU} is not installed (Debian package qemu-user)"));
    let scratch = ScratchDir::new("outlined").expect("a scratch directory");
    let dir = scratch.path();
    let source = dir.join("outlined.S");
    fs::write(&source, GUEST).expect("the source is writable");
    let guest = dir.join("outlined.aarch64");
    compile_c(GUEST_CC, &["-static", "-nostdlib"], &source, &guest);

    let mut under_qemu = Command::new(&qemu);
    under_qemu.arg(&guest);
    let oracle = run_with_limit(under_qemu, b"", RUN_LIMIT).expect("qemu runs");
    assert_eq!(oracle.stdout.len(), 17, "qemu prints a 16-digit checksum: {oracle:?}");

    let failures = translations_against(&vmtrans, &guest, &oracle);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unaligned_ordered_accesses_raise_sigbus_as_under_qemu() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    assert!(find_in_path(GUEST_CC).is_some(), "{GUEST_CC} is needed");
    let qemu = find_in_path(QEMU).unwrap_or_else(|| panic!("{QEMU} is not installed (Debian package qemu-user)"));
    let scratch = ScratchDir::new("alignment").expect("a scratch directory");
    let dir = scratch.path();
    let guest = dir.join("alignment_faults.aarch64");
    compile_c(GUEST_CC, &["-static", "-O2"], &suite_dir().join("alignment/alignment_faults.c"), &guest);

    let mut under_qemu = Command::new(&qemu);
    under_qemu.arg(&guest);
    let oracle = run_with_limit(under_qemu, b"", RUN_LIMIT).expect("qemu runs");
    let text = String::from_utf8_lossy(&oracle.stdout);
    // 26 forms at 6 offsets; 65 of those accesses are unaligned for their form (the count makes
    // sure that the comparison below is one of faults, not of accesses that all went through).
    assert_eq!((oracle.status, text.lines().count()), (0, 156), "qemu's run: {oracle:?}");
    assert_eq!(text.matches("signal 7 code 1 ").count(), 65, "qemu's SIGBUS/BUS_ADRALN lines: {text}");
    assert!(!text.contains("pc wrong"), "qemu's contexts: {text}");

    let failures = translations_against(&vmtrans, &guest, &oracle);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Translates `guest` at -O0 and -O2 (beside it) and runs each translation: one line per level
/// whose exit status or standard output differs from qemu-aarch64's `oracle` (with the lines that
/// differ and the translation's stderr), or whose translation failed.
fn translations_against(vmtrans: &Path, guest: &Path, oracle: &RunOutput) -> Vec<String> {
    let want = String::from_utf8_lossy(&oracle.stdout);
    let mut failures = Vec::new();
    for level in [0, 2] {
        let native = guest.with_extension(format!("O{level}.native"));
        let mut translate = Command::new(vmtrans);
        translate.arg(format!("-O{level}")).arg(guest).arg("-o").arg(&native);
        let translation = run_with_limit(translate, b"", RUN_LIMIT).expect("vmtrans runs");
        if translation.status != 0 || translation.timed_out {
            failures
                .push(format!("-O{level}: vmtrans failed: {}", String::from_utf8_lossy(&translation.stderr).trim()));
            continue;
        }
        let run = run_with_limit(Command::new(&native), b"", RUN_LIMIT).expect("the translation runs");
        if (run.status, &run.stdout) != (oracle.status, &oracle.stdout) {
            let got = String::from_utf8_lossy(&run.stdout);
            let differing: Vec<String> = want
                .lines()
                .zip(got.lines())
                .filter(|(want, got)| want != got)
                .map(|(want, got)| format!("  qemu: {want}\n  vmtrans: {got}"))
                .collect();
            failures.push(format!(
                "-O{level}: status {} (qemu {}), {} lines (qemu {}), differing lines:\n{}\nstderr: {}",
                run.status,
                oracle.status,
                got.lines().count(),
                want.lines().count(),
                differing.join("\n"),
                String::from_utf8_lossy(&run.stderr).trim()
            ));
        }
    }
    failures
}

/// Programs of `programs/` built with `-static-pie`: function pointers and init arrays (data the
/// program relocates itself), threads with thread-local storage, setjmp/longjmp, and C++
/// exceptions (landing pads found through LSDAs at the load address).
const STATIC_PIE_PROGRAMS: [&str; 5] = ["func_ptrs", "ctors_atexit", "threads", "setjmp_longjmp", "cxx_exceptions"];

#[test]
fn static_pies_behave_as_their_expected_output() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    assert!(find_in_path(GUEST_CC).is_some(), "{GUEST_CC} is needed");
    let scratch = ScratchDir::new("static-pie").expect("a scratch directory");
    let dir = scratch.path();
    let stdin = guest_stdin().expect("testsuite/expected/stdin.txt is readable");
    let mut failures = Vec::new();
    for name in STATIC_PIE_PROGRAMS {
        let (source, compiler) = program_source(name);
        assert!(find_in_path(compiler).is_some(), "{compiler} is needed");
        let guest = dir.join(format!("{name}.pie"));
        let mut flags = vec!["-static-pie", "-O2"];
        flags.extend(EXTRA_CFLAGS);
        flags.push("-lm");
        compile_c(compiler, &flags, &source, &guest);
        let native = dir.join(format!("{name}.native"));
        let mut translate = Command::new(&vmtrans);
        translate.arg("-O0").arg(&guest).arg("-o").arg(&native);
        let translation = run_with_limit(translate, b"", RUN_LIMIT).expect("vmtrans runs");
        if translation.status != 0 || translation.timed_out {
            failures.push(format!("{name}: vmtrans failed: {}", String::from_utf8_lossy(&translation.stderr).trim()));
            continue;
        }
        let run = run_with_limit(guest_command(&[], &native, &[("VMTRANS_STATS", "1")], dir), &stdin, RUN_LIMIT)
            .expect("the translation runs");
        let expected_dir = suite_dir().join("expected");
        let expected = fs::read(expected_dir.join(format!("{name}.out"))).expect("expected output");
        let status: i32 = fs::read_to_string(expected_dir.join(format!("{name}.status")))
            .expect("expected status")
            .trim()
            .parse()
            .expect("a status number");
        if run.stdout != expected || run.status != status {
            failures.push(format!(
                "{name}: status {} (expected {status}), stdout {} the expected output; stderr: {}",
                run.status,
                if run.stdout == expected { "equals" } else { "differs from" },
                String::from_utf8_lossy(&run.stderr).trim()
            ));
        } else if parse_fallback_insns(&run.stderr) != Some(0) {
            failures.push(format!(
                "{name}: guest code ran in the fallback engine: {}",
                String::from_utf8_lossy(&run.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

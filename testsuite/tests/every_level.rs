//! A program with no C library and no loops, translated at every optimisation level with one and
//! with two compile threads, must link and behave as under qemu-aarch64. The translator splits the
//! functions into parts compiled apart, and a part can then hold no loop at all; at -O0 (no LLVM
//! pass removes unused declarations) such a part once declared the runtime's thread-local poll word
//! without using it, and the linker rejected the program. The glibc programs of `programs.rs` never
//! meet that case (every part of theirs has a loop); the differential test's harness did.

use std::fs;
use std::process::Command;
use std::time::Duration;

use vmtrans_testsuite::{
    compile_c, find_in_path, require_vmtrans, run_with_limit, RunOutput, ScratchDir, GUEST_CC, QEMU,
};

/// Three functions, none with a loop: `_start` calls the other two, writes a line and exits with
/// (5 + 7) * 2 = 24.
const GUEST: &str = r#"
    .text
    .global _start
_start:
    mov x0, #5
    bl add_seven
    bl double
    mov x19, x0
    mov x0, #1
    adr x1, message
    mov x2, #(message_end - message)
    mov x8, #64
    svc #0
    mov x0, x19
    mov x8, #93
    svc #0
add_seven:
    add x0, x0, #7
    ret
double:
    lsl x0, x0, #1
    ret
message:
    .ascii "no loops here\n"
message_end:
"#;

/// The longest one translation or run may take (the program is three functions and makes three
/// system calls).
const RUN_LIMIT: Duration = Duration::from_secs(120);

#[test]
fn a_program_without_loops_translates_at_every_level() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    assert!(find_in_path(GUEST_CC).is_some(), "{GUEST_CC} is needed");
    let qemu = find_in_path(QEMU).unwrap_or_else(|| panic!("{QEMU} is not installed (Debian package qemu-user)"));
    let scratch = ScratchDir::new("every-level").expect("a scratch directory");
    let dir = scratch.path();
    let source = dir.join("noloops.S");
    fs::write(&source, GUEST).expect("the source is writable");
    let guest = dir.join("noloops.aarch64");
    compile_c(GUEST_CC, &["-static", "-nostdlib"], &source, &guest);

    let mut under_qemu = Command::new(&qemu);
    under_qemu.arg(&guest);
    let oracle = run_with_limit(under_qemu, b"", RUN_LIMIT).expect("qemu runs");
    assert_eq!((oracle.status, oracle.stdout.as_slice()), (24, &b"no loops here\n"[..]), "qemu: {oracle:?}");

    let mut failures = Vec::new();
    for level in 0..=3 {
        for jobs in [1, 2] {
            let native = dir.join(format!("noloops.O{level}.j{jobs}.native"));
            let mut translate = Command::new(&vmtrans);
            translate.arg(format!("-O{level}")).arg(format!("-j{jobs}")).arg(&guest).arg("-o").arg(&native);
            let translation = run_with_limit(translate, b"", RUN_LIMIT).expect("vmtrans runs");
            if translation.status != 0 || translation.timed_out {
                failures.push(format!(
                    "-O{level} -j{jobs}: vmtrans failed: {}",
                    String::from_utf8_lossy(&translation.stderr).trim()
                ));
                continue;
            }
            let run: RunOutput = run_with_limit(Command::new(&native), b"", RUN_LIMIT).expect("the translation runs");
            if (run.status, &run.stdout) != (oracle.status, &oracle.stdout) {
                failures.push(format!("-O{level} -j{jobs}: {run:?}, qemu-aarch64 gave {oracle:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

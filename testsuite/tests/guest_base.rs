//! Where the guest's memory lies (`vmtrans --guest-base`). Every other test runs the default, `zero`
//! (guest address A is host address A). This one runs the other layout, `anywhere` (the runtime
//! reserves the space where the host has room and translated code adds its base), on programs
//! whose memory use reaches the edges: null and near-null pointers, faults the guest handles, and
//! threads; each must print its expected output (checked against qemu-aarch64 and the native build
//! by regen-expected.sh). It also checks what happens where the default layout cannot be had: with
//! a page mapped at host address 0x40000000 before the runtime starts (a preloaded library), a
//! default translation must say so in one line naming `--guest-base anywhere` and exit with 127,
//! and the `anywhere` translation of the same program must run there.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use vmtrans_testsuite::{
    build_guest, compile_c, first_line, guest_command, guest_stdin, read_expected, require_vmtrans, run_with_limit,
    RunOutput, ScratchDir,
};

/// Programs run translated with `--guest-base anywhere`.
const PROGRAMS: [&str; 3] = ["null_pointers", "fault_handlers", "threads"];
/// The longest one translation (at -O0) or one run may take.
const LIMIT: Duration = Duration::from_secs(300);

/// A library whose constructor maps one page at host address 0x40000000, inside the range the
/// default layout needs (64 KiB to 1 TiB), before the runtime reserves it.
const SQUATTER: &str = r#"
#include <sys/mman.h>
__attribute__((constructor)) static void squat(void) {
    mmap((void *)0x40000000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
}
"#;

/// Translates `guest` at -O0 with `flags` into `output`; panics with vmtrans's message on failure.
fn translate(vmtrans: &Path, guest: &Path, flags: &[&str], output: &Path) {
    let mut command = Command::new(vmtrans);
    command.arg("-O0").args(flags).arg(guest).arg("-o").arg(output);
    let run = run_with_limit(command, b"", LIMIT).expect("vmtrans runs");
    assert!(
        run.status == 0 && !run.timed_out,
        "vmtrans {flags:?} {} failed: {}",
        guest.display(),
        first_line(&run.stderr)
    );
}

/// Runs a translated program as the programs test does (its arguments, environment and stdin),
/// with `extra_env`.
fn run_guest(native: &Path, extra_env: &[(&str, &str)], dir: &Path) -> RunOutput {
    let stdin = guest_stdin().expect("the guest's stdin file");
    run_with_limit(guest_command(&[], native, extra_env, dir), &stdin, LIMIT).expect("the translation runs")
}

/// The differences between a run and program `name`'s expected output and status, each naming it.
fn differences(name: &str, run: &RunOutput) -> Vec<String> {
    let expected = read_expected(name).unwrap_or_else(|message| panic!("{message}"));
    expected.differences(run, LIMIT).into_iter().map(|problem| format!("{name}: {problem}")).collect()
}

#[test]
fn programs_run_with_their_memory_anywhere_and_say_when_zero_cannot_be_had() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    let scratch = ScratchDir::new("guest-base").expect("a scratch directory");
    let dir = scratch.path();
    let mut problems = Vec::new();
    let mut anywhere_builds: Vec<(String, PathBuf)> = Vec::new();
    for name in PROGRAMS {
        let guest = build_guest(name, 2).unwrap_or_else(|message| panic!("{name}: {message}"));
        let native = dir.join(format!("{name}.anywhere"));
        translate(&vmtrans, &guest, &["--guest-base", "anywhere"], &native);
        problems.extend(differences(name, &run_guest(&native, &[], dir)));
        anywhere_builds.push((name.to_string(), native));
    }

    // A page in the way of the default layout.
    let squatter_source = dir.join("squatter.c");
    fs::write(&squatter_source, SQUATTER).expect("the scratch directory is writable");
    let squatter = dir.join("squatter.so");
    compile_c("cc", &["-shared", "-fPIC"], &squatter_source, &squatter);
    let preload = [("LD_PRELOAD", squatter.to_str().expect("a UTF-8 scratch path"))];

    let (name, anywhere) = &anywhere_builds[0];
    let zero = dir.join(format!("{name}.zero"));
    translate(&vmtrans, &build_guest(name, 2).expect("built above"), &[], &zero);
    problems.extend(differences(name, &run_guest(&zero, &[], dir)).into_iter().map(|p| format!("zero: {p}")));

    let refused = run_guest(&zero, &preload, dir);
    let message = String::from_utf8_lossy(&refused.stderr).into_owned();
    if refused.status != 127 || !refused.stdout.is_empty() || message.lines().count() != 1 {
        problems.push(format!(
            "zero with a page in the way: status {}, {} bytes of stdout, stderr {message:?}; expected status 127 \
             and one line",
            refused.status,
            refused.stdout.len()
        ));
    }
    if !message.contains("--guest-base anywhere") || !message.contains("0x10000-0x10000000000") {
        problems.push(format!(
            "zero with a page in the way: the message names neither the range nor the way out: {message:?}"
        ));
    }
    problems.extend(
        differences(name, &run_guest(anywhere, &preload, dir))
            .into_iter()
            .map(|p| format!("anywhere, page in the way: {p}")),
    );
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

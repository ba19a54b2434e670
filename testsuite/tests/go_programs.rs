//! A real, stripped Go program: Debian's arm64 `shfmt` (the shell formatter, statically linked by
//! the Go toolchain), translated by vmtrans and compared with qemu-aarch64 running the same binary.
//!
//! Go code keeps to no part of the AArch64 procedure call standard: its functions take and return
//! values in x0-x15, keep no callee-saved registers, and reach interface methods through tables the
//! runtime builds from offsets into the text, so only Go's own function table (`.gopclntab`) tells
//! where its functions are (it emits no `.eh_frame`). The runtime starts threads for the garbage
//! collector and preempts goroutines with signals. The cases format shell scripts with several
//! option sets, print a diff (exit status 1), encode the syntax tree as JSON (reflection and
//! interface calls throughout), walk a directory for shell files, report a syntax error, and format
//! a few megabytes of input, which runs the collector many times, once with Go's signal-based
//! preemption and once without.
//!
//! The package is fetched with `scripts/fetch-deb.sh` (see `fetch_debian_packages`). The program is
//! translated at -O0, like the shells of static_shells.rs: the test is about what Go code does at
//! calls, returns and entries, which the level does not change.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use vmtrans_testsuite::{
    command_under, content_hash, fetch_debian_packages, find_in_path, parse_fallback_insns, require_vmtrans,
    run_with_limit, suite_dir, RunOutput, ScratchDir, QEMU,
};

/// The longest one case may take under qemu or translated (the largest takes a few seconds under qemu).
const RUN_LIMIT: Duration = Duration::from_secs(120);
/// The longest the translation may take (about 25 s at -O0 on 2 cores).
const TRANSLATE_LIMIT: Duration = Duration::from_secs(600);

/// One run of shfmt: a name, its arguments, its standard input, the exit status qemu's run must
/// have (so that two runs failing alike do not pass as equal), and whether Go's asynchronous
/// preemption is on.
///
/// Asynchronous preemption is a signal whose handler moves the interrupted goroutine's pc to an
/// injected call. The handler sees the pc of the thread's last safe point, and the goroutine goes
/// on from there when the call returns; where that is no resume point of the translation (a loop
/// header in a function that calls out), the fallback engine runs up to the next one (a few dozen
/// instructions, when and where the runtime decides to preempt). So the cases that count fallback
/// instructions, which must be none, run with `GODEBUG=asyncpreemptoff=1`, and one case runs with
/// preemption on and is only compared with qemu.
struct Case {
    name: &'static str,
    args: Vec<&'static str>,
    stdin: Vec<u8>,
    status: i32,
    preemption: bool,
}

fn cases(scripts: &[u8]) -> Vec<Case> {
    let large: Vec<u8> = scripts.iter().copied().cycle().take(scripts.len() * 600).collect();
    let large_again = large.clone();
    vec![
        Case {
            name: "format",
            args: vec!["-i", "2", "shells/posix.sh", "shells/bash.sh"],
            stdin: vec![],
            status: 0,
            preemption: false,
        },
        Case {
            name: "bash options",
            args: vec!["-ln", "bash", "-bn", "-ci", "-sr", "shells/bash.sh"],
            stdin: vec![],
            status: 0,
            preemption: false,
        },
        Case {
            name: "simplify and minify",
            args: vec!["-s", "-mn", "shells/bash.sh"],
            stdin: vec![],
            status: 0,
            preemption: false,
        },
        Case { name: "diff", args: vec!["-d", "shells/posix.sh"], stdin: vec![], status: 1, preemption: false },
        Case { name: "json", args: vec!["-tojson"], stdin: scripts.to_vec(), status: 0, preemption: false },
        Case { name: "find shell files", args: vec!["-f", "."], stdin: vec![], status: 0, preemption: false },
        Case { name: "syntax error", args: vec![], stdin: b"if then fi (\n".to_vec(), status: 1, preemption: false },
        Case { name: "large input", args: vec!["-i", "4"], stdin: large, status: 0, preemption: false },
        Case { name: "large input, preempted", args: vec!["-i", "4"], stdin: large_again, status: 0, preemption: true },
    ]
}

#[test]
fn translated_go_program_matches_qemu() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    let qemu = find_in_path(QEMU).unwrap_or_else(|| panic!("{QEMU} is not installed (Debian package qemu-user)"));
    let cache = fetch_debian_packages(&["shfmt:arm64".to_string()]);
    let guest = cache.join("shfmt_arm64/usr/bin/shfmt");
    assert!(guest.is_file(), "the shfmt package holds no usr/bin/shfmt");

    let scratch = ScratchDir::new("go").expect("a scratch directory");
    let translated = scratch.path().join("shfmt.native");
    let mut translate = Command::new(&vmtrans);
    translate.arg("-O0").arg(&guest).arg("-o").arg(&translated);
    let translation = run_with_limit(translate, b"", TRANSLATE_LIMIT).expect("vmtrans runs");
    assert!(
        translation.status == 0 && !translation.timed_out,
        "vmtrans failed on {} (status {}): {}",
        guest.display(),
        translation.status,
        String::from_utf8_lossy(&translation.stderr)
    );

    // The work directory holds the scripts (a small tree for -f to walk).
    let work = scratch.path().join("work");
    let shells = work.join("shells");
    fs::create_dir_all(shells.join("nested")).expect("a work directory");
    let mut scripts = Vec::new();
    for entry in fs::read_dir(suite_dir().join("shells")).expect("testsuite/shells is readable") {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().expect("a file name");
        fs::copy(&path, shells.join(name)).expect("copy a script");
        fs::copy(&path, shells.join("nested").join(name)).expect("copy a script");
        if path.extension().is_some_and(|extension| extension == "sh") {
            scripts.extend(fs::read(&path).expect("a script"));
        }
    }
    fs::write(shells.join("nested/notes.txt"), "not a script\n").expect("write a file");

    let mut failures = Vec::new();
    let all = cases(&scripts);
    for case in &all {
        let (want, oracle) = run(Some(&qemu), &guest, case, &work);
        let (got, translated_run) = run(None, &translated, case, &work);
        // Every case but the syntax error prints something; the oracle must have done so too.
        let oracle_sane = oracle.status == case.status && (case.status != 0 || !oracle.stdout.is_empty());
        if !oracle_sane {
            failures
                .push(format!("shfmt {:?} ({}): qemu-aarch64 did not run as expected:\n{want}", case.args, case.name));
        } else if want != got {
            failures.push(format!(
                "shfmt {:?} ({})\n--- qemu-aarch64:\n{want}--- translated:\n{got}",
                case.args, case.name
            ));
        }
        // All of Go's code is found from its function table: none runs in the fallback engine
        // (see `Case` for preemption).
        match parse_fallback_insns(&translated_run.stderr) {
            Some(0) => {}
            _ if case.preemption => {}
            other => failures.push(format!("shfmt {:?} ({}): fallback_insns={other:?}", case.args, case.name)),
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n\n{}", failures.len(), all.len(), failures.join("\n"));
}

/// Runs `program` (through `launcher`, qemu or nothing) on one case in `work`; returns its exit
/// status, standard output and standard error as one text (without the translated program's
/// statistics line), and the run itself.
fn run(launcher: Option<&Path>, program: &Path, case: &Case, work: &Path) -> (String, RunOutput) {
    let mut command = command_under(launcher, program);
    command.args(&case.args).current_dir(work).env_clear().env("LC_ALL", "C").env("HOME", work);
    if launcher.is_none() {
        command.env("VMTRANS_STATS", "1");
    }
    if !case.preemption {
        command.env("GODEBUG", "asyncpreemptoff=1");
    }
    let run = run_with_limit(command, &case.stdin, RUN_LIMIT).expect("shfmt runs");
    let stderr: Vec<u8> = String::from_utf8_lossy(&run.stderr)
        .split_inclusive('\n')
        .filter(|line| !line.starts_with("vmtrans-stats:"))
        .collect::<String>()
        .into_bytes();
    // Outputs can be megabytes: compare them whole, show a digest and the start.
    let digest = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        let head: String = text.chars().take(400).collect();
        format!("{} bytes, hash {:016x}\n{head}\n", bytes.len(), content_hash(bytes))
    };
    let text = format!(
        "status {}{}\n--- stdout: {}--- stderr: {}",
        run.status,
        if run.timed_out { " (timed out)" } else { "" },
        digest(&run.stdout),
        digest(&stderr)
    );
    (text, run)
}

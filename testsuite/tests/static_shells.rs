//! Real, stripped, unmodified shells from Debian's arm64 packages, each built on a different C
//! library: bash-static and zsh-static (glibc), and the mksh package's three static builds (musl,
//! dietlibc and klibc), whose start-up code, system call wrappers and string routines differ from
//! glibc's in the ways hand-written C libraries do. Each is translated by vmtrans and runs the scripts
//! of `testsuite/shells` (arithmetic loops, recursion through command substitution, parameter
//! expansion, fork/exec/wait, pipes, here-documents, files, traps and signals, background jobs,
//! coprocesses, floating-point printf); qemu-aarch64 runs the same shell on the same script as the
//! oracle, and the exit status, standard output and standard error must be the same. The packages
//! are fetched with `scripts/fetch-deb.sh` into `$DEBIAN_CACHE` (default `.cache/debian`); a failure
//! to fetch fails the test.
//!
//! The shells are translated at -O0, which takes about a quarter of the default level's time (bash
//! and zsh are 1 MB of code each): busybox_applets.rs runs a real program translated at the default
//! level, and this test is about what the libraries do, which the level does not change.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use vmtrans_testsuite::{
    command_under, fetch_debian_packages, find_in_path, require_vmtrans, run_with_limit, suite_dir, ScratchDir, QEMU,
};

/// The longest one script may take under qemu or translated (each takes well under a second).
const RUN_LIMIT: Duration = Duration::from_secs(60);
/// The longest one translation may take (bash, the largest, takes about 20 s at -O0 on 2 cores).
const TRANSLATE_LIMIT: Duration = Duration::from_secs(600);

/// One shell: the package holding it, its path inside the package, the arguments before the
/// script, and the scripts of `testsuite/shells` it runs.
struct Shell {
    package: &'static str,
    path: &'static str,
    options: &'static [&'static str],
    scripts: &'static [&'static str],
}

const SHELLS: [Shell; 5] = [
    Shell { package: "bash-static", path: "bin/bash-static", options: &[], scripts: &["posix.sh", "bash.sh"] },
    Shell { package: "zsh-static", path: "bin/zsh-static", options: &["-f"], scripts: &["zsh.zsh"] },
    Shell { package: "mksh", path: "usr/lib/aarch64-linux-musl/bin/mksh", options: &[], scripts: &["posix.sh"] },
    Shell { package: "mksh", path: "usr/lib/diet/bin/mksh", options: &[], scripts: &["posix.sh"] },
    Shell { package: "mksh", path: "usr/lib/klibc/bin/mksh", options: &[], scripts: &["posix.sh"] },
];

/// Fetches the arm64 packages of `SHELLS`; returns the directory they are unpacked under.
fn fetch_shells() -> PathBuf {
    let mut packages: Vec<String> = SHELLS.iter().map(|shell| format!("{}:arm64", shell.package)).collect();
    packages.dedup();
    fetch_debian_packages(&packages)
}

/// Runs `script` with `shell` (through `launcher`, qemu or nothing) in a fresh directory `work`;
/// returns what the comparison looks at, with `scratch` written as SCRATCH.
fn run_script(
    launcher: Option<&Path>,
    shell: &Path,
    options: &[&str],
    script: &Path,
    work: &Path,
    scratch: &Path,
) -> String {
    let _ = fs::remove_dir_all(work);
    fs::create_dir_all(work).expect("a work directory");
    let mut command = command_under(launcher, shell);
    command.args(options).arg(script).current_dir(work).env_clear();
    command.env("PATH", "/usr/bin:/bin").env("LC_ALL", "C").env("TZ", "UTC").env("HOME", work);
    let run = run_with_limit(command, b"", RUN_LIMIT).expect("the shell runs");
    let text = format!(
        "status {}{}\n--- stdout\n{}--- stderr\n{}",
        run.status,
        if run.timed_out { " (timed out)" } else { "" },
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    text.replace(&scratch.display().to_string(), "SCRATCH")
}

#[test]
fn translated_static_shells_match_qemu() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    let qemu = find_in_path(QEMU).unwrap_or_else(|| panic!("{QEMU} is not installed (Debian package qemu-user)"));
    let cache = fetch_shells();
    let scratch = ScratchDir::new("shells").expect("a scratch directory");
    let scripts_dir = suite_dir().join("shells");
    let mut failures = Vec::new();
    let mut compared = 0;
    for (index, shell) in SHELLS.iter().enumerate() {
        let guest = cache.join(format!("{}_arm64", shell.package)).join(shell.path);
        assert!(guest.is_file(), "{} holds no {}", shell.package, shell.path);
        // Both runs call the shell by the same name, in directories of the same length.
        let name = guest.file_name().expect("a file name");
        let (oracle_dir, translated_dir) =
            (scratch.path().join(format!("q{index}")), scratch.path().join(format!("t{index}")));
        fs::create_dir_all(&oracle_dir).expect("oracle dir");
        fs::create_dir_all(&translated_dir).expect("translated dir");
        let oracle = oracle_dir.join(name);
        fs::copy(&guest, &oracle).expect("copy the guest shell");
        let translated = translated_dir.join(name);
        let mut translate = Command::new(&vmtrans);
        translate.arg("-O0").arg(&guest).arg("-o").arg(&translated);
        let translation = run_with_limit(translate, b"", TRANSLATE_LIMIT).expect("vmtrans runs");
        if translation.status != 0 || translation.timed_out {
            failures.push(format!(
                "{}: vmtrans failed (status {}{}): {}",
                guest.display(),
                translation.status,
                if translation.timed_out { ", timed out" } else { "" },
                String::from_utf8_lossy(&translation.stderr)
            ));
            continue;
        }
        for script in shell.scripts {
            let script_path = scripts_dir.join(script);
            let work = scratch.path().join("work");
            let want = run_script(Some(&qemu), &oracle, shell.options, &script_path, &work, scratch.path())
                .replace(&format!("/q{index}/"), "/SHELL/");
            let got = run_script(None, &translated, shell.options, &script_path, &work, scratch.path())
                .replace(&format!("/t{index}/"), "/SHELL/");
            compared += 1;
            // The oracle's run must have got to the script's last line (each prints "end of
            // NAME"), so that two runs that both fail early (a missing script, a shell that cannot
            // start, a construct the shell rejects) do not pass as equal.
            let oracle_stdout = want.split("--- stdout\n").nth(1).and_then(|rest| rest.split("--- stderr\n").next());
            if !oracle_stdout.is_some_and(|out| out.contains(&format!("end of {script}\n"))) {
                failures.push(format!("{} {script}: qemu-aarch64 did not reach the end:\n{want}", shell.path));
            } else if want != got {
                failures.push(format!("{} {script}\n--- qemu-aarch64:\n{want}--- translated:\n{got}", shell.path));
            }
        }
    }
    assert!(
        compared >= 6 && failures.is_empty(),
        "{} of {compared} shell scripts differ:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

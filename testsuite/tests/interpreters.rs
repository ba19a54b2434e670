//! Real interpreters from Debian's arm64 libraries, linked statically: SQLite (`libsqlite3.a`)
//! under the driver `interpreters/sqlite_queries.c`, Lua 5.4 (`liblua5.4.a`) under
//! `interpreters/lua_run.c` running `lua_workload.lua`, and CPython 3.11 (`libpython3.11.a` with
//! its own `python.o`) running `interpreters/python_workload.py` on the package's standard library.
//! Their bytecode loops are what breaks a lifter that cannot recover indirect jumps: SQLite's
//! `sqlite3VdbeExec` switches through a table whose base it reloads from the stack, and CPython's
//! `_PyEval_EvalFrameDefault` dispatches by computed gotos from 163 places through one table of
//! labels, with an index that probes take for a constant. Each is translated by vmtrans and run
//! against qemu-aarch64 running the same binary: exit status and standard output must be equal,
//! and the translated run must execute no guest instruction in the fallback engine: an unrecovered
//! dispatch sends the rest of the loop there, tens of times slower than qemu (CPython ran 200
//! million instructions there before its table was read whole).
//!
//! The packages are fetched with `scripts/fetch-deb.sh` into `$DEBIAN_CACHE` (default
//! `.cache/debian`); a failure to fetch fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use vmtrans_testsuite::{
    command_under, fetch_debian_packages, find_in_path, parse_fallback_insns, require_vmtrans, run_with_limit,
    suite_dir, ScratchDir, GUEST_CC, QEMU,
};

/// The longest one run may take under qemu or translated (each takes a few seconds at most).
const RUN_LIMIT: Duration = Duration::from_secs(120);
/// The longest one translation may take (CPython, 9,600 functions, about 2 minutes on 2 cores).
const TRANSLATE_LIMIT: Duration = Duration::from_secs(900);

/// The arm64 packages the two programs are linked from and run with.
const PACKAGES: [&str; 7] = [
    "libsqlite3-dev",
    "liblua5.4-dev",
    "libpython3.11-dev",
    "libexpat1-dev",
    "zlib1g-dev",
    "libpython3.11-minimal",
    "libpython3.11-stdlib",
];

/// The directory of the unpacked arm64 package `name` under `cache`.
fn package(cache: &Path, name: &str) -> PathBuf {
    cache.join(format!("{name}_arm64"))
}

/// Links a static AArch64 program `output` with the cross compiler and `args`; panics with the
/// compiler's message when it fails.
fn link(args: &[&std::ffi::OsStr], output: &Path) {
    let cc = find_in_path(GUEST_CC).unwrap_or_else(|| panic!("{GUEST_CC} is not installed"));
    let run = Command::new(cc).arg("-static").arg("-o").arg(output).args(args).output().expect("the compiler runs");
    assert!(
        run.status.success(),
        "{GUEST_CC} failed for {}:\n{}",
        output.display(),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// One program to compare: its guest binary, arguments and environment, and a line the oracle's
/// output must hold (so that two runs failing alike do not pass).
struct Case {
    name: &'static str,
    guest: PathBuf,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    oracle_must_print: &'static str,
}

/// Runs `case`'s program (through `launcher` when given) with `extra_env`; returns the run.
fn run_case(
    case: &Case,
    launcher: Option<&Path>,
    program: &Path,
    extra_env: &[(&str, &str)],
) -> vmtrans_testsuite::RunOutput {
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

#[test]
fn translated_interpreters_match_qemu() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    let qemu = find_in_path(QEMU).unwrap_or_else(|| panic!("{QEMU} is not installed (Debian package qemu-user)"));
    let packages: Vec<String> = PACKAGES.iter().map(|p| format!("{p}:arm64")).collect();
    let cache = fetch_debian_packages(&packages);
    let scratch = ScratchDir::new("interpreters").expect("a scratch directory");
    let sources = suite_dir().join("interpreters");
    let lib = "usr/lib/aarch64-linux-gnu";

    let sqlite = scratch.path().join("sqlite_queries");
    let sqlite_dev = package(&cache, "libsqlite3-dev");
    link(
        &[
            "-O2".as_ref(),
            "-I".as_ref(),
            sqlite_dev.join("usr/include").as_os_str(),
            sources.join("sqlite_queries.c").as_os_str(),
            sqlite_dev.join(lib).join("libsqlite3.a").as_os_str(),
            "-lm".as_ref(),
            "-lpthread".as_ref(),
            "-ldl".as_ref(),
        ],
        &sqlite,
    );
    let lua = scratch.path().join("lua_run");
    let lua_dev = package(&cache, "liblua5.4-dev");
    link(
        &[
            "-O2".as_ref(),
            "-I".as_ref(),
            lua_dev.join("usr/include/lua5.4").as_os_str(),
            "-I".as_ref(),
            lua_dev.join("usr/include/aarch64-linux-gnu").as_os_str(),
            sources.join("lua_run.c").as_os_str(),
            lua_dev.join(lib).join("liblua5.4.a").as_os_str(),
            "-lm".as_ref(),
        ],
        &lua,
    );
    let python = scratch.path().join("python3.11");
    let config = package(&cache, "libpython3.11-dev").join("usr/lib/python3.11/config-3.11-aarch64-linux-gnu");
    let library_dirs = [package(&cache, "libexpat1-dev").join(lib), package(&cache, "zlib1g-dev").join(lib)];
    let mut python_args: Vec<std::ffi::OsString> =
        vec![config.join("python.o").into(), config.join("libpython3.11.a").into()];
    for dir in &library_dirs {
        python_args.push(format!("-L{}", dir.display()).into());
    }
    for flag in ["-lexpat", "-lz", "-lm", "-ldl", "-lpthread", "-lutil"] {
        python_args.push(flag.into());
    }
    link(&python_args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>(), &python);

    let cases = [
        Case { name: "sqlite", guest: sqlite, args: vec!["20000".into()], env: vec![], oracle_must_print: "\nok\n" },
        Case {
            name: "lua",
            guest: lua,
            args: vec![sources.join("lua_workload.lua").display().to_string()],
            env: vec![],
            oracle_must_print: "end of lua_workload.lua\n",
        },
        Case {
            name: "python",
            guest: python,
            args: vec!["-S".into(), "-B".into(), sources.join("python_workload.py").display().to_string()],
            env: vec![
                ("PYTHONHOME", package(&cache, "libpython3.11-minimal").join("usr").display().to_string()),
                (
                    "PYTHONPATH",
                    package(&cache, "libpython3.11-stdlib").join("usr/lib/python3.11").display().to_string(),
                ),
            ],
            oracle_must_print: "end of python_workload.py\n",
        },
    ];
    let mut failures = vec![];
    for case in &cases {
        let translated = scratch.path().join(format!("{}.native", case.name));
        let mut translate = Command::new(&vmtrans);
        translate.arg(&case.guest).arg("-o").arg(&translated);
        let translation = run_with_limit(translate, b"", TRANSLATE_LIMIT).expect("vmtrans runs");
        if translation.status != 0 || translation.timed_out {
            failures.push(format!(
                "{}: vmtrans failed (status {}{}): {}",
                case.name,
                translation.status,
                if translation.timed_out { ", timed out" } else { "" },
                String::from_utf8_lossy(&translation.stderr)
            ));
            continue;
        }
        let want = run_case(case, Some(&qemu), &case.guest, &[]);
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
        } else if fallback != Some(0) {
            failures.push(format!("{}: {fallback:?} guest instructions ran in the fallback engine", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} interpreters differ:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

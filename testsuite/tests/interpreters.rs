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

use vmtrans_testsuite::static_libraries::{compare_with_qemu, link, package, Case, LIBRARY_DIR};
use vmtrans_testsuite::{fetch_debian_packages, find_in_path, require_vmtrans, suite_dir, ScratchDir, QEMU};

/// The arm64 packages the three programs are linked from and run with.
const PACKAGES: [&str; 7] = [
    "libsqlite3-dev",
    "liblua5.4-dev",
    "libpython3.11-dev",
    "libexpat1-dev",
    "zlib1g-dev",
    "libpython3.11-minimal",
    "libpython3.11-stdlib",
];

#[test]
fn translated_interpreters_match_qemu() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    let qemu = find_in_path(QEMU).unwrap_or_else(|| panic!("{QEMU} is not installed (Debian package qemu-user)"));
    let packages: Vec<String> = PACKAGES.iter().map(|p| format!("{p}:arm64")).collect();
    let cache = fetch_debian_packages(&packages);
    let scratch = ScratchDir::new("interpreters").expect("a scratch directory");
    let sources = suite_dir().join("interpreters");
    let lib = LIBRARY_DIR;

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
        Case {
            name: "sqlite",
            guest: sqlite,
            args: vec!["20000".into()],
            env: vec![],
            oracle_must_print: "\nok\n",
            runs_generated_code: false,
        },
        Case {
            name: "lua",
            guest: lua,
            args: vec![sources.join("lua_workload.lua").display().to_string()],
            env: vec![],
            oracle_must_print: "end of lua_workload.lua\n",
            runs_generated_code: false,
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
            runs_generated_code: false,
        },
    ];
    let failures = compare_with_qemu(&cases, &vmtrans, &qemu, scratch.path());
    assert!(
        failures.is_empty(),
        "{} of {} interpreters differ:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

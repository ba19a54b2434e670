//! A real, stripped, unmodified program: Debian's busybox-static for arm64, translated by vmtrans at
//! the default level, runs the command lines of `testsuite/busybox/commands.txt` (text tools, awk
//! arithmetic and number formatting, compressors, archivers, checksums, file operations, and the
//! shell with pipelines, subshells, traps, job control and applets started through
//! /proc/self/exe) exactly as Debian's busybox-static for amd64 does natively. The two packages are
//! the same source built by the same compiler, so the native build is the reference; qemu-aarch64
//! cannot be (without binfmt_misc, the shell's execve of an AArch64 file fails under it, and it
//! falls back to the host's own tools). `scripts/fetch-busybox.sh` downloads both packages (as
//! root it first adds the arm64 architecture to dpkg); a failure to fetch fails the test.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use vmtrans_testsuite::{content_hash, require_vmtrans, run_with_limit, suite_dir, workspace_root, ScratchDir};

/// The longest one command line may take (the slowest, bzip2 and xz over big.txt, take well under a
/// second natively).
const LINE_LIMIT: Duration = Duration::from_secs(60);

/// Fetches the two busybox builds; returns (amd64, arm64).
fn fetch_busybox() -> (PathBuf, PathBuf) {
    let script = workspace_root().join("scripts").join("fetch-busybox.sh");
    let status = Command::new(&script).status().expect("scripts/fetch-busybox.sh runs");
    assert!(status.success(), "scripts/fetch-busybox.sh could not fetch busybox-static (see its message)");
    let cache = std::env::var_os("BUSYBOX_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".cache").join("busybox"));
    (cache.join("busybox-static_amd64/bin/busybox"), cache.join("busybox-static_arm64/bin/busybox"))
}

/// Writes the data the command lines work on: two small text files, a 300 KB text file of
/// pseudo-random words and numbers (a fixed linear congruential generator, so every run sees the
/// same bytes), and a small directory tree.
fn write_data(dir: &Path) {
    fs::create_dir_all(dir.join("tree/a/b")).expect("tree/a/b");
    fs::create_dir_all(dir.join("tree/c")).expect("tree/c");
    let nums: String = (1..=2000u64)
        .map(|i| format!("{} line {i} {}\n", i * 7919 % 1000, if i % 3 == 0 { "fizz" } else { "buzz" }))
        .collect();
    fs::write(dir.join("nums.txt"), nums).expect("nums.txt");
    fs::write(dir.join("words.txt"), "hello world\nfoo bar baz\nHello again\n\n  spaced   out  \n").expect("words.txt");
    let vocabulary = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"];
    let mut state: u64 = 42;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        state >> 33
    };
    let mut big = String::new();
    while big.len() < 300_000 {
        let (a, n, b) = (next() as usize % vocabulary.len(), next() % 1_000_000, next() as usize % vocabulary.len());
        big.push_str(&format!("{} {n} {}\n", vocabulary[a], vocabulary[b]));
    }
    fs::write(dir.join("big.txt"), big).expect("big.txt");
    fs::write(dir.join("tree/a/f1"), "x\n").expect("f1");
    fs::write(dir.join("tree/a/b/f2"), "yy\n").expect("f2");
    fs::write(dir.join("tree/c/f3"), "zzz\n").expect("f3");
}

/// Copies a directory tree (regular files and directories only, as `write_data` makes it), giving
/// every copy the same modification time, so that archives of it are the same bytes on every run.
fn copy_tree(from: &Path, to: &Path) {
    let fixed_time = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    fs::create_dir_all(to).expect("copy target");
    for entry in fs::read_dir(from).expect("readable data") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
            let file = fs::File::options().write(true).open(&target).expect("the copy opens");
            file.set_modified(fixed_time).expect("the copy's time can be set");
        }
    }
    fs::File::open(to).and_then(|dir| dir.set_modified(fixed_time)).expect("the directory's time can be set");
}

/// What a command line left in its directory: each entry's relative path, kind, permissions and,
/// for files, size and a hash of the contents; symbolic links with their targets.
fn snapshot(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir).expect("readable").map(|e| e.expect("entry")).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let meta = fs::symlink_metadata(entry.path()).expect("metadata");
        let mode = meta.permissions().mode() & 0o7777;
        if meta.file_type().is_symlink() {
            let target = fs::read_link(entry.path()).expect("link");
            out.push(format!("{name} -> {}", target.display()));
        } else if meta.is_dir() {
            out.push(format!("{name}/ {mode:o}"));
            snapshot(&entry.path(), &format!("{name}/"), out);
        } else {
            let digest = content_hash(&fs::read(entry.path()).unwrap_or_default());
            out.push(format!("{name} {mode:o} {} {digest:016x}", meta.len()));
        }
    }
}

/// Runs one command line with `busybox` in a fresh copy of `data` under `work`; returns everything
/// the comparison looks at, with the busybox path replaced by `BUSYBOX`.
fn run_line(line: &str, busybox: &Path, data: &Path, work: &Path) -> String {
    let _ = fs::remove_dir_all(work);
    copy_tree(data, work);
    let mut command = Command::new("bash");
    command.arg("-c").arg(line).env("BB", busybox).env("LC_ALL", "C").env("TZ", "UTC").current_dir(work);
    let run = run_with_limit(command, b"", LINE_LIMIT).expect("bash runs");
    let mut files = Vec::new();
    snapshot(work, "", &mut files);
    let text = format!(
        "status {}\n--- stdout\n{}--- stderr\n{}--- files\n{}\n",
        run.status,
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
        files.join("\n")
    );
    text.replace(&busybox.display().to_string(), "BUSYBOX").replace(&work.display().to_string(), "WORK")
}

#[test]
fn translated_busybox_matches_the_native_build() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    let (native_package, guest_package) = fetch_busybox();
    let scratch = ScratchDir::new("busybox").expect("a scratch directory");
    // busybox picks the applet by its own name, so both binaries are called busybox.
    let (native_dir, translated_dir) = (scratch.path().join("native"), scratch.path().join("translated"));
    fs::create_dir_all(&native_dir).expect("native dir");
    fs::create_dir_all(&translated_dir).expect("translated dir");
    let native = native_dir.join("busybox");
    fs::copy(&native_package, &native).expect("copy the amd64 busybox");
    let translated = translated_dir.join("busybox");
    let translation =
        Command::new(&vmtrans).arg(&guest_package).arg("-o").arg(&translated).output().expect("vmtrans runs");
    assert!(translation.status.success(), "vmtrans failed: {}", String::from_utf8_lossy(&translation.stderr));

    let data = scratch.path().join("data");
    write_data(&data);
    let commands = fs::read_to_string(suite_dir().join("busybox").join("commands.txt")).expect("commands.txt");
    let lines: Vec<&str> = commands.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).collect();
    assert!(lines.len() >= 100, "commands.txt lost its lines");
    let mut failures = Vec::new();
    for line in &lines {
        let want = run_line(line, &native, &data, &scratch.path().join("work"));
        let got = run_line(line, &translated, &data, &scratch.path().join("work"));
        if want != got {
            failures.push(format!("{line}\n--- native:\n{want}--- translated:\n{got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} command lines differ from the native busybox:\n\n{}",
        failures.len(),
        lines.len(),
        failures.join("\n")
    );
}

//! Shared helpers of the vmtrans test suite: where the guest programs, expected files and tools live, the fixed
//! arguments, environment and stdin every guest run gets, building guests with the AArch64 cross compiler,
//! running processes with a time limit, comparing outputs, and parsing `known-failures.txt` and the
//! `vmtrans-stats:` line that translated programs print. The integration tests in `tests/` are built on these.

pub mod difftest;
pub mod multicall;
pub mod static_libraries;

use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Arguments after argv[0] that every guest run gets. `regen-expected.sh` passes the same ones.
pub const GUEST_ARGS: [&str; 5] = ["alpha", "beta gamma", "42", "--flag=x", ""];

/// The whole environment of every guest run (the runner clears everything else). `regen-expected.sh` sets the
/// same variables.
pub const GUEST_ENV: [(&str, &str); 4] =
    [("VT_ALPHA", "one"), ("VT_BETA", "two words"), ("VT_EMPTY", ""), ("LC_ALL", "C")];

/// Compiler flags used on top of `-static -O<n>` for every guest build (and for the native cross-check build).
/// Contraction of `a * b + c` into FMA is turned off so that results do not depend on the target's FMA use.
pub const EXTRA_CFLAGS: [&str; 1] = ["-ffp-contract=off"];

/// Optimisation levels every guest program is built at.
pub const OPT_LEVELS: [u8; 3] = [0, 2, 3];

/// The cross compiler used for guest programs.
pub const GUEST_CC: &str = "aarch64-linux-gnu-gcc";

/// The cross compiler used for guest programs written in C++ (`programs/*.cc`).
pub const GUEST_CXX: &str = "aarch64-linux-gnu-g++";

/// The user-mode emulator used as the behaviour oracle.
pub const QEMU: &str = "qemu-aarch64";

/// The root of the cargo workspace (the directory above this crate).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The directory of this crate: `programs/`, `expected/`, `build/` and `known-failures.txt` live here.
pub fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The vmtrans binary to test: `$VMTRANS_BIN`, else `$CARGO_TARGET_DIR/release/vmtrans`, else
/// `<workspace>/target/release/vmtrans`.
pub fn vmtrans_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("VMTRANS_BIN").filter(|value| !value.is_empty()) {
        return PathBuf::from(path);
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let target_dir = if target_dir.is_relative() { workspace_root().join(target_dir) } else { target_dir };
    target_dir.join("release").join("vmtrans")
}

/// Returns the vmtrans binary, or a message saying clearly that it is missing and how to build it.
pub fn require_vmtrans() -> Result<PathBuf, String> {
    let binary = vmtrans_binary();
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "the vmtrans binary was not found at {}: build it with `cargo build --release -p vmtrans` or point \
             VMTRANS_BIN at it",
            binary.display()
        ))
    }
}

/// Finds an executable by name in `$PATH`.
pub fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}

/// The bytes piped to every guest's stdin (`expected/stdin.txt`).
pub fn guest_stdin() -> io::Result<Vec<u8>> {
    fs::read(suite_dir().join("expected").join("stdin.txt"))
}

/// Names (file stems) of all guest programs in `programs/` (C in `.c` files, C++ in `.cc` files),
/// sorted.
pub fn program_names() -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(suite_dir().join("programs"))? {
        let path = entry?.path();
        if matches!(path.extension().and_then(|ext| ext.to_str()), Some("c" | "cc")) {
            if let Some(stem) = path.file_stem().and_then(|stem| stem.to_str()) {
                names.push(stem.to_string());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// The label of an optimisation level as used in file names and known-failures.txt, e.g. `O2`.
pub fn level_label(level: u8) -> String {
    format!("O{level}")
}

/// The source of guest program `name` and the cross compiler for it: `programs/<name>.c` with
/// [`GUEST_CC`], else `programs/<name>.cc` with [`GUEST_CXX`].
pub fn program_source(name: &str) -> (PathBuf, &'static str) {
    let c = suite_dir().join("programs").join(format!("{name}.c"));
    if c.is_file() {
        (c, GUEST_CC)
    } else {
        (suite_dir().join("programs").join(format!("{name}.cc")), GUEST_CXX)
    }
}

/// Builds guest program `name` (see [`program_source`]) into `build/<name>.O<level>` unless the
/// output is newer than the source. Returns the path of the guest executable, or the compiler's
/// complaint.
pub fn build_guest(name: &str, level: u8) -> Result<PathBuf, String> {
    let (source, compiler) = program_source(name);
    let build_dir = suite_dir().join("build");
    fs::create_dir_all(&build_dir).map_err(|error| format!("cannot create {}: {error}", build_dir.display()))?;
    let output = build_dir.join(format!("{name}.{}", level_label(level)));
    if is_up_to_date(&output, &source) {
        return Ok(output);
    }
    // Build under a temporary name so that an interrupted build never leaves a half-written guest behind.
    let partial = build_dir.join(format!("{name}.{}.partial", level_label(level)));
    let result = Command::new(compiler)
        .arg("-static")
        .arg(format!("-O{level}"))
        .args(EXTRA_CFLAGS)
        .arg("-o")
        .arg(&partial)
        .arg(&source)
        .arg("-lm")
        .output()
        .map_err(|error| format!("cannot run {compiler}: {error}"))?;
    if !result.status.success() {
        let _ = fs::remove_file(&partial);
        return Err(format!("{compiler} failed: {}", first_line(&result.stderr)));
    }
    fs::rename(&partial, &output).map_err(|error| format!("cannot rename {}: {error}", partial.display()))?;
    Ok(output)
}

/// True when `output` exists and was modified no earlier than `source`.
pub(crate) fn is_up_to_date(output: &Path, source: &Path) -> bool {
    let modified = |path: &Path| fs::metadata(path).and_then(|meta| meta.modified()).ok();
    match (modified(output), modified(source)) {
        (Some(built), Some(written)) => built >= written,
        _ => false,
    }
}

/// The expected stdout and exit status of a guest program (`expected/<name>.out` and `.status`,
/// written by regen-expected.sh where qemu-aarch64 and the native build agree).
pub struct Expected {
    pub stdout: Vec<u8>,
    pub status: i32,
}

impl Expected {
    /// The differences between `run` (made with time limit `limit`) and this expectation: a time-out,
    /// another exit status, the first differing line of stdout. Empty when it matches.
    pub fn differences(&self, run: &RunOutput, limit: Duration) -> Vec<String> {
        let mut problems = Vec::new();
        if run.timed_out {
            problems.push(format!("timed out after {}s", limit.as_secs()));
        }
        if run.status != self.status {
            problems.push(format!(
                "exit status {}, expected {} (stderr: {})",
                run.status,
                self.status,
                first_line(&run.stderr)
            ));
        }
        if let Some(difference) = first_difference(&self.stdout, &run.stdout) {
            problems.push(format!("stdout differs at {difference}"));
        }
        problems
    }
}

/// Reads program `name`'s expected stdout and exit status.
pub fn read_expected(program: &str) -> Result<Expected, String> {
    let dir = suite_dir().join("expected");
    let stdout =
        fs::read(dir.join(format!("{program}.out"))).map_err(|error| format!("expected/{program}.out: {error}"))?;
    let status_text = fs::read_to_string(dir.join(format!("{program}.status")))
        .map_err(|error| format!("expected/{program}.status: {error}"))?;
    let status = status_text
        .trim()
        .parse::<i32>()
        .map_err(|_| format!("expected/{program}.status is not a number: {status_text:?}"))?;
    Ok(Expected { stdout, status })
}

/// What a finished (or killed) process left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The exit code, or 128 + N for death by signal N (as a shell reports it).
    pub status: i32,
    /// True when the process ran past its time limit and was killed.
    pub timed_out: bool,
    /// Wall-clock time from the start to the end of the process.
    pub elapsed: Duration,
}

/// Converts an exit status to the shell's number: the exit code, or 128 + N for death by signal N.
pub fn status_number(status: ExitStatus) -> i32 {
    match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => -1,
    }
}

/// Runs `command` with `stdin` piped in, collecting stdout and stderr, and kills it after `limit`.
pub fn run_with_limit(mut command: Command, stdin: &[u8], limit: Duration) -> io::Result<RunOutput> {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn()?;
    let mut child_stdin = child.stdin.take();
    let input = stdin.to_vec();
    let writer = thread::spawn(move || {
        if let Some(pipe) = child_stdin.as_mut() {
            // A program that exits without reading all of stdin closes the pipe: that is not an error here.
            let _ = pipe.write_all(&input);
        }
        drop(child_stdin);
    });
    let stdout_reader = spawn_reader(child.stdout.take());
    let stderr_reader = spawn_reader(child.stderr.take());
    let deadline = Instant::now() + limit;
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            timed_out = true;
            let _ = child.kill();
            break child.wait()?;
        }
        thread::sleep(Duration::from_millis(5));
    };
    let _ = writer.join();
    let stdout = stdout_reader.join().unwrap_or_default();
    let stderr = stderr_reader.join().unwrap_or_default();
    Ok(RunOutput { stdout, stderr, status: status_number(status), timed_out, elapsed: started.elapsed() })
}

fn spawn_reader<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// A command that runs `program` with the guest's fixed arguments and environment (plus `extra_env`), in `cwd`,
/// with core dumps disabled (a guest that dies by SIGABRT must not leave core files behind).
pub fn guest_command(launcher: &[&Path], program: &Path, extra_env: &[(&str, &str)], cwd: &Path) -> Command {
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg("ulimit -c 0; exec \"$@\"").arg("sh");
    command.args(launcher).arg(program).args(GUEST_ARGS);
    command.env_clear();
    for (key, value) in GUEST_ENV.iter().chain(extra_env) {
        command.env(key, value);
    }
    command.current_dir(cwd);
    command
}

/// The first line of some output, lossily decoded and shortened, for one-line reports.
pub fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    shorten(text.lines().next().unwrap_or("(no output)"))
}

/// Shortens a line to at most 120 characters for reports.
pub fn shorten(line: &str) -> String {
    const LIMIT: usize = 120;
    if line.chars().count() <= LIMIT {
        line.to_string()
    } else {
        let head: String = line.chars().take(LIMIT).collect();
        format!("{head}...")
    }
}

/// Describes where `actual` first differs from `expected`, line by line, or None when they are equal.
pub fn first_difference(expected: &[u8], actual: &[u8]) -> Option<String> {
    if expected == actual {
        return None;
    }
    let expected_lines: Vec<&[u8]> = expected.split_inclusive(|&byte| byte == b'\n').collect();
    let actual_lines: Vec<&[u8]> = actual.split_inclusive(|&byte| byte == b'\n').collect();
    let show = |line: Option<&&[u8]>| match line {
        Some(bytes) => format!("{:?}", shorten(&String::from_utf8_lossy(bytes))),
        None => "end of output".to_string(),
    };
    let index = (0..expected_lines.len().max(actual_lines.len()))
        .find(|&i| expected_lines.get(i) != actual_lines.get(i))
        .unwrap_or(0);
    Some(format!(
        "line {}: expected {}, got {}",
        index + 1,
        show(expected_lines.get(index)),
        show(actual_lines.get(index))
    ))
}

/// Finds `fallback_insns=<N>` on the `vmtrans-stats:` line of a translated program's stderr.
/// Returns None when there is no such line or it has no readable count.
pub fn parse_fallback_insns(stderr: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(stderr);
    text.lines().rev().filter_map(|line| line.trim().strip_prefix("vmtrans-stats:")).find_map(|rest| {
        rest.split_whitespace().find_map(|field| field.strip_prefix("fallback_insns=")?.parse::<u64>().ok())
    })
}

/// One line of known-failures.txt: `<program> <level|*> <reason>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFailure {
    pub program: String,
    /// None stands for `*`, every level.
    pub level: Option<u8>,
    pub reason: String,
    /// The line number in the file, for reports.
    pub line: usize,
}

impl KnownFailure {
    /// True when this entry covers the given case.
    pub fn covers(&self, program: &str, level: u8) -> bool {
        self.program == program && self.level.is_none_or(|listed| listed == level)
    }
}

/// Parses known-failures.txt. Blank lines and lines starting with `#` are ignored. The level is `O0`/`O2`/`O3`
/// (or `0`/`2`/`3`) or `*`; a reason is required.
pub fn parse_known_failures(text: &str) -> Result<Vec<KnownFailure>, String> {
    let mut entries = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace);
        let program = parts.next().unwrap_or_default();
        let level_text = parts.next().unwrap_or_default();
        let reason = parts.next().unwrap_or_default().trim();
        let level = match level_text {
            "*" => None,
            other => {
                let digits = other.strip_prefix('O').unwrap_or(other);
                match digits.parse::<u8>() {
                    Ok(level) if OPT_LEVELS.contains(&level) => Some(level),
                    _ => return Err(format!("known-failures.txt:{}: bad level {other:?}", index + 1)),
                }
            }
        };
        if reason.is_empty() {
            return Err(format!("known-failures.txt:{}: a reason is required after the level", index + 1));
        }
        entries.push(KnownFailure { program: program.to_string(), level, reason: reason.to_string(), line: index + 1 });
    }
    Ok(entries)
}

/// Compiles the C file `source` into `output` with `compiler` (gcc for the native build, `GUEST_CC`
/// for the guest) and `flags`; panics with the compiler's name when it fails.
pub fn compile_c(compiler: &str, flags: &[&str], source: &Path, output: &Path) {
    let status = Command::new(compiler)
        .args(flags)
        .arg("-o")
        .arg(output)
        .arg(source)
        .status()
        .unwrap_or_else(|error| panic!("cannot run {compiler}: {error}"));
    assert!(status.success(), "{compiler} failed on {}", source.display());
}

/// The programs of `qemu-wrong.txt` (qemu-aarch64 is not their oracle), each with the reason.
pub fn qemu_wrong_programs() -> Result<Vec<(String, String)>, String> {
    let path = suite_dir().join("qemu-wrong.txt");
    let text = fs::read_to_string(&path).map_err(|error| format!("{}: {error}", path.display()))?;
    let mut entries = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (program, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        if reason.trim().is_empty() {
            return Err(format!("qemu-wrong.txt:{}: a reason is required after the program", index + 1));
        }
        entries.push((program.to_string(), reason.trim().to_string()));
    }
    Ok(entries)
}

/// A scratch directory removed (with its contents) when dropped.
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Creates a fresh, uniquely named directory under the system temp directory.
    pub fn new(tag: &str) -> io::Result<ScratchDir> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("vmtrans-{tag}-{}-{unique}", std::process::id()));
        if path.exists() {
            fs::remove_dir_all(&path)?;
        }
        fs::create_dir_all(&path)?;
        Ok(ScratchDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_failures_parse_levels_and_reasons() {
        let text = "# comment\n\nfoo O2 needs FCVTZS\nbar * all levels: setjmp\nbaz 3 three\n";
        let entries = parse_known_failures(text).expect("valid file");
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].level, Some(2));
        assert_eq!(entries[0].reason, "needs FCVTZS");
        assert!(entries[1].covers("bar", 0) && entries[1].covers("bar", 3));
        assert!(!entries[1].covers("baz", 3));
        assert!(entries[2].covers("baz", 3) && !entries[2].covers("baz", 2));
        assert_eq!(entries[2].line, 5);
    }

    #[test]
    fn known_failures_reject_bad_lines() {
        assert!(parse_known_failures("foo O1 level one is not built").is_err());
        assert!(parse_known_failures("foo O2").is_err());
        assert!(parse_known_failures("foo fast reason").is_err());
    }

    #[test]
    fn fallback_count_is_read_from_the_stats_line() {
        assert_eq!(parse_fallback_insns(b"noise\nvmtrans-stats: fallback_insns=0\n"), Some(0));
        assert_eq!(parse_fallback_insns(b"vmtrans-stats: blocks=9 fallback_insns=17 calls=2"), Some(17));
        assert_eq!(parse_fallback_insns(b"fallback_insns=3\n"), None);
        assert_eq!(parse_fallback_insns(b"vmtrans-stats: fallback_insns=x\n"), None);
        assert_eq!(parse_fallback_insns(b""), None);
    }

    #[test]
    fn first_difference_names_the_line() {
        assert_eq!(first_difference(b"a\nb\n", b"a\nb\n"), None);
        assert_eq!(first_difference(b"a\nb\n", b"a\nc\n").unwrap(), "line 2: expected \"b\\n\", got \"c\\n\"");
        assert_eq!(first_difference(b"a\n", b"a\nmore\n").unwrap(), "line 2: expected end of output, got \"more\\n\"");
        assert_eq!(first_difference(b"a\n", b"a").unwrap(), "line 1: expected \"a\\n\", got \"a\"");
    }

    #[test]
    fn status_numbers_follow_the_shell() {
        assert_eq!(status_number(ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(status_number(ExitStatus::from_raw(6)), 134);
    }

    #[test]
    fn run_with_limit_pipes_stdin_and_kills_on_time_out() {
        let mut cat = Command::new("/bin/sh");
        cat.arg("-c").arg("cat; echo err >&2; exit 7");
        let output = run_with_limit(cat, b"piped\n", Duration::from_secs(20)).expect("sh runs");
        assert_eq!(
            (output.stdout.as_slice(), output.stderr.as_slice(), output.status),
            (&b"piped\n"[..], &b"err\n"[..], 7)
        );
        let mut sleeper = Command::new("/bin/sh");
        sleeper.arg("-c").arg("exec sleep 30");
        let output = run_with_limit(sleeper, b"", Duration::from_millis(200)).expect("sh runs");
        assert!(output.timed_out);
        assert_eq!(output.status, 128 + 9);
    }

    /// `regen-expected.sh` must give guests the same arguments, environment and flags as this crate.
    #[test]
    fn regen_script_agrees_with_the_runner() {
        let script = fs::read_to_string(suite_dir().join("regen-expected.sh")).expect("script exists");
        let quoted = |items: Vec<String>| items.iter().map(|item| format!("\"{item}\"")).collect::<Vec<_>>().join(" ");
        let args_line = format!("guest_args=({})", quoted(GUEST_ARGS.iter().map(|arg| arg.to_string()).collect()));
        let env_line = format!("guest_env=({})", quoted(GUEST_ENV.iter().map(|(k, v)| format!("{k}={v}")).collect()));
        let flags_line = format!("extra_cflags=({})", EXTRA_CFLAGS.join(" "));
        let levels_line =
            format!("levels=({})", OPT_LEVELS.iter().map(|level| level.to_string()).collect::<Vec<_>>().join(" "));
        for line in [args_line, env_line, flags_line, levels_line] {
            assert!(script.lines().any(|script_line| script_line.trim() == line), "regen-expected.sh lacks `{line}`");
        }
    }

    #[test]
    fn every_program_has_expected_files() {
        let expected = suite_dir().join("expected");
        for name in program_names().expect("programs directory") {
            for suffix in ["out", "status"] {
                let path = expected.join(format!("{name}.{suffix}"));
                assert!(path.is_file(), "missing {}", path.display());
            }
            let status = fs::read_to_string(expected.join(format!("{name}.status"))).expect("status file");
            assert!(status.trim().parse::<i32>().is_ok(), "{name}.status is not a number: {status:?}");
        }
        assert!(program_names().expect("programs").len() >= 28);
    }
}

/// Fetches Debian packages (`PACKAGE:ARCH`) with `scripts/fetch-deb.sh` into `$DEBIAN_CACHE`
/// (default `.cache/debian`) and returns that directory: `PACKAGE_ARCH/` under it holds each
/// package unpacked. Panics when a package cannot be fetched (the tests that use real Debian
/// programs fail then, rather than pass without them).
pub fn fetch_debian_packages(packages: &[String]) -> PathBuf {
    let cache = std::env::var_os("DEBIAN_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".cache").join("debian"));
    let script = workspace_root().join("scripts").join("fetch-deb.sh");
    let status = Command::new(&script).arg(&cache).args(packages).status().expect("scripts/fetch-deb.sh runs");
    assert!(status.success(), "scripts/fetch-deb.sh could not fetch {packages:?} (see its message)");
    cache
}

/// A command running `program`, through `launcher` (qemu-aarch64, say) when one is given.
pub fn command_under(launcher: Option<&Path>, program: &Path) -> Command {
    match launcher {
        Some(launcher) => {
            let mut command = Command::new(launcher);
            command.arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// A 64-bit digest of `bytes` (SipHash with fixed keys, the same in every run), for comparing
/// files and outputs by a short name.
pub fn content_hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

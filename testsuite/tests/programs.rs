//! The differential test of whole guest programs. Every `programs/<name>.c` is built for AArch64 at -O0, -O2 and
//! -O3; each (program, level) case is then run under qemu-aarch64 (the oracle half) and translated with vmtrans and
//! run natively (the translated half), both with fixed arguments, environment and stdin, and compared with
//! `expected/<name>.out` and `expected/<name>.status`. The translated run must also report
//! `vmtrans-stats: fallback_insns=0` on stderr. Failures are collected and reported together; translated-half
//! failures listed in `known-failures.txt` are tolerated, and a listed case that passes fails the test so the list
//! stays honest. `VMTRANS_TEST_FILTER=<substring>` limits the run to programs whose name contains it.
//! The whole matrix is translated at `VMTRANS_TEST_OPT` (default 0, for CI's time); a second test builds the
//! programs listed in `o2-programs.txt` (the racy parts of the Linux personality) at -O2 into one
//! multi-call executable (`testsuite/src/multicall.rs`), runs it under qemu, translates it once at -O2 and
//! runs each program from the translation: a static C library translated once rather than once per
//! program, which was most of CI's time. A build byte-identical to a lower level's build of the same
//! program (-O3 changes nothing in a third of them) is not translated and run a second time: its case
//! shares that one's outcome. Nor is the -O2 build of a program in `o2-programs.txt` translated at another
//! level by the matrix: the second test translates that program's -O2 code at -O2, the default level
//! (the build's qemu half still runs here).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use vmtrans_testsuite::{
    build_guest, content_hash, find_in_path, first_line, guest_command, guest_stdin, level_label,
    multicall::{build_multicall, link_as},
    parse_fallback_insns, parse_known_failures, program_names, program_source, qemu_wrong_programs, read_expected,
    require_vmtrans, run_with_limit, Expected, KnownFailure, ScratchDir, GUEST_CC, GUEST_CXX, OPT_LEVELS, QEMU,
};

/// Worker threads running cases (the brief's machine has two cores).
const WORKERS: usize = 2;
/// Time limit for one guest run, under qemu or translated.
const RUN_LIMIT: Duration = Duration::from_secs(120);
/// Time limit for translating one guest.
const TRANSLATE_LIMIT: Duration = Duration::from_secs(600);

/// Everything a case needs that is the same for all cases.
struct Setup {
    qemu: PathBuf,
    vmtrans: Result<PathBuf, String>,
    stdin: Vec<u8>,
    scratch: ScratchDir,
    /// The translator's -O level.
    translate_level: String,
    /// The programs not compared under qemu, with the reasons (qemu-wrong.txt).
    qemu_wrong: Vec<(String, String)>,
    /// Programs whose -O2 code `personality_programs_match_at_o2` translates (at -O2): their -O2
    /// case here runs only its qemu half. Empty in that test itself.
    translated_at_o2_elsewhere: Vec<String>,
    /// The multi-call builds every case runs, one per guest level, when the test uses them.
    multicalls: Vec<Multicall>,
}

/// A multi-call build of the test's programs at one guest level and its translation, which every
/// case of that level runs under its own name.
struct Multicall {
    level: u8,
    /// The build, or the problem that stopped it (every case of the level reports it).
    guest: Result<PathBuf, String>,
    /// The translation, or the problem that stopped it.
    native: Result<PathBuf, String>,
    /// How long the translation took.
    translate_time: Duration,
}

/// The result of one (program, level) case.
struct CaseOutcome {
    program: String,
    level: u8,
    /// Problems of the build or the qemu half: these are never excused by known-failures.txt.
    oracle_failures: Vec<String>,
    /// Problems of the translated half; None when that half was not run (no vmtrans binary).
    translated_failures: Option<Vec<String>>,
    /// True when the translated half is left to `personality_programs_match_at_o2`.
    translated_elsewhere: bool,
    /// Where the case's time went (zero for a case sharing a twin's outcome).
    times: CaseTimes,
}

/// The wall-clock time of a case's three steps, reported so that CI's time can be kept in view.
#[derive(Clone, Copy, Default)]
struct CaseTimes {
    qemu: Duration,
    translate: Duration,
    native: Duration,
}

impl CaseTimes {
    fn total(&self) -> Duration {
        self.qemu + self.translate + self.native
    }
}

/// The two tests share testsuite/build (guest builds, translations): they take turns.
static BUILD_DIR: Mutex<()> = Mutex::new(());

#[test]
fn guest_programs_match_expected_output() {
    // The optimisation level of the translation: VMTRANS_TEST_OPT (default 0, so that the whole
    // matrix translates within CI's time; `personality_programs_match_at_o2` and the benchmark
    // exercise -O2).
    let translate_level = std::env::var("VMTRANS_TEST_OPT").unwrap_or_else(|_| "0".into());
    let elsewhere = if translate_level == "2" { Vec::new() } else { o2_programs() };
    run_matrix(None, &OPT_LEVELS, &translate_level, elsewhere, None);
}

/// The programs listed in `o2-programs.txt`.
fn o2_programs() -> Vec<String> {
    let list_path = vmtrans_testsuite::suite_dir().join("o2-programs.txt");
    let list = fs::read_to_string(&list_path).unwrap_or_else(|error| panic!("{}: {error}", list_path.display()));
    list.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

/// The programs listed in `o2-programs.txt` (signals, faults, threads, timers, sockets: the racy parts of
/// the Linux personality), built at -O2 and translated at -O2 too, where LLVM's optimisations meet code
/// that races with signal handlers and other threads. They are linked into one multi-call executable,
/// which runs under qemu and is translated once (CI's time: one static C library to translate, not 18).
#[test]
fn personality_programs_match_at_o2() {
    run_matrix(Some(&o2_programs()), &[2], "2", Vec::new(), Some("o2-multicall"));
}

/// Runs the `selected` programs (every program when None) at each guest build level in `levels`,
/// translated at `translate_level` (except the -O2 builds of `translated_at_o2_elsewhere`), and
/// fails with every problem found. With a `multicall` name, the programs of each level are linked
/// into one executable of that name, translated once, and each case runs it under its own name.
fn run_matrix(
    selected: Option<&[String]>,
    levels: &[u8],
    translate_level: &str,
    translated_at_o2_elsewhere: Vec<String>,
    multicall: Option<&str>,
) {
    let every_program = program_names().expect("testsuite/programs is readable");
    for name in selected.unwrap_or_default() {
        assert!(every_program.contains(name), "no program named {name:?} in testsuite/programs");
    }
    let all_programs = selected.unwrap_or(&every_program);
    let _turn = BUILD_DIR.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let qemu = find_in_path(QEMU).unwrap_or_else(|| panic!("{QEMU} is not installed (Debian package qemu-user)"));
    assert!(find_in_path(GUEST_CC).is_some(), "{GUEST_CC} is not installed (Debian package gcc-aarch64-linux-gnu)");
    if all_programs.iter().any(|name| program_source(name).1 == GUEST_CXX) {
        assert!(
            find_in_path(GUEST_CXX).is_some(),
            "{GUEST_CXX} is not installed (Debian package g++-aarch64-linux-gnu)"
        );
    }
    let setup = Setup {
        qemu,
        vmtrans: require_vmtrans(),
        stdin: guest_stdin().expect("testsuite/expected/stdin.txt is readable"),
        scratch: ScratchDir::new("programs").expect("a scratch directory can be created"),
        translate_level: translate_level.to_string(),
        qemu_wrong: qemu_wrong_programs().unwrap_or_else(|error| panic!("{error}")),
        translated_at_o2_elsewhere,
        multicalls: Vec::new(),
    };
    let setup = match multicall {
        Some(name) => Setup { multicalls: build_multicalls(&setup, name, all_programs, levels), ..setup },
        None => setup,
    };

    let filter = std::env::var("VMTRANS_TEST_FILTER").unwrap_or_default();
    let programs: Vec<String> = all_programs.iter().filter(|name| name.contains(filter.as_str())).cloned().collect();
    assert!(!programs.is_empty(), "no program name contains VMTRANS_TEST_FILTER={filter:?}");
    let known_text = fs::read_to_string(vmtrans_testsuite::suite_dir().join("known-failures.txt")).unwrap_or_default();
    let known = parse_known_failures(&known_text).unwrap_or_else(|error| panic!("{error}"));

    let cases: Vec<(String, u8)> =
        programs.iter().flat_map(|name| levels.iter().map(move |&level| (name.clone(), level))).collect();
    // A build that is byte for byte the one of a lower level (-O3 adds nothing to many programs) is
    // not translated and run again: its case takes the outcome of that one.
    // (A multi-call build is the same file for every program: no case is another's twin there.)
    let builds: Vec<Option<(PathBuf, u64)>> = parallel_map(&cases, |(program, level)| {
        if !setup.multicalls.is_empty() {
            return None;
        }
        let path = build_guest(program, *level).ok()?;
        let digest = content_hash(&fs::read(&path).ok()?);
        Some((path, digest))
    });
    let same_file = |a: &Path, b: &Path| fs::read(a).ok().is_some_and(|bytes| fs::read(b).ok() == Some(bytes));
    let twin_of: Vec<Option<usize>> = (0..cases.len())
        .map(|i| {
            let (path, digest) = builds[i].as_ref()?;
            (0..i).find(|&j| {
                cases[j].0 == cases[i].0
                    && builds[j].as_ref().is_some_and(|(other, d)| d == digest && same_file(other, path))
            })
        })
        .collect();
    let unique: Vec<usize> = (0..cases.len()).filter(|&i| twin_of[i].is_none()).collect();
    let mut ran: Vec<Option<CaseOutcome>> =
        parallel_map(&unique, |&i| run_case(&setup, &cases[i].0, cases[i].1)).into_iter().map(Some).collect();
    let mut outcome_of: Vec<Option<CaseOutcome>> = (0..cases.len()).map(|_| None).collect();
    for (k, &i) in unique.iter().enumerate() {
        outcome_of[i] = ran[k].take();
    }
    let mut same_build = 0;
    for i in 0..cases.len() {
        if let Some(j) = twin_of[i] {
            let twin = outcome_of[j].as_ref().expect("a twin ran before");
            let copy = CaseOutcome {
                program: cases[i].0.clone(),
                level: cases[i].1,
                oracle_failures: twin.oracle_failures.clone(),
                translated_failures: twin.translated_failures.clone(),
                translated_elsewhere: twin.translated_elsewhere,
                times: CaseTimes::default(),
            };
            outcome_of[i] = Some(copy);
            same_build += 1;
        }
    }
    let outcomes: Vec<CaseOutcome> = outcome_of.into_iter().map(|o| o.expect("every case has an outcome")).collect();

    let mut report = Vec::new();
    let (mut passed, mut failed, mut known_count, mut qemu_agreeing, mut elsewhere) = (0, 0, 0, 0, 0);
    for outcome in &outcomes {
        let case = format!("{} {}", outcome.program, level_label(outcome.level));
        let listed = known.iter().find(|entry| entry.covers(&outcome.program, outcome.level));
        if outcome.oracle_failures.is_empty() {
            qemu_agreeing += 1;
        }
        for problem in &outcome.oracle_failures {
            report.push(format!("FAIL {case} qemu: {problem}"));
        }
        let ok_so_far = outcome.oracle_failures.is_empty();
        if outcome.translated_elsewhere {
            elsewhere += 1;
            if !ok_so_far {
                failed += 1;
            }
            continue;
        }
        match (&outcome.translated_failures, listed) {
            (None, _) => failed += 1,
            (Some(problems), None) if problems.is_empty() => {
                if ok_so_far {
                    passed += 1;
                } else {
                    failed += 1;
                }
            }
            (Some(problems), Some(entry)) if problems.is_empty() => {
                failed += 1;
                report.push(format!(
                    "FAIL {case}: now passes, remove from known-failures (line {}: {})",
                    entry.line, entry.reason
                ));
            }
            (Some(problems), None) => {
                failed += 1;
                report.extend(problems.iter().map(|problem| format!("FAIL {case} translated: {problem}")));
            }
            (Some(_), Some(_)) => {
                if ok_so_far {
                    known_count += 1;
                } else {
                    failed += 1;
                }
            }
        }
    }
    report.extend(check_known_entries(&known, &every_program));
    for (name, _) in setup.qemu_wrong.iter().filter(|(name, _)| !every_program.contains(name)) {
        report.push(format!("FAIL qemu-wrong.txt: no program named {name:?}"));
    }

    for line in &report {
        eprintln!("{line}");
    }
    if let Err(message) = &setup.vmtrans {
        eprintln!("FAIL translated half of all {} cases not run: {message}", outcomes.len());
    }
    for (name, reason) in setup.qemu_wrong.iter().filter(|(name, _)| programs.contains(name)) {
        eprintln!("qemu half not run for {name} (qemu-wrong.txt): {reason}");
    }
    eprintln!("qemu half: {qemu_agreeing} of {} cases agree with the expected files", outcomes.len());
    for multicall in &setup.multicalls {
        eprintln!(
            "multi-call build at {} translated once in {:.0} s",
            level_label(multicall.level),
            multicall.translate_time.as_secs_f64()
        );
    }
    if same_build > 0 {
        eprintln!(
            "{same_build} cases are byte-identical builds of a lower level of the same program and share its outcome"
        );
    }
    if elsewhere > 0 {
        eprintln!(
            "{elsewhere} cases (-O2 builds of o2-programs.txt) ran their qemu half only: personality_programs_match_at_o2 \
             translates their code (in its multi-call build)"
        );
    }
    report_times(multicall.unwrap_or("matrix"), &outcomes);
    let filtered = if filter.is_empty() { String::new() } else { format!(" (VMTRANS_TEST_FILTER={filter:?})") };
    let summary = format!(
        "programs (translated at -O{translate_level}): {passed} passed, {failed} failed, {known_count} known failures{filtered}"
    );
    eprintln!("{summary}");

    if let Err(message) = &setup.vmtrans {
        panic!("{message}");
    }
    assert!(failed == 0 && report.is_empty(), "{summary}; see the FAIL lines above");
}

/// Prints where the matrix's time went: the sum of each step over all cases and the slowest cases,
/// which is what to look at when CI's time grows; every case's times go to
/// `testsuite/build/<name>.times`.
fn report_times(name: &str, outcomes: &[CaseOutcome]) {
    const SLOWEST: usize = 8;
    let seconds = |d: Duration| d.as_secs_f64();
    let sum = outcomes.iter().fold(CaseTimes::default(), |sum, o| CaseTimes {
        qemu: sum.qemu + o.times.qemu,
        translate: sum.translate + o.times.translate,
        native: sum.native + o.times.native,
    });
    eprintln!(
        "time summed over cases ({WORKERS} run at once): qemu {:.0} s, translation {:.0} s, translated runs {:.0} s",
        seconds(sum.qemu),
        seconds(sum.translate),
        seconds(sum.native)
    );
    let mut slowest: Vec<&CaseOutcome> = outcomes.iter().collect();
    slowest.sort_by_key(|o| std::cmp::Reverse(o.times.total()));
    // A case and its three times, with `gap` between the fields.
    let line = |o: &CaseOutcome, gap: &str| {
        let t = o.times;
        let (q, tr, n) = (seconds(t.qemu), seconds(t.translate), seconds(t.native));
        format!("{}{gap}{}{gap}{q:.2}{gap}{tr:.2}{gap}{n:.2}", o.program, level_label(o.level))
    };
    let listed: Vec<String> = slowest.iter().take(SLOWEST).map(|o| line(o, " ")).collect();
    eprintln!(
        "slowest cases (program, level, then seconds of qemu, translation, translated run): {}",
        listed.join(", ")
    );
    // Every case's times, slowest first, for a closer look (testsuite/build is not committed).
    let table: String = slowest.iter().map(|o| line(o, "\t") + "\n").collect();
    let _ = fs::write(vmtrans_testsuite::suite_dir().join("build").join(format!("{name}.times")), table);
}

/// Applies `f` to every item on `WORKERS` threads and returns the results in item order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(index) else {
                    break;
                };
                let result = f(item);
                results.lock().unwrap_or_else(|poisoned| poisoned.into_inner())[index] = Some(result);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .into_iter()
        .map(|result| result.expect("every item was processed"))
        .collect()
}

/// Builds the multi-call executable `name` of `programs` at each of `levels` and translates each
/// once at the setup's level (one translation at a time: each uses every core).
fn build_multicalls(setup: &Setup, name: &str, programs: &[String], levels: &[u8]) -> Vec<Multicall> {
    levels
        .iter()
        .map(|&level| {
            let guest =
                build_multicall(name, programs, level).map_err(|problem| format!("multi-call build: {problem}"));
            let (native, translate_time) = match (&guest, &setup.vmtrans) {
                (Ok(guest), Ok(vmtrans)) => match translate(setup, vmtrans, guest) {
                    Ok((native, time)) => (Ok(native), time),
                    Err(problem) => (Err(format!("multi-call translation: {problem}")), Duration::ZERO),
                },
                (Err(problem), _) => (Err(problem.clone()), Duration::ZERO),
                (_, Err(problem)) => (Err(problem.clone()), Duration::ZERO),
            };
            Multicall { level, guest, native, translate_time }
        })
        .collect()
}

/// Builds, runs under qemu, translates and runs natively one (program, level) case.
fn run_case(setup: &Setup, program: &str, level: u8) -> CaseOutcome {
    let translated_elsewhere = level == 2 && setup.translated_at_o2_elsewhere.iter().any(|name| name == program);
    let mut outcome = CaseOutcome {
        program: program.to_string(),
        level,
        oracle_failures: Vec::new(),
        translated_failures: None,
        translated_elsewhere,
        times: CaseTimes::default(),
    };
    let expected = match read_expected(program) {
        Ok(expected) => expected,
        Err(problem) => {
            outcome.oracle_failures.push(problem);
            outcome.translated_failures = setup.vmtrans.as_ref().ok().map(|_| vec!["not run".to_string()]);
            return outcome;
        }
    };
    let work_dir = setup.scratch.path().join(format!("{program}.{}", level_label(level)));
    if let Err(error) = fs::create_dir_all(&work_dir) {
        outcome.oracle_failures.push(format!("cannot create {}: {error}", work_dir.display()));
        return outcome;
    }
    let multicall = setup.multicalls.iter().find(|multicall| multicall.level == level);
    // A multi-call build runs this case's program under the program's name.
    let guest = match multicall {
        Some(multicall) => multicall.guest.clone().and_then(|guest| {
            let link = work_dir.join(format!("{program}.{}", level_label(level)));
            link_as(&guest, &link).map(|()| link)
        }),
        None => build_guest(program, level).map_err(|problem| format!("build: {problem}")),
    };
    let guest = match guest {
        Ok(guest) => guest,
        Err(problem) => {
            outcome.oracle_failures.push(problem);
            outcome.translated_failures = setup.vmtrans.as_ref().ok().map(|_| vec!["not run".to_string()]);
            return outcome;
        }
    };

    // Programs qemu gets wrong (qemu-wrong.txt) have the native build and the man pages as their oracle.
    if !setup.qemu_wrong.iter().any(|(name, _)| name == program) {
        let qemu_run = run_with_limit(guest_command(&[&setup.qemu], &guest, &[], &work_dir), &setup.stdin, RUN_LIMIT);
        match qemu_run {
            Ok(run) => {
                outcome.times.qemu = run.elapsed;
                outcome.oracle_failures.extend(expected.differences(&run, RUN_LIMIT));
            }
            Err(error) => outcome.oracle_failures.push(format!("cannot run {QEMU}: {error}")),
        }
    }

    if let Ok(vmtrans) = &setup.vmtrans {
        if !translated_elsewhere {
            let native = match multicall {
                Some(multicall) => multicall.native.clone().and_then(|native| {
                    let link =
                        work_dir.join(format!("{program}.{}.t{}.native", level_label(level), setup.translate_level));
                    link_as(&native, &link).map(|()| link)
                }),
                None => translate(setup, vmtrans, &guest).map(|(native, time)| {
                    outcome.times.translate = time;
                    native
                }),
            };
            outcome.translated_failures = Some(match native {
                Ok(native) => run_translated(setup, &native, &expected, &work_dir, &mut outcome.times),
                Err(problem) => vec![problem],
            });
        }
    }
    outcome
}

/// Translates `guest` at the setup's level into `<guest>.t<level>.native` and returns that path and
/// the time it took, or the problem.
fn translate(setup: &Setup, vmtrans: &Path, guest: &Path) -> Result<(PathBuf, Duration), String> {
    let mut native_name = guest.as_os_str().to_owned();
    native_name.push(format!(".t{}.native", setup.translate_level));
    let native = PathBuf::from(native_name);
    // A stale result from an earlier run must never be tested in place of a fresh translation.
    let _ = fs::remove_file(&native);
    let mut translate = Command::new(vmtrans);
    translate.arg(guest).arg("-o").arg(&native).arg(format!("-O{}", setup.translate_level));
    let translation = run_with_limit(translate, b"", TRANSLATE_LIMIT)
        .map_err(|error| format!("cannot run {}: {error}", vmtrans.display()))?;
    if translation.timed_out {
        return Err(format!("translation timed out after {}s", TRANSLATE_LIMIT.as_secs()));
    }
    if translation.status != 0 {
        return Err(format!(
            "translation failed with status {}: {}",
            translation.status,
            first_line(&translation.stderr)
        ));
    }
    if !native.is_file() {
        return Err(format!("vmtrans exited 0 but did not write {}", native.display()));
    }
    Ok((native, translation.elapsed))
}

/// Runs the translated program with VMTRANS_STATS=1 and returns the problems found; its time goes
/// to `times`.
fn run_translated(
    setup: &Setup,
    native: &Path,
    expected: &Expected,
    work_dir: &Path,
    times: &mut CaseTimes,
) -> Vec<String> {
    let run =
        match run_with_limit(guest_command(&[], &native, &[("VMTRANS_STATS", "1")], work_dir), &setup.stdin, RUN_LIMIT)
        {
            Ok(run) => run,
            Err(error) => return vec![format!("cannot run {}: {error}", native.display())],
        };
    times.native = run.elapsed;
    let mut problems = expected.differences(&run, RUN_LIMIT);
    // A program killed by a signal may die before the runtime can print its statistics.
    let died_by_signal = run.status >= 128 || run.timed_out;
    match parse_fallback_insns(&run.stderr) {
        Some(0) => {}
        Some(count) => {
            problems.push(format!("{count} instructions ran in the fallback engine (fallback_insns={count})"))
        }
        None if died_by_signal => {}
        None => problems.push("no `vmtrans-stats: fallback_insns=<N>` line on stderr".to_string()),
    }
    problems
}

/// Entries of known-failures.txt naming programs that do not exist are errors; so are duplicate entries.
fn check_known_entries(known: &[KnownFailure], programs: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in known {
        if !programs.contains(&entry.program) {
            problems.push(format!("FAIL known-failures.txt:{}: no program named {:?}", entry.line, entry.program));
        }
        if !seen.insert((entry.program.clone(), entry.level)) {
            problems.push(format!("FAIL known-failures.txt:{}: duplicate entry", entry.line));
        }
    }
    problems
}

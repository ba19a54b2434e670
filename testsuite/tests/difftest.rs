//! The instruction-level differential test: random cases of every instruction class, from the
//! fixed seeds in testsuite/difftest/seeds.txt, run under qemu-aarch64, through the lifter and
//! interpreter (whole blocks and one instruction per block), and translated by vmtrans (the
//! oracle's harness program, translated and run natively). Fails on any mismatch not
//! listed in testsuite/difftest/known-failures.txt; cases that hit unimplemented instructions
//! are counted apart. Also checks the harness itself and the generators' encodings, and hosts
//! the soak run of scripts/difftest-soak.sh (active only when DIFFTEST_SOAK is set).
//!
//! Environment: FPSR is compared for the translated program unless DIFFTEST_FPSR=0;
//! DIFFTEST_INTERP_FPSR=1 compares the interpreter engines' FPSR too (off by default: the
//! interpreter's flags come from the Rust code that computes it, see docs/isa-coverage.md);
//! DIFFTEST_FPCR=1 draws a random FPCR (rounding mode and flush-to-zero) for half of the cases, off
//! by default, as flush-to-zero still differs from qemu-aarch64 in known places (IDC);
//! DIFFTEST_CLASSES=a,b limits the classes; DIFFTEST_VERBOSE=1 prints every report;
//! DIFFTEST_OPT=n translates at -On (default 2); DIFFTEST_TRANSLATED=0 leaves the translated
//! engine out (quick runs while working on the lifter); DIFFTEST_INTERP=0 leaves the interpreter
//! engines out (to look at the translated engine alone).

use std::process::Command;

use vmtrans_testsuite::difftest::candidate::{Engine, InterpBlocks, InterpSingle, Outcome};
use vmtrans_testsuite::difftest::case::{Case, MachineState, WINDOW_ADDR};
use vmtrans_testsuite::difftest::compare::CompareOptions;
use vmtrans_testsuite::difftest::gen::{self, Class};
use vmtrans_testsuite::difftest::runner::{self, KnownFailures, RunOptions};
use vmtrans_testsuite::difftest::translated::{run_translated, Translation};
use vmtrans_testsuite::difftest::{oracle, Rng};

/// Cases of every class per seed of seeds.txt.
const CASES_PER_SEED: usize = 25;

const SEEDS: &str = include_str!("../difftest/seeds.txt");
const KNOWN: &str = include_str!("../difftest/known-failures.txt");

/// The oracle's tools must be there: a differential test without its oracle would pass while
/// checking nothing. (scripts/install-deps.sh installs them.)
fn require_tools() {
    assert!(oracle::available(), "qemu-aarch64 or the aarch64 binutils are not installed: run scripts/install-deps.sh");
}

/// The translated engine runs unless DIFFTEST_TRANSLATED=0 (for quick interpreter-only runs while
/// working on the lifter); then the vmtrans binary must be there.
fn translation() -> Option<Translation> {
    if std::env::var("DIFFTEST_TRANSLATED").is_ok_and(|v| v == "0") {
        return None;
    }
    Some(Translation::from_env().expect("the translated engine needs vmtrans"))
}

fn selected_classes() -> Vec<Class> {
    let all = gen::classes();
    match std::env::var("DIFFTEST_CLASSES") {
        Ok(list) if !list.is_empty() => {
            let wanted: Vec<&str> = list.split(',').map(str::trim).collect();
            // A misspelt name would otherwise make a soak that runs nothing and passes.
            let unknown: Vec<&str> = wanted.iter().copied().filter(|w| !all.iter().any(|c| c.name == *w)).collect();
            assert!(
                unknown.is_empty(),
                "DIFFTEST_CLASSES names no class {unknown:?}; the classes are {:?}",
                all.iter().map(|c| c.name).collect::<Vec<_>>()
            );
            all.into_iter().filter(|c| wanted.contains(&c.name)).collect()
        }
        _ => all,
    }
}

fn options() -> RunOptions {
    let fpsr = !std::env::var("DIFFTEST_FPSR").is_ok_and(|v| v == "0");
    let interpreter_fpsr = std::env::var("DIFFTEST_INTERP_FPSR").is_ok_and(|v| v == "1");
    let verbose = std::env::var("DIFFTEST_VERBOSE").is_ok_and(|v| v == "1");
    let interpreters = !std::env::var("DIFFTEST_INTERP").is_ok_and(|v| v == "0");
    let mut opts =
        RunOptions { compare: CompareOptions { fpsr }, interpreters, interpreter_fpsr, ..RunOptions::default() };
    if verbose {
        opts.reports_per_class = usize::MAX;
    }
    opts
}

fn print_summary(summary: &runner::Summary) {
    for r in &summary.oracle_fault_reports {
        println!("{r}");
    }
    for r in &summary.reports {
        println!("{r}");
    }
    println!("{}", summary.table());
}

#[test]
fn differential_against_qemu() {
    require_tools();
    let seeds = runner::parse_seeds(SEEDS);
    assert!(!seeds.is_empty(), "seeds.txt lists no seeds");
    let cases = runner::generate(&selected_classes(), &seeds, CASES_PER_SEED);
    let how = translation();
    let summary = runner::run(
        &cases,
        &KnownFailures::parse(KNOWN).expect("testsuite/difftest/known-failures.txt"),
        how.as_ref(),
        options(),
    )
    .expect("oracle run");
    print_summary(&summary);
    // The encoding sweeps draw unallocated words and `ldst-misaligned` unaligned ordered accesses
    // on purpose; every other generator draws only cases that qemu runs to the end.
    let faults: usize = summary
        .stats
        .iter()
        .filter(|(class, _)| !gen::kills_qemu_on_purpose(class))
        .map(|(_, s)| s.oracle_faults)
        .sum();
    assert_eq!(faults, 0, "cases killed qemu-aarch64: a generator draws invalid cases");
    let misaligned_faults = summary.stats.get(gen::ldst::MISALIGNED).map_or(0, |s| s.oracle_faults);
    assert!(misaligned_faults > 0, "no misaligned access made qemu-aarch64 fault: the class tests nothing");
    assert_eq!(summary.mismatches(), 0, "mismatches against qemu-aarch64 (see the reports above)");
}

/// Shrinks a soak case that mismatches in the translated program (scripts/difftest-reduce.sh):
/// DIFFTEST_REDUCE="SEED CLASS CASE" names it as a soak report's "reproduce" line does; the case is
/// regenerated, and instructions are dropped one at a time while the rest still mismatches
/// (FPSR compared). Prints the smallest sequence found and its initial state. Does nothing
/// without DIFFTEST_REDUCE.
#[test]
fn reduce() {
    let Ok(spec) = std::env::var("DIFFTEST_REDUCE") else { return };
    require_tools();
    let words: Vec<&str> = spec.split_whitespace().collect();
    let [seed, class, index] = words[..] else { panic!("DIFFTEST_REDUCE is \"SEED CLASS CASE\", not {spec:?}") };
    let seed = runner::parse_seeds(seed).first().copied().expect("a seed");
    let class = gen::class(class).unwrap_or_else(|| panic!("no class {class}"));
    let index: usize = index.trim_start_matches('#').parse().expect("a case number");
    let how = translation().expect("reducing needs the translated engine");
    let mismatching = |cases: &[Case]| -> Vec<bool> {
        let tagged: Vec<runner::Tagged> = cases
            .iter()
            .enumerate()
            .map(|(i, case)| runner::Tagged { case: case.clone(), origin: format!("variant<{i}>") })
            .collect();
        let opts = RunOptions { interpreters: false, reports_per_class: usize::MAX, ..options() };
        let s = runner::run_engines(&tagged, &[], Some(&how), &KnownFailures::default(), opts).expect("oracle run");
        (0..cases.len()).map(|i| s.reports.iter().any(|r| r.contains(&format!("variant<{i}>")))).collect()
    };
    let mut case = gen::generate(&class, seed, index + 1).pop().expect("the case");
    assert!(mismatching(std::slice::from_ref(&case))[0], "the case does not mismatch in the translated program");
    while case.code.len() > 1 {
        let shorter: Vec<Case> = (0..case.code.len())
            .map(|i| {
                let mut c = case.clone();
                c.code.remove(i);
                c
            })
            .collect();
        match mismatching(&shorter).iter().position(|&m| m) {
            Some(i) => case = shorter[i].clone(),
            None => break,
        }
    }
    for &word in &case.code {
        println!("{word:08x}  {}", vmtrans_ir::a64::disassemble(word));
    }
    println!("initial state: {:x?}", case.init);
}

/// The soak run with a fresh random seed: DIFFTEST_CASES per class (default 200 in an ordinary
/// test run, 100000 with DIFFTEST_SOAK=1 as scripts/difftest-soak.sh sets), DIFFTEST_SEED
/// (default: from the clock; printed either way, so a failure can be reproduced).
#[test]
fn soak() {
    require_tools();
    let default_cases = if std::env::var("DIFFTEST_SOAK").is_ok() { 100_000 } else { 200 };
    let cases: usize = std::env::var("DIFFTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    let seed: u64 = match std::env::var("DIFFTEST_SEED").ok().and_then(|v| runner::parse_seeds(&v).first().copied()) {
        Some(s) => s,
        None => {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1)
        }
    };
    println!("difftest soak: DIFFTEST_SEED={seed:#x} DIFFTEST_CASES={cases}");
    let known = KnownFailures::parse(KNOWN).expect("testsuite/difftest/known-failures.txt");
    let how = translation();
    let mut total = runner::Summary::default();
    // One class at a time, in chunks, so that memory stays bounded and progress shows.
    for class in selected_classes() {
        let mut done = 0;
        let mut rng = Rng::new(seed ^ gen::name_hash(class.name));
        while done < cases {
            let n = (cases - done).min(runner::BATCH * 4);
            let chunk: Vec<runner::Tagged> = (done..done + n)
                .map(|i| runner::Tagged {
                    case: gen::generate_one(&class, &mut rng),
                    origin: format!("soak seed {seed:#x} class {} case #{i}", class.name),
                })
                .collect();
            let s = runner::run(&chunk, &known, how.as_ref(), options()).expect("oracle run");
            for (k, v) in s.stats {
                total.stats.entry(k).or_default().add(&v);
            }
            for (k, v) in s.unsupported {
                *total.unsupported.entry(k).or_default() += v;
            }
            let kept = if std::env::var("DIFFTEST_VERBOSE").is_ok_and(|v| v == "1") { usize::MAX } else { 3 };
            let room = kept.saturating_sub(total.reports.len());
            total.reports.extend(s.reports.into_iter().take(room));
            total.oracle_fault_reports.extend(s.oracle_fault_reports.into_iter().take(3));
            done += n;
        }
        let c = total.stats.get(class.name).copied().unwrap_or_default();
        println!(
            "{:<18} cases {} passed {} unsupported {} known {} mismatches {} oracle-faults {} insns {}",
            class.name, c.cases, c.passed, c.unsupported, c.known, c.mismatches, c.oracle_faults, c.insns
        );
    }
    print_summary(&total);
    println!("difftest soak: DIFFTEST_SEED={seed:#x} DIFFTEST_CASES={cases}");
    assert_eq!(total.mismatches(), 0, "mismatches against qemu-aarch64 (see the reports above)");
}

/// A case with no instructions must come back exactly as it went in: the harness loads and
/// stores every compared location faithfully.
#[test]
fn harness_round_trips_the_state() {
    require_tools();
    let mut rng = Rng::new(42);
    let cases: Vec<Case> =
        (0..20).map(|_| Case { class: "empty", code: vec![], init: gen::random_state(&mut rng) }).collect();
    let results = oracle::run_batch(&cases).expect("oracle run");
    for (case, got) in cases.iter().zip(results) {
        assert_eq!(got.as_ref(), Some(&case.init));
    }
}

/// The translated harness round-trips the state too, and computes what qemu computes on the
/// hand-checked cases below (so the translated engine is wired to real results).
#[test]
fn translated_harness_round_trips_the_state() {
    require_tools();
    let how = Translation::from_env().expect("the translated engine needs vmtrans");
    let mut rng = Rng::new(43);
    let mut cases: Vec<Case> =
        (0..20).map(|_| Case { class: "empty", code: vec![], init: gen::random_state(&mut rng) }).collect();
    // add x0, x1, x2 and a faulting load (ldr x0, [x0] with x0 = 0) followed by one more case.
    let mut init = MachineState::default();
    init.x[1] = 5;
    init.x[2] = 7;
    cases.push(Case { class: "hand", code: vec![0x8b02_0020], init: init.clone() });
    cases.push(Case { class: "hand", code: vec![0xf940_0000], init: init.clone() });
    cases.push(Case { class: "hand", code: vec![0x8b02_0020], init });
    let program = oracle::HarnessProgram::build(&cases).expect("harness");
    let results = run_translated(&program, &cases, &how).expect("translated run");
    for (case, got) in cases.iter().zip(&results).take(20) {
        assert_eq!(got.as_ref(), Some(&case.init));
    }
    assert_eq!(results[20].as_ref().map(|s| s.x[0]), Some(12));
    assert!(results[21].is_none(), "a faulting case kills the translated program");
    assert_eq!(results[22].as_ref().map(|s| s.x[0]), Some(12));
}

/// FPCR's controls change results, and the translated program follows them: hand-made cases from
/// random-FPCR soak mismatches (flush-to-zero: FMLA and FMULX of a denormal times infinity, FMIN
/// and FMINNM of a denormal with itself; FRECPE of tiny halves under each directed rounding mode;
/// constants rounded under FZ and a directed rounding mode), compared with qemu-aarch64 on every
/// register (FPSR aside: IDC is not emulated).
#[test]
fn translated_program_follows_fpcr_controls() {
    require_tools();
    let Some(how) = translation() else { return };
    const FZ: u64 = 1 << 24;
    let rmode = |mode: u64| mode << 22;
    let hand = |code: u32, fpcr: u64, vectors: &[(usize, u128)]| hand_case(&[code], fpcr, vectors);
    let denormals = 0x0000_0000_0000_2000_0000_0400_0000_0000u128;
    let infinity_and_quiet_nan = 0xfff0_0000_0000_0000_7ff0_0000_0000_0000u128;
    let cases = vec![
        // fmla v26.2d, v15.2d, v0.d[1]: a flushed factor times infinity plus a quiet NaN.
        hand(
            0x4fc0_19fa,
            FZ | rmode(2),
            &[(15, denormals), (0, infinity_and_quiet_nan), (26, 0x7ff8_0000_0000_0001 << 64 | 0xffff_ffff_ffff_fffe)],
        ),
        // fmulx v23.2d, v13.2d, v2.2d: a flushed factor times infinity is 2.0.
        hand(0x4e62_ddb7, FZ | rmode(3), &[(13, denormals), (2, infinity_and_quiet_nan)]),
        // fmin d14, d1, d1 and fminnm v3.2d, v2.2d, v2.2d of denormals.
        hand(0x1e61_582e, FZ, &[(1, 0x1000_0000)]),
        hand(0x4ee2_c443, FZ | rmode(2), &[(2, 0x0000_0000_d6af_5187_0000_0000_8000_0000)]),
        // frecpe v23.4h, v0.4h of tiny halves of both signs, towards plus, minus infinity and zero.
        hand(0x0ef9_d817, rmode(1), &[(0, 0x8001_0001_8002_0002)]),
        hand(0x0ef9_d817, rmode(2), &[(0, 0x8001_0001_8002_0002)]),
        hand(0x0ef9_d817, rmode(3), &[(0, 0x8001_0001_8002_0002)]),
        // Rounding a constant, which LLVM would do at translation time as if FPCR were zero:
        // fmov s28, #-2.25; fcvtps w19, d28 (d28 is then a positive denormal: 0 under FZ, not 1);
        // fmov s24, #-0.359375; fcvtpu w4, d24 likewise; fmov d0, #2.5; frinti d1, d0 towards plus
        // infinity (3.0, not the 2.0 of rounding to nearest).
        hand_case(&[0x1e30_501c, 0x1e68_0393], FZ, &[]),
        hand_case(&[0x1e3a_f018, 0x1e69_0304], FZ | rmode(1), &[]),
        hand_case(&[0x1e60_9000, 0x1e67_c001], rmode(1), &[]),
    ];
    assert_translated_matches(&how, &cases, false);
}

/// Default-NaN mode (FPCR.DN) against qemu-aarch64, in the translated program and both
/// interpreter engines: every kind of float result that can be a NaN (arithmetic, FMAX/FMIN on a
/// two-lane vector, conversions between all three precisions, FCVTL/FCVTN/FCVTXN, the estimates,
/// FRECPX, rounding, square root, fused multiply-add, half-precision arithmetic) from signalling
/// and quiet NaN operands with payloads, which DN must turn into the positive default NaN; and a
/// write of FPCR.DN in the middle of a function, which the operations after it must see (also
/// when FPCR is written again before anything else reads it). FPSR is compared (a signalling NaN
/// still raises IOC).
#[test]
fn programs_follow_default_nan_mode() {
    require_tools();
    const DN: u64 = 1 << 25;
    let vectors: &[(usize, u128)] = &[
        (1, 0x7ff0_0000_0000_abcd),
        (2, 0x3ff0_0000_0000_0000),
        (4, 0x4000_0000_ffc0_1234_3f80_0000_7f80_abcd),
        (5, 0x7f80_0001_4000_0000_7fc0_0042_3f80_0000),
        (7, 0x7ff8_0001_ffc0_1234),
        (9, 0x7fc0_7e55),
        (11, 0x7f80_abcd_ffc0_1234_7e55_3c00_fe12_7c01),
        (13, 0xfff0_0000_0000_0001),
        (15, 0x7f80_0001_4000_0000_7fc0_0042_3f80_0000),
        (17, 0x7f80_7c05),
        (19, 0xfff8_0000_7fa0_0000),
        (21, 0x3ff0_0000_0000_0000),
        (22, 0x4000_0000_0000_0000),
        (23, 0x7ff8_0000_0000_0077),
        (25, 0x3c00_7e00_4000_fe12_4000_fe12_3c00_7c01),
        (26, 0xfc01_4000_7e33_3c00_fc01_4000_7e33_3c00),
        (28, 0x7ff8_0000_0000_0099),
        (29, 0x3ff0_0000_0000_0000),
    ];
    let codes: &[u32] = &[
        0x1e62_2820, // fadd d0, d1, d2
        0x4e25_f483, // fmax v3.4s, v4.4s, v5.4s
        0x0ea5_f483, // fmin v3.2s, v4.2s, v5.2s
        0x1e62_40e6, // fcvt s6, d7
        0x1e22_c0e6, // fcvt d6, s7
        0x1e23_c128, // fcvt h8, s9
        0x1ee2_c128, // fcvt d8, h9
        0x0e21_796a, // fcvtl v10.4s, v11.4h
        0x0e21_696a, // fcvtn v10.4h, v11.4s
        0x0e61_788a, // fcvtl v10.2d, v4.2s
        0x7e61_69ac, // fcvtxn s12, d13
        0x4ea1_d9ee, // frecpe v14.4s, v15.4s
        0x7ee1_d9ee, // frsqrte d14, d15
        0x5ea1_fa30, // frecpx s16, s17
        0x5ef9_fa30, // frecpx h16, h17
        0x1e67_4272, // frintx d18, d19
        0x1e21_c272, // fsqrt s18, s19
        0x1f56_5eb4, // fmadd d20, d21, d22, d23
        0x1efa_2b38, // fadd h24, h25, h26
        0x4e5a_1f38, // fmulx v24.8h, v25.8h, v26.8h
    ];
    let mut cases: Vec<runner::Tagged> = codes.iter().map(|&code| hand_case(&[code], DN, vectors)).collect();
    // mov x0, #0x2000000; msr fpcr, x0; fnmul d27, d28, d29 (FNMUL negates the default NaN).
    cases.push(hand_case(&[0xd2a0_4000, 0xd51b_4400, 0x1e7d_8b9b], 0, vectors));
    // The same write, then fadd d0, d1, d2 and msr fpcr, xzr: the first write is read only by
    // the addition (a pass that removes unread register writes must see that).
    cases.push(hand_case(&[0xd2a0_4000, 0xd51b_4400, 0x1e62_2820, 0xd51b_441f], 0, vectors));
    // The same codes without DN still propagate the operands' NaNs.
    cases.extend(codes.iter().map(|&code| hand_case(&[code], 0, vectors)));
    assert_all_engines_match(&cases, true, "mismatches against qemu-aarch64");
}

/// The alternative half-precision format (FPCR.AHP) against qemu-aarch64, in the translated
/// program and both interpreter engines, FPSR compared: conversions to half of NaNs (zero),
/// infinities and values beyond 131008 (the largest magnitude, IOC), of a value that rounds into
/// the format's largest exponent, and of a tie that rounds up past it (or not, towards zero);
/// conversions from half of the largest exponent's numbers (scalar and FCVTL), FCVTN of a vector;
/// with DN set as well (AHP has no NaNs to make default); and half arithmetic and SCVTF, which
/// ignore AHP.
#[test]
fn programs_follow_alternative_half_precision() {
    require_tools();
    const AHP: u64 = 1 << 26;
    const DN: u64 = 1 << 25;
    let towards_zero = 3 << 22;
    let fcvt_h_s = 0x1e23_c128; // fcvt h8, s9
    let fcvt_h_d = 0x1e63_c128; // fcvt h8, d9
    let fcvt_s_h = 0x1ee2_4128; // fcvt s8, h9
    let fcvt_d_h = 0x1ee2_c128; // fcvt d8, h9
    let fcvtl = 0x0e21_796a; // fcvtl v10.4s, v11.4h
    let fcvtn = 0x0e21_696a; // fcvtn v10.4h, v11.4s
    let fadd_h = 0x1efa_2b38; // fadd h24, h25, h26
    let scvtf_h = 0x1ee2_0020; // scvtf h0, w1
    let mut cases = Vec::new();
    for fpcr in [AHP, AHP | DN, AHP | towards_zero] {
        for single in [0x7fc0_0001u128, 0x7f80_0001, 0xff80_0000, 0x4788_b800, 0x4808_0000, 0x47ff_f000, 0x3380_0000] {
            cases.push(hand_case(&[fcvt_h_s], fpcr, &[(9, single)]));
        }
        cases.push(hand_case(&[fcvt_h_d], fpcr, &[(9, 0x40f1_1700_0000_0000)]));
        cases.push(hand_case(&[fcvt_h_d], fpcr, &[(9, 0xfff0_0000_0000_0000)]));
        for half in [0x7c01u128, 0xfe00, 0x7fff, 0x7c00] {
            cases.push(hand_case(&[fcvt_s_h], fpcr, &[(9, half)]));
            cases.push(hand_case(&[fcvt_d_h], fpcr, &[(9, half)]));
        }
        cases.push(hand_case(&[fcvtl], fpcr, &[(11, 0x7fff_fc00_7e55_3c00)]));
        cases.push(hand_case(&[fcvtn], fpcr, &[(11, 0x3f80_0000_47c3_5000_ffc0_0001_7f80_0000)]));
        cases.push(hand_case(&[fadd_h], fpcr, &[(25, 0x7c01), (26, 0x3c00)]));
    }
    let mut scvtf = hand_case(&[scvtf_h], AHP, &[]);
    scvtf.case.init.x[1] = 100_000;
    cases.push(scvtf);
    assert_all_engines_match(&cases, true, "mismatches against qemu-aarch64");
}

/// Flush-to-zero where the IR takes floats apart with integer operations, against qemu-aarch64 in
/// the translated program and both interpreter engines: FPCR.FZ16 on half-precision arithmetic
/// (a denormal operand is a zero; a denormal result is a zero with UFC and no IXC), compares,
/// FMAXNM, FMLA, FRINTP, FCVTPS and SCVTF, but not on conversions (FCVT to half keeps a denormal
/// half); FPCR.FZ on FRECPE/FRSQRTE (a denormal operand gives infinity with DZC, FRECPE of a
/// number from 2^126 up a zero with UFC), on FCVT's single operand and on FCVTXN's result (a
/// zero below the smallest normal single, even rounding to odd). FPSR is compared except
/// for the cases with FZ, where the host raises no IDC (a listed deviation).
#[test]
fn programs_follow_flush_to_zero_controls() {
    require_tools();
    const FZ: u64 = 1 << 24;
    const FZ16: u64 = 1 << 19;
    let up = 1 << 22;
    let half_cases = [
        (0x1efa_2b38, vec![(25, 0x0001u128), (26, 0x0000)]), // fadd h24, h25, h26
        (0x1ee2_0820, vec![(1, 0x0400), (2, 0x3800)]),       // fmul h0, h1, h2: a denormal product
        (0x1ee2_0820, vec![(1, 0x0401), (2, 0x3bff)]),       // the same, inexact
        (0x5ef9_d820, vec![(1, 0x8001)]),                    // frecpe h0, h1 of a denormal
        (0x5ef9_d820, vec![(1, 0x7400)]),                    // frecpe h0, h1 of 2^14
        (0x0ef9_d820, vec![(1, 0x7400_0001_7bff_83ff)]),     // frecpe v0.4h, v1.4h
        (0x1ee8_0020, vec![(1, 0x0001)]),                    // fcvtps w0, h1
        (0x1ee4_c020, vec![(1, 0x0001)]),                    // frintp h0, h1
        (
            0x4e42_0c20,
            vec![
                (0, 0x0001_3c00_0000_8000_0001_0001_0001_0001),
                (1, 0x3c00_0001_3800_3c00_0400_3800_0001_3c00),
                (2, 0x3c00_3c00_0001_0200_3800_0400_3c00_0001),
            ],
        ), // fmla v0.8h
        (0x7ec2_2420, vec![(1, 0x0002), (2, 0x0001)]),       // fcmgt h0, h1, h2
        (0x1ee2_6820, vec![(1, 0x0002), (2, 0x8001)]),       // fmaxnm h0, h1, h2
        (0x1e23_c020, vec![(1, 0x3580_0000)]),               // fcvt h0, s1: 2^-20 stays a denormal half
    ];
    let mut cases = Vec::new();
    for (code, vectors) in &half_cases {
        for fpcr in [FZ16, FZ16 | up] {
            cases.push(hand_case(&[*code], fpcr, vectors));
        }
    }
    // scvtf h0, w1, #16 of 1 (2^-16, a denormal half).
    let mut scvtf = hand_case(&[0x1ec2_c020], FZ16, &[]);
    scvtf.case.init.x[1] = 1;
    cases.push(scvtf);
    assert_all_engines_match(&cases, true, "FZ16 mismatches against qemu-aarch64");

    let single_cases = [
        (0x5ea1_d820, 0x0000_0001u128),       // frecpe s0, s1 of a denormal
        (0x5ea1_d820, 0x7e80_0000),           // frecpe s0, s1 of 2^126
        (0x7ee1_d820, 0x8000_0000_0000_0001), // frsqrte d0, d1 of a denormal
        (0x1e23_c020, 0x0000_0001),           // fcvt h0, s1 of a denormal (rounds up to 0x0001 unflushed)
        (0x7e61_6820, 0x37d0_0000_0000_0000), // fcvtxn s0, d1 of 2^-130 (a zero, not a denormal)
        (0x7e61_6820, 0x380f_ffff_ffff_ffff), // fcvtxn s0, d1 just below 2^-126
    ];
    let cases: Vec<runner::Tagged> = single_cases
        .iter()
        .flat_map(|&(code, v1)| [FZ, FZ | up].map(|fpcr| hand_case(&[code], fpcr, &[(1, v1)])))
        .collect();
    assert_all_engines_match(&cases, false, "FZ mismatches against qemu-aarch64");
}

/// Runs hand `cases` through qemu-aarch64, both interpreter engines and the translated program
/// (FPSR compared when `fpsr`) and asserts that every one agrees (`what` names the failure).
fn assert_all_engines_match(cases: &[runner::Tagged], fpsr: bool, what: &str) {
    let opts = RunOptions { compare: CompareOptions { fpsr }, ..options() };
    let summary = runner::run(cases, &KnownFailures::default(), translation().as_ref(), opts).expect("oracle run");
    print_summary(&summary);
    assert_eq!(summary.stats["hand"].passed, cases.len(), "{what} (see the reports above)");
}

/// A case of class "hand": `code` from a zeroed state with FPCR `fpcr` and the given vector
/// registers.
fn hand_case(code: &[u32], fpcr: u64, vectors: &[(usize, u128)]) -> runner::Tagged {
    let mut init = MachineState::default();
    init.fpcr = fpcr;
    for &(i, v) in vectors {
        init.v[i] = v;
    }
    runner::Tagged { case: Case { class: "hand", code: code.to_vec(), init }, origin: format!("hand case {code:08x?}") }
}

/// Runs `cases` through qemu-aarch64 and the translated program (FPSR compared when `fpsr`) and
/// asserts that every one agrees.
fn assert_translated_matches(how: &Translation, cases: &[runner::Tagged], fpsr: bool) {
    let opts = RunOptions { interpreters: false, compare: CompareOptions { fpsr }, ..options() };
    let summary = runner::run_engines(cases, &[], Some(how), &KnownFailures::default(), opts).expect("oracle run");
    print_summary(&summary);
    assert_eq!(summary.stats["hand"].passed, cases.len(), "mismatches against qemu-aarch64 (see the reports above)");
}

/// Mismatches that the generators' wider encodings (every opcode of the Advanced SIMD groups,
/// scalar forms, structure loads) found, kept as cases for the translated program and both
/// interpreter engines (FPSR compared for the translated one): FRSQRTS where `3 - a*b` overflows
/// but its half does not (vector single and double, scalar), SADDLP/UADALP into one 64-bit lane
/// (LLVM rejected the translation), UCVTF of a compare's all-ones result (LLVM folded the
/// conversion and its inexact flag away), and FCVTXN of a value just below the smallest normal
/// single rounded down to it (underflow is tested before rounding).
#[test]
fn programs_keep_what_the_wider_generators_found() {
    require_tools();
    let Some(how) = translation() else { return };
    let single_pair = 0xbfe8_ee88_4e34_ffb5u128;
    let single_max_pair = 0x7f7f_ffff_5d10_9275u128;
    let cases = vec![
        // frsqrts v11.4s, v7.4s, v15.4s; frsqrts v0.2d, v1.2d, v2.2d; frsqrts s0, s1, s2.
        hand_case(&[0x4eaf_fceb], 0, &[(7, single_pair), (15, single_max_pair)]),
        hand_case(&[0x4ee2_fc20], 0, &[(1, 0xbff8_0000_0000_0000), (2, 0x7fef_ffff_ffff_ffff)]),
        hand_case(&[0x5ea2_fc20], 0, &[(1, 0xbfe8_ee88), (2, 0x7f7f_ffff)]),
        // saddlp v0.1d, v1.2s; uadalp v3.1d, v4.2s.
        hand_case(&[0x0ea0_2820, 0x2ea0_6883], 0, &[(1, 0x8000_0000_ffff_ffff), (3, 5), (4, 0xffff_ffff_7fff_ffff)]),
        // fcmeq d22, d8, #0.0; ucvtf s30, s22.
        hand_case(&[0x5ee0_d916, 0x7e21_dade], 0, &[]),
        // fcvtxn s0, d1 of the largest double below -2^-126, rounding towards minus infinity.
        hand_case(&[0x7e61_6820], 2 << 22, &[(1, 0xb80f_ffff_ffff_ffff)]),
    ];
    let opts = RunOptions { compare: CompareOptions { fpsr: true }, ..options() };
    let summary =
        runner::run_engines(&cases, &[&InterpBlocks, &InterpSingle], Some(&how), &KnownFailures::default(), opts)
            .expect("oracle run");
    print_summary(&summary);
    assert_eq!(summary.stats["hand"].passed, cases.len(), "mismatches against qemu-aarch64 (see the reports above)");
}

/// Chains of float operations whose intermediate results only the next operation reads, or that
/// are stored, written to registers or compared, so that the translated program checks for a NaN
/// only at the chain's end or the block's and its cold path rebuilds the NaNs AArch64 makes and
/// stores and writes them again (translator/src/llvm/lower/deferred_nan.rs): a default NaN
/// made by an invalid operation (the host's is negative, Arm's positive) then meeting a quiet or a
/// signalling NaN, as first or second operand; two NaN operands where Arm prefers the signalling
/// one and the host the first; a fused multiply-add taking the chain as its addend or factor;
/// chains of three; square root; scalar and vector, single and double; FPCR.DN set; one chain of
/// numbers; a load of a stored NaN, a store over a stored NaN. Compared with qemu-aarch64, FPSR
/// and memory included.
#[test]
fn translated_nan_chains_are_exact() {
    require_tools();
    let Some(how) = translation() else { return };
    let (zero, one, two, inf) =
        (0u128, 0x3ff0_0000_0000_0000u128, 0x4000_0000_0000_0000u128, 0x7ff0_0000_0000_0000u128);
    let (quiet, quiet_other, signalling) =
        (0x7ff8_0000_0000_0123u128, 0xfff8_0000_0000_00aau128, 0x7ff0_0000_0000_0456u128);
    let (s_zero, s_one, s_inf, s_quiet, s_signalling) =
        (0u128, 0x3f80_0000u128, 0x7f80_0000u128, 0x7fc0_0123u128, 0x7f80_0456u128);
    let lanes = |l: [u128; 4]| l[0] | l[1] << 32 | l[2] << 64 | l[3] << 96;
    // fmul d0, d1, d2; fadd d0, d0, d3 (and fadd d0, d3, d0).
    let mul_add = [0x1e62_0820, 0x1e63_2800];
    let mul_add_swapped = [0x1e62_0820, 0x1e60_2860];
    let default_nan = 1 << 25;
    let cases = vec![
        hand_case(&mul_add, 0, &[(1, zero), (2, inf), (3, quiet)]),
        hand_case(&mul_add, 0, &[(1, zero), (2, inf), (3, signalling)]),
        hand_case(&mul_add, 0, &[(1, quiet_other), (2, signalling), (3, quiet)]),
        hand_case(&mul_add, 0, &[(1, one), (2, two), (3, one)]),
        hand_case(&mul_add, default_nan, &[(1, zero), (2, inf), (3, quiet)]),
        hand_case(&mul_add_swapped, 0, &[(1, zero), (2, inf), (3, quiet)]),
        hand_case(&mul_add_swapped, 0, &[(1, zero), (2, inf), (3, one)]),
        // fmul v0.2d, v1.2d, v2.2d; fadd v0.2d, v0.2d, v3.2d.
        hand_case(
            &[0x6e62_dc20, 0x4e63_d400],
            0,
            &[(1, zero | quiet << 64), (2, inf | one << 64), (3, one | signalling << 64)],
        ),
        // fmul d0, d1, d2; fmadd d0, d0, d4, d3 (the chain as a factor; d3 the addend).
        hand_case(&[0x1e62_0820, 0x1f44_0c00], 0, &[(1, zero), (2, inf), (3, quiet), (4, one)]),
        hand_case(&[0x1e62_0820, 0x1f44_0c00], 0, &[(1, zero), (2, inf), (3, two), (4, signalling)]),
        // fsub d0, d1, d2; fmul d0, d0, d3; fdiv d0, d0, d4.
        hand_case(&[0x1e62_3820, 0x1e63_0800, 0x1e64_1800], 0, &[(1, inf), (2, inf), (3, two), (4, signalling)]),
        hand_case(&[0x1e62_3820, 0x1e63_0800, 0x1e64_1800], 0, &[(1, inf), (2, inf), (3, two), (4, two)]),
        // fsqrt d0, d1; fadd d0, d0, d2 of -1.
        hand_case(&[0x1e61_c020, 0x1e62_2800], 0, &[(1, 0xbff0_0000_0000_0000), (2, one)]),
        // fmul v0.4s, v1.4s, v2.4s; fadd v0.4s, v0.4s, v3.4s.
        hand_case(
            &[0x6e22_dc20, 0x4e23_d400],
            0,
            &[
                (1, lanes([s_zero, s_quiet, s_one, 0x8000_0000])),
                (2, lanes([s_inf, s_one, s_signalling, 0xff80_0000])),
                (3, lanes([s_quiet, s_one, s_one, s_one])),
            ],
        ),
        // fmul v0.4s, v1.4s, v2.4s; fmla v0.4s, v1.4s, v2.4s (the chain as the addend).
        hand_case(
            &[0x6e22_dc20, 0x4e22_cc20],
            0,
            &[(1, lanes([s_zero, s_signalling, s_one, s_quiet])), (2, lanes([s_inf, s_one, s_quiet, s_signalling]))],
        ),
        // fmul s0, s1, s2; fadd s0, s3, s0.
        hand_case(&[0x1e22_0820, 0x1e20_2860], 0, &[(1, s_zero), (2, s_inf), (3, s_one)]),
        // Unchecked results stored, compared and written to registers, made again exactly on
        // the block's cold path: fmul d0, d1, d2; fadd d0, d0, d3; str d0, [sp].
        hand_case(&[0x1e62_0820, 0x1e63_2800, 0xfd00_03e0], 0, &[(1, zero), (2, inf), (3, quiet)]),
        hand_case(&[0x1e62_0820, 0x1e63_2800, 0xfd00_03e0], default_nan, &[(1, quiet_other), (2, one), (3, quiet)]),
        // fmul d0, d1, d2; str d0, [sp]; ldr d5, [sp] (the load must see the exact NaN).
        hand_case(&[0x1e62_0820, 0xfd00_03e0, 0xfd40_03e5], 0, &[(1, zero), (2, inf)]),
        // fmul d0, d1, d2; fcmp d0, d3.
        hand_case(&[0x1e62_0820, 0x1e63_2000], 0, &[(1, zero), (2, inf), (3, one)]),
        // fmul d0, d1, d2; str d0, [sp]; str d3, [sp] (the later store stays).
        hand_case(&[0x1e62_0820, 0xfd00_03e0, 0xfd00_03e3], 0, &[(1, zero), (2, inf), (3, two)]),
        // fmul v0.4s, v1.4s, v2.4s; str q0, [sp, #16]; fadd v4.4s, v0.4s, v3.4s.
        hand_case(
            &[0x6e22_dc20, 0x3d80_07e0, 0x4e23_d404],
            0,
            &[
                (1, lanes([s_zero, s_quiet, s_one, 0x8000_0000])),
                (2, lanes([s_inf, s_one, s_signalling, 0xff80_0000])),
                (3, lanes([s_quiet, s_one, s_one, s_signalling])),
            ],
        ),
    ];
    assert_translated_matches(&how, &cases, true);
}

/// What LLVM's optimiser would fold away with the exception flags or NaN quieting it assumes
/// nobody sees, from soak mismatches: a narrowing of a widened signalling NaN (FCVT d0, s10;
/// FCVT s20, d0 must quieten it and raise IOC), an FCMP of a signalling NaN whose flags only an
/// FCSEL with one register in both arms reads (its IOC must stay), identities on constant
/// operands that hold only for rounding to nearest or quiet NaNs, a narrowing moved across an
/// absolute value, an FCCMPE of a signalling NaN whose condition fails (it must raise
/// nothing), and a fused multiply-add of zeroed lanes in a directed rounding mode.
#[test]
fn translated_program_keeps_what_llvm_would_fold() {
    require_tools();
    let Some(how) = translation() else { return };
    let signalling_single = 0x7fa0_0001u128;
    let cases = vec![
        hand_case(&[0x1e22_c140, 0x1e62_4014], 0, &[(10, signalling_single)]),
        // fcmp d10, #0.0; fccmp s31, s0, #4, nv; fcsel d31, d4, d4, lt; fcmpe s13, #0.0
        hand_case(
            &[0x1e60_2148, 0x1e20_f7e4, 0x1e64_bc9f, 0x1e20_21b8],
            0,
            &[(31, signalling_single), (0, 0x1b20_437d)],
        ),
        // Identities that hold only when rounding to nearest or for quiet NaNs, on an operand
        // LLVM knows to be constant: fmov d2, xzr; fsub d0, d1, d2 of +0.0 towards minus
        // infinity (-0.0, not d1's +0.0), and fmov d2, #1.0; fmul d0, d1, d2 of a signalling
        // NaN (quietened, with IOC).
        hand_case(&[0x9e67_03e2, 0x1e62_3820], 2 << 22, &[]),
        hand_case(&[0x1e6e_1002, 0x1e62_0820], 0, &[(1, 0x7ff4_0000_0000_0001)]),
        // A narrowing of an absolute value, which LLVM turns into the absolute value of the
        // narrowing (wrong when rounding away from the sign): fabs d5, d23; fcvt s24, d5 of a
        // tiny negative double towards plus infinity is the smallest denormal single, not +0.0
        // (fp-unary #14732 of seed 0x2026113023).
        hand_case(&[0x1e60_c2e5, 0x1e62_40b8], 1 << 22, &[(23, 0x9444_93e3_7256_8ae6)]),
        // An FCCMPE whose condition fails (V clear) of a signalling NaN, its flags unread: LLVM
        // turned the compare of the zeros that stand in for its operands into a select of
        // compares and compared the NaN anyway (IOC). Minimal, then as the random-FPCR soak met
        // it (fp-compare #7247 of seed 0x2026113011), here without FZ:
        // fcmpe d30, d21; fccmpe s8, s8, #6, vs; fcmpe d31, d21.
        hand_case(
            &[0x1e75_23d0, 0x1e28_6516, 0x1e75_23f0],
            0,
            &[
                (30, 0x3ff0_0000_0000_0000),
                (21, 0x4000_0000_0000_0000),
                (31, 0x4008_0000_0000_0000),
                (8, signalling_single),
            ],
        ),
        hand_case(
            &[
                0x1e3c23c0, 0x1e2b66b9, 0x1e682360, 0x1e22dd47, 0x1e75cfbe, 0x1e7a2090, 0x1e7523d0, 0x1e286516,
                0x1e7523f0, 0x1e340fd4, 0x1e60c4b8,
            ],
            1 << 22,
            &[
                (0, 0xb8101234d42b33ac000000007f800000),
                (2, 0xc02d0000000000002c7865b734138bd3),
                (4, 0x4f0000003f08fa34ff800000c0b00000),
                (5, 0x3fe540f118b0cd4319962da9bf275b11),
                (8, 0x3bd343d328cad26f000000007f8dc4c7),
                (10, 0x3f65ff6dc1280000432b5cf5807fffff),
                (11, 0xbf71c2242557f2a8bf80000077d7350d),
                (20, 0x6146b0862371f7c741e0000000000000),
                (21, 0x41a80000807fffff3f39b495c1380000),
                (26, 0xe2f61014a71585302404568d4ebfbb7f),
                (27, 0xbd44db92201054b66a6f58d3618debe3),
                (28, 0xffffffffffffffc5000000002ce9313e),
                (29, 0xf2ce4f9a75a500cbc010000000000000),
                (30, 0x7ff00000000000003ff0000000000000),
                (31, 0x3ca819e485d457ae3f464c367fc00000),
            ],
        ),
        // A fused multiply-add of lanes a scalar write zeroed, which LLVM computed at translation
        // time rounding to nearest: fsqrt s3, s3; fnmul s1, s4, s0; fmls v1.2s, v1.2s, v3.2s
        // towards minus infinity gives -0.0 in lane 1 (0 + -(0 * 0)), not +0.0 (fp-chain #5166 of
        // seed 0x78c4240e).
        hand_case(
            &[0x1e21_c063, 0x1e20_8881, 0x0ea3_cc21],
            2 << 22,
            &[(3, 0x4080_0000), (4, 0x3f80_0000), (0, 0x4000_0000)],
        ),
    ];
    assert_translated_matches(&how, &cases, true);
}

/// The oracle runs instructions for real: results computed by hand from the Arm ARM.
#[test]
fn oracle_matches_hand_computed_results() {
    require_tools();
    let mut init = MachineState::default();
    init.x[1] = 5;
    init.x[2] = 7;
    init.x[3] = 0x1122_3344_5566_7788;
    init.sp = WINDOW_ADDR + 0x100;
    let cases = vec![
        // add x0, x1, x2
        Case { class: "hand", code: vec![0x8b02_0020], init: init.clone() },
        // subs x4, x1, x2 (5 - 7: N set, C clear as a borrow occurred)
        Case { class: "hand", code: vec![0xeb02_0024], init: init.clone() },
        // str x3, [sp, #8]
        Case { class: "hand", code: vec![0xf900_07e3], init: init.clone() },
        // a faulting load (ldr x0, [x0] with x0 = 0) kills the program; the next case still runs
        Case { class: "hand", code: vec![0xf940_0000], init: init.clone() },
        // b.eq +8 with Z clear falls through to movz x5, #1
        Case { class: "hand", code: vec![0x5400_0040, 0xd280_0025], init: init.clone() },
    ];
    let r = oracle::run_batch(&cases).expect("oracle run");
    assert_eq!(r[0].as_ref().map(|s| s.x[0]), Some(12));
    let flags = r[1].as_ref().map(|s| (s.x[4], s.nzcv));
    assert_eq!(flags, Some((u64::MAX - 1, 0x8000_0000)));
    let mem = r[2].as_ref().map(|s| s.mem[0x108..0x110].to_vec());
    assert_eq!(mem, Some(0x1122_3344_5566_7788u64.to_le_bytes().to_vec()));
    assert!(r[3].is_none());
    assert_eq!(r[4].as_ref().map(|s| s.x[5]), Some(1));
}

/// Every generated instruction is an allocated encoding according to binutils' disassembler (an
/// independent decoder), except in the encoding sweeps, which draw unallocated words on purpose.
#[test]
fn generators_emit_only_allocated_encodings() {
    require_tools();
    let dir = std::env::temp_dir().join(format!("vmtrans-difftest-gencheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut src = String::from(".text\n");
    let mut words = vec![];
    for class in gen::classes().into_iter().filter(|c| !gen::encodings::is_sweep(c.name)) {
        for case in gen::generate(&class, 0x5eed, 150) {
            for w in case.code {
                src.push_str(&format!(".inst {w:#010x}\n"));
                words.push((class.name, w));
            }
        }
    }
    std::fs::write(dir.join("g.s"), src).expect("write");
    let obj = dir.join("g.o");
    let status = Command::new("aarch64-linux-gnu-as").arg("-o").arg(&obj).arg(dir.join("g.s")).status().expect("as");
    assert!(status.success());
    let out = Command::new("aarch64-linux-gnu-objdump").arg("-d").arg(&obj).output().expect("objdump");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    let bad: Vec<String> = text
        .lines()
        .filter(|l| l.contains("undefined") || l.contains(".inst"))
        .map(|l| {
            let word = l.split('\t').nth(1).and_then(|w| u32::from_str_radix(w.trim(), 16).ok());
            let class = word.and_then(|w| words.iter().find(|(_, x)| *x == w)).map(|(c, _)| *c).unwrap_or("?");
            format!("{class}: {l}")
        })
        .collect();
    assert!(bad.is_empty(), "unallocated encodings drawn:\n{}", bad.join("\n"));
}

/// An engine that runs nothing: it returns the initial state as the final one.
struct DoNothing;

impl Engine for DoNothing {
    fn name(&self) -> &'static str {
        "do-nothing"
    }
    fn run(&self, case: &Case, _addr: u64) -> Outcome {
        Outcome::Finished(case.init.clone())
    }
}

/// The runner catches a wrong engine, reports the mismatch, and honours known failures.
#[test]
fn runner_detects_and_reports_mismatches() {
    require_tools();
    let mut init = MachineState::default();
    init.x[0] = 7;
    let tagged = |code: Vec<u32>| runner::Tagged {
        case: Case { class: "mock", code, init: init.clone() },
        origin: "test".into(),
    };
    // An empty case (passes) and movz x0, #1 (the do-nothing engine leaves x0 = 7).
    let cases = vec![tagged(vec![]), tagged(vec![0xd280_0020])];
    let summary =
        runner::run_engines(&cases, &[&DoNothing], None, &KnownFailures::default(), options()).expect("oracle run");
    let stats = summary.stats["mock"];
    assert_eq!((stats.cases, stats.passed, stats.mismatches), (2, 1, 1));
    let report = &summary.reports[0];
    assert!(
        report.contains("mov x0, #0x1") && report.contains("x0 ") && report.contains("0x0000000000000001"),
        "{report}"
    );
    let known = KnownFailures::parse("# accepted for the test\nmock mov\n").expect("valid entry");
    let summary = runner::run_engines(&cases, &[&DoNothing], None, &known, options()).expect("oracle run");
    assert_eq!((summary.stats["mock"].known, summary.mismatches()), (1, 0));

    // A `missing-fpsr=` entry covers a case only when the engine lacks some of the named FPSR
    // flags and differs in nothing else: msr fpsr, x0 with x0 = 8 (UFC) and with x0 = 0x18
    // (UFC and IXC), both left undone by the do-nothing engine, and the movz case above.
    let fpsr_case = |value: u64| {
        let mut init = MachineState::default();
        init.x[0] = value;
        runner::Tagged { case: Case { class: "mock", code: vec![0xd51b_4420], init }, origin: "test".into() }
    };
    let cases = vec![fpsr_case(8), fpsr_case(0x18), tagged(vec![0xd280_0020])];
    let narrowed = KnownFailures::parse("mock * missing-fpsr=UFC\n").expect("valid entry");
    let opts = RunOptions { interpreter_fpsr: true, compare: CompareOptions { fpsr: true }, ..options() };
    let summary = runner::run_engines(&cases, &[&DoNothing], None, &narrowed, opts).expect("oracle run");
    assert_eq!((summary.stats["mock"].known, summary.mismatches()), (1, 2));
    assert!(KnownFailures::parse("mock * missing-fpsr=UFD\n").is_err(), "a misspelt flag is an error");

    // A `fz-fpsr=` entry covers a case only when it starts with FPCR.FZ set and the engine lacks
    // some of the flags named with - and has some named with + extra, and differs in nothing
    // else: msr fpsr, x0 from an FPSR holding IXC, with x0 = IDC (the engine lacks IDC and has
    // IXC extra: covered with FZ, not without), and with x0 = UFC (not a named flag); the reverse
    // entry covers none of them.
    let fz_case = |value: u64, fpcr: u64| {
        let mut init = MachineState::default();
        init.x[0] = value;
        init.fpsr = 0x10;
        init.fpcr = fpcr;
        runner::Tagged { case: Case { class: "mock", code: vec![0xd51b_4420], init }, origin: "test".into() }
    };
    let fz = 1 << 24;
    let cases = vec![fz_case(0x80, fz), fz_case(0x80, 0), fz_case(0x08, fz)];
    let narrowed = KnownFailures::parse("mock * fz-fpsr=-IDC,+IXC\n").expect("valid entry");
    let summary = runner::run_engines(&cases, &[&DoNothing], None, &narrowed, opts).expect("oracle run");
    assert_eq!((summary.stats["mock"].known, summary.mismatches()), (1, 2));
    let reversed = KnownFailures::parse("mock * fz-fpsr=+IDC,-IXC\n").expect("valid entry");
    let summary = runner::run_engines(&cases, &[&DoNothing], None, &reversed, opts).expect("oracle run");
    assert_eq!((summary.stats["mock"].known, summary.mismatches()), (0, 3));
    assert!(KnownFailures::parse("mock * fz=IDC\n").is_err(), "an unknown narrowing is an error");
    assert!(KnownFailures::parse("mock * fz-fpsr=IDC\n").is_err(), "a flag without - or + is an error");
}

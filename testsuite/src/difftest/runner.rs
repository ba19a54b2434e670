//! Running cases through the oracle and the candidates: per-class counts, mismatch reports and
//! the list of known failures.
//!
//! Known failures (testsuite/difftest/known-failures.txt): one `CLASS MNEMONIC [NARROWING]`
//! entry a line, `#` starting a comment. A mismatching case is known when its class matches CLASS
//! (or CLASS is `*`) and one of its instructions disassembles to MNEMONIC (or MNEMONIC is `*`): the
//! first word of `vmtrans_ir::a64::disassemble`, which prints preferred aliases (`mov`, `cmp`,
//! `lsl`). A third word narrows the entry to FPSR differences (flag names comma-separated):
//! - `missing-fpsr=UFC,IXC` covers the case only when every engine that mismatched finished with
//!   the oracle's state except for some of those FPSR flags, which the oracle raised and the engine
//!   did not;
//! - `fz-fpsr=-IDC,+IXC` covers it only when the case starts with FPCR.FZ or FPCR.FZ16 set and
//!   every engine that mismatched finished with the oracle's state except for some of the FPSR
//!   flags named with `-` (the oracle raised them, the engine did not) and some named with `+`
//!   (the engine raised them, the oracle did not);
//! - `fz-tiny=-UFC,+IXC` covers it only when the case starts with FPCR.FZ set and every engine that
//!   mismatched differs from the oracle's state in vector lanes that hold the smallest normal
//!   single or double where the oracle's hold a zero of the same sign, and otherwise at most in
//!   FPSR flags as for `fz-fpsr`.
//!
//! A case counts as: passed (every engine agrees with the oracle), unsupported (some engine
//! hit an instruction the lifter does not implement, and none mismatched; the translated
//! program then dies of SIGILL, as it should), known (mismatch
//! listed as a known failure), mismatch, or oracle-fault (the case killed the oracle program:
//! a generator bug, or an instruction qemu rejects; such cases are not compared).

use std::collections::BTreeMap;
use std::fmt::Write;

use vmtrans_ir::a64::disassemble;
use vmtrans_ir::a64::state::{fpcr, fpsr};

use crate::difftest::candidate::{Engine, InterpBlocks, InterpSingle, Outcome};
use crate::difftest::case::{code_addr, Case, MachineState};
use crate::difftest::compare::{diff, report, CompareOptions, Difference};
use crate::difftest::gen::{self, Class};
use crate::difftest::oracle::{self, HarnessProgram};
use crate::difftest::translated::{run_translated, Translation};

/// Cases per oracle program.
pub const BATCH: usize = 1000;

/// The listed known failures.
#[derive(Clone, Debug, Default)]
pub struct KnownFailures {
    entries: Vec<KnownEntry>,
}

/// One line of the known-failures file.
#[derive(Clone, Debug)]
struct KnownEntry {
    class: String,
    mnemonic: String,
    narrowing: Narrowing,
}

/// What a known-failures entry accepts of a case its class and mnemonic match.
#[derive(Clone, Copy, Debug)]
enum Narrowing {
    /// Any mismatch.
    Any,
    /// Engines lacking some of these FPSR flags and differing in nothing else.
    MissingFpsr(u64),
    /// With FPCR.FZ or FPCR.FZ16 set at the start, engines lacking some of the first FPSR flags,
    /// having some of the second that the oracle lacks, and differing in nothing else.
    FlushToZeroFpsr { may_lack: u64, may_add: u64 },
    /// With FPCR.FZ set at the start, engines whose vector registers hold the smallest normal
    /// number of a lane where the oracle's hold a zero of the same sign (a result the host did not
    /// flush), with FPSR differences as for `FlushToZeroFpsr`, and differing in nothing else.
    FlushToZeroTininess { may_lack: u64, may_add: u64 },
}

/// FPSR's cumulative flags by name (the Arm manual's).
const FPSR_FLAG_NAMES: [(&str, u64); 6] = [
    ("IOC", fpsr::IOC),
    ("DZC", fpsr::DZC),
    ("OFC", fpsr::OFC),
    ("UFC", fpsr::UFC),
    ("IXC", fpsr::IXC),
    ("IDC", fpsr::IDC),
];

impl KnownFailures {
    /// Parses the file format described in the module's documentation; a line it cannot read is an
    /// error that names it (a misspelt entry must not silently cover nothing, or everything).
    pub fn parse(text: &str) -> Result<KnownFailures, String> {
        let mut entries = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = |why: &str| format!("known-failures line {}: {why}: {line}", number + 1);
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.len() > 3 {
                return Err(bad("more than three words"));
            }
            let flag_mask = |names: &str| -> Result<u64, String> {
                let mut mask = 0;
                for name in names.split(',') {
                    let (_, bit) = FPSR_FLAG_NAMES
                        .iter()
                        .find(|(flag, _)| *flag == name)
                        .ok_or_else(|| bad(&format!("no FPSR flag is called {name}")))?;
                    mask |= bit;
                }
                Ok(mask)
            };
            let narrowing = match words.get(2) {
                None => Narrowing::Any,
                Some(word) => {
                    if let Some(names) = word.strip_prefix("missing-fpsr=") {
                        Narrowing::MissingFpsr(flag_mask(names)?)
                    } else if let Some((kind, names)) =
                        word.split_once('=').filter(|(k, _)| ["fz-fpsr", "fz-tiny"].contains(k))
                    {
                        let (mut may_lack, mut may_add) = (0, 0);
                        for signed in names.split(',') {
                            match signed.split_at_checked(1) {
                                Some(("-", name)) => may_lack |= flag_mask(name)?,
                                Some(("+", name)) => may_add |= flag_mask(name)?,
                                _ => {
                                    return Err(bad(&format!("{kind}= names each flag with - (lacking) or + (extra)")))
                                }
                            }
                        }
                        if kind == "fz-fpsr" {
                            Narrowing::FlushToZeroFpsr { may_lack, may_add }
                        } else {
                            Narrowing::FlushToZeroTininess { may_lack, may_add }
                        }
                    } else {
                        return Err(bad("the third word is not missing-fpsr=FLAGS, fz-fpsr=FLAGS or fz-tiny=FLAGS"));
                    }
                }
            };
            entries.push(KnownEntry {
                class: words[0].to_string(),
                mnemonic: words.get(1).unwrap_or(&"*").to_string(),
                narrowing,
            });
        }
        Ok(KnownFailures { entries })
    }

    /// Whether a mismatch of `case` is listed. `want` is the oracle's final state, `mismatches`
    /// each mismatching engine's (`None` for an engine that did not finish).
    pub fn matches(&self, case: &Case, want: &MachineState, mismatches: &[Option<MachineState>]) -> bool {
        let mnemonics: Vec<String> = case.code.iter().map(|&w| mnemonic(w)).collect();
        self.entries.iter().any(|e| {
            (e.class == "*" || e.class == case.class)
                && (e.mnemonic == "*" || mnemonics.iter().any(|x| *x == e.mnemonic))
                && match e.narrowing {
                    Narrowing::Any => true,
                    Narrowing::MissingFpsr(mask) => {
                        mismatches.iter().all(|got| fpsr_differs_only_in(want, got.as_ref(), mask, 0))
                    }
                    Narrowing::FlushToZeroFpsr { may_lack, may_add } => {
                        case.init.fpcr & (fpcr::FZ | fpcr::FZ16) != 0
                            && mismatches.iter().all(|got| fpsr_differs_only_in(want, got.as_ref(), may_lack, may_add))
                    }
                    Narrowing::FlushToZeroTininess { may_lack, may_add } => {
                        case.init.fpcr & fpcr::FZ != 0
                            && mismatches.iter().all(|got| {
                                let Some(got) = got else { return false };
                                let lanes_ok = want.v.iter().zip(&got.v).all(|(&w, &g)| unflushed_tiny_lanes(w, g));
                                let vectors_equalised = MachineState { v: want.v, ..got.clone() };
                                lanes_ok
                                    && got.v != want.v
                                    && (vectors_equalised == *want
                                        || fpsr_differs_only_in(want, Some(&vectors_equalised), may_lack, may_add))
                            })
                    }
                }
        })
    }
}

/// Whether vector register value `got` is `want` except for lanes where `got` holds the smallest
/// normal single or double and `want` a zero of the same sign (checked as 64-bit lanes, else as
/// 32-bit lanes).
fn unflushed_tiny_lanes(want: u128, got: u128) -> bool {
    let lane_ok = |w: u128, g: u128, bits: u32, smallest_normal: u128| {
        let sign = 1u128 << (bits - 1);
        w == g || (w & !sign == 0 && g & !sign == smallest_normal && w & sign == g & sign)
    };
    let lanes = |bits: u32, smallest_normal: u128| {
        let mask = (1u128 << bits) - 1;
        (0..128 / bits).all(|i| lane_ok(want >> (i * bits) & mask, got >> (i * bits) & mask, bits, smallest_normal))
    };
    lanes(64, 1 << 52) || lanes(32, 1 << 23)
}

/// Whether `got` is `want` except that it lacks some of the FPSR flags `may_lack` or has some of
/// the flags `may_add` that `want` does not (and differs somewhere).
fn fpsr_differs_only_in(want: &MachineState, got: Option<&MachineState>, may_lack: u64, may_add: u64) -> bool {
    let Some(got) = got else { return false };
    let lacking = want.fpsr & !got.fpsr;
    let added = got.fpsr & !want.fpsr;
    let same_otherwise = MachineState { fpsr: want.fpsr, ..got.clone() } == *want;
    same_otherwise && lacking | added != 0 && lacking & !may_lack == 0 && added & !may_add == 0
}

/// The first word of an instruction's disassembly.
pub fn mnemonic(word: u32) -> String {
    disassemble(word).split_whitespace().next().unwrap_or("").to_string()
}

/// Per-class counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassStats {
    pub cases: usize,
    pub passed: usize,
    pub unsupported: usize,
    pub known: usize,
    pub mismatches: usize,
    pub oracle_faults: usize,
    /// Instructions of the cases compared (each ran in the oracle and in every engine).
    pub insns: usize,
}

impl ClassStats {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &ClassStats) {
        self.cases += other.cases;
        self.passed += other.passed;
        self.unsupported += other.unsupported;
        self.known += other.known;
        self.mismatches += other.mismatches;
        self.oracle_faults += other.oracle_faults;
        self.insns += other.insns;
    }
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Summary {
    pub stats: BTreeMap<&'static str, ClassStats>,
    /// Reports of unexpected mismatches (the first few of each class).
    pub reports: Vec<String>,
    /// Reports of oracle faults (the first few of each class).
    pub oracle_fault_reports: Vec<String>,
    /// How often each unimplemented instruction was met, by (class, mnemonic).
    pub unsupported: BTreeMap<(&'static str, String), usize>,
}

impl Summary {
    /// Total unexpected mismatches.
    pub fn mismatches(&self) -> usize {
        self.stats.values().map(|s| s.mismatches).sum()
    }

    /// The per-class table.
    pub fn table(&self) -> String {
        let mut s = format!(
            "{:<18} {:>7} {:>7} {:>11} {:>6} {:>10} {:>12} {:>9}\n",
            "class", "cases", "passed", "unsupported", "known", "mismatches", "oracle-fault", "insns"
        );
        let row = |s: &mut String, name: &str, c: &ClassStats| {
            let _ = writeln!(
                s,
                "{name:<18} {:>7} {:>7} {:>11} {:>6} {:>10} {:>12} {:>9}",
                c.cases, c.passed, c.unsupported, c.known, c.mismatches, c.oracle_faults, c.insns
            );
        };
        let mut total = ClassStats::default();
        for (class, c) in &self.stats {
            row(&mut s, class, c);
            total.add(c);
        }
        row(&mut s, "TOTAL", &total);
        let mut unsupported: Vec<_> = self.unsupported.iter().collect();
        unsupported.sort_by(|a, b| b.1.cmp(a.1));
        if !unsupported.is_empty() {
            s.push_str("most frequent unimplemented instructions (class, mnemonic, engine runs):\n");
        }
        for ((class, m), n) in unsupported.iter().take(20) {
            let _ = writeln!(s, "    {class:<18} {m:<10} {n}");
        }
        s
    }
}

/// Options of a run.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    pub compare: CompareOptions,
    /// Reports kept per class.
    pub reports_per_class: usize,
    /// Differences listed per report.
    pub diffs_per_report: usize,
    /// Whether the interpreter engines run (`run`); off to look at the translated engine alone.
    pub interpreters: bool,
    /// Whether FPSR is compared for the interpreter engines too when `compare.fpsr` is set. The
    /// interpreter takes its exception flags from the host operations that compute it in Rust,
    /// which the Rust compiler may fold or drop (docs/isa-coverage.md), so by default only the
    /// translated program's FPSR is held to qemu's.
    pub interpreter_fpsr: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            compare: CompareOptions { fpsr: true },
            reports_per_class: 3,
            diffs_per_report: 12,
            interpreters: true,
            interpreter_fpsr: false,
        }
    }
}

/// The engine name the translated program's results are reported under.
pub const TRANSLATED: &str = "translated";

/// How one engine did on one case, worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Mismatch,
    Unsupported,
    Pass,
}

/// A case with where it came from, for reproduction.
pub struct Tagged {
    pub case: Case,
    /// A line that says how to regenerate the case.
    pub origin: String,
}

/// The cases of `classes` for `seeds`, `per_seed` each.
pub fn generate(classes: &[Class], seeds: &[u64], per_seed: usize) -> Vec<Tagged> {
    let mut out = vec![];
    for class in classes {
        for &seed in seeds {
            for (i, case) in gen::generate(class, seed, per_seed).into_iter().enumerate() {
                out.push(Tagged { case, origin: format!("class {} seed {seed:#x} case #{i}", class.name) });
            }
        }
    }
    out
}

/// Runs `cases` through the oracle, both interpreter engines (unless `opts.interpreters` is off)
/// and, when `translation` is given, the translated harness.
pub fn run(
    cases: &[Tagged],
    known: &KnownFailures,
    translation: Option<&Translation>,
    opts: RunOptions,
) -> Result<Summary, String> {
    let engines: &[&dyn Engine] = if opts.interpreters { &[&InterpBlocks, &InterpSingle] } else { &[] };
    run_engines(cases, engines, translation, known, opts)
}

/// How the translated program did on a case whose oracle run finished with `want`.
fn translated_verdict(
    want: &MachineState,
    got: Option<&MachineState>,
    opts: RunOptions,
) -> (Verdict, String, Vec<Difference>) {
    match got {
        None => (Verdict::Mismatch, "the oracle finished, the translated program died".to_string(), vec![]),
        Some(got) => {
            let d = diff(want, got, opts.compare);
            if d.is_empty() {
                (Verdict::Pass, String::new(), d)
            } else {
                (Verdict::Mismatch, "final state differs".to_string(), d)
            }
        }
    }
}

/// Runs `cases` through the oracle, `engines` and, when `translation` is given, the translated
/// harness.
pub fn run_engines(
    cases: &[Tagged],
    engines: &[&dyn Engine],
    translation: Option<&Translation>,
    known: &KnownFailures,
    opts: RunOptions,
) -> Result<Summary, String> {
    let mut summary = Summary::default();
    for chunk in cases.chunks(BATCH) {
        let plain: Vec<Case> = chunk.iter().map(|t| t.case.clone()).collect();
        let program = HarnessProgram::build(&plain)?;
        let expected = oracle::run_qemu(&program, &plain)?;
        let translated = match translation {
            Some(how) => Some(run_translated(&program, &plain, how)?),
            None => None,
        };
        for (slot, (tagged, want)) in chunk.iter().zip(expected).enumerate() {
            let case = &tagged.case;
            let addr = code_addr(slot);
            let stats = summary.stats.entry(case.class).or_default();
            stats.cases += 1;
            let Some(want) = want else {
                // qemu died of the case (SIGILL on an encoding it rejects, or a fault): an engine
                // that ran it to the end accepted what the processor refuses.
                let finished = engines
                    .iter()
                    .find(|e| matches!(e.run(case, addr), Outcome::Finished(_)))
                    .map(|e| e.name())
                    .or_else(|| translated.as_ref().filter(|r| r[slot].is_some()).map(|_| TRANSLATED));
                if let Some(engine) = finished {
                    stats.mismatches += 1;
                    if stats.mismatches <= opts.reports_per_class {
                        let what = "the case killed qemu-aarch64, the candidate ran it to the end";
                        let text = report(case, addr, engine, what, &[], 0);
                        summary.reports.push(format!("{text}  reproduce: {}\n", tagged.origin));
                    }
                    continue;
                }
                stats.oracle_faults += 1;
                if stats.oracle_faults <= opts.reports_per_class {
                    let text = report(case, addr, "oracle", "the case killed qemu-aarch64", &[], 0);
                    summary.oracle_fault_reports.push(format!("{text}  reproduce: {}\n", tagged.origin));
                }
                continue;
            };
            let mut verdict = Verdict::Pass;
            let mut first_report = None;
            let mut mismatches: Vec<Option<MachineState>> = Vec::new();
            let interpreter_compare = CompareOptions { fpsr: opts.compare.fpsr && opts.interpreter_fpsr };
            for &engine in engines {
                let (v, what, diffs, got) = match engine.run(case, addr) {
                    Outcome::Finished(got) => {
                        let d = diff(&want, &got, interpreter_compare);
                        if d.is_empty() {
                            (Verdict::Pass, String::new(), d, None)
                        } else {
                            (Verdict::Mismatch, "final state differs".to_string(), d, Some(got))
                        }
                    }
                    Outcome::Unsupported { insn, .. } => {
                        *summary.unsupported.entry((case.class, mnemonic(insn))).or_default() += 1;
                        (Verdict::Unsupported, String::new(), vec![], None)
                    }
                    other => {
                        (Verdict::Mismatch, format!("the oracle finished, the candidate: {other:?}"), vec![], None)
                    }
                };
                if v == Verdict::Mismatch {
                    if first_report.is_none() {
                        first_report = Some(report(case, addr, engine.name(), &what, &diffs, opts.diffs_per_report));
                    }
                    mismatches.push(got);
                }
                verdict = verdict.min(v);
            }
            // The translated program dies of SIGILL on an instruction the lifter does not know,
            // which the interpreter engines have then reported as unsupported.
            if let Some(results) = &translated {
                if verdict != Verdict::Unsupported {
                    let (v, what, diffs) = translated_verdict(&want, results[slot].as_ref(), opts);
                    if v == Verdict::Mismatch {
                        if first_report.is_none() {
                            first_report = Some(report(case, addr, TRANSLATED, &what, &diffs, opts.diffs_per_report));
                        }
                        mismatches.push(results[slot].clone());
                    }
                    verdict = verdict.min(v);
                }
            }
            stats.insns += case.code.len();
            match verdict {
                Verdict::Pass => stats.passed += 1,
                Verdict::Unsupported => stats.unsupported += 1,
                Verdict::Mismatch if known.matches(case, &want, &mismatches) => stats.known += 1,
                Verdict::Mismatch => {
                    stats.mismatches += 1;
                    if stats.mismatches <= opts.reports_per_class {
                        let text = first_report.unwrap_or_default();
                        summary.reports.push(format!("{text}  reproduce: {}\n", tagged.origin));
                    }
                }
            }
        }
    }
    Ok(summary)
}

/// Parses a seed list: one seed a line (decimal or 0x-hex), `#` starting a comment.
pub fn parse_seeds(text: &str) -> Vec<u64> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .filter_map(|l| match l.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => l.parse().ok(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unflushed_tiny_lanes_accepts_only_smallest_normals_over_zeros_of_the_same_sign() {
        // Single lanes: +0 against the smallest normal, -0 against its negation, other lanes equal.
        assert!(unflushed_tiny_lanes(0x1234_5678_0000_0000, 0x1234_5678_0080_0000));
        assert!(unflushed_tiny_lanes(0x8000_0000, 0x8080_0000));
        // A double lane.
        assert!(unflushed_tiny_lanes(0x8000_0000_0000_0000 << 64, 0x8010_0000_0000_0000 << 64));
        // Equal values are not a difference this covers, but are not refused either.
        assert!(unflushed_tiny_lanes(5, 5));
        // The sign differs, the value is another number, or the oracle's lane is not a zero.
        assert!(!unflushed_tiny_lanes(0x8000_0000, 0x0080_0000));
        assert!(!unflushed_tiny_lanes(0, 0x0080_0001));
        assert!(!unflushed_tiny_lanes(0x0000_0001, 0x0080_0000));
        assert!(!unflushed_tiny_lanes(0, 0x3f80_0000));
    }

    #[test]
    fn fz_tiny_entries_parse() {
        assert!(KnownFailures::parse("* fmla fz-tiny=-UFC,-IDC,+IXC\n").is_ok());
        assert!(KnownFailures::parse("* fmla fz-tiny=UFC\n").is_err(), "a flag without - or + is an error");
    }
}

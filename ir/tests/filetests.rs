//! Golden filetests, in the Cranelift style: every `ir/filetests/lift/*.s` file holds AArch64
//! assembly and, at its end, the IR the lifter must produce as `;; ` comment lines.
//!
//! A file opens with the header `; test: lift`; other lines starting with `;` are comments (a
//! `; checked:` line says what its reviewer verified against the Arm ARM). The runner blanks every
//! `;` line (GNU as reads `;` as a statement separator, not a comment), assembles the rest with
//! `aarch64-linux-gnu-as`, links it with `.text` at 0x400000 and `.rodata` at 0x500000 (so that
//! `adrp` and branches to other sections are resolved), extracts both sections with
//! `aarch64-linux-gnu-objcopy -O binary`, lifts the function at 0x400000 with
//! `vmtrans_ir::a64::lift_function` (every address of `.text` counting as local, `.rodata` serving
//! jump-table reads), verifies it, prints it, reads the text back with `vmtrans_ir::reader`, and
//! compares the text with the expected block. With `VMTRANS_BLESS=1` it rewrites the expected
//! block instead of failing.

use std::path::{Path, PathBuf};
use std::process::Command;

use vmtrans_ir::a64::{lift_function, CodeSource};

/// Where `.text` is linked and the lifted function starts.
const TEXT_ADDR: u64 = 0x40_0000;
/// Where `.rodata` is linked.
const RODATA_ADDR: u64 = 0x50_0000;
/// The prefix of the expected lines.
const EXPECT: &str = ";; ";

/// The code and read-only data of one assembled file.
struct Image {
    text: Vec<u8>,
    rodata: Vec<u8>,
}

fn read_bytes(section: &[u8], base: u64, addr: u64, bytes: usize) -> Option<&[u8]> {
    let start = usize::try_from(addr.checked_sub(base)?).ok()?;
    section.get(start..start.checked_add(bytes)?)
}

impl CodeSource for Image {
    fn insn(&self, addr: u64) -> Option<u32> {
        if addr & 3 != 0 {
            return None;
        }
        let b = read_bytes(&self.text, TEXT_ADDR, addr, 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn rodata(&self, addr: u64, bytes: usize) -> Option<u128> {
        if bytes > 16 {
            return None;
        }
        let b = read_bytes(&self.rodata, RODATA_ADDR, addr, bytes)?;
        Some(b.iter().rev().fold(0u128, |acc, &x| acc << 8 | x as u128))
    }
}

/// Runs a tool, turning a failure into a message with its output.
fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("cannot run {cmd:?} ({e}); install binutils-aarch64-linux-gnu"))?;
    if !out.status.success() {
        return Err(format!("{cmd:?} failed:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(())
}

/// Assembles `source` (comment lines already blanked) in `dir` and returns its sections.
fn assemble(dir: &Path, source: &str) -> Result<Image, String> {
    let src = dir.join("test.s");
    let obj = dir.join("test.o");
    let exe = dir.join("test.elf");
    std::fs::write(&src, source).map_err(|e| e.to_string())?;
    run(Command::new("aarch64-linux-gnu-as").arg("-o").arg(&obj).arg(&src))?;
    run(Command::new("aarch64-linux-gnu-ld")
        .args(["-static", "--no-warn-rwx-segments", "-e", &format!("{TEXT_ADDR:#x}")])
        .arg(format!("-Ttext={TEXT_ADDR:#x}"))
        .arg(format!("--section-start=.rodata={RODATA_ADDR:#x}"))
        .arg("-o")
        .arg(&exe)
        .arg(&obj))?;
    let section = |name: &str| -> Result<Vec<u8>, String> {
        let out = dir.join(format!("{}.bin", name.trim_start_matches('.')));
        run(Command::new("aarch64-linux-gnu-objcopy").args(["-O", "binary", "-j", name]).arg(&exe).arg(&out))?;
        // objcopy writes no file for a section the program lacks.
        Ok(std::fs::read(&out).unwrap_or_default())
    };
    Ok(Image { text: section(".text")?, rodata: section(".rodata")? })
}

/// A file split into its leading part (header, assembly, comments) and its expected IR text.
struct TestFile {
    body: Vec<String>,
    expected: String,
}

fn split(text: &str) -> TestFile {
    let mut lines: Vec<&str> = text.lines().collect();
    let mut expected = vec![];
    while let Some(last) = lines.last() {
        if let Some(e) = last.strip_prefix(EXPECT) {
            expected.push(e.to_string());
        } else if *last == ";;" {
            expected.push(String::new());
        } else if last.trim().is_empty() && !expected.is_empty() {
            // A blank line between the assembly and the expected block.
        } else {
            break;
        }
        lines.pop();
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    expected.reverse();
    let expected = expected.iter().map(|l| format!("{l}\n")).collect();
    TestFile { body: lines.into_iter().map(str::to_string).collect(), expected }
}

/// Runs one file; returns the lifted text and the expected text.
fn run_file(path: &Path, scratch: &Path) -> Result<(TestFile, String), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    if text.lines().next() != Some("; test: lift") {
        return Err("the first line must be `; test: lift`".into());
    }
    let file = split(&text);
    let source: String = file
        .body
        .iter()
        .map(|l| if l.trim_start().starts_with(';') { "\n".to_string() } else { format!("{l}\n") })
        .collect();
    let image = assemble(scratch, &source)?;
    let text_end = TEXT_ADDR + image.text.len() as u64;
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("f");
    let lifted = lift_function(name, TEXT_ADDR, &image, &|a| (TEXT_ADDR..text_end).contains(&a), &[])
        .map_err(|e| e.to_string())?;
    let printed = lifted.func.to_string();
    if let Err(errors) = vmtrans_ir::verifier::verify(&lifted.func) {
        let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        return Err(format!("the lifted function does not verify:\n{}\n{printed}", list.join("\n")));
    }
    let read = vmtrans_ir::reader::parse_function(&printed).map_err(|e| format!("reader: {e}\n{printed}"))?;
    if read.to_string() != printed {
        return Err(format!("the printed function does not read back the same:\n{printed}"));
    }
    Ok((file, printed))
}

fn files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("filetests/lift");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "s"))
        .collect();
    files.sort();
    files
}

#[test]
fn lift_filetests() {
    let bless = std::env::var("VMTRANS_BLESS").is_ok_and(|v| v == "1");
    let scratch = std::env::temp_dir().join(format!("vmtrans-filetests-{}", std::process::id()));
    let mut failures = vec![];
    let files = files();
    assert!(!files.is_empty(), "no filetests found");
    for path in &files {
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).expect("scratch directory");
        match run_file(path, &scratch) {
            Err(e) => failures.push(format!("{}: {e}", path.display())),
            Ok((file, printed)) if printed != file.expected => {
                if bless {
                    let mut out: String = file.body.iter().map(|l| format!("{l}\n")).collect();
                    out.push('\n');
                    for line in printed.lines() {
                        out.push_str(&if line.is_empty() { ";;\n".to_string() } else { format!("{EXPECT}{line}\n") });
                    }
                    std::fs::write(path, out).expect("rewrite filetest");
                    eprintln!("blessed {}", path.display());
                } else {
                    failures.push(format!(
                        "{}: lifted IR differs (VMTRANS_BLESS=1 rewrites it)\n--- expected\n{}--- lifted\n{printed}",
                        path.display(),
                        file.expected
                    ));
                }
            }
            Ok(_) => {}
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(
        failures.is_empty(),
        "{} of {} filetests failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

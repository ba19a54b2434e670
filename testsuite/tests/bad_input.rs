//! Bad inputs to the vmtrans command line: each must be refused with exit status 2 and exactly one line on stderr
//! that names the problem (a required phrase, matched without regard to case), and no output file may appear.
//! The inputs are generated at run time: small hand-built ELF images (a minimal valid AArch64 executable and
//! variants of it with one defect each, checked against qemu-aarch64 and the host so that the defect is the only
//! thing wrong with them) and a dynamically linked guest built with the cross compiler.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use vmtrans_testsuite::{find_in_path, require_vmtrans, run_with_limit, ScratchDir, GUEST_CC, QEMU};

const VMTRANS_LIMIT: Duration = Duration::from_secs(120);

/// The AArch64 code of the minimal executable: `mov x0, #0; mov x8, #93; svc #0` (exit(0)).
const A64_EXIT_CODE: [u32; 3] = [0xd280_0000, 0xd280_0ba8, 0xd400_0001];
/// The x86-64 code of the minimal executable: `mov edi, 0; mov eax, 60; syscall` (exit(0)).
const X86_EXIT_CODE: [u8; 12] = [0xbf, 0, 0, 0, 0, 0xb8, 60, 0, 0, 0, 0x0f, 0x05];
/// The 32-bit Arm code of the minimal executable: `mov r0, #0; mov r7, #1; svc #0` (exit(0)).
const ARM32_EXIT_CODE: [u32; 3] = [0xe3a0_0000, 0xe3a0_7001, 0xef00_0000];

const EM_ARM: u16 = 40;
const EM_X86_64: u16 = 62;
const EM_AARCH64: u16 = 183;
const LOAD_ADDRESS: u64 = 0x40_0000;

/// A static ELF64 executable: the ELF header, one PT_LOAD program header mapping the whole file, then `code`,
/// which is also the entry point.
fn elf64_executable(machine: u16, code: &[u8]) -> Vec<u8> {
    const HEADER_SIZE: u64 = 64;
    const PHDR_SIZE: u64 = 56;
    let code_offset = HEADER_SIZE + PHDR_SIZE;
    let file_size = code_offset + code.len() as u64;
    let mut image = Vec::new();
    image.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    image.extend_from_slice(&2u16.to_le_bytes()); // e_type: ET_EXEC
    image.extend_from_slice(&machine.to_le_bytes());
    image.extend_from_slice(&1u32.to_le_bytes()); // e_version
    image.extend_from_slice(&(LOAD_ADDRESS + code_offset).to_le_bytes()); // e_entry
    image.extend_from_slice(&HEADER_SIZE.to_le_bytes()); // e_phoff
    image.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    image.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    image.extend_from_slice(&(HEADER_SIZE as u16).to_le_bytes()); // e_ehsize
    image.extend_from_slice(&(PHDR_SIZE as u16).to_le_bytes()); // e_phentsize
    image.extend_from_slice(&1u16.to_le_bytes()); // e_phnum
    image.extend_from_slice(&64u16.to_le_bytes()); // e_shentsize
    image.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
    image.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
    image.extend_from_slice(&1u32.to_le_bytes()); // p_type: PT_LOAD
    image.extend_from_slice(&5u32.to_le_bytes()); // p_flags: R + X
    image.extend_from_slice(&0u64.to_le_bytes()); // p_offset
    image.extend_from_slice(&LOAD_ADDRESS.to_le_bytes()); // p_vaddr
    image.extend_from_slice(&LOAD_ADDRESS.to_le_bytes()); // p_paddr
    image.extend_from_slice(&file_size.to_le_bytes()); // p_filesz
    image.extend_from_slice(&file_size.to_le_bytes()); // p_memsz
    image.extend_from_slice(&0x1000u64.to_le_bytes()); // p_align
    image.extend_from_slice(code);
    image
}

/// A static ELF32 little-endian Arm (EABI5) executable laid out like `elf64_executable`.
fn elf32_arm_executable(code: &[u8]) -> Vec<u8> {
    const HEADER_SIZE: u32 = 52;
    const PHDR_SIZE: u32 = 32;
    let load_address = LOAD_ADDRESS as u32;
    let code_offset = HEADER_SIZE + PHDR_SIZE;
    let file_size = code_offset + code.len() as u32;
    let mut image = Vec::new();
    image.extend_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    image.extend_from_slice(&2u16.to_le_bytes()); // e_type: ET_EXEC
    image.extend_from_slice(&EM_ARM.to_le_bytes());
    image.extend_from_slice(&1u32.to_le_bytes()); // e_version
    image.extend_from_slice(&(load_address + code_offset).to_le_bytes()); // e_entry
    image.extend_from_slice(&HEADER_SIZE.to_le_bytes()); // e_phoff
    image.extend_from_slice(&0u32.to_le_bytes()); // e_shoff
    image.extend_from_slice(&0x0500_0000u32.to_le_bytes()); // e_flags: EABI version 5
    image.extend_from_slice(&(HEADER_SIZE as u16).to_le_bytes()); // e_ehsize
    image.extend_from_slice(&(PHDR_SIZE as u16).to_le_bytes()); // e_phentsize
    image.extend_from_slice(&1u16.to_le_bytes()); // e_phnum
    image.extend_from_slice(&40u16.to_le_bytes()); // e_shentsize
    image.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
    image.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
    image.extend_from_slice(&1u32.to_le_bytes()); // p_type: PT_LOAD
    image.extend_from_slice(&0u32.to_le_bytes()); // p_offset
    image.extend_from_slice(&load_address.to_le_bytes()); // p_vaddr
    image.extend_from_slice(&load_address.to_le_bytes()); // p_paddr
    image.extend_from_slice(&file_size.to_le_bytes()); // p_filesz
    image.extend_from_slice(&file_size.to_le_bytes()); // p_memsz
    image.extend_from_slice(&5u32.to_le_bytes()); // p_flags: R + X
    image.extend_from_slice(&0x1000u32.to_le_bytes()); // p_align
    image.extend_from_slice(code);
    image
}

fn words_to_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|word| word.to_le_bytes()).collect()
}

/// The minimal valid AArch64 static executable that the defective inputs are derived from.
fn minimal_a64_executable() -> Vec<u8> {
    elf64_executable(EM_AARCH64, &words_to_bytes(&A64_EXIT_CODE))
}

/// Writes `bytes` to `dir/name` and returns the path.
fn write_input(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
    path
}

/// Runs `vmtrans <input> -o <output>` and checks the refusal: status 2, one line on stderr containing one of
/// `phrases` (ignoring case) and, when given, the text `names`, and no output file.
fn expect_refusal(input: &Path, output: &Path, phrases: &[&str], names: Option<&str>) {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    let mut command = Command::new(&vmtrans);
    command.arg(input).arg("-o").arg(output);
    let run = run_with_limit(command, b"", VMTRANS_LIMIT)
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", vmtrans.display()));
    let stderr = String::from_utf8_lossy(&run.stderr);
    let context =
        format!("vmtrans {} -o {}: status {}, stderr {:?}", input.display(), output.display(), run.status, stderr);
    assert!(!run.timed_out, "{context}: timed out");
    assert_eq!(run.status, 2, "{context}: expected exit status 2");
    let message = stderr.trim_end_matches('\n');
    assert!(!message.trim().is_empty(), "{context}: expected a message on stderr");
    assert_eq!(message.lines().count(), 1, "{context}: expected exactly one line on stderr");
    let lower = message.to_lowercase();
    assert!(
        phrases.iter().any(|phrase| lower.contains(&phrase.to_lowercase())),
        "{context}: the message should contain {}",
        phrases.iter().map(|phrase| format!("{phrase:?}")).collect::<Vec<_>>().join(" or ")
    );
    if let Some(name) = names {
        assert!(message.contains(name), "{context}: the message should name {name}");
    }
    assert!(!output.exists(), "{context}: an output file was written despite the error");
}

/// Writes one generated input into a fresh scratch directory and expects vmtrans to refuse it. The file is named
/// plainly (`guest`) so that the required phrase can only come from the message itself, never from the path.
fn refuse_bytes(bytes: &[u8], phrases: &[&str]) {
    let scratch = ScratchDir::new("bad-input").expect("scratch directory");
    let input = write_input(scratch.path(), "guest", bytes);
    expect_refusal(&input, &scratch.path().join("guest.native"), phrases, None);
}

#[test]
fn generated_images_are_valid_apart_from_their_defect() {
    // The minimal AArch64 image must run under qemu-aarch64, and the x86-64 one natively: then the variants below
    // are wrong only in the way each test says.
    let scratch = ScratchDir::new("bad-input").expect("scratch directory");
    let a64 = write_input(scratch.path(), "minimal-a64", &minimal_a64_executable());
    let x86 = write_input(scratch.path(), "minimal-x86", &elf64_executable(EM_X86_64, &X86_EXIT_CODE));
    for path in [&a64, &x86] {
        let mut permissions = fs::metadata(path).expect("metadata").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        fs::set_permissions(path, permissions).expect("chmod");
    }
    let qemu = find_in_path(QEMU).unwrap_or_else(|| panic!("{QEMU} is not installed"));
    let mut under_qemu = Command::new(qemu);
    under_qemu.arg(&a64);
    let run = run_with_limit(under_qemu, b"", Duration::from_secs(30)).expect("qemu runs");
    assert_eq!(run.status, 0, "minimal AArch64 image under qemu: {:?}", String::from_utf8_lossy(&run.stderr));
    let run = run_with_limit(Command::new(&x86), b"", Duration::from_secs(30)).expect("x86-64 image runs");
    assert_eq!(run.status, 0, "minimal x86-64 image: {:?}", String::from_utf8_lossy(&run.stderr));
}

#[test]
fn refuses_a_file_that_is_not_elf() {
    refuse_bytes(b"#!/bin/sh\necho this is a shell script, not an ELF file\n", &["not an ELF"]);
}

#[test]
fn refuses_an_empty_file() {
    refuse_bytes(b"", &["empty"]);
}

#[test]
fn refuses_an_elf_truncated_in_its_header() {
    let image = minimal_a64_executable();
    refuse_bytes(&image[..40], &["truncated"]);
}

#[test]
fn refuses_program_headers_past_the_end() {
    let mut image = minimal_a64_executable();
    // e_phoff (at byte 32) points 16 bytes before the end of the file, so the 56-byte program header runs past it.
    let phoff = image.len() as u64 - 16;
    image[32..40].copy_from_slice(&phoff.to_le_bytes());
    refuse_bytes(&image, &["program header"]);
}

#[test]
fn refuses_an_x86_64_elf() {
    refuse_bytes(&elf64_executable(EM_X86_64, &X86_EXIT_CODE), &["machine"]);
}

#[test]
fn refuses_a_32_bit_arm_elf() {
    refuse_bytes(&elf32_arm_executable(&words_to_bytes(&ARM32_EXIT_CODE)), &["32-bit"]);
}

#[test]
fn refuses_a_dynamically_linked_executable() {
    assert!(find_in_path(GUEST_CC).is_some(), "{GUEST_CC} is not installed");
    let scratch = ScratchDir::new("bad-input").expect("scratch directory");
    let source = write_input(scratch.path(), "dynamic.c", b"#include <stdio.h>\nint main(void) { puts(\"hi\"); }\n");
    let input = scratch.path().join("guest");
    let build = Command::new(GUEST_CC).arg("-O2").arg("-o").arg(&input).arg(&source).output().expect("compiler runs");
    assert!(build.status.success(), "{GUEST_CC} failed: {}", String::from_utf8_lossy(&build.stderr));
    expect_refusal(&input, &scratch.path().join("guest.native"), &["dynamically linked"], None);
}

#[test]
fn refuses_a_missing_input_file() {
    let scratch = ScratchDir::new("bad-input").expect("scratch directory");
    let input = scratch.path().join("no-such-guest.elf");
    let name = input.display().to_string();
    expect_refusal(
        &input,
        &scratch.path().join("out.native"),
        &["no such file", "not found", "does not exist"],
        Some(&name),
    );
}

#[test]
fn refuses_an_output_path_in_a_missing_directory() {
    let scratch = ScratchDir::new("bad-input").expect("scratch directory");
    let input = write_input(scratch.path(), "minimal-a64", &minimal_a64_executable());
    let missing_dir = scratch.path().join("no-such-directory");
    let output = missing_dir.join("out.native");
    let name = missing_dir.display().to_string();
    expect_refusal(&input, &output, &["no such file", "not found", "does not exist"], Some(&name));
}

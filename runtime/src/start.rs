//! Process start-up: the C `main` of every translated program. It reserves the guest address space,
//! maps the embedded guest image, sets up brk and the guest stack with argv, envp and the auxiliary
//! vector as Linux would, and hands a fresh CPU state to the dispatcher, which never returns.

#[cfg(not(test))]
use std::ffi::{c_char, c_int, CStr};

use vmtrans_ir::a64::CpuState;

use crate::memory::{self, page_up, GuestBase, GUEST_SPACE_SIZE, STACK_SIZE, STACK_TOP};
use crate::stack::{self, ProcessInfo};
use crate::vma::{PROT_READ, PROT_WRITE};
use crate::{elf, fault};

/// The lowest the mmap area may start: this far above the end of brk's start, so brk can grow.
const BRK_ROOM: u64 = 1 << 36;

/// The program's entry, called by the C `main` the translator emits with the translated code's
/// tables: starts the guest; a start-up failure prints one line and exits with 127.
///
/// # Safety
/// Called with the process's argument and environment vectors and the translator's tables.
#[cfg(not(test))]
#[no_mangle]
pub unsafe extern "C" fn vmtrans_start(
    argc: c_int,
    argv: *const *const c_char,
    envp: *const *const c_char,
    program: *const crate::dispatch::GuestProgram,
) -> c_int {
    let missing = missing_host_features();
    if !missing.is_empty() {
        eprintln!(
            "vmtrans: this program needs an x86-64 CPU with {}; this one lacks {}",
            REQUIRED_HOST_FEATURES.join(", "),
            missing.join(", ")
        );
        return 127;
    }
    // SAFETY: the C runtime passes argc valid argument strings and a null-terminated environment.
    let (args, mut env) = unsafe { (c_strings(argv, Some(argc.max(0) as usize)), c_strings(envp, None)) };
    match take_guest_exe(&mut env) {
        // SAFETY: the translator's tables live as long as the process.
        None => unsafe { crate::dispatch::install_program(program) },
        Some(path) => match load_guest_exe(path) {
            Ok(loaded) => {
                // SAFETY: the image is leaked, so it lives as long as the process; the table is empty.
                unsafe { crate::dispatch::install_program(&loaded) }
            }
            Err(message) => {
                eprintln!("vmtrans: {message}");
                return 127;
            }
        },
    }
    match start(crate::dispatch::guest_image(), &args, &env, crate::dispatch::guest_base_mode()) {
        Ok(state) => crate::dispatch::run_guest(state),
        Err(message) => {
            eprintln!("vmtrans: {message}");
            127
        }
    }
}

/// The host CPU features translated code uses (the translator's `REQUIRED_HOST_FEATURES` in
/// `translator/src/llvm/mod.rs`, by the names Intel's manuals give them).
const REQUIRED_HOST_FEATURES: [&str; 5] = ["CMPXCHG16B", "SSE4.2", "POPCNT", "AES-NI", "PCLMULQDQ"];

/// The entries of `REQUIRED_HOST_FEATURES` this CPU lacks.
fn missing_host_features() -> Vec<&'static str> {
    let present = [
        std::arch::is_x86_feature_detected!("cmpxchg16b"),
        std::arch::is_x86_feature_detected!("sse4.2"),
        std::arch::is_x86_feature_detected!("popcnt"),
        std::arch::is_x86_feature_detected!("aes"),
        std::arch::is_x86_feature_detected!("pclmulqdq"),
    ];
    REQUIRED_HOST_FEATURES.iter().zip(present).filter(|(_, present)| !present).map(|(name, _)| *name).collect()
}

/// Removes `VMTRANS_GUEST_EXE=<path>` (set by the execve of another AArch64 program, see
/// `syscall::exec`) from the environment the guest will see, returning the path.
#[cfg(not(test))]
fn take_guest_exe(env: &mut Vec<Vec<u8>>) -> Option<Vec<u8>> {
    let prefix = format!("{}=", crate::syscall::exec::GUEST_EXE_VAR).into_bytes();
    let index = env.iter().position(|entry| entry.starts_with(&prefix))?;
    let entry = env.remove(index);
    env.retain(|other| !other.starts_with(&prefix));
    Some(entry[prefix.len()..].to_vec())
}

/// Reads the AArch64 program at `path` to run it instead of the embedded one, with no translation
/// (the fallback engine runs all of it).
#[cfg(not(test))]
fn load_guest_exe(path: Vec<u8>) -> Result<crate::dispatch::GuestProgram, String> {
    use std::os::unix::ffi::OsStrExt;
    let name = String::from_utf8_lossy(&path).into_owned();
    let image = std::fs::read(std::ffi::OsStr::from_bytes(&path)).map_err(|e| format!("cannot read {name}: {e}"))?;
    let image: &'static [u8] = Box::leak(image.into_boxed_slice());
    let path = std::ffi::CString::new(path).map_err(|_| format!("bad program path {name}"))?;
    crate::syscall::exec::set_loaded_guest(path);
    Ok(crate::dispatch::GuestProgram {
        func_table: std::ptr::NonNull::dangling().as_ptr(),
        func_table_len: 0,
        image: image.as_ptr(),
        image_len: image.len() as u64,
        // No translated code runs, so the space may go anywhere.
        guest_base_zero: 0,
    })
}

/// Collects a C string vector: `count` entries, or up to the terminating null pointer.
///
/// # Safety
/// `vector` must be null or point to `count` (or null-terminated) valid C string pointers.
#[cfg(not(test))]
unsafe fn c_strings(vector: *const *const c_char, count: Option<usize>) -> Vec<Vec<u8>> {
    let mut strings = Vec::new();
    if vector.is_null() {
        return strings;
    }
    for index in 0.. {
        if count.is_some_and(|n| index >= n) {
            break;
        }
        // SAFETY: guaranteed by the caller.
        let pointer = unsafe { *vector.add(index) };
        if pointer.is_null() {
            break;
        }
        // SAFETY: as above.
        strings.push(unsafe { CStr::from_ptr(pointer) }.to_bytes().to_vec());
    }
    strings
}

/// Sets the guest process up from `image`, with its address space where `guest_base` says, and
/// returns the CPU state to start it with.
pub fn start(image: &[u8], args: &[Vec<u8>], env: &[Vec<u8>], guest_base: GuestBase) -> Result<CpuState, String> {
    fault::install();
    let parsed = elf::parse(image)?;
    memory::reserve_guest_space(guest_base)?;
    elf::load(image, &parsed)?;

    let stack_low = STACK_TOP - STACK_SIZE;
    {
        let mut space = memory::space();
        space.brk_start = parsed.end();
        space.brk = parsed.end();
        space.mmap_low = space.mmap_low.max(page_up(parsed.end()).saturating_add(BRK_ROOM)).min(GUEST_SPACE_SIZE / 2);
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
        space
            .map_fixed(stack_low, STACK_SIZE, PROT_READ | PROT_WRITE, flags, -1, 0)
            .map_err(|e| format!("cannot map the guest stack: errno {}", e.0))?;
    }

    let mut random = [0u8; 16];
    // SAFETY: getrandom writes at most the buffer's length.
    unsafe { libc::getrandom(random.as_mut_ptr().cast(), random.len(), 0) };
    // SAFETY: these calls only return the process's ids.
    let (uid, euid, gid, egid) = unsafe { (libc::getuid(), libc::geteuid(), libc::getgid(), libc::getegid()) };
    let info = ProcessInfo {
        phdr: parsed.phdr_addr,
        phent: elf::PHDR_SIZE as u64,
        phnum: parsed.phnum as u64,
        entry: parsed.entry,
        uid: uid as u64,
        euid: euid as u64,
        gid: gid as u64,
        egid: egid as u64,
        random,
    };
    let arg_refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
    let env_refs: Vec<&[u8]> = env.iter().map(|e| e.as_slice()).collect();
    let execfn = args.first().map(|a| a.as_slice()).unwrap_or(b"");
    let initial = stack::build(STACK_TOP, &arg_refs, &env_refs, execfn, &info, STACK_SIZE / 4)
        .ok_or("the arguments and environment do not fit on the guest stack")?;
    memory::write_bytes(initial.sp, &initial.bytes).map_err(|_| "cannot write the guest stack".to_string())?;

    let mut state = CpuState::default();
    state.sp = initial.sp;
    state.pc = parsed.entry;
    Ok(state)
}

#[cfg(test)]
mod tests {
    /// The machines that build and test vmtrans run translated programs, so they must have every
    /// feature translated code needs; this also keeps the check itself exercised.
    #[test]
    fn this_host_has_what_translated_code_needs() {
        assert_eq!(super::missing_host_features(), Vec::<&str>::new());
    }
}

//! execve: running another program in this process, as the kernel would, with AArch64 programs run
//! under vmtrans too. The runtime looks at the file first:
//!
//! - The same AArch64 program this executable carries (byte for byte): the translated executable
//!   itself is executed again, so the new image runs translated.
//! - Another static AArch64 program: the translated executable is executed with
//!   `VMTRANS_GUEST_EXE=<path>` in its environment; its runtime then loads that file instead of the
//!   embedded image (and removes the variable from the guest's environment), and runs it in the
//!   fallback engine, since no translation of it exists.
//! - A script (`#!interpreter [argument]`) whose interpreter is an AArch64 program: as above for the
//!   interpreter, with the argument vector the kernel would build (interpreter, its optional
//!   argument, the script's path, then the original arguments after argv[0]).
//! - Anything else (host programs, scripts for host interpreters): the host's execve.
//!
//! A dynamically linked AArch64 program cannot run (only static guests are supported): ENOEXEC,
//! with a line on stderr saying why.

use std::ffi::{CStr, CString};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::sync::OnceLock;

use super::Args;
use crate::errno::{host_result, Errno, SysResult, E2BIG, EACCES, ELOOP, ENOEXEC};
use crate::{dispatch, elf, memory};

/// The environment variable that hands the next image to the runtime of a re-executed program.
pub const GUEST_EXE_VAR: &str = "VMTRANS_GUEST_EXE";
/// The most entries an argv or envp array may have.
const MAX_VECTOR: usize = 1 << 16;
/// How much of a file the kernel reads to recognise it (BINPRM_BUF_SIZE), and so the longest `#!` line.
const HEADER_SIZE: usize = 256;
/// How many interpreters deep scripts may nest (the kernel allows as many).
const MAX_NESTING: usize = 5;
const EM_AARCH64: u16 = 183;

/// The path of the AArch64 program this process runs when it was loaded from a file rather than
/// embedded (set at start-up from `VMTRANS_GUEST_EXE`).
static LOADED_GUEST: OnceLock<CString> = OnceLock::new();

/// Records that this process runs the guest program at `path` (absolute), loaded from a file.
pub fn set_loaded_guest(path: CString) {
    let _ = LOADED_GUEST.set(path);
}

/// The guest program's path when it was loaded from a file (for /proc/self/exe).
pub fn loaded_guest() -> Option<&'static CStr> {
    LOADED_GUEST.get().map(|path| path.as_c_str())
}

/// Reads a null-terminated guest array of string pointers.
fn guest_strings(addr: u64) -> Result<Vec<CString>, Errno> {
    let mut strings = Vec::new();
    if addr == 0 {
        return Ok(strings);
    }
    for index in 0..MAX_VECTOR as u64 {
        let pointer = memory::read_u64(addr + 8 * index)?;
        if pointer == 0 {
            return Ok(strings);
        }
        strings.push(memory::read_cstring(pointer)?);
    }
    Err(E2BIG)
}

/// What to execute for a guest's execve.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    /// The host's execve of the path as the guest gave it.
    Host,
    /// This translated executable again, with these arguments (the guest is this very program).
    Itself(Vec<CString>),
    /// The AArch64 program at the path, in the fallback engine, with these arguments.
    Guest(CString, Vec<CString>),
}

/// Reads the first bytes of `path` (fewer when the file is shorter); None when it cannot be read.
fn header(path: &CStr) -> Option<Vec<u8>> {
    let mut file = std::fs::File::open(std::ffi::OsStr::from_bytes(path.to_bytes())).ok()?;
    let mut bytes = vec![0u8; HEADER_SIZE];
    let mut filled = 0;
    while filled < HEADER_SIZE {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(_) => return None,
        }
    }
    bytes.truncate(filled);
    Some(bytes)
}

fn is_aarch64_elf(header: &[u8]) -> bool {
    header.len() >= 20 && header.starts_with(b"\x7fELF") && u16::from_le_bytes([header[18], header[19]]) == EM_AARCH64
}

/// The interpreter and optional argument of a `#!` line, as the kernel splits it.
fn shebang(header: &[u8]) -> Option<(CString, Option<CString>)> {
    let line = header.strip_prefix(b"#!")?;
    let line = &line[..line.iter().position(|&c| c == b'\n').unwrap_or(line.len())];
    let is_blank = |c: &u8| *c == b' ' || *c == b'\t';
    let line = &line[line.iter().position(|c| !is_blank(c))?..];
    let end = line.iter().position(is_blank).unwrap_or(line.len());
    let (interpreter, rest) = line.split_at(end);
    let rest: &[u8] = match rest.iter().position(|c| !is_blank(c)) {
        Some(start) => {
            let rest = &rest[start..];
            &rest[..rest.iter().rposition(|c| !is_blank(c)).map_or(0, |last| last + 1)]
        }
        None => &[],
    };
    let argument = if rest.is_empty() { None } else { CString::new(rest).ok() };
    Some((CString::new(interpreter).ok()?, argument))
}

/// Decides how to execute `path` with `args`.
fn plan(path: &CStr, args: Vec<CString>, depth: usize) -> Result<Plan, Errno> {
    let Some(header) = header(path) else { return Ok(Plan::Host) };
    if let Some((interpreter, argument)) = shebang(&header) {
        if depth >= MAX_NESTING {
            return Err(ELOOP);
        }
        let mut new_args = vec![interpreter.clone()];
        new_args.extend(argument);
        new_args.push(path.to_owned());
        new_args.extend(args.into_iter().skip(1));
        return plan(&interpreter, new_args, depth + 1);
    }
    if !is_aarch64_elf(&header) {
        return Ok(Plan::Host);
    }
    // SAFETY: a valid C string.
    if unsafe { libc::access(path.as_ptr(), libc::X_OK) } != 0 {
        return Err(EACCES);
    }
    let image = std::fs::read(std::ffi::OsStr::from_bytes(path.to_bytes())).map_err(|_| EACCES)?;
    if let Err(reason) = elf::parse(&image) {
        eprintln!("vmtrans: cannot run {}: {reason}", path.to_string_lossy());
        return Err(ENOEXEC);
    }
    if loaded_guest().is_none() && image == dispatch::guest_image() {
        return Ok(Plan::Itself(args));
    }
    Ok(Plan::Guest(path.to_owned(), args))
}

/// The path this process's own executable has for the guest: the loaded guest program's, if any.
fn resolve_self(path: CString) -> CString {
    let own = [b"/proc/self/exe".as_slice(), b"/proc/thread-self/exe".as_slice()];
    match loaded_guest() {
        Some(guest) if own.contains(&path.to_bytes()) => guest.to_owned(),
        _ => path,
    }
}

fn host_execve(path: &CStr, args: &[CString], env: &[CString]) -> SysResult {
    let mut arg_ptrs: Vec<*const libc::c_char> = args.iter().map(|s| s.as_ptr()).collect();
    arg_ptrs.push(std::ptr::null());
    let mut env_ptrs: Vec<*const libc::c_char> = env.iter().map(|s| s.as_ptr()).collect();
    env_ptrs.push(std::ptr::null());
    // SAFETY: null-terminated vectors of valid C strings that outlive the call.
    host_result(unsafe { libc::execve(path.as_ptr(), arg_ptrs.as_ptr(), env_ptrs.as_ptr()) } as i64)
}

pub fn execve(a: Args) -> SysResult {
    execute(memory::read_cstring(a[0])?, a[1], a[2])
}

/// execveat(dirfd, path, argv, envp, flags): a path relative to a descriptor, or the descriptor itself
/// with AT_EMPTY_PATH (fexecve), becomes a path under /proc/self/fd.
pub fn execveat(a: Args) -> SysResult {
    let path = memory::read_cstring(a[1])?;
    let dirfd = a[0] as i32;
    let flags = a[4] as i32;
    if flags & !(libc::AT_EMPTY_PATH | libc::AT_SYMLINK_NOFOLLOW) != 0 {
        return Err(crate::errno::EINVAL);
    }
    let bytes = path.to_bytes();
    let resolved = if bytes.first() == Some(&b'/') || (dirfd == libc::AT_FDCWD && !bytes.is_empty()) {
        path
    } else if bytes.is_empty() {
        if flags & libc::AT_EMPTY_PATH == 0 {
            return Err(crate::errno::ENOENT);
        }
        CString::new(format!("/proc/self/fd/{dirfd}")).map_err(|_| ENOEXEC)?
    } else {
        let mut joined = format!("/proc/self/fd/{dirfd}/").into_bytes();
        joined.extend_from_slice(bytes);
        CString::new(joined).map_err(|_| ENOEXEC)?
    };
    execute(resolved, a[2], a[3])
}

/// Executes `path` with the guest's argv and envp arrays.
fn execute(path: CString, argv: u64, envp: u64) -> SysResult {
    let path = resolve_self(path);
    let (args, mut env) = (guest_strings(argv)?, guest_strings(envp)?);
    let this_executable = c"/proc/self/exe";
    match plan(&path, args.clone(), 0)? {
        Plan::Host => host_execve(&path, &args, &env),
        Plan::Itself(args) => host_execve(this_executable, &args, &env),
        Plan::Guest(guest, args) => {
            let absolute = std::fs::canonicalize(std::ffi::OsStr::from_bytes(guest.to_bytes())).map_err(|_| ENOEXEC)?;
            let mut variable = format!("{GUEST_EXE_VAR}=").into_bytes();
            variable.extend_from_slice(absolute.as_os_str().as_bytes());
            let prefix = format!("{GUEST_EXE_VAR}=");
            env.retain(|entry| !entry.to_bytes().starts_with(prefix.as_bytes()));
            env.push(CString::new(variable).map_err(|_| ENOEXEC)?);
            host_execve(this_executable, &args, &env)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_lines_split_as_the_kernel_splits_them() {
        let split = |line: &[u8]| shebang(line).map(|(i, a)| (i.into_bytes(), a.map(|a| a.into_bytes())));
        assert_eq!(split(b"#!/bin/sh\necho"), Some((b"/bin/sh".to_vec(), None)));
        assert_eq!(
            split(b"#! /usr/bin/env  python3 -u \n"),
            Some((b"/usr/bin/env".to_vec(), Some(b"python3 -u".to_vec())))
        );
        assert_eq!(split(b"#!\n"), None);
        assert_eq!(split(b"\x7fELF"), None);
    }

    #[test]
    fn only_aarch64_elf_files_run_under_vmtrans() {
        let mut header = vec![0u8; 64];
        header[..4].copy_from_slice(b"\x7fELF");
        header[18..20].copy_from_slice(&EM_AARCH64.to_le_bytes());
        assert!(is_aarch64_elf(&header));
        header[18] = 62;
        assert!(!is_aarch64_elf(&header));
        assert_eq!(plan(c"/nonexistent/program", vec![], 0), Ok(Plan::Host));
        assert_eq!(plan(c"/bin/sh", vec![], 0), Ok(Plan::Host));
    }
}

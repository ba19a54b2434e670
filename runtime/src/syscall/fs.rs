//! Files, paths and descriptors: openat, close, lseek, fcntl, dup, pipes, directories, links, modes,
//! the current directory. Paths are read from guest memory with checks; descriptors pass through
//! unchanged. The open flags differ between the architectures in four bits, converted both ways.

use std::ffi::CString;

use super::Args;
use crate::errno::{host_result, Errno, SysResult, EINVAL, ERANGE};
use crate::memory::{self, host_ptr, host_ptr_or_null};

/// Open-flag bits where AArch64 (arch/arm64/include/uapi/asm/fcntl.h) and x86-64 (asm-generic)
/// differ, as (guest bit, host bit) pairs: O_DIRECTORY, O_NOFOLLOW, O_DIRECT, O_LARGEFILE.
const OPEN_FLAG_PAIRS: [(u64, u64); 4] =
    [(0o40000, 0o200000), (0o100000, 0o400000), (0o200000, 0o40000), (0o400000, 0o100000)];

/// Converts open flags between the two encodings given as (from, to) bit pairs.
fn convert_flags(flags: u64, to_host: bool) -> u64 {
    let all: u64 = OPEN_FLAG_PAIRS.iter().map(|&(g, _)| g).fold(0, |acc, g| acc | g);
    let mut out = flags & !all;
    for (guest, host) in OPEN_FLAG_PAIRS {
        let (from, to) = if to_host { (guest, host) } else { (host, guest) };
        if flags & from != 0 {
            out |= to;
        }
    }
    out
}

/// Guest open flags as the host spells them.
pub fn open_flags_to_host(flags: u64) -> i32 {
    convert_flags(flags, true) as i32
}

/// Host open flags as the guest spells them.
pub fn open_flags_to_guest(flags: u64) -> u64 {
    convert_flags(flags, false)
}

fn fd(arg: u64) -> i32 {
    arg as i32
}

/// Reads a guest path argument.
fn path(addr: u64) -> Result<CString, Errno> {
    memory::read_cstring(addr)
}

pub fn openat(a: Args) -> SysResult {
    let path = path(a[1])?;
    if let Some(result) = super::procfs::open(&path, open_flags_to_host(a[2]) & libc::O_CLOEXEC != 0) {
        return result;
    }
    // SAFETY: a valid C string; the mode is an integer.
    host_result(unsafe { libc::openat(fd(a[0]), path.as_ptr(), open_flags_to_host(a[2]), a[3] as libc::c_uint) } as i64)
}

/// openat2: `struct open_how` (flags, mode, resolve, each 64 bits, possibly extended by later kernels)
/// with the open flags converted; any bytes past the known fields are passed on for the host to judge.
pub fn openat2(a: Args) -> SysResult {
    const OPEN_HOW_SIZE: u64 = 24;
    const MAX_SIZE: u64 = 4096;
    let size = a[3];
    if !(OPEN_HOW_SIZE..=MAX_SIZE).contains(&size) {
        return Err(if size < OPEN_HOW_SIZE { EINVAL } else { Errno(libc::E2BIG) });
    }
    let mut how = vec![0u8; size as usize];
    memory::read_into(a[2], &mut how)?;
    let flags = u64::from_le_bytes(how[0..8].try_into().unwrap_or_default());
    if flags >> 32 != 0 {
        return Err(EINVAL);
    }
    how[0..8].copy_from_slice(&(open_flags_to_host(flags) as u32 as u64).to_le_bytes());
    let path = path(a[1])?;
    // SAFETY: a valid C string and a host copy of the guest's `open_how`.
    host_result(unsafe { libc::syscall(libc::SYS_openat2, fd(a[0]), path.as_ptr(), how.as_ptr(), size) })
}

pub fn close(a: Args) -> SysResult {
    // SAFETY: closing a descriptor number.
    host_result(unsafe { libc::close(fd(a[0])) } as i64)
}

pub fn lseek(a: Args) -> SysResult {
    // SAFETY: plain integers.
    host_result(unsafe { libc::lseek(fd(a[0]), a[1] as i64, a[2] as i32) })
}

pub fn dup(a: Args) -> SysResult {
    // SAFETY: plain integers.
    host_result(unsafe { libc::dup(fd(a[0])) } as i64)
}

pub fn dup3(a: Args) -> SysResult {
    // SAFETY: plain integers; O_CLOEXEC has the same value on both sides.
    host_result(unsafe { libc::dup3(fd(a[0]), fd(a[1]), open_flags_to_host(a[2])) } as i64)
}

pub fn pipe2(a: Args) -> SysResult {
    let mut fds = [0i32; 2];
    // SAFETY: the host writes two descriptors into `fds`.
    host_result(unsafe { libc::pipe2(fds.as_mut_ptr(), open_flags_to_host(a[1])) } as i64)?;
    let mut bytes = [0u8; 8];
    bytes[..4].copy_from_slice(&fds[0].to_le_bytes());
    bytes[4..].copy_from_slice(&fds[1].to_le_bytes());
    if let Err(errno) = memory::write_bytes(a[0], &bytes) {
        // SAFETY: closing the descriptors just made.
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        return Err(errno);
    }
    Ok(0)
}

/// fcntl commands with one meaning and one argument layout on both 64-bit ABIs (asm-generic values).
const F_SETSIG: i32 = 10;
const F_GETSIG: i32 = 11;
const F_SETOWN_EX: i32 = 15;
const F_GETOWN_EX: i32 = 16;
/// The size of `struct f_owner_ex` (an int type and a pid).
const F_OWNER_EX_SIZE: u64 = 8;

pub fn fcntl(a: Args) -> SysResult {
    let (descriptor, command) = (fd(a[0]), a[1] as i32);
    match command {
        F_SETSIG
        | F_GETSIG
        | libc::F_SETLEASE
        | libc::F_GETLEASE
        | libc::F_NOTIFY
        | libc::F_DUPFD
        | libc::F_GETFD
        | libc::F_SETFD
        | libc::F_SETOWN
        | libc::F_GETOWN
        | libc::F_DUPFD_CLOEXEC
        | libc::F_SETPIPE_SZ
        | libc::F_GETPIPE_SZ
        | libc::F_ADD_SEALS
        | libc::F_GET_SEALS => {
            // SAFETY: integer arguments only.
            host_result(unsafe { libc::fcntl(descriptor, command, a[2] as libc::c_int) } as i64)
        }
        libc::F_GETFL => {
            // SAFETY: as above.
            let flags = host_result(unsafe { libc::fcntl(descriptor, command) } as i64)?;
            Ok(open_flags_to_guest(flags))
        }
        libc::F_SETFL => {
            // SAFETY: as above.
            host_result(unsafe { libc::fcntl(descriptor, command, open_flags_to_host(a[2])) } as i64)
        }
        F_SETOWN_EX | F_GETOWN_EX => {
            let owner = host_ptr(a[2], F_OWNER_EX_SIZE)?;
            // SAFETY: the owner structure lies inside the guest space.
            host_result(unsafe { libc::fcntl(descriptor, command, owner) } as i64)
        }
        libc::F_GETLK | libc::F_SETLK | libc::F_SETLKW | libc::F_OFD_GETLK | libc::F_OFD_SETLK | libc::F_OFD_SETLKW => {
            // `struct flock` is 32 bytes with the same layout on both 64-bit ABIs.
            let lock = host_ptr(a[2], 32)?;
            // SAFETY: the lock structure lies inside the guest space.
            host_result(unsafe { libc::fcntl(descriptor, command, lock) } as i64)
        }
        _ => Err(EINVAL),
    }
}

pub fn getdents64(a: Args) -> SysResult {
    // `struct linux_dirent64` is the same everywhere.
    let buf = host_ptr(a[1], a[2])?;
    // SAFETY: the buffer lies inside the guest space.
    host_result(unsafe { libc::syscall(libc::SYS_getdents64, fd(a[0]), buf, a[2] as usize) })
}

pub fn readlinkat(a: Args) -> SysResult {
    // The host answers /proc/self/exe with the translated program's path, unless this process runs
    // an AArch64 program execve loaded from a file.
    let path = path(a[1])?;
    let buf = host_ptr(a[2], a[3])?;
    if let Some(target) = super::procfs::exe_link(&path) {
        let bytes = target.to_bytes();
        let n = bytes.len().min(a[3] as usize);
        memory::write_bytes(a[2], &bytes[..n])?;
        return Ok(n as u64);
    }
    // SAFETY: a valid C string and a buffer inside the guest space.
    host_result(unsafe { libc::readlinkat(fd(a[0]), path.as_ptr(), buf.cast(), a[3] as usize) } as i64)
}

pub fn faccessat(a: Args) -> SysResult {
    let path = path(a[1])?;
    // SAFETY: a valid C string.
    host_result(unsafe { libc::syscall(libc::SYS_faccessat, fd(a[0]), path.as_ptr(), a[2] as i32) })
}

pub fn faccessat2(a: Args) -> SysResult {
    let path = path(a[1])?;
    // SAFETY: a valid C string; the AT_* flags have the same values on both sides.
    host_result(unsafe { libc::syscall(libc::SYS_faccessat2, fd(a[0]), path.as_ptr(), a[2] as i32, a[3] as i32) })
}

pub fn getcwd(a: Args) -> SysResult {
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    // SAFETY: the host writes at most buf.len() bytes.
    let ret = unsafe { libc::syscall(libc::SYS_getcwd, buf.as_mut_ptr(), buf.len()) };
    let len = host_result(ret)? as usize;
    if len > a[1] as usize {
        return Err(ERANGE);
    }
    memory::write_bytes(a[0], &buf[..len])?;
    Ok(len as u64)
}

pub fn chdir(a: Args) -> SysResult {
    let path = path(a[0])?;
    // SAFETY: a valid C string.
    host_result(unsafe { libc::chdir(path.as_ptr()) } as i64)
}

pub fn fchdir(a: Args) -> SysResult {
    // SAFETY: a plain integer.
    host_result(unsafe { libc::fchdir(fd(a[0])) } as i64)
}

pub fn mkdirat(a: Args) -> SysResult {
    let path = path(a[1])?;
    // SAFETY: a valid C string.
    host_result(unsafe { libc::mkdirat(fd(a[0]), path.as_ptr(), a[2] as libc::mode_t) } as i64)
}

pub fn mknodat(a: Args) -> SysResult {
    let path = path(a[1])?;
    // SAFETY: a valid C string.
    host_result(unsafe { libc::mknodat(fd(a[0]), path.as_ptr(), a[2] as libc::mode_t, a[3] as libc::dev_t) } as i64)
}

pub fn unlinkat(a: Args) -> SysResult {
    let path = path(a[1])?;
    // SAFETY: a valid C string.
    host_result(unsafe { libc::unlinkat(fd(a[0]), path.as_ptr(), a[2] as i32) } as i64)
}

pub fn symlinkat(a: Args) -> SysResult {
    let (target, link) = (path(a[0])?, path(a[2])?);
    // SAFETY: valid C strings.
    host_result(unsafe { libc::symlinkat(target.as_ptr(), fd(a[1]), link.as_ptr()) } as i64)
}

pub fn linkat(a: Args) -> SysResult {
    let (old, new) = (path(a[1])?, path(a[3])?);
    // SAFETY: valid C strings.
    host_result(unsafe { libc::linkat(fd(a[0]), old.as_ptr(), fd(a[2]), new.as_ptr(), a[4] as i32) } as i64)
}

pub fn renameat(a: Args) -> SysResult {
    renameat2([a[0], a[1], a[2], a[3], 0, 0])
}

pub fn renameat2(a: Args) -> SysResult {
    let (old, new) = (path(a[1])?, path(a[3])?);
    // SAFETY: valid C strings.
    host_result(unsafe {
        libc::syscall(libc::SYS_renameat2, fd(a[0]), old.as_ptr(), fd(a[2]), new.as_ptr(), a[4] as u32)
    })
}

pub fn truncate(a: Args) -> SysResult {
    let path = path(a[0])?;
    // SAFETY: a valid C string.
    host_result(unsafe { libc::truncate(path.as_ptr(), a[1] as i64) } as i64)
}

pub fn ftruncate(a: Args) -> SysResult {
    // SAFETY: plain integers.
    host_result(unsafe { libc::ftruncate(fd(a[0]), a[1] as i64) } as i64)
}

pub fn fchmod(a: Args) -> SysResult {
    // SAFETY: plain integers.
    host_result(unsafe { libc::fchmod(fd(a[0]), a[1] as libc::mode_t) } as i64)
}

pub fn fchmodat(a: Args) -> SysResult {
    let path = path(a[1])?;
    // SAFETY: a valid C string (the raw call, which has no flags argument).
    host_result(unsafe { libc::syscall(libc::SYS_fchmodat, fd(a[0]), path.as_ptr(), a[2] as libc::mode_t) })
}

pub fn fchownat(a: Args) -> SysResult {
    let path = path(a[1])?;
    // SAFETY: a valid C string.
    host_result(unsafe { libc::fchownat(fd(a[0]), path.as_ptr(), a[2] as u32, a[3] as u32, a[4] as i32) } as i64)
}

pub fn fchown(a: Args) -> SysResult {
    // SAFETY: plain integers.
    host_result(unsafe { libc::fchown(fd(a[0]), a[1] as u32, a[2] as u32) } as i64)
}

pub fn utimensat(a: Args) -> SysResult {
    // A null path (futimens) stays null; the two timespecs have the same layout on both sides.
    let path = if a[1] == 0 { None } else { Some(path(a[1])?) };
    let times = host_ptr_or_null(a[2], 32)?;
    let path_ptr = path.as_ref().map_or(std::ptr::null(), |p| p.as_ptr());
    // SAFETY: the path is null or valid; the times are null or inside the guest space.
    host_result(unsafe { libc::syscall(libc::SYS_utimensat, fd(a[0]), path_ptr, times, a[3] as i32) })
}

pub fn sync() -> SysResult {
    // SAFETY: no arguments.
    unsafe { libc::sync() };
    Ok(0)
}

pub fn fsync(a: Args) -> SysResult {
    // SAFETY: a plain integer.
    host_result(unsafe { libc::fsync(fd(a[0])) } as i64)
}

pub fn fdatasync(a: Args) -> SysResult {
    // SAFETY: a plain integer.
    host_result(unsafe { libc::fdatasync(fd(a[0])) } as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_flags_convert_the_four_differing_bits() {
        // O_RDONLY|O_DIRECTORY|O_CLOEXEC as AArch64 glibc's opendir passes it.
        let guest = 0o40000 | 0o2000000;
        assert_eq!(open_flags_to_host(guest), libc::O_DIRECTORY | libc::O_CLOEXEC);
        assert_eq!(open_flags_to_host(0o100000), libc::O_NOFOLLOW);
        assert_eq!(open_flags_to_host(0o200000), libc::O_DIRECT);
        assert_eq!(open_flags_to_host(0o1101), libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC);
        for flags in [0u64, 0o40000, 0o100000, 0o200000, 0o400000, 0o777777, 0o2000000] {
            assert_eq!(open_flags_to_guest(open_flags_to_host(flags) as u64), flags);
        }
    }
}

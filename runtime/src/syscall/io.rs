//! Data transfer on file descriptors: read, write and their vector and positioned forms (preadv2 and
//! pwritev2 included), vmsplice, sendfile and the terminal ioctls. Guest file descriptors are host file descriptors; guest buffers
//! are translated to host pointers and checked to lie inside the guest space (the host kernel then
//! answers EFAULT for the parts the guest has not mapped).

use super::Args;
use crate::errno::{host_result, Errno, SysResult, EINVAL, ENOTTY};
use crate::memory::{self, host_ptr, host_ptr_or_null};

/// The most iovec entries one call may pass (IOV_MAX).
const IOV_MAX: u64 = 1024;

fn fd(arg: u64) -> i32 {
    arg as i32
}

pub fn read(a: Args) -> SysResult {
    let buf = host_ptr(a[1], a[2])?;
    // SAFETY: the buffer lies inside the guest space; the kernel checks that it is mapped.
    host_result(unsafe { libc::read(fd(a[0]), buf.cast(), a[2] as usize) } as i64)
}

pub fn write(a: Args) -> SysResult {
    let buf = host_ptr(a[1], a[2])?;
    // SAFETY: as in `read`.
    host_result(unsafe { libc::write(fd(a[0]), buf.cast(), a[2] as usize) } as i64)
}

pub fn pread64(a: Args) -> SysResult {
    let buf = host_ptr(a[1], a[2])?;
    // SAFETY: as in `read`.
    host_result(unsafe { libc::pread(fd(a[0]), buf.cast(), a[2] as usize, a[3] as i64) } as i64)
}

pub fn pwrite64(a: Args) -> SysResult {
    let buf = host_ptr(a[1], a[2])?;
    // SAFETY: as in `read`.
    host_result(unsafe { libc::pwrite(fd(a[0]), buf.cast(), a[2] as usize, a[3] as i64) } as i64)
}

/// Reads the guest's iovec array (16 bytes per entry: base, length) as host iovecs.
pub fn host_iovecs(addr: u64, count: u64) -> Result<Vec<libc::iovec>, Errno> {
    if count > IOV_MAX {
        return Err(EINVAL);
    }
    let mut raw = vec![0u8; count as usize * 16];
    memory::read_into(addr, &mut raw)?;
    raw.chunks_exact(16)
        .map(|entry| {
            let base = u64::from_le_bytes(entry[0..8].try_into().unwrap_or_default());
            let len = u64::from_le_bytes(entry[8..16].try_into().unwrap_or_default());
            if len > isize::MAX as u64 {
                return Err(EINVAL);
            }
            Ok(libc::iovec { iov_base: host_ptr(base, len)?.cast(), iov_len: len as usize })
        })
        .collect()
}

pub fn readv(a: Args) -> SysResult {
    let iov = host_iovecs(a[1], a[2])?;
    // SAFETY: every buffer lies inside the guest space.
    host_result(unsafe { libc::readv(fd(a[0]), iov.as_ptr(), iov.len() as i32) } as i64)
}

pub fn writev(a: Args) -> SysResult {
    let iov = host_iovecs(a[1], a[2])?;
    // SAFETY: as in `readv`.
    host_result(unsafe { libc::writev(fd(a[0]), iov.as_ptr(), iov.len() as i32) } as i64)
}

/// preadv, pwritev, preadv2 and pwritev2 (`host` says which): the offset comes as two words (low,
/// high), of which a 64-bit kernel uses the first; the v2 forms add the RWF_* flags, which are the same
/// on both sides.
fn positioned_vector(host: libc::c_long, a: Args) -> SysResult {
    let iov = host_iovecs(a[1], a[2])?;
    // SAFETY: every buffer lies inside the guest space.
    host_result(unsafe { libc::syscall(host, fd(a[0]), iov.as_ptr(), iov.len() as i32, a[3], a[4], a[5]) })
}

pub fn preadv(a: Args) -> SysResult {
    positioned_vector(libc::SYS_preadv, a)
}

pub fn pwritev(a: Args) -> SysResult {
    positioned_vector(libc::SYS_pwritev, a)
}

pub fn preadv2(a: Args) -> SysResult {
    positioned_vector(libc::SYS_preadv2, a)
}

pub fn pwritev2(a: Args) -> SysResult {
    positioned_vector(libc::SYS_pwritev2, a)
}

pub fn vmsplice(a: Args) -> SysResult {
    let iov = host_iovecs(a[1], a[2])?;
    // SAFETY: every buffer lies inside the guest space.
    host_result(unsafe { libc::syscall(libc::SYS_vmsplice, fd(a[0]), iov.as_ptr(), iov.len(), a[3]) })
}

pub fn sendfile(a: Args) -> SysResult {
    let offset = host_ptr_or_null(a[2], 8)?;
    // SAFETY: the offset pointer is null or inside the guest space.
    host_result(unsafe { libc::sendfile(fd(a[0]), fd(a[1]), offset.cast(), a[3] as usize) } as i64)
}

/// Terminal ioctls, all with the asm-generic numbers and layouts both architectures share.
const TCGETS: u64 = 0x5401;
const TCSETS: u64 = 0x5402;
const TCSETSW: u64 = 0x5403;
const TCSETSF: u64 = 0x5404;
const TCSBRK: u64 = 0x5409;
const TCXONC: u64 = 0x540a;
const TCFLSH: u64 = 0x540b;
const TIOCSCTTY: u64 = 0x540e;
const TIOCGPGRP: u64 = 0x540f;
const TIOCSPGRP: u64 = 0x5410;
const TIOCOUTQ: u64 = 0x5411;
const TIOCGWINSZ: u64 = 0x5413;
const TIOCSWINSZ: u64 = 0x5414;
const FIONREAD: u64 = 0x541b;
const TIOCNOTTY: u64 = 0x5422;
const FIONBIO: u64 = 0x5421;
const TCSBRKP: u64 = 0x5425;
const TIOCGSID: u64 = 0x5429;
const TIOCGPTN: u64 = 0x8004_5430;
const TIOCSPTLCK: u64 = 0x4004_5431;
const TIOCGPTPEER: u64 = 0x5441;
const FIONCLEX: u64 = 0x5450;
const FIOCLEX: u64 = 0x5451;
/// The size of the kernel's `struct termios` (4 flag words, c_line, 19 control characters).
const TERMIOS_SIZE: u64 = 36;

/// What an ioctl's third argument is, for the requests passed through.
#[derive(Clone, Copy, Debug, PartialEq)]
enum IoctlArg {
    /// A pointer to an object of this many bytes (checked to lie in the guest space).
    Pointer(u64),
    /// A plain value, passed as it is.
    Value,
}

/// The argument of `request`, or None for requests not passed through (ENOTTY).
fn ioctl_arg(request: u64) -> Option<IoctlArg> {
    use IoctlArg::{Pointer, Value};
    match request {
        TCGETS | TCSETS | TCSETSW | TCSETSF => Some(Pointer(TERMIOS_SIZE)),
        TIOCGWINSZ | TIOCSWINSZ => Some(Pointer(8)),
        TIOCGPGRP | TIOCSPGRP | FIONREAD | FIONBIO | TIOCOUTQ | TIOCGSID | TIOCGPTN | TIOCSPTLCK => Some(Pointer(4)),
        TCSBRK | TCSBRKP | TCXONC | TCFLSH | TIOCSCTTY | TIOCNOTTY | TIOCGPTPEER | FIOCLEX | FIONCLEX => Some(Value),
        _ => None,
    }
}

/// ioctl: terminal, pseudo-terminal and descriptor requests (their numbers and layouts are the same on
/// both architectures); TIOCGPTPEER's open flags are the one argument that needs converting.
pub fn ioctl(a: Args) -> SysResult {
    let request = a[1] & 0xffff_ffff;
    let arg = match ioctl_arg(request).ok_or(ENOTTY)? {
        IoctlArg::Pointer(size) => host_ptr(a[2], size)? as u64,
        IoctlArg::Value if request == TIOCGPTPEER => super::fs::open_flags_to_host(a[2]) as u64,
        IoctlArg::Value => a[2],
    };
    // SAFETY: the argument is a value or a guest object of the size the request uses.
    host_result(unsafe { libc::ioctl(fd(a[0]), request as _, arg) } as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_terminal_requests_pass() {
        assert_eq!(ioctl_arg(TCGETS), Some(IoctlArg::Pointer(36)));
        assert_eq!(ioctl_arg(TIOCGWINSZ), Some(IoctlArg::Pointer(8)));
        assert_eq!(ioctl_arg(TIOCGPTN), Some(IoctlArg::Pointer(4)));
        assert_eq!(ioctl_arg(TCFLSH), Some(IoctlArg::Value));
        assert_eq!(ioctl_arg(0x8912), None);
        assert_eq!(ioctl([0, 0x8912, 0, 0, 0, 0]), Err(ENOTTY));
    }

    #[test]
    fn bad_buffers_are_refused_before_the_host_call() {
        assert_eq!(write([1, u64::MAX - 2, 5, 0, 0, 0]), Err(crate::errno::EFAULT));
        assert_eq!(writev([1, 0, IOV_MAX + 1, 0, 0, 0]), Err(EINVAL));
    }
}

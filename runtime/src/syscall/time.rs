//! Clocks and sleeping: clock_gettime, clock_getres, gettimeofday, nanosleep, clock_nanosleep and
//! times. Clock ids, `struct timespec`, `struct timeval` and `struct tms` are the same on both sides,
//! so the calls pass through with translated pointers.

use super::Args;
use crate::errno::{host_result, SysResult};
use crate::memory::{host_ptr, host_ptr_or_null, write_bytes};

/// The little-endian bytes of two 64-bit words (a `timespec` or a `timeval`, alike on both sides).
fn two_words(first: i64, second: i64) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&first.to_le_bytes());
    bytes[8..].copy_from_slice(&second.to_le_bytes());
    bytes
}

/// clock_gettime through the host C library, which answers from the vDSO without entering the kernel
/// (a program that times short work calls it millions of times). The result is copied out with the
/// guest mapping checked, since the vDSO would fault on a bad pointer where the kernel says EFAULT; an
/// unknown clock is EINVAL first, as in the kernel.
pub fn clock_gettime(a: Args) -> SysResult {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a local timespec.
    host_result(i64::from(unsafe { libc::clock_gettime(a[0] as i32, &mut now) }))?;
    write_bytes(a[1], &two_words(now.tv_sec, now.tv_nsec)).map(|_| 0)
}

pub fn clock_getres(a: Args) -> SysResult {
    let res = host_ptr_or_null(a[1], 16)?;
    // SAFETY: the timespec is null or lies inside the guest space; the host checks that it is mapped.
    host_result(unsafe { libc::syscall(libc::SYS_clock_getres, a[0] as i32, res) })
}

/// gettimeofday through the host C library's vDSO, as `clock_gettime`; the time zone (when asked) is
/// the kernel's, which the host library fetches too.
pub fn gettimeofday(a: Args) -> SysResult {
    let mut now = libc::timeval { tv_sec: 0, tv_usec: 0 };
    let mut zone = [0i32; 2];
    // SAFETY: both are locals of the sizes the call writes.
    host_result(i64::from(unsafe { libc::gettimeofday(&mut now, zone.as_mut_ptr().cast()) }))?;
    if a[0] != 0 {
        write_bytes(a[0], &two_words(now.tv_sec, now.tv_usec))?;
    }
    if a[1] != 0 {
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&zone[0].to_le_bytes());
        bytes[4..].copy_from_slice(&zone[1].to_le_bytes());
        write_bytes(a[1], &bytes)?;
    }
    Ok(0)
}

pub fn nanosleep(a: Args) -> SysResult {
    let (req, rem) = (host_ptr(a[0], 16)?, host_ptr_or_null(a[1], 16)?);
    // SAFETY: both pointers are null or inside the guest space; the host checks that they are mapped.
    host_result(unsafe { libc::syscall(libc::SYS_nanosleep, req, rem) })
}

pub fn clock_nanosleep(a: Args) -> SysResult {
    let (req, rem) = (host_ptr(a[2], 16)?, host_ptr_or_null(a[3], 16)?);
    // SAFETY: as in `nanosleep`. The raw call returns -1/errno like the others.
    host_result(unsafe { libc::syscall(libc::SYS_clock_nanosleep, a[0] as i32, a[1] as i32, req, rem) })
}

/// getitimer: `struct itimerval` (two timevals) has the same layout on both sides.
pub fn getitimer(a: Args) -> SysResult {
    let value = host_ptr(a[1], 32)?;
    // SAFETY: as in `nanosleep`.
    host_result(unsafe { libc::syscall(libc::SYS_getitimer, a[0] as i32, value) })
}

/// setitimer (and alarm, which glibc builds on it): a host timer, whose signal reaches the guest through the
/// host, like any other.
pub fn setitimer(a: Args) -> SysResult {
    let (new, old) = (host_ptr(a[1], 32)?, host_ptr_or_null(a[2], 32)?);
    // SAFETY: as in `nanosleep`.
    host_result(unsafe { libc::syscall(libc::SYS_setitimer, a[0] as i32, new, old) })
}

pub fn times(a: Args) -> SysResult {
    let buf = host_ptr_or_null(a[0], 32)?;
    // SAFETY: as in `nanosleep`.
    host_result(unsafe { libc::syscall(libc::SYS_times, buf) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::EFAULT;

    #[test]
    fn pointers_outside_the_guest_space_fault() {
        assert_eq!(clock_gettime([0, 1 << 40, 0, 0, 0, 0]), Err(EFAULT));
        assert_eq!(nanosleep([u64::MAX, 0, 0, 0, 0, 0]), Err(EFAULT));
    }
}

//! Clocks and sleeping: clock_gettime, clock_getres, gettimeofday, nanosleep, clock_nanosleep and
//! times. Clock ids, `struct timespec`, `struct timeval` and `struct tms` are the same on both sides,
//! so the calls pass through with translated pointers.

use super::Args;
use crate::errno::{host_result, SysResult};
use crate::memory::{host_ptr, host_ptr_or_null};

pub fn clock_gettime(a: Args) -> SysResult {
    let tp = host_ptr(a[1], 16)?;
    // SAFETY: the timespec lies inside the guest space; the host checks that it is mapped.
    host_result(unsafe { libc::syscall(libc::SYS_clock_gettime, a[0] as i32, tp) })
}

pub fn clock_getres(a: Args) -> SysResult {
    let res = host_ptr_or_null(a[1], 16)?;
    // SAFETY: as in `clock_gettime`.
    host_result(unsafe { libc::syscall(libc::SYS_clock_getres, a[0] as i32, res) })
}

pub fn gettimeofday(a: Args) -> SysResult {
    let (tv, tz) = (host_ptr_or_null(a[0], 16)?, host_ptr_or_null(a[1], 8)?);
    // SAFETY: both pointers are null or inside the guest space.
    host_result(unsafe { libc::syscall(libc::SYS_gettimeofday, tv, tz) })
}

pub fn nanosleep(a: Args) -> SysResult {
    let (req, rem) = (host_ptr(a[0], 16)?, host_ptr_or_null(a[1], 16)?);
    // SAFETY: as in `gettimeofday`.
    host_result(unsafe { libc::syscall(libc::SYS_nanosleep, req, rem) })
}

pub fn clock_nanosleep(a: Args) -> SysResult {
    let (req, rem) = (host_ptr(a[2], 16)?, host_ptr_or_null(a[3], 16)?);
    // SAFETY: as in `gettimeofday`. The raw call returns -1/errno like the others.
    host_result(unsafe { libc::syscall(libc::SYS_clock_nanosleep, a[0] as i32, a[1] as i32, req, rem) })
}

/// getitimer: `struct itimerval` (two timevals) has the same layout on both sides.
pub fn getitimer(a: Args) -> SysResult {
    let value = host_ptr(a[1], 32)?;
    // SAFETY: as in `gettimeofday`.
    host_result(unsafe { libc::syscall(libc::SYS_getitimer, a[0] as i32, value) })
}

/// setitimer (and alarm, which glibc builds on it): a host timer, whose signal reaches the guest through the
/// host, like any other.
pub fn setitimer(a: Args) -> SysResult {
    let (new, old) = (host_ptr(a[1], 32)?, host_ptr_or_null(a[2], 32)?);
    // SAFETY: as in `gettimeofday`.
    host_result(unsafe { libc::syscall(libc::SYS_setitimer, a[0] as i32, new, old) })
}

pub fn times(a: Args) -> SysResult {
    let buf = host_ptr_or_null(a[0], 32)?;
    // SAFETY: as in `gettimeofday`.
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

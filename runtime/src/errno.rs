//! Error numbers as system calls return them: the `Errno` type every handler fails with, the
//! `SysResult` alias, and the glue that turns a host call's `-1`/`errno` into one. AArch64 Linux uses
//! the asm-generic error numbers, which are the x86-64 ones too, so host numbers pass through.

/// A positive Linux error number (EFAULT is `Errno(14)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub i32);

/// The outcome of a system call handler: the value for x0, or the error to return as `-errno`.
pub type SysResult = Result<u64, Errno>;

pub const EPERM: Errno = Errno(libc::EPERM);
pub const ENOENT: Errno = Errno(libc::ENOENT);
pub const ESRCH: Errno = Errno(libc::ESRCH);
pub const EBADF: Errno = Errno(libc::EBADF);
pub const EAGAIN: Errno = Errno(libc::EAGAIN);
pub const ENOMEM: Errno = Errno(libc::ENOMEM);
pub const EFAULT: Errno = Errno(libc::EFAULT);
pub const EEXIST: Errno = Errno(libc::EEXIST);
pub const EINVAL: Errno = Errno(libc::EINVAL);
pub const ENOTTY: Errno = Errno(libc::ENOTTY);
pub const ERANGE: Errno = Errno(libc::ERANGE);
pub const ENAMETOOLONG: Errno = Errno(libc::ENAMETOOLONG);
pub const ENOSYS: Errno = Errno(libc::ENOSYS);
pub const E2BIG: Errno = Errno(libc::E2BIG);
pub const EACCES: Errno = Errno(libc::EACCES);
pub const ELOOP: Errno = Errno(libc::ELOOP);
pub const ENOEXEC: Errno = Errno(libc::ENOEXEC);

impl Errno {
    /// The error the last failed host call left in the thread's `errno`.
    pub fn last() -> Errno {
        Errno(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO))
    }

    /// The value a raw system call returns for this error: `-errno` as a 64-bit word.
    pub fn to_raw(self) -> u64 {
        (-(self.0 as i64)) as u64
    }
}

/// Turns the return value of a host libc call (negative means failure, with `errno` set) into a result.
pub fn host_result(ret: i64) -> SysResult {
    if ret < 0 {
        Err(Errno::last())
    } else {
        Ok(ret as u64)
    }
}

/// Encodes a handler's result as the kernel does in x0.
pub fn encode_result(result: SysResult) -> u64 {
    match result {
        Ok(value) => value,
        Err(errno) => errno.to_raw(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_encode_as_negative_numbers() {
        assert_eq!(encode_result(Err(ENOSYS)), (-38i64) as u64);
        assert_eq!(encode_result(Ok(7)), 7);
        assert_eq!(EFAULT.0, 14);
    }
}

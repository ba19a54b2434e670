//! System calls the host kernel can answer for the guest as they are, once their pointer arguments
//! are guest addresses turned into host ones: a table from the AArch64 number to the x86-64 number
//! and the kind of each argument. Every call listed here has the same argument order and the same
//! layout for everything its pointers reach on both 64-bit ABIs (checked against the kernel's
//! uapi headers, entry by entry: xattrs, inotify, eventfd, timerfd, POSIX timers and message queues,
//! the scheduler and identity calls, sockets without message headers, file-range calls, memory
//! locking), so no structure is converted. Calls that need conversion (epoll's event, open flags,
//! message headers, iovecs, signal masks) have their own handlers elsewhere.
//!
//! A pointer argument is checked to lie inside the guest space for the length the table states
//! (EFAULT otherwise); whether it is mapped, the host kernel checks itself and answers EFAULT.
//! Strings are copied out of guest memory, so a string can never run past the guest space.

use std::ffi::CString;

use super::Args;
use crate::errno::{host_result, Errno, SysResult};
use crate::memory::{self, host_ptr, PAGE_SIZE};

/// How long the object a pointer argument points at is.
#[derive(Clone, Copy, Debug)]
pub enum Len {
    /// A fixed number of bytes.
    Bytes(u64),
    /// The value of argument `i` (a buffer and its size).
    Arg(usize),
    /// The value of argument `i` plus eight (a SysV message: its type word, then the text).
    ArgPlus8(usize),
    /// The value of argument `i` times a fixed element size.
    ArgTimes(usize, u64),
    /// The 32-bit value stored at the guest address in argument `i` (a socket address and its
    /// `socklen_t *`); zero when that argument is null.
    LenAt(usize),
    /// One byte per page of the range whose length is argument `i` (mincore's vector).
    PagesOf(usize),
}

/// The kind of one argument.
#[derive(Clone, Copy, Debug)]
pub enum Arg {
    /// An integer or descriptor, passed as it is.
    Val,
    /// A guest pointer, which must not be null.
    Ptr(Len),
    /// A guest pointer that may be null (null stays null).
    OptPtr(Len),
    /// A guest C string, copied.
    Str,
}

use Arg::{OptPtr, Ptr, Str, Val};
use Len::{Arg as A, ArgTimes, Bytes, LenAt, PagesOf};

/// A pass-through call: the host's number and the kinds of the arguments it takes.
pub struct Entry {
    pub host: libc::c_long,
    pub args: &'static [Arg],
}

const fn e(host: libc::c_long, args: &'static [Arg]) -> Option<Entry> {
    Some(Entry { host, args })
}

/// `struct timespec` and `struct timeval` (two 64-bit words).
const TIMESPEC: Len = Bytes(16);
/// `struct itimerspec` (two timespecs).
const ITIMERSPEC: Len = Bytes(32);
/// `struct sigevent`.
const SIGEVENT: Len = Bytes(64);
/// `struct mq_attr` (eight longs).
const MQ_ATTR: Len = Bytes(64);
/// `struct timex`.
const TIMEX: Len = Bytes(208);
/// `siginfo_t`.
const SIGINFO: Len = Bytes(128);
/// `struct rusage`.
const RUSAGE: Len = Bytes(144);
/// `struct sched_attr` up to its newest field (SCHED_ATTR_SIZE_VER1).
const SCHED_ATTR: Len = Bytes(56);
/// The kernel's capability header and the two 12-byte data words of version 3.
const CAP_HEADER: Len = Bytes(8);
const CAP_DATA: Len = Bytes(24);
/// `struct shmid64_ds`, `struct msqid64_ds`.
const SHMID_DS: Len = Bytes(112);
const MSQID_DS: Len = Bytes(120);

/// The pass-through entry of guest system call `number`, if it has one.
pub fn entry(number: u64) -> Option<Entry> {
    use libc::*;
    match number {
        5 => e(SYS_setxattr, &[Str, Str, Ptr(A(3)), Val, Val]),
        6 => e(SYS_lsetxattr, &[Str, Str, Ptr(A(3)), Val, Val]),
        7 => e(SYS_fsetxattr, &[Val, Str, Ptr(A(3)), Val, Val]),
        8 => e(SYS_getxattr, &[Str, Str, OptPtr(A(3)), Val]),
        9 => e(SYS_lgetxattr, &[Str, Str, OptPtr(A(3)), Val]),
        10 => e(SYS_fgetxattr, &[Val, Str, OptPtr(A(3)), Val]),
        11 => e(SYS_listxattr, &[Str, OptPtr(A(2)), Val]),
        12 => e(SYS_llistxattr, &[Str, OptPtr(A(2)), Val]),
        13 => e(SYS_flistxattr, &[Val, OptPtr(A(2)), Val]),
        14 => e(SYS_removexattr, &[Str, Str]),
        15 => e(SYS_lremovexattr, &[Str, Str]),
        16 => e(SYS_fremovexattr, &[Val, Str]),
        19 => e(SYS_eventfd2, &[Val, Val]),
        20 => e(SYS_epoll_create1, &[Val]),
        26 => e(SYS_inotify_init1, &[Val]),
        27 => e(SYS_inotify_add_watch, &[Val, Str, Val]),
        28 => e(SYS_inotify_rm_watch, &[Val, Val]),
        32 => e(SYS_flock, &[Val, Val]),
        47 => e(SYS_fallocate, &[Val, Val, Val, Val]),
        51 => e(SYS_chroot, &[Str]),
        76 => e(SYS_splice, &[Val, OptPtr(Bytes(8)), Val, OptPtr(Bytes(8)), Val, Val]),
        77 => e(SYS_tee, &[Val, Val, Val, Val]),
        84 => e(SYS_sync_file_range, &[Val, Val, Val, Val]),
        85 => e(SYS_timerfd_create, &[Val, Val]),
        86 => e(SYS_timerfd_settime, &[Val, Val, Ptr(ITIMERSPEC), OptPtr(ITIMERSPEC)]),
        87 => e(SYS_timerfd_gettime, &[Val, Ptr(ITIMERSPEC)]),
        90 => e(SYS_capget, &[Ptr(CAP_HEADER), OptPtr(CAP_DATA)]),
        91 => e(SYS_capset, &[Ptr(CAP_HEADER), OptPtr(CAP_DATA)]),
        92 => e(SYS_personality, &[Val]),
        95 => e(SYS_waitid, &[Val, Val, OptPtr(SIGINFO), Val, OptPtr(RUSAGE)]),
        97 => e(SYS_unshare, &[Val]),
        107 => e(SYS_timer_create, &[Val, OptPtr(SIGEVENT), Ptr(Bytes(4))]),
        108 => e(SYS_timer_gettime, &[Val, Ptr(ITIMERSPEC)]),
        109 => e(SYS_timer_getoverrun, &[Val]),
        110 => e(SYS_timer_settime, &[Val, Val, Ptr(ITIMERSPEC), OptPtr(ITIMERSPEC)]),
        111 => e(SYS_timer_delete, &[Val]),
        112 => e(SYS_clock_settime, &[Val, Ptr(TIMESPEC)]),
        116 => e(SYS_syslog, &[Val, OptPtr(A(2)), Val]),
        118 => e(SYS_sched_setparam, &[Val, Ptr(Bytes(4))]),
        119 => e(SYS_sched_setscheduler, &[Val, Val, Ptr(Bytes(4))]),
        120 => e(SYS_sched_getscheduler, &[Val]),
        121 => e(SYS_sched_getparam, &[Val, Ptr(Bytes(4))]),
        125 => e(SYS_sched_get_priority_max, &[Val]),
        126 => e(SYS_sched_get_priority_min, &[Val]),
        127 => e(SYS_sched_rr_get_interval, &[Val, Ptr(TIMESPEC)]),
        140 => e(SYS_setpriority, &[Val, Val, Val]),
        141 => e(SYS_getpriority, &[Val, Val]),
        143 => e(SYS_setregid, &[Val, Val]),
        144 => e(SYS_setgid, &[Val]),
        145 => e(SYS_setreuid, &[Val, Val]),
        146 => e(SYS_setuid, &[Val]),
        147 => e(SYS_setresuid, &[Val, Val, Val]),
        148 => e(SYS_getresuid, &[Ptr(Bytes(4)), Ptr(Bytes(4)), Ptr(Bytes(4))]),
        149 => e(SYS_setresgid, &[Val, Val, Val]),
        150 => e(SYS_getresgid, &[Ptr(Bytes(4)), Ptr(Bytes(4)), Ptr(Bytes(4))]),
        151 => e(SYS_setfsuid, &[Val]),
        152 => e(SYS_setfsgid, &[Val]),
        158 => e(SYS_getgroups, &[Val, OptPtr(ArgTimes(0, 4))]),
        159 => e(SYS_setgroups, &[Val, OptPtr(ArgTimes(0, 4))]),
        161 => e(SYS_sethostname, &[Ptr(A(1)), Val]),
        162 => e(SYS_setdomainname, &[Ptr(A(1)), Val]),
        168 => e(SYS_getcpu, &[OptPtr(Bytes(4)), OptPtr(Bytes(4))]),
        170 => e(SYS_settimeofday, &[OptPtr(TIMESPEC), OptPtr(Bytes(8))]),
        171 => e(SYS_adjtimex, &[Ptr(TIMEX)]),
        180 => e(SYS_mq_open, &[Str, Val, Val, OptPtr(MQ_ATTR)]),
        181 => e(SYS_mq_unlink, &[Str]),
        182 => e(SYS_mq_timedsend, &[Val, Ptr(A(2)), Val, Val, OptPtr(TIMESPEC)]),
        183 => e(SYS_mq_timedreceive, &[Val, Ptr(A(2)), Val, OptPtr(Bytes(4)), OptPtr(TIMESPEC)]),
        184 => e(SYS_mq_notify, &[Val, OptPtr(SIGEVENT)]),
        185 => e(SYS_mq_getsetattr, &[Val, OptPtr(MQ_ATTR), OptPtr(MQ_ATTR)]),
        186 => e(SYS_msgget, &[Val, Val]),
        187 => e(SYS_msgctl, &[Val, Val, OptPtr(MSQID_DS)]),
        188 => e(SYS_msgrcv, &[Val, Ptr(Len::ArgPlus8(2)), Val, Val, Val]),
        189 => e(SYS_msgsnd, &[Val, Ptr(Len::ArgPlus8(2)), Val, Val]),
        190 => e(SYS_semget, &[Val, Val, Val]),
        192 => e(SYS_semtimedop, &[Val, Ptr(ArgTimes(2, 6)), Val, OptPtr(TIMESPEC)]),
        193 => e(SYS_semop, &[Val, Ptr(ArgTimes(2, 6)), Val]),
        194 => e(SYS_shmget, &[Val, Val, Val]),
        195 => e(SYS_shmctl, &[Val, Val, OptPtr(SHMID_DS)]),
        198 => e(SYS_socket, &[Val, Val, Val]),
        199 => e(SYS_socketpair, &[Val, Val, Val, Ptr(Bytes(8))]),
        200 => e(SYS_bind, &[Val, Ptr(A(2)), Val]),
        201 => e(SYS_listen, &[Val, Val]),
        202 => e(SYS_accept, &[Val, OptPtr(LenAt(2)), OptPtr(Bytes(4))]),
        203 => e(SYS_connect, &[Val, Ptr(A(2)), Val]),
        204 => e(SYS_getsockname, &[Val, Ptr(LenAt(2)), Ptr(Bytes(4))]),
        205 => e(SYS_getpeername, &[Val, Ptr(LenAt(2)), Ptr(Bytes(4))]),
        206 => e(SYS_sendto, &[Val, Ptr(A(2)), Val, Val, OptPtr(A(5)), Val]),
        207 => e(SYS_recvfrom, &[Val, Ptr(A(2)), Val, Val, OptPtr(LenAt(5)), OptPtr(Bytes(4))]),
        208 => e(SYS_setsockopt, &[Val, Val, Val, OptPtr(A(4)), Val]),
        209 => e(SYS_getsockopt, &[Val, Val, Val, OptPtr(LenAt(4)), OptPtr(Bytes(4))]),
        210 => e(SYS_shutdown, &[Val, Val]),
        213 => e(SYS_readahead, &[Val, Val, Val]),
        223 => e(SYS_fadvise64, &[Val, Val, Val, Val]),
        227 => e(SYS_msync, &[Ptr(A(1)), Val, Val]),
        228 => e(SYS_mlock, &[Ptr(A(1)), Val]),
        229 => e(SYS_munlock, &[Ptr(A(1)), Val]),
        230 => e(SYS_mlockall, &[Val]),
        231 => e(SYS_munlockall, &[]),
        232 => e(SYS_mincore, &[Ptr(A(1)), Val, Ptr(PagesOf(1))]),
        242 => e(SYS_accept4, &[Val, OptPtr(LenAt(2)), OptPtr(Bytes(4)), Val]),
        266 => e(SYS_clock_adjtime, &[Val, Ptr(TIMEX)]),
        267 => e(SYS_syncfs, &[Val]),
        268 => e(SYS_setns, &[Val, Val]),
        272 => e(SYS_kcmp, &[Val, Val, Val, Val, Val]),
        274 => e(SYS_sched_setattr, &[Val, Ptr(SCHED_ATTR), Val]),
        275 => e(SYS_sched_getattr, &[Val, Ptr(A(2)), Val, Val]),
        279 => e(SYS_memfd_create, &[Str, Val]),
        283 => e(SYS_membarrier, &[Val, Val, Val]),
        284 => e(SYS_mlock2, &[Ptr(A(1)), Val, Val]),
        285 => e(SYS_copy_file_range, &[Val, OptPtr(Bytes(8)), Val, OptPtr(Bytes(8)), Val, Val]),
        424 => e(SYS_pidfd_send_signal, &[Val, Val, OptPtr(SIGINFO), Val]),
        434 => e(SYS_pidfd_open, &[Val, Val]),
        436 => e(SYS_close_range, &[Val, Val, Val]),
        438 => e(SYS_pidfd_getfd, &[Val, Val, Val]),
        _ => None,
    }
}

/// The byte length `len` stands for, given the call's arguments.
fn length(len: Len, a: &Args) -> Result<u64, Errno> {
    Ok(match len {
        Len::Bytes(n) => n,
        Len::Arg(i) => a[i],
        Len::ArgPlus8(i) => a[i].saturating_add(8),
        Len::ArgTimes(i, size) => a[i].saturating_mul(size),
        Len::LenAt(i) if a[i] == 0 => 0,
        Len::LenAt(i) => memory::read_u32(a[i])? as u64,
        Len::PagesOf(i) => a[i].div_ceil(PAGE_SIZE),
    })
}

/// Makes pass-through call `entry` with the guest's arguments `a`.
pub fn call(entry: &Entry, a: Args) -> SysResult {
    let mut host = [0u64; 6];
    // The copied strings live until the host call has returned.
    let mut strings: Vec<CString> = Vec::new();
    for (index, kind) in entry.args.iter().enumerate() {
        host[index] = match *kind {
            Arg::Val => a[index],
            Arg::OptPtr(_) if a[index] == 0 => 0,
            Arg::Ptr(len) | Arg::OptPtr(len) => host_ptr(a[index], length(len, &a)?)? as u64,
            Arg::Str => {
                strings.push(memory::read_cstring(a[index])?);
                strings.last().map_or(0, |s| s.as_ptr() as u64)
            }
        };
    }
    // SAFETY: every pointer argument is a host pointer into the guest space (for the length the table
    // states) or into a string copied above; the other arguments are plain values.
    host_result(unsafe { libc::syscall(entry.host, host[0], host[1], host[2], host[3], host[4], host[5]) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::EFAULT;

    #[test]
    fn no_entry_reaches_past_the_six_argument_registers() {
        for number in 0..512 {
            if let Some(entry) = entry(number) {
                assert!(entry.args.len() <= 6, "syscall {number}");
                for kind in entry.args {
                    if let Arg::Ptr(len) | Arg::OptPtr(len) = kind {
                        let index = match *len {
                            Len::Arg(i) | Len::ArgPlus8(i) | Len::ArgTimes(i, _) | Len::LenAt(i) | Len::PagesOf(i) => i,
                            Len::Bytes(_) => 0,
                        };
                        assert!(index < entry.args.len(), "syscall {number} sizes a pointer by a missing argument");
                    }
                }
            }
        }
        assert!(entry(1000).is_none());
    }

    #[test]
    fn pointers_outside_the_guest_space_are_refused_before_the_host_call() {
        let getresuid = entry(148).expect("getresuid passes through");
        assert_eq!(call(&getresuid, [u64::MAX - 1, 0, 0, 0, 0, 0]), Err(EFAULT));
        let getpriority = entry(141).expect("getpriority passes through");
        assert!(call(&getpriority, [0, 0, 0, 0, 0, 0]).is_ok());
    }
}

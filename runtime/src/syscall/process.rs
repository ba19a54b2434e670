//! The process: exit, ids, limits, umask, prctl, futex, set_tid_address, set_robust_list, and clone
//! (threads and forks) and wait4 (execve is in `exec.rs`). Guest threads are host threads (see `crate::thread`): `exit`
//! ends the calling thread, or the process when it is the last one; `exit_group` ends the process.

use vmtrans_ir::a64::CpuState;

use super::Args;
use crate::errno::{host_result, SysResult, E2BIG, EINVAL, EPERM, ESRCH};
use crate::memory::{self, host_ptr, host_ptr_or_null, write_u64};
use crate::thread::{self, CloneRequest};

/// Whether `number` is exit or exit_group (calls that do not return).
pub fn is_exit(number: u64) -> bool {
    number == 93 || number == 94
}

/// Ends the process with `status`, after the dispatcher's last words.
fn end_process(status: u64) -> ! {
    // A vfork child ends alone and leaves its parent's exit-time duties to the parent; its memory is
    // the parent's, so its clear-child-tid word and robust futexes are released as the kernel would.
    if crate::vfork::in_child() {
        thread::finish_thread();
    } else {
        crate::dispatch::before_exit();
    }
    // SAFETY: _exit ends the process at once; nothing is left to run.
    unsafe { libc::_exit(status as i32) }
}

/// exit: ends the calling guest thread; the last thread's exit ends the process (see `thread::exit_thread`).
pub fn exit(state: &mut CpuState, a: Args) -> SysResult {
    if crate::vfork::in_child() {
        // The child is the only thread of its process, and the parent's thread count is not its own.
        end_process(a[0]);
    }
    thread::exit_thread(state, a[0], end_process);
    Ok(0)
}

pub fn exit_group(a: Args) -> SysResult {
    end_process(a[0])
}

fn host_id(id: i64) -> SysResult {
    Ok(id as u64)
}

pub fn getpid() -> SysResult {
    // SAFETY: no preconditions.
    host_id(unsafe { libc::getpid() } as i64)
}

pub fn getppid() -> SysResult {
    // SAFETY: no preconditions.
    host_id(unsafe { libc::getppid() } as i64)
}

pub fn gettid() -> SysResult {
    // SAFETY: no preconditions.
    host_id(unsafe { libc::syscall(libc::SYS_gettid) })
}

pub fn getuid() -> SysResult {
    // SAFETY: no preconditions.
    host_id(unsafe { libc::getuid() } as i64)
}

pub fn geteuid() -> SysResult {
    // SAFETY: no preconditions.
    host_id(unsafe { libc::geteuid() } as i64)
}

pub fn getgid() -> SysResult {
    // SAFETY: no preconditions.
    host_id(unsafe { libc::getgid() } as i64)
}

pub fn getegid() -> SysResult {
    // SAFETY: no preconditions.
    host_id(unsafe { libc::getegid() } as i64)
}

pub fn setpgid(a: Args) -> SysResult {
    // SAFETY: plain integers.
    host_result(unsafe { libc::setpgid(a[0] as i32, a[1] as i32) } as i64)
}

pub fn getpgid(a: Args) -> SysResult {
    // SAFETY: plain integers.
    host_result(unsafe { libc::getpgid(a[0] as i32) } as i64)
}

pub fn getsid(a: Args) -> SysResult {
    // SAFETY: plain integers.
    host_result(unsafe { libc::getsid(a[0] as i32) } as i64)
}

pub fn setsid() -> SysResult {
    // SAFETY: no arguments.
    host_result(unsafe { libc::setsid() } as i64)
}

/// set_tid_address: the calling thread's word to clear at exit.
pub fn set_tid_address(a: Args) -> SysResult {
    thread::set_clear_child_tid(a[0]);
    gettid()
}

/// The size of AArch64's `struct robust_list_head` (three pointer-sized words), the only one accepted.
const ROBUST_LIST_HEAD_SIZE: u64 = 24;

/// set_robust_list: recorded per thread and not passed to the host, whose kernel would walk the list
/// with guest addresses as host pointers; the runtime walks it itself when the thread exits (`robust`).
pub fn set_robust_list(a: Args) -> SysResult {
    if a[1] != ROBUST_LIST_HEAD_SIZE {
        return Err(EINVAL);
    }
    thread::set_robust_list(a[0], a[1]);
    Ok(0)
}

/// get_robust_list: the calling thread's list as set_robust_list recorded it (pid 0 or its own thread
/// id). Other threads' lists live in their thread-local records, so another pid gets ESRCH when it does
/// not exist and EPERM otherwise (what the kernel answers a process that may not ptrace it).
pub fn get_robust_list(a: Args) -> SysResult {
    let pid = a[0] as i32;
    if pid != 0 && pid as u64 != thread::host_tid() {
        // SAFETY: signal 0 only checks that the process exists.
        return Err(if unsafe { libc::kill(pid, 0) } == 0 { EPERM } else { ESRCH });
    }
    let (head, _) = thread::robust_list();
    write_u64(a[1], head)?;
    // The kernel reports the size of the head, whether or not a list was ever set.
    write_u64(a[2], ROBUST_LIST_HEAD_SIZE).map(|_| 0)
}

pub fn umask(a: Args) -> SysResult {
    // SAFETY: a plain integer.
    Ok(unsafe { libc::umask(a[0] as libc::mode_t & 0o777) } as u64)
}

/// `struct rlimit` (two u64) and the resource numbers are the same on both sides.
pub fn prlimit64(a: Args) -> SysResult {
    let (new, old) = (host_ptr_or_null(a[2], 16)?, host_ptr_or_null(a[3], 16)?);
    // SAFETY: both pointers are null or inside the guest space.
    host_result(unsafe { libc::syscall(libc::SYS_prlimit64, a[0] as i32, a[1] as u32, new, old) })
}

pub fn getrlimit(a: Args) -> SysResult {
    prlimit64([0, a[0], 0, a[1], 0, 0])
}

pub fn setrlimit(a: Args) -> SysResult {
    prlimit64([0, a[0], a[1], 0, 0, 0])
}

/// `struct rusage` is 144 bytes with one layout on both sides.
pub fn getrusage(a: Args) -> SysResult {
    let usage = host_ptr(a[1], 144)?;
    // SAFETY: the buffer lies inside the guest space.
    host_result(unsafe { libc::syscall(libc::SYS_getrusage, a[0] as i32, usage) })
}

pub fn prctl(a: Args) -> SysResult {
    match a[0] as i32 {
        libc::PR_SET_NAME | libc::PR_GET_NAME => {
            let name = host_ptr(a[1], 16)?;
            // SAFETY: the 16-byte name buffer lies inside the guest space.
            host_result(unsafe { libc::prctl(a[0] as i32, name) } as i64)
        }
        libc::PR_SET_PDEATHSIG
        | libc::PR_GET_DUMPABLE
        | libc::PR_SET_DUMPABLE
        | libc::PR_GET_NO_NEW_PRIVS
        | libc::PR_SET_NO_NEW_PRIVS
        | libc::PR_SET_CHILD_SUBREAPER
        | libc::PR_GET_TIMERSLACK
        | libc::PR_SET_TIMERSLACK => {
            // SAFETY: integer arguments (the kernel checks that the unused ones are zero).
            host_result(unsafe {
                libc::prctl(
                    a[0] as i32,
                    a[1] as libc::c_ulong,
                    a[2] as libc::c_ulong,
                    a[3] as libc::c_ulong,
                    a[4] as libc::c_ulong,
                )
            } as i64)
        }
        libc::PR_GET_PDEATHSIG | libc::PR_GET_CHILD_SUBREAPER => {
            let value = host_ptr(a[1], 4)?;
            // SAFETY: the int the kernel writes lies inside the guest space.
            host_result(unsafe { libc::prctl(a[0] as i32, value) } as i64)
        }
        _ => Err(EINVAL),
    }
}

/// The futex command bits (FUTEX_PRIVATE_FLAG 128 and FUTEX_CLOCK_REALTIME 256 are flags, passed as they are).
const FUTEX_CMD_MASK: u64 = 0x7f;
/// Commands whose fourth argument is a `struct timespec` pointer (same layout on both sides): WAIT,
/// LOCK_PI, WAIT_BITSET, WAIT_REQUEUE_PI, LOCK_PI2. The others read it as a number (val2) or ignore it.
const FUTEX_TIMEOUT_CMDS: [u64; 5] = [0, 6, 9, 11, 13];
/// Commands whose fifth argument is a second futex word: REQUEUE, CMP_REQUEUE, WAKE_OP, WAIT_REQUEUE_PI,
/// CMP_REQUEUE_PI. The sixth (val3) is a number for every command.
const FUTEX_UADDR2_CMDS: [u64; 5] = [3, 4, 5, 11, 12];

/// futex: passed to the host on the host address of the guest word, so waiters and wakers in this
/// process and others sharing the memory meet as on the guest's kernel. Guest threads are host threads
/// and the tids the guest sees are host tids, so the PI commands' owner tids in the word are right too.
pub fn futex(a: Args) -> SysResult {
    let command = a[1] & FUTEX_CMD_MASK;
    if a[0] % 4 != 0 {
        return Err(EINVAL);
    }
    let uaddr = host_ptr(a[0], 4)?;
    let fourth = if FUTEX_TIMEOUT_CMDS.contains(&command) { host_ptr_or_null(a[3], 16)? as u64 } else { a[3] };
    let uaddr2 = if FUTEX_UADDR2_CMDS.contains(&command) { host_ptr(a[4], 4)? as u64 } else { a[4] };
    // SAFETY: the futex words and the timeout lie inside the guest space; the host checks the rest.
    host_result(unsafe { libc::syscall(libc::SYS_futex, uaddr, a[1] as i32, a[2] as u32, fourth, uaddr2, a[5] as u32) })
}

const CLONE_VM: u64 = 0x100;
const CLONE_VFORK: u64 = 0x4000;
const CLONE_THREAD: u64 = 0x1_0000;
const CLONE_SETTLS: u64 = 0x8_0000;
const CLONE_PARENT_SETTID: u64 = 0x10_0000;
const CLONE_CHILD_CLEARTID: u64 = 0x20_0000;
const CLONE_CHILD_SETTID: u64 = 0x100_0000;

/// clone(flags, newsp, parent_tid, tls, child_tid), AArch64's argument order.
///
/// A thread (CLONE_THREAD, or CLONE_VM without CLONE_VFORK) becomes a host thread with a copy of the
/// caller's state: x0 = 0, sp = newsp, TPIDR_EL0 = tls with CLONE_SETTLS, the pc after the SVC; the
/// parent gets the new tid once the tid words are written. The other sharing flags (CLONE_FS,
/// CLONE_FILES, CLONE_SIGHAND, CLONE_SYSVSEM) describe what host threads share anyway.
///
/// CLONE_PIDFD is refused with EINVAL (no pidfd is made).
///
/// vfork (CLONE_VM|CLONE_VFORK, as glibc's vfork and posix_spawn ask) runs the child in this address
/// space while the caller waits (`crate::vfork`). Other forks become a host fork: the child gets a copy
/// of the guest space and returns 0 from this call with the requested stack; with CLONE_VFORK the
/// caller still waits until the child has called execve or exited (`VforkWait`).
pub fn clone(state: &mut CpuState, a: Args) -> SysResult {
    let (flags, new_sp, parent_tid, tls, child_tid) = (a[0], a[1], a[2], a[3], a[4]);
    if flags & CLONE_PIDFD != 0 {
        // No pidfd is made for the child: refused rather than left unwritten.
        return Err(EINVAL);
    }
    if flags & CLONE_THREAD != 0 || (flags & CLONE_VM != 0 && flags & CLONE_VFORK == 0) {
        return clone_thread(state, flags, new_sp, parent_tid, tls, child_tid);
    }
    if flags & CLONE_VM != 0 {
        let tids = crate::vfork::VforkTids {
            set_tid: (flags & CLONE_CHILD_SETTID != 0).then_some(child_tid),
            clear_tid: (flags & CLONE_CHILD_CLEARTID != 0).then_some(child_tid),
        };
        let tls = (flags & CLONE_SETTLS != 0).then_some(tls);
        let pid = crate::vfork::vfork(state, flags, (new_sp != 0).then_some(new_sp), tls, tids)?;
        if flags & CLONE_PARENT_SETTID != 0 {
            let _ = memory::write_u32(parent_tid, pid as u32);
        }
        return Ok(pid);
    }
    let vfork_wait = if flags & CLONE_VFORK != 0 { Some(VforkWait::new()?) } else { None };
    let pid = {
        // Hold the runtime's locks across the fork so that no other thread holds them in the child.
        let _space = memory::space();
        let _cache = crate::fallback::lock_cache();
        // SAFETY: the runtime's locks are held by this thread; the child continues with a copy of everything.
        host_result(unsafe { libc::fork() } as i64)?
    };
    if pid == 0 {
        if let Some(wait) = vfork_wait {
            wait.in_child();
        }
        thread::after_fork_in_child();
        crate::signal::after_fork_in_child();
        let tid = gettid()?;
        if new_sp != 0 {
            state.sp = new_sp;
        }
        if flags & CLONE_SETTLS != 0 {
            state.tpidr_el0 = tls;
        }
        if flags & CLONE_CHILD_SETTID != 0 {
            let _ = memory::write_u32(child_tid, tid as u32);
        }
        if flags & CLONE_CHILD_CLEARTID != 0 {
            thread::set_clear_child_tid(child_tid);
        }
        return Ok(0);
    }
    if flags & CLONE_PARENT_SETTID != 0 {
        let _ = memory::write_u32(parent_tid, pid as u32);
    }
    if let Some(wait) = vfork_wait {
        wait.in_parent();
    }
    Ok(pid)
}

/// The wait of a vfork that copies the address space (CLONE_VFORK without CLONE_VM): a
/// close-on-exec pipe whose write end only the child keeps. Its execve and its exit both close
/// that end, and the caller reads the pipe until it sees the end, as the kernel's vfork keeps the
/// caller until then. The child's end sits at a high descriptor number, out of the way of the
/// numbers a program dup2s onto before its execve.
struct VforkWait {
    read_end: i32,
    write_end: i32,
}

/// The lowest descriptor number the child's end of a `VforkWait` pipe moves to.
const VFORK_WAIT_FD_FLOOR: i32 = 512;

impl VforkWait {
    fn new() -> Result<VforkWait, crate::errno::Errno> {
        let mut fds = [0i32; 2];
        // SAFETY: `fds` has room for the two descriptors pipe2 writes.
        host_result(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } as i64)?;
        let [read_end, mut write_end] = fds;
        // SAFETY: plain descriptor calls on descriptors this function owns.
        unsafe {
            let high = libc::fcntl(write_end, libc::F_DUPFD_CLOEXEC, VFORK_WAIT_FD_FLOOR);
            if high >= 0 {
                libc::close(write_end);
                write_end = high;
            }
        }
        Ok(VforkWait { read_end, write_end })
    }

    /// In the child: keeps only the write end, for execve or exit to close.
    fn in_child(mut self) {
        self.write_end = -1;
    }

    /// In the caller: waits until every copy of the write end is gone.
    fn in_parent(mut self) {
        // SAFETY: the write end is this process's copy, used by nobody else.
        unsafe { libc::close(self.write_end) };
        self.write_end = -1;
        let mut byte = 0u8;
        loop {
            // SAFETY: `byte` has room for the one byte asked for.
            let n = unsafe { libc::read(self.read_end, (&mut byte as *mut u8).cast(), 1) };
            let interrupted = n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR);
            if n == 0 || (n < 0 && !interrupted) {
                break;
            }
        }
    }
}

impl Drop for VforkWait {
    /// Closes the ends still held (both when the fork failed).
    fn drop(&mut self) {
        for fd in [self.read_end, self.write_end] {
            if fd >= 0 {
                // SAFETY: a descriptor this process owns and no one else uses.
                unsafe { libc::close(fd) };
            }
        }
    }
}

/// The thread half of `clone`.
fn clone_thread(state: &CpuState, flags: u64, new_sp: u64, parent_tid: u64, tls: u64, child_tid: u64) -> SysResult {
    let mut child = state.clone();
    child.x[0] = 0;
    if new_sp != 0 {
        child.sp = new_sp;
    }
    if flags & CLONE_SETTLS != 0 {
        child.tpidr_el0 = tls;
    }
    // The exclusive monitor does not survive into another thread.
    child.excl_addr = u64::MAX;
    let request = CloneRequest {
        parent_tid: (flags & CLONE_PARENT_SETTID != 0).then_some(parent_tid),
        child_tid: (flags & CLONE_CHILD_SETTID != 0).then_some(child_tid),
        clear_child_tid: (flags & CLONE_CHILD_CLEARTID != 0).then_some(child_tid),
    };
    thread::spawn(child, request, crate::dispatch::run_thread)
}

/// `struct clone_args` as far as clone3 reads it (CLONE_ARGS_SIZE_VER2): eleven u64 fields, the same
/// on AArch64 and x86-64.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CloneArgs {
    pub flags: u64,
    pub pidfd: u64,
    pub child_tid: u64,
    pub parent_tid: u64,
    pub exit_signal: u64,
    pub stack: u64,
    pub stack_size: u64,
    pub tls: u64,
    pub set_tid: u64,
    pub set_tid_size: u64,
    pub cgroup: u64,
}

/// The sizes of `struct clone_args` the kernel knows: the first version, and the whole of it.
const CLONE_ARGS_SIZE_VER0: u64 = 64;
const CLONE_ARGS_SIZE_VER2: u64 = 88;
const CLONE_DETACHED: u64 = 0x40_0000;
/// The bits of clone's flags that hold the exit signal; clone3 takes it in its own field.
const CSIGNAL: u64 = 0xff;
const CLONE_NEWTIME: u64 = 0x80;
const CLONE_PIDFD: u64 = 0x1000;
const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

/// Reads and checks clone3's arguments as the kernel's `copy_clone_args_from_user` and
/// `clone3_args_valid` do: E2BIG for a size above a page or unknown trailing fields that are not
/// zero, EINVAL for a size below the first version, a bad exit signal, set_tid without its size or
/// the other way round, unknown flags, CSIGNAL or CLONE_DETACHED bits in the flags, an exit signal
/// with CLONE_THREAD or CLONE_PARENT, and a stack without a size or a size without a stack.
fn read_clone_args(addr: u64, size: u64) -> Result<CloneArgs, crate::errno::Errno> {
    if size > memory::PAGE_SIZE {
        return Err(E2BIG);
    }
    if size < CLONE_ARGS_SIZE_VER0 {
        return Err(EINVAL);
    }
    let mut bytes = vec![0u8; size as usize];
    memory::read_into(addr, &mut bytes)?;
    if bytes[CLONE_ARGS_SIZE_VER2.min(size) as usize..].iter().any(|&b| b != 0) {
        return Err(E2BIG);
    }
    bytes.resize(CLONE_ARGS_SIZE_VER2 as usize, 0);
    let word = |i: usize| u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().unwrap_or_default());
    let args = CloneArgs {
        flags: word(0),
        pidfd: word(1),
        child_tid: word(2),
        parent_tid: word(3),
        exit_signal: word(4),
        stack: word(5),
        stack_size: word(6),
        tls: word(7),
        set_tid: word(8),
        set_tid_size: word(9),
        cgroup: word(10),
    };
    const CLONE_PARENT: u64 = 0x8000;
    let invalid = args.exit_signal > 64
        || (args.set_tid == 0) != (args.set_tid_size == 0)
        || args.flags & !(0xffff_ffff | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP) != 0
        || args.flags & (CLONE_DETACHED | (CSIGNAL & !CLONE_NEWTIME)) != 0
        || (args.flags & (CLONE_THREAD | CLONE_PARENT) != 0 && args.exit_signal != 0)
        || (args.stack == 0) != (args.stack_size == 0);
    if invalid {
        return Err(EINVAL);
    }
    Ok(args)
}

/// clone3(args, size): clone with its arguments in a `struct clone_args`; the new stack pointer is
/// stack + stack_size (the stack grows down; EINVAL outside the guest space, as the kernel's
/// access_ok). A fork's exit signal is SIGCHLD whatever exit_signal says, as with clone (the host
/// fork sends SIGCHLD). What clone does not do is refused with EINVAL rather
/// than ignored: a pidfd (CLONE_PIDFD), chosen thread ids (set_tid), CLONE_CLEAR_SIGHAND and
/// CLONE_INTO_CGROUP. glibc's pthread_create and posix_spawn use none of them.
pub fn clone3(state: &mut CpuState, a: Args) -> SysResult {
    let args = read_clone_args(a[0], a[1])?;
    if args.flags & (CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP) != 0 || args.set_tid_size != 0 {
        return Err(EINVAL);
    }
    // The kernel's access_ok on the stack: it must lie in the address space, without wrapping.
    if args.stack != 0 && !memory::in_guest_space(args.stack, args.stack_size) {
        return Err(EINVAL);
    }
    let new_sp = if args.stack != 0 { args.stack + args.stack_size } else { 0 };
    clone(state, [args.flags | args.exit_signal, new_sp, args.parent_tid, args.tls, args.child_tid, 0])
}

/// wait4: the status word and `struct rusage` are the same on both sides.
pub fn wait4(a: Args) -> SysResult {
    let (status, usage) = (host_ptr_or_null(a[1], 4)?, host_ptr_or_null(a[3], 144)?);
    // SAFETY: both pointers are null or inside the guest space.
    host_result(unsafe { libc::syscall(libc::SYS_wait4, a[0] as i32, status, a[2] as i32, usage) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_limits_pass_through() {
        assert_eq!(getpid(), Ok(std::process::id() as u64));
        // SAFETY: no preconditions.
        assert_eq!(getuid(), Ok(unsafe { libc::getuid() } as u64));
        assert_eq!(set_tid_address([0, 0, 0, 0, 0, 0]), gettid());
        assert_eq!(futex([2, 1, 1, 0, 0, 0]), Err(EINVAL));
    }

    #[test]
    fn robust_lists_are_recorded_not_passed_on() {
        assert_eq!(set_robust_list([0x1000, 24, 0, 0, 0, 0]), Ok(0));
        assert_eq!(thread::robust_list(), (0x1000, 24));
        assert_eq!(set_robust_list([0x1000, 16, 0, 0, 0, 0]), Err(EINVAL));
    }
}

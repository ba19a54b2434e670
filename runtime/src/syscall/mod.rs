//! The guest's system calls: decoding the call from the CPU state (number in x8, arguments in
//! x0..x5), the table from AArch64 (asm-generic) numbers to handlers, the result in x0 as `-errno`
//! on failure, the `VMTRANS_STRACE=1` trace, and the one-time notice for unsupported numbers. The
//! handlers live in modules by area.

pub mod event;
pub mod exec;
pub mod fs;
pub mod info;
pub mod io;
pub mod mem;
pub mod names;
pub mod net;
pub mod passthrough;
pub mod process;
pub mod procfs;
pub mod signal;
pub mod stat;
pub mod sysv;
pub mod time;
mod trace;
mod trace_flags;

use std::sync::atomic::{AtomicU64, Ordering};

use vmtrans_ir::a64::CpuState;

use crate::errno::{encode_result, SysResult, ENOSYS};

/// rt_sigreturn's number.
pub const RT_SIGRETURN: u64 = 139;
/// rt_sigsuspend's number.
pub const RT_SIGSUSPEND: u64 = 133;

/// The six argument registers x0..x5.
pub type Args = [u64; 6];

/// Serves the system call `state` describes and writes its result into x0.
pub fn handle(state: &mut CpuState) {
    // The state is exact at a system call, FPSR included (clone copies it; a signal frame saves it).
    crate::fpenv::fold_flags(state);
    let number = state.x[8];
    let args: Args = [state.x[0], state.x[1], state.x[2], state.x[3], state.x[4], state.x[5]];
    if number == RT_SIGRETURN {
        // The result is the state restored from the signal frame, x0 included: nothing to write back.
        if trace::enabled() {
            trace::print_call(number, &args, None);
        }
        crate::signal::sigreturn(state);
        return;
    }
    // exit and exit_group are shown before they run (exit_group does not return, and a thread's exit
    // comes back only to unwind), everything else with its result.
    let exits = process::is_exit(number);
    if trace::enabled() && exits {
        trace::print_call(number, &args, None);
    }
    let result = dispatch(state, number, args);
    if trace::enabled() && !exits {
        trace::print_call(number, &args, Some(result));
    }
    state.x[0] = encode_result(result);
}

/// Runs the handler for system call `number`.
fn dispatch(state: &mut CpuState, number: u64, a: Args) -> SysResult {
    match number {
        17 => fs::getcwd(a),
        21 => event::epoll_ctl(a),
        22 => event::epoll_pwait(a),
        23 => fs::dup(a),
        24 => fs::dup3(a),
        25 => fs::fcntl(a),
        29 => io::ioctl(a),
        33 => fs::mknodat(a),
        34 => fs::mkdirat(a),
        35 => fs::unlinkat(a),
        36 => fs::symlinkat(a),
        37 => fs::linkat(a),
        38 => fs::renameat(a),
        43 => stat::statfs(a),
        44 => stat::fstatfs(a),
        45 => fs::truncate(a),
        46 => fs::ftruncate(a),
        48 => fs::faccessat(a),
        49 => fs::chdir(a),
        50 => fs::fchdir(a),
        52 => fs::fchmod(a),
        53 => fs::fchmodat(a),
        54 => fs::fchownat(a),
        55 => fs::fchown(a),
        56 => fs::openat(a),
        57 => fs::close(a),
        59 => fs::pipe2(a),
        61 => fs::getdents64(a),
        62 => fs::lseek(a),
        63 => io::read(a),
        64 => io::write(a),
        65 => io::readv(a),
        66 => io::writev(a),
        67 => io::pread64(a),
        68 => io::pwrite64(a),
        71 => io::sendfile(a),
        69 => io::preadv(a),
        70 => io::pwritev(a),
        72 => event::pselect6(a),
        73 => event::ppoll(a),
        74 => event::signalfd4(a),
        75 => io::vmsplice(a),
        78 => fs::readlinkat(a),
        79 => stat::newfstatat(a),
        80 => stat::fstat(a),
        81 => fs::sync(),
        82 => fs::fsync(a),
        83 => fs::fdatasync(a),
        88 => fs::utimensat(a),
        93 => process::exit(state, a),
        94 => process::exit_group(a),
        96 => process::set_tid_address(a),
        98 => process::futex(a),
        99 => process::set_robust_list(a),
        100 => process::get_robust_list(a),
        101 => time::nanosleep(a),
        102 => time::getitimer(a),
        103 => time::setitimer(a),
        113 => time::clock_gettime(a),
        114 => time::clock_getres(a),
        115 => time::clock_nanosleep(a),
        122 => info::sched_setaffinity(a),
        123 => info::sched_getaffinity(a),
        124 => info::sched_yield(),
        129 => signal::kill(a),
        130 => signal::tkill(a),
        131 => signal::tgkill(a),
        132 => signal::sigaltstack(state, a),
        133 => signal::rt_sigsuspend(a),
        134 => signal::rt_sigaction(a),
        135 => signal::rt_sigprocmask(a),
        136 => signal::rt_sigpending(a),
        137 => signal::rt_sigtimedwait(a),
        138 => signal::rt_sigqueueinfo(a),
        153 => time::times(a),
        154 => process::setpgid(a),
        155 => process::getpgid(a),
        156 => process::getsid(a),
        157 => process::setsid(),
        160 => info::uname(a),
        163 => process::getrlimit(a),
        164 => process::setrlimit(a),
        165 => process::getrusage(a),
        166 => process::umask(a),
        167 => process::prctl(a),
        169 => time::gettimeofday(a),
        172 => process::getpid(),
        173 => process::getppid(),
        174 => process::getuid(),
        175 => process::geteuid(),
        176 => process::getgid(),
        177 => process::getegid(),
        178 => process::gettid(),
        179 => info::sysinfo(a),
        214 => mem::brk(a),
        215 => mem::munmap(a),
        216 => mem::mremap(a),
        220 => process::clone(state, a),
        221 => exec::execve(a),
        222 => mem::mmap(a),
        226 => mem::mprotect(a),
        191 => sysv::semctl(a),
        196 => sysv::shmat(a),
        197 => sysv::shmdt(a),
        211 => net::sendmsg(a),
        212 => net::recvmsg(a),
        233 => mem::madvise(a),
        240 => signal::rt_tgsigqueueinfo(a),
        243 => net::recvmmsg(a),
        260 => process::wait4(a),
        261 => process::prlimit64(a),
        269 => net::sendmmsg(a),
        276 => fs::renameat2(a),
        278 => info::getrandom(a),
        281 => exec::execveat(a),
        286 => io::preadv2(a),
        287 => io::pwritev2(a),
        291 => stat::statx(a),
        293 => Err(ENOSYS), // rseq: glibc then does without restartable sequences.
        435 => process::clone3(state, a),
        437 => fs::openat2(a),
        439 => fs::faccessat2(a),
        441 => event::epoll_pwait2(a),
        _ => match passthrough::entry(number) {
            Some(entry) => passthrough::call(&entry, a),
            None => unsupported(number),
        },
    }
}

/// Which numbers below 512 have been reported as unsupported, one bit each.
static REPORTED: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];

/// Answers ENOSYS for an unimplemented call, telling stderr the first time each number comes up.
fn unsupported(number: u64) -> SysResult {
    let first_time = match REPORTED.get((number / 64) as usize) {
        Some(word) => word.fetch_or(1 << (number % 64), Ordering::Relaxed) & (1 << (number % 64)) == 0,
        None => true,
    };
    if first_time {
        eprintln!("vmtrans: unsupported syscall {number} ({}) -> ENOSYS", names::syscall_name(number));
    }
    Err(ENOSYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_numbers_answer_enosys_in_x0() {
        let mut state = CpuState::default();
        state.x[8] = 1000;
        handle(&mut state);
        assert_eq!(state.x[0] as i64, -38);
        state.x[8] = 293;
        handle(&mut state);
        assert_eq!(state.x[0] as i64, -38);
    }

    #[test]
    fn process_ids_come_from_the_host() {
        let mut state = CpuState::default();
        state.x[8] = 172;
        handle(&mut state);
        assert_eq!(state.x[0], std::process::id() as u64);
    }
}

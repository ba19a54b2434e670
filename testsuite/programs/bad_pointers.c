/* System calls given pointers the kernel cannot use: an address nothing is mapped at, a PROT_NONE page and, for
 * calls that write through the pointer, a read-only page. Each must fail with EFAULT (and change nothing) and
 * the program must go on, as on Linux: the kernel checks every user pointer it reads or writes, so a bad pointer
 * is an error, never a crash. Raw syscall() is used throughout, since glibc's wrappers would read or write some
 * of these structures themselves (and fault in user space). Only errno names are printed.
 *
 * qemu-aarch64 7.2 gets three of them wrong (the program is in qemu-wrong.txt, so the expected output is the native
 * x86-64 build's): it returns 0 from clock_getres when the copy-out fails, reads garbage for nanosleep's request
 * instead of failing (EINVAL), and checks recvfrom's buffer before the call, so the datagram stays queued. Each
 * call's man page lists "EFAULT ... outside the accessible address space" (read(2), write(2), readv(2),
 * open(2), stat(2), statx(2), statfs(2), getcwd(3), pipe(2), socketpair(2), clock_getres(2), gettimeofday(2),
 * nanosleep(2), uname(2), sysinfo(2), getrusage(2), getrlimit(2), sigaction(2), sigprocmask(2), sigpending(2),
 * sigaltstack(2), getrandom(2), poll(2), select(2), futex(2), sched_setaffinity(2), getresuid(2), times(2),
 * getitimer(2), send(2), recv(2), getsockname(2), getsockopt(2), ioctl(2), mincore(2)); a unix datagram whose
 * copy fails is dequeued and dropped (net/unix/af_unix.c, unix_dgram_recvmsg), so the check at the end finds the
 * fourth datagram. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *errno_name(long result) {
    if (result >= 0)
        return "ok";
    switch (errno) {
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case ENOENT: return "ENOENT";
    case ENOTTY: return "ENOTTY";
    case EAGAIN: return "EAGAIN";
    default: return "other";
    }
}

static char *unmapped, *no_access, *read_only;
static int pipe_read, pipe_write, dev_zero, sock[2];

/* The call `call` with the pointer `p` (the other arguments fixed by the caller). */
typedef long (*call_with)(void *p);

static void report(const char *name, call_with call, int writes) {
    errno = 0;
    const char *a = errno_name(call(unmapped));
    errno = 0;
    const char *b = errno_name(call(no_access));
    const char *c = "-";
    if (writes) {
        errno = 0;
        c = errno_name(call(read_only));
    }
    printf("%s: unmapped %s, PROT_NONE %s, read-only %s\n", name, a, b, c);
}

static long do_read(void *p) { return syscall(SYS_read, dev_zero, p, 16); }
static long do_write(void *p) { return syscall(SYS_write, pipe_write, p, 16); }
static long do_pread(void *p) { return syscall(SYS_pread64, dev_zero, p, 16, 0); }
static long do_readv(void *p) { return syscall(SYS_readv, dev_zero, p, 1); }
static long do_writev(void *p) { return syscall(SYS_writev, pipe_write, p, 1); }
static long do_openat(void *p) { return syscall(SYS_openat, AT_FDCWD, p, O_RDONLY); }
static long do_mkdirat(void *p) { return syscall(SYS_mkdirat, AT_FDCWD, p, 0700); }
static long do_unlinkat(void *p) { return syscall(SYS_unlinkat, AT_FDCWD, p, 0); }
static long do_readlinkat_path(void *p) { return syscall(SYS_readlinkat, AT_FDCWD, p, (char[64]){0}, 64); }
static long do_readlinkat_buf(void *p) { return syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", p, 64); }
static long do_faccessat(void *p) { return syscall(SYS_faccessat, AT_FDCWD, p, F_OK); }
static long do_fstatat_path(void *p) { return syscall(SYS_newfstatat, AT_FDCWD, p, (char[256]){0}, 0); }
static long do_fstatat_buf(void *p) { return syscall(SYS_newfstatat, AT_FDCWD, "/", p, 0); }
static long do_fstat(void *p) { return syscall(SYS_fstat, dev_zero, p); }
static long do_statx(void *p) { return syscall(SYS_statx, AT_FDCWD, "/", 0, 0x7ff, p); }
static long do_statfs(void *p) { return syscall(SYS_statfs, "/", p); }
static long do_fstatfs(void *p) { return syscall(SYS_fstatfs, dev_zero, p); }
static long do_getcwd(void *p) { return syscall(SYS_getcwd, p, 4096); }
static long do_chdir(void *p) { return syscall(SYS_chdir, p); }
static long do_pipe2(void *p) { return syscall(SYS_pipe2, p, 0); }
static long do_socketpair(void *p) { return syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, p); }
static long do_clock_gettime(void *p) { return syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p); }
static long do_clock_getres(void *p) { return syscall(SYS_clock_getres, CLOCK_MONOTONIC, p); }
static long do_gettimeofday(void *p) { return syscall(SYS_gettimeofday, p, NULL); }
static long do_nanosleep(void *p) { return syscall(SYS_nanosleep, p, NULL); }
static long do_uname(void *p) { return syscall(SYS_uname, p); }
static long do_sysinfo(void *p) { return syscall(SYS_sysinfo, p); }
static long do_getrusage(void *p) { return syscall(SYS_getrusage, 0, p); }
static long do_prlimit(void *p) { return syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, p); }
static long do_sigaction_new(void *p) { return syscall(SYS_rt_sigaction, SIGUSR1, p, NULL, 8); }
static long do_sigaction_old(void *p) { return syscall(SYS_rt_sigaction, SIGUSR1, NULL, p, 8); }
static long do_sigprocmask(void *p) { return syscall(SYS_rt_sigprocmask, SIG_BLOCK, p, NULL, 8); }
static long do_sigpending(void *p) { return syscall(SYS_rt_sigpending, p, 8); }
static long do_sigaltstack(void *p) { return syscall(SYS_sigaltstack, NULL, p); }
static long do_getrandom(void *p) { return syscall(SYS_getrandom, p, 16, 0); }
static long do_ppoll(void *p) { return syscall(SYS_ppoll, p, 1, &(struct timespec){0, 0}, NULL, 8); }
static long do_pselect(void *p) { return syscall(SYS_pselect6, 1, p, NULL, NULL, &(struct timespec){0, 0}, NULL); }
static long do_futex(void *p) { return syscall(SYS_futex, p, 0 /* FUTEX_WAIT */, 1, &(struct timespec){0, 0}, NULL, 0); }
static long do_sched_getaffinity(void *p) { return syscall(SYS_sched_getaffinity, 0, 128, p); }
static long do_getresuid(void *p) { return syscall(SYS_getresuid, p, p, p); }
static long do_times(void *p) { return syscall(SYS_times, p); }
static long do_getitimer(void *p) { return syscall(SYS_getitimer, ITIMER_REAL, p); }
static long do_sendto(void *p) { return syscall(SYS_sendto, sock[0], p, 16, 0, NULL, 0); }
static long do_recvfrom(void *p) { return syscall(SYS_recvfrom, sock[1], p, 16, MSG_DONTWAIT, NULL, NULL); }
static long do_sendmsg(void *p) { return syscall(SYS_sendmsg, sock[0], p, 0); }
static long do_getsockname(void *p) { return syscall(SYS_getsockname, sock[0], p, &(socklen_t){16}); }
static long do_getsockopt(void *p) { return syscall(SYS_getsockopt, sock[0], SOL_SOCKET, SO_TYPE, p, &(socklen_t){4}); }
static long do_setsockopt(void *p) { return syscall(SYS_setsockopt, sock[0], SOL_SOCKET, SO_RCVBUF, p, 4); }
static long do_fionread(void *p) { return syscall(SYS_ioctl, pipe_read, FIONREAD, p); }
static long do_mincore(void *p) { return syscall(SYS_mincore, read_only, 4096, p); }

int main(void) {
    long page = sysconf(_SC_PAGESIZE);
    /* Three pages: PROT_NONE, a hole (unmapped last, so that no later mapping fills it), read-only. */
    char *region = mmap(NULL, 3 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    no_access = region;
    unmapped = region + page;
    read_only = region + 2 * page;
    mprotect(read_only, page, PROT_READ);
    int fds[2];
    if (pipe(fds) != 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, sock) != 0)
        return 1;
    pipe_read = fds[0];
    pipe_write = fds[1];
    dev_zero = open("/dev/zero", O_RDONLY);
    /* Data in the pipe for FIONREAD, and a datagram in the socket for each recvfrom (a datagram whose copy
     * fails is dropped, as unix_dgram_recvmsg frees it) and for the check at the end. */
    write(pipe_write, "x", 1);
    for (int i = 1; i <= 4; i++) {
        char datagram[3] = {'d', (char)('0' + i), 0};
        send(sock[0], datagram, 2, 0);
    }
    munmap(unmapped, page);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);

    report("read", do_read, 1);
    report("write", do_write, 0);
    report("pread64", do_pread, 1);
    report("readv (iovec)", do_readv, 0);
    report("writev (iovec)", do_writev, 0);
    report("openat (path)", do_openat, 0);
    report("mkdirat (path)", do_mkdirat, 0);
    report("unlinkat (path)", do_unlinkat, 0);
    report("readlinkat (path)", do_readlinkat_path, 0);
    report("readlinkat (buffer)", do_readlinkat_buf, 1);
    report("faccessat (path)", do_faccessat, 0);
    report("newfstatat (path)", do_fstatat_path, 0);
    report("newfstatat (stat)", do_fstatat_buf, 1);
    report("fstat", do_fstat, 1);
    report("statx", do_statx, 1);
    report("statfs", do_statfs, 1);
    report("fstatfs", do_fstatfs, 1);
    report("getcwd", do_getcwd, 1);
    report("chdir", do_chdir, 0);
    report("pipe2", do_pipe2, 1);
    report("socketpair", do_socketpair, 1);
    report("clock_gettime", do_clock_gettime, 1);
    report("clock_getres", do_clock_getres, 1);
    report("gettimeofday", do_gettimeofday, 1);
    report("nanosleep", do_nanosleep, 0);
    report("uname", do_uname, 1);
    report("sysinfo", do_sysinfo, 1);
    report("getrusage", do_getrusage, 1);
    report("prlimit64 (old)", do_prlimit, 1);
    report("rt_sigaction (new)", do_sigaction_new, 0);
    report("rt_sigaction (old)", do_sigaction_old, 1);
    report("rt_sigprocmask (set)", do_sigprocmask, 0);
    report("rt_sigpending", do_sigpending, 1);
    report("sigaltstack (old)", do_sigaltstack, 1);
    report("getrandom", do_getrandom, 1);
    report("ppoll (fds)", do_ppoll, 1);
    report("pselect6 (set)", do_pselect, 1);
    report("futex wait", do_futex, 0);
    report("sched_getaffinity", do_sched_getaffinity, 1);
    report("getresuid", do_getresuid, 1);
    report("times", do_times, 1);
    report("getitimer", do_getitimer, 1);
    report("sendto", do_sendto, 0);
    report("recvfrom", do_recvfrom, 1);
    report("sendmsg (msghdr)", do_sendmsg, 0);
    report("getsockname", do_getsockname, 1);
    report("getsockopt", do_getsockopt, 1);
    report("setsockopt", do_setsockopt, 0);
    report("ioctl FIONREAD", do_fionread, 1);
    report("mincore", do_mincore, 1);

    /* Nothing above changed what the good descriptors hold. */
    char byte = 0, datagram[16] = {0};
    long got = read(pipe_read, &byte, 1);
    long received = recv(sock[1], datagram, sizeof datagram, MSG_DONTWAIT);
    printf("still there: pipe %ld '%c', socket %ld '%s'\n", got, byte, received, datagram);
    return 0;
}

/* Kernel behaviour that qemu-aarch64 7.2 gets wrong, so the expected output comes from the native x86-64 build and
 * the man pages (this program is listed in qemu-wrong.txt; the runner does not compare qemu here). Each line's
 * expected value and its source:
 * - mmap(2): MAP_FIXED_NOREPLACE over an existing mapping "fails with the error EEXIST" (qemu maps elsewhere).
 * - madvise(2): "EINVAL advice is not valid" (qemu returns 0).
 * - get_robust_list(2): returns the head set_robust_list registered and its length, sizeof(struct robust_list_head)
 *   = 24 on 64-bit (qemu answers ENOSYS).
 * - pthread_mutexattr_setrobust(3): when the owner of a robust mutex terminates without unlocking it, the next
 *   pthread_mutex_lock returns EOWNERDEAD; after pthread_mutex_consistent the mutex works again (qemu's ENOSYS for
 *   set_robust_list leaves the mutex locked for ever: a timed lock is used so that the failure shows as ETIMEDOUT).
 * - prctl(2): PR_GET_CHILD_SUBREAPER reads back what PR_SET_CHILD_SUBREAPER set (qemu: EINVAL).
 * - mremap(2): MREMAP_DONTUNMAP (with MREMAP_MAYMOVE and equal sizes) moves the pages and leaves the old range
 *   mapped, where a private anonymous mapping then reads zeros; without MREMAP_MAYMOVE, or with a different new
 *   size, it is EINVAL (qemu: EINVAL for the flag itself).
 * - clone3(2): with flags 0 and exit_signal SIGCHLD it forks: the child gets 0 (and its tid in child_tid with
 *   CLONE_CHILD_SETTID), the parent the child's pid (also in parent_tid with CLONE_PARENT_SETTID) and SIGCHLD's
 *   wait status. Errors, from the man page and kernel/fork.c (copy_clone_args_from_user, clone3_args_valid):
 *   "E2BIG size is greater than the page size" and a larger struct with non-zero fields past the known ones;
 *   EINVAL for a size below CLONE_ARGS_SIZE_VER0 (64), "exit_signal is not a valid signal", exit_signal with
 *   CLONE_THREAD, "stack is NULL and stack_size is not 0" and the other way round, CSIGNAL bits in flags
 *   (qemu 7.2: ENOSYS for every call). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *errno_name(int e) {
    switch (e) {
    case 0: return "0";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case EOWNERDEAD: return "EOWNERDEAD";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ENOMEM: return "ENOMEM";
    case E2BIG: return "E2BIG";
    default: return "other";
    }
}

static pthread_mutex_t robust;

static void *die_holding(void *argument) {
    (void)argument;
    pthread_mutex_lock(&robust);
    return NULL; /* The thread ends with the mutex locked. */
}

/* clone3 with `args` of `size` bytes; returns the errno name, or "ok" when it succeeded. */
static const char *clone3_error(struct clone_args *args, size_t size) {
    errno = 0;
    long pid = syscall(SYS_clone3, args, size);
    if (pid == 0)
        _exit(0);
    if (pid > 0) {
        waitpid((pid_t)pid, NULL, 0);
        return "ok";
    }
    return errno_name(errno);
}

static void clone3_calls(void) {
    pid_t parent_tid = 0, child_tid = 0;
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID;
    args.exit_signal = SIGCHLD;
    args.parent_tid = (uintptr_t)&parent_tid;
    args.child_tid = (uintptr_t)&child_tid;
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0)
        _exit(child_tid == getpid() ? 7 : 8);
    int status = 0;
    pid_t reaped = pid > 0 ? waitpid((pid_t)pid, &status, 0) : -1;
    printf("clone3 fork: child %s, parent_tid %s, reaped %s, exit status %d\n", pid > 0 ? "made" : errno_name(errno),
           parent_tid == pid ? "set" : "wrong", reaped == pid ? "yes" : "no", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

    struct {
        struct clone_args args;
        uint64_t extra;
    } larger;
    memset(&larger, 0, sizeof larger);
    larger.args.exit_signal = SIGCHLD;
    const char *zero_extra = clone3_error(&larger.args, sizeof larger);
    larger.extra = 1;
    printf("clone3 sizes: 8 %s, 4097 %s, larger with zero extra %s, with non-zero extra %s\n",
           clone3_error(&larger.args, 8), clone3_error(&larger.args, 4097), zero_extra,
           clone3_error(&larger.args, sizeof larger));

    memset(&args, 0, sizeof args);
    args.exit_signal = 65;
    const char *bad_signal = clone3_error(&args, sizeof args);
    args.exit_signal = SIGCHLD;
    args.flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
    const char *thread_signal = clone3_error(&args, sizeof args);
    args.flags = SIGCHLD;
    const char *signal_in_flags = clone3_error(&args, sizeof args);
    args.flags = 0;
    args.stack = (uintptr_t)&larger;
    const char *stack_without_size = clone3_error(&args, sizeof args);
    args.stack = 0;
    args.stack_size = 4096;
    const char *size_without_stack = clone3_error(&args, sizeof args);
    printf("clone3 arguments: exit_signal 65 %s, CLONE_THREAD with SIGCHLD %s, SIGCHLD in flags %s, stack without "
           "size %s, size without stack %s\n",
           bad_signal, thread_signal, signal_in_flags, stack_without_size, size_without_stack);
}

int main(void) {
    long page = sysconf(_SC_PAGESIZE);
    char *used = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    errno = 0;
    void *clash = mmap(used + page, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    int clash_errno = errno;
    printf("MAP_FIXED_NOREPLACE over a used page: %s %s\n", clash == MAP_FAILED ? "fails" : "maps",
           errno_name(clash_errno));
    used[0] = 1;
    printf("the used page is intact: %s\n", used[0] == 1 ? "yes" : "no");

    errno = 0;
    int advised = madvise(used, page, 12345);
    int advised_errno = errno;
    printf("madvise with advice 12345: %d %s\n", advised, errno_name(advised_errno));

    void *head = NULL;
    size_t length = 0;
    errno = 0;
    long got = syscall(SYS_get_robust_list, 0, &head, &length);
    int got_errno = errno;
    printf("get_robust_list: %ld %s, length %zu, head set: %s\n", got, errno_name(got_errno), length,
           head != NULL ? "yes" : "no");

    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &attributes);
    pthread_t thread;
    pthread_create(&thread, NULL, die_holding, NULL);
    pthread_join(thread, NULL);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 2;
    int locked = pthread_mutex_timedlock(&robust, &deadline);
    printf("lock after the owner died: %s\n", errno_name(locked));
    if (locked == EOWNERDEAD) {
        int consistent = pthread_mutex_consistent(&robust);
        printf("consistent: %s\n", errno_name(consistent));
        int unlocked = pthread_mutex_unlock(&robust);
        int relocked = pthread_mutex_lock(&robust);
        printf("unlock then lock again: %s %s\n", errno_name(unlocked), errno_name(relocked));
        pthread_mutex_unlock(&robust);
    }

    errno = 0;
    int set = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    int set_errno = errno;
    int subreaper = -1;
    errno = 0;
    int get = prctl(PR_GET_CHILD_SUBREAPER, &subreaper, 0, 0, 0);
    int get_errno = errno;
    printf("child subreaper: set %d %s, get %d %s, value %d\n", set, errno_name(set_errno), get,
           errno_name(get_errno), subreaper);

    char *source = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(source, 's', page);
    errno = 0;
    /* Through syscall, with new_address 0: glibc's mremap passes its fifth argument only with MREMAP_FIXED, and
     * recent kernels read it as a placement hint for MREMAP_DONTUNMAP (an unaligned leftover is EINVAL). */
    char *moved = (char *)syscall(SYS_mremap, source, page, page, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0L);
    int moved_errno = errno;
    int moved_kept = moved != MAP_FAILED && moved[0] == 's' && moved[page - 1] == 's';
    int old_zero = moved != MAP_FAILED && source[0] == 0 && source[page - 1] == 0;
    printf("mremap MREMAP_DONTUNMAP: %s %s, contents moved %d, old range mapped and zero %d\n",
           moved == MAP_FAILED ? "fails" : "moves", errno_name(moved_errno), moved_kept, old_zero);
    errno = 0;
    void *no_move = (void *)syscall(SYS_mremap, source, page, page, MREMAP_DONTUNMAP, 0L);
    int no_move_errno = errno;
    errno = 0;
    void *resized = (void *)syscall(SYS_mremap, source, page, 2 * page, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0L);
    int resized_errno = errno;
    printf("mremap MREMAP_DONTUNMAP without MREMAP_MAYMOVE: %s, with a new size: %s\n",
           no_move == MAP_FAILED ? errno_name(no_move_errno) : "succeeds",
           resized == MAP_FAILED ? errno_name(resized_errno) : "succeeds");
    fflush(stdout);
    clone3_calls();
    return 0;
}

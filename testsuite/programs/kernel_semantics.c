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
 *   size, it is EINVAL (qemu: EINVAL for the flag itself). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
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
    default: return "other";
    }
}

static pthread_mutex_t robust;

static void *die_holding(void *argument) {
    (void)argument;
    pthread_mutex_lock(&robust);
    return NULL; /* The thread ends with the mutex locked. */
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
    return 0;
}

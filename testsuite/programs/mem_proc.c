/* Memory mappings, processes, and system information. Mappings: a file mapped MAP_PRIVATE (writes stay out of the
 * file) and MAP_SHARED (writes are seen by read); MAP_FIXED over the middle of an anonymous mapping;
 * MAP_FIXED_NOREPLACE over a free range; mremap shrinking without flags (in place) and with MREMAP_MAYMOVE, growing
 * with MREMAP_MAYMOVE (contents kept, new pages zero), refusing to grow in place into a used page, and growing in
 * place into free pages (an anonymous mapping and a shared file mapping); madvise
 * MADV_DONTNEED zeroing an anonymous private page; POSIX shared memory (shm_open, ftruncate, mmap) written by a
 * forked child through the inherited mapping and through its own shm_open, then shm_unlink. Processes: a child that
 * becomes a session leader with setsid; setpgid of another child from the parent; vfork with _exit(7); fork and
 * execve of the host's /bin/sh -c 'exit 3', of a missing file (ENOENT) and of a directory (EACCES). Information:
 * uname (sysname "Linux"; the machine is not printed, since the native cross-check build says x86_64), sysinfo,
 * getrusage, the four clocks (positive, monotonic never going back, clock_getres), clock_nanosleep for 1 ms,
 * gettimeofday against CLOCK_REALTIME, prlimit64 against getrlimit for RLIMIT_NOFILE (and a lowered soft limit
 * enforced by F_DUPFD), and a PTHREAD_MUTEX_ROBUST mutex passed between a thread and the main thread. Only results,
 * relations and booleans are printed. Threads come from static glibc 2.36, which has them in libc (no -pthread).
 *
 * Left out because qemu-aarch64 7.2, the oracle, disagrees with the kernel:
 * - MAP_FIXED_NOREPLACE over a used range: the kernel fails with EEXIST; qemu 7.2 treats the address as a hint and
 *   returns a mapping elsewhere.
 * - Where mremap with MREMAP_MAYMOVE puts a shrunk mapping: the kernel shrinks in place; qemu 7.2 moves it. Only
 *   the contents are printed for that shrink (a shrink without flags stays in place under both).
 * - madvise with an invalid advice (12345): the kernel says EINVAL; qemu 7.2 returns 0.
 * - A robust mutex whose owner thread exits without unlocking: the kernel marks it and the next pthread_mutex_lock
 *   returns EOWNERDEAD; qemu 7.2 answers set_robust_list with ENOSYS, so nothing marks the mutex and the lock
 *   waits for ever (a timed lock gives ETIMEDOUT). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *errno_name(int error) {
    switch (error) {
    case 0: return "0";
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case ENOMEM: return "ENOMEM";
    case EPERM: return "EPERM";
    case ESRCH: return "ESRCH";
    default: return "other";
    }
}

static void check(int condition, const char *what) {
    if (!condition) {
        printf("FAILED: %s (errno %s)\n", what, errno_name(errno));
        exit(1);
    }
}

/* "result errno": the result of a call that may fail, followed by the errno name when it did. */
static const char *outcome(long result) {
    static char buffers[8][32];
    static int next;
    char *text = buffers[next++ & 7];
    if (result == -1)
        snprintf(text, sizeof buffers[0], "-1 %s", errno_name(errno));
    else
        snprintf(text, sizeof buffers[0], "%ld", result);
    return text;
}

/* Describes a wait status as "exited N" or "killed N". */
static const char *status_text(int status) {
    static char text[32];
    if (WIFEXITED(status))
        snprintf(text, sizeof text, "exited %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(text, sizeof text, "killed %d", WTERMSIG(status));
    else
        snprintf(text, sizeof text, "other");
    return text;
}

static int wait_for(pid_t child) {
    int status = -1;
    check(waitpid(child, &status, 0) == child, "waitpid");
    return status;
}

static char directory[64];
static size_t page;

static int all_bytes(const char *memory, size_t length, char value) {
    for (size_t i = 0; i < length; i++)
        if (memory[i] != value)
            return 0;
    return 1;
}

/* 1. A file mapped privately and shared. */
static void test_file_mappings(void) {
    char path[128];
    snprintf(path, sizeof path, "%s/mapped", directory);
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
    check(fd >= 0, "open mapped");
    char *content = malloc(2 * page);
    for (size_t i = 0; i < 2 * page; i++)
        content[i] = (char)('a' + i % 26);
    check(write(fd, content, 2 * page) == (ssize_t)(2 * page), "write mapped");

    char *private_map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    check(private_map != MAP_FAILED, "mmap private");
    int sees_file = memcmp(private_map, content, 2 * page) == 0;
    memcpy(private_map + 100, "PRIVATE", 7);
    char back[8] = {0};
    pread(fd, back, 7, 100);
    printf("MAP_PRIVATE: sees the file %d, own write visible %d, file unchanged \"%s\"\n", sees_file,
           memcmp(private_map + 100, "PRIVATE", 7) == 0, back);

    char *shared_map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(shared_map != MAP_FAILED, "mmap shared");
    memcpy(shared_map + page + 10, "SHARED", 6);
    memset(back, 0, sizeof back);
    pread(fd, back, 6, (off_t)page + 10);
    printf("MAP_SHARED: read sees \"%s\", private page 0 still its own copy %d\n", back,
           memcmp(private_map + 100, "PRIVATE", 7) == 0);
    /* A write through the file shows in the shared mapping. */
    check(pwrite(fd, "via-pwrite", 10, 300) == 10, "pwrite");
    printf("MAP_SHARED sees pwrite %d, msync %d\n", memcmp(shared_map + 300, "via-pwrite", 10) == 0,
           msync(shared_map, 2 * page, MS_SYNC));
    munmap(private_map, 2 * page);
    munmap(shared_map, 2 * page);
    /* A read-only descriptor cannot back a writable shared mapping. */
    int read_only = open(path, O_RDONLY);
    void *refused = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, read_only, 0);
    printf("writable MAP_SHARED of an O_RDONLY fd fails %d %s\n", refused == MAP_FAILED,
           refused == MAP_FAILED ? errno_name(errno) : "");
    close(read_only);
    close(fd);
    free(content);
    unlink(path);
}

/* 2. MAP_FIXED over the middle page of an anonymous mapping, and MAP_FIXED_NOREPLACE over a free range. */
static void test_fixed(void) {
    char *base = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check(base != MAP_FAILED, "mmap 3 pages");
    memset(base, 'A', 3 * page);
    char *middle = mmap(base + page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED at the middle page: same address %d, middle zero %d, neighbours kept %d\n", middle == base + page,
           all_bytes(base + page, page, 0), all_bytes(base, page, 'A') && all_bytes(base + 2 * page, page, 'A'));
    check(munmap(base + 2 * page, page) == 0, "munmap last page");
    char *free_range = mmap(base + 2 * page, page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    int placed = free_range == base + 2 * page;
    if (placed)
        free_range[5] = 'z';
    printf("MAP_FIXED_NOREPLACE over a freed page: at that address %d, zero and writable %d\n", placed,
           placed && free_range[0] == 0 && free_range[5] == 'z');
    void *unaligned = mmap(base + 1, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED at an unaligned address fails %d %s\n", unaligned == MAP_FAILED,
           unaligned == MAP_FAILED ? errno_name(errno) : "");
    munmap(base, 3 * page);
}

/* 3. mremap: shrink in place and with MREMAP_MAYMOVE, grow with MREMAP_MAYMOVE, no growth in place into a used
 * page, and growth in place into free pages. */
static void test_mremap(void) {
    char *region = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check(region != MAP_FAILED, "mmap 4 pages");
    for (int i = 0; i < 4; i++)
        memset(region + (size_t)i * page, 'a' + i, page);
    char *halved = mremap(region, 4 * page, 2 * page, 0);
    check(halved != MAP_FAILED, "mremap shrink");
    printf("mremap 4 -> 2 pages without flags: in place %d, contents kept %d\n", halved == region,
           all_bytes(halved, page, 'a') && all_bytes(halved + page, page, 'b'));
    /* Where a shrink with MREMAP_MAYMOVE leaves the mapping is not printed (see above). */
    char *shrunk = mremap(halved, 2 * page, page, MREMAP_MAYMOVE);
    check(shrunk != MAP_FAILED, "mremap shrink MAYMOVE");
    printf("mremap 2 -> 1 pages with MREMAP_MAYMOVE: contents kept %d\n", all_bytes(shrunk, page, 'a'));
    char *grown = mremap(shrunk, page, 64 * page, MREMAP_MAYMOVE);
    check(grown != MAP_FAILED, "mremap grow");
    printf("mremap 1 -> 64 pages with MREMAP_MAYMOVE: first page kept %d, new pages zero %d\n",
           all_bytes(grown, page, 'a'), all_bytes(grown + page, 63 * page, 0));
    grown[64 * page - 1] = 'e';
    /* Growing the first page of a two-page mapping in place would run into the second page. */
    char *pair = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check(pair != MAP_FAILED, "mmap pair");
    void *blocked = mremap(pair, page, 2 * page, 0);
    const char *blocked_error = blocked == MAP_FAILED ? errno_name(errno) : "";
    void *bad_flags = mremap(pair, page, page, 0x100);
    const char *bad_flags_error = bad_flags == MAP_FAILED ? errno_name(errno) : "succeeded";
    printf("mremap growing in place into a used page fails %d %s, with flags 0x100 %s\n", blocked == MAP_FAILED,
           blocked_error, bad_flags_error);
    munmap(pair, 2 * page);
    munmap(grown, 64 * page);

    /* Growing in place without flags where the pages after the mapping are free: an anonymous mapping (old
     * contents kept, new pages zero and writable) and a shared file mapping (the new page shows the file). */
    char *lone = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check(lone != MAP_FAILED, "mmap lone");
    munmap(lone + page, 3 * page);
    memset(lone, 'l', page);
    char *widened = mremap(lone, page, 4 * page, 0);
    check(widened != MAP_FAILED, "mremap grow in place");
    widened[4 * page - 1] = 'w';
    printf("mremap 1 -> 4 pages in place into free pages: same address %d, first page kept %d, new pages zero %d\n",
           widened == lone, all_bytes(widened, page, 'l'), all_bytes(widened + page, 3 * page - 1, 0));
    munmap(widened, 4 * page);
    char path[] = "/tmp/vmtrans-mremap-XXXXXX";
    int fd = mkstemp(path);
    check(fd >= 0, "mkstemp");
    unlink(path);
    char block[4096];
    memset(block, 'f', sizeof block);
    for (long written = 0; written < 2 * page; written += (long)sizeof block)
        check(write(fd, block, sizeof block) == (long)sizeof block, "write file");
    char *file_map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(file_map != MAP_FAILED, "mmap file");
    munmap(file_map + page, page);
    char *file_grown = mremap(file_map, page, 2 * page, 0);
    check(file_grown != MAP_FAILED, "mremap file grow in place");
    printf("mremap of a shared file mapping 1 -> 2 pages in place: same address %d, second page from the file %d\n",
           file_grown == file_map, all_bytes(file_grown + page, page, 'f'));
    munmap(file_grown, 2 * page);
    close(fd);
}

/* 4. madvise: MADV_DONTNEED on a private anonymous page gives zeros back; other advice is accepted. */
static void test_madvise(void) {
    char *area = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check(area != MAP_FAILED, "mmap madvise");
    memset(area, 'x', 2 * page);
    int result = madvise(area, page, MADV_DONTNEED);
    int zeroed = all_bytes(area, page, 0), other_kept = all_bytes(area + page, page, 'x');
    printf("madvise MADV_DONTNEED %d: first page zero %d, second page kept %d\n", result, zeroed, other_kept);
    int normal = madvise(area, 2 * page, MADV_NORMAL);
    int willneed = madvise(area, 2 * page, MADV_WILLNEED);
    int sequential = madvise(area, 2 * page, MADV_SEQUENTIAL);
    printf("madvise MADV_NORMAL %d, MADV_WILLNEED %d, MADV_SEQUENTIAL %d\n", normal, willneed, sequential);
    munmap(area, 2 * page);
}

/* 5. POSIX shared memory shared with a forked child. */
static void test_shm(void) {
    char name[64];
    snprintf(name, sizeof name, "/vt-memproc-%d", (int)getpid());
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    check(fd >= 0, "shm_open");
    int truncated = ftruncate(fd, (off_t)(2 * page));
    struct stat info;
    fstat(fd, &info);
    char *shared = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(shared != MAP_FAILED, "mmap shm");
    printf("shm_open %d, ftruncate %d, size is two pages %d, starts zero %d\n", fd >= 0, truncated,
           info.st_size == (off_t)(2 * page), all_bytes(shared, 2 * page, 0));
    fflush(stdout);
    pid_t child = fork();
    check(child >= 0, "fork");
    if (child == 0) {
        strcpy(shared, "written by the child");
        int own = shm_open(name, O_RDWR, 0);
        if (own < 0)
            _exit(10);
        char *second = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, own, 0);
        if (second == MAP_FAILED)
            _exit(11);
        strcpy(second + page, "through its own shm_open");
        _exit(0);
    }
    int status = wait_for(child);
    printf("child %s: first page \"%s\", second page \"%s\"\n", status_text(status), shared, shared + page);
    const char *again = outcome(shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600));
    const char *unlinked = outcome(shm_unlink(name));
    const char *unlinked_again = outcome(shm_unlink(name));
    const char *reopened = outcome(shm_open(name, O_RDWR, 0));
    printf("shm_open O_EXCL again %s, shm_unlink %s, again %s, shm_open after unlink %s\n", again, unlinked,
           unlinked_again, reopened);
    strcpy(shared + 100, "still mapped");
    printf("mapping usable after unlink \"%s\"\n", shared + 100);
    munmap(shared, 2 * page);
    close(fd);
}

/* 6. Sessions and process groups. */
static void test_sessions(void) {
    fflush(stdout);
    pid_t leader = fork();
    check(leader >= 0, "fork");
    if (leader == 0) {
        pid_t self = getpid();
        int bits = 0;
        bits |= (setsid() == self) << 0;
        bits |= (getsid(0) == self) << 1;
        bits |= (getpgrp() == self) << 2;
        bits |= (getpgid(0) == self) << 3;
        errno = 0;
        bits |= (setsid() == -1 && errno == EPERM) << 4;
        _exit(bits);
    }
    int status = wait_for(leader);
    int bits = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    printf("setsid child: returns its pid %d, getsid(0) is its pid %d, getpgrp is its pid %d, getpgid(0) %d, "
           "second setsid EPERM %d\n",
           bits & 1, (bits >> 1) & 1, (bits >> 2) & 1, (bits >> 3) & 1, (bits >> 4) & 1);

    int go[2];
    check(pipe(go) == 0, "pipe");
    fflush(stdout);
    pid_t member = fork();
    check(member >= 0, "fork");
    if (member == 0) {
        close(go[1]);
        char byte;
        if (read(go[0], &byte, 1) != 1)
            _exit(100);
        int result = 0;
        result |= (getpgrp() == getpid()) << 0;
        errno = 0;
        result |= (setsid() == -1 && errno == EPERM) << 1;
        result |= (getsid(0) == getsid(getppid())) << 2;
        _exit(result);
    }
    close(go[0]);
    int same_group_before = getpgid(member) == getpgrp();
    int moved = setpgid(member, member);
    int own_group = getpgid(member) == member;
    int differs = getpgid(member) != getpgrp();
    check(write(go[1], "g", 1) == 1, "write go");
    close(go[1]);
    status = wait_for(member);
    bits = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    printf("setpgid child: in our group before %d, setpgid(child, child) %d, getpgid is the child %d, differs from "
           "ours %d\n",
           same_group_before, moved, own_group, differs);
    printf("setpgid child sees: getpgrp is its pid %d, setsid as group leader EPERM %d, same session as us %d\n",
           bits & 1, (bits >> 1) & 1, (bits >> 2) & 1);
    const char *no_such = outcome(getpgid(INT_MAX));
    const char *negative = outcome(setpgid(0, -1));
    printf("getsid(0) equals getsid(getpid()) %d, getpgid(0) equals getpgrp() %d, getpgid(INT_MAX) %s, setpgid(0, -1) "
           "%s\n",
           getsid(0) == getsid(getpid()), getpgid(0) == getpgrp(), no_such, negative);
}

/* 7. vfork, and fork with execve of a host program, a missing file and a directory. */
static void test_exec(void) {
    fflush(stdout);
    pid_t child = vfork();
    if (child == 0)
        _exit(7);
    check(child > 0, "vfork");
    printf("vfork child: %s\n", status_text(wait_for(child)));

    char *const environment[] = {"PATH=/usr/bin:/bin", NULL};
    char *const shell_args[] = {"sh", "-c", "exit 3", NULL};
    fflush(stdout);
    child = fork();
    check(child >= 0, "fork");
    if (child == 0) {
        execve("/bin/sh", shell_args, environment);
        _exit(99);
    }
    printf("execve /bin/sh -c 'exit 3': %s\n", status_text(wait_for(child)));

    char *const missing_args[] = {"missing", NULL};
    fflush(stdout);
    child = fork();
    check(child >= 0, "fork");
    if (child == 0) {
        execve("/nonexistent-vt-dir/program", missing_args, environment);
        _exit(errno == ENOENT ? 42 : 43);
    }
    printf("execve of a missing file in a child: %s (42 means ENOENT)\n", status_text(wait_for(child)));
    const char *directory_result = outcome(execve(directory, missing_args, environment));
    printf("execve of a directory %s\n", directory_result);
}

/* 8. uname, sysinfo and getrusage. */
static void test_system_info(void) {
    struct utsname names;
    int result = uname(&names);
    printf("uname %d: sysname \"%s\", release starts with a digit %d, nodename set %d\n", result, names.sysname,
           names.release[0] >= '0' && names.release[0] <= '9', names.nodename[0] != 0);
    struct sysinfo info;
    result = sysinfo(&info);
    printf("sysinfo %d: totalram > 0 %d, mem_unit > 0 %d, freeram <= totalram %d, uptime > 0 %d, procs > 0 %d\n",
           result, info.totalram > 0, info.mem_unit > 0, info.freeram <= info.totalram, info.uptime > 0,
           info.procs > 0);
    struct rusage usage;
    result = getrusage(RUSAGE_SELF, &usage);
    printf("getrusage(RUSAGE_SELF) %d: ru_maxrss > 0 %d, times not negative %d\n", result, usage.ru_maxrss > 0,
           usage.ru_utime.tv_sec >= 0 && usage.ru_stime.tv_sec >= 0 && usage.ru_utime.tv_usec < 1000000);
    int children = getrusage(RUSAGE_CHILDREN, &usage);
    const char *bad = outcome(getrusage(77, &usage));
    printf("getrusage(RUSAGE_CHILDREN) %d, getrusage(77) %s\n", children, bad);
}

/* 9. Clocks and sleeping. */
static void test_clocks(void) {
    /* Some work first, so that the CPU-time clocks have clearly moved. */
    volatile unsigned long sink = 0;
    for (unsigned long i = 0; i < 2000000; i++)
        sink += i;
    const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
    const char *names[] = {"CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID"};
    for (int i = 0; i < 4; i++) {
        struct timespec now = {-1, -1};
        int result = clock_gettime(clocks[i], &now);
        printf("clock_gettime %s %d: positive %d, nanoseconds in range %d\n", names[i], result,
               now.tv_sec > 0 || (now.tv_sec == 0 && now.tv_nsec > 0), now.tv_nsec >= 0 && now.tv_nsec < 1000000000);
    }
    struct timespec first, second;
    clock_gettime(CLOCK_MONOTONIC, &first);
    clock_gettime(CLOCK_MONOTONIC, &second);
    printf("CLOCK_MONOTONIC twice: not decreasing %d\n",
           second.tv_sec > first.tv_sec || (second.tv_sec == first.tv_sec && second.tv_nsec >= first.tv_nsec));
    struct timespec resolution = {0, 0};
    int result = clock_getres(CLOCK_MONOTONIC, &resolution);
    struct timespec scratch;
    const char *bad_clock = outcome(clock_gettime((clockid_t)12345, &scratch));
    printf("clock_getres CLOCK_MONOTONIC %d: between 1 ns and 1 ms %d; clock_gettime of clock 12345 %s\n", result,
           resolution.tv_sec == 0 && resolution.tv_nsec >= 1 && resolution.tv_nsec <= 1000000, bad_clock);

    struct timespec before, after, request = {0, 1000000}, remaining = {0, 0};
    clock_gettime(CLOCK_MONOTONIC, &before);
    int slept = clock_nanosleep(CLOCK_MONOTONIC, 0, &request, &remaining);
    clock_gettime(CLOCK_MONOTONIC, &after);
    long long elapsed = (after.tv_sec - before.tv_sec) * 1000000000LL + (after.tv_nsec - before.tv_nsec);
    printf("clock_nanosleep 1 ms relative %d, at least 1 ms passed %d\n", slept, elapsed >= 1000000);
    struct timespec past = {1, 0};
    int absolute = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL);
    struct timespec bad_request = {0, 1000000000};
    int invalid = clock_nanosleep(CLOCK_MONOTONIC, 0, &bad_request, NULL);
    printf("clock_nanosleep absolute in the past %d, with 10^9 nanoseconds %s\n", absolute, errno_name(invalid));

    struct timeval tv;
    struct timespec real;
    int got_tv = gettimeofday(&tv, NULL);
    clock_gettime(CLOCK_REALTIME, &real);
    long long difference = (long long)real.tv_sec - (long long)tv.tv_sec;
    printf("gettimeofday %d: microseconds in range %d, within 2 s of CLOCK_REALTIME %d\n", got_tv,
           tv.tv_usec >= 0 && tv.tv_usec < 1000000, difference >= -2 && difference <= 2);
}

/* 10. RLIMIT_NOFILE through prlimit64 and getrlimit, and a lowered soft limit. */
static void test_limits(void) {
    struct rlimit by_get, by_prlimit;
    int got = getrlimit(RLIMIT_NOFILE, &by_get);
    int pr = prlimit(0, RLIMIT_NOFILE, NULL, &by_prlimit);
    struct rlimit raw = {0, 0};
    long raw_result = syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &raw);
    printf("getrlimit %d, prlimit %d, prlimit64 syscall %ld: all agree %d, soft <= hard %d\n", got, pr, raw_result,
           by_get.rlim_cur == by_prlimit.rlim_cur && by_get.rlim_max == by_prlimit.rlim_max &&
               raw.rlim_cur == by_get.rlim_cur && raw.rlim_max == by_get.rlim_max,
           by_get.rlim_cur <= by_get.rlim_max);
    struct rlimit lowered = {64, by_get.rlim_max}, previous;
    int set = prlimit(0, RLIMIT_NOFILE, &lowered, &previous);
    struct rlimit now;
    getrlimit(RLIMIT_NOFILE, &now);
    const char *dup_high = outcome(fcntl(0, F_DUPFD, 100));
    int dup_low = fcntl(0, F_DUPFD, 40);
    printf("prlimit soft 64 %d: old value returned %d, getrlimit sees 64 %d, F_DUPFD from 100 %s, from 40 ok %d\n",
           set, previous.rlim_cur == by_get.rlim_cur, now.rlim_cur == 64, dup_high, dup_low >= 40 && dup_low < 64);
    close(dup_low);
    struct rlimit inverted = {10, 5};
    const char *bad = outcome(setrlimit(RLIMIT_NOFILE, &inverted));
    int restored = setrlimit(RLIMIT_NOFILE, &by_get);
    getrlimit(RLIMIT_NOFILE, &now);
    printf("setrlimit soft above hard %s, restore %d, restored %d\n", bad, restored,
           now.rlim_cur == by_get.rlim_cur && now.rlim_max == by_get.rlim_max);
}

/* 11. A robust mutex handed between a thread and the main thread (the owner-death case is left out, see above). */
static pthread_mutex_t robust_mutex;

static void *lock_and_unlock(void *unused) {
    (void)unused;
    int locked = pthread_mutex_lock(&robust_mutex);
    int unlocked = pthread_mutex_unlock(&robust_mutex);
    return (void *)(long)(locked * 100 + unlocked);
}

static void test_robust_mutex(void) {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    int set = pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
    int robustness = -1;
    pthread_mutexattr_getrobust(&attributes, &robustness);
    int initialised = pthread_mutex_init(&robust_mutex, &attributes);
    printf("robust mutex: setrobust %d, getrobust is ROBUST %d, init %d\n", set, robustness == PTHREAD_MUTEX_ROBUST,
           initialised);
    int locked = pthread_mutex_lock(&robust_mutex);
    pthread_t thread;
    check(pthread_create(&thread, NULL, lock_and_unlock, NULL) == 0, "pthread_create");
    int busy = pthread_mutex_trylock(&robust_mutex);
    int unlocked = pthread_mutex_unlock(&robust_mutex);
    void *thread_result;
    pthread_join(thread, &thread_result);
    int consistent = pthread_mutex_consistent(&robust_mutex);
    printf("main lock %d, trylock while held (recursive attempt) %s, unlock %d, thread lock/unlock %ld, "
           "consistent on a healthy mutex %s\n",
           locked, errno_name(busy), unlocked, (long)thread_result, errno_name(consistent));
    pthread_mutex_destroy(&robust_mutex);
    pthread_mutexattr_destroy(&attributes);
}

int main(void) {
    page = (size_t)sysconf(_SC_PAGESIZE);
    strcpy(directory, "/tmp/vt-memproc-XXXXXX");
    check(mkdtemp(directory) != NULL, "mkdtemp");
    test_file_mappings();
    test_fixed();
    test_mremap();
    test_madvise();
    test_shm();
    test_sessions();
    test_exec();
    test_system_info();
    test_clocks();
    test_limits();
    test_robust_mutex();
    printf("rmdir %d\n", rmdir(directory));
    return 0;
}

/* File system calls, all inside a mkdtemp directory under /tmp that is removed at the end: the *at family
 * (openat, mkdirat, renameat, linkat, symlinkat, readlinkat, fchmodat, faccessat, utimensat, unlinkat) both with
 * AT_FDCWD and a full path and with a directory descriptor and a relative one; fstatat and the raw newfstatat
 * syscall; statx (mask, size, mode, nlink); statfs against fstatfs (f_bsize > 0, the same f_type); getdents64
 * through readdir (the sorted names of a directory made here) and directly; fcntl record locks across fork (the
 * child's F_GETLK names the parent, its F_SETLK fails with EAGAIN or EACCES, a free range and the range after the
 * parent's unlock can be locked); F_SETOWN_EX/F_GETOWN_EX and F_SETSIG/F_GETSIG on a pipe; sendfile between two
 * files, with an offset and with the file position; dup3 with O_CLOEXEC and its EINVAL cases; terminal calls on a
 * pseudo-terminal (posix_openpt, grantpt, unlockpt, a ptsname under /dev/pts/, the slave opened, a tcgetattr/
 * tcsetattr round trip of ECHO, TIOCSWINSZ/TIOCGWINSZ, tcflush, tcdrain, isatty on both ends, bytes both ways); and
 * bad input that the kernel refuses with EFAULT, EBADF, EINVAL, ENOTDIR or ENOSYS. Where posix_openpt itself fails
 * with ENOENT or EACCES (no /dev/ptmx or devpts) the pseudo-terminal part prints one fixed line instead. Only
 * results, relations and booleans are printed: no pids, inode numbers, times or terminal numbers. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *errno_name(int error) {
    switch (error) {
    case 0: return "0";
    case EACCES: return "EACCES";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case EISDIR: return "EISDIR";
    case ENOENT: return "ENOENT";
    case ENOSYS: return "ENOSYS";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENOTTY: return "ENOTTY";
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

static char directory[64];
static int dir_fd;

/* Builds "<directory>/<name>" in a static buffer (one of two, so that two paths can be in use at once). */
static const char *in_dir(const char *name) {
    static char buffers[2][128];
    static int next;
    char *path = buffers[next++ & 1];
    snprintf(path, sizeof buffers[0], "%s/%s", directory, name);
    return path;
}

static void write_all(int fd, const char *text) {
    size_t length = strlen(text);
    check(write(fd, text, length) == (ssize_t)length, "write");
}

/* 1. The *at family with the directory descriptor and with AT_FDCWD plus a full path. */
static void test_at_family(void) {
    int fd = openat(dir_fd, "a.txt", O_CREAT | O_EXCL | O_RDWR, 0640);
    check(fd >= 0, "openat create");
    write_all(fd, "at family");
    close(fd);
    int again = openat(dir_fd, "a.txt", O_CREAT | O_EXCL | O_RDWR, 0640);
    printf("openat(dirfd) O_CREAT|O_EXCL: first ok, again %s\n", outcome(again));
    fd = openat(AT_FDCWD, in_dir("a.txt"), O_RDONLY);
    char text[32] = {0};
    ssize_t got = read(fd, text, sizeof text - 1);
    printf("openat(AT_FDCWD, full path) read %zd \"%s\"\n", got, text);
    close(fd);

    const char *first = outcome(mkdirat(dir_fd, "sub", 0755));
    const char *second = outcome(mkdirat(AT_FDCWD, in_dir("sub2"), 0700));
    const char *third = outcome(mkdirat(dir_fd, "sub", 0755));
    printf("mkdirat(dirfd, sub) %s, mkdirat(AT_FDCWD, full/sub2) %s, mkdirat again %s\n", first, second, third);

    first = outcome(renameat(dir_fd, "a.txt", dir_fd, "sub/b.txt"));
    second = outcome(faccessat(dir_fd, "a.txt", F_OK, 0));
    third = outcome(faccessat(AT_FDCWD, in_dir("sub/b.txt"), F_OK, 0));
    printf("renameat a.txt -> sub/b.txt %s, old name faccessat F_OK %s, new name %s\n", first, second, third);

    first = outcome(linkat(dir_fd, "sub/b.txt", dir_fd, "hard", 0));
    second = outcome(linkat(AT_FDCWD, in_dir("hard"), dir_fd, "sub/b.txt", 0));
    printf("linkat sub/b.txt -> hard %s, linkat onto an existing name %s\n", first, second);
    struct stat info;
    int stat_result = fstatat(dir_fd, "hard", &info, 0);
    printf("fstatat hard %d: regular %d, nlink %lu, size %lld, mode %o\n", stat_result, S_ISREG(info.st_mode),
           (unsigned long)info.st_nlink, (long long)info.st_size, (unsigned)(info.st_mode & 07777));

    first = outcome(symlinkat("sub/b.txt", dir_fd, "link"));
    second = outcome(symlinkat("x", AT_FDCWD, in_dir("hard")));
    printf("symlinkat link -> sub/b.txt %s, symlinkat to an existing name %s\n", first, second);
    char target[64] = {0}, scratch[64];
    ssize_t length = readlinkat(dir_fd, "link", target, sizeof target - 1);
    first = outcome(readlinkat(dir_fd, "hard", scratch, sizeof scratch));
    ssize_t short_length = readlinkat(AT_FDCWD, in_dir("link"), scratch, 3);
    printf("readlinkat %zd \"%s\", of a regular file %s, into 3 bytes %zd\n", length, target, first, short_length);
    struct stat link_info, followed;
    int nofollow = fstatat(dir_fd, "link", &link_info, AT_SYMLINK_NOFOLLOW);
    int follow = fstatat(dir_fd, "link", &followed, 0);
    printf("fstatat link NOFOLLOW %d symlink %d size %lld, followed %d regular %d same inode as hard %d\n", nofollow,
           S_ISLNK(link_info.st_mode), (long long)link_info.st_size, follow, S_ISREG(followed.st_mode),
           followed.st_ino == info.st_ino && followed.st_dev == info.st_dev);

    first = outcome(fchmodat(dir_fd, "hard", 0600, 0));
    second = outcome(fchmodat(AT_FDCWD, in_dir("sub2"), 0750, 0));
    printf("fchmodat(dirfd, hard, 0600) %s, fchmodat(AT_FDCWD, full/sub2, 0750) %s\n", first, second);
    struct stat hard_after, sub2_after;
    fstatat(dir_fd, "hard", &hard_after, 0);
    fstatat(AT_FDCWD, in_dir("sub2"), &sub2_after, 0);
    printf("modes now %o %o, directory %d\n", (unsigned)(hard_after.st_mode & 07777),
           (unsigned)(sub2_after.st_mode & 07777), S_ISDIR(sub2_after.st_mode));
    /* Execute permission needs an x bit even for root, so X_OK on a 0600 file fails for everyone. */
    first = outcome(faccessat(dir_fd, "hard", R_OK | W_OK, 0));
    second = outcome(faccessat(dir_fd, "hard", X_OK, 0));
    third = outcome(faccessat(dir_fd, "missing", R_OK, 0));
    printf("faccessat R_OK|W_OK %s, X_OK %s, missing %s\n", first, second, third);

    struct timespec times[2] = {{1000000000, 5000}, {1200000000, 700000}};
    int set = utimensat(dir_fd, "hard", times, 0);
    struct stat timed;
    fstatat(dir_fd, "hard", &timed, 0);
    printf("utimensat(dirfd) %d: atime %lld.%09ld, mtime %lld.%09ld\n", set, (long long)timed.st_atim.tv_sec,
           timed.st_atim.tv_nsec, (long long)timed.st_mtim.tv_sec, timed.st_mtim.tv_nsec);
    struct timespec omit_atime[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    set = utimensat(AT_FDCWD, in_dir("sub/b.txt"), omit_atime, 0);
    fstatat(dir_fd, "hard", &timed, 0);
    printf("utimensat(AT_FDCWD) UTIME_OMIT/UTIME_NOW %d: atime kept %d, mtime recent %d\n", set,
           timed.st_atim.tv_sec == 1000000000 && timed.st_atim.tv_nsec == 5000, timed.st_mtim.tv_sec > 1600000000);
    printf("utimensat bad nanoseconds %s\n",
           outcome(utimensat(dir_fd, "hard", (struct timespec[2]){{0, 2000000000}, {0, 0}}, 0)));

    first = outcome(unlinkat(dir_fd, "link", 0));
    second = outcome(unlinkat(dir_fd, "sub", AT_REMOVEDIR));
    third = outcome(unlinkat(dir_fd, "sub2", 0));
    const char *fourth = outcome(unlinkat(dir_fd, "hard", AT_REMOVEDIR));
    printf("unlinkat link %s, unlinkat sub AT_REMOVEDIR %s, unlinkat sub2 without it %s, unlinkat hard with it %s\n",
           first, second, third, fourth);
    fstatat(dir_fd, "sub/b.txt", &info, 0);
    unsigned long links_before = (unsigned long)info.st_nlink;
    first = outcome(unlinkat(dir_fd, "hard", 0));
    fstatat(dir_fd, "sub/b.txt", &info, 0);
    second = outcome(unlinkat(AT_FDCWD, in_dir("sub2"), AT_REMOVEDIR));
    printf("nlink of sub/b.txt %lu, unlinkat hard %s, nlink now %lu, unlinkat(AT_FDCWD, full/sub2, AT_REMOVEDIR) %s\n",
           links_before, first, (unsigned long)info.st_nlink, second);
}

/* 2. fstatat with AT_EMPTY_PATH, the raw newfstatat syscall, and statx. */
static void test_stat_calls(void) {
    int fd = openat(dir_fd, "sub/b.txt", O_RDONLY);
    struct stat by_fd, empty_path, raw;
    fstat(fd, &by_fd);
    int empty_result = fstatat(fd, "", &empty_path, AT_EMPTY_PATH);
    long raw_result = syscall(SYS_newfstatat, dir_fd, "sub/b.txt", &raw, 0);
    struct stat scratch;
    const char *without_flag = outcome(fstatat(fd, "", &scratch, 0));
    printf("fstatat AT_EMPTY_PATH %d same file %d, newfstatat %ld same file %d size %lld, empty path without flag %s\n",
           empty_result, empty_path.st_ino == by_fd.st_ino && empty_path.st_size == by_fd.st_size, raw_result,
           raw.st_ino == by_fd.st_ino && raw.st_dev == by_fd.st_dev, (long long)raw.st_size, without_flag);

    struct statx stx;
    memset(&stx, 0, sizeof stx);
    int result = statx(dir_fd, "sub/b.txt", 0, STATX_BASIC_STATS, &stx);
    unsigned wanted = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_SIZE | STATX_INO;
    printf("statx %d: mask has type/mode/nlink/size/ino %d, size %llu, regular %d, mode %o, nlink %u, ino matches %d\n",
           result, (stx.stx_mask & wanted) == wanted, (unsigned long long)stx.stx_size, S_ISREG(stx.stx_mode),
           (unsigned)(stx.stx_mode & 07777), stx.stx_nlink, stx.stx_ino == (unsigned long long)by_fd.st_ino);
    memset(&stx, 0, sizeof stx);
    result = statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &stx);
    printf("statx AT_EMPTY_PATH STATX_SIZE %d: size bit %d, size %llu\n", result, (stx.stx_mask & STATX_SIZE) != 0,
           (unsigned long long)stx.stx_size);
    check(symlinkat("sub", dir_fd, "dirlink") == 0, "symlinkat dirlink");
    memset(&stx, 0, sizeof stx);
    result = statx(dir_fd, "dirlink", AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE, &stx);
    int is_link = S_ISLNK(stx.stx_mode);
    unsigned long long link_size = stx.stx_size;
    memset(&stx, 0, sizeof stx);
    int followed = statx(dir_fd, "dirlink", 0, STATX_TYPE, &stx);
    printf("statx NOFOLLOW %d symlink %d size %llu, followed %d directory %d\n", result, is_link, link_size, followed,
           S_ISDIR(stx.stx_mode));
    const char *reserved = outcome(statx(dir_fd, "sub/b.txt", 0, STATX__RESERVED, &stx));
    const char *missing = outcome(statx(dir_fd, "missing", 0, STATX_BASIC_STATS, &stx));
    printf("statx reserved mask bit %s, missing file %s\n", reserved, missing);
    unlinkat(dir_fd, "dirlink", 0);

    struct statfs by_path, by_descriptor;
    int path_result = statfs(directory, &by_path);
    int fd_result = fstatfs(fd, &by_descriptor);
    struct statfs scratch_fs;
    missing = outcome(statfs(in_dir("missing"), &scratch_fs));
    const char *bad_fd = outcome(fstatfs(-1, &scratch_fs));
    printf("statfs %d fstatfs %d: f_bsize > 0 %d, same f_type %d, missing path %s, bad fd %s\n", path_result,
           fd_result, by_path.f_bsize > 0 && by_descriptor.f_bsize > 0, by_path.f_type == by_descriptor.f_type,
           missing, bad_fd);
    close(fd);
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 3. A directory with three files and a subdirectory, listed through readdir and through getdents64 directly. */
static void test_directory_listing(void) {
    check(mkdirat(dir_fd, "list", 0755) == 0, "mkdirat list");
    const char *files[] = {"charlie", "alpha", "bravo-with-a-longer-name"};
    for (int i = 0; i < 3; i++) {
        char path[64];
        snprintf(path, sizeof path, "list/%s", files[i]);
        close(openat(dir_fd, path, O_CREAT | O_WRONLY, 0600));
    }
    check(mkdirat(dir_fd, "list/delta", 0755) == 0, "mkdirat delta");

    DIR *dir = opendir(in_dir("list"));
    check(dir != NULL, "opendir");
    char *names[16];
    int count = 0, delta_is_dir = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < 16) {
        names[count++] = strdup(entry->d_name);
        if (strcmp(entry->d_name, "delta") == 0)
            delta_is_dir = entry->d_type == DT_DIR || entry->d_type == DT_UNKNOWN;
    }
    closedir(dir);
    qsort(names, (size_t)count, sizeof names[0], compare_names);
    printf("readdir %d entries:", count);
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("; delta DT_DIR (or DT_UNKNOWN) %d\n", delta_is_dir);

    int fd = openat(dir_fd, "list", O_RDONLY | O_DIRECTORY);
    char buffer[4096] __attribute__((aligned(8)));
    int entries = 0, well_formed = 1;
    long got;
    while ((got = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0) {
        for (long at = 0; at < got;) {
            unsigned short record = *(unsigned short *)(buffer + at + 16);
            if (record < 20 || record % 8 != 0)
                well_formed = 0;
            entries++;
            at += record ? record : got;
        }
    }
    int file_fd = openat(dir_fd, "sub/b.txt", O_RDONLY);
    const char *on_file = outcome(syscall(SYS_getdents64, file_fd, buffer, sizeof buffer));
    close(file_fd);
    printf("getdents64: %d entries, records aligned %d, end %ld, on a file %s\n", entries, well_formed, got, on_file);
    /* A buffer too small for a single record is EINVAL. */
    lseek(fd, 0, SEEK_SET);
    printf("getdents64 with an 8-byte buffer %s\n", outcome(syscall(SYS_getdents64, fd, buffer, 8)));
    close(fd);
    for (int i = 0; i < 3; i++) {
        char path[64];
        snprintf(path, sizeof path, "list/%s", files[i]);
        unlinkat(dir_fd, path, 0);
    }
    unlinkat(dir_fd, "list/delta", AT_REMOVEDIR);
    unlinkat(dir_fd, "list", AT_REMOVEDIR);
}

/* 4. Record locks: the parent write-locks bytes 0..99; a forked child sees the lock with F_GETLK, names the parent
 * as its holder, fails to take it with F_SETLK, takes the free bytes 200..209, and after the parent unlocks bytes
 * 0..49 takes those. The child reports through a pipe. */
static void test_record_locks(void) {
    int fd = openat(dir_fd, "locked", O_CREAT | O_RDWR, 0600);
    check(fd >= 0, "open locked");
    check(ftruncate(fd, 4096) == 0, "ftruncate");
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100};
    printf("parent F_SETLK write 0..99 %s\n", outcome(fcntl(fd, F_SETLK, &lock)));
    /* The parent's own F_GETLK on its own lock finds nothing: locks never conflict with their owner. */
    struct flock probe = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 10};
    fcntl(fd, F_GETLK, &probe);
    printf("parent F_GETLK over its own lock: F_UNLCK %d\n", probe.l_type == F_UNLCK);

    int to_parent[2], to_child[2];
    check(pipe(to_parent) == 0 && pipe(to_child) == 0, "pipe");
    fflush(stdout);
    pid_t child = fork();
    check(child >= 0, "fork");
    if (child == 0) {
        close(to_parent[0]);
        close(to_child[1]);
        int own = open(in_dir("locked"), O_RDWR);
        char report[256];
        struct flock query = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 10};
        int got = fcntl(own, F_GETLK, &query);
        struct flock take = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 50, .l_len = 5};
        errno = 0;
        int taken = fcntl(own, F_SETLK, &take);
        int conflict = taken == -1 && (errno == EAGAIN || errno == EACCES);
        struct flock free_range = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 200, .l_len = 10};
        int free_taken = fcntl(own, F_SETLK, &free_range);
        int length = snprintf(report, sizeof report,
                              "child F_GETLK %d: F_WRLCK %d, start %lld, len %lld, pid is the parent %d; F_SETLK "
                              "read 50..54 fails with EAGAIN or EACCES %d; F_SETLK 200..209 %d\n",
                              got, query.l_type == F_WRLCK, (long long)query.l_start, (long long)query.l_len,
                              query.l_pid == getppid(), conflict, free_taken);
        check(write(to_parent[1], report, (size_t)length) == length, "child write");
        char go;
        check(read(to_child[0], &go, 1) == 1, "child read");
        struct flock after = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 50};
        int later = fcntl(own, F_SETLK, &after);
        struct flock still = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 50, .l_len = 50};
        errno = 0;
        int still_held = fcntl(own, F_SETLK, &still) == -1 && (errno == EAGAIN || errno == EACCES);
        length = snprintf(report, sizeof report,
                          "after the parent unlocks 0..49: child F_SETLK 0..49 %d, 50..99 still refused %d\n", later,
                          still_held);
        check(write(to_parent[1], report, (size_t)length) == length, "child write");
        _exit(0);
    }
    close(to_parent[1]);
    close(to_child[0]);
    char report[512] = {0};
    ssize_t got = read(to_parent[0], report, sizeof report - 1);
    check(got > 0, "parent read");
    fputs(report, stdout);
    struct flock unlock = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 50};
    printf("parent F_UNLCK 0..49 %s\n", outcome(fcntl(fd, F_SETLK, &unlock)));
    fflush(stdout);
    check(write(to_child[1], "g", 1) == 1, "parent write");
    memset(report, 0, sizeof report);
    got = read(to_parent[0], report, sizeof report - 1);
    check(got > 0, "parent read");
    fputs(report, stdout);
    int status = 0;
    waitpid(child, &status, 0);
    printf("child exited %d status %d\n", WIFEXITED(status), WEXITSTATUS(status));
    struct flock bad = {.l_type = 77, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    const char *bad_type = outcome(fcntl(fd, F_SETLK, &bad));
    int read_only = openat(dir_fd, "locked", O_RDONLY);
    struct flock write_lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    const char *on_read_only = outcome(fcntl(read_only, F_SETLK, &write_lock));
    close(read_only);
    printf("F_SETLK with l_type 77 %s, F_WRLCK on a read-only fd %s\n", bad_type, on_read_only);
    close(to_parent[0]);
    close(to_child[1]);
    close(fd);
    unlinkat(dir_fd, "locked", 0);
}

/* 5. Signal-driven I/O settings on a pipe: the owner (as a process and as a thread) and the signal. */
static void test_owner_and_signal(void) {
    int fds[2];
    check(pipe(fds) == 0, "pipe");
    struct f_owner_ex owner = {.type = F_OWNER_PID, .pid = getpid()};
    int set = fcntl(fds[0], F_SETOWN_EX, &owner);
    struct f_owner_ex back = {0};
    int got = fcntl(fds[0], F_GETOWN_EX, &back);
    printf("F_SETOWN_EX pid %d, F_GETOWN_EX %d: F_OWNER_PID %d, our pid %d, F_GETOWN our pid %d\n", set, got,
           back.type == F_OWNER_PID, back.pid == getpid(), fcntl(fds[0], F_GETOWN) == getpid());
    owner.type = F_OWNER_TID;
    owner.pid = gettid();
    set = fcntl(fds[0], F_SETOWN_EX, &owner);
    memset(&back, 0, sizeof back);
    got = fcntl(fds[0], F_GETOWN_EX, &back);
    printf("F_SETOWN_EX tid %d, F_GETOWN_EX %d: F_OWNER_TID %d, our tid %d\n", set, got, back.type == F_OWNER_TID,
           back.pid == gettid());
    owner.type = 99;
    printf("F_SETOWN_EX with type 99 %s\n", outcome(fcntl(fds[0], F_SETOWN_EX, &owner)));
    int initial = fcntl(fds[1], F_GETSIG);
    int set_usr1 = fcntl(fds[1], F_SETSIG, SIGUSR1);
    int is_usr1 = fcntl(fds[1], F_GETSIG) == SIGUSR1;
    int set_zero = fcntl(fds[1], F_SETSIG, 0);
    int zero = fcntl(fds[1], F_GETSIG);
    const char *too_big = outcome(fcntl(fds[1], F_SETSIG, 1000));
    printf("F_GETSIG initially %d, F_SETSIG SIGUSR1 %d, F_GETSIG is SIGUSR1 %d, F_SETSIG 0 %d, F_GETSIG %d, "
           "F_SETSIG 1000 %s\n",
           initial, set_usr1, is_usr1, set_zero, zero, too_big);
    close(fds[0]);
    close(fds[1]);
}

/* 6. sendfile from one file to another: with an offset (the source position stays) and without (it moves). */
static void test_sendfile(void) {
    int source = openat(dir_fd, "send-in", O_CREAT | O_RDWR | O_TRUNC, 0600);
    int target = openat(dir_fd, "send-out", O_CREAT | O_RDWR | O_TRUNC, 0600);
    check(source >= 0 && target >= 0, "open sendfile files");
    write_all(source, "0123456789abcdefghijklmnopqrstuvwxyz");
    lseek(source, 0, SEEK_SET);
    off_t offset = 4;
    ssize_t sent = sendfile(target, source, &offset, 10);
    printf("sendfile at offset 4: %zd, offset now %lld, source position %lld, target position %lld\n", sent,
           (long long)offset, (long long)lseek(source, 0, SEEK_CUR), (long long)lseek(target, 0, SEEK_CUR));
    lseek(source, 30, SEEK_SET);
    sent = sendfile(target, source, NULL, 100);
    printf("sendfile from position 30, 100 asked: %zd, source position %lld\n", sent,
           (long long)lseek(source, 0, SEEK_CUR));
    char back[64] = {0};
    ssize_t got = pread(target, back, sizeof back - 1, 0);
    ssize_t at_end = sendfile(target, source, NULL, 10);
    printf("target holds %zd \"%s\"; at end of file sendfile gives %zd\n", got, back, at_end);
    int read_only = openat(dir_fd, "send-out", O_RDONLY);
    const char *to_read_only = outcome(sendfile(read_only, source, &offset, 1));
    const char *from_bad = outcome(sendfile(target, -1, NULL, 1));
    printf("sendfile to a read-only fd %s, from a bad fd %s\n", to_read_only, from_bad);
    close(read_only);
    close(source);
    close(target);
    unlinkat(dir_fd, "send-in", 0);
    unlinkat(dir_fd, "send-out", 0);
}

/* 7. dup3: O_CLOEXEC on the copy only, EINVAL for equal descriptors and for other flags; dup2 to itself is fine. */
static void test_dup3(void) {
    int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY);
    int copy = dup3(fd, 60, O_CLOEXEC);
    printf("dup3 to 60 with O_CLOEXEC gives 60 %d, copy cloexec %d, original cloexec %d\n", copy == 60,
           (fcntl(60, F_GETFD) & FD_CLOEXEC) != 0, (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    copy = dup3(fd, 60, 0);
    printf("dup3 onto the open 60 without flags gives 60 %d, cloexec now %d\n", copy == 60,
           (fcntl(60, F_GETFD) & FD_CLOEXEC) != 0);
    const char *to_itself = outcome(dup3(fd, fd, 0));
    const char *with_append = outcome(dup3(fd, 61, O_APPEND));
    int dup2_itself = dup2(fd, fd) == fd;
    const char *from_closed = outcome(dup3(59, 61, 0));
    printf("dup3 to itself %s, dup3 with O_APPEND %s, dup2 to itself gives it %d, dup3 from a closed fd %s\n",
           to_itself, with_append, dup2_itself, from_closed);
    close(60);
    close(fd);
}

/* 8. A pseudo-terminal pair. */
static void test_pty(void) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 && (errno == ENOENT || errno == EACCES)) {
        printf("pty: posix_openpt unavailable here (ENOENT or EACCES); pseudo-terminal checks skipped\n");
        return;
    }
    check(master >= 0, "posix_openpt");
    int granted = grantpt(master), unlocked = unlockpt(master);
    const char *name = ptsname(master);
    int number = -1;
    int got_number = ioctl(master, TIOCGPTN, &number);
    char expected_name[32];
    snprintf(expected_name, sizeof expected_name, "/dev/pts/%d", number);
    printf("pty: grantpt %d, unlockpt %d, ptsname under /dev/pts/ %d, TIOCGPTN %d agrees %d\n", granted, unlocked,
           name != NULL && strncmp(name, "/dev/pts/", 9) == 0, got_number,
           name != NULL && strcmp(name, expected_name) == 0);
    int slave = open(name, O_RDWR | O_NOCTTY);
    check(slave >= 0, "open slave");
    errno = 0;
    int regular_tty = isatty(dir_fd);
    int regular_errno = errno;
    int master_tty = isatty(master);
    int slave_tty = isatty(slave);
    printf("isatty master %d, slave %d, a directory %d %s\n", master_tty, slave_tty, regular_tty,
           errno_name(regular_errno));

    struct termios original, changed, back;
    int got = tcgetattr(slave, &original);
    changed = original;
    changed.c_lflag ^= ECHO;
    int set = tcsetattr(slave, TCSANOW, &changed);
    tcgetattr(slave, &back);
    printf("tcgetattr %d, canonical %d, tcsetattr toggling ECHO %d, read back toggled %d\n", got,
           (original.c_lflag & ICANON) != 0, set, (back.c_lflag & ECHO) != (original.c_lflag & ECHO));
    changed = original;
    changed.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(slave, TCSANOW, &changed);
    tcgetattr(master, &back);
    int echo_off = (back.c_lflag & ECHO) == 0;
    const char *bad_action = outcome(tcsetattr(slave, 99, &changed));
    const char *on_file = outcome(tcgetattr(dir_fd, &back));
    printf("master sees ECHO off %d, tcsetattr with action 99 %s, tcgetattr on a directory %s\n", echo_off,
           bad_action, on_file);

    struct winsize size = {.ws_row = 33, .ws_col = 101, .ws_xpixel = 0, .ws_ypixel = 0}, size_back = {0};
    int set_size = ioctl(master, TIOCSWINSZ, &size);
    int get_size = ioctl(slave, TIOCGWINSZ, &size_back);
    printf("TIOCSWINSZ %d, TIOCGWINSZ on the slave %d: %u rows %u columns\n", set_size, get_size, size_back.ws_row,
           size_back.ws_col);
    int flushed = tcflush(slave, TCIOFLUSH);
    int drained = tcdrain(slave);
    struct winsize scratch;
    on_file = outcome(ioctl(dir_fd, TIOCGWINSZ, &scratch));
    printf("tcflush TCIOFLUSH %d, tcdrain %d, TIOCGWINSZ on a directory %s\n", flushed, drained, on_file);

    /* Canonical input: a line written to the master is read whole from the slave; output processing turns the
     * slave's "\n" into "\r\n" on the master. ECHO is off, so nothing else comes back. */
    write_all(master, "ping\n");
    char line[32] = {0};
    ssize_t line_length = read(slave, line, sizeof line - 1);
    printf("slave read %zd, is the line %d\n", line_length, line_length == 5 && memcmp(line, "ping\n", 5) == 0);
    write_all(slave, "pong\n");
    char out[32] = {0};
    ssize_t total = 0;
    while (total < 6) {
        ssize_t part = read(master, out + total, sizeof out - 1 - (size_t)total);
        if (part <= 0)
            break;
        total += part;
    }
    printf("master read %zd, is \"pong\\r\\n\" %d\n", total, total == 6 && memcmp(out, "pong\r\n", 6) == 0);
    close(slave);
    close(master);
}

/* 9. Input the kernel refuses. */
static void test_bad_input(void) {
    struct stat info;
    char buffer[16];
    const char *r[6];
    r[0] = outcome(open((char *)1, O_RDONLY));
    r[1] = outcome(stat((char *)1, &info));
    r[2] = outcome(mkdir((char *)1, 0700));
    printf("open((char *)1) %s, stat((char *)1) %s, mkdir((char *)1) %s\n", r[0], r[1], r[2]);
    int fd = openat(dir_fd, "plain", O_CREAT | O_RDWR, 0600);
    write_all(fd, "plain bytes");
    lseek(fd, 0, SEEK_SET);
    /* Through a volatile pointer so that the compiler does not object to the bad buffers at build time. */
    void *volatile bad_pointer = (void *)1;
    r[0] = outcome(read(fd, bad_pointer, 4));
    r[1] = outcome(write(fd, bad_pointer, 4));
    r[2] = outcome(fstat(fd, bad_pointer));
    printf("read into (void *)1 %s, write from (void *)1 %s, fstat into (void *)1 %s\n", r[0], r[1], r[2]);
    r[0] = outcome(read(-1, buffer, 1));
    r[1] = outcome(close(4000));
    r[2] = outcome(fstat(-5, &info));
    r[3] = outcome(openat(4000, "x", O_RDONLY));
    r[4] = outcome(lseek(-1, 0, SEEK_SET));
    printf("read(-1) %s, close(4000) %s, fstat(-5) %s, openat with bad dirfd 4000 %s, lseek(-1) %s\n", r[0], r[1],
           r[2], r[3], r[4]);
    r[0] = outcome(openat(fd, "x", O_RDONLY));
    r[1] = outcome(open(in_dir("plain/x"), O_RDONLY));
    r[2] = outcome(open(in_dir("plain"), O_RDONLY | O_DIRECTORY));
    printf("openat relative to a file %s, open of file/x %s, open O_DIRECTORY of a file %s\n", r[0], r[1], r[2]);
    r[0] = outcome(fcntl(fd, 9999));
    r[1] = outcome(lseek(fd, 0, 77));
    r[2] = outcome(unlinkat(dir_fd, "plain", 0x1));
    r[3] = outcome(fstatat(dir_fd, "plain", &info, 0x4000000));
    r[4] = outcome(faccessat(dir_fd, "plain", 0x40, 0));
    printf("fcntl command 9999 %s, lseek whence 77 %s, unlinkat flags 0x1 %s, fstatat flags 0x4000000 %s, "
           "faccessat mode 0x40 %s\n",
           r[0], r[1], r[2], r[3], r[4]);
    r[0] = outcome(open(directory, O_WRONLY));
    r[1] = outcome(rmdir(in_dir("plain")));
    printf("open of a directory for writing %s, rmdir of a file %s\n", r[0], r[1]);
    printf("syscall(999) %s\n", outcome(syscall(999)));
    close(fd);
    unlinkat(dir_fd, "plain", 0);
}

int main(void) {
    umask(022);
    strcpy(directory, "/tmp/vt-fscalls-XXXXXX");
    check(mkdtemp(directory) != NULL, "mkdtemp");
    dir_fd = open(directory, O_RDONLY | O_DIRECTORY);
    check(dir_fd >= 0, "open directory");
    test_at_family();
    test_stat_calls();
    test_directory_listing();
    test_record_locks();
    test_owner_and_signal();
    test_sendfile();
    test_dup3();
    test_pty();
    test_bad_input();

    int removed_file = unlinkat(dir_fd, "sub/b.txt", 0);
    int removed_sub = unlinkat(dir_fd, "sub", AT_REMOVEDIR);
    close(dir_fd);
    printf("cleanup: unlink %d, rmdir sub %d, rmdir %d\n", removed_file, removed_sub, rmdir(directory));
    return 0;
}

/* More file system calls, all inside a mkdtemp directory under the cwd that is removed at the end: flock against a
 * forked child; fallocate; preadv/pwritev and preadv2/pwritev2 with three iovecs; splice, tee and vmsplice;
 * copy_file_range; memfd_create with two shared mappings; close_range; msync of a file mapping; mlock, munlock and
 * mincore; inotify; the advice and sync calls (posix_fadvise, readahead, sync_file_range, syncfs); and user
 * extended attributes, printed the same way whether or not the file system supports them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char *errno_name(int error) {
    switch (error) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case ENODATA: return "ENODATA";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return "other";
    }
}

static void check(int condition, const char *what) {
    if (!condition) {
        printf("FAILED: %s (errno %s)\n", what, errno_name(errno));
        exit(1);
    }
}

static char directory[64];

/* Builds "<directory>/<name>" in a static buffer (one of two, so that two paths can be in use at once). */
static const char *in_dir(const char *name) {
    static char buffers[2][128];
    static int next;
    char *path = buffers[next++ & 1];
    snprintf(path, sizeof buffers[0], "%s/%s", directory, name);
    return path;
}

static int open_new(const char *name) {
    int fd = open(in_dir(name), O_RDWR | O_CREAT | O_TRUNC, 0600);
    check(fd >= 0, name);
    return fd;
}

/* 1. flock: a child's own open of the locked file cannot take the lock without blocking until the parent lets go. */
static int child_try_lock(const char *path) {
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        int fd = open(path, O_RDWR);
        if (fd < 0)
            _exit(100);
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            _exit(0);
        _exit(errno == EWOULDBLOCK ? 1 : 101);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_flock(void) {
    int fd = open_new("locked");
    const char *path = in_dir("locked");
    int locked = flock(fd, LOCK_EX);
    int held = child_try_lock(path);
    int unlocked = flock(fd, LOCK_UN);
    int free_now = child_try_lock(path);
    printf("flock LOCK_EX %d, child gets EWOULDBLOCK %d, LOCK_UN %d, child locks afterwards %d\n", locked, held == 1,
           unlocked, free_now == 0);
    close(fd);
}

/* 2. fallocate grows the file to 1 MiB (a file system without it gets ftruncate, which gives the same size). */
static void test_fallocate(void) {
    int fd = open_new("allocated");
    if (fallocate(fd, 0, 0, 1 << 20) != 0 && errno == EOPNOTSUPP)
        check(ftruncate(fd, 1 << 20) == 0, "ftruncate");
    struct stat info;
    fstat(fd, &info);
    char byte = 'x';
    ssize_t got = pread(fd, &byte, 1, 500000);
    printf("fallocate: size %lld, reads zero %d\n", (long long)info.st_size, got == 1 && byte == 0);
    close(fd);
}

/* 3. Vectored positional I/O: three iovecs out, a different split of three back in. */
static void test_vectored(void) {
    int fd = open_new("vectored");
    struct iovec out[3] = {{"Alpha-", 6}, {"Bravo-", 6}, {"Charlie", 7}};
    ssize_t written = pwritev(fd, out, 3, 10);
    char a[4] = {0}, b[9] = {0}, c[20] = {0};
    struct iovec in[3] = {{a, 3}, {b, 8}, {c, 19}};
    ssize_t got = preadv(fd, in, 3, 10);
    printf("pwritev %zd, preadv %zd: \"%s\" \"%s\" \"%s\", offset untouched %lld\n", written, got, a, b, c,
           (long long)lseek(fd, 0, SEEK_CUR));
    struct iovec out2[3] = {{"one ", 4}, {"two ", 4}, {"three", 5}};
    written = pwritev2(fd, out2, 3, 0, 0);
    memset(a, 0, sizeof a), memset(b, 0, sizeof b), memset(c, 0, sizeof c);
    got = preadv2(fd, in, 3, 0, 0);
    printf("pwritev2 %zd, preadv2 %zd: \"%s\" \"%s\" \"%s\"\n", written, got, a, b, c);
    /* An offset of -1 means the current position, which then moves. */
    lseek(fd, 4, SEEK_SET);
    memset(a, 0, sizeof a), memset(b, 0, sizeof b), memset(c, 0, sizeof c);
    struct iovec small[2] = {{a, 3}, {b, 5}};
    got = preadv2(fd, small, 2, -1, 0);
    printf("preadv2 at -1: %zd \"%s\" \"%s\", position now %lld\n", got, a, b, (long long)lseek(fd, 0, SEEK_CUR));
    close(fd);
}

/* 4. splice moves file bytes through a pipe into another file; tee duplicates a pipe's contents into a second
 * pipe; vmsplice feeds user memory into a pipe. */
static void test_splice(void) {
    int source = open_new("splice-in"), target = open_new("splice-out");
    const char text[] = "spliced through a pipe";
    check(write(source, text, sizeof text - 1) == (ssize_t)sizeof text - 1, "write");
    int pipe_fds[2];
    check(pipe(pipe_fds) == 0, "pipe");
    loff_t in_offset = 9;
    ssize_t into_pipe = splice(source, &in_offset, pipe_fds[1], NULL, 64, 0);
    ssize_t out_of_pipe = splice(pipe_fds[0], NULL, target, NULL, (size_t)into_pipe, 0);
    char back[32] = {0};
    pread(target, back, sizeof back - 1, 0);
    printf("splice file->pipe %zd (offset now %lld), pipe->file %zd: \"%s\"\n", into_pipe, (long long)in_offset,
           out_of_pipe, back);

    int second[2];
    check(pipe(second) == 0, "pipe");
    check(write(pipe_fds[1], "teed bytes", 10) == 10, "write pipe");
    ssize_t teed = tee(pipe_fds[0], second[1], 64, 0);
    char first_copy[16] = {0}, second_copy[16] = {0};
    ssize_t got_first = read(pipe_fds[0], first_copy, sizeof first_copy - 1);
    ssize_t got_second = read(second[0], second_copy, sizeof second_copy - 1);
    printf("tee %zd: original %zd \"%s\", copy %zd \"%s\"\n", teed, got_first, first_copy, got_second, second_copy);

    struct iovec pieces[2] = {{"vm", 2}, {"splice", 6}};
    ssize_t moved = vmsplice(pipe_fds[1], pieces, 2, 0);
    char moved_back[16] = {0};
    ssize_t got = read(pipe_fds[0], moved_back, sizeof moved_back - 1);
    printf("vmsplice %zd, read %zd \"%s\"\n", moved, got, moved_back);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    close(second[0]);
    close(second[1]);

    /* copy_file_range copies between the two files at explicit offsets, leaving the file positions alone. */
    loff_t from = 0, to = 4;
    int copy_target = open_new("copied");
    ssize_t copied = copy_file_range(source, &from, copy_target, &to, 7, 0);
    char copy[16] = {0};
    ssize_t copy_got = pread(copy_target, copy, sizeof copy - 1, 0);
    printf("copy_file_range %zd, offsets now %lld %lld, file %zd bytes, tail \"%s\", leading zeros %d\n", copied,
           (long long)from, (long long)to, copy_got, copy + 4, copy[0] == 0 && copy[3] == 0);
    close(copy_target);
    close(source);
    close(target);
}

/* 5. memfd_create: two MAP_SHARED mappings of the same memfd see each other's writes. */
static void test_memfd(void) {
    int fd = memfd_create("x", MFD_CLOEXEC);
    check(fd >= 0, "memfd_create");
    int truncated = ftruncate(fd, 8192);
    char *first = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *second = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(first != MAP_FAILED && second != MAP_FAILED, "mmap memfd");
    strcpy(first + 5000, "written through the first");
    strcpy(second + 100, "and through the second");
    char via_read[32] = {0};
    pread(fd, via_read, 22, 100);
    struct stat info;
    fstat(fd, &info);
    printf("memfd: cloexec %d, ftruncate %d, size %lld, distinct mappings %d, second sees \"%s\", first sees \"%s\", "
           "read sees \"%s\"\n",
           (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, truncated, (long long)info.st_size, first != second, second + 5000,
           first + 100, via_read);
    munmap(first, 8192);
    munmap(second, 8192);
    close(fd);
}

/* 6. close_range closes every descriptor from the lowest of three fresh ones upwards. */
static void test_close_range(void) {
    int fds[3];
    for (int i = 0; i < 3; i++)
        fds[i] = dup(1);
    int first = fds[0] < fds[1] ? (fds[0] < fds[2] ? fds[0] : fds[2]) : (fds[1] < fds[2] ? fds[1] : fds[2]);
    int result = close_range((unsigned)first, ~0U, 0);
    int closed = 0;
    for (int i = 0; i < 3; i++)
        closed += fcntl(fds[i], F_GETFD) == -1 && errno == EBADF;
    printf("close_range %d, closed %d of 3, stdout still open %d\n", result, closed, fcntl(1, F_GETFD) != -1);
}

/* 7. A shared file mapping: the write is in the file after msync; the page can be locked; mincore says it is in
 * memory. */
static void test_mapping(void) {
    int fd = open_new("mapped");
    long page = sysconf(_SC_PAGESIZE);
    check(ftruncate(fd, page) == 0, "ftruncate");
    char *map = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(map != MAP_FAILED, "mmap file");
    strcpy(map + 7, "mapped bytes");
    int synced = msync(map, (size_t)page, MS_SYNC);
    char back[16] = {0};
    ssize_t got = pread(fd, back, 12, 7);
    printf("msync %d, read %zd \"%s\"\n", synced, got, back);
    int locked = mlock(map, (size_t)page);
    int unlocked = munlock(map, (size_t)page);
    unsigned char resident = 0;
    int queried = mincore(map, (size_t)page, &resident);
    printf("mlock %d, munlock %d, mincore %d resident %d\n", locked, unlocked, queried, resident & 1);
    munmap(map, (size_t)page);
    close(fd);
}

/* 8. inotify reports a file created in the watched directory, with its name. */
static void test_inotify(void) {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    check(fd >= 0, "inotify_init1");
    int watch = inotify_add_watch(fd, directory, IN_CREATE | IN_DELETE);
    char buffer[4096] __attribute__((aligned(8)));
    ssize_t empty = read(fd, buffer, sizeof buffer);
    printf("inotify: watch ok %d, empty read %zd %s\n", watch >= 0, empty, errno_name(errno));
    close(open_new("created.txt"));
    ssize_t got = read(fd, buffer, sizeof buffer);
    const struct inotify_event *event = (const struct inotify_event *)buffer;
    printf("inotify event: whole %d, wd matches %d, IN_CREATE %d, not a directory %d, name \"%s\"\n",
           got >= (ssize_t)sizeof *event && got == (ssize_t)(sizeof *event + event->len), event->wd == watch,
           (event->mask & IN_CREATE) != 0, (event->mask & IN_ISDIR) == 0, event->len ? event->name : "");
    unlink(in_dir("created.txt"));
    got = read(fd, buffer, sizeof buffer);
    printf("after unlink: IN_DELETE %d, name \"%s\"\n", got > 0 && (event->mask & IN_DELETE) != 0,
           got > 0 && event->len ? event->name : "");
    printf("inotify_rm_watch %d\n", inotify_rm_watch(fd, watch));
    close(fd);
}

/* 9. Advice and sync calls on a small file all return 0. */
static void test_advice(void) {
    int fd = open_new("advised");
    char data[8192];
    memset(data, 'a', sizeof data);
    check(write(fd, data, sizeof data) == (ssize_t)sizeof data, "write");
    printf("posix_fadvise %d %d, readahead %zd, sync_file_range %d, syncfs %d, fsync %d, fdatasync %d\n",
           posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL), posix_fadvise(fd, 0, 4096, POSIX_FADV_DONTNEED),
           readahead(fd, 0, 4096), sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE), syncfs(fd), fsync(fd),
           fdatasync(fd));
    close(fd);
}

/* 10. The user.vt attribute: set, read (size first), listed, refused with XATTR_CREATE once present, removed.
 * Where the file system has no user attributes, setxattr fails with EOPNOTSUPP and getxattr must fail too; both
 * outcomes print the same line. */
static void test_xattr(void) {
    close(open_new("attributed"));
    const char *path = in_dir("attributed");
    int consistent;
    if (setxattr(path, "user.vt", "value", 5, 0) != 0) {
        int set_error = errno;
        char value[8];
        consistent = (set_error == EOPNOTSUPP || set_error == ENOTSUP) && getxattr(path, "user.vt", value, 8) == -1 &&
                     (errno == EOPNOTSUPP || errno == ENODATA);
    } else {
        char value[16] = {0}, names[256] = {0};
        ssize_t size = getxattr(path, "user.vt", NULL, 0);
        ssize_t got = getxattr(path, "user.vt", value, sizeof value);
        ssize_t listed = listxattr(path, names, sizeof names);
        int found = 0;
        for (ssize_t at = 0; at < listed; at += (ssize_t)strlen(names + at) + 1)
            found |= strcmp(names + at, "user.vt") == 0;
        int again = setxattr(path, "user.vt", "other", 5, XATTR_CREATE);
        int again_error = errno;
        int removed = removexattr(path, "user.vt");
        ssize_t gone = getxattr(path, "user.vt", value, sizeof value);
        consistent = size == 5 && got == 5 && memcmp(value, "value", 5) == 0 && found && again == -1 &&
                     again_error == EEXIST && removed == 0 && gone == -1 && errno == ENODATA;
    }
    printf("xattr user.vt round trip, or consistently unsupported: %d\n", consistent);
}

int main(void) {
    strcpy(directory, "vt-files-XXXXXX");
    check(mkdtemp(directory) != NULL, "mkdtemp");
    test_flock();
    test_fallocate();
    test_vectored();
    test_splice();
    test_memfd();
    test_close_range();
    test_mapping();
    test_inotify();
    test_advice();
    test_xattr();

    const char *names[] = {"locked", "allocated", "vectored", "splice-in", "splice-out", "copied", "mapped",
                           "advised", "attributed"};
    int removed = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        removed += unlink(in_dir(names[i])) == 0;
    printf("removed %d files, rmdir %d\n", removed, rmdir(directory));
    return 0;
}

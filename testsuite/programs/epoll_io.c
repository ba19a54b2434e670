/* Readiness and event descriptors: epoll_create1 with EPOLL_CLOEXEC; epoll_ctl ADD/MOD/DEL on pipes and eventfds
 * with distinctive 64-bit data values (AArch64's struct epoll_event is 16 bytes, x86-64's is a packed 12, so the
 * values must survive a conversion); epoll_wait with fewer slots than ready descriptors; EPOLLET and
 * EPOLLONESHOT; epoll_pwait interrupted through its signal mask; eventfd counters, EFD_SEMAPHORE and
 * EFD_NONBLOCK; a periodic timerfd; select, pselect, poll and ppoll over pipes. Events are sorted by their data
 * so that the output does not depend on the kernel's ready-list order. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define DATA_BASE 0x1122334455667700ULL

static const char *errno_name(int error) {
    switch (error) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EINTR: return "EINTR";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case EPERM: return "EPERM";
    default: return "other";
    }
}

static void check(int condition, const char *what) {
    if (!condition) {
        printf("FAILED: %s (errno %s)\n", what, errno_name(errno));
        exit(1);
    }
}

static int compare_events(const void *left, const void *right) {
    uint64_t a = ((const struct epoll_event *)left)->data.u64, b = ((const struct epoll_event *)right)->data.u64;
    return a < b ? -1 : a > b;
}

/* Waits once and prints the events sorted by their data value. */
static int wait_and_print(int epfd, const char *label, int max_events, int timeout) {
    struct epoll_event events[16];
    memset(events, 0, sizeof events);
    int count = epoll_wait(epfd, events, max_events, timeout);
    printf("%s: %d", label, count);
    if (count > 0) {
        qsort(events, (size_t)count, sizeof events[0], compare_events);
        for (int i = 0; i < count; i++)
            printf(" [%#llx %#x]", (unsigned long long)events[i].data.u64, events[i].events);
    }
    printf("\n");
    return count;
}

static void add(int epfd, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event = {.events = events, .data.u64 = data};
    check(epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) == 0, "epoll_ctl ADD");
}

static void drain(int fd) {
    char buffer[256];
    while (read(fd, buffer, sizeof buffer) > 0) {
    }
}

/* 1. Level-triggered epoll over three pipes and two eventfds; MOD, DEL and their errors. */
static void test_epoll_basic(void) {
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    check(epfd >= 0, "epoll_create1");
    printf("epoll_create1 cloexec %d\n", (fcntl(epfd, F_GETFD) & FD_CLOEXEC) != 0);
    int pipes[3][2], events[2];
    for (int i = 0; i < 3; i++) {
        check(pipe2(pipes[i], O_NONBLOCK) == 0, "pipe2");
        add(epfd, pipes[i][0], EPOLLIN, DATA_BASE + (uint64_t)i);
    }
    for (int i = 0; i < 2; i++) {
        events[i] = eventfd(0, EFD_NONBLOCK);
        check(events[i] >= 0, "eventfd");
        add(epfd, events[i], EPOLLIN, DATA_BASE + 0x10 + (uint64_t)i);
    }
    add(epfd, pipes[1][1], EPOLLOUT, DATA_BASE + 0x21);
    wait_and_print(epfd, "only a writable pipe", 16, 0);

    check(write(pipes[0][1], "a", 1) == 1 && write(pipes[2][1], "cc", 2) == 2, "write pipes");
    uint64_t one = 1;
    check(write(events[1], &one, sizeof one) == sizeof one, "write eventfd");
    wait_and_print(epfd, "after writes", 16, 0);

    /* Fewer slots than ready descriptors: each call fills exactly the slots it has, with distinct entries. */
    struct epoll_event few[2];
    int count = epoll_wait(epfd, few, 2, 0);
    printf("maxevents 2 of 4 ready: %d, distinct %d, in range %d\n", count, few[0].data.u64 != few[1].data.u64,
           (few[0].data.u64 & ~0xffULL) == DATA_BASE && (few[1].data.u64 & ~0xffULL) == DATA_BASE);
    count = epoll_wait(epfd, few, 1, 0);
    printf("maxevents 1: %d\n", count);

    /* MOD changes both the interest set and the data; DEL removes the descriptor. */
    struct epoll_event modified = {.events = EPOLLIN | EPOLLOUT, .data.u64 = 0xaabbccddeeff0011ULL};
    check(epoll_ctl(epfd, EPOLL_CTL_MOD, events[1], &modified) == 0, "epoll_ctl MOD");
    check(epoll_ctl(epfd, EPOLL_CTL_DEL, pipes[2][0], NULL) == 0, "epoll_ctl DEL");
    check(epoll_ctl(epfd, EPOLL_CTL_DEL, pipes[1][1], NULL) == 0, "epoll_ctl DEL");
    wait_and_print(epfd, "after MOD and DEL", 16, 0);
    int result = epoll_ctl(epfd, EPOLL_CTL_DEL, pipes[2][0], NULL);
    printf("DEL again: %d %s\n", result, errno_name(errno));
    struct epoll_event again = {.events = EPOLLIN, .data.u64 = 1};
    result = epoll_ctl(epfd, EPOLL_CTL_ADD, pipes[0][0], &again);
    printf("ADD twice: %d %s\n", result, errno_name(errno));
    result = epoll_ctl(epfd, EPOLL_CTL_MOD, pipes[2][0], &again);
    printf("MOD of an absent descriptor: %d %s\n", result, errno_name(errno));
    result = epoll_ctl(epfd, EPOLL_CTL_ADD, epfd, &again);
    printf("ADD of itself: %d %s\n", result, errno_name(errno));

    drain(pipes[0][0]);
    uint64_t value;
    check(read(events[1], &value, sizeof value) == sizeof value, "read eventfd");
    wait_and_print(epfd, "after draining", 16, 0);
    for (int i = 0; i < 3; i++) {
        close(pipes[i][0]);
        close(pipes[i][1]);
    }
    close(events[0]);
    close(events[1]);
    close(epfd);
}

/* 2. EPOLLET reports a pipe once per transition from empty to readable; EPOLLONESHOT reports once until re-armed
 * with MOD. */
static void test_edge_and_oneshot(void) {
    int epfd = epoll_create1(0);
    int edge[2], once[2];
    check(pipe2(edge, O_NONBLOCK) == 0 && pipe2(once, O_NONBLOCK) == 0, "pipe2");
    add(epfd, edge[0], EPOLLIN | EPOLLET, DATA_BASE + 0xe0);
    add(epfd, once[0], EPOLLIN | EPOLLONESHOT, DATA_BASE + 0xf0);
    check(write(edge[1], "x", 1) == 1 && write(once[1], "y", 1) == 1, "write");
    wait_and_print(epfd, "edge and oneshot, first", 16, 0);
    wait_and_print(epfd, "second wait, data unread", 16, 0);
    /* The edge pipe is emptied first: kernels differ on whether a write to a pipe that already holds data is a
     * new edge. */
    drain(edge[0]);
    check(write(edge[1], "x", 1) == 1 && write(once[1], "y", 1) == 1, "write");
    wait_and_print(epfd, "after draining and writing again", 16, 0);
    struct epoll_event rearm = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = DATA_BASE + 0xf1};
    check(epoll_ctl(epfd, EPOLL_CTL_MOD, once[0], &rearm) == 0, "rearm");
    wait_and_print(epfd, "after re-arming", 16, 0);
    close(edge[0]);
    close(edge[1]);
    close(once[0]);
    close(once[1]);
    close(epfd);
}

/* 3. epoll_pwait: SIGUSR1 is blocked and pending; a wait whose mask lets it in returns EINTR at once, the handler
 * runs, and the blocked mask is back afterwards. A timeout of 0 with nothing ready returns 0. */
static volatile sig_atomic_t usr1_runs;

static void on_usr1(int signal) {
    (void)signal;
    usr1_runs++;
}

static void test_epoll_pwait(void) {
    signal(SIGUSR1, on_usr1);
    sigset_t block, empty, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    int epfd = epoll_create1(0);
    int fds[2];
    check(pipe(fds) == 0, "pipe");
    add(epfd, fds[0], EPOLLIN, DATA_BASE + 0x30);
    struct epoll_event event;
    int result = epoll_pwait(epfd, &event, 1, 0, &block);
    printf("epoll_pwait timeout 0: %d\n", result);
    raise(SIGUSR1);
    printf("pending, runs %d\n", usr1_runs);
    result = epoll_pwait(epfd, &event, 1, 10000, &empty);
    int error = errno;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("epoll_pwait with an empty mask: %d %s, runs %d, still blocked %d\n", result, errno_name(error), usr1_runs,
           sigismember(&now, SIGUSR1));
    check(write(fds[1], "z", 1) == 1, "write");
    memset(&event, 0, sizeof event);
    result = epoll_pwait(epfd, &event, 1, 1000, NULL);
    printf("epoll_pwait with data: %d [%#llx %#x]\n", result, (unsigned long long)event.data.u64, event.events);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    close(fds[0]);
    close(fds[1]);
    close(epfd);
}

/* 4. eventfd: the counter adds up writes and a read takes it all; EFD_SEMAPHORE reads one at a time;
 * EFD_NONBLOCK gives EAGAIN at zero. */
static void test_eventfd(void) {
    int fd = eventfd(3, 0);
    uint64_t value = 4;
    check(write(fd, &value, sizeof value) == sizeof value, "write eventfd");
    value = 0;
    ssize_t got = read(fd, &value, sizeof value);
    printf("eventfd 3 + 4: read %zd value %llu\n", got, (unsigned long long)value);
    ssize_t short_read = read(fd, &value, 4);
    printf("eventfd 4-byte read: %zd %s\n", short_read, errno_name(errno));
    close(fd);

    fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    printf("semaphore reads:");
    for (int i = 0; i < 4; i++) {
        value = 99;
        got = read(fd, &value, sizeof value);
        if (got == sizeof value)
            printf(" %llu", (unsigned long long)value);
        else
            printf(" %zd %s", got, errno_name(errno));
    }
    printf("\n");
    close(fd);
    fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    got = read(fd, &value, sizeof value);
    printf("nonblocking empty: %zd %s, cloexec %d\n", got, errno_name(errno), (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    close(fd);
}

/* 5. A 10 ms periodic timerfd: a read returns a count of at least one expiration; the interval reads back exactly;
 * disarming leaves nothing to read. */
static void test_timerfd(void) {
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    check(fd >= 0, "timerfd_create");
    struct itimerspec spec = {.it_interval = {0, 10000000}, .it_value = {0, 10000000}};
    check(timerfd_settime(fd, 0, &spec, NULL) == 0, "timerfd_settime");
    uint64_t expirations = 0;
    ssize_t got = read(fd, &expirations, sizeof expirations);
    printf("timerfd read %zd, at least one expiration %d\n", got, expirations >= 1);
    struct itimerspec current;
    memset(&current, 0xff, sizeof current);
    int result = timerfd_gettime(fd, &current);
    printf("timerfd_gettime %d, interval exact %d, value within the period %d\n", result,
           current.it_interval.tv_sec == 0 && current.it_interval.tv_nsec == 10000000,
           current.it_value.tv_sec == 0 && current.it_value.tv_nsec >= 0 && current.it_value.tv_nsec <= 10000000);
    struct itimerspec off, old;
    memset(&off, 0, sizeof off);
    result = timerfd_settime(fd, 0, &off, &old);
    timerfd_gettime(fd, &current);
    struct pollfd poll_fd = {.fd = fd, .events = POLLIN};
    int ready = poll(&poll_fd, 1, 30);
    printf("disarm %d, old interval exact %d, now zero %d, readable afterwards %d\n", result,
           old.it_interval.tv_nsec == 10000000, current.it_value.tv_sec == 0 && current.it_value.tv_nsec == 0 &&
                                                    current.it_interval.tv_nsec == 0,
           ready);
    close(fd);
}

/* 6. select and pselect over two pipes, one with data; poll and ppoll, with POLLHUP and POLLNVAL. */
static void test_select_poll(void) {
    int full[2], empty[2];
    check(pipe(full) == 0 && pipe(empty) == 0, "pipe");
    check(write(full[1], "data", 4) == 4, "write");
    fd_set readable, writable;
    FD_ZERO(&readable);
    FD_ZERO(&writable);
    FD_SET(full[0], &readable);
    FD_SET(empty[0], &readable);
    FD_SET(full[1], &writable);
    int highest = full[0];
    for (int fd = 0; fd < 2; fd++) {
        highest = full[fd] > highest ? full[fd] : highest;
        highest = empty[fd] > highest ? empty[fd] : highest;
    }
    struct timeval zero = {0, 0};
    int count = select(highest + 1, &readable, &writable, NULL, &zero);
    printf("select: %d, full readable %d, empty readable %d, writable %d\n", count, FD_ISSET(full[0], &readable),
           FD_ISSET(empty[0], &readable), FD_ISSET(full[1], &writable));

    FD_ZERO(&readable);
    FD_SET(empty[0], &readable);
    struct timeval short_wait = {0, 10000};
    count = select(highest + 1, &readable, NULL, NULL, &short_wait);
    printf("select on an empty pipe with a 10 ms timeout: %d, bit left %d\n", count, FD_ISSET(empty[0], &readable));

    sigset_t mask;
    sigemptyset(&mask);
    FD_ZERO(&readable);
    FD_ZERO(&writable);
    FD_SET(full[0], &readable);
    FD_SET(empty[0], &readable);
    FD_SET(empty[1], &writable);
    struct timespec zero_spec = {0, 0};
    count = pselect(highest + 1, &readable, &writable, NULL, &zero_spec, &mask);
    printf("pselect: %d, full readable %d, empty readable %d, writable %d\n", count, FD_ISSET(full[0], &readable),
           FD_ISSET(empty[0], &readable), FD_ISSET(empty[1], &writable));

    int closed = dup(empty[0]);
    close(closed);
    struct pollfd fds[4] = {
        {.fd = full[0], .events = POLLIN}, {.fd = empty[0], .events = POLLIN},
        {.fd = full[1], .events = POLLOUT}, {.fd = closed, .events = POLLIN}};
    count = poll(fds, 4, 0);
    printf("poll: %d, revents %#x %#x %#x %#x\n", count, fds[0].revents, fds[1].revents, fds[2].revents, fds[3].revents);
    close(empty[1]);
    fds[3].fd = -1;
    struct timespec timeout = {1, 0};
    count = ppoll(fds, 4, &timeout, &mask);
    printf("ppoll after closing the empty pipe's writer: %d, revents %#x %#x %#x %#x\n", count, fds[0].revents,
           fds[1].revents, fds[2].revents, fds[3].revents);
    close(full[0]);
    close(full[1]);
    close(empty[0]);
}

int main(void) {
    test_epoll_basic();
    test_edge_and_oneshot();
    test_epoll_pwait();
    test_eventfd();
    test_timerfd();
    test_select_poll();
    return 0;
}

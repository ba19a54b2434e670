/* POSIX timers and signal descriptors: a periodic CLOCK_MONOTONIC timer_create timer delivering SIGRTMIN with a
 * sigev_value to a SA_SIGINFO handler (si_code SI_TIMER), waited for with sigsuspend; timer_gettime,
 * timer_getoverrun and timer_delete; a SIGEV_NONE timer polled with timer_gettime; alarm's remaining seconds;
 * setitimer/getitimer ITIMER_REAL with pause; and signalfd reading blocked signals. Only counts and relations
 * that do not depend on timing are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PERIOD_NS 5000000L

static const char *errno_name(int error) {
    switch (error) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case EINTR: return "EINTR";
    case EINVAL: return "EINVAL";
    default: return "other";
    }
}

static void check(int condition, const char *what) {
    if (!condition) {
        printf("FAILED: %s (errno %s)\n", what, errno_name(errno));
        exit(1);
    }
}

static void install(int signal, void (*handler)(int, siginfo_t *, void *)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = handler;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    check(sigaction(signal, &action, NULL) == 0, "sigaction");
}

/* 1. A periodic signal timer. */
static volatile sig_atomic_t timer_deliveries, timer_values_ok = 1, timer_codes_ok = 1;

static void on_timer(int signal, siginfo_t *info, void *context) {
    (void)context;
    if (signal != SIGRTMIN || info->si_value.sival_int != 1234)
        timer_values_ok = 0;
    if (info->si_code != SI_TIMER)
        timer_codes_ok = 0;
    timer_deliveries++;
}

static void test_signal_timer(void) {
    install(SIGRTMIN, on_timer);
    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGRTMIN);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);

    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_SIGNAL;
    event.sigev_signo = SIGRTMIN;
    event.sigev_value.sival_int = 1234;
    timer_t timer;
    check(timer_create(CLOCK_MONOTONIC, &event, &timer) == 0, "timer_create");
    struct itimerspec unarmed;
    memset(&unarmed, 0xff, sizeof unarmed);
    int result = timer_gettime(timer, &unarmed);
    printf("timer_create ok, unarmed gettime %d zero %d\n", result,
           unarmed.it_value.tv_sec == 0 && unarmed.it_value.tv_nsec == 0 && unarmed.it_interval.tv_nsec == 0);

    struct itimerspec spec = {.it_interval = {0, PERIOD_NS}, .it_value = {0, PERIOD_NS}};
    check(timer_settime(timer, 0, &spec, NULL) == 0, "timer_settime");
    int suspends = 0;
    while (timer_deliveries < 3) {
        sigsuspend(&empty);
        suspends++;
    }
    struct itimerspec current;
    result = timer_gettime(timer, &current);
    int overrun = timer_getoverrun(timer);
    printf("deliveries at least 3 %d, woke at least once per delivery %d, values ok %d, codes SI_TIMER %d\n",
           timer_deliveries >= 3, suspends >= 1 && suspends <= timer_deliveries, timer_values_ok, timer_codes_ok);
    printf("timer_gettime %d, interval exact %d, value within the period %d, overrun not negative %d\n", result,
           current.it_interval.tv_sec == 0 && current.it_interval.tv_nsec == PERIOD_NS,
           current.it_value.tv_sec == 0 && current.it_value.tv_nsec >= 0 && current.it_value.tv_nsec <= PERIOD_NS,
           overrun >= 0);

    /* Disarming returns the old setting; nothing is delivered afterwards. */
    struct itimerspec off, old;
    memset(&off, 0, sizeof off);
    result = timer_settime(timer, 0, &off, &old);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    int settled = timer_deliveries;
    struct timespec pause_time = {0, 3 * PERIOD_NS};
    nanosleep(&pause_time, NULL);
    printf("disarm %d, old interval exact %d, no deliveries afterwards %d\n", result,
           old.it_interval.tv_nsec == PERIOD_NS, timer_deliveries == settled);
    printf("timer_delete %d", timer_delete(timer));
    result = timer_gettime(timer, &current);
    printf(", gettime afterwards %d %s\n", result, errno_name(errno));
}

/* 2. A SIGEV_NONE timer delivers nothing, but timer_gettime shows it counting down to zero. */
static void test_polled_timer(void) {
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_NONE;
    timer_t timer;
    check(timer_create(CLOCK_MONOTONIC, &event, &timer) == 0, "timer_create SIGEV_NONE");
    struct itimerspec spec = {.it_interval = {0, 0}, .it_value = {0, 20000000}};
    check(timer_settime(timer, 0, &spec, NULL) == 0, "timer_settime");
    struct itimerspec current;
    timer_gettime(timer, &current);
    int counting = current.it_value.tv_sec == 0 && current.it_value.tv_nsec > 0 &&
                   current.it_value.tv_nsec <= 20000000;
    int polls = 0;
    long previous = current.it_value.tv_nsec;
    int decreasing = 1;
    while (current.it_value.tv_sec != 0 || current.it_value.tv_nsec != 0) {
        struct timespec nap = {0, 2000000};
        nanosleep(&nap, NULL);
        timer_gettime(timer, &current);
        decreasing &= current.it_value.tv_nsec <= previous;
        previous = current.it_value.tv_nsec;
        polls++;
    }
    printf("SIGEV_NONE: counting down at first %d, never went up %d, reached zero after polling %d\n", counting,
           decreasing, polls >= 1);
    /* TIMER_ABSTIME with a time already past expires at once. */
    struct itimerspec past = {.it_interval = {0, 0}, .it_value = {0, 1}};
    int result = timer_settime(timer, TIMER_ABSTIME, &past, NULL);
    timer_gettime(timer, &current);
    printf("TIMER_ABSTIME in the past: %d, expired %d\n", result,
           current.it_value.tv_sec == 0 && current.it_value.tv_nsec == 0);
    timer_delete(timer);
}

/* 3. alarm returns the seconds left on the previous alarm (rounded); setitimer with pause waits for SIGALRM. */
static volatile sig_atomic_t alarms;

static void on_alarm(int signal, siginfo_t *info, void *context) {
    (void)signal, (void)context;
    if (info->si_code == SI_KERNEL || info->si_code == SI_TIMER || info->si_code == SI_USER)
        alarms++;
    else
        alarms += 100;
}

static void test_alarm_itimer(void) {
    install(SIGALRM, on_alarm);
    unsigned first = alarm(5);
    unsigned second = alarm(3);
    unsigned third = alarm(0);
    printf("alarm: %u %u %u\n", first, second, third);

    struct itimerval value = {.it_interval = {0, 0}, .it_value = {0, 20000}}, old, now;
    memset(&old, 0xff, sizeof old);
    int result = setitimer(ITIMER_REAL, &value, &old);
    getitimer(ITIMER_REAL, &now);
    printf("setitimer %d, old was zero %d, getitimer within the value %d\n", result,
           old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0,
           now.it_value.tv_sec == 0 && now.it_value.tv_usec > 0 && now.it_value.tv_usec <= 20000);
    result = pause();
    int error = errno;
    getitimer(ITIMER_REAL, &now);
    printf("pause %d %s, alarms %d, timer now unarmed %d\n", result, errno_name(error), alarms,
           now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0);

    /* A periodic itimer keeps its interval. */
    struct itimerval periodic = {.it_interval = {0, 4000}, .it_value = {0, 4000}};
    setitimer(ITIMER_REAL, &periodic, NULL);
    while (alarms < 4)
        pause();
    struct itimerval stop = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &stop, &old);
    printf("periodic itimer: alarms at least 4 %d, old interval %ld us\n", alarms >= 4, (long)old.it_interval.tv_usec);
    signal(SIGALRM, SIG_DFL);
}

/* 4. signalfd: blocked signals become readable records; an empty nonblocking signalfd gives EAGAIN. */
static void test_signalfd(void) {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGUSR2);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    check(fd >= 0, "signalfd");
    struct pollfd poll_fd = {.fd = fd, .events = POLLIN};
    int before = poll(&poll_fd, 1, 0);
    raise(SIGUSR1);
    union sigval value = {.sival_int = 99};
    sigqueue(getpid(), SIGUSR2, value);
    int after = poll(&poll_fd, 1, 0);
    printf("signalfd: cloexec %d, readable before %d, after %d, record size %zu\n",
           (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, before, after, sizeof(struct signalfd_siginfo));
    struct signalfd_siginfo records[4];
    memset(records, 0, sizeof records);
    ssize_t got = read(fd, records, sizeof records);
    int count = got > 0 ? (int)(got / (ssize_t)sizeof records[0]) : 0;
    /* Standard signals are dequeued lowest number first, so SIGUSR1 (10) comes before SIGUSR2 (12). */
    printf("read %d records:", count);
    for (int i = 0; i < count; i++)
        printf(" [signo %u code %s int %d pid ok %d]", records[i].ssi_signo,
               records[i].ssi_code == SI_TKILL   ? "SI_TKILL"
               : records[i].ssi_code == SI_QUEUE ? "SI_QUEUE"
               : records[i].ssi_code == SI_USER  ? "SI_USER"
                                                 : "other",
               records[i].ssi_int, records[i].ssi_pid == (unsigned)getpid());
    printf("\n");
    got = read(fd, records, sizeof records);
    printf("read again: %zd %s\n", got, errno_name(errno));
    got = read(fd, records, sizeof records[0] - 1);
    printf("read shorter than a record: %zd %s\n", got, errno_name(errno));
    sigset_t pending;
    sigpending(&pending);
    printf("nothing left pending %d\n", !sigismember(&pending, SIGUSR1) && !sigismember(&pending, SIGUSR2));
    close(fd);
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
}

int main(void) {
    test_signal_timer();
    test_polled_timer();
    test_alarm_itimer();
    test_signalfd();
    return 0;
}

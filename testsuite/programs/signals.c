/* Guest signal handlers: SA_SIGINFO fields (si_signo, si_code, si_pid, si_value) for raise, kill and sigqueue
 * to itself (SIGSEGV and SIGFPE too, which the runtime's fault handler owns on the host); a handler's writes seen
 * after it returns; nested signals under sa_mask and SA_NODEFER;
 * SA_RESETHAND; sigaltstack with SA_ONSTACK; a timer's SIGALRM interrupting a blocking pipe read with and
 * without SA_RESTART; sigsuspend; sigtimedwait; siglongjmp out of a handler; the saved context the handler receives; and a
 * storm of queued real-time signals from a child process, counted exactly. Only deterministic results are
 * printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define STORM_SIGNALS 20000

static void install(int signal, void (*handler)(int, siginfo_t *, void *), int flags, const sigset_t *mask) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = handler;
    action.sa_flags = SA_SIGINFO | flags;
    if (mask)
        action.sa_mask = *mask;
    else
        sigemptyset(&action.sa_mask);
    if (sigaction(signal, &action, NULL) != 0) {
        printf("sigaction %d failed: %s\n", signal, strerror(errno));
        exit(1);
    }
}

static int is_blocked(int signal) {
    sigset_t current;
    sigprocmask(SIG_SETMASK, NULL, &current);
    return sigismember(&current, signal);
}

/* 1. siginfo fields for raise (tgkill: SI_TKILL), kill (SI_USER) and sigqueue (SI_QUEUE). */
static volatile sig_atomic_t last_signo, last_code, last_pid_ok, last_value, handler_runs;

static void record_info(int signal, siginfo_t *info, void *context) {
    (void)context;
    last_signo = info->si_signo == signal ? signal : -1;
    last_code = info->si_code;
    last_pid_ok = info->si_pid == getpid();
    last_value = info->si_code == SI_QUEUE ? info->si_value.sival_int : 0;
    handler_runs++;
}

static void test_siginfo(void) {
    install(SIGUSR1, record_info, 0, NULL);
    raise(SIGUSR1);
    printf("raise: runs=%d signo=%d code_is_tkill=%d pid_ok=%d\n", handler_runs, last_signo, last_code == SI_TKILL,
           last_pid_ok);
    kill(getpid(), SIGUSR1);
    printf("kill: runs=%d signo=%d code_is_user=%d pid_ok=%d\n", handler_runs, last_signo, last_code == SI_USER,
           last_pid_ok);
    union sigval value = {.sival_int = 4242};
    sigqueue(getpid(), SIGUSR1, value);
    printf("sigqueue: runs=%d code_is_queue=%d value=%d\n", handler_runs, last_code == SI_QUEUE, last_value);
    printf("not blocked after the handler: %d\n", !is_blocked(SIGUSR1));
    /* Signals that faults also raise, sent by the program itself, reach its handlers too. */
    install(SIGSEGV, record_info, 0, NULL);
    raise(SIGSEGV);
    printf("raise SIGSEGV: runs=%d signo=%d code_is_tkill=%d pid_ok=%d\n", handler_runs, last_signo,
           last_code == SI_TKILL, last_pid_ok);
    install(SIGFPE, record_info, 0, NULL);
    kill(getpid(), SIGFPE);
    printf("kill SIGFPE: runs=%d signo=%d code_is_user=%d\n", handler_runs, last_signo, last_code == SI_USER);
    signal(SIGSEGV, SIG_DFL);
    signal(SIGFPE, SIG_DFL);
}

/* 2. Nested signals: sa_mask holds SIGUSR2 back until the SIGUSR1 handler returns; SA_NODEFER lets a handler
 * be interrupted by its own signal. */
static volatile char trace[128];
static volatile int trace_len;

static void print_trace(const char *what) {
    char copy[sizeof trace];
    for (int i = 0; i < trace_len; i++)
        copy[i] = trace[i];
    copy[trace_len] = 0;
    printf("%s: %s\n", what, copy);
}

static void note(char c) {
    if (trace_len < (int)sizeof trace - 1)
        trace[trace_len++] = c;
}

static void masked_usr1(int signal, siginfo_t *info, void *context) {
    (void)signal, (void)info, (void)context;
    note('[');
    note(is_blocked(SIGUSR1) ? 'b' : 'u');
    raise(SIGUSR2);
    note(']');
}

static void plain_usr2(int signal, siginfo_t *info, void *context) {
    (void)signal, (void)info, (void)context;
    note('2');
}

static volatile int depth;

static void recursive_usr1(int signal, siginfo_t *info, void *context) {
    (void)info, (void)context;
    note('(');
    note((char)('0' + depth));
    if (depth < 2) {
        depth++;
        raise(signal);
    }
    note(')');
}

static void test_nesting(void) {
    sigset_t with_usr2;
    sigemptyset(&with_usr2);
    sigaddset(&with_usr2, SIGUSR2);
    install(SIGUSR1, masked_usr1, 0, &with_usr2);
    install(SIGUSR2, plain_usr2, 0, NULL);
    trace_len = 0;
    raise(SIGUSR1);
    print_trace("sa_mask");

    install(SIGUSR1, recursive_usr1, 0, NULL);
    trace_len = depth = 0;
    raise(SIGUSR1);
    print_trace("deferred");

    install(SIGUSR1, recursive_usr1, SA_NODEFER, NULL);
    trace_len = depth = 0;
    raise(SIGUSR1);
    print_trace("SA_NODEFER");
}

/* 3. SA_RESETHAND: the action is back to SIG_DFL once the handler has run. */
static void test_resethand(void) {
    install(SIGUSR2, record_info, SA_RESETHAND, NULL);
    int before = handler_runs;
    raise(SIGUSR2);
    struct sigaction now;
    sigaction(SIGUSR2, NULL, &now);
    printf("SA_RESETHAND: ran=%d now_default=%d\n", handler_runs - before, now.sa_handler == SIG_DFL);
}

/* 4. sigaltstack with SA_ONSTACK: the handler's locals lie on the alternate stack, and sigaltstack reports
 * SS_ONSTACK from inside the handler. */
static char alt_stack_memory[64 * 1024] __attribute__((aligned(16)));
static volatile int on_alt_stack, reported_onstack;

static void alt_handler(int signal, siginfo_t *info, void *context) {
    (void)signal, (void)info, (void)context;
    char local;
    uintptr_t here = (uintptr_t)&local;
    on_alt_stack = here > (uintptr_t)alt_stack_memory && here < (uintptr_t)alt_stack_memory + sizeof alt_stack_memory;
    stack_t current;
    sigaltstack(NULL, &current);
    reported_onstack = (current.ss_flags & SS_ONSTACK) != 0;
}

static void test_altstack(void) {
    stack_t alt = {.ss_sp = alt_stack_memory, .ss_size = sizeof alt_stack_memory, .ss_flags = 0};
    printf("sigaltstack: %d\n", sigaltstack(&alt, NULL));
    install(SIGUSR1, alt_handler, SA_ONSTACK, NULL);
    raise(SIGUSR1);
    printf("SA_ONSTACK: on_alt_stack=%d reported_onstack=%d\n", on_alt_stack, reported_onstack);
    install(SIGUSR1, alt_handler, 0, NULL);
    raise(SIGUSR1);
    printf("without SA_ONSTACK: on_alt_stack=%d\n", on_alt_stack);
    stack_t current;
    sigaltstack(NULL, &current);
    printf("outside the handler: flags=%d\n", current.ss_flags);
}

/* 5. A timer's SIGALRM interrupts a read of an empty pipe. The handler writes one byte into the pipe: without
 * SA_RESTART the read fails with EINTR (the byte stays), with SA_RESTART the read is made again and gets it. */
static int pipe_fds[2];
static volatile int alarms;

static void alarm_handler(int signal, siginfo_t *info, void *context) {
    (void)signal, (void)info, (void)context;
    alarms++;
    char byte = 'A' + alarms - 1;
    if (write(pipe_fds[1], &byte, 1) != 1)
        _exit(3);
}

static void start_timer(void) {
    struct itimerval timer = {.it_value = {.tv_sec = 0, .tv_usec = 50000}};
    setitimer(ITIMER_REAL, &timer, NULL);
}

static void test_restart(void) {
    if (pipe(pipe_fds) != 0)
        exit(2);
    char byte = 0;
    install(SIGALRM, alarm_handler, 0, NULL);
    start_timer();
    ssize_t got = read(pipe_fds[0], &byte, 1);
    int error = errno;
    printf("without SA_RESTART: read=%zd eintr=%d alarms=%d\n", got, got < 0 && error == EINTR, alarms);
    got = read(pipe_fds[0], &byte, 1);
    printf("the byte was there: read=%zd byte=%c\n", got, byte);

    install(SIGALRM, alarm_handler, SA_RESTART, NULL);
    start_timer();
    got = read(pipe_fds[0], &byte, 1);
    printf("with SA_RESTART: read=%zd byte=%c alarms=%d\n", got, got == 1 ? byte : '-', alarms);

    /* alarm() rounds up to whole seconds: once is enough. */
    install(SIGALRM, alarm_handler, SA_RESTART, NULL);
    alarm(1);
    got = read(pipe_fds[0], &byte, 1);
    printf("alarm: read=%zd byte=%c alarms=%d\n", got, got == 1 ? byte : '-', alarms);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

/* 6. sigsuspend: SIGUSR1 is blocked and pending; sigsuspend with an empty mask lets it in, returns EINTR, and
 * the old mask (SIGUSR1 blocked) is back afterwards. */
static void test_sigsuspend(void) {
    install(SIGUSR1, record_info, 0, NULL);
    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    int before = handler_runs;
    raise(SIGUSR1);
    printf("blocked: ran=%d\n", handler_runs - before);
    int result = sigsuspend(&empty);
    printf("sigsuspend: result=%d eintr=%d ran=%d still_blocked=%d\n", result, errno == EINTR, handler_runs - before,
           is_blocked(SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
}

/* 6b. sigtimedwait takes a blocked pending signal without running its handler, and times out when none is. */
static void test_sigtimedwait(void) {
    install(SIGUSR2, record_info, 0, NULL);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, NULL);
    int before = handler_runs;
    raise(SIGUSR2);
    siginfo_t info;
    struct timespec timeout = {.tv_sec = 0, .tv_nsec = 10000000};
    int got = sigtimedwait(&block, &info, &timeout);
    printf("sigtimedwait: got=%d signo_ok=%d ran=%d\n", got, info.si_signo == SIGUSR2, handler_runs - before);
    got = sigtimedwait(&block, &info, &timeout);
    printf("sigtimedwait again: got=%d eagain=%d\n", got, errno == EAGAIN);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
}

/* 7. siglongjmp out of a handler restores the mask that sigsetjmp saved. */
static sigjmp_buf jump_back;

static void jumping_handler(int signal, siginfo_t *info, void *context) {
    (void)info, (void)context;
    siglongjmp(jump_back, signal);
}

static void test_siglongjmp(void) {
    install(SIGUSR2, jumping_handler, 0, NULL);
    volatile int rounds = 0;
    int value = sigsetjmp(jump_back, 1);
    rounds++;
    if (value == 0)
        raise(SIGUSR2);
    if (rounds < 5 && value != 0)
        raise(SIGUSR2);
    printf("siglongjmp: value=%d rounds=%d usr2_blocked=%d\n", value, rounds, is_blocked(SIGUSR2));
}

/* 8. The context a handler receives: the interrupted pc and sp, and the mask to restore. */
static volatile int context_pc_ok, context_mask_ok;

static void context_handler(int signal, siginfo_t *info, void *context) {
    (void)signal, (void)info;
    ucontext_t *uc = context;
#if defined(__aarch64__)
    context_pc_ok = uc->uc_mcontext.pc != 0 && uc->uc_mcontext.sp % 16 == 0;
#elif defined(__x86_64__)
    context_pc_ok = uc->uc_mcontext.gregs[REG_RIP] != 0;
#endif
    context_mask_ok = sigismember(&uc->uc_sigmask, SIGUSR1) == 0 && sigismember(&uc->uc_sigmask, SIGHUP) == 1;
}

static void test_context(void) {
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    sigprocmask(SIG_BLOCK, &hup, NULL);
    install(SIGUSR1, context_handler, 0, NULL);
    raise(SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &hup, NULL);
    printf("context: pc_ok=%d mask_ok=%d\n", context_pc_ok, context_mask_ok);
}

/* 9. A child sends STORM_SIGNALS queued real-time signals; the parent's handler counts every one. */
static volatile int storm_count, storm_value_sum_ok = 1;

static void storm_handler(int signal, siginfo_t *info, void *context) {
    (void)signal, (void)context;
    if (info->si_code != SI_QUEUE || info->si_value.sival_int != 7)
        storm_value_sum_ok = 0;
    storm_count++;
}

static void test_storm(void) {
    install(SIGRTMIN, storm_handler, SA_RESTART, NULL);
    fflush(stdout);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        union sigval value = {.sival_int = 7};
        for (int sent = 0; sent < STORM_SIGNALS;) {
            if (sigqueue(parent, SIGRTMIN, value) == 0)
                sent++;
            else if (errno == EAGAIN)
                usleep(100);
            else
                _exit(1);
        }
        _exit(0);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    /* Anything still queued arrives when the signal is unblocked again. */
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &rt, NULL);
    sigprocmask(SIG_UNBLOCK, &rt, NULL);
    printf("storm: child_status=%d count=%d values_ok=%d\n", WEXITSTATUS(status), storm_count, storm_value_sum_ok);
}

int main(void) {
    test_siginfo();
    test_nesting();
    test_resethand();
    test_altstack();
    test_restart();
    test_sigsuspend();
    test_sigtimedwait();
    test_siglongjmp();
    test_context();
    test_storm();
    return 0;
}

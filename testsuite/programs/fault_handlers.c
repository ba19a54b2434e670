/* Synchronous signals delivered to the program's own handlers: SIGSEGV for an address nothing is mapped at
 * (SEGV_MAPERR), for a write to a read-only page and a read of a PROT_NONE page (SEGV_ACCERR), SIGBUS for a
 * file mapping past the end of its file (BUS_ADRERR), each with si_addr the faulting address, each handler
 * leaving by siglongjmp; then a thousand probes in a loop (the frames of the faulted code must not pile
 * up), and a fault on an alternate signal stack. Then an undefined instruction (SIGILL, left by
 * siglongjmp, si_addr the instruction) and a breakpoint (SIGTRAP) whose handler returns and execution
 * goes on after it (on AArch64 the handler steps the pc over BRK, as debuggers do). */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf recover;
static volatile int last_signal, last_code;
static void *volatile last_addr;

static void on_fault(int signal, siginfo_t *info, void *context) {
    (void)context;
    last_signal = signal;
    last_code = info->si_code;
    last_addr = info->si_addr;
    siglongjmp(recover, 1);
}

/* Reads (or writes) one byte at `addr`; returns 1 when that faulted and the handler took over. */
static int probe(volatile char *addr, int write) {
    last_signal = 0;
    if (sigsetjmp(recover, 1) == 0) {
        if (write)
            *addr = 1;
        else
            (void)*addr;
        return 0;
    }
    return 1;
}

static const char *code_name(int signal, int code) {
    if (signal == SIGSEGV)
        return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
    if (signal == SIGBUS)
        return code == BUS_ADRERR ? "BUS_ADRERR" : "other";
    return "none";
}

static void report(const char *what, volatile char *addr, int write) {
    int faulted = probe(addr, write);
    printf("%s: faulted %d, %s %s, si_addr %s\n", what, faulted,
           last_signal == SIGSEGV ? "SIGSEGV" : last_signal == SIGBUS ? "SIGBUS" : "no signal",
           code_name(last_signal, last_code), !faulted ? "-" : last_addr == (void *)addr ? "exact" : "wrong");
}

static volatile int trap_signal;
static void *volatile trap_addr;

static void on_trap(int signal, siginfo_t *info, void *context) {
    trap_signal = signal;
    trap_addr = info->si_addr;
#ifdef __aarch64__
    if (signal == SIGTRAP)
        ((ucontext_t *)context)->uc_mcontext.pc += 4;
#else
    (void)context;
#endif
    if (signal == SIGILL)
        siglongjmp(recover, 1);
}

static void traps(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_trap;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &action, NULL);
    sigaction(SIGTRAP, &action, NULL);
    int caught = 0;
    if (sigsetjmp(recover, 1) == 0) {
#ifdef __aarch64__
        __asm__ volatile("udf #0");
#else
        __asm__ volatile("ud2");
#endif
    } else {
        caught = trap_signal == SIGILL && trap_addr != NULL;
    }
    printf("undefined instruction: SIGILL caught %d\n", caught);
    trap_signal = 0;
#ifdef __aarch64__
    __asm__ volatile("brk #0");
#else
    __asm__ volatile("int3");
#endif
    printf("breakpoint: SIGTRAP caught %d, resumed after it\n", trap_signal == SIGTRAP);
}

int main(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &action, NULL);
    sigaction(SIGBUS, &action, NULL);
    long page = sysconf(_SC_PAGESIZE);

    char *gone = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, page);
    report("unmapped read", gone + 123, 0);

    char *readonly = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    report("read-only read", readonly + 5, 0);
    report("read-only write", readonly + 5, 1);

    char *none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    report("PROT_NONE read", none + 64, 0);

    char path[] = "segv-handler-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0 && ftruncate(fd, page) == 0) {
        char *mapped = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, 0);
        report("file page read", mapped + 10, 0);
        report("past end of file read", mapped + page + 10, 0);
        munmap(mapped, 2 * page);
    }
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }

    int caught = 0;
    for (int i = 0; i < 1000; i++)
        caught += probe(none + (i % page), i & 1);
    printf("loop: %d of 1000 probes caught\n", caught);

    stack_t alt = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16, .ss_flags = 0};
    sigaltstack(&alt, NULL);
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &action, NULL);
    report("on the alternate stack", none + 8, 1);
    printf("still running\n");
    traps();
    return 0;
}

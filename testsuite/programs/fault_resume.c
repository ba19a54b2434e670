/* Fault handlers that fix the cause and return, so that the faulting access runs again, as garbage
 * collectors' write barriers, lazy allocators and user-space pagers do: a SIGSEGV handler that makes a
 * read-only page writable (dirty-page tracking over a loop whose integer and floating-point values
 * stay in registers across every fault), one that maps PROT_NONE pages on first touch, a handler
 * installed with SA_NODEFER that itself faults on a guard page (nested faults, each resumed), a
 * SIGBUS handler that extends a file under a mapping, and four threads taking their own faults at
 * once. The loop's inexact divisions raise FE_INEXACT between its faults; the flag survives them. A leaf
 * function faults between pushing its frame and popping it: the frame must survive the handler. */
#include <fcntl.h>
#include <fenv.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static long page;
static volatile int faults, nested_depth, deepest;
static char *volatile guard;

static char *page_of(void *addr) { return (char *)((uintptr_t)addr & ~(uintptr_t)(page - 1)); }

static void make_writable(int signal, siginfo_t *info, void *context) {
    (void)signal;
    (void)context;
    __atomic_fetch_add(&faults, 1, __ATOMIC_RELAXED);
    mprotect(page_of(info->si_addr), page, PROT_READ | PROT_WRITE);
}

static void install(int signal, void (*handler)(int, siginfo_t *, void *), int flags) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = handler;
    action.sa_flags = SA_SIGINFO | flags;
    sigaction(signal, &action, NULL);
}

/* Runs a loop over `words` 64-bit words that both reads and writes every word, with an integer and a
 * double accumulator carried in registers; the words start read-only, one fault per page. */
static void dirty_loop(uint64_t *words, size_t count, uint64_t *checksum, double *total) {
    uint64_t acc = 0x9e3779b97f4a7c15u;
    double sum = 0.0;
    for (size_t i = 0; i < count; i++) {
        uint64_t value = words[i] * 3 + i + (acc >> 7);
        words[i] = value;
        acc = (acc ^ value) * 0x100000001b3u;
        sum += (double)(value & 0xffff) / 3.0;
    }
    *checksum = acc;
    *total = sum;
}

static uint64_t *read_only_words(size_t pages) {
    uint64_t *words = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (size_t i = 0; i < pages * page / 8; i++)
        words[i] = i * 0x5851f42d4c957f2du;
    mprotect(words, pages * page, PROT_READ);
    return words;
}

static void dirty_tracking(void) {
    install(SIGSEGV, make_writable, 0);
    size_t pages = 16;
    uint64_t *words = read_only_words(pages);
    faults = 0;
    uint64_t checksum;
    double total;
    feclearexcept(FE_ALL_EXCEPT);
    dirty_loop(words, pages * page / 8, &checksum, &total);
    int inexact = fetestexcept(FE_INEXACT) != 0;
    printf("dirty tracking: %d faults, checksum %016llx, total %.3f, inexact %d\n", faults,
           (unsigned long long)checksum, total, inexact);
    faults = 0;
    dirty_loop(words, pages * page / 8, &checksum, &total);
    printf("second pass: %d faults, checksum %016llx, total %.3f\n", faults, (unsigned long long)checksum, total);
    munmap(words, pages * page);
}

/* A function whose locals live on a stack frame it pushed, faulting between push and pop: the handler's frame
 * must go below that frame, not over it. */
__attribute__((noinline)) static uint64_t leaf_with_frame(volatile uint64_t *p, uint64_t seed) {
    volatile uint64_t local[4] = {seed, seed * 3, seed * 5, seed * 7};
    uint64_t loaded = *p;
    /* Indexed by the loaded value, so that the locals are read back from the stack, not from registers. */
    return local[loaded & 3] + local[(loaded + 1) & 3] + local[(loaded + 2) & 3] + local[(loaded + 3) & 3];
}

static void frame_kept(void) {
    install(SIGSEGV, make_writable, 0);
    volatile uint64_t *hidden = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    faults = 0;
    uint64_t result = leaf_with_frame(hidden, 11);
    printf("leaf frame: %d faults, result %llu\n", faults, (unsigned long long)result);
    munmap((void *)hidden, page);
}

static void lazy_allocation(void) {
    size_t pages = 8;
    unsigned char *lazy = mmap(NULL, pages * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    faults = 0;
    unsigned sum = 0;
    for (size_t i = 0; i < pages * page; i += 512)
        sum += lazy[i];
    for (size_t i = 0; i < pages * page; i += 64)
        lazy[i] = (unsigned char)(i >> 6);
    for (size_t i = 0; i < pages * page; i += 64)
        sum += lazy[i];
    printf("lazy allocation: %d faults, sum %u\n", faults, sum);
    munmap(lazy, pages * page);
}

/* The outer fault's handler touches the guard page, which faults again inside it (SA_NODEFER lets the
 * second one through); the inner handler opens the guard page and returns, then the outer one opens its
 * own page and returns. */
static void nested_handler(int signal, siginfo_t *info, void *context) {
    (void)signal;
    (void)context;
    int depth = ++nested_depth;
    if (depth > deepest)
        deepest = depth;
    faults++;
    char *target = page_of(info->si_addr);
    if (target != guard)
        (void)*(volatile char *)guard;
    mprotect(target, page, PROT_READ | PROT_WRITE);
    nested_depth--;
}

static void nested_faults(void) {
    install(SIGSEGV, nested_handler, SA_NODEFER);
    char *data = mmap(NULL, 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    guard = data + page;
    faults = deepest = 0;
    data[100] = 42;
    printf("nested faults: %d faults, deepest %d, value %d, guard readable %d\n", faults, deepest, data[100],
           guard[0] == 0);
    munmap(data, 2 * page);
}

static int file_fd;

static void extend_file(int signal, siginfo_t *info, void *context) {
    (void)signal;
    (void)info;
    (void)context;
    faults++;
    ftruncate(file_fd, 2 * page);
}

static void file_growth(void) {
    char path[] = "fault-resume-XXXXXX";
    file_fd = mkstemp(path);
    if (file_fd < 0 || ftruncate(file_fd, page) != 0) {
        printf("file growth: cannot make the file\n");
        return;
    }
    install(SIGBUS, extend_file, 0);
    char *mapped = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, file_fd, 0);
    faults = 0;
    int before = mapped[page + 10];
    mapped[page + 11] = 'x';
    char back = 0;
    pread(file_fd, &back, 1, page + 11);
    printf("file growth: %d faults, read %d, size %ld, written '%c'\n", faults, before, (long)lseek(file_fd, 0, SEEK_END),
           back);
    munmap(mapped, 2 * page);
    close(file_fd);
    unlink(path);
}

struct worker {
    uint64_t checksum;
    double total;
};

static void *worker_main(void *arg) {
    struct worker *worker = arg;
    size_t pages = 8;
    uint64_t *words = read_only_words(pages);
    dirty_loop(words, pages * page / 8, &worker->checksum, &worker->total);
    munmap(words, pages * page);
    return NULL;
}

static void threads_faulting(void) {
    install(SIGSEGV, make_writable, 0);
    faults = 0;
    pthread_t threads[4];
    struct worker workers[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&threads[i], NULL, worker_main, &workers[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    printf("threads: %d faults", faults);
    for (int i = 0; i < 4; i++)
        printf(", %016llx %.3f", (unsigned long long)workers[i].checksum, workers[i].total);
    printf("\n");
}

int main(void) {
    page = sysconf(_SC_PAGESIZE);
    dirty_tracking();
    frame_kept();
    lazy_allocation();
    nested_faults();
    file_growth();
    threads_faulting();
    return 0;
}

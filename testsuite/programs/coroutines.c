/* Coroutines, two ways.
 *
 * With ucontext: several contexts, each on its own stack, switch through one function (`yield_to`); a
 * coroutine that finishes hands control to uc_link; deep recursion runs on a coroutine's own stack.
 *
 * With a minimal stack switch in assembly (as coroutine libraries such as boost.context and libco
 * do): `switch_stack` saves the callee-saved registers on the current stack, stores the stack
 * pointer, loads another and returns on it. Every fiber switches through one call of it in
 * `fiber_yield`, so a fiber resumes at the very return address the fiber that switched away is
 * waiting at, with its own callee-saved registers and stack pointer. A translator that took the
 * return address alone to mean "the caller's callee-saved registers are as it left them" would go
 * on with the other fiber's locals. The switch is written for both AArch64 and x86-64, so the native
 * build gives the same output. */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define WORKERS 3
#define STACK_SIZE (256 * 1024)

static ucontext_t scheduler_ctx;
static ucontext_t worker_ctx[WORKERS];
static int finished[WORKERS];
static int current;

/* Every switch goes through this one call site: noinline keeps it a real function. */
__attribute__((noinline)) static void yield_to(ucontext_t *from, ucontext_t *to) {
    if (swapcontext(from, to) != 0) {
        perror("swapcontext");
        exit(1);
    }
}

__attribute__((noinline)) static long depth_sum(long n) {
    /* Recursion deep enough to use a good part of the coroutine's stack. */
    volatile long pad[8];
    pad[0] = n & 7;
    return n == 0 ? pad[0] : n + depth_sum(n - 1) + pad[0];
}

static void worker(int id, int rounds) {
    /* Values kept across the switches; the compiler keeps them in callee-saved registers. */
    long acc = id * 1000;
    long mul = id + 2;
    unsigned long hash = 1469598103934665603UL ^ (unsigned long)id;
    for (int i = 0; i < rounds; i++) {
        acc = acc * mul + i;
        hash = (hash ^ (unsigned long)acc) * 1099511628211UL;
        printf("worker %d round %d acc %ld hash %016lx\n", id, i, acc, hash);
        yield_to(&worker_ctx[id], &scheduler_ctx);
    }
    printf("worker %d deep %ld\n", id, depth_sum(1000 + id));
    printf("worker %d done acc %ld hash %016lx\n", id, acc, hash);
    finished[id] = 1;
}

/* switch_stack(save, next): saves the callee-saved registers on the current stack, stores the
 * stack pointer in *save, switches to the stack `next` and restores the registers saved there. A new
 * fiber's stack holds a frame whose return address is fiber_start, with its argument and entry point
 * in two callee-saved registers. */
void switch_stack(void **save, void *next);
void fiber_start(void);
#if defined(__aarch64__)
__asm__(".text\n"
        ".globl switch_stack\n"
        "switch_stack:\n"
        "  sub sp, sp, #160\n"
        "  stp x19, x20, [sp, #0]\n"
        "  stp x21, x22, [sp, #16]\n"
        "  stp x23, x24, [sp, #32]\n"
        "  stp x25, x26, [sp, #48]\n"
        "  stp x27, x28, [sp, #64]\n"
        "  stp x29, x30, [sp, #80]\n"
        "  stp d8, d9, [sp, #96]\n"
        "  stp d10, d11, [sp, #112]\n"
        "  stp d12, d13, [sp, #128]\n"
        "  stp d14, d15, [sp, #144]\n"
        "  mov x2, sp\n"
        "  str x2, [x0]\n"
        "  mov sp, x1\n"
        "  ldp x19, x20, [sp, #0]\n"
        "  ldp x21, x22, [sp, #16]\n"
        "  ldp x23, x24, [sp, #32]\n"
        "  ldp x25, x26, [sp, #48]\n"
        "  ldp x27, x28, [sp, #64]\n"
        "  ldp x29, x30, [sp, #80]\n"
        "  ldp d8, d9, [sp, #96]\n"
        "  ldp d10, d11, [sp, #112]\n"
        "  ldp d12, d13, [sp, #128]\n"
        "  ldp d14, d15, [sp, #144]\n"
        "  add sp, sp, #160\n"
        "  ret\n"
        ".globl fiber_start\n"
        "fiber_start:\n"
        "  mov x0, x19\n"
        "  blr x20\n"
        "  brk #0\n");
#define FRAME_WORDS 20
#define RETURN_SLOT 11
#define ARG_SLOT 0
#define ENTRY_SLOT 1
#elif defined(__x86_64__)
__asm__(".text\n"
        ".globl switch_stack\n"
        "switch_stack:\n"
        "  pushq %rbp\n"
        "  pushq %rbx\n"
        "  pushq %r12\n"
        "  pushq %r13\n"
        "  pushq %r14\n"
        "  pushq %r15\n"
        "  movq %rsp, (%rdi)\n"
        "  movq %rsi, %rsp\n"
        "  popq %r15\n"
        "  popq %r14\n"
        "  popq %r13\n"
        "  popq %r12\n"
        "  popq %rbx\n"
        "  popq %rbp\n"
        "  ret\n"
        ".globl fiber_start\n"
        "fiber_start:\n"
        "  movq %rbx, %rdi\n"
        "  andq $-16, %rsp\n"
        "  call *%r12\n"
        "  ud2\n");
#define FRAME_WORDS 8
#define RETURN_SLOT 6
#define ARG_SLOT 4
#define ENTRY_SLOT 3
#else
#error "switch_stack is written for aarch64 and x86_64 only"
#endif

#define FIBERS 3
static void *fiber_sp[FIBERS];
static void *main_fiber_sp;
static int fiber_current;

/* Every fiber switch goes through the one call of switch_stack below. `id` and `token` live in
 * callee-saved registers across it. */
__attribute__((noinline)) static long fiber_yield(long id, long token) {
    int next = (fiber_current + 1) % FIBERS;
    int self = fiber_current;
    fiber_current = next;
    switch_stack(&fiber_sp[self], fiber_sp[next]);
    /* Back on this fiber: its own id and token, whatever fiber switched to it. */
    return id * 100000 + token;
}

static void fiber_body(long id) {
    long total = 0;
    for (long round = 0; round < 4; round++) {
        long got = fiber_yield(id, id * 7 + round);
        printf("fiber %ld round %ld got %ld\n", id, round, got);
        total += got;
    }
    printf("fiber %ld total %ld\n", id, total);
    if (id == 0) {
        /* Fiber 0 finishes last in the round robin: back to main. */
        switch_stack(&fiber_sp[0], main_fiber_sp);
    }
    for (;;) {
        fiber_yield(id, 0);
    }
}

static void run_fibers(void) {
    static unsigned long fiber_stack[FIBERS][16384] __attribute__((aligned(16)));
    for (long id = 0; id < FIBERS; id++) {
        unsigned long *frame = &fiber_stack[id][16384 - 32];
        for (int i = 0; i < FRAME_WORDS; i++) {
            frame[i] = 0;
        }
        frame[RETURN_SLOT] = (unsigned long)fiber_start;
        frame[ARG_SLOT] = (unsigned long)id;
        frame[ENTRY_SLOT] = (unsigned long)fiber_body;
        fiber_sp[id] = frame;
    }
    /* Start fiber 0; fibers yield round robin; after fiber 0's last round it switches back here. */
    fiber_current = 0;
    switch_stack(&main_fiber_sp, fiber_sp[0]);
    printf("fibers done\n");
}

int main(void) {
    static char stacks[WORKERS][STACK_SIZE];
    for (int id = 0; id < WORKERS; id++) {
        if (getcontext(&worker_ctx[id]) != 0) {
            perror("getcontext");
            return 1;
        }
        worker_ctx[id].uc_stack.ss_sp = stacks[id];
        worker_ctx[id].uc_stack.ss_size = STACK_SIZE;
        worker_ctx[id].uc_link = &scheduler_ctx;
        makecontext(&worker_ctx[id], (void (*)(void))worker, 2, id, 3 + id);
    }
    /* Round robin until every worker has finished; a finished worker returns here through uc_link. */
    int live = WORKERS;
    long switches = 0;
    while (live > 0) {
        for (current = 0; current < WORKERS; current++) {
            if (finished[current]) {
                continue;
            }
            yield_to(&scheduler_ctx, &worker_ctx[current]);
            switches++;
            if (finished[current]) {
                live--;
                printf("scheduler: worker %d finished after %ld switches\n", current, switches);
            }
        }
    }
    printf("all done, %ld switches\n", switches);
    run_fibers();
    return 0;
}

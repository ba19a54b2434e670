/* Null and near-null pointers fault, and a SIGSEGV handler sees the faulting address (sigaction(2):
 * si_addr "address of faulting memory reference"). Guest address 0 is host address 0 when vmtrans
 * translates with its default --guest-base zero, so this checks that such accesses still fault in
 * the translated program at every level (LLVM takes a store to null for undefined behaviour unless
 * told otherwise) rather than being optimised away: a store through a pointer the compiler cannot
 * see is null, loads at constant addresses 0 and 0x10, a store at 0xff8, an access at the top of
 * the 64 KiB the kernel never maps (vm.mmap_min_addr), and a call through a null function pointer
 * (si_addr is the branch target). Each handler leaves by siglongjmp. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf resume;
static volatile uintptr_t fault_address;
static volatile int fault_signal;

static void on_fault(int signal, siginfo_t *info, void *context) {
    (void)context;
    fault_signal = signal;
    fault_address = (uintptr_t)info->si_addr;
    siglongjmp(resume, 1);
}

/* Runs `probe` and reports whether it faulted, with which signal and address. */
static void expect_fault(const char *what, void (*probe)(void)) {
    fault_signal = 0;
    fault_address = 0;
    if (sigsetjmp(resume, 1) == 0) {
        probe();
        printf("%s: no fault\n", what);
    } else {
        printf("%s: signal %d at %#lx\n", what, fault_signal, (unsigned long)fault_address);
    }
}

/* A null pointer the compiler cannot see as one (it comes from the argument count). */
static volatile int *opaque_null;

static void store_through_opaque_null(void) {
    *opaque_null = 1;
}

static void load_at_zero(void) {
    printf("read %d\n", *(volatile int *)0);
}

static void load_at_sixteen(void) {
    printf("read %d\n", *(volatile int *)0x10);
}

static void store_at_0xff8(void) {
    *(volatile long *)0xff8 = 7;
}

static void load_below_64k(void) {
    printf("read %d\n", *(volatile int *)0xfffc);
}

static void call_null_function(void) {
    void (*volatile function)(void) = 0;
    function();
}

int main(int argc, char **argv) {
    (void)argv;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, NULL);
    opaque_null = (volatile int *)(uintptr_t)(argc < 0);

    expect_fault("store through a null pointer", store_through_opaque_null);
    expect_fault("load at 0", load_at_zero);
    expect_fault("load at 0x10", load_at_sixteen);
    expect_fault("store at 0xff8", store_at_0xff8);
    expect_fault("load at 0xfffc", load_below_64k);
    expect_fault("call of a null function pointer", call_null_function);
    puts("done");
    return 0;
}

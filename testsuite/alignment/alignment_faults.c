/* Alignment faults of the accesses AArch64 requires to be aligned when FEAT_LSE2 is absent (as in
 * qemu-aarch64 7.2's "max" CPU and in what vmtrans advertises): load-acquire and store-release
 * (LDAR, STLR, LDAPUR, STLUR), load-exclusive (LDXR, LDAXR, LDXP), compare-and-swap (CAS, CASP)
 * and the LSE atomics (LDADD, SWP, STADD), each at offsets 0, 1, 2, 4, 8 and 12 from a 64-byte
 * aligned buffer. Each access that must fault raises SIGBUS with si_code BUS_ADRALN, si_addr the
 * address accessed and the context's pc at the instruction; its handler leaves by siglongjmp.
 * Byte accesses never fault, a pair must be aligned to the size of both registers, and a
 * store-exclusive whose monitor is not armed fails (status 1) without faulting, as the manual
 * allows and qemu does. LDAPR is left out: qemu 7.2 performs it unaligned, where the manual faults
 * (ir/src/a64/sem/ldst.rs tests it). Built with -march=armv8.4-a for the LSE and RCpc forms. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf recover;
static volatile int got_signal, got_code, pc_matches;
static volatile uintptr_t got_addr;
/* The faulting instruction's address, stored by each test just before it. */
static volatile uint64_t expected_pc;

static void on_fault(int signal, siginfo_t *info, void *context) {
    ucontext_t *uc = context;
    got_signal = signal;
    got_code = info->si_code;
    got_addr = (uintptr_t)info->si_addr;
    pc_matches = uc->uc_mcontext.pc == expected_pc;
    siglongjmp(recover, 1);
}

static _Alignas(64) unsigned char buffer[256];

/* Runs `insn` (after `setup`) with %4 = buffer + 64 + off, and prints what happened: the signal,
 * its code, its address relative to the buffer and whether the pc was the instruction's, or the
 * registers and memory the access left. */
#define TEST(name, off, setup, insn)                                                                       \
    do {                                                                                                   \
        memset(buffer, 0x11, sizeof buffer);                                                               \
        got_signal = got_code = pc_matches = 0;                                                            \
        uint64_t p = (uint64_t)(buffer + 64 + (off));                                                      \
        uint64_t r0 = 0, r1 = 0x2222, r2 = 0, r3 = 0x3333;                                                 \
        if (!sigsetjmp(recover, 1)) {                                                                      \
            __asm__ volatile(".arch armv8.4-a\n\t" setup "\n\tadr x8, 9f\n\tstr x8, [%5]\n9:\t" insn       \
                             : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)                                      \
                             : "r"(p), "r"(&expected_pc)                                                   \
                             : "memory", "x4", "x5", "x6", "x7", "x8");                                    \
        }                                                                                                  \
        if (got_signal)                                                                                    \
            printf("%-10s +%-2d signal %d code %d addr +%ld pc %s\n", name, off, got_signal, got_code,     \
                   (long)(got_addr - (uintptr_t)(buffer + 64)), pc_matches ? "ok" : "wrong");              \
        else                                                                                               \
            printf("%-10s +%-2d done r0 %lx r2 %lx memory %02x%02x\n", name, off, (unsigned long)r0,       \
                   (unsigned long)r2, buffer[64 + (off)], buffer[64 + (off) + 1]);                         \
    } while (0)

int main(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGBUS, &action, 0);
    sigaction(SIGSEGV, &action, 0);
    static const int offsets[] = {0, 1, 2, 4, 8, 12};
    for (unsigned i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        int off = offsets[i];
        TEST("ldar x", off, "", "ldar %0, [%4]");
        TEST("ldar w", off, "", "ldar %w0, [%4]");
        TEST("ldarh", off, "", "ldarh %w0, [%4]");
        TEST("ldarb", off, "", "ldarb %w0, [%4]");
        TEST("stlr x", off, "", "stlr %1, [%4]");
        TEST("stlr w", off, "", "stlr %w1, [%4]");
        TEST("stlrh", off, "", "stlrh %w1, [%4]");
        TEST("ldapur x", off, "", "ldapur %0, [%4]");
        TEST("ldapurh", off, "", "ldapurh %w0, [%4, #-2]");
        TEST("stlur w", off, "", "stlur %w1, [%4, #4]");
        TEST("ldxr x", off, "", "ldxr %0, [%4]");
        TEST("ldaxr w", off, "", "ldaxr %w0, [%4]");
        TEST("ldxr+stxr", off, "", "ldxr %0, [%4]\n\tstxr %w2, %1, [%4]");
        TEST("stxr", off, "", "stxr %w2, %1, [%4]");
        TEST("stxp x", off, "", "stxp %w2, %1, %3, [%4]");
        TEST("ldxp x", off, "", "ldxp %0, %2, [%4]");
        TEST("ldaxp w", off, "", "ldaxp %w0, %w2, [%4]");
        TEST("cas x", off, "", "cas %0, %1, [%4]");
        TEST("casb", off, "", "casb %w0, %w1, [%4]");
        TEST("casah", off, "", "casah %w0, %w1, [%4]");
        TEST("casp x", off, "mov x4, 0\n\tmov x5, 0\n\tmov x6, 1\n\tmov x7, 2", "casp x4, x5, x6, x7, [%4]");
        TEST("caspl w", off, "mov x4, 0\n\tmov x5, 0\n\tmov x6, 1\n\tmov x7, 2", "caspl w4, w5, w6, w7, [%4]");
        TEST("ldadd x", off, "", "ldadd %1, %0, [%4]");
        TEST("ldaddh", off, "", "ldaddh %w1, %w0, [%4]");
        TEST("swpal w", off, "", "swpal %w1, %w0, [%4]");
        TEST("stadd x", off, "", "stadd %1, [%4]");
    }
    return 0;
}

/* Integer division edge cases: signs, INT_MIN / -1 (defined as INT_MIN on AArch64), widths, and constants. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

/*
 * C leaves INT_MIN / -1 undefined and x86 traps on it, while AArch64 SDIV gives INT_MIN with remainder 0. The
 * guest build performs the real division; a native x86-64 build (only used to cross-check the expected output)
 * computes the AArch64 answer directly so that both print the same lines.
 */
static int32_t divide32(int32_t a, int32_t b) {
#if defined(__aarch64__)
    return a / b;
#else
    return (a == INT32_MIN && b == -1) ? INT32_MIN : a / b;
#endif
}

static int64_t divide64(int64_t a, int64_t b) {
#if defined(__aarch64__)
    return a / b;
#else
    return (a == INT64_MIN && b == -1) ? INT64_MIN : a / b;
#endif
}

static int64_t remainder64(int64_t a, int64_t b) {
#if defined(__aarch64__)
    return (int64_t)((uint64_t)a - (uint64_t)(a / b) * (uint64_t)b); /* The MSUB form of the remainder. */
#else
    return (a == INT64_MIN && b == -1) ? 0 : a % b;
#endif
}

static volatile int32_t numerators32[] = {0, 1, -1, 7, -7, 100, -100, INT32_MAX, INT32_MIN, 65536, -65537};
static volatile int32_t denominators32[] = {1, -1, 2, -2, 3, -3, 7, 1000, INT32_MAX, INT32_MIN};
static volatile int64_t numerators64[] = {0, 13, -13, INT64_MAX, INT64_MIN, 1LL << 40, -(1LL << 40) - 3};
static volatile int64_t denominators64[] = {1, -1, 5, -5, 1LL << 33, INT64_MAX, INT64_MIN, 1000000007};

int main(void) {
    for (unsigned i = 0; i < sizeof numerators32 / sizeof numerators32[0]; i++) {
        for (unsigned j = 0; j < sizeof denominators32 / sizeof denominators32[0]; j++) {
            int32_t a = numerators32[i], b = denominators32[j];
            int32_t q = divide32(a, b);
            uint32_t uq = (uint32_t)a / (uint32_t)b, ur = (uint32_t)a % (uint32_t)b;
            printf("%d / %d = %d rem %d; unsigned %u rem %u\n", a, b, q, (int32_t)((uint32_t)a - (uint32_t)q * (uint32_t)b),
                   uq, ur);
        }
    }
    for (unsigned i = 0; i < sizeof numerators64 / sizeof numerators64[0]; i++) {
        for (unsigned j = 0; j < sizeof denominators64 / sizeof denominators64[0]; j++) {
            int64_t a = numerators64[i], b = denominators64[j];
            printf("%lld / %lld = %lld rem %lld; unsigned %llu rem %llu\n", (long long)a, (long long)b,
                   (long long)divide64(a, b), (long long)remainder64(a, b),
                   (unsigned long long)((uint64_t)a / (uint64_t)b), (unsigned long long)((uint64_t)a % (uint64_t)b));
        }
    }
    /* Division by constants: compilers replace these with multiply-high sequences. */
    long long sums[6] = {0};
    for (int32_t v = -100000; v <= 100000; v += 37) {
        sums[0] += v / 3;
        sums[1] += v % 7;
        sums[2] += v / 10;
        sums[3] += (uint32_t)v / 1000u;
        sums[4] += v / -16;
        sums[5] += (int64_t)v * 1000003 / 641;
    }
    for (int i = 0; i < 6; i++)
        printf("constant division sum %d: %lld\n", i, sums[i]);
    return 0;
}

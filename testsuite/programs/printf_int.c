/* printf of integers in every width and format: %d %i %u %x %X %o %ld %lld %zu %hd %hhu %c %s with flags. */
#include <limits.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

int main(void) {
    const int ints[] = {0, 1, -1, 42, -42, 255, 256, 65535, -65536, INT_MAX, INT_MIN, 123456789};
    for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        int v = ints[i];
        printf("[%d] [%i] [%u] [%x] [%X] [%o] [%5d] [%-5d|] [%05d] [%+d] [% d] [%#x] [%#o] [%.3d] [%8.4x]\n", v, v,
               (unsigned)v, (unsigned)v, (unsigned)v, (unsigned)v, v, v, v, v, v, (unsigned)v, (unsigned)v, v,
               (unsigned)v);
    }
    const long longs[] = {0L, -1L, LONG_MAX, LONG_MIN, 0x123456789abcdefL, -9876543210L};
    for (unsigned i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        long v = longs[i];
        printf("[%ld] [%lu] [%lx] [%lo] [%20ld] [%-20ld|] [%+ld]\n", v, (unsigned long)v, (unsigned long)v,
               (unsigned long)v, v, v, v);
    }
    const long long long_longs[] = {0LL, LLONG_MAX, LLONG_MIN, 1000000000000LL, -77LL};
    for (unsigned i = 0; i < sizeof long_longs / sizeof long_longs[0]; i++) {
        long long v = long_longs[i];
        printf("[%lld] [%llu] [%llx] [%llX] [%#llo]\n", v, (unsigned long long)v, (unsigned long long)v,
               (unsigned long long)v, (unsigned long long)v);
    }
    const size_t sizes[] = {0, 1, 4096, SIZE_MAX, (size_t)1 << 40};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        printf("[%zu] [%zx] [%zd]\n", sizes[i], sizes[i], (ptrdiff_t)sizes[i]);
    short s = -12345;
    unsigned short us = 54321;
    signed char sc = -100;
    unsigned char uc = 200;
    printf("[%hd] [%hu] [%hx] [%hhd] [%hhu] [%hhx]\n", s, us, us, sc, uc, uc);
    printf("[%jd] [%ju] [%td]\n", (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX, (ptrdiff_t)-5);
    printf("[%" PRId8 "] [%" PRIu16 "] [%" PRIx32 "] [%" PRId64 "]\n", (int8_t)-8, (uint16_t)65000,
           (uint32_t)0xdeadbeef, (int64_t)-1234567890123LL);
    for (int c = 'A'; c <= 'Z'; c += 5)
        printf("[%c] [%3c] [%-3c|]", c, c, c);
    printf("\n");
    const char *words[] = {"", "a", "hello", "a longer string with spaces"};
    for (unsigned i = 0; i < 4; i++)
        printf("[%s] [%10s] [%-10s|] [%.3s] [%*s] [%-*.*s|]\n", words[i], words[i], words[i], words[i], 6, words[i],
               8, 2, words[i]);
    printf("percent sign: %% and count");
    int counted = 0;
    printf(" follows%n", &counted);
    printf(" -> %d\n", counted);
    char buffer[16];
    int would_be = snprintf(buffer, sizeof buffer, "%d-%d-%d-%d", 1000, 2000, 3000, 4000);
    printf("snprintf truncated to [%s], would be %d\n", buffer, would_be);
    return 0;
}

/* Sieve of Eratosthenes up to two million with a byte array, and a bit-packed sieve cross-checking it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LIMIT = 2000000 };

int main(void) {
    unsigned char *composite = calloc(LIMIT + 1, 1);
    for (unsigned long i = 2; i * i <= LIMIT; i++)
        if (!composite[i])
            for (unsigned long j = i * i; j <= LIMIT; j += i)
                composite[j] = 1;
    unsigned count = 0;
    unsigned long long sum = 0;
    unsigned last = 0, largest_gap = 0, gap_after = 0;
    for (unsigned i = 2; i <= LIMIT; i++)
        if (!composite[i]) {
            count++;
            sum += i;
            if (last && i - last > largest_gap) {
                largest_gap = i - last;
                gap_after = last;
            }
            last = i;
        }
    printf("primes up to %d: %u, sum %llu, largest %u\n", LIMIT, count, sum, last);
    printf("largest gap %u after %u\n", largest_gap, gap_after);

    /* Odd numbers only, one bit each. */
    uint64_t *bits = calloc(LIMIT / 128 + 1, sizeof *bits);
    for (unsigned long i = 3; i * i <= LIMIT; i += 2)
        if (!(bits[i / 128] >> ((i / 2) % 64) & 1))
            for (unsigned long j = i * i; j <= LIMIT; j += 2 * i)
                bits[j / 128] |= 1ULL << ((j / 2) % 64);
    unsigned bit_count = 1, mismatches = 0;
    for (unsigned long i = 3; i <= LIMIT; i += 2) {
        int prime = !(bits[i / 128] >> ((i / 2) % 64) & 1);
        bit_count += prime;
        mismatches += prime == composite[i];
    }
    printf("bit sieve count %u, mismatches %u\n", bit_count, mismatches);
    for (unsigned i = 2, shown = 0; shown < 25; i++)
        if (!composite[i])
            printf("%u%c", i, ++shown == 25 ? '\n' : ' ');
    free(bits);
    free(composite);
    return 0;
}

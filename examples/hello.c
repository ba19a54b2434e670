/* The quick-start guest: a small static AArch64 program whose output exercises more than a `puts`: a
 * sieve of Eratosthenes (loops, byte stores, branches), a Collatz search (64-bit arithmetic, division by
 * two), printf's integer and floating-point formatting and a square root by Newton's method.
 * scripts/quickstart.sh builds it, translates it with vmtrans, and compares the translated
 * program's output with qemu-aarch64's. */
#include <stdio.h>
#include <string.h>

#define SIEVE_LIMIT 100

/* Prints the primes below SIEVE_LIMIT and returns how many there are. */
static int print_primes(void) {
    unsigned char composite[SIEVE_LIMIT];
    memset(composite, 0, sizeof composite);
    int count = 0;
    printf("primes below %d:", SIEVE_LIMIT);
    for (int n = 2; n < SIEVE_LIMIT; n++) {
        if (composite[n]) {
            continue;
        }
        count++;
        printf(" %d", n);
        for (int multiple = n * n; multiple < SIEVE_LIMIT; multiple += n) {
            composite[multiple] = 1;
        }
    }
    printf("\n");
    return count;
}

/* Counts the primes below `limit` by trial division, a second opinion on the sieve. */
static int count_below(int limit) {
    int count = 0;
    for (int n = 2; n < limit; n++) {
        int divisor = 2;
        while (divisor * divisor <= n && n % divisor != 0) {
            divisor++;
        }
        count += divisor * divisor > n;
    }
    return count;
}

/* Returns the starting value below `limit` with the longest Collatz sequence, and its length. */
static long longest_collatz(long limit, int *length_out) {
    long best_start = 1;
    int best_length = 1;
    for (long start = 1; start < limit; start++) {
        int length = 1;
        for (unsigned long n = (unsigned long)start; n != 1; length++) {
            n = n % 2 == 0 ? n / 2 : 3 * n + 1;
        }
        if (length > best_length) {
            best_length = length;
            best_start = start;
        }
    }
    *length_out = best_length;
    return best_start;
}

/* The square root of x by Newton's method, without the C library. */
static double newton_sqrt(double x) {
    double estimate = x > 1 ? x / 2 : 1;
    for (int i = 0; i < 60; i++) {
        estimate = 0.5 * (estimate + x / estimate);
    }
    return estimate;
}

int main(int argc, char **argv) {
    (void)argv;
    printf("hello from an AArch64 guest (argc = %d)\n", argc);
    int prime_count = print_primes();
    int length;
    long start = longest_collatz(100000, &length);
    printf("longest Collatz sequence below 100000 starts at %ld and has %d terms\n", start, length);
    printf("sqrt(2) = %.15f, 1/3 = %.6e, 2^0.5 * 1e6 = %10.3f\n", newton_sqrt(2.0), 1.0 / 3.0,
           newton_sqrt(2.0) * 1e6);
    printf("%d primes, %d of them below 50\n", prime_count, count_below(50));
    return 0;
}

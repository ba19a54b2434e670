/* Recursion: fib, Ackermann, mutual recursion, and a non-tail recursion 100000 calls deep. */
#include <stdio.h>

static unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static unsigned long ackermann(unsigned long m, unsigned long n) {
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

/* The volatile sink keeps the compiler from turning the recursion into a loop. */
static volatile unsigned long deep_sink;

static unsigned long deep_sum(unsigned long depth) {
    if (depth == 0)
        return 0;
    unsigned long below = deep_sum(depth - 1);
    deep_sink = below;
    return below + (depth ^ (depth >> 3));
}

static int hanoi_moves;
static void hanoi(int discs, int from, int to, int via) {
    if (discs == 0)
        return;
    hanoi(discs - 1, from, via, to);
    hanoi_moves++;
    hanoi(discs - 1, via, to, from);
}

int main(void) {
    for (unsigned n = 0; n <= 27; n += 3)
        printf("fib(%u) = %lu\n", n, fib(n));
    for (unsigned long m = 0; m <= 3; m++)
        for (unsigned long n = 0; n <= 4; n++)
            printf("ackermann(%lu, %lu) = %lu\n", m, n, ackermann(m, n));
    printf("is_even(1000) = %d, is_odd(777) = %d, is_even(999) = %d\n", is_even(1000), is_odd(777), is_even(999));
    printf("deep_sum(100000) = %lu\n", deep_sum(100000));
    hanoi(16, 1, 3, 2);
    printf("hanoi(16) moves = %d\n", hanoi_moves);
    return 0;
}

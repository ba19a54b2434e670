/* Call-heavy: naive doubly recursive Fibonacci, nearly all time in call, return and stack traffic.
 * The checksum is fib(DEPTH); DEPTH is the size knob. */
#include <stdio.h>

#ifndef DEPTH
#define DEPTH 42
#endif

__attribute__((noinline)) static long fib(long n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
    (void)argv;
    /* The argument count keeps the compiler from evaluating the call at build time. */
    long depth = DEPTH + argc - 1;
    printf("fib %ld %ld\n", depth, fib(depth));
    return 0;
}

/* Values that cross calls in every place the AArch64 procedure call standard puts them, through
 * functions the compiler may not inline: a 16-byte integer result (x0 and x1), a two-word struct
 * (x0 and x1), homogeneous floating-point aggregates of four doubles and of four floats (v0-v3),
 * eight integer and eight floating-point arguments with more on the stack, a nested function that
 * reaches its parent's variables through GCC's static chain (x18), and callees that use many
 * scratch registers before they return. vmtrans leaves the scratch registers that carry no
 * argument or result out of the state at calls and returns (ir/src/sync.rs), so each of these
 * must still arrive intact. Built at -O2 too (o2-programs.txt), where they stay in registers. */
#include <stdio.h>

#define NOINLINE __attribute__((noinline, noclone))

struct pair {
    long first, second;
};

struct quad_double {
    double a, b, c, d;
};

struct quad_float {
    float a, b, c, d;
};

/* Inputs the compiler cannot see through, so no call is folded away. */
static volatile long seed_int = 7;
static volatile double seed_double = 1.25;

NOINLINE static __int128 wide_product(long x, long y) {
    return (__int128)x * (__int128)y;
}

NOINLINE static struct pair divide(long x, long y) {
    struct pair p = {x / y, x % y};
    return p;
}

NOINLINE static struct quad_double quad_of(double x) {
    struct quad_double q = {x, x * 2, x * 3, -x};
    return q;
}

NOINLINE static struct quad_float quad_float_of(float x) {
    struct quad_float q = {x, x + 1, x * x, 1 / x};
    return q;
}

NOINLINE static long many_ints(long a, long b, long c, long d, long e, long f, long g, long h, long i, long j) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j;
}

NOINLINE static double many_doubles(double a, double b, double c, double d, double e, double f, double g,
                                    double h, double i, double j) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j;
}

/* Keeps many values alive at once, so the compiler uses most scratch registers (x2-x18, v4-v7,
 * v16-v31) before returning one result. */
NOINLINE static long busy(long x) {
    long v[16];
    for (int i = 0; i < 16; i++) {
        v[i] = x * (i + 3) ^ (x >> i);
    }
    long sum = 0;
    for (int i = 0; i < 16; i++) {
        sum += v[i] * v[15 - i];
    }
    return sum;
}

NOINLINE static double busy_fp(double x) {
    double v[12];
    for (int i = 0; i < 12; i++) {
        v[i] = x * (i + 1) - 1.0 / (i + 2);
    }
    double sum = 0;
    for (int i = 0; i < 12; i++) {
        sum += v[i] * v[11 - i];
    }
    return sum;
}

/* A nested function: its calls pass the address of the parent's frame in the static chain. */
NOINLINE static long with_nested(long k) {
    long scale = k * 3;
    NOINLINE long inner(long x) {
        return x * scale + k;
    }
    return inner(2) + inner(5) * 7;
}

int main(void) {
    long s = seed_int;
    double d = seed_double;

    __int128 w = wide_product(s * 0x123456789L, s * 0x987654321L);
    printf("int128: high %lld low %llu\n", (long long)(w >> 64), (unsigned long long)w);

    struct pair p = divide(s * 1000 + 3, s + 4);
    printf("pair: %ld %ld\n", p.first, p.second);

    struct quad_double q = quad_of(d);
    printf("quad double: %.4f %.4f %.4f %.4f\n", q.a, q.b, q.c, q.d);

    struct quad_float f = quad_float_of((float)d);
    printf("quad float: %.4f %.4f %.4f %.4f\n", f.a, f.b, f.c, f.d);

    printf("many ints: %ld\n", many_ints(s, s + 1, s + 2, s + 3, s + 4, s + 5, s + 6, s + 7, s + 8, s + 9));
    printf("many doubles: %.4f\n", many_doubles(d, d + 1, d + 2, d + 3, d + 4, d + 5, d + 6, d + 7, d + 8, d + 9));

    /* Values held across calls that use many scratch registers. */
    long kept = s * 11;
    double kept_fp = d * 3;
    long total = 0;
    double total_fp = 0;
    for (int i = 0; i < 5; i++) {
        total += busy(s + i) ^ kept;
        total_fp += busy_fp(d + i) + kept_fp;
    }
    printf("busy: %ld %.4f\n", total, total_fp);

    printf("nested: %ld\n", with_nested(s));
    return 0;
}

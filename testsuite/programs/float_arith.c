/* Floating point arithmetic and conversions: float/double ops, int<->double<->float rounding, explicit saturation. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

/* Converts with the saturating rules of AArch64 FCVTZS, written out in C because C leaves the overflow undefined. */
static int32_t saturate_to_i32(double x) {
    if (isnan(x))
        return 0;
    if (x >= 2147483648.0)
        return INT32_MAX;
    if (x <= -2147483649.0)
        return INT32_MIN;
    return (int32_t)x;
}

static uint64_t saturate_to_u64(double x) {
    if (isnan(x) || x <= -1.0)
        return 0;
    if (x >= 18446744073709551616.0)
        return UINT64_MAX;
    return (uint64_t)x;
}

static void show_double(const char *label, double v) {
    if (isnan(v))
        printf("%s = nan\n", label);
    else
        printf("%s = %.17g%s\n", label, v, signbit(v) && v == 0 ? " (negative zero)" : "");
}

static volatile double doubles[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, -2.5, 3.999999999, 1e10, -1e10,
                                    2147483647.0, 2147483647.9, -2147483648.0, -2147483648.9, 2147483648.0,
                                    9.2233720368547758e18, 1.8446744073709552e19, 4294967295.5, 1e-310, DBL_MAX,
                                    INFINITY, -INFINITY, NAN, 0.1, 16777217.0, 9007199254740993.0};
static volatile int64_t integers[] = {0, 1, -1, 16777217, 16777219, -16777217, 9007199254740993LL, INT64_MAX,
                                      INT64_MIN, 123456789012345LL, 2147483647, -2147483648LL};
static volatile uint64_t unsigned_integers[] = {0, 1, UINT64_MAX, 0x8000000000000000ULL, 0x8000000000000401ULL,
                                                0xfffffffffffff800ULL, 4294967295ULL};

int main(void) {
    unsigned nd = sizeof doubles / sizeof doubles[0];
    for (unsigned i = 0; i < nd; i++) {
        double d = doubles[i];
        char label[32];
        snprintf(label, sizeof label, "d[%u]", i);
        show_double(label, d);
        float f = (float)d;
        if (isnan(f))
            printf("  float nan\n");
        else
            printf("  float %.9g  back %.17g\n", (double)f, (double)(double)f);
        printf("  sat i32 %d  sat u64 %llu\n", saturate_to_i32(d), (unsigned long long)saturate_to_u64(d));
        if (!isnan(d) && d > -2147483649.0 && d < 2147483648.0)
            printf("  (int) %d  (long) %ld  lround %ld  llrint %lld\n", (int)d, (long)d, lround(d), llrint(d));
        if (!isnan(d) && d >= 0 && d < 18446744073709551616.0)
            printf("  (unsigned long) %lu  (unsigned) %s\n", (unsigned long)d, d < 4294967296.0 ? "fits" : "no");
    }
    for (unsigned i = 0; i < sizeof integers / sizeof integers[0]; i++) {
        int64_t v = integers[i];
        printf("i64 %lld -> double %.17g float %.9g; i32 %d -> float %.9g\n", (long long)v, (double)v, (double)(float)v,
               (int32_t)v, (double)(float)(int32_t)v);
    }
    for (unsigned i = 0; i < sizeof unsigned_integers / sizeof unsigned_integers[0]; i++) {
        uint64_t v = unsigned_integers[i];
        printf("u64 %llu -> double %.17g float %.9g; u32 %u -> double %.17g\n", (unsigned long long)v, (double)v,
               (double)(float)v, (uint32_t)v, (double)(uint32_t)v);
    }

    volatile double a = 1.0 / 3.0, b = 2.0 / 7.0, c = 1e-300, big = 1e300;
    show_double("a + b", a + b);
    show_double("a - b", a - b);
    show_double("a * b", a * b);
    show_double("a / b", a / b);
    show_double("c * c (underflow)", c * c);
    show_double("c / big (subnormal)", c / big * 1e10);
    show_double("big * big (overflow)", big * big);
    show_double("-big * big", -big * big);
    show_double("0 * -1", 0.0 * -a);
    show_double("inf - inf", big * big - big * big);
    show_double("fmod(10.5, 3)", fmod(a * 31.5, b * 10.5));
    show_double("remainder", remainder(a * 31.5, b * 10.5));
    show_double("ldexp", ldexp(a, 100));
    int exponent;
    double mantissa = frexp(b * 1000, &exponent);
    printf("frexp: %.17g * 2^%d\n", mantissa, exponent);
    double int_part;
    show_double("modf frac", modf(-a * 100, &int_part));
    show_double("modf int", int_part);
    show_double("nextafter up", nextafter(a, 1.0));
    show_double("copysign", copysign(a, -0.0));

    volatile float fa = 1.0f / 3.0f, fb = 16777216.0f, fc = 1e-38f;
    printf("float ops: %.9g %.9g %.9g %.9g %.9g %.9g\n", (double)(fa + fb), (double)(fb + 1.0f), (double)(fa * fa),
           (double)(fc / 1e5f), (double)(fb / fa), (double)(fa - fb));
    float harmonic = 0;
    for (int i = 1; i <= 100000; i++)
        harmonic += 1.0f / (float)i;
    double harmonic_d = 0;
    for (int i = 1; i <= 100000; i++)
        harmonic_d += 1.0 / i;
    printf("harmonic float %.9g double %.17g\n", (double)harmonic, harmonic_d);
    return 0;
}

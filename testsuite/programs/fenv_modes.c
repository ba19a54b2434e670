/* The floating-point environment: results of arithmetic, conversions and rounding functions in each of the four
 * IEEE rounding modes (fesetround), and the cumulative exception flags (fetestexcept) that divisions by zero,
 * invalid operations (compares of NaNs among them), overflow, underflow and inexact results raise, including
 * across a system call and into a new thread (which starts with its creator's rounding mode and clear flags only
 * if the creator's were clear). */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static volatile double one = 1.0, three = 3.0, two = 2.0, minus_one = -1.0, zero = 0.0, big = DBL_MAX;
static volatile double tiny = DBL_MIN, half_up = 2.5, minus_half = -2.5, third_of_ten = 10.0 / 3.0;
static volatile int64_t large_int = 0x7ffffffffffffe01LL;
static volatile float f_one = 1.0f, f_three = 3.0f;
static volatile double beyond_int = 1e10 + 0.5, beyond_long = 1e19;
/* NaNs made from integer bits (combined with a volatile zero, so that the compiler computes them in a general
 * register and moves them to a floating-point one). */
static volatile uint64_t signalling_nan_bits = 0x7ff0000000000001ULL, quiet_nan_bits = 0x7ff8000000000001ULL;
static volatile uint32_t signalling_nanf_bits = 0x7f800001U, no_bits = 0;

static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
static const char *const mode_names[] = {"to-nearest", "upward", "downward", "toward-zero"};

#define RESULTS 12

/* Every result is computed in the mode under test and printed later in the default mode (printf's decimal
 * conversions follow the rounding mode too). */
static void compute(double out[RESULTS]) {
    out[0] = one / three;
    out[1] = minus_one / three;
    out[2] = sqrt(two);
    out[3] = (double)(f_one / f_three);
    out[4] = (double)(float)third_of_ten;
    out[5] = (double)large_int;
    out[6] = fma(third_of_ten, three, minus_one);
    out[7] = rint(half_up);
    out[8] = nearbyint(minus_half);
    out[9] = (double)lrint(minus_half);
    out[10] = third_of_ten * third_of_ten - one;
    out[11] = (double)(long)(third_of_ten * 3.0);
}

static void show_flags(const char *what) {
    int raised = fetestexcept(FE_ALL_EXCEPT);
    printf("  %-22s%s%s%s%s%s%s\n", what, raised ? "" : " none", raised & FE_INVALID ? " invalid" : "",
           raised & FE_DIVBYZERO ? " divbyzero" : "", raised & FE_OVERFLOW ? " overflow" : "",
           raised & FE_UNDERFLOW ? " underflow" : "", raised & FE_INEXACT ? " inexact" : "");
}

/* Raises the flags of one operation from a clear state and shows them. */
#define FLAGS_OF(label, expression)                                                                                  \
    do {                                                                                                             \
        feclearexcept(FE_ALL_EXCEPT);                                                                                \
        volatile double sink = (expression);                                                                         \
        (void)sink;                                                                                                  \
        show_flags(label);                                                                                           \
    } while (0)

static double double_from_bits(uint64_t bits) {
    double d;
    bits ^= no_bits;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static float float_from_bits(uint32_t bits) {
    float f;
    bits ^= no_bits;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static void *thread_body(void *unused) {
    (void)unused;
    printf("thread: mode %s\n", fegetround() == FE_UPWARD ? "upward" : "other");
    double sum = one / three;
    printf("thread: 1/3 upward %a\n", sum);
    return NULL;
}

int main(void) {
    for (unsigned m = 0; m < 4; m++) {
        double results[RESULTS];
        if (fesetround(modes[m]) != 0) {
            printf("fesetround(%s) failed\n", mode_names[m]);
            return 1;
        }
        compute(results);
        int current = fegetround();
        fesetround(FE_TONEAREST);
        printf("mode %s (fegetround %s):\n", mode_names[m], current == modes[m] ? "agrees" : "DIFFERS");
        for (unsigned i = 0; i < RESULTS; i++) {
            printf("  result %2u %a\n", i, results[i]);
        }
    }

    printf("flags:\n");
    FLAGS_OF("exact 1+2", one + two);
    FLAGS_OF("1/3", one / three);
    FLAGS_OF("1/0", one / zero);
    FLAGS_OF("0/0", zero / zero);
    FLAGS_OF("sqrt(-1)", sqrt(minus_one));
    FLAGS_OF("max*2", big * two);
    FLAGS_OF("min/3", tiny / three);
    FLAGS_OF("(long)(max/1e8)", (double)(long)(big / 1e8));
    /* Conversions to integers: inexact when a fraction is dropped, invalid (and nothing else) when the
     * value is out of range or a NaN, nothing when exact (Annex F; FCVTZS/FCVTZU on Arm, cvttsd2si on
     * x86-64). */
    FLAGS_OF("(long)2.5", (double)(long)half_up);
    FLAGS_OF("(int)-2.5", (double)(int)minus_half);
    FLAGS_OF("(int)(1e10+0.5)", (double)(int)beyond_int);
    FLAGS_OF("(long)(0/0)", (double)(long)(zero / zero));
    FLAGS_OF("(long)3.0", (double)(long)three);
    FLAGS_OF("(unsigned long)1e19", (double)(unsigned long)beyond_long);
    FLAGS_OF("(int)(float)2.5", (double)(int)(float)half_up);
    FLAGS_OF("(float)1/3", (float)(one / three));
    /* Equality compares are quiet: invalid for a signalling NaN only (FCMP on Arm, ucomisd on x86-64);
     * ordering compares raise it for any NaN (FCMPE, comisd). */
    FLAGS_OF("sNaN == 0", (double)(double_from_bits(signalling_nan_bits) == 0.0));
    FLAGS_OF("sNaN != 1", (double)(double_from_bits(signalling_nan_bits) != 1.0));
    FLAGS_OF("qNaN == 0", (double)(double_from_bits(quiet_nan_bits) == 0.0));
    FLAGS_OF("qNaN < 1", (double)(double_from_bits(quiet_nan_bits) < 1.0));
    FLAGS_OF("(float)sNaN == 0", (double)(float_from_bits(signalling_nanf_bits) == 0.0f));

    /* Flags are sticky, survive a system call, and are cleared one by one. */
    feclearexcept(FE_ALL_EXCEPT);
    volatile double a = one / zero;
    volatile double b = one / three;
    (void)a;
    (void)b;
    char note[] = "(a write in between)\n";
    if (write(1, note, strlen(note)) < 0) {
        return 1;
    }
    show_flags("sticky after write");
    feclearexcept(FE_DIVBYZERO);
    show_flags("after clearing one");
    fexcept_t saved;
    fegetexceptflag(&saved, FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    show_flags("cleared");
    fesetexceptflag(&saved, FE_ALL_EXCEPT);
    show_flags("restored");
    fflush(stdout);

    /* A new thread inherits its creator's rounding mode. */
    fesetround(FE_UPWARD);
    pthread_t thread;
    if (pthread_create(&thread, NULL, thread_body, NULL) != 0 || pthread_join(thread, NULL) != 0) {
        return 1;
    }
    fesetround(FE_TONEAREST);
    printf("done\n");
    return 0;
}

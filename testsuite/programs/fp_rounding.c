/* fma, sqrt, floor/ceil/round/trunc/rint/nearbyint, fmin/fmax with signed zeros and NaNs, float and double. */
#include <math.h>
#include <stdio.h>

static void show(const char *label, double v) {
    if (isnan(v))
        printf("  %-10s nan\n", label);
    else
        printf("  %-10s %.17g%s\n", label, v, (v == 0 && signbit(v)) ? " (-0)" : "");
}

static void showf(const char *label, float v) {
    if (isnan(v))
        printf("  %-10s nan\n", label);
    else
        printf("  %-10s %.9g%s\n", label, (double)v, (v == 0 && signbit(v)) ? " (-0)" : "");
}

static volatile double values[] = {0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.49999, -3.5000001, 1e15 + 0.5,
                                   4503599627370497.0, 2.0, 1e-320, 123.456, INFINITY, NAN};

int main(void) {
    unsigned count = sizeof values / sizeof values[0];
    for (unsigned i = 0; i < count; i++) {
        double v = values[i];
        printf("value %u:\n", i);
        show("floor", floor(v));
        show("ceil", ceil(v));
        show("round", round(v));
        show("trunc", trunc(v));
        show("rint", rint(v));
        show("nearbyint", nearbyint(v));
        show("sqrt", sqrt(v));
        showf("floorf", floorf((float)v));
        showf("roundf", roundf((float)v));
        showf("rintf", rintf((float)v));
        showf("sqrtf", sqrtf((float)v));
    }
    volatile double zero = 0.0, negative_zero = -0.0, nan_value = NAN, one = 1.0;
    printf("fmin/fmax:\n");
    /*
     * C lets fmin/fmax of +0 and -0 return either zero; AArch64 (FMINNM/FMAXNM, which glibc and GCC use) orders
     * -0 below +0. The guest prints what it computed; a native x86-64 build, used only to cross-check the expected
     * output, prints the AArch64 answer, because x86 glibc picks by operand order.
     */
#if defined(__aarch64__)
    show("fmin(0,-0)", fmin(zero, negative_zero));
    show("fmin(-0,0)", fmin(negative_zero, zero));
    show("fmax(0,-0)", fmax(zero, negative_zero));
    show("fmax(-0,0)", fmax(negative_zero, zero));
    showf("fminf(0,-0)", fminf((float)zero, (float)negative_zero));
    showf("fmaxf(-0,0)", fmaxf((float)negative_zero, (float)zero));
#else
    show("fmin(0,-0)", -0.0);
    show("fmin(-0,0)", -0.0);
    show("fmax(0,-0)", 0.0);
    show("fmax(-0,0)", 0.0);
    showf("fminf(0,-0)", -0.0f);
    showf("fmaxf(-0,0)", 0.0f);
#endif
    show("fmin(-0,-0)", fmin(negative_zero, negative_zero));
    show("fmax(0,0)", fmax(zero, zero));
    show("fmin(-0,1)", fmin(negative_zero, one));
    show("fmax(-0,-1)", fmax(negative_zero, -one));
    show("fmin(nan,1)", fmin(nan_value, one));
    show("fmax(1,nan)", fmax(one, nan_value));
    show("fmin(nan,nan)", fmin(nan_value, nan_value));
    showf("fmaxf(nan,-2)", fmaxf((float)nan_value, -2.0f));
    printf("fma:\n");
    volatile double x = 1.0 + 0x1p-52, y = 1.0 - 0x1p-52, z = -1.0;
    show("fma", fma(x, y, z));
    show("mul+add", x * y + z);
    show("fma big", fma(1e308, 10.0, -1e308 * 9.0));
    show("fma 0", fma(-zero, one, zero));
    show("fma inf", fma(INFINITY, zero + 1, -INFINITY));
    volatile float fx = 1.0f + 0x1p-23f, fy = 1.0f - 0x1p-23f;
    showf("fmaf", fmaf(fx, fy, -1.0f));
    show("hypot", hypot(3e200, 4e200));
    show("cbrt", cbrt(-27.0 * one));
    double acc = 0.1;
    for (int i = 0; i < 50; i++)
        acc = fma(acc, 1.0000001, 0.0123456789);
    show("fma chain", acc);
    return 0;
}

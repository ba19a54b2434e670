/* libm transcendental functions printed with %.10g: sin, cos, tan, exp, log, pow, atan2 and friends. */
#include <math.h>
#include <stdio.h>

static void show(const char *label, double v) {
    if (isnan(v))
        printf("%s = nan\n", label);
    else
        printf("%s = %.10g\n", label, v);
}

int main(void) {
    char label[64];
    for (int i = -8; i <= 8; i++) {
        double x = i * 0.7853981633974483 * 0.75;
        snprintf(label, sizeof label, "sin(%.4f)", x);
        show(label, sin(x));
        snprintf(label, sizeof label, "cos(%.4f)", x);
        show(label, cos(x));
        snprintf(label, sizeof label, "tan(%.4f)", x);
        show(label, tan(x));
    }
    const double large[] = {1e6, 1e10, 123456.789, -98765.4321};
    for (unsigned i = 0; i < 4; i++) {
        snprintf(label, sizeof label, "sin/cos(%g)", large[i]);
        show(label, sin(large[i]) + 2 * cos(large[i]));
    }
    for (int i = -6; i <= 10; i++) {
        double x = i * 1.37;
        snprintf(label, sizeof label, "exp(%.2f)", x);
        show(label, exp(x));
        snprintf(label, sizeof label, "exp2/expm1(%.2f)", x);
        show(label, exp2(x) + expm1(x / 100));
    }
    const double positives[] = {1e-300, 1e-5, 0.5, 1.0, 2.0, 2.718281828459045, 10.0, 12345.678, 1e300};
    for (unsigned i = 0; i < sizeof positives / sizeof positives[0]; i++) {
        double x = positives[i];
        snprintf(label, sizeof label, "log(%g)", x);
        show(label, log(x));
        snprintf(label, sizeof label, "log2/log10/log1p(%g)", x);
        show(label, log2(x) + log10(x) * 3 + log1p(x));
    }
    show("log(0)", log(0.0));
    show("log(-1)", log(-1.0));
    const double bases[] = {2.0, -2.0, 0.5, 10.0, 1.0001, 0.0, -0.0};
    const double exponents[] = {0.0, 1.0, -1.0, 0.5, 3.0, -3.5, 10.25, 1000.0};
    for (unsigned i = 0; i < 7; i++)
        for (unsigned j = 0; j < 8; j++) {
            snprintf(label, sizeof label, "pow(%g, %g)", bases[i], exponents[j]);
            show(label, pow(bases[i], exponents[j]));
        }
    const double coordinates[] = {0.0, 1.0, -1.0, 0.5, -3.0, 1e-10};
    for (unsigned i = 0; i < 6; i++)
        for (unsigned j = 0; j < 6; j++) {
            snprintf(label, sizeof label, "atan2(%g, %g)", coordinates[i], coordinates[j]);
            show(label, atan2(coordinates[i], coordinates[j]));
        }
    for (int i = -4; i <= 4; i++) {
        double x = i * 0.24;
        snprintf(label, sizeof label, "asin/acos/atan(%.2f)", x);
        show(label, asin(x) + 2 * acos(x) + 3 * atan(x * 10));
        snprintf(label, sizeof label, "sinh/cosh/tanh(%.2f)", x);
        show(label, sinh(x * 5) + cosh(x) + tanh(x * 3));
    }
    float angle = 0.1f;
    for (int i = 0; i < 5; i++) {
        snprintf(label, sizeof label, "sinf/cosf/expf/logf(%.2f)", (double)angle);
        show(label, (double)(sinf(angle) + cosf(angle) * 2 + expf(angle) / 3 + logf(angle)));
        angle *= 3.3f;
    }
    return 0;
}

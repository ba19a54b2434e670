/* printf of doubles: %f %e %g %a-free with widths and precisions, special values, and rounding of halves. */
#include <float.h>
#include <math.h>
#include <stdio.h>

static void print_special(const char *label, double value) {
    if (isnan(value))
        printf("%s: nan\n", label);
    else
        printf("%s: [%f] [%e] [%g] [%10.3f] [%-12g|] [%+.2e]\n", label, value, value, value, value, value, value);
}

int main(void) {
    const double values[] = {0.0,        -0.0,     1.0,     -1.5,        0.1,      1.0 / 3.0, 2.0 / 3.0,
                             123456.789, 1e-5,     1e-300,  1e300,       DBL_MAX,  DBL_MIN,   DBL_EPSILON,
                             0.5,        2.5,      -2.5,    0.125,       1234.5678, 99999.95, 5e-324};
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
        double v = values[i];
        printf("%2u: [%f] [%.0f] [%.1f] [%.10f] [%e] [%.3e] [%g] [%.3g] [%.17g] [%12.4f] [%-12.2e|] [%+g] [%#.0f]\n",
               i, v, v, v, v, v, v, v, v, v, v, v, v, v);
    }
    print_special("inf", INFINITY);
    print_special("-inf", -INFINITY);
    volatile double zero = 0.0;
    print_special("0/0", zero / zero);
    print_special("inf-inf", INFINITY - INFINITY);
    print_special("sqrt(-1)", sqrt(-1.0 + zero));
    printf("float promoted: [%f] [%g] [%e]\n", (double)1.1f, (double)3.14159265f, (double)FLT_MAX);
    for (int precision = 0; precision <= 8; precision++)
        printf("pi to %d: %.*f %.*e %.*g\n", precision, precision, M_PI, precision, M_PI, precision, M_PI);
    double x = 1.0;
    for (int i = 0; i < 12; i++) {
        printf("%g ", x);
        x *= -7.5;
    }
    printf("\n");
    return 0;
}

/* Text conversions: strtol/strtoul/strtoll with bases and errors, strtod, sscanf and snprintf round trips. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    const char *integers[] = {"0", "42", "-17", "  +99xyz", "0x1F", "0777", "zz", "", "9223372036854775807",
                              "9223372036854775808", "-9223372036854775809", "1010", "-0", "12abc"};
    const int bases[] = {10, 0, 16, 8, 2, 36};
    for (unsigned i = 0; i < sizeof integers / sizeof integers[0]; i++) {
        for (unsigned j = 0; j < sizeof bases / sizeof bases[0]; j++) {
            char *end;
            errno = 0;
            long value = strtol(integers[i], &end, bases[j]);
            int range_error = errno == ERANGE;
            errno = 0;
            unsigned long uvalue = strtoul(integers[i], NULL, bases[j]);
            printf("strtol(\"%s\", %d) = %ld, consumed %ld, erange %d; strtoul %lu erange %d\n", integers[i], bases[j],
                   value, (long)(end - integers[i]), range_error, uvalue, errno == ERANGE);
        }
    }
    const char *reals[] = {"0", "3.14159", "-2.5e-3", "1e308", "1e309", "-1e-400", "  .5", "0x1.8p3", "inf",
                           "-Infinity", "nan", "1.7976931348623157e308", "2.2250738585072014e-308", "4.9e-324",
                           "123abc", "abc", "0.1", "1e23", "8.589973e9"};
    for (unsigned i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        char *end;
        errno = 0;
        double value = strtod(reals[i], &end);
        int range_error = errno == ERANGE;
        if (isnan(value))
            printf("strtod(\"%s\") = nan, consumed %ld\n", reals[i], (long)(end - reals[i]));
        else
            printf("strtod(\"%s\") = %.17g, consumed %ld, erange %d\n", reals[i], value, (long)(end - reals[i]),
                   range_error);
        float f = strtof(reals[i], NULL);
        if (!isnan(f))
            printf("  strtof = %.9g\n", (double)f);
    }

    const char *records[] = {"alice 30 1.75 red", "bob -4 2e2 blue", "carol x 3 green", "dave 7", "eve 2147483647 -0.0 z"};
    for (unsigned i = 0; i < sizeof records / sizeof records[0]; i++) {
        char name[16] = "", colour[16] = "";
        int age = 0;
        double height = 0;
        int fields = sscanf(records[i], "%15s %d %lf %15s", name, &age, &height, colour);
        printf("sscanf \"%s\": %d fields, name %s age %d height %g colour %s\n", records[i], fields, name, age, height,
               colour);
    }
    unsigned hex = 0;
    char letters[8] = "";
    int position = 0;
    int matched = sscanf("ff:abc-rest", "%x:%7[a-z]-%n", &hex, letters, &position);
    printf("sscanf scanset: %d matched, hex %u, letters %s, position %d\n", matched, hex, letters, position);

    char buffer[256];
    unsigned long round_trip_errors = 0;
    for (int i = -5000; i <= 5000; i += 7) {
        double value = i / 7.0 * 1.0e-3 * (i % 3 == 0 ? 1e10 : 1);
        snprintf(buffer, sizeof buffer, "%.17g", value);
        if (strtod(buffer, NULL) != value)
            round_trip_errors++;
        snprintf(buffer, sizeof buffer, "%ld", (long)i * 1000003L);
        if (strtol(buffer, NULL, 10) != (long)i * 1000003L)
            round_trip_errors++;
    }
    printf("round trip errors: %lu\n", round_trip_errors);
    int length = snprintf(buffer, sizeof buffer, "%s|%5.1f|%-4d|%x|%c", "text", 2.25, 7, 255, 'q');
    printf("snprintf: \"%s\" length %d\n", buffer, length);
    printf("atoi %d atol %ld atof %g\n", atoi("  -123junk"), atol("99999999999"), atof("6.02e23"));
    return 0;
}

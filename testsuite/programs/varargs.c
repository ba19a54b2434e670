/* Variadic functions: va_arg of ints, longs, doubles and pointers, va_copy, and a vsnprintf wrapper. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static long sum_ints(int count, ...) {
    va_list args;
    va_start(args, count);
    long total = 0;
    for (int i = 0; i < count; i++)
        total += va_arg(args, int);
    va_end(args);
    return total;
}

/* The format letters say the type of each argument: i int, l long, d double, s string. */
static double mixed_sum(const char *format, ...) {
    va_list args, again;
    va_start(args, format);
    va_copy(again, args);
    double total = 0;
    for (const char *f = format; *f; f++) {
        switch (*f) {
        case 'i': total += va_arg(args, int); break;
        case 'l': total += (double)va_arg(args, long); break;
        case 'd': total += va_arg(args, double); break;
        case 's': total += (double)strlen(va_arg(args, const char *)); break;
        }
    }
    va_end(args);
    /* The copy walks the same arguments again, counting only the doubles. */
    int doubles = 0;
    for (const char *f = format; *f; f++) {
        if (*f == 'd') {
            doubles++;
            (void)va_arg(again, double);
        } else if (*f == 's') {
            (void)va_arg(again, const char *);
        } else if (*f == 'l') {
            (void)va_arg(again, long);
        } else {
            (void)va_arg(again, int);
        }
    }
    va_end(again);
    return total * 1000 + doubles;
}

static int log_line(char *buffer, size_t size, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int written = vsnprintf(buffer, size, format, args);
    va_end(args);
    return written;
}

int main(void) {
    printf("sum_ints: %ld %ld %ld\n", sum_ints(0), sum_ints(3, 1, 2, 3),
           sum_ints(12, 1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, 1000000));
    printf("mixed: %.3f\n", mixed_sum("idls", 5, 2.5, 10000000000L, "hello"));
    printf("mixed: %.3f\n", mixed_sum("ddddddddddi", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 42));
    printf("mixed: %.3f\n", mixed_sum("iiiiiiiiiilllld", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1L, 2L, 3L, 4L, 0.125));
    char buffer[128];
    int written = log_line(buffer, sizeof buffer, "[%s] %d items at %.2f each, code %#x", "store", 17, 3.75, 48879);
    printf("%s (%d)\n", buffer, written);
    written = log_line(buffer, 10, "%s", "this does not fit in ten bytes");
    printf("%s (%d)\n", buffer, written);
    return 0;
}

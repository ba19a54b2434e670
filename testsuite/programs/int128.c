/* __int128 arithmetic: multiplication, division, remainder, shifts and comparisons, printed by manual conversion. */
#include <stdio.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

static void print_u128(const char *label, u128 value) {
    char digits[48];
    int position = sizeof digits - 1;
    digits[position] = '\0';
    do {
        digits[--position] = (char)('0' + (int)(value % 10));
        value /= 10;
    } while (value != 0);
    printf("%s%s\n", label, &digits[position]);
}

static void print_i128(const char *label, i128 value) {
    if (value < 0) {
        printf("%s-", label);
        print_u128("", -(u128)value);
    } else {
        print_u128(label, (u128)value);
    }
}

static void print_hex(const char *label, u128 value) {
    printf("%s%016llx%016llx\n", label, (unsigned long long)(value >> 64), (unsigned long long)value);
}

/* The volatile keeps the operands opaque so the operations are computed at run time. */
static volatile unsigned long long opaque_values[] = {
    0xffffffffffffffffULL, 0x123456789abcdef0ULL, 3, 10, 0x8000000000000000ULL, 1000000007ULL, 0, 0xfedcba9876543210ULL,
};

int main(void) {
    u128 max = ~(u128)0;
    print_u128("max u128 = ", max);
    print_i128("max i128 = ", (i128)(max >> 1));
    print_i128("min i128 = ", -(i128)(max >> 1) - 1);
    unsigned count = sizeof opaque_values / sizeof opaque_values[0];
    for (unsigned i = 0; i < count; i++) {
        for (unsigned j = 0; j < count; j++) {
            u128 a = ((u128)opaque_values[i] << 64) | opaque_values[(i + 3) % count];
            u128 b = (u128)opaque_values[j] * opaque_values[(j + 5) % count];
            printf("case %u,%u\n", i, j);
            print_hex("  a       = ", a);
            print_hex("  b       = ", b);
            print_hex("  a + b   = ", a + b);
            print_hex("  a - b   = ", a - b);
            print_hex("  a * b   = ", a * b);
            if (b != 0) {
                print_u128("  a / b   = ", a / b);
                print_u128("  a % b   = ", a % b);
                i128 sa = (i128)a, sb = (i128)b;
                if (!(sb == -1 && sa == -(i128)(max >> 1) - 1)) {
                    print_i128("  sa / sb = ", sa / sb);
                    print_i128("  sa % sb = ", sa % sb);
                }
            }
            unsigned shift = (unsigned)(opaque_values[j] % 128);
            print_hex("  a << s  = ", a << shift);
            print_hex("  a >> s  = ", a >> shift);
            print_hex("  sa >> s = ", (u128)((i128)a >> shift));
            printf("  compare  = %d %d %d\n", a < b, (i128)a < (i128)b, a == b);
        }
    }
    u128 factorial = 1;
    for (unsigned n = 1; n <= 34; n++)
        factorial *= n;
    print_u128("34! = ", factorial);
    u128 power = 1;
    int steps = 0;
    while (power <= max / 3) {
        power *= 3;
        steps++;
    }
    printf("3^%d fits: ", steps);
    print_u128("", power);
    return 0;
}

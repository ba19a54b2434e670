/* Control flow: counted and conditional loops, nested conditions, break/continue and goto. */
#include <stdio.h>

static int classify(int value) {
    if (value < 0) {
        if (value < -100)
            return -2;
        return -1;
    } else if (value == 0) {
        return 0;
    } else {
        if (value % 2 == 0) {
            if (value % 3 == 0)
                return 6;
            return 2;
        }
        return value > 50 ? 5 : 1;
    }
}

static int find_pair(const int *values, int count, int target, int *first, int *second) {
    for (int i = 0; i < count; i++) {
        for (int j = i + 1; j < count; j++) {
            if (values[i] + values[j] == target) {
                *first = i;
                *second = j;
                goto found;
            }
        }
    }
    return 0;
found:
    return 1;
}

static unsigned collatz_steps(unsigned long long n) {
    unsigned steps = 0;
    while (n != 1) {
        n = (n & 1) ? 3 * n + 1 : n / 2;
        steps++;
    }
    return steps;
}

int main(void) {
    int histogram[9] = {0};
    for (int v = -150; v <= 150; v += 7)
        histogram[classify(v) + 2]++;
    for (int i = 0; i < 9; i++)
        printf("class %d: %d\n", i - 2, histogram[i]);

    int values[] = {3, 9, -4, 17, 22, 5, 11, 40, -8, 13};
    int first = -1, second = -1;
    for (int target = 10; target <= 40; target += 6) {
        if (find_pair(values, 10, target, &first, &second))
            printf("pair for %d: %d+%d\n", target, values[first], values[second]);
        else
            printf("pair for %d: none\n", target);
    }

    unsigned best = 0, best_n = 0;
    for (unsigned n = 1; n < 30000; n++) {
        unsigned steps = collatz_steps(n);
        if (steps > best) {
            best = steps;
            best_n = n;
        }
    }
    printf("longest collatz below 30000: %u (%u steps)\n", best_n, best);

    int total = 0, i = 0;
    do {
        i++;
        if (i % 5 == 0)
            continue;
        if (i > 97)
            break;
        total += i * (i & 3);
    } while (i < 1000);
    printf("do-while total %d after %d\n", total, i);

    unsigned state = 1;
    int retries = 0;
retry:
    state = state * 1103515245u + 12345u;
    if ((state >> 16) % 17 != 0 && retries < 1000) {
        retries++;
        goto retry;
    }
    printf("goto loop retries %d state %u\n", retries, state);
    return 0;
}

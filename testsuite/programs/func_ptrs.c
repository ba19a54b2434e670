/* Function pointers: tables of operations, callbacks with context, and pointers returned from functions. */
#include <stdio.h>

typedef long (*binary_op)(long, long);

static long op_add(long a, long b) { return a + b; }
static long op_sub(long a, long b) { return a - b; }
static long op_mul(long a, long b) { return a * b; }
static long op_max(long a, long b) { return a > b ? a : b; }
static long op_xor(long a, long b) { return a ^ b; }

static const struct {
    const char *name;
    binary_op fn;
} operations[] = {{"add", op_add}, {"sub", op_sub}, {"mul", op_mul}, {"max", op_max}, {"xor", op_xor}};

static long fold(const long *values, int count, binary_op fn, long initial) {
    long acc = initial;
    for (int i = 0; i < count; i++)
        acc = fn(acc, values[i]);
    return acc;
}

typedef void (*visitor)(int value, void *context);

static void for_each(const int *values, int count, visitor visit, void *context) {
    for (int i = 0; i < count; i++)
        visit(values[i], context);
}

struct stats {
    long sum;
    int min, max, count;
};

static void collect(int value, void *context) {
    struct stats *s = context;
    s->sum += value;
    if (s->count == 0 || value < s->min)
        s->min = value;
    if (s->count == 0 || value > s->max)
        s->max = value;
    s->count++;
}

static void print_value(int value, void *context) {
    int *column = context;
    printf("%5d%s", value, (++*column % 8 == 0) ? "\n" : "");
}

static binary_op pick(int index) { return operations[index % 5].fn; }

static int apply_n(int (*fn)(int), int times, int start) {
    for (int i = 0; i < times; i++)
        start = fn(start);
    return start;
}

static int step_a(int x) { return x * 3 + 1; }
static int step_b(int x) { return (x >> 1) ^ 0x55; }

int main(void) {
    long values[] = {7, -3, 12, 5, 9, -11, 4};
    for (int i = 0; i < 5; i++)
        printf("fold %s = %ld\n", operations[i].name, fold(values, 7, operations[i].fn, i == 2 ? 1 : 0));

    int numbers[24];
    for (int i = 0; i < 24; i++)
        numbers[i] = (i * 37 + 11) % 101 - 50;
    struct stats s = {0, 0, 0, 0};
    for_each(numbers, 24, collect, &s);
    printf("stats: sum %ld min %d max %d count %d\n", s.sum, s.min, s.max, s.count);
    int column = 0;
    for_each(numbers, 24, print_value, &column);

    long acc = 1;
    for (int i = 0; i < 20; i++)
        acc = pick(i * 7)(acc, i + 2);
    printf("picked chain = %ld\n", acc);

    int (*steps[2])(int) = {step_a, step_b};
    for (int i = 0; i < 4; i++)
        printf("apply_n(%d) = %d\n", i, apply_n(steps[i & 1], 5 + i, i));
    return 0;
}

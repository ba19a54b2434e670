/* Indirect-call heavy: "shapes" that carry a pointer to a table of operations (a hand-written vtable),
 * plus a table of plain function pointers picked by a pseudo-random index, so nearly every call is an
 * indirect branch whose target changes from one call to the next. The checksum is the accumulated
 * result. CALLS is the size knob. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#ifndef CALLS
#define CALLS 50000000u
#endif

#define SHAPE_COUNT 64

struct shape;

struct shape_operations {
    uint64_t (*area)(const struct shape *shape);
    void (*grow)(struct shape *shape, uint32_t amount);
};

struct shape {
    const struct shape_operations *operations;
    uint32_t width, height;
};

__attribute__((noinline)) static uint64_t rectangle_area(const struct shape *s) {
    return (uint64_t)s->width * s->height;
}
__attribute__((noinline)) static void rectangle_grow(struct shape *s, uint32_t amount) {
    s->width = (s->width + amount) & 0xffff;
}
__attribute__((noinline)) static uint64_t triangle_area(const struct shape *s) {
    return (uint64_t)s->width * s->height / 2;
}
__attribute__((noinline)) static void triangle_grow(struct shape *s, uint32_t amount) {
    s->height = (s->height + amount * 3) & 0xffff;
}
__attribute__((noinline)) static uint64_t square_area(const struct shape *s) {
    return (uint64_t)s->width * s->width;
}
__attribute__((noinline)) static void square_grow(struct shape *s, uint32_t amount) {
    s->width = (s->width ^ amount) & 0xffff;
}

static const struct shape_operations rectangle_operations = {rectangle_area, rectangle_grow};
static const struct shape_operations triangle_operations = {triangle_area, triangle_grow};
static const struct shape_operations square_operations = {square_area, square_grow};

__attribute__((noinline)) static uint64_t op_add(uint64_t a, uint64_t b) { return a + b; }
__attribute__((noinline)) static uint64_t op_xor(uint64_t a, uint64_t b) { return a ^ (b << 1); }
__attribute__((noinline)) static uint64_t op_mul(uint64_t a, uint64_t b) { return a * (b | 1); }
__attribute__((noinline)) static uint64_t op_rotate(uint64_t a, uint64_t b) { return (a << 13 | a >> 51) + b; }

static uint64_t (*const binary_operations[4])(uint64_t, uint64_t) = {op_add, op_xor, op_mul, op_rotate};

int main(void) {
    static struct shape shapes[SHAPE_COUNT];
    const struct shape_operations *kinds[3] = {&rectangle_operations, &triangle_operations, &square_operations};
    for (int i = 0; i < SHAPE_COUNT; i++) {
        shapes[i].operations = kinds[(i * 7) % 3];
        shapes[i].width = 3 + i;
        shapes[i].height = 5 + 2 * i;
    }
    uint64_t accumulator = 1;
    uint32_t random_state = 12345;
    for (uint32_t i = 0; i < CALLS; i++) {
        random_state = random_state * 1103515245u + 12345u;
        struct shape *s = &shapes[(random_state >> 16) % SHAPE_COUNT];
        uint64_t area = s->operations->area(s);
        s->operations->grow(s, i & 15);
        accumulator = binary_operations[(random_state >> 28) & 3](accumulator, area);
    }
    printf("fptr %016" PRIx64 "\n", accumulator);
    return 0;
}

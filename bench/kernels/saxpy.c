/* SIMD-friendly loops: saxpy and dot products over int32 and float arrays that fit in the L2 cache, the
 * shape auto-vectorisers turn into vector code. The float dot product keeps its sequential order (no
 * -ffast-math), so it is exact to reproduce. The checksum combines the int sums and the float sums' bits.
 * ELEMENTS and REPEATS are the size knobs; build with -ffp-contract=off. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef ELEMENTS
#define ELEMENTS 16384
#endif
#ifndef REPEATS
#define REPEATS 30000
#endif

static int32_t int_x[ELEMENTS], int_y[ELEMENTS];
static float float_x[ELEMENTS], float_y[ELEMENTS];

__attribute__((noinline)) static void int_saxpy(int32_t a, const int32_t *x, int32_t *y, int n) {
    for (int i = 0; i < n; i++) {
        y[i] = a * x[i] + (y[i] >> 1);
    }
}

__attribute__((noinline)) static int64_t int_dot(const int32_t *x, const int32_t *y, int n) {
    int64_t sum = 0;
    for (int i = 0; i < n; i++) {
        sum += (int64_t)x[i] * y[i];
    }
    return sum;
}

__attribute__((noinline)) static void float_saxpy(float a, const float *x, float *y, int n) {
    for (int i = 0; i < n; i++) {
        y[i] = a * x[i] + y[i] * 0.5f;
    }
}

__attribute__((noinline)) static float float_dot(const float *x, const float *y, int n) {
    float sum = 0;
    for (int i = 0; i < n; i++) {
        sum += x[i] * y[i];
    }
    return sum;
}

int main(void) {
    for (int i = 0; i < ELEMENTS; i++) {
        int_x[i] = (i * 7919) % 2001 - 1000;
        int_y[i] = (i * 104729) % 3001 - 1500;
        float_x[i] = (float)((i * 31) % 1000) / 250.0f - 2.0f;
        float_y[i] = (float)((i * 17) % 1000) / 500.0f;
    }
    int64_t int_checksum = 0;
    uint32_t float_checksum = 0;
    for (int r = 0; r < REPEATS; r++) {
        int_saxpy(3 + (r & 3), int_x, int_y, ELEMENTS);
        int_checksum += int_dot(int_x, int_y, ELEMENTS);
        float_saxpy(0.25f + (float)(r & 7) * 0.125f, float_x, float_y, ELEMENTS);
        float dot = float_dot(float_x, float_y, ELEMENTS);
        uint32_t bits;
        memcpy(&bits, &dot, sizeof bits);
        float_checksum = (float_checksum << 5 | float_checksum >> 27) ^ bits;
    }
    printf("saxpy %" PRId64 " %08" PRIx32 "\n", int_checksum, float_checksum);
    return 0;
}

/* Sort: qsort of one million pseudo-random ints with a comparison callback, repeated with fresh data; the
 * time goes to the C library's sort and to the indirect calls of the comparator. The checksum mixes
 * sampled elements of each sorted array. ELEMENTS and ROUNDS are the size knobs. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef ELEMENTS
#define ELEMENTS 1000000
#endif
#ifndef ROUNDS
#define ROUNDS 5
#endif

static int compare_ints(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void) {
    int *values = malloc(ELEMENTS * sizeof(int));
    if (values == NULL) {
        return 1;
    }
    uint64_t random_state = 88172645463325252ull;
    uint64_t checksum = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < ELEMENTS; i++) {
            random_state ^= random_state << 13;
            random_state ^= random_state >> 7;
            random_state ^= random_state << 17;
            values[i] = (int)(uint32_t)random_state;
        }
        qsort(values, ELEMENTS, sizeof(int), compare_ints);
        for (int i = 1; i < ELEMENTS; i++) {
            if (values[i - 1] > values[i]) {
                printf("sort: not sorted at %d\n", i);
                return 1;
            }
        }
        for (int i = 0; i < ELEMENTS; i += 997) {
            checksum = checksum * 1000003 + (uint32_t)values[i];
        }
    }
    printf("sort %016" PRIx64 "\n", checksum);
    free(values);
    return 0;
}

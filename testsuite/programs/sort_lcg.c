/* Sorts 100000 pseudo-random numbers from an LCG with a hand-written merge sort and an in-place quicksort. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COUNT = 100000 };

static uint64_t lcg = 88172645463325252ULL;
static uint32_t next_random(void) {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg >> 33);
}

static void merge_sort(uint32_t *values, uint32_t *scratch, size_t count) {
    if (count < 2)
        return;
    size_t half = count / 2;
    merge_sort(values, scratch, half);
    merge_sort(values + half, scratch, count - half);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < count)
        scratch[k++] = values[i] <= values[j] ? values[i++] : values[j++];
    while (i < half)
        scratch[k++] = values[i++];
    while (j < count)
        scratch[k++] = values[j++];
    memcpy(values, scratch, count * sizeof *values);
}

static void quick_sort(int64_t *values, long low, long high) {
    while (low < high) {
        int64_t pivot = values[low + (high - low) / 2];
        long i = low, j = high;
        while (i <= j) {
            while (values[i] < pivot)
                i++;
            while (values[j] > pivot)
                j--;
            if (i <= j) {
                int64_t t = values[i];
                values[i++] = values[j];
                values[j--] = t;
            }
        }
        if (j - low < high - i) {
            quick_sort(values, low, j);
            low = i;
        } else {
            quick_sort(values, i, high);
            high = j;
        }
    }
}

int main(void) {
    uint32_t *values = malloc(COUNT * sizeof *values);
    uint32_t *scratch = malloc(COUNT * sizeof *scratch);
    int64_t *signed_values = malloc(COUNT * sizeof *signed_values);
    for (int i = 0; i < COUNT; i++) {
        values[i] = next_random();
        signed_values[i] = (int64_t)next_random() * ((i & 1) ? -1 : 1) * 12345;
    }
    merge_sort(values, scratch, COUNT);
    quick_sort(signed_values, 0, COUNT - 1);
    int ordered = 1;
    uint64_t hash = 1469598103934665603ULL;
    for (int i = 0; i < COUNT; i++) {
        if (i > 0 && (values[i - 1] > values[i] || signed_values[i - 1] > signed_values[i]))
            ordered = 0;
        hash = (hash ^ values[i]) * 1099511628211ULL;
        hash = (hash ^ (uint64_t)signed_values[i]) * 1099511628211ULL;
    }
    printf("ordered %d hash %016llx\n", ordered, (unsigned long long)hash);
    for (int i = 0; i < COUNT; i += COUNT / 10)
        printf("values[%d] = %u, signed[%d] = %lld\n", i, values[i], i, (long long)signed_values[i]);
    printf("min %u max %u\n", values[0], values[COUNT - 1]);
    free(values);
    free(scratch);
    free(signed_values);
    return 0;
}

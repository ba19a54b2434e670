/* Memory-bound streaming: copies one 32 MiB array of 64-bit words into another and sums the copy, over and
 * over, so the time goes to moving data through the caches and memory rather than to arithmetic. The
 * checksum is the running sum. WORDS (array length) and PASSES are the size knobs. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef WORDS
#define WORDS (4u << 20)
#endif
#ifndef PASSES
#define PASSES 60
#endif

int main(void) {
    uint64_t *source = malloc(WORDS * sizeof(uint64_t));
    uint64_t *destination = malloc(WORDS * sizeof(uint64_t));
    if (source == NULL || destination == NULL) {
        return 1;
    }
    for (uint32_t i = 0; i < WORDS; i++) {
        source[i] = (uint64_t)i * 0x9e3779b97f4a7c15ull;
    }
    uint64_t sum = 0;
    for (int pass = 0; pass < PASSES; pass++) {
        if (pass % 2 == 0) {
            memcpy(destination, source, WORDS * sizeof(uint64_t));
        } else {
            for (uint32_t i = 0; i < WORDS; i++) {
                destination[i] = source[i] + (uint64_t)pass;
            }
        }
        for (uint32_t i = 0; i < WORDS; i++) {
            sum += destination[i] ^ (sum >> 3);
        }
        source[pass] ^= sum;
    }
    printf("stream %016" PRIx64 "\n", sum);
    free(source);
    free(destination);
    return 0;
}

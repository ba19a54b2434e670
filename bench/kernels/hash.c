/* Integer hash mixing: runs the splitmix64 finalizer and a 32-bit murmur-style mixer over a counter and
 * folds the results together, so the loop is a chain of 64-bit multiplies, shifts and xors with no memory
 * traffic. The checksum is the final accumulator. ITERATIONS is the size knob. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#ifndef ITERATIONS
#define ITERATIONS 100000000u
#endif

static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t mix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

int main(void) {
    uint64_t accumulator = 0x123456789abcdefull;
    for (uint32_t i = 0; i < ITERATIONS; i++) {
        uint64_t mixed = mix64(accumulator + i);
        accumulator = (accumulator << 7 | accumulator >> 57) ^ mixed ^ mix32((uint32_t)mixed + i);
    }
    printf("hash %016" PRIx64 "\n", accumulator);
    return 0;
}

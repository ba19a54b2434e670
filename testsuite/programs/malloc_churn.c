/* malloc/realloc/free churn: many small blocks, growing reallocs, and blocks over 128 KiB that glibc mmaps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned lcg_state = 12345;
static unsigned next_random(void) {
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state >> 8;
}

static unsigned checksum(const unsigned char *bytes, size_t length) {
    unsigned sum = 0;
    for (size_t i = 0; i < length; i++)
        sum = sum * 31 + bytes[i];
    return sum;
}

int main(void) {
    enum { SLOTS = 512 };
    unsigned char *blocks[SLOTS] = {0};
    size_t sizes[SLOTS] = {0};
    unsigned long total_allocated = 0, frees = 0, reallocs = 0;

    for (int round = 0; round < 20000; round++) {
        unsigned slot = next_random() % SLOTS;
        unsigned action = next_random() % 4;
        if (blocks[slot] && action == 0) {
            /* Check the content before freeing: it must still be the fill pattern. */
            for (size_t i = 0; i < sizes[slot]; i++)
                if (blocks[slot][i] != (unsigned char)(slot + i)) {
                    printf("corruption in slot %u at %zu\n", slot, i);
                    return 1;
                }
            free(blocks[slot]);
            blocks[slot] = NULL;
            frees++;
        } else if (blocks[slot] && action == 1) {
            size_t new_size = sizes[slot] * 2 + next_random() % 64;
            unsigned char *grown = realloc(blocks[slot], new_size);
            if (!grown)
                return 2;
            for (size_t i = sizes[slot]; i < new_size; i++)
                grown[i] = (unsigned char)(slot + i);
            blocks[slot] = grown;
            sizes[slot] = new_size;
            reallocs++;
        } else if (!blocks[slot]) {
            size_t size = next_random() % (action == 3 ? 4096 : 96) + 1;
            blocks[slot] = malloc(size);
            if (!blocks[slot])
                return 3;
            for (size_t i = 0; i < size; i++)
                blocks[slot][i] = (unsigned char)(slot + i);
            sizes[slot] = size;
            total_allocated += size;
        }
        /* Keep very large blocks from taking over the whole heap. */
        if (blocks[slot] && sizes[slot] > (1u << 20)) {
            free(blocks[slot]);
            blocks[slot] = NULL;
            frees++;
        }
    }
    unsigned combined = 0;
    size_t live = 0;
    for (int slot = 0; slot < SLOTS; slot++) {
        if (blocks[slot]) {
            combined ^= checksum(blocks[slot], sizes[slot]);
            live += sizes[slot];
            free(blocks[slot]);
        }
    }
    printf("churn: allocated %lu bytes, %lu frees, %lu reallocs, %zu live bytes, checksum %08x\n", total_allocated,
           frees, reallocs, live, combined);

    /* Large blocks: 200 KiB up to 8 MiB, above the mmap threshold, written at both ends and in the middle. */
    for (size_t size = 200 * 1024; size <= 8u * 1024 * 1024; size *= 2) {
        unsigned char *big = malloc(size);
        if (!big)
            return 4;
        memset(big, 0xa5, size);
        big[0] = 1;
        big[size / 2] = 2;
        big[size - 1] = 3;
        unsigned char *bigger = realloc(big, size + size / 2);
        if (!bigger)
            return 5;
        memset(bigger + size, 0x5a, size / 2);
        printf("large %zu: ends %d %d %d, checksum %08x\n", size, bigger[0], bigger[size / 2], bigger[size - 1],
               checksum(bigger, size + size / 2));
        free(bigger);
    }

    /* calloc must return zeroed memory, also when reusing freed blocks. */
    for (int i = 0; i < 4; i++) {
        unsigned char *dirty = malloc(300000);
        memset(dirty, 0xff, 300000);
        free(dirty);
        unsigned *clean = calloc(75000, sizeof(unsigned));
        unsigned long sum = 0;
        for (int j = 0; j < 75000; j++)
            sum += clean[j];
        printf("calloc round %d sum %lu\n", i, sum);
        free(clean);
    }
    return 0;
}

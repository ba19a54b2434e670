/* CRC-32 (the IEEE 802.3 polynomial of zlib and gzip, reflected, 0xEDB88320): a byte-at-a-time table
 * lookup over a pseudo-random buffer, repeated with the previous CRC folded into the data, so the loop is
 * a serial chain of loads, shifts and xors. The checksum is the final CRC. BUFFER_BYTES and PASSES are the
 * size knobs. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef BUFFER_BYTES
#define BUFFER_BYTES (16u << 20)
#endif
#ifndef PASSES
#define PASSES 12
#endif

static uint32_t crc_table[256];

static void build_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t crc = i;
        for (int bit = 0; bit < 8; bit++) {
            crc = crc & 1 ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
        }
        crc_table[i] = crc;
    }
}

static uint32_t crc32(const uint8_t *data, size_t length) {
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < length; i++) {
        crc = crc_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    }
    return crc ^ 0xffffffffu;
}

int main(void) {
    build_table();
    uint8_t *buffer = malloc(BUFFER_BYTES);
    if (buffer == NULL) {
        return 1;
    }
    uint32_t random_state = 7;
    for (size_t i = 0; i < BUFFER_BYTES; i++) {
        random_state = random_state * 1664525u + 1013904223u;
        buffer[i] = (uint8_t)(random_state >> 24);
    }
    uint32_t crc = 0;
    for (int pass = 0; pass < PASSES; pass++) {
        crc = crc32(buffer, BUFFER_BYTES);
        buffer[(size_t)pass * 4099 % BUFFER_BYTES] ^= (uint8_t)crc;
    }
    printf("crc32 %08" PRIx32 "\n", crc);
    free(buffer);
    return 0;
}

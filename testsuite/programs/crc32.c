/* CRC-32 (IEEE, reflected) computed bytewise bit by bit and with a table, over generated buffers and strings. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t crc32_bitwise(const unsigned char *data, size_t length) {
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

static uint32_t table[256];

static void build_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
}

static uint32_t crc32_table(uint32_t crc, const unsigned char *data, size_t length) {
    crc = ~crc;
    while (length--)
        crc = table[(crc ^ *data++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

int main(void) {
    build_table();
    const char *strings[] = {"", "a", "abc", "123456789", "The quick brown fox jumps over the lazy dog",
                             "message digest"};
    for (unsigned i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        size_t length = strlen(strings[i]);
        printf("crc32(\"%s\") = %08x / %08x\n", strings[i], crc32_bitwise((const unsigned char *)strings[i], length),
               crc32_table(0, (const unsigned char *)strings[i], length));
    }
    static unsigned char buffer[1 << 20];
    uint32_t state = 2463534242u;
    for (size_t i = 0; i < sizeof buffer; i++) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        buffer[i] = (unsigned char)state;
    }
    for (size_t length = 1; length <= sizeof buffer; length *= 8)
        printf("buffer[0..%zu]: %08x\n", length, crc32_bitwise(buffer, length));
    uint32_t incremental = 0;
    for (size_t offset = 0; offset < sizeof buffer; offset += 4099) {
        size_t piece = sizeof buffer - offset < 4099 ? sizeof buffer - offset : 4099;
        incremental = crc32_table(incremental, buffer + offset, piece);
    }
    printf("whole buffer: bitwise %08x, incremental table %08x\n", crc32_bitwise(buffer, sizeof buffer), incremental);
    return 0;
}

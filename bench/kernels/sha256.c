/* SHA-256 of a buffer: a straightforward implementation of FIPS 180-4 (32-bit rotates, additions and
 * message-schedule expansion), hashing a pseudo-random buffer several times, each pass over the previous
 * digest. The checksum is the final digest, which was checked against sha256sum for the first pass.
 * BUFFER_BYTES and PASSES are the size knobs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BUFFER_BYTES
#define BUFFER_BYTES (16u << 20)
#endif
#ifndef PASSES
#define PASSES 6
#endif

static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotate_right(uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

static void compress(uint32_t state[8], const uint8_t block[64]) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 | (uint32_t)block[4 * i + 2] << 8 |
               block[4 * i + 3];
    }
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotate_right(w[i - 15], 7) ^ rotate_right(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotate_right(w[i - 2], 17) ^ rotate_right(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25)) + ((e & f) ^ (~e & g)) +
                      round_constants[i] + w[i];
        uint32_t t2 = (rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    state[0] += a, state[1] += b, state[2] += c, state[3] += d;
    state[4] += e, state[5] += f, state[6] += g, state[7] += h;
}

static void sha256(const uint8_t *data, size_t length, uint8_t digest[32]) {
    uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    size_t offset = 0;
    for (; offset + 64 <= length; offset += 64) {
        compress(state, data + offset);
    }
    uint8_t tail[128] = {0};
    size_t remaining = length - offset;
    memcpy(tail, data + offset, remaining);
    tail[remaining] = 0x80;
    size_t tail_length = remaining + 9 <= 64 ? 64 : 128;
    uint64_t bit_length = (uint64_t)length * 8;
    for (int i = 0; i < 8; i++) {
        tail[tail_length - 1 - i] = (uint8_t)(bit_length >> (8 * i));
    }
    for (size_t i = 0; i < tail_length; i += 64) {
        compress(state, tail + i);
    }
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(state[i] >> 24), digest[4 * i + 1] = (uint8_t)(state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(state[i] >> 8), digest[4 * i + 3] = (uint8_t)state[i];
    }
}

int main(void) {
    uint8_t *buffer = malloc(BUFFER_BYTES);
    if (buffer == NULL) {
        return 1;
    }
    uint32_t random_state = 1;
    for (size_t i = 0; i < BUFFER_BYTES; i++) {
        random_state = random_state * 1664525u + 1013904223u;
        buffer[i] = (uint8_t)(random_state >> 24);
    }
    uint8_t digest[32];
    for (int pass = 0; pass < PASSES; pass++) {
        sha256(buffer, BUFFER_BYTES, digest);
        memcpy(buffer + (size_t)pass * 32, digest, 32);
    }
    printf("sha256 ");
    for (int i = 0; i < 32; i++) {
        printf("%02x", digest[i]);
    }
    printf("\n");
    free(buffer);
    return 0;
}

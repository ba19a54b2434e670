/* Bit operations: clz/ctz/popcount/parity/bswap builtins, rotates, sign/zero extension, and struct bitfields. */
#include <stdint.h>
#include <stdio.h>

static inline uint32_t rotl32(uint32_t x, unsigned r) { return (x << (r & 31)) | (x >> ((32 - r) & 31)); }
static inline uint64_t rotr64(uint64_t x, unsigned r) { return (x >> (r & 63)) | (x << ((64 - r) & 63)); }

struct packed_fields {
    unsigned low : 3;
    unsigned middle : 7;
    signed sign : 5;
    unsigned flag : 1;
    unsigned long long wide : 40;
    signed long long swide : 23;
};

static volatile uint64_t inputs[] = {
    1, 2, 3, 0x80, 0xff00, 0x12345678, 0x80000000, 0xffffffff, 0x100000000ULL, 0x8000000000000000ULL,
    0xffffffffffffffffULL, 0x0123456789abcdefULL, 0xdeadbeefcafebabeULL, 0x5555555555555555ULL,
};

int main(void) {
    unsigned count = sizeof inputs / sizeof inputs[0];
    for (unsigned i = 0; i < count; i++) {
        uint64_t v = inputs[i];
        uint32_t w = (uint32_t)v;
        printf("%016llx: clz64 %2d ctz64 %2d pop64 %2d parity %d bswap64 %016llx\n", (unsigned long long)v,
               __builtin_clzll(v), __builtin_ctzll(v), __builtin_popcountll(v), __builtin_parityll(v),
               (unsigned long long)__builtin_bswap64(v));
        if (w != 0)
            printf("  %08x: clz32 %2d ctz32 %2d pop32 %2d bswap32 %08x bswap16 %04x clrsb %d\n", w, __builtin_clz(w),
                   __builtin_ctz(w), __builtin_popcount(w), __builtin_bswap32(w), __builtin_bswap16((uint16_t)w),
                   __builtin_clrsb((int)w));
        printf("  rotl32 by 1,7,31: %08x %08x %08x  rotr64 by 13: %016llx\n", rotl32(w, 1), rotl32(w, 7),
               rotl32(w, 31), (unsigned long long)rotr64(v, 13));
        printf("  sext8 %lld sext16 %lld sext32 %lld  zext8 %llu\n", (long long)(int8_t)v, (long long)(int16_t)v,
               (long long)(int32_t)v, (unsigned long long)(uint8_t)v);
        printf("  ffs %d  and-not %016llx  bit-reverse-byte %02x\n", __builtin_ffsll((long long)v),
               (unsigned long long)(v & ~(v >> 3)), (unsigned)(uint8_t)(((v & 1) << 7) | ((v & 2) << 5) |
               ((v & 4) << 3) | ((v & 8) << 1) | ((v & 16) >> 1) | ((v & 32) >> 3) | ((v & 64) >> 5) |
               ((v & 128) >> 7)));
    }

    struct packed_fields fields = {0};
    unsigned long long mixed = 0;
    for (unsigned i = 0; i < count; i++) {
        uint64_t v = inputs[i];
        fields.low = (unsigned)v;
        fields.middle += (unsigned)(v >> 3);
        fields.sign = (int)(v >> 5) - 7;
        fields.flag = !fields.flag;
        fields.wide += v;
        fields.swide = (long long)(v >> 17) - 1000;
        printf("fields: low %u middle %u sign %d flag %u wide %llu swide %lld\n", fields.low, fields.middle,
               fields.sign, fields.flag, (unsigned long long)fields.wide, (long long)fields.swide);
        mixed = mixed * 31 + fields.low + fields.middle + (unsigned)fields.sign + fields.wide;
    }
    printf("fields mix %llx, sizeof %zu\n", mixed, sizeof fields);

    uint64_t gray = 0;
    for (unsigned i = 0; i < 64; i++)
        gray ^= (uint64_t)(i ^ (i >> 1)) << (i % 57);
    printf("gray mix %016llx\n", (unsigned long long)gray);
    return 0;
}

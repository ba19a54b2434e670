/* string.h across lengths 0..300 and every source/destination alignment 0..15, summarised by checksums. */
#include <stdio.h>
#include <string.h>

#define MAX_LENGTH 300
#define AREA (MAX_LENGTH + 64)

static unsigned char source_area[AREA + 16];
static unsigned char dest_area[AREA + 16];
static unsigned long checksum;

static void mix(unsigned long value) { checksum = (checksum ^ value) * 0x100000001b3UL; }

static int sign_of(int value) { return (value > 0) - (value < 0); }

static void fill(unsigned char *area, size_t size, unsigned seed) {
    for (size_t i = 0; i < size; i++) {
        seed = seed * 1103515245u + 12345u;
        area[i] = (unsigned char)('a' + (seed >> 16) % 26);
    }
}

static void mix_area(const unsigned char *area, size_t size) {
    for (size_t i = 0; i < size; i++)
        mix(area[i] + i * 256);
}

int main(void) {
    unsigned long section[8] = {0};
    for (size_t length = 0; length <= MAX_LENGTH; length += (length < 40 ? 1 : 13)) {
        for (int src_align = 0; src_align < 16; src_align++) {
            for (int dst_align = 0; dst_align < 16; dst_align++) {
                unsigned char *src = source_area + src_align;
                unsigned char *dst = dest_area + dst_align;

                checksum = section[0];
                fill(source_area, sizeof source_area, (unsigned)(length * 31 + src_align));
                memset(dest_area, '#', sizeof dest_area);
                memcpy(dst, src, length);
                mix_area(dest_area, sizeof dest_area);
                section[0] = checksum;

                checksum = section[1];
                memmove(dst + 3, dst, length); /* Overlapping forwards. */
                memmove(dst, dst + 5, length); /* Overlapping backwards. */
                mix_area(dest_area, sizeof dest_area);
                section[1] = checksum;

                checksum = section[2];
                memset(dst, 'A' + (int)(length % 26), length);
                mix_area(dest_area, sizeof dest_area);
                memcpy(dst, src, length);
                if (length > 0)
                    dst[length / 2] ^= 1;
                mix(sign_of(memcmp(dst, src, length)) + 7);
                mix(length > 0 ? sign_of(memcmp(dst, src, length / 2)) + 9 : 9);
                section[2] = checksum;

                checksum = section[3];
                src[length] = '\0';
                dst[0] = '\0';
                mix(strlen((char *)src));
                strcpy((char *)dst, (char *)src);
                mix(strlen((char *)dst));
                mix(sign_of(strcmp((char *)dst, (char *)src)) + 3);
                if (length > 1) {
                    dst[length - 1] = 'z' + 1;
                    mix(sign_of(strcmp((char *)dst, (char *)src)) + 5);
                    mix(sign_of(strncmp((char *)dst, (char *)src, length - 1)) + 11);
                    mix(sign_of(strncmp((char *)dst, (char *)src, length)) + 13);
                }
                section[3] = checksum;

                checksum = section[4];
                for (int c = 'a'; c <= 'z'; c += 5) {
                    const char *first = strchr((char *)src, c);
                    const char *last = strrchr((char *)src, c);
                    const unsigned char *found = memchr(src, c, length);
                    mix(first ? (unsigned long)(first - (char *)src) : 999);
                    mix(last ? (unsigned long)(last - (char *)src) : 999);
                    mix(found ? (unsigned long)(found - src) : 999);
                }
                mix(strchr((char *)src, '\0') - (char *)src);
                section[4] = checksum;

                checksum = section[5];
                if (length >= 4 && dst_align == src_align) {
                    char needle[5];
                    memcpy(needle, src + length - 4, 4);
                    needle[4] = '\0';
                    const char *hit = strstr((char *)src, needle);
                    mix(hit ? (unsigned long)(hit - (char *)src) : 999);
                    needle[2] = '!';
                    mix(strstr((char *)src, needle) == NULL);
                    mix(strstr((char *)src, "") == (char *)src);
                }
                section[5] = checksum;
            }
        }
    }
    for (int i = 0; i < 6; i++)
        printf("section %d checksum %016lx\n", i, section[i]);
    return 0;
}

/* String processing: builds a pool of NUL-terminated words, then repeatedly measures (strlen), joins
 * (memcpy into a line buffer), compares (strcmp against a rotating key) and searches (strchr) them, so the
 * time goes to the C library's string routines on short and medium strings. The checksum combines the
 * lengths, the comparison signs and the search hits. ROUNDS is the size knob. Bytes are handled as
 * unsigned char, since plain char is signed on x86-64 and unsigned on AArch64. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef ROUNDS
#define ROUNDS 4000
#endif

#define WORD_COUNT 4096
#define MAX_WORD 48
#define LINE_SIZE 8192

static char words[WORD_COUNT][MAX_WORD];

int main(void) {
    uint32_t random_state = 2463534242u;
    for (int i = 0; i < WORD_COUNT; i++) {
        random_state ^= random_state << 13, random_state ^= random_state >> 17, random_state ^= random_state << 5;
        int length = 1 + (int)(random_state % (MAX_WORD - 1));
        for (int j = 0; j < length; j++) {
            random_state ^= random_state << 13, random_state ^= random_state >> 17, random_state ^= random_state << 5;
            words[i][j] = (char)('a' + random_state % 16);
        }
        words[i][length] = '\0';
    }
    static char line[LINE_SIZE];
    uint64_t checksum = 0;
    for (int round = 0; round < ROUNDS; round++) {
        const char *key = words[round % WORD_COUNT];
        size_t line_length = 0;
        int less = 0, greater = 0, equal = 0;
        for (int i = 0; i < WORD_COUNT; i++) {
            size_t length = strlen(words[i]);
            if (line_length + length + 1 >= LINE_SIZE) {
                checksum = checksum * 31 + strlen(line);
                line_length = 0;
            }
            memcpy(line + line_length, words[i], length);
            line_length += length;
            line[line_length++] = ' ';
            line[line_length] = '\0';
            int order = strcmp(words[i], key);
            less += order < 0, greater += order > 0, equal += order == 0;
            const char *hit = strchr(words[i], 'a' + (round % 16));
            checksum += hit != NULL ? (uint64_t)(hit - words[i]) : 7;
        }
        checksum = checksum * 1000003 + (uint64_t)less * 3 + (uint64_t)greater * 5 + (uint64_t)equal;
        checksum ^= (unsigned char)line[line_length / 2];
    }
    printf("strings %016" PRIx64 "\n", checksum);
    return 0;
}

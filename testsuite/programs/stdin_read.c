/* Reads all of stdin: counts lines, words and bytes, sums the numbers it finds, and echoes lines reversed. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    char line[4096];
    unsigned long lines = 0, words = 0, bytes = 0;
    long number_sum = 0;
    unsigned checksum = 0;
    while (fgets(line, sizeof line, stdin)) {
        size_t length = strlen(line);
        bytes += length;
        lines++;
        int in_word = 0;
        for (size_t i = 0; i < length; i++) {
            unsigned char c = (unsigned char)line[i];
            checksum = checksum * 33 + c;
            if (isspace(c)) {
                in_word = 0;
            } else if (!in_word) {
                in_word = 1;
                words++;
            }
        }
        for (char *p = line; *p;) {
            if (isdigit((unsigned char)*p) || (*p == '-' && isdigit((unsigned char)p[1]))) {
                long value = 0;
                int sign = 1;
                if (*p == '-') {
                    sign = -1;
                    p++;
                }
                while (isdigit((unsigned char)*p))
                    value = value * 10 + (*p++ - '0');
                number_sum += sign * value;
            } else {
                p++;
            }
        }
        if (length > 0 && line[length - 1] == '\n')
            line[--length] = '\0';
        printf("%3lu: ", lines);
        for (size_t i = length; i > 0; i--)
            putchar(toupper((unsigned char)line[i - 1]));
        putchar('\n');
    }
    printf("lines %lu words %lu bytes %lu numbers %ld checksum %08x eof %d\n", lines, words, bytes, number_sum,
           checksum, feof(stdin) != 0);
    return 0;
}

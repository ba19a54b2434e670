/* Regular expressions with PCRE2 (Debian's arm64 libpcre2-8.a, linked statically) for
 * tests/libraries.rs: ten patterns (classes, alternation, captures, anchors, case folding, word
 * boundaries) matched over a generated text, every match counted and its offsets folded into a
 * checksum. Arguments: rounds (default 1), whether to compile the patterns with PCRE2's JIT
 * (default 1), and the text's size in bytes (default 1 MiB). The interpreter path (`match`,
 * `find_minlength`) switches through jump tables whose bases GCC keeps in callee-saved registers
 * across code that follows `bl __stack_chk_fail`. The JIT path writes AArch64 code at run time,
 * which runs in vmtrans's fallback engine, and reuses its buffer for the next pattern after an
 * IC IVAU: stale blocks would match the previous pattern. The output ends with "done". */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char text[1 << 20];

/* Fills `text` with `size` bytes of words from a fixed list in a fixed pseudo-random order. */
static size_t make_text(size_t size) {
    const char *words[] = {"alpha", "beta42", "gamma_7", "foo@example.com", "2026-12-02",
                           "x=17;", "  spaced  ", "UPPER", "mixedCase99", "http://a.b/c?d=e"};
    unsigned seed = 1;
    size_t n = 0;
    if (size > sizeof text - 1) {
        size = sizeof text - 1;
    }
    while (n + 40 < size) {
        seed = seed * 1103515245 + 12345;
        const char *word = words[(seed >> 16) % 10];
        size_t length = strlen(word);
        memcpy(text + n, word, length);
        n += length;
        text[n++] = (seed >> 8) % 5 ? ' ' : '\n';
    }
    text[n] = 0;
    return n;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    int use_jit = argc > 2 ? atoi(argv[2]) : 1;
    size_t n = make_text(argc > 3 ? (size_t)atol(argv[3]) : sizeof text);
    const char *patterns[] = {"[a-z]+[0-9]+", "\\b\\w+@\\w+\\.com\\b", "(\\d{4})-(\\d\\d)-(\\d\\d)",
                              "(?i)upper|mixed\\w*", "^\\s+\\S+\\s+$", "https?://[^\\s]+", "(a|b|c)+m",
                              "x=(\\d+);", "(?m)^beta.*$", "(?:gamma_)(\\d)"};
    for (int p = 0; p < 10; p++) {
        int error;
        PCRE2_SIZE error_offset;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)patterns[p], PCRE2_ZERO_TERMINATED, 0, &error, &error_offset, NULL);
        if (re == NULL) {
            printf("pattern %d: compile error %d at %zu\n", p, error, (size_t)error_offset);
            continue;
        }
        int jit = use_jit ? pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) : -1;
        pcre2_match_data *match = pcre2_match_data_create_from_pattern(re, NULL);
        unsigned long count = 0, sum = 0;
        for (int r = 0; r < rounds; r++) {
            PCRE2_SIZE start = 0;
            while (start < n) {
                int rc = pcre2_match(re, (PCRE2_SPTR)text, n, start, 0, match, NULL);
                if (rc < 0) {
                    break;
                }
                PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(match);
                count++;
                sum = sum * 31 + ovector[0] + 7 * ovector[1] + (rc > 1 ? ovector[2] : 0);
                start = ovector[1] > ovector[0] ? ovector[1] : ovector[0] + 1;
            }
        }
        printf("pattern %d jit %d matches %lu sum %lx\n", p, jit, count, sum);
        pcre2_match_data_free(match);
        pcre2_code_free(re);
    }
    printf("done\n");
    return 0;
}

/* qsort and bsearch over integers, strings and structs with a total order (no ties, so order is unique). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_ints(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int compare_strings(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

struct record {
    int priority;
    unsigned id;
    char name[12];
};

static int compare_records(const void *a, const void *b) {
    const struct record *x = a, *y = b;
    if (x->priority != y->priority)
        return x->priority < y->priority ? 1 : -1; /* Descending priority. */
    return (x->id > y->id) - (x->id < y->id);
}

int main(void) {
    enum { COUNT = 5000 };
    static int numbers[COUNT];
    unsigned seed = 7;
    for (int i = 0; i < COUNT; i++) {
        seed = seed * 1664525u + 1013904223u;
        numbers[i] = (int)(seed >> 4) - (1 << 27);
    }
    qsort(numbers, COUNT, sizeof numbers[0], compare_ints);
    int sorted = 1;
    for (int i = 1; i < COUNT; i++)
        if (numbers[i - 1] > numbers[i])
            sorted = 0;
    printf("ints sorted %d, min %d, median %d, max %d\n", sorted, numbers[0], numbers[COUNT / 2], numbers[COUNT - 1]);
    int hits = 0;
    long position_sum = 0;
    for (int i = 0; i < COUNT; i += 7) {
        int *found = bsearch(&numbers[i], numbers, COUNT, sizeof numbers[0], compare_ints);
        if (found && *found == numbers[i]) {
            hits++;
            position_sum += found - numbers;
        }
        int missing = numbers[i] + 1;
        if (i + 1 < COUNT && missing != numbers[i + 1] &&
            bsearch(&missing, numbers, COUNT, sizeof numbers[0], compare_ints) != NULL)
            printf("false hit for %d\n", missing);
    }
    printf("bsearch hits %d (position sum is order dependent only through duplicates: %s)\n", hits,
           position_sum > 0 ? "positive" : "zero");

    const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "kiwi", "date", "grape", "lemon", "mango",
                           "apricot", "plum", "quince", "raspberry", "Zucchini", "avocado"};
    enum { WORDS = sizeof words / sizeof words[0] };
    qsort(words, WORDS, sizeof words[0], compare_strings);
    for (int i = 0; i < WORDS; i++)
        printf("%s%c", words[i], i + 1 < WORDS ? ' ' : '\n');
    const char *key = "kiwi";
    const char **where = bsearch(&key, words, WORDS, sizeof words[0], compare_strings);
    printf("kiwi at %ld\n", where ? (long)(where - words) : -1L);

    struct record records[40];
    for (int i = 0; i < 40; i++) {
        records[i].priority = (i * 7) % 5;
        records[i].id = (unsigned)((i * 13) % 40);
        snprintf(records[i].name, sizeof records[i].name, "rec%02u", records[i].id);
    }
    qsort(records, 40, sizeof records[0], compare_records);
    for (int i = 0; i < 40; i++)
        printf("%s/%d%c", records[i].name, records[i].priority, (i % 10 == 9) ? '\n' : ' ');
    return 0;
}

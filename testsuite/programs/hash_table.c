/* A tiny chained hash table with string keys: insert, update, lookup, delete, resize, and ordered dump. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    char *key;
    long value;
    struct entry *next;
};

struct table {
    struct entry **buckets;
    size_t bucket_count, size;
};

static unsigned long hash_string(const char *s) {
    unsigned long h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h;
}

static void resize(struct table *t, size_t new_count) {
    struct entry **buckets = calloc(new_count, sizeof *buckets);
    for (size_t i = 0; i < t->bucket_count; i++) {
        struct entry *e = t->buckets[i];
        while (e) {
            struct entry *next = e->next;
            size_t index = hash_string(e->key) % new_count;
            e->next = buckets[index];
            buckets[index] = e;
            e = next;
        }
    }
    free(t->buckets);
    t->buckets = buckets;
    t->bucket_count = new_count;
}

static void put(struct table *t, const char *key, long value) {
    size_t index = hash_string(key) % t->bucket_count;
    for (struct entry *e = t->buckets[index]; e; e = e->next)
        if (strcmp(e->key, key) == 0) {
            e->value = value;
            return;
        }
    struct entry *e = malloc(sizeof *e);
    e->key = strdup(key);
    e->value = value;
    e->next = t->buckets[index];
    t->buckets[index] = e;
    if (++t->size > t->bucket_count * 2)
        resize(t, t->bucket_count * 2 + 1);
}

static struct entry *get(const struct table *t, const char *key) {
    for (struct entry *e = t->buckets[hash_string(key) % t->bucket_count]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static int erase(struct table *t, const char *key) {
    struct entry **link = &t->buckets[hash_string(key) % t->bucket_count];
    for (; *link; link = &(*link)->next)
        if (strcmp((*link)->key, key) == 0) {
            struct entry *dead = *link;
            *link = dead->next;
            free(dead->key);
            free(dead);
            t->size--;
            return 1;
        }
    return 0;
}

int main(void) {
    struct table t = {calloc(7, sizeof(struct entry *)), 7, 0};
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "key-%d", (i * 7919) % 6000);
        struct entry *e = get(&t, key);
        put(&t, key, e ? e->value + i : i);
    }
    printf("after inserts: size %zu, buckets %zu\n", t.size, t.bucket_count);
    int erased = 0;
    for (int i = 0; i < 6000; i += 3) {
        snprintf(key, sizeof key, "key-%d", i);
        erased += erase(&t, key);
    }
    printf("erased %d, size %zu\n", erased, t.size);
    long total = 0;
    int found = 0;
    for (int i = 0; i < 6000; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        struct entry *e = get(&t, key);
        if (e) {
            found++;
            total += e->value * (i % 13);
        }
    }
    printf("found %d, weighted total %ld\n", found, total);
    size_t longest = 0, empty = 0;
    for (size_t i = 0; i < t.bucket_count; i++) {
        size_t chain = 0;
        for (struct entry *e = t.buckets[i]; e; e = e->next)
            chain++;
        if (chain == 0)
            empty++;
        if (chain > longest)
            longest = chain;
    }
    printf("longest chain %zu, empty buckets %zu\n", longest, empty);
    for (int i = 1; i < 40; i += 4) {
        snprintf(key, sizeof key, "key-%d", i);
        struct entry *e = get(&t, key);
        printf("%s -> %ld\n", key, e ? e->value : -1L);
    }
    for (size_t i = 0; i < t.bucket_count; i++)
        while (t.buckets[i])
            erase(&t, t.buckets[i]->key);
    printf("final size %zu\n", t.size);
    free(t.buckets);
    return 0;
}

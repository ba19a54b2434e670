/* Malloc-heavy: builds and frees many complete binary trees (the "binary-trees" pattern) and pushes and
 * pops a singly linked list, so the time goes to malloc, free and pointer chasing. The checksum counts
 * the nodes visited and sums the values stored in them (never their addresses, which differ between
 * hosts). MAX_DEPTH and LIST_ROUNDS are the size knobs. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef MAX_DEPTH
#define MAX_DEPTH 17
#endif
#ifndef LIST_ROUNDS
#define LIST_ROUNDS 40
#endif

struct tree_node {
    struct tree_node *left, *right;
    uint32_t value;
};

struct list_node {
    struct list_node *next;
    uint64_t value;
};

static struct tree_node *build_tree(int depth, uint32_t value) {
    struct tree_node *node = malloc(sizeof *node);
    if (node == NULL) {
        exit(1);
    }
    node->value = value;
    node->left = depth > 0 ? build_tree(depth - 1, value * 2) : NULL;
    node->right = depth > 0 ? build_tree(depth - 1, value * 2 + 1) : NULL;
    return node;
}

/* Sums the values in the tree and frees it. */
static uint64_t consume_tree(struct tree_node *node) {
    if (node == NULL) {
        return 0;
    }
    uint64_t sum = node->value + consume_tree(node->left) + consume_tree(node->right);
    free(node);
    return sum;
}

int main(void) {
    uint64_t tree_sum = 0;
    for (int depth = 4; depth <= MAX_DEPTH; depth += 2) {
        int iterations = 1 << (MAX_DEPTH - depth + 4);
        for (int i = 0; i < iterations; i++) {
            tree_sum += consume_tree(build_tree(depth, (uint32_t)i + 1));
        }
    }
    uint64_t list_sum = 0;
    for (int round = 0; round < LIST_ROUNDS; round++) {
        struct list_node *head = NULL;
        for (uint64_t i = 0; i < 100000; i++) {
            struct list_node *node = malloc(sizeof *node + (i % 7) * 8);
            if (node == NULL) {
                return 1;
            }
            node->value = i * (uint64_t)(round + 1);
            node->next = head;
            head = node;
        }
        while (head != NULL) {
            struct list_node *next = head->next;
            list_sum = list_sum * 31 + head->value;
            free(head);
            head = next;
        }
    }
    printf("alloc %016" PRIx64 " %016" PRIx64 "\n", tree_sum, list_sum);
    return 0;
}

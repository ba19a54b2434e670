/* exit(42) from a nested call: buffered stdout must still be flushed and atexit handlers must run. */
#include <stdio.h>
#include <stdlib.h>

static void on_exit_handler(void) { printf("atexit handler ran\n"); }

static void leave(int depth) {
    if (depth == 0) {
        printf("calling exit(42) at the bottom\n");
        exit(42);
    }
    leave(depth - 1);
    printf("not reached %d\n", depth);
}

int main(void) {
    atexit(on_exit_handler);
    printf("buffered line that must not be lost\n");
    leave(10);
    return 0;
}

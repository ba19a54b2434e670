/* abort(): prints to stdout (flushed first) and stderr, then dies by SIGABRT, giving status 128 + 6 = 134. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("about to abort\n");
    fflush(stdout);
    fprintf(stderr, "abort_signal: aborting on purpose\n");
    abort();
}

/* setjmp/longjmp: direct returns, longjmp out of deeply nested calls, and values preserved across the jump. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf error_handler;
static volatile int depth_reached;

static void descend(int depth, int fail_at) {
    depth_reached = depth;
    if (depth == fail_at)
        longjmp(error_handler, depth * 10 + 1);
    char frame[64];
    for (int i = 0; i < 64; i++)
        frame[i] = (char)(depth + i);
    descend(depth + 1, fail_at);
    /* Never reached: the longjmp skips every outstanding frame. */
    printf("unreachable %d\n", frame[depth & 63]);
}

static int try_descend(int fail_at) {
    int code = setjmp(error_handler);
    if (code != 0)
        return code;
    descend(0, fail_at);
    return 0;
}

static jmp_buf loop_buffer;

static void bump(volatile int *counter) {
    (*counter)++;
    longjmp(loop_buffer, *counter);
}

static int zero_value_jump(void) {
    jmp_buf local;
    int code = setjmp(local);
    if (code == 0)
        longjmp(local, 0); /* longjmp with 0 makes setjmp return 1. */
    return code;
}

int main(void) {
    for (int fail_at = 1; fail_at <= 2000; fail_at *= 3) {
        int code = try_descend(fail_at);
        printf("fail at %d: code %d, depth %d\n", fail_at, code, depth_reached);
    }

    volatile int counter = 0;
    volatile long accumulated = 0;
    int value = setjmp(loop_buffer);
    accumulated += value * value;
    if (counter < 10)
        bump(&counter);
    printf("loop via longjmp: counter %d, accumulated %ld\n", counter, accumulated);

    printf("longjmp(buf, 0) makes setjmp return %d\n", zero_value_jump());

    jmp_buf outer, inner;
    volatile int stage = 0;
    if (setjmp(outer) == 0) {
        stage = 1;
        if (setjmp(inner) == 0) {
            stage = 2;
            longjmp(inner, 5);
        }
        stage += 10;
        longjmp(outer, 7);
    }
    printf("nested buffers: stage %d\n", stage);
    return 0;
}

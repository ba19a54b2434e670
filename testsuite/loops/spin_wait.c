/* Loops that wait for a value another thread or a signal handler stores: each spins on a load whose
 * address the loop never changes, in a loop that stores nothing (or only elsewhere), as code waiting on
 * a relaxed atomic or a volatile flag does. The hardware makes the load on every iteration; a translation
 * that let its compiler hoist the load out of the loop would spin forever. The test translates this
 * program at -O2 (with and without loop polling) and compares its output with the native build's. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile int volatile_flag;
static int relaxed_flag;
struct inner { int flag; };
struct outer { struct inner *inner; };
static struct inner chased_inner;
static struct outer chased = { &chased_inner };
struct box { int flag; int spins; };
static struct box box;
static volatile sig_atomic_t alarmed;
/* Read through volatile pointers, so that the waiters get their addresses in registers. */
static struct outer *volatile chased_pointer = &chased;
static struct box *volatile box_pointer = &box;

static void *setter(void *argument) {
    int which = *(int *)argument;
    usleep(20000);
    switch (which) {
    case 0: volatile_flag = 1; break;
    case 1: __atomic_store_n(&relaxed_flag, 1, __ATOMIC_RELAXED); break;
    case 2: __atomic_store_n(&chased.inner->flag, 1, __ATOMIC_RELAXED); break;
    case 3: __atomic_store_n(&box.flag, 1, __ATOMIC_RELAXED); break;
    }
    return NULL;
}

/* Each waiter is its own function, kept out of line so that the loop is the whole body. */
__attribute__((noinline)) static void wait_volatile(void) { while (!volatile_flag) {} }
__attribute__((noinline)) static void wait_relaxed(void) { while (!__atomic_load_n(&relaxed_flag, __ATOMIC_RELAXED)) {} }
__attribute__((noinline)) static void wait_chased(struct outer *o) {
    while (!__atomic_load_n(&o->inner->flag, __ATOMIC_RELAXED)) {}
}
__attribute__((noinline)) static int wait_counting(struct box *b) {
    int spins = 0;
    while (!__atomic_load_n(&b->flag, __ATOMIC_RELAXED)) {
        spins++;
        __atomic_store_n(&b->spins, spins, __ATOMIC_RELAXED);
    }
    return spins > 0;
}

static void on_alarm(int signal) {
    (void)signal;
    alarmed = 1;
}

int main(int argc, char **argv) {
    int polling = !(argc > 1 && strcmp(argv[1], "no-poll") == 0);
    const char *names[] = { "volatile flag", "relaxed atomic", "pointer chase", "loop storing elsewhere" };
    for (int which = 0; which < 4; which++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, setter, &which) != 0) {
            perror("pthread_create");
            return 1;
        }
        int counted = 1;
        switch (which) {
        case 0: wait_volatile(); break;
        case 1: wait_relaxed(); break;
        case 2: wait_chased(chased_pointer); break;
        case 3: counted = wait_counting(box_pointer); break;
        }
        pthread_join(thread, NULL);
        printf("%s: seen%s\n", names[which], counted ? "" : " (no spin counted)");
    }
    /* A signal handler's store ends a loop only if signals reach a thread that never leaves the loop:
     * that needs the loop polls, which the no-poll translation gives up. */
    if (polling) {
        signal(SIGALRM, on_alarm);
        struct itimerval timer = { { 0, 0 }, { 0, 20000 } };
        setitimer(ITIMER_REAL, &timer, NULL);
        while (!alarmed) {}
        printf("handler flag: seen\n");
    }
    return 0;
}

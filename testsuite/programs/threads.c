/* Guest threads through glibc: C11 atomic increments from 16 threads, a mutex-protected counter, a
 * priority-inheritance mutex, a condvar ping-pong handoff and a broadcast, create/join churn (values returned
 * and given to pthread_exit, detached threads too), __thread variables, pthread_once, and a main thread that
 * ends with pthread_exit while a worker still runs (the process then exits with the status of the last
 * thread's exit, 0 from glibc). Only deterministic results are printed. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ATOMIC_THREADS 16
#define ATOMIC_ITERATIONS 100000
#define MUTEX_THREADS 8
#define MUTEX_ITERATIONS 20000
#define PING_PONG_ROUNDS 10000
#define CHURN_THREADS 2000
#define TLS_THREADS 12

static void check(int ok, const char *what) {
    if (!ok) {
        printf("FAILED: %s\n", what);
        exit(1);
    }
}

/* 1. C11 atomics: fetch_add, a compare-exchange loop and an atomic flag spinlock. */
static atomic_long atomic_total;
static atomic_long cas_total;
static atomic_flag spin = ATOMIC_FLAG_INIT;
static long spin_total;

static void *atomic_worker(void *arg) {
    long id = (long)(intptr_t)arg;
    for (int i = 0; i < ATOMIC_ITERATIONS; i++) {
        atomic_fetch_add_explicit(&atomic_total, 1, memory_order_relaxed);
        if (i % 10 == 0) {
            long seen = atomic_load(&cas_total);
            while (!atomic_compare_exchange_weak(&cas_total, &seen, seen + id + 1)) {
            }
        }
        if (i % 100 == 0) {
            while (atomic_flag_test_and_set_explicit(&spin, memory_order_acquire)) {
            }
            spin_total += 3;
            atomic_flag_clear_explicit(&spin, memory_order_release);
        }
    }
    return NULL;
}

static void test_atomics(void) {
    pthread_t threads[ATOMIC_THREADS];
    for (long t = 0; t < ATOMIC_THREADS; t++) {
        check(pthread_create(&threads[t], NULL, atomic_worker, (void *)(intptr_t)t) == 0, "create atomic worker");
    }
    for (int t = 0; t < ATOMIC_THREADS; t++) {
        check(pthread_join(threads[t], NULL) == 0, "join atomic worker");
    }
    long expected_cas = 0;
    for (long t = 0; t < ATOMIC_THREADS; t++) {
        expected_cas += (t + 1) * (ATOMIC_ITERATIONS / 10);
    }
    printf("atomics: fetch_add total %ld (expected %d)\n", atomic_load(&atomic_total),
           ATOMIC_THREADS * ATOMIC_ITERATIONS);
    printf("atomics: cas total %ld (expected %ld)\n", atomic_load(&cas_total), expected_cas);
    printf("atomics: spinlock total %ld (expected %d)\n", spin_total, ATOMIC_THREADS * (ATOMIC_ITERATIONS / 100) * 3);
}

/* 2. A counter under a mutex, with a plain (non-atomic) read-modify-write. */
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static long counter_max_seen;

static void *mutex_worker(void *arg) {
    (void)arg;
    for (int i = 0; i < MUTEX_ITERATIONS; i++) {
        pthread_mutex_lock(&counter_lock);
        long value = counter;
        counter = value + 1;
        if (counter > counter_max_seen) {
            counter_max_seen = counter;
        }
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static void test_mutex(void) {
    pthread_t threads[MUTEX_THREADS];
    for (int t = 0; t < MUTEX_THREADS; t++) {
        check(pthread_create(&threads[t], NULL, mutex_worker, NULL) == 0, "create mutex worker");
    }
    for (int t = 0; t < MUTEX_THREADS; t++) {
        check(pthread_join(threads[t], NULL) == 0, "join mutex worker");
    }
    printf("mutex: counter %ld, max seen %ld (expected %d)\n", counter, counter_max_seen,
           MUTEX_THREADS * MUTEX_ITERATIONS);
    check(pthread_mutex_trylock(&counter_lock) == 0, "trylock a free mutex");
    printf("mutex: trylock of a held mutex says busy: %s\n", pthread_mutex_trylock(&counter_lock) != 0 ? "yes" : "no");
    pthread_mutex_unlock(&counter_lock);
}

/* A priority-inheritance mutex: FUTEX_LOCK_PI / UNLOCK_PI / TRYLOCK_PI with the owner's tid in the word. */
static pthread_mutex_t pi_lock;
static long pi_counter;

static void *pi_worker(void *arg) {
    (void)arg;
    for (int i = 0; i < MUTEX_ITERATIONS; i++) {
        pthread_mutex_lock(&pi_lock);
        pi_counter++;
        pthread_mutex_unlock(&pi_lock);
    }
    return NULL;
}

static void test_pi_mutex(void) {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    check(pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT) == 0, "set PTHREAD_PRIO_INHERIT");
    check(pthread_mutex_init(&pi_lock, &attr) == 0, "init a PI mutex");
    pthread_mutexattr_destroy(&attr);
    pthread_t threads[4];
    for (int t = 0; t < 4; t++) {
        check(pthread_create(&threads[t], NULL, pi_worker, NULL) == 0, "create PI worker");
    }
    for (int t = 0; t < 4; t++) {
        check(pthread_join(threads[t], NULL) == 0, "join PI worker");
    }
    pthread_mutex_lock(&pi_lock);
    int busy = pthread_mutex_trylock(&pi_lock) != 0;
    pthread_mutex_unlock(&pi_lock);
    printf("pi mutex: counter %ld (expected %d), trylock of a held PI mutex says busy: %s\n", pi_counter,
           4 * MUTEX_ITERATIONS, busy ? "yes" : "no");
}

/* 3. Ping-pong: two threads hand a turn back and forth under one mutex and two condvars. */
static pthread_mutex_t turn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ping_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pong_cond = PTHREAD_COND_INITIALIZER;
static int turn; /* 0: ping's turn, 1: pong's turn. */
static long ping_sum, pong_sum;
static int handoffs;

static void *ponger(void *arg) {
    (void)arg;
    for (int round = 0; round < PING_PONG_ROUNDS; round++) {
        pthread_mutex_lock(&turn_lock);
        while (turn != 1) {
            pthread_cond_wait(&pong_cond, &turn_lock);
        }
        pong_sum += round;
        handoffs++;
        turn = 0;
        pthread_cond_signal(&ping_cond);
        pthread_mutex_unlock(&turn_lock);
    }
    return (void *)(intptr_t)0x90e;
}

static void test_ping_pong(void) {
    pthread_t pong;
    check(pthread_create(&pong, NULL, ponger, NULL) == 0, "create ponger");
    for (int round = 0; round < PING_PONG_ROUNDS; round++) {
        pthread_mutex_lock(&turn_lock);
        while (turn != 0) {
            pthread_cond_wait(&ping_cond, &turn_lock);
        }
        ping_sum += round;
        handoffs++;
        turn = 1;
        pthread_cond_signal(&pong_cond);
        pthread_mutex_unlock(&turn_lock);
    }
    void *result;
    check(pthread_join(pong, &result) == 0, "join ponger");
    printf("ping-pong: %d handoffs, sums %ld %ld, ponger returned %#lx\n", handoffs, ping_sum, pong_sum,
           (unsigned long)(intptr_t)result);
}

/* A broadcast releases every waiter at a gate. */
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_waiting, gate_passed;

static void *gate_worker(void *arg) {
    (void)arg;
    pthread_mutex_lock(&turn_lock);
    gate_waiting++;
    while (!gate_open) {
        pthread_cond_wait(&gate_cond, &turn_lock);
    }
    gate_passed++;
    pthread_mutex_unlock(&turn_lock);
    return NULL;
}

static void test_broadcast(void) {
    pthread_t threads[10];
    for (int t = 0; t < 10; t++) {
        check(pthread_create(&threads[t], NULL, gate_worker, NULL) == 0, "create gate worker");
    }
    for (;;) {
        pthread_mutex_lock(&turn_lock);
        int waiting = gate_waiting;
        if (waiting == 10) {
            gate_open = 1;
            pthread_cond_broadcast(&gate_cond);
        }
        pthread_mutex_unlock(&turn_lock);
        if (waiting == 10) {
            break;
        }
        sched_yield();
    }
    for (int t = 0; t < 10; t++) {
        check(pthread_join(threads[t], NULL) == 0, "join gate worker");
    }
    printf("broadcast: %d of 10 waiters passed the gate\n", gate_passed);
}

/* 4. Churn: many short threads, some returning, some leaving by pthread_exit from a nested call, and some
 * detached (they finish on their own; a counter says when all have run). */
static atomic_int detached_done;

static void leave_nested(int depth, long value) {
    if (depth == 0) {
        pthread_exit((void *)(intptr_t)value);
    }
    leave_nested(depth - 1, value);
    printf("FAILED: pthread_exit returned\n");
}

static void *churn_worker(void *arg) {
    long n = (long)(intptr_t)arg;
    if (n % 3 == 1) {
        leave_nested((int)(n % 7), n * 2 + 1);
    }
    return (void *)(intptr_t)(n * 2);
}

static void *detached_worker(void *arg) {
    (void)arg;
    atomic_fetch_add(&detached_done, 1);
    return NULL;
}

static void test_churn(void) {
    long sum = 0;
    int exited = 0;
    for (long n = 0; n < CHURN_THREADS; n++) {
        pthread_t thread;
        check(pthread_create(&thread, NULL, churn_worker, (void *)(intptr_t)n) == 0, "create churn worker");
        void *result;
        check(pthread_join(thread, &result) == 0, "join churn worker");
        long value = (long)(intptr_t)result;
        if (value % 2 == 1) {
            exited++;
        }
        sum += value;
    }
    printf("churn: %d threads joined, %d left by pthread_exit, result sum %ld\n", CHURN_THREADS, exited, sum);

    /* Several at once, joined in reverse order. */
    pthread_t batch[64];
    for (long n = 0; n < 64; n++) {
        check(pthread_create(&batch[n], NULL, churn_worker, (void *)(intptr_t)n) == 0, "create batch worker");
    }
    long batch_sum = 0;
    for (int n = 63; n >= 0; n--) {
        void *result;
        check(pthread_join(batch[n], &result) == 0, "join batch worker");
        batch_sum += (long)(intptr_t)result;
    }
    printf("churn: batch of 64 result sum %ld\n", batch_sum);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int n = 0; n < 100; n++) {
        pthread_t thread;
        check(pthread_create(&thread, &attr, detached_worker, NULL) == 0, "create detached worker");
    }
    pthread_attr_destroy(&attr);
    while (atomic_load(&detached_done) != 100) {
        sched_yield();
    }
    printf("churn: 100 detached threads ran\n");
}

/* 5. Thread-local variables: each thread sees its own copy, initialised from the template. */
static __thread long tls_value = 1000;
static __thread char tls_name[16] = "template";
static long tls_results[TLS_THREADS];

static void *tls_worker(void *arg) {
    long id = (long)(intptr_t)arg;
    long initial = tls_value;
    int template_ok = strcmp(tls_name, "template") == 0;
    tls_value = id * 11;
    snprintf(tls_name, sizeof tls_name, "thread %ld", id);
    for (int i = 0; i < 1000; i++) {
        tls_value += 1;
        sched_yield();
        if (i % 250 == 0) {
            char expected[16];
            snprintf(expected, sizeof expected, "thread %ld", id);
            template_ok &= strcmp(tls_name, expected) == 0;
        }
    }
    tls_results[id] = (initial == 1000 && template_ok) ? tls_value : -1;
    return NULL;
}

static void test_tls(void) {
    tls_value = 7;
    pthread_t threads[TLS_THREADS];
    for (long t = 0; t < TLS_THREADS; t++) {
        check(pthread_create(&threads[t], NULL, tls_worker, (void *)(intptr_t)t) == 0, "create tls worker");
    }
    for (int t = 0; t < TLS_THREADS; t++) {
        check(pthread_join(threads[t], NULL) == 0, "join tls worker");
    }
    printf("tls:");
    for (int t = 0; t < TLS_THREADS; t++) {
        printf(" %ld", tls_results[t]);
    }
    printf("\ntls: main's copy is still %ld, name %s\n", tls_value, tls_name);
}

/* 6. pthread_once from many threads: the routine runs exactly once. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int once_runs;
static atomic_int once_callers;

static void once_routine(void) {
    atomic_fetch_add(&once_runs, 1);
}

static void *once_worker(void *arg) {
    (void)arg;
    pthread_once(&once, once_routine);
    atomic_fetch_add(&once_callers, 1);
    return NULL;
}

static void test_once(void) {
    pthread_t threads[8];
    for (int t = 0; t < 8; t++) {
        check(pthread_create(&threads[t], NULL, once_worker, NULL) == 0, "create once worker");
    }
    for (int t = 0; t < 8; t++) {
        check(pthread_join(threads[t], NULL) == 0, "join once worker");
    }
    printf("once: routine ran %d time(s) for %d callers\n", atomic_load(&once_runs), atomic_load(&once_callers));
}

/* 7. Main leaves with pthread_exit while a worker still runs; the worker prints last and returns. */
static pthread_t main_thread;

static void *last_worker(void *arg) {
    (void)arg;
    /* pthread_join on the main thread waits for it to exit. */
    check(pthread_join(main_thread, NULL) == 0, "join the main thread");
    printf("last: the main thread has exited; the worker finishes\n");
    fflush(stdout);
    return NULL;
}

int main(void) {
    test_atomics();
    test_mutex();
    test_pi_mutex();
    test_ping_pong();
    test_broadcast();
    test_churn();
    test_tls();
    test_once();
    main_thread = pthread_self();
    pthread_t last;
    check(pthread_create(&last, NULL, last_worker, NULL) == 0, "create last worker");
    printf("main: calling pthread_exit\n");
    fflush(stdout);
    pthread_exit(NULL);
}

#define _GNU_SOURCE
/* Asynchronous signals reaching threads that spin in loops with no system call: a timer signal ends a
 * busy-wait of the main thread, then four worker threads spin while the main thread sends them 2,000
 * queued real-time signals (thread-directed, with a value each) and 400 process-directed ones, in batches
 * it waits on; every signal must be handled exactly once, by a thread that was spinning, and the values
 * must add up. A translator must let signals into its loops (vmtrans polls at loop back-edges). */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

enum { WORKERS = 4, BATCHES = 10, PER_BATCH = 50, PROCESS_SIGNALS = 400 };

static volatile sig_atomic_t timer_fired;
static atomic_long received[WORKERS];
static atomic_long value_sum[WORKERS];
static atomic_long process_received;
static atomic_int stop;
static atomic_int started;
static _Thread_local int my_index = -1;

static void on_timer(int signal) {
    (void)signal;
    timer_fired = 1;
}

static void on_thread_signal(int signal, siginfo_t *info, void *context) {
    (void)signal;
    (void)context;
    if (my_index >= 0) {
        atomic_fetch_add(&received[my_index], 1);
        atomic_fetch_add(&value_sum[my_index], info->si_value.sival_int);
    }
}

static void on_process_signal(int signal) {
    (void)signal;
    atomic_fetch_add(&process_received, 1);
}

static void *worker(void *arg) {
    my_index = (int)(long)arg;
    atomic_fetch_add(&started, 1);
    unsigned long spins = 0;
    /* No system call in this loop: signals must get in anyway. */
    while (!atomic_load_explicit(&stop, memory_order_relaxed))
        spins++;
    return (void *)spins;
}

static void wait_until(atomic_long *counter, long target) {
    while (atomic_load(counter) < target)
        sched_yield();
}

int main(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_timer;
    sigaction(SIGALRM, &action, NULL);
    struct itimerval once = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &once, NULL);
    unsigned long spins = 0;
    while (!timer_fired)
        spins++;
    printf("busy-wait ended by the timer signal: %s\n", spins > 0 ? "yes" : "no");

    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_thread_signal;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN, &action, NULL);
    memset(&action, 0, sizeof action);
    action.sa_handler = on_process_signal;
    sigaction(SIGRTMIN + 1, &action, NULL);

    pthread_t threads[WORKERS];
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&threads[i], NULL, worker, (void *)i);
    /* A signal must not arrive before its worker knows its index. */
    while (atomic_load(&started) < WORKERS)
        sched_yield();
    long expected_sum[WORKERS] = {0};
    for (int batch = 0; batch < BATCHES; batch++) {
        for (int i = 0; i < PER_BATCH; i++) {
            for (int w = 0; w < WORKERS; w++) {
                union sigval value = {.sival_int = batch * 1000 + i * 10 + w};
                expected_sum[w] += value.sival_int;
                pthread_sigqueue(threads[w], SIGRTMIN, value);
            }
        }
        for (int w = 0; w < WORKERS; w++)
            wait_until(&received[w], (long)(batch + 1) * PER_BATCH);
    }
    for (int w = 0; w < WORKERS; w++)
        printf("worker %d: %ld signals, values %s\n", w, atomic_load(&received[w]),
               atomic_load(&value_sum[w]) == expected_sum[w] ? "add up" : "differ");

    /* Process-directed: the main thread blocks them, so a spinning worker must take each one. */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGRTMIN + 1);
    pthread_sigmask(SIG_BLOCK, &block, NULL);
    for (int i = 0; i < PROCESS_SIGNALS; i += 50) {
        for (int j = 0; j < 50; j++) {
            union sigval value = {.sival_int = i + j};
            sigqueue(getpid(), SIGRTMIN + 1, value);
        }
        wait_until(&process_received, i + 50);
    }
    printf("process-directed: %ld of %d handled\n", atomic_load(&process_received), PROCESS_SIGNALS);

    atomic_store(&stop, 1);
    int all_spun = 1;
    for (int w = 0; w < WORKERS; w++) {
        void *result;
        pthread_join(threads[w], &result);
        all_spun &= result != NULL;
    }
    printf("workers spun and stopped: %s\n", all_spun ? "yes" : "no");
    return 0;
}

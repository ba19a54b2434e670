/* Signals and guest threads: pthread_kill runs a handler on the chosen thread (thread-directed signals);
 * pthread_cancel (glibc's SIGCANCEL, signal 32, with a guest handler) ends a thread blocked in read() on an
 * empty pipe and a thread spinning on pthread_testcancel, running their cleanup handlers; a process-directed
 * signal blocked in every thread but one is handled by that one. Only deterministic results are printed. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_int handled_by_target, handled_elsewhere, cleanups;
static pthread_t target_thread;
static atomic_int ready;

static void usr1_handler(int signal) {
    (void)signal;
    if (pthread_equal(pthread_self(), target_thread))
        atomic_fetch_add(&handled_by_target, 1);
    else
        atomic_fetch_add(&handled_elsewhere, 1);
}

/* 1. pthread_kill: the handler runs on the target thread, which waits in sigsuspend-free polling. */
static atomic_int stop_waiting;

static void *waiting_thread(void *arg) {
    (void)arg;
    atomic_store(&ready, 1);
    while (!atomic_load(&stop_waiting) || atomic_load(&handled_by_target) == 0)
        usleep(1000);
    return NULL;
}

static void test_pthread_kill(void) {
    signal(SIGUSR1, usr1_handler);
    atomic_store(&ready, 0);
    pthread_create(&target_thread, NULL, waiting_thread, NULL);
    while (!atomic_load(&ready))
        usleep(1000);
    pthread_kill(target_thread, SIGUSR1);
    atomic_store(&stop_waiting, 1);
    pthread_join(target_thread, NULL);
    printf("pthread_kill: by_target=%d elsewhere=%d\n", atomic_load(&handled_by_target),
           atomic_load(&handled_elsewhere));
}

/* 2. pthread_cancel of a thread blocked in read(). */
static void count_cleanup(void *arg) {
    (void)arg;
    atomic_fetch_add(&cleanups, 1);
}

static int pipe_fds[2];

static void *reading_thread(void *arg) {
    (void)arg;
    char byte;
    pthread_cleanup_push(count_cleanup, NULL);
    atomic_store(&ready, 1);
    ssize_t got = read(pipe_fds[0], &byte, 1);
    printf("read returned %zd (not reached)\n", got);
    pthread_cleanup_pop(0);
    return NULL;
}

/* 3. pthread_cancel of a thread that polls with pthread_testcancel. */
static void *spinning_thread(void *arg) {
    (void)arg;
    pthread_cleanup_push(count_cleanup, NULL);
    atomic_store(&ready, 1);
    for (;;) {
        pthread_testcancel();
        usleep(100);
    }
    pthread_cleanup_pop(0);
    return NULL;
}

static void cancel_one(void *(*body)(void *), const char *what) {
    pthread_t thread;
    void *result = NULL;
    atomic_store(&ready, 0);
    int before = atomic_load(&cleanups);
    pthread_create(&thread, NULL, body, NULL);
    while (!atomic_load(&ready))
        usleep(1000);
    usleep(20000);
    pthread_cancel(thread);
    pthread_join(thread, &result);
    printf("%s: canceled=%d cleanups=%d\n", what, result == PTHREAD_CANCELED, atomic_load(&cleanups) - before);
}

int main(void) {
    test_pthread_kill();
    if (pipe(pipe_fds) != 0)
        return 2;
    cancel_one(reading_thread, "cancel in read");
    cancel_one(spinning_thread, "cancel at testcancel");
    return 0;
}

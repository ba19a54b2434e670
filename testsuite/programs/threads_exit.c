/* How guest threads end, through raw system calls as well as glibc: a thread leaving by SYS_exit from deep
 * inside nested calls (joined through the kernel's clear-child-tid wake), exit() from one thread of a forked,
 * multithreaded child ending that whole child with its status, and a process whose first thread leaves by
 * SYS_exit(7) before the last one leaves by SYS_exit(3): the process exit status is the last thread's, 3. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void check(int ok, const char *what) {
    if (!ok) {
        printf("FAILED: %s\n", what);
        exit(1);
    }
}

/* Recurses, then leaves the thread by the raw system call from the innermost frame. */
static volatile long depth_reached;

static long dive(int depth) {
    if (depth == 0) {
        __atomic_fetch_add(&depth_reached, 1, __ATOMIC_SEQ_CST);
        syscall(SYS_exit, 0);
        printf("FAILED: SYS_exit returned\n");
        return -1;
    }
    return dive(depth - 1) + depth;
}

static void *diver(void *arg) {
    long depth = (long)arg;
    dive((int)depth);
    return (void *)1;
}

static void test_deep_exit(void) {
    int joined = 0;
    for (long n = 0; n < 50; n++) {
        pthread_t thread;
        check(pthread_create(&thread, NULL, diver, (void *)(10 + n * 7)) == 0, "create diver");
        check(pthread_join(thread, NULL) == 0, "join diver");
        joined++;
    }
    printf("deep exits: %d joined, %ld reached the bottom\n", joined, depth_reached);
}

/* In a forked child with several threads, exit() from one thread ends them all with its status. */
static pthread_mutex_t never_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_cond = PTHREAD_COND_INITIALIZER;

static void *sleeper(void *arg) {
    (void)arg;
    pthread_mutex_lock(&never_lock);
    for (;;) {
        pthread_cond_wait(&never_cond, &never_lock);
    }
    return NULL;
}

static void *exiter(void *arg) {
    (void)arg;
    exit(5);
}

static void test_exit_from_thread(void) {
    fflush(stdout);
    pid_t child = fork();
    check(child >= 0, "fork");
    if (child == 0) {
        pthread_t threads[4];
        for (int t = 0; t < 4; t++) {
            check(pthread_create(&threads[t], NULL, sleeper, NULL) == 0, "create sleeper");
        }
        pthread_t leaving;
        check(pthread_create(&leaving, NULL, exiter, NULL) == 0, "create exiter");
        pthread_join(threads[0], NULL);
        _exit(99);
    }
    int status = 0;
    check(waitpid(child, &status, 0) == child, "waitpid");
    printf("fork: child with 5 threads exited %s status %d\n", WIFEXITED(status) ? "normally with" : "abnormally,",
           WIFEXITED(status) ? WEXITSTATUS(status) : status);
}

/* The first thread leaves by SYS_exit(7); the last one, having joined it, leaves by SYS_exit(3). */
static pthread_t first_thread;

static void *last_thread(void *arg) {
    (void)arg;
    check(pthread_join(first_thread, NULL) == 0, "join the first thread");
    printf("last: the first thread is gone; leaving with SYS_exit(3)\n");
    fflush(stdout);
    syscall(SYS_exit, 3);
    return NULL;
}

int main(void) {
    test_deep_exit();
    test_exit_from_thread();
    first_thread = pthread_self();
    pthread_t last;
    check(pthread_create(&last, NULL, last_thread, NULL) == 0, "create the last thread");
    printf("first: leaving with SYS_exit(7)\n");
    fflush(stdout);
    syscall(SYS_exit, 7);
    return 1;
}

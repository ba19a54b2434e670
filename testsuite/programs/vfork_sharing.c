/* vfork's shared memory: the child of vfork(2) "shares all memory with its parent, including the stack", so a
 * value it stores before _exit is seen by the parent, and the parent is suspended until the child calls execve or
 * _exit; glibc's posix_spawn relies on that (clone with CLONE_VM|CLONE_VFORK) to report an exec failure, so
 * posix_spawn(3) of a missing file returns ENOENT, and a successful one returns 0 with a pid that waitpid reports
 * on. clone(CLONE_VFORK) without CLONE_VM copies memory but still suspends the caller. qemu-aarch64 7.2 runs vfork
 * as fork, so this program is listed in qemu-wrong.txt (expected output from the
 * native build and the man pages). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t handled;

static void on_usr1(int signal) {
    (void)signal;
    handled = 1;
}

int main(void) {
    static volatile int shared_value = 1;
    pid_t child = vfork();
    if (child == 0) {
        shared_value = 2;
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    printf("vfork child's store seen by the parent: %s\n", shared_value == 2 ? "yes" : "no");

    /* posix_spawn's child resets every handled signal to SIG_DFL in the memory it shares with the parent; the
     * actions themselves are per process (vfork(2): the child does not share the parent's signal actions, clone(2)
     * without CLONE_SIGHAND), so the parent's handler stays. */
    signal(SIGUSR1, on_usr1);
    pid_t spawned = 0;
    char *arguments[] = { "missing", NULL };
    int result = posix_spawn(&spawned, "/nonexistent/vmtrans-missing", NULL, NULL, arguments, environ);
    printf("posix_spawn of a missing file: %s\n", result == ENOENT ? "ENOENT" : result == 0 ? "0" : "other");
    if (result == 0) {
        waitpid(spawned, &status, 0);
    }

    /* A successful spawn: a host shell that exits with status 3. */
    char *shell[] = { "sh", "-c", "exit 3", NULL };
    result = posix_spawn(&spawned, "/bin/sh", NULL, NULL, shell, environ);
    printf("posix_spawn of /bin/sh: %s\n", result == 0 ? "0" : strerror(result));
    if (result == 0 && waitpid(spawned, &status, 0) == spawned) {
        printf("spawned shell exited with %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }

    /* Several vfork children in a row, each adding to the parent's counter before _exit. */
    static volatile int counter = 0;
    for (int i = 0; i < 5; i++) {
        pid_t c = vfork();
        if (c == 0) {
            counter += i + 1;
            _exit(i);
        }
        waitpid(c, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != i) {
            printf("vfork child %d: unexpected status %#x\n", i, status);
        }
    }
    printf("counter after five vfork children: %d\n", counter);

    /* clone(CLONE_VFORK) without CLONE_VM: the child gets a copy of memory, and the caller still sleeps until the
     * child has called execve or exited (clone(2)), so what a child that naps first writes to a pipe before _exit
     * is there as soon as clone returns in the parent. */
    static volatile int copied_value = 1;
    int marker[2];
    if (pipe2(marker, O_NONBLOCK) != 0) {
        return 1;
    }
    long copy_child = syscall(SYS_clone, CLONE_VFORK | SIGCHLD, 0, NULL, NULL, NULL);
    if (copy_child == 0) {
        copied_value = 2;
        struct timespec nap = { 0, 200 * 1000 * 1000 };
        nanosleep(&nap, NULL);
        _exit(write(marker[1], "x", 1) == 1 ? 7 : 8);
    }
    char byte = 0;
    printf("clone(CLONE_VFORK) waited for its child: %s\n", read(marker[0], &byte, 1) == 1 ? "yes" : "no");
    waitpid((pid_t)copy_child, &status, 0);
    printf("clone(CLONE_VFORK) child's exit status %d, its store seen by the parent: %s\n",
           WIFEXITED(status) ? WEXITSTATUS(status) : -1, copied_value == 2 ? "yes" : "no");
    raise(SIGUSR1);
    printf("parent's SIGUSR1 handler after the spawns: %s\n", handled ? "ran" : "did not run");
    return 0;
}

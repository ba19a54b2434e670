/* vfork's shared memory, which the runtime does not provide yet (it runs vfork as fork): the child of vfork(2)
 * "shares all memory with its parent, including the stack", so a value it stores before _exit is seen by the
 * parent; glibc's posix_spawn relies on that (clone with CLONE_VM|CLONE_VFORK) to report an exec failure, so
 * posix_spawn(3) of a missing file returns ENOENT. qemu-aarch64 7.2 also runs vfork as fork, so this program is
 * listed in qemu-wrong.txt (expected output from the native build and the man pages) and, for the translated
 * half, in known-failures.txt. */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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

    pid_t spawned = 0;
    char *arguments[] = { "missing", NULL };
    int result = posix_spawn(&spawned, "/nonexistent/vmtrans-missing", NULL, NULL, arguments, environ);
    printf("posix_spawn of a missing file: %s\n", result == ENOENT ? "ENOENT" : result == 0 ? "0" : "other");
    if (result == 0) {
        waitpid(spawned, &status, 0);
    }
    return 0;
}

/* The signals that faults raise (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP), sent by another process with kill
 * instead: signal(7) says they are then delivered like any other signal. For each one a child process waits in
 * sigsuspend, and the parent kills it three ways: the child has a handler (which must run, with si_code SI_USER and
 * si_pid the parent, and the child then goes on), the child ignores the signal (it must live on), and the child
 * keeps the default action (it must die by that signal). Results travel by exit status, so the output does not
 * depend on which process runs first.
 *
 * Listed in qemu-wrong.txt: qemu-aarch64 7.2 hangs at times when such a child takes the default action, so the
 * expected output is the native build's, checked against signal(7) ("a signal may be generated ... by a process
 * using kill(2)"; the dispositions: handler, SIG_IGN, default action "Core" for all five) and sigaction(2) (si_code
 * SI_USER and si_pid the sender for kill). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t handler_ran, code_is_user, pid_is_parent;

static void on_signal(int signal, siginfo_t *info, void *context) {
    (void)signal;
    (void)context;
    handler_ran = 1;
    code_is_user = info->si_code == SI_USER;
    pid_is_parent = info->si_pid == getppid();
}

/* Starts a child that sets `disposition` (0 default, 1 ignore, 2 handler) for `signal`, says it is ready on a pipe
 * and waits for the signal (or, when it ignores it, for the parent's go-ahead); the parent then kills it. Returns the
 * child's wait status. */
static int run_child(int signal, int disposition) {
    int ready[2], go[2];
    if (pipe(ready) != 0 || pipe(go) != 0) {
        perror("pipe");
        exit(1);
    }
    pid_t child = fork();
    if (child == 0) {
        /* No core file for the default action (qemu-aarch64 writes one for its guest at length). */
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        sigset_t block, empty;
        sigemptyset(&block);
        sigaddset(&block, signal);
        sigemptyset(&empty);
        sigprocmask(SIG_BLOCK, &block, NULL);
        struct sigaction action;
        memset(&action, 0, sizeof action);
        if (disposition == 2) {
            action.sa_sigaction = on_signal;
            action.sa_flags = SA_SIGINFO;
        } else {
            action.sa_handler = disposition == 1 ? SIG_IGN : SIG_DFL;
        }
        sigaction(signal, &action, NULL);
        char byte = 'r';
        if (write(ready[1], &byte, 1) != 1)
            _exit(100);
        if (disposition == 1) {
            sigprocmask(SIG_UNBLOCK, &block, NULL);
            if (read(go[0], &byte, 1) != 1)
                _exit(101);
            _exit(0);
        }
        sigsuspend(&empty);
        _exit(handler_ran * 4 + code_is_user * 2 + pid_is_parent);
    }
    char byte;
    if (read(ready[0], &byte, 1) != 1) {
        perror("read");
        exit(1);
    }
    kill(child, signal);
    byte = 'g';
    if (write(go[1], &byte, 1) != 1) {
        perror("write");
        exit(1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
    return status;
}

int main(void) {
    const int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        int signal = signals[i];
        const char *name = sigabbrev_np(signal);
        int handled = run_child(signal, 2);
        int bits = WIFEXITED(handled) ? WEXITSTATUS(handled) : -1;
        printf("SIG%s sent, handler: ran %d, si_code SI_USER %d, si_pid the parent %d\n", name, bits >= 0 && bits & 4 ? 1 : 0,
               bits >= 0 && bits & 2 ? 1 : 0, bits >= 0 && bits & 1 ? 1 : 0);
        int ignored = run_child(signal, 1);
        printf("SIG%s sent, ignored: the child exits normally %d with status %d\n", name, WIFEXITED(ignored),
               WIFEXITED(ignored) ? WEXITSTATUS(ignored) : -1);
        int killed = run_child(signal, 0);
        printf("SIG%s sent, default action: the child is killed by it %d\n", name,
               WIFSIGNALED(killed) && WTERMSIG(killed) == signal);
    }
    return 0;
}

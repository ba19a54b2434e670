/* A fork/exec pipeline of three guest programs, for tests/exec_guests.rs. "pipeline run A B C" starts A, B and C
 * (each with the arguments "stage <name>") connected by pipes, feeds the first one a fixed text, prints what the
 * last one writes and how each child ended. "pipeline stage ... <name>" is one filter: upper (upper-cases), rev
 * (reverses each line) or count (numbers the lines, then prints the totals). The stage name is the last argument,
 * so that a script whose "#!" line names this program as its interpreter works as a stage too. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const input_text =
    "the quick brown fox\n"
    "jumps over the lazy dog\n"
    "pipelines of translated programs\n"
    "0123456789 !?\n";

static int run_stage(const char *name) {
    char line[4096];
    long lines = 0, bytes = 0;
    while (fgets(line, sizeof line, stdin)) {
        size_t length = strlen(line);
        lines++;
        bytes += (long)length;
        if (strcmp(name, "upper") == 0) {
            for (size_t i = 0; i < length; i++)
                line[i] = (char)toupper((unsigned char)line[i]);
            fputs(line, stdout);
        } else if (strcmp(name, "rev") == 0) {
            size_t end = length > 0 && line[length - 1] == '\n' ? length - 1 : length;
            for (size_t i = 0; i < end / 2; i++) {
                char c = line[i];
                line[i] = line[end - 1 - i];
                line[end - 1 - i] = c;
            }
            fputs(line, stdout);
        } else if (strcmp(name, "count") == 0) {
            printf("%ld: %s", lines, line);
        } else {
            fprintf(stderr, "unknown stage %s\n", name);
            return 2;
        }
    }
    if (strcmp(name, "count") == 0)
        printf("lines=%ld bytes=%ld\n", lines, bytes);
    return 0;
}

/* Starts `program` as a stage reading from `in` and writing to `out`; returns its pid. */
static pid_t start_stage(const char *program, const char *name, int in, int out, int close_a, int close_b) {
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in, 0);
        dup2(out, 1);
        close(in);
        close(out);
        if (close_a >= 0)
            close(close_a);
        if (close_b >= 0)
            close(close_b);
        char *const args[] = {(char *)program, "stage", (char *)name, NULL};
        execv(program, args);
        perror("execv");
        _exit(127);
    }
    return pid;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "stage") == 0)
        return run_stage(argv[argc - 1]);
    if (argc != 5 || strcmp(argv[1], "run") != 0) {
        fprintf(stderr, "usage: pipeline run A B C | pipeline stage NAME\n");
        return 2;
    }
    int feed[2], middle1[2], middle2[2], result[2];
    if (pipe(feed) || pipe(middle1) || pipe(middle2) || pipe(result))
        return 3;
    const char *names[3] = {"upper", "rev", "count"};
    pid_t pids[3];
    pids[0] = start_stage(argv[2], names[0], feed[0], middle1[1], feed[1], middle1[0]);
    close(feed[0]);
    close(middle1[1]);
    pids[1] = start_stage(argv[3], names[1], middle1[0], middle2[1], middle2[0], feed[1]);
    close(middle1[0]);
    close(middle2[1]);
    pids[2] = start_stage(argv[4], names[2], middle2[0], result[1], result[0], feed[1]);
    close(middle2[0]);
    close(result[1]);
    if (write(feed[1], input_text, strlen(input_text)) != (ssize_t)strlen(input_text))
        return 4;
    close(feed[1]);
    char buffer[8192];
    size_t filled = 0;
    ssize_t n;
    while ((n = read(result[0], buffer + filled, sizeof buffer - 1 - filled)) > 0)
        filled += (size_t)n;
    buffer[filled] = 0;
    printf("%s", buffer);
    for (int i = 0; i < 3; i++) {
        int status = 0;
        waitpid(pids[i], &status, 0);
        printf("stage %s: %s %d\n", names[i], WIFEXITED(status) ? "exit" : "signal",
               WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    }
    return 0;
}

/* The program's own /proc files: /proc/self/maps has an executable mapping holding main and a "[stack]" mapping
 * holding a local variable; /proc/self/exe is a readable link; /proc/cpuinfo has content; /proc/self/auxv has
 * AT_PAGESZ 4096 (agreeing with getauxval) and ends with AT_NULL; the first field of /proc/self/stat is the pid.
 * Only yes/no facts are printed. */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

/* Reads a whole (small) file into a static buffer with read(), as /proc files have no size; returns its length. */
static size_t slurp(const char *path, char *buffer, size_t capacity) {
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    size_t length = 0;
    ssize_t got;
    while (length < capacity - 1 && (got = read(fd, buffer + length, capacity - 1 - length)) > 0)
        length += (size_t)got;
    buffer[length] = 0;
    close(fd);
    return length;
}

static char text[1 << 20];

int main(void);

/* 1. /proc/self/maps: each line is "start-end perms offset dev inode [path]". */
static void test_maps(void) {
    volatile int local = 5;
    unsigned long code = (unsigned long)&main, stack = (unsigned long)&local;
    size_t length = slurp("/proc/self/maps", text, sizeof text);
    int lines = 0, well_formed = 1, code_executable = 0, stack_named = 0;
    for (char *line = text; line < text + length && *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = 0;
        unsigned long start, stop;
        char perms[8] = {0};
        int consumed = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s%n", &start, &stop, perms, &consumed) < 3 || start >= stop ||
            strlen(perms) != 4)
            well_formed = 0;
        else {
            if (code >= start && code < stop && perms[0] == 'r' && perms[2] == 'x')
                code_executable = 1;
            size_t line_length = strlen(line);
            if (stack >= start && stack < stop && line_length >= 7 && strcmp(line + line_length - 7, "[stack]") == 0 &&
                perms[0] == 'r' && perms[1] == 'w')
                stack_named = 1;
        }
        lines++;
        line = end ? end + 1 : text + length;
    }
    printf("maps: several lines %d, well formed %d, main in an r-x mapping %d, local in rw [stack] %d\n", lines > 3,
           well_formed, code_executable, stack_named);
}

/* 2. /proc/self/exe names a file that exists; /proc/cpuinfo is not empty. */
static void test_exe_and_cpuinfo(void) {
    char target[4096];
    ssize_t length = readlink("/proc/self/exe", target, sizeof target - 1);
    int absolute = length > 1 && target[0] == '/';
    if (length > 0)
        target[length] = 0;
    printf("readlink /proc/self/exe: succeeded %d, absolute %d, exists %d\n", length > 0, absolute,
           length > 0 && access(target, F_OK) == 0);
    char small[8];
    ssize_t too_short = readlink("/proc/self/exe", small, sizeof small);
    printf("readlink into 8 bytes gives 8 %d\n", too_short == 8);
    size_t cpuinfo = slurp("/proc/cpuinfo", text, sizeof text);
    printf("/proc/cpuinfo non-empty %d\n", cpuinfo > 0);
}

/* 3. /proc/self/auxv: pairs of native words, ending with AT_NULL. */
static void test_auxv(void) {
    size_t length = slurp("/proc/self/auxv", text, sizeof text);
    unsigned long *words = (unsigned long *)(void *)text;
    size_t pairs = length / (2 * sizeof(unsigned long));
    unsigned long page_size = 0;
    int ends_with_null = pairs > 0 && words[2 * (pairs - 1)] == AT_NULL, null_before_end = 0;
    for (size_t i = 0; i < pairs; i++) {
        if (words[2 * i] == AT_PAGESZ)
            page_size = words[2 * i + 1];
        if (words[2 * i] == AT_NULL && i + 1 < pairs)
            null_before_end = 1;
    }
    printf("auxv: whole pairs %d, AT_PAGESZ %lu, agrees with getauxval %d, ends with AT_NULL %d, only there %d\n",
           length > 0 && length % (2 * sizeof(unsigned long)) == 0, page_size, page_size == getauxval(AT_PAGESZ),
           ends_with_null, !null_before_end);
}

/* 4. /proc/self/stat: "pid (comm) state ppid ...". The state letter is not checked: qemu-aarch64 7.2 writes 0
 * there. */
static void test_stat(void) {
    size_t length = slurp("/proc/self/stat", text, sizeof text);
    long pid = -1, ppid = -1;
    char *close_paren = strrchr(text, ')');
    int parsed = length > 0 && sscanf(text, "%ld", &pid) == 1 && close_paren &&
                 sscanf(close_paren + 1, " %*s %ld", &ppid) == 1;
    printf("stat: pid matches %d, ppid matches %d\n", parsed && pid == (long)getpid(), ppid == (long)getppid());
}

int main(void) {
    test_maps();
    test_exe_and_cpuinfo();
    test_auxv();
    test_stat();
    return 0;
}

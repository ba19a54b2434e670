/* argv and environment: prints the arguments after argv[0] and the VT_* variables (sorted), plus getenv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int compare_strings(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv, char **envp) {
    printf("argc = %d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d] = \"%s\" (length %zu)\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc] is %s\n", argv[argc] == NULL ? "NULL" : "not NULL");

    /* Only the variables the runner sets are printed: tools may add others of their own. */
    const char *selected[64];
    int count = 0;
    for (char **entry = envp; *entry && count < 64; entry++)
        if (strncmp(*entry, "VT_", 3) == 0)
            selected[count++] = *entry;
    qsort(selected, (size_t)count, sizeof selected[0], compare_strings);
    for (int i = 0; i < count; i++)
        printf("env %s\n", selected[i]);
    printf("environ and envp agree: %s\n", environ == envp ? "yes" : "no");
    const char *alpha = getenv("VT_ALPHA");
    printf("getenv(VT_ALPHA) = %s\n", alpha ? alpha : "(unset)");
    printf("getenv(VT_MISSING) = %s\n", getenv("VT_MISSING") ? "set" : "(unset)");
    setenv("VT_ADDED", "later", 1);
    printf("after setenv: %s\n", getenv("VT_ADDED"));
    return 0;
}

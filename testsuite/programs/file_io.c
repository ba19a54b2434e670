/* Writes a file in /tmp under a unique name (mkstemp), reads it back with stdio and with read(), then removes it. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    char path[] = "/tmp/vmtrans-file-io-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        printf("mkstemp failed\n");
        return 1;
    }
    FILE *out = fdopen(fd, "w");
    unsigned long written_sum = 0;
    for (int i = 0; i < 2000; i++) {
        fprintf(out, "line %04d value %d\n", i, i * i - 500);
        written_sum += (unsigned long)(i * i);
    }
    unsigned char binary[1000];
    for (int i = 0; i < 1000; i++)
        binary[i] = (unsigned char)(i * 7);
    fwrite(binary, 1, sizeof binary, out);
    if (fclose(out) != 0)
        return 2;

    struct stat info;
    if (stat(path, &info) != 0)
        return 3;
    printf("file size %lld, regular %d, mode %o\n", (long long)info.st_size, S_ISREG(info.st_mode),
           (unsigned)(info.st_mode & 0777));

    FILE *in = fopen(path, "r");
    char line[128];
    int lines = 0;
    long value_sum = 0;
    while (lines < 2000 && fgets(line, sizeof line, in)) {
        int index, value;
        if (sscanf(line, "line %d value %d", &index, &value) == 2 && index == lines)
            value_sum += value;
        lines++;
    }
    unsigned char back[1000];
    size_t got = fread(back, 1, sizeof back, in);
    int extra = fgetc(in);
    fclose(in);
    printf("read %d lines, value sum %ld (expected %ld), binary %zu bytes, match %d, then EOF %d\n", lines, value_sum,
           (long)written_sum - 500L * 2000, got, memcmp(back, binary, sizeof binary) == 0, extra == EOF);

    /* Low-level I/O: lseek to the binary tail and read it in odd-sized pieces. */
    int raw = open(path, O_RDWR);
    off_t end = lseek(raw, 0, SEEK_END);
    off_t start = lseek(raw, -1000, SEEK_END);
    unsigned sum = 0;
    unsigned char piece[37];
    ssize_t n;
    while ((n = read(raw, piece, sizeof piece)) > 0)
        for (ssize_t i = 0; i < n; i++)
            sum += piece[i];
    lseek(raw, 0, SEEK_SET);
    ssize_t overwritten = write(raw, "LINE", 4);
    char head[10] = {0};
    pread(raw, head, 9, 0);
    close(raw);
    printf("end %lld start %lld tail sum %u, overwrote %zd, head \"%s\"\n", (long long)end, (long long)start, sum,
           overwritten, head);
    int unlinked = unlink(path);
    int still_exists = access(path, F_OK) == 0;
    printf("unlink %d, exists afterwards %d\n", unlinked, still_exists);
    return 0;
}

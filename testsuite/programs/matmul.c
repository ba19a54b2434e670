/* Matrix multiplication in integers (wrapping 32-bit and 64-bit) and doubles, with a transposed variant. */
#include <stdint.h>
#include <stdio.h>

enum { N = 96 };

static int32_t ia[N][N], ib[N][N], ic[N][N];
static int64_t la[N][N], lc[N][N];
static double da[N][N], db[N][N], dc[N][N], dt[N][N];

int main(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            ia[i][j] = (i * 31 + j * 17) % 101 - 50;
            ib[i][j] = (i * 7 - j * 13) % 67;
            la[i][j] = (int64_t)(i + 1) * 1000003 - j * 77777;
            da[i][j] = (i - j) / 8.0 + 0.5;
            db[i][j] = ((i * j) % 11) * 0.25 - 1.0;
        }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int32_t sum = 0;
            int64_t wide = 0;
            for (int k = 0; k < N; k++) {
                sum += ia[i][k] * ib[k][j];
                wide += la[i][k] * la[k][j];
            }
            ic[i][j] = sum;
            lc[i][j] = wide;
        }
    /* The i-k-j order vectorises well at -O3. */
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++) {
            double scale = da[i][k];
            for (int j = 0; j < N; j++)
                dc[i][j] += scale * db[k][j];
        }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double sum = 0;
            for (int k = 0; k < N; k++)
                sum += da[i][k] * db[k][j];
            dt[i][j] = sum;
        }
    int64_t trace = 0, checksum = 0;
    uint64_t wide_checksum = 0;
    double dtrace = 0, dsum = 0, max_difference = 0;
    for (int i = 0; i < N; i++) {
        trace += ic[i][i];
        dtrace += dc[i][i];
        for (int j = 0; j < N; j++) {
            checksum = checksum * 3 + ic[i][j];
            wide_checksum = wide_checksum * 1000003 + (uint64_t)lc[i][j];
            dsum += dc[i][j] * ((i + j) % 5);
            double difference = dc[i][j] - dt[i][j];
            if (difference < 0)
                difference = -difference;
            if (difference > max_difference)
                max_difference = difference;
        }
    }
    printf("int32: trace %lld checksum %lld corner %d %d\n", (long long)trace, (long long)checksum, ic[0][N - 1],
           ic[N - 1][0]);
    printf("int64: checksum %016llx corner %lld\n", (unsigned long long)wide_checksum, (long long)lc[N - 1][N - 1]);
    printf("double: trace %.10f weighted sum %.10f corner %.10f max order difference %.3g\n", dtrace, dsum,
           dc[N - 1][N - 1], max_difference);
    return 0;
}

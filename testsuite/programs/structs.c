/* Structs passed and returned by value: small (in registers), mixed float (HFA), and large (through memory). */
#include <stdio.h>
#include <string.h>

struct pair {
    int x, y;
};
struct triple_long {
    long a, b, c;
};
struct vec3 {
    double x, y, z;
};
struct vec4f {
    float x, y, z, w;
};
struct mixed {
    char tag;
    short count;
    double weight;
    int id;
};
struct big {
    int values[32];
    char name[20];
    double scale;
};

static struct pair make_pair(int x, int y) { return (struct pair){x, y}; }
static struct pair add_pairs(struct pair a, struct pair b) { return make_pair(a.x + b.x, a.y + b.y); }
static struct triple_long rotate(struct triple_long t) { return (struct triple_long){t.b, t.c, t.a * 2}; }
static struct vec3 cross(struct vec3 a, struct vec3 b) {
    return (struct vec3){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
static struct vec4f scale4(struct vec4f v, float s) { return (struct vec4f){v.x * s, v.y * s, v.z * s, v.w * s}; }
static struct mixed bump(struct mixed m) {
    m.tag++;
    m.count *= 3;
    m.weight /= 4;
    m.id ^= 0x5a5a;
    return m;
}

static struct big transform(struct big input, int delta) {
    for (int i = 0; i < 32; i++)
        input.values[i] = input.values[i] * 3 + delta;
    input.scale *= 1.5;
    input.name[0] = (char)('A' + delta % 26);
    return input;
}

static long sum_big(struct big b) {
    long total = 0;
    for (int i = 0; i < 32; i++)
        total += b.values[i];
    return total + (long)b.scale + (long)strlen(b.name);
}

/* Many by-value arguments push some of them to the stack. */
static double many(struct pair p, struct vec3 v, struct mixed m, struct triple_long t, struct vec4f f, struct pair q,
                   struct vec3 w) {
    return p.x + p.y + v.x + v.y + v.z + m.tag + m.count + m.weight + m.id + (double)(t.a + t.b + t.c) + f.x + f.w +
           q.x * 10 + q.y * 100 + w.x + w.z;
}

int main(void) {
    struct pair p = make_pair(3, -4);
    for (int i = 0; i < 5; i++)
        p = add_pairs(p, make_pair(i, i * i));
    printf("pair %d %d\n", p.x, p.y);
    struct triple_long t = {1, 2, 3};
    for (int i = 0; i < 10; i++)
        t = rotate(t);
    printf("triple %ld %ld %ld\n", t.a, t.b, t.c);
    struct vec3 a = {1, 0.5, -2}, b = {0.25, 3, 1};
    for (int i = 0; i < 3; i++)
        a = cross(a, b);
    printf("vec3 %.6f %.6f %.6f\n", a.x, a.y, a.z);
    struct vec4f f = scale4((struct vec4f){1.5f, -2, 0.25f, 8}, 1.25f);
    printf("vec4f %g %g %g %g\n", (double)f.x, (double)f.y, (double)f.z, (double)f.w);
    struct mixed m = {'a', 7, 100.0, 1234};
    m = bump(bump(m));
    printf("mixed %c %d %g %d\n", m.tag, m.count, m.weight, m.id);
    struct big big = {{0}, "structure", 2.0};
    for (int i = 0; i < 32; i++)
        big.values[i] = i - 16;
    struct big result = transform(big, 5);
    result = transform(result, 11);
    printf("big: original sum %ld, transformed sum %ld, name %s, scale %g, first %d last %d\n", sum_big(big),
           sum_big(result), result.name, result.scale, result.values[0], result.values[31]);
    printf("many %.3f\n", many(p, a, m, t, f, make_pair(7, 8), b));
    return 0;
}

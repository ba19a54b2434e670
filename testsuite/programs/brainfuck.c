/* A Brainfuck interpreter with precomputed bracket jumps, running embedded programs (hello world and more). */
#include <stdio.h>
#include <string.h>

static int run(const char *program, const char *input, unsigned long *steps_out) {
    static int jump[8192];
    int stack[256], depth = 0;
    int length = (int)strlen(program);
    for (int i = 0; i < length; i++) {
        if (program[i] == '[') {
            stack[depth++] = i;
        } else if (program[i] == ']') {
            if (depth == 0)
                return -1;
            int open = stack[--depth];
            jump[open] = i;
            jump[i] = open;
        }
    }
    if (depth != 0)
        return -1;
    unsigned char tape[30000] = {0};
    int head = 0;
    unsigned long steps = 0;
    for (int pc = 0; pc < length; pc++) {
        steps++;
        switch (program[pc]) {
        case '>': head = (head + 1) % 30000; break;
        case '<': head = (head + 29999) % 30000; break;
        case '+': tape[head]++; break;
        case '-': tape[head]--; break;
        case '.': putchar(tape[head]); break;
        case ',': tape[head] = *input ? (unsigned char)*input++ : 0; break;
        case '[': if (!tape[head]) pc = jump[pc]; break;
        case ']': if (tape[head]) pc = jump[pc]; break;
        default: break;
        }
    }
    *steps_out = steps;
    return 0;
}

int main(void) {
    const char *hello = "++++++++[>++++[>++>+++>+++>+<<<<-]>+>+>->>+[<]<-]>>.>---.+++++++..+++.>>.<-.<.+++.------."
                        "--------.>>+.>++.";
    /* Reverses its input line. */
    const char *reverse = ">,[>,]<[.<]++++++++++.";
    /* Prints the alphabet: 8 * 8 + 1 = 'A' in cell 1, then 26 rounds of print-and-increment, then a newline. */
    const char *alphabet = "++++++++[>++++++++<-]>+>++++++++++++++++++++++++++[<.+>-]++++++++++.";
    /* Three nested loops run 10 * 20 * 27 inner steps; the cell counts them modulo 256 (24), then adds 48: 'H'. */
    const char *nested = "++++++++++[>++++++++++++++++++++[>+++++++++++++++++++++++++++[>+<-]<-]<-]>>>"
                         "++++++++++++++++++++++++++++++++++++++++++++++++.[-]++++++++++.";
    /* Adds the two digits given as input and prints the sum digit. */
    const char *add = ",>,[<+>-]<------------------------------------------------.[-]++++++++++.";
    const char *unbalanced = "[[]";
    unsigned long steps = 0;
    int status = run(hello, "", &steps);
    printf("hello: status %d, %lu steps\n", status, steps);
    status = run(reverse, "translated!", &steps);
    printf("reverse: status %d, %lu steps\n", status, steps);
    status = run(alphabet, "", &steps);
    printf("alphabet: status %d, %lu steps\n", status, steps);
    status = run(nested, "", &steps);
    printf("nested: status %d, %lu steps\n", status, steps);
    status = run(add, "34", &steps);
    printf("add: status %d, %lu steps\n", status, steps);
    status = run(unbalanced, "", &steps);
    printf("unbalanced: status %d\n", status);
    return 0;
}

/* Switch-heavy: a small stack-machine bytecode interpreter whose dispatch is one `switch` in a loop,
 * running a program (built at start-up) that counts the primes below a bound by trial division. The
 * checksum is the prime count and the number of instructions executed. LIMIT is the size knob. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#ifndef LIMIT
#define LIMIT 600000
#endif

enum opcode {
    OP_PUSH,         /* push the immediate */
    OP_LOAD,         /* push variable[immediate] */
    OP_STORE,        /* pop into variable[immediate] */
    OP_ADD,          /* a b -- a+b */
    OP_SUB,          /* a b -- a-b */
    OP_MUL,          /* a b -- a*b */
    OP_MOD,          /* a b -- a%b */
    OP_LESS,         /* a b -- a<b */
    OP_JUMP,         /* jump to immediate */
    OP_JUMP_IF_ZERO, /* pop; jump to immediate if zero */
    OP_HALT,
};

struct instruction {
    uint8_t opcode;
    int32_t immediate;
};

enum variable { N, D, COUNT, IS_PRIME, VARIABLE_COUNT };

static struct instruction program[64];
static int program_length;

static int emit(enum opcode opcode, int32_t immediate) {
    program[program_length].opcode = (uint8_t)opcode;
    program[program_length].immediate = immediate;
    return program_length++;
}

/* Builds: for n in 2..LIMIT { is_prime = 1; for d = 2; d*d < n+1 && is_prime; d++ { if n % d == 0 then
 * is_prime = 0 } count += is_prime }. */
static void build_program(void) {
    emit(OP_PUSH, 2), emit(OP_STORE, N);
    int outer = emit(OP_LOAD, N);
    emit(OP_PUSH, LIMIT), emit(OP_LESS, 0);
    int exit_jump = emit(OP_JUMP_IF_ZERO, 0);
    emit(OP_PUSH, 1), emit(OP_STORE, IS_PRIME);
    emit(OP_PUSH, 2), emit(OP_STORE, D);
    int inner = emit(OP_LOAD, D);
    emit(OP_LOAD, D), emit(OP_MUL, 0), emit(OP_LOAD, N), emit(OP_PUSH, 1), emit(OP_ADD, 0), emit(OP_LESS, 0);
    int inner_exit = emit(OP_JUMP_IF_ZERO, 0);
    emit(OP_LOAD, IS_PRIME);
    int inner_exit_2 = emit(OP_JUMP_IF_ZERO, 0);
    emit(OP_LOAD, N), emit(OP_LOAD, D), emit(OP_MOD, 0);
    int not_divisible = emit(OP_JUMP_IF_ZERO, 0);
    int increment = emit(OP_LOAD, D);
    emit(OP_PUSH, 1), emit(OP_ADD, 0), emit(OP_STORE, D), emit(OP_JUMP, inner);
    int divisible = emit(OP_PUSH, 0);
    emit(OP_STORE, IS_PRIME), emit(OP_JUMP, increment);
    int inner_done = emit(OP_LOAD, COUNT);
    emit(OP_LOAD, IS_PRIME), emit(OP_ADD, 0), emit(OP_STORE, COUNT);
    emit(OP_LOAD, N), emit(OP_PUSH, 1), emit(OP_ADD, 0), emit(OP_STORE, N), emit(OP_JUMP, outer);
    int done = emit(OP_HALT, 0);
    program[exit_jump].immediate = done;
    program[inner_exit].immediate = inner_done;
    program[inner_exit_2].immediate = inner_done;
    program[not_divisible].immediate = divisible;
}

int main(void) {
    build_program();
    int64_t stack[16];
    int64_t variables[VARIABLE_COUNT] = {0};
    int stack_top = 0;
    int pc = 0;
    uint64_t executed = 0;
    for (;;) {
        const struct instruction *insn = &program[pc++];
        executed++;
        switch (insn->opcode) {
        case OP_PUSH:
            stack[stack_top++] = insn->immediate;
            break;
        case OP_LOAD:
            stack[stack_top++] = variables[insn->immediate];
            break;
        case OP_STORE:
            variables[insn->immediate] = stack[--stack_top];
            break;
        case OP_ADD:
            stack_top--, stack[stack_top - 1] += stack[stack_top];
            break;
        case OP_SUB:
            stack_top--, stack[stack_top - 1] -= stack[stack_top];
            break;
        case OP_MUL:
            stack_top--, stack[stack_top - 1] *= stack[stack_top];
            break;
        case OP_MOD:
            stack_top--, stack[stack_top - 1] %= stack[stack_top];
            break;
        case OP_LESS:
            stack_top--, stack[stack_top - 1] = stack[stack_top - 1] < stack[stack_top];
            break;
        case OP_JUMP:
            pc = insn->immediate;
            break;
        case OP_JUMP_IF_ZERO:
            if (stack[--stack_top] == 0) {
                pc = insn->immediate;
            }
            break;
        case OP_HALT:
            printf("interp %" PRId64 " %" PRIu64 "\n", variables[COUNT], executed);
            return 0;
        default:
            return 2;
        }
    }
}

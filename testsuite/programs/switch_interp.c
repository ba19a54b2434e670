/* A switch-heavy stack-machine interpreter: the dense switch on opcodes compiles to a jump table. */
#include <stdio.h>

enum opcode {
    OP_PUSH, OP_POP, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_DUP,
    OP_SWAP, OP_OVER, OP_JMP, OP_JZ, OP_JNZ, OP_LT, OP_EQ, OP_NOT,
    OP_LOAD, OP_STORE, OP_PRINT, OP_NEG, OP_AND, OP_OR, OP_SHL, OP_HALT
};

static long run(const long *code, int trace_limit) {
    long stack[64];
    long vars[8] = {0};
    int sp = 0, pc = 0, executed = 0;
    long result = 0;
    for (;;) {
        executed++;
        long op = code[pc++];
        switch (op) {
        case OP_PUSH: stack[sp++] = code[pc++]; break;
        case OP_POP: sp--; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_DIV: sp--; stack[sp - 1] = stack[sp] ? stack[sp - 1] / stack[sp] : 0; break;
        case OP_MOD: sp--; stack[sp - 1] = stack[sp] ? stack[sp - 1] % stack[sp] : 0; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_SWAP: { long t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; } break;
        case OP_OVER: stack[sp] = stack[sp - 2]; sp++; break;
        case OP_JMP: pc = (int)code[pc]; break;
        case OP_JZ: sp--; pc = stack[sp] == 0 ? (int)code[pc] : pc + 1; break;
        case OP_JNZ: sp--; pc = stack[sp] != 0 ? (int)code[pc] : pc + 1; break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case OP_NOT: stack[sp - 1] = !stack[sp - 1]; break;
        case OP_LOAD: stack[sp++] = vars[code[pc++] & 7]; break;
        case OP_STORE: vars[code[pc++] & 7] = stack[--sp]; break;
        case OP_PRINT:
            sp--;
            if (trace_limit-- > 0)
                printf("  print %ld\n", stack[sp]);
            result ^= stack[sp];
            break;
        case OP_NEG: stack[sp - 1] = -stack[sp - 1]; break;
        case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_OR: sp--; stack[sp - 1] |= stack[sp]; break;
        case OP_SHL: sp--; stack[sp - 1] <<= (stack[sp] & 63); break;
        case OP_HALT:
            printf("  executed %d ops, stack depth %d\n", executed, sp);
            return result;
        default:
            printf("  bad opcode %ld at %d\n", op, pc - 1);
            return -1;
        }
    }
}

int main(void) {
    /* Sum of i*i for i below 1000, printing every 100th partial sum. */
    const long squares[] = {
        OP_PUSH, 0, OP_STORE, 0,          /* 0: i = 0 */
        OP_PUSH, 0, OP_STORE, 1,          /* 4: sum = 0 */
        OP_LOAD, 0, OP_PUSH, 1000, OP_LT, /* 8: i < 1000 */
        OP_JZ, 44,                        /* 13 */
        OP_LOAD, 0, OP_DUP, OP_MUL,       /* 15: i * i */
        OP_LOAD, 1, OP_ADD, OP_STORE, 1,  /* 19: sum += i * i */
        OP_LOAD, 0, OP_PUSH, 100, OP_MOD, /* 24: i % 100 */
        OP_JNZ, 34,                       /* 29 */
        OP_LOAD, 1, OP_PRINT,             /* 31: print sum */
        OP_LOAD, 0, OP_PUSH, 1, OP_ADD,   /* 34: i + 1 */
        OP_STORE, 0, OP_JMP, 8,           /* 39 */
        OP_HALT,                          /* 43 */
        OP_LOAD, 1, OP_PRINT, OP_HALT     /* 44 */
    };
    printf("squares program:\n");
    printf("result %ld\n", run(squares, 12));

    /* Factorials and bit mixing with every opcode at least once. */
    const long mixer[] = {
        OP_PUSH, 1, OP_STORE, 2, OP_PUSH, 1, OP_STORE, 3,      /* 0: f = 1, n = 1 */
        OP_LOAD, 3, OP_PUSH, 21, OP_LT, OP_JZ, 44,             /* 8 */
        OP_LOAD, 2, OP_LOAD, 3, OP_MUL, OP_DUP, OP_STORE, 2,   /* 15: f *= n */
        OP_PUSH, 7, OP_OVER, OP_SWAP, OP_POP, OP_AND, OP_PRINT, /* 23: print (f & 7)... */
        OP_LOAD, 3, OP_PUSH, 1, OP_ADD, OP_STORE, 3, OP_JMP, 8, /* 30 */
        OP_HALT, OP_HALT, OP_HALT, OP_HALT, OP_HALT,           /* 39 */
        OP_LOAD, 2, OP_PRINT,                                  /* 44 */
        OP_PUSH, 5, OP_PUSH, 3, OP_SHL, OP_NEG, OP_PUSH, 7, OP_SUB, OP_PRINT,
        OP_PUSH, 1000, OP_PUSH, 7, OP_DIV, OP_PUSH, 12, OP_OR, OP_PRINT,
        OP_PUSH, 9, OP_PUSH, 9, OP_EQ, OP_PRINT, OP_PUSH, 99, OP_PUSH, 0, OP_DIV, OP_PRINT, OP_HALT
    };
    printf("mixer program:\n");
    printf("result %ld\n", run(mixer, 40));

    const long bad[] = {OP_PUSH, 1, 77};
    printf("bad program:\n");
    printf("result %ld\n", run(bad, 5));
    return 0;
}

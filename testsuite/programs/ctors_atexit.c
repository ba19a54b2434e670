/* Global constructors and destructors plus atexit handlers, which run in reverse order of registration. */
#include <stdio.h>
#include <stdlib.h>

static int initialised_value;
static int constructor_calls;

__attribute__((constructor(101))) static void early_constructor(void) {
    initialised_value = 10;
    constructor_calls++;
}

__attribute__((constructor(102))) static void late_constructor(void) {
    initialised_value = initialised_value * 3 + 1;
    constructor_calls++;
}

__attribute__((destructor)) static void destructor(void) { printf("destructor runs after the atexit handlers\n"); }

static void handler_one(void) { printf("atexit handler one (registered first, runs last)\n"); }
static void handler_two(void) { printf("atexit handler two\n"); }
static void handler_three(void) {
    printf("atexit handler three (registered last, runs first), value %d\n", initialised_value);
}

int main(void) {
    printf("main sees value %d after %d constructors\n", initialised_value, constructor_calls);
    atexit(handler_one);
    atexit(handler_two);
    atexit(handler_three);
    initialised_value = 99;
    printf("main returns\n");
    return 0;
}

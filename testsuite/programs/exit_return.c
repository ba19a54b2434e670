/* Exit status from main's return value: prints a line and returns 3. */
#include <stdio.h>

int main(void) {
    printf("returning 3 from main\n");
    return 3;
}

// stdout and stderr from a C program built against wasi-libc.
#include <stdio.h>

int main(void) {
    printf("hello from C\n");
    fprintf(stderr, "and from stderr\n");
    return 0;
}

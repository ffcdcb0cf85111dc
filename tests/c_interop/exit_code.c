// exit() with a status other than 0, after buffered output.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("exiting with 7\n");
    exit(7);
}

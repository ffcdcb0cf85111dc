// Environment variables: one passed, one absent, and the whole environ.
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(void) {
    const char *greeting = getenv("GREETING");
    printf("GREETING=%s\n", greeting ? greeting : "(unset)");
    printf("HOME is %s\n", getenv("HOME") ? "set" : "unset");
    int n = 0;
    for (char **e = environ; *e; e++) {
        n++;
    }
    printf("environ has %d entries\n", n);
    return 0;
}

// Randomness: getentropy fills the buffer, and two draws differ.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    unsigned char a[32], b[32], zero[32] = {0};
    if (getentropy(a, sizeof a) != 0 || getentropy(b, sizeof b) != 0) {
        perror("getentropy");
        return 1;
    }
    printf("filled: %s\n", memcmp(a, zero, sizeof a) != 0 ? "yes" : "no");
    printf("two draws differ: %s\n", memcmp(a, b, sizeof a) != 0 ? "yes" : "no");
    return 0;
}

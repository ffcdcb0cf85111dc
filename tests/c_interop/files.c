// Files in a mounted directory: create, append, read back, stat, rename, remove, ENOENT.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int check(int ok, const char *what) {
    printf("%s: %s\n", what, ok ? "ok" : strerror(errno));
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/data";
    char a[256], b[256];
    snprintf(a, sizeof a, "%s/a.txt", dir);
    snprintf(b, sizeof b, "%s/b.txt", dir);
    int failed = 0;

    FILE *f = fopen(a, "w");
    failed |= check(f != NULL, "create");
    if (!f) return 1;
    fputs("first line\n", f);
    fclose(f);
    f = fopen(a, "a");
    failed |= check(f != NULL, "append");
    fputs("second line\n", f);
    fclose(f);

    char buf[128] = {0};
    f = fopen(a, "r");
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    printf("read %zu bytes: %s", n, buf);

    struct stat st;
    failed |= check(stat(a, &st) == 0 && st.st_size == 23 && S_ISREG(st.st_mode), "stat size 23");
    failed |= check(rename(a, b) == 0, "rename");
    failed |= check(access(a, F_OK) != 0 && errno == ENOENT, "old name gone");
    failed |= check(unlink(b) == 0, "unlink");
    errno = 0;
    f = fopen(b, "r");
    printf("open after unlink: %s\n", f ? "opened" : strerror(errno));
    return failed;
}

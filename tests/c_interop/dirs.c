// Directories: mkdir, readdir (sorted here, order is the host's), rmdir of a non-empty one.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "/data";
    char d[256], path[300];
    snprintf(d, sizeof d, "%s/tree", base);
    if (mkdir(d, 0755) != 0) { perror("mkdir"); return 1; }
    const char *names[] = {"zeta", "alpha", "mid"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", d, names[i]);
        FILE *f = fopen(path, "w");
        if (!f) { perror("fopen"); return 1; }
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/sub", d);
    mkdir(path, 0755);

    DIR *dir = opendir(d);
    if (!dir) { perror("opendir"); return 1; }
    char *seen[16];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL && n < 16) {
        seen[n++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(seen, n, sizeof seen[0], cmp);
    for (int i = 0; i < n; i++) printf("entry %s\n", seen[i]);

    printf("rmdir non-empty: %s\n", rmdir(d) == 0 ? "removed" : (errno == ENOTEMPTY ? "ENOTEMPTY" : strerror(errno)));
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", d, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/sub", d);
    rmdir(path);
    printf("rmdir empty: %s\n", rmdir(d) == 0 ? "removed" : strerror(errno));
    return 0;
}

// The working directory: getcwd, chdir into a mounted directory, relative paths after it.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/data";
    char cwd[256];
    printf("getcwd before: %s\n", getcwd(cwd, sizeof cwd) ? cwd : "(error)");
    if (chdir(dir) != 0) { perror("chdir"); return 1; }
    printf("getcwd after: %s\n", getcwd(cwd, sizeof cwd) ? cwd : "(error)");
    FILE *f = fopen("relative.txt", "w");
    if (!f) { perror("fopen relative"); return 1; }
    fputs("x", f);
    fclose(f);
    char abs[300];
    snprintf(abs, sizeof abs, "%s/relative.txt", dir);
    printf("relative file at absolute path: %s\n", access(abs, F_OK) == 0 ? "yes" : "no");
    unlink("relative.txt");
    return 0;
}

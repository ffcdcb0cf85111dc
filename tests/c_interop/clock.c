// Clocks: the wall clock is after 2020, the monotonic clock advances by at least a sleep.
#include <stdio.h>
#include <time.h>

int main(void) {
    struct timespec wall, t0, t1;
    clock_gettime(CLOCK_REALTIME, &wall);
    printf("realtime after 2020: %s\n", wall.tv_sec > 1577836800 ? "yes" : "no");
    printf("time() agrees: %s\n", time(NULL) - wall.tv_sec <= 1 ? "yes" : "no");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct timespec nap = {0, 50 * 1000 * 1000};
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ms = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    printf("slept at least 50 ms: %s\n", ms >= 50 ? "yes" : "no");
    printf("and less than 5 s: %s\n", ms < 5000 ? "yes" : "no");
    return 0;
}

/* Plain C through `cc` for wasm32-wasmer-wasi: libc from wasi-libc, threads, and the WASIX
 * additions (pipe, sockets, getpid) declared by cargo-wasix's headers. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#ifndef __WASIX_HEADERS__
#error "cargo-wasix's WASIX headers are not on the include path"
#endif

int c_format(char *buf, size_t len, int x) {
    return snprintf(buf, len, "%d squared is %d (%s)", x, x * x, x % 2 ? "odd" : "even");
}

/* A message written into a WASIX pipe and read back. */
int c_pipe_roundtrip(char *out, size_t len) {
    int fds[2];
    if (pipe(fds) != 0) {
        return -errno;
    }
    const char *msg = "hello from C through a pipe";
    ssize_t n = write(fds[1], msg, strlen(msg));
    close(fds[1]);
    ssize_t got = read(fds[0], out, len - 1);
    close(fds[0]);
    if (n < 0 || got < 0) {
        return -errno;
    }
    out[got] = '\0';
    return (int)got;
}

/* A TCP listener on loopback, its port and SO_TYPE read back through WASIX numbering. */
int c_socket_type(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -errno;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 4) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    int type = 0;
    socklen_t len = sizeof type;
    int rc = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
    close(fd);
    return rc == 0 ? type : -errno;
}

static atomic_int counter;

static void *bump(void *arg) {
    for (int i = 0; i < 1000; i++) {
        atomic_fetch_add(&counter, *(int *)arg);
    }
    return NULL;
}

/* Four C threads adding to one atomic counter. */
int c_threads(void) {
    pthread_t threads[4];
    int one = 1;
    for (int i = 0; i < 4; i++) {
        if (pthread_create(&threads[i], NULL, bump, &one) != 0) {
            return -1;
        }
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
    }
    return atomic_load(&counter);
}

int c_getpid_positive(void) {
    return getpid() > 0;
}

/* cargo-wasix: wasi-libc's sys/socket.h, then the WASIX socket API libwasix implements.
 * wasi-libc numbers SOCK_* after preview-1 file types and SO_* after Linux; WASIX (and so
 * libwasix) uses its own numbers, redefined below. */
#ifndef __WASIX_SYS_SOCKET_H
#define __WASIX_SYS_SOCKET_H

#include_next <sys/socket.h>
#include <wasix.h>

#undef SOCK_STREAM
#undef SOCK_DGRAM
#undef SOCK_RAW
#undef SOCK_SEQPACKET
#undef SOCK_NONBLOCK
#undef SOCK_CLOEXEC
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_SEQPACKET 4
#define SOCK_NONBLOCK 0x4000
#define SOCK_CLOEXEC 0x2000

#undef SOL_SOCKET
#define SOL_SOCKET 0x7fffffff

/* WASIX `sock_option` indices. */
#undef SO_REUSEPORT
#undef SO_REUSEADDR
#undef SO_DONTROUTE
#undef SO_BROADCAST
#undef SO_ACCEPTCONN
#undef SO_ERROR
#undef SO_KEEPALIVE
#undef SO_LINGER
#undef SO_OOBINLINE
#undef SO_RCVBUF
#undef SO_SNDBUF
#undef SO_RCVLOWAT
#undef SO_SNDLOWAT
#undef SO_RCVTIMEO
#undef SO_SNDTIMEO
#undef SO_TYPE
#undef SO_PROTOCOL
#define SO_REUSEPORT 1
#define SO_REUSEADDR 2
#define SO_DONTROUTE 4
#define SO_BROADCAST 6
#define SO_ACCEPTCONN 10
#define SO_ERROR 11
#define SO_KEEPALIVE 12
#define SO_LINGER 13
#define SO_OOBINLINE 14
#define SO_RCVBUF 15
#define SO_SNDBUF 16
#define SO_RCVLOWAT 17
#define SO_SNDLOWAT 18
#define SO_RCVTIMEO 19
#define SO_SNDTIMEO 20
#define SO_TYPE 25
#define SO_PROTOCOL 26

#undef SHUT_RD
#undef SHUT_WR
#undef SHUT_RDWR
#define SHUT_RD 1
#define SHUT_WR 2
#define SHUT_RDWR 3

#undef MSG_OOB
#undef MSG_PEEK
#undef MSG_DONTROUTE
#undef MSG_TRUNC
#undef MSG_DONTWAIT
#undef MSG_WAITALL
#undef MSG_NOSIGNAL
#define MSG_OOB 0x0001
#define MSG_PEEK 0x0002
#define MSG_DONTROUTE 0x0004
#define MSG_TRUNC 0x0020
#define MSG_DONTWAIT 0x0040
#define MSG_WAITALL 0x0100
#define MSG_NOSIGNAL 0x4000

#ifndef AF_LOCAL
#define AF_LOCAL AF_UNIX
#endif

#ifdef __cplusplus
extern "C" {
#endif

int socket(int, int, int);
int socketpair(int, int, int, int[2]);
int bind(int, const struct sockaddr *, socklen_t);
int connect(int, const struct sockaddr *, socklen_t);
int listen(int, int);
int accept(int, struct sockaddr *__restrict, socklen_t *__restrict);
int accept4(int, struct sockaddr *__restrict, socklen_t *__restrict, int);
int getsockname(int, struct sockaddr *__restrict, socklen_t *__restrict);
int getpeername(int, struct sockaddr *__restrict, socklen_t *__restrict);
int getsockopt(int, int, int, void *__restrict, socklen_t *__restrict);
int setsockopt(int, int, int, const void *, socklen_t);
ssize_t send(int, const void *, size_t, int);
ssize_t recv(int, void *, size_t, int);
ssize_t sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
ssize_t recvfrom(int, void *__restrict, size_t, int, struct sockaddr *__restrict,
                 socklen_t *__restrict);
int shutdown(int, int);

#ifdef __cplusplus
}
#endif

#endif

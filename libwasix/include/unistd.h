/* cargo-wasix: wasi-libc's unistd.h, then pipe, dup and process ids from libwasix.
 * _WASI_EMULATED_GETPID only makes wasi-libc declare getpid without its "not available"
 * warning; the function itself is libwasix's, no emulation library is linked. */
#ifndef __WASIX_UNISTD_H
#define __WASIX_UNISTD_H

#ifndef _WASI_EMULATED_GETPID
#define _WASI_EMULATED_GETPID
#endif
#include_next <unistd.h>
#include <wasix.h>

#ifdef __cplusplus
extern "C" {
#endif

int pipe(int[2]);
int pipe2(int[2], int);
int dup(int);
int dup2(int, int);
int dup3(int, int, int);
pid_t getppid(void);

#ifdef __cplusplus
}
#endif

#endif

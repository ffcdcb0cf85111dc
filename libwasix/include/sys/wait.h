/* cargo-wasix: waiting for child processes as libwasix implements it (wasi-libc has no
 * sys/wait.h). Status words use the Linux encoding. */
#ifndef __WASIX_SYS_WAIT_H
#define __WASIX_SYS_WAIT_H

#include <sys/types.h>
#include <wasix.h>

#define WNOHANG 1
#define WUNTRACED 2

#define WEXITSTATUS(s) (((s) & 0xff00) >> 8)
#define WTERMSIG(s) ((s) & 0x7f)
#define WIFEXITED(s) (!WTERMSIG(s))
#define WIFSIGNALED(s) (((s) & 0xffff) - 1U < 0xffu)

#ifdef __cplusplus
extern "C" {
#endif

pid_t wait(int *);
pid_t waitpid(pid_t, int *, int);

#ifdef __cplusplus
}
#endif

#endif

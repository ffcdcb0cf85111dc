/* cargo-wasix overlay: included first into every Lua source for wasm32-wasmer-wasi.
 * wasi-libc keeps clock() in an emulation library rustup does not ship; Lua's os.clock and
 * its sort pivot use it, so it is the monotonic clock here: the process CPU clock is a
 * symbol (_CLOCK_PROCESS_CPUTIME_ID) in older wasi-libc headers that rustup's libc.a no
 * longer defines. os.clock differences are then wall time, not CPU time. */
#ifndef LUA_WASIX_H
#define LUA_WASIX_H
#include <time.h>

static inline clock_t lua_wasix_clock(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return (clock_t)-1;
	return (clock_t)ts.tv_sec * CLOCKS_PER_SEC +
	       (clock_t)ts.tv_nsec / (1000000000 / CLOCKS_PER_SEC);
}
#define clock lua_wasix_clock

/* tmpfile is not in wasi-libc either: io.tmpfile fails with an error message. */
#include <errno.h>
#include <stdio.h>

static inline FILE *lua_wasix_tmpfile(void)
{
	errno = ENOTSUP;
	return NULL;
}
#define tmpfile lua_wasix_tmpfile
#endif

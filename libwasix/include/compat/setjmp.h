/* cargo-wasix: setjmp/longjmp for wasi-libc header sets that have no setjmp.h (Debian 12's
 * `wasi-libc`). Searched *after* wasi-libc's headers (-idirafter), so a wasi-libc or wasi-sdk
 * with its own setjmp.h is used instead (its jmp_buf is larger than ours needs).
 *
 * There is no setjmp in libc: clang's `-mllvm -wasm-enable-sjlj` rewrites every call of
 * `setjmp` and `longjmp` into calls of `__wasm_setjmp`, `__wasm_setjmp_test` and
 * `__wasm_longjmp`, with longjmp thrown as a wasm exception (tag `__c_longjmp`). cargo-wasix
 * passes that flag (with exnref exceptions) to clang 20 and newer, and links the three
 * functions from the C sysroot's libwasix-setjmp.a (libwasix/csrc/setjmp.c). Older clangs
 * can only emit the legacy exception encoding, which the runtime does not load: there the
 * functions are marked unavailable, so a use is a compile error that says why, while code
 * that only includes this header still builds. Details: docs/c-dependencies.md. */
#ifndef _SETJMP_H
#define _SETJMP_H

#ifdef __cplusplus
extern "C" {
#endif

/* Room for the support library's record (two pointers and two ints; see setjmp.c, which
 * checks the size), aligned for wasm64 too. */
typedef struct __jmp_buf_tag {
	unsigned long long __wasix_opaque[4];
} jmp_buf[1], sigjmp_buf[1];

#if defined(__wasm_exception_handling__)
#define __WASIX_SJLJ_ATTR
#else
#define __WASIX_SJLJ_ATTR __attribute__((__unavailable__( \
	"setjmp/longjmp on wasm32-wasmer-wasi need clang 20 or newer (wasm exceptions with exnref); " \
	"install clang-22 (see docs/c-dependencies.md) or point CC_wasm32_wasmer_wasi at it")))
#endif

int setjmp(jmp_buf) __attribute__((__returns_twice__)) __WASIX_SJLJ_ATTR;
_Noreturn void longjmp(jmp_buf, int) __WASIX_SJLJ_ATTR;

/* clang's lowering knows only `setjmp` and `longjmp` by name; the other spellings map to
 * them (there is no signal mask to save on WASIX's wasm side). */
#define _setjmp(env) setjmp(env)
#define _longjmp(env, val) longjmp(env, val)
#define sigsetjmp(env, savemask) setjmp(env)
#define siglongjmp(env, val) longjmp(env, val)

#ifdef __cplusplus
}
#endif

#endif

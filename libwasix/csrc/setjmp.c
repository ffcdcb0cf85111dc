/* cargo-wasix: the runtime half of setjmp/longjmp for C compiled with clang's
 * `-mllvm -wasm-enable-sjlj` (docs/c-dependencies.md). Built into the C sysroot's
 * libwasix-setjmp.a and linked into WASIX modules; a module whose C never calls setjmp
 * pulls nothing from it.
 *
 * The contract with LLVM's lowering (WebAssemblyLowerEmscriptenEHSjLj, "Wasm SjLj" mode):
 * - a function calling setjmp gets an id unique to each of its invocations (the address of
 *   a stack slot) and numbers its setjmp call sites from 1; each call site becomes
 *   `__wasm_setjmp(env, label, id)` and returns 0;
 * - `longjmp(env, val)` becomes `__wasm_longjmp(env, val)`, which must throw the
 *   `__c_longjmp` tag with a pointer to `{ env, val }`;
 * - around each call that may longjmp, the setjmp-calling function catches that tag and asks
 *   `__wasm_setjmp_test(env, id)` for the label: non-zero resumes at that setjmp (returning
 *   `val`), zero means the jump is for a frame further up and it is thrown on. */

/* No includes: this compiles with any wasi-libc header set, or none. */
typedef __UINT32_TYPE__ uint32_t;

#if !defined(__wasm_exception_handling__)
#error "setjmp support needs wasm exception handling (-mexception-handling)"
#endif

/* What __wasm_longjmp throws; the lowering reads the fields at these offsets. */
struct wasix_longjmp_arg {
	void *env;
	int val;
};

/* Our view of a jmp_buf. The throw payload lives in the jmp_buf itself: the frame that
 * called setjmp (and so the jmp_buf) is alive while the exception travels to it. */
struct wasix_jmp_buf {
	void *invocation;
	uint32_t label;
	struct wasix_longjmp_arg arg;
};

_Static_assert(sizeof(struct wasix_jmp_buf) <= 4 * sizeof(unsigned long long),
	       "jmp_buf in libwasix/include/compat/setjmp.h is too small");

/* The tag longjmps are thrown with; clang's __builtin_wasm_throw(1, ...) refers to it and
 * code compiled with -wasm-enable-sjlj catches it. Its one parameter is a pointer. */
#if __SIZEOF_POINTER__ == 4
__asm__(".globl __c_longjmp\n.tagtype __c_longjmp i32\n__c_longjmp:\n");
#else
__asm__(".globl __c_longjmp\n.tagtype __c_longjmp i64\n__c_longjmp:\n");
#endif

void __wasm_setjmp(void *env, uint32_t label, void *invocation)
{
	struct wasix_jmp_buf *buf = env;
	buf->invocation = invocation;
	buf->label = label;
}

uint32_t __wasm_setjmp_test(void *env, void *invocation)
{
	struct wasix_jmp_buf *buf = env;
	/* Only the invocation that called setjmp on this buffer may resume; a finished or
	 * different invocation of the same function has another id. */
	return buf->invocation == invocation ? buf->label : 0;
}

_Noreturn void __wasm_longjmp(void *env, int val)
{
	struct wasix_jmp_buf *buf = env;
	buf->arg.env = env;
	/* C: longjmp(env, 0) makes setjmp return 1. */
	buf->arg.val = val == 0 ? 1 : val;
	__builtin_wasm_throw(1, &buf->arg);
}

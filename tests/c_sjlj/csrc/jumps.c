/* setjmp/longjmp cases the wasm lowering must get right. */
#include <setjmp.h>

static jmp_buf top;
static int reached;

static void dive(int depth, int code)
{
	reached = depth;
	if (depth == 5)
		longjmp(top, code);
	dive(depth + 1, code);
}

/* A longjmp from five frames down; longjmp(.., 0) makes setjmp return 1. */
int sjlj_from_depth(int code)
{
	int got = setjmp(top);
	if (got == 0) {
		dive(0, code);
		return -1;
	}
	return got * 100 + reached;
}

static jmp_buf outer_buf;

/* A frame with its own setjmp that the jump passes through (its buffer is not the target,
 * so it must hand the jump on). */
static int middle(void)
{
	jmp_buf mine;
	if (setjmp(mine) == 0)
		longjmp(outer_buf, 7);
	return -2;
}

int sjlj_through_setjmp_frame(void)
{
	int got = setjmp(outer_buf);
	if (got == 0) {
		middle();
		return -1;
	}
	return got;
}

/* Two buffers in one function, jumped to in turn. */
int sjlj_nested(void)
{
	jmp_buf outer, inner;
	volatile int trace = 0;
	if (setjmp(outer) == 0) {
		if (setjmp(inner) == 0) {
			trace = trace * 10 + 1;
			longjmp(inner, 2);
		}
		trace = trace * 10 + 2;
		longjmp(outer, 3);
	}
	trace = trace * 10 + 3;
	return trace;
}

/* cargo-wasix: the WASIX additions to wasi-libc (see README.md). Including any of these
 * headers defines __WASIX_HEADERS__, so C code can tell it is built for WASIX. */
#ifndef __WASIX_HEADERS__
#define __WASIX_HEADERS__ 1
#endif

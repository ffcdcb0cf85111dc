/* cargo-wasix: replaces wasi-libc's internal header, whose `struct sockaddr_un` has no
 * `sun_path`; this is the WASIX layout (110 bytes) libwasix reads. */
#ifndef __wasilibc___struct_sockaddr_un_h
#define __wasilibc___struct_sockaddr_un_h

#include <__typedef_sa_family_t.h>

struct sockaddr_un {
    sa_family_t sun_family;
    char sun_path[108];
};

#endif

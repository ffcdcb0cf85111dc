//! The C string functions std and common crates call (`strlen`, `memcpy`, `memcmp`, `memset`
//! come from compiler-builtins' `mem` feature): plain loops over raw pointers, so they can be
//! unit-tested on the host. Each takes the C contract: valid, NUL-terminated inputs.

use core::ffi::{c_char, c_int};

/// Length of `s` up to `max` bytes (`strnlen`).
///
/// # Safety
/// `s` is readable up to its NUL or `max` bytes.
pub unsafe fn strnlen(s: *const c_char, max: usize) -> usize {
    let mut n = 0;
    // SAFETY: the caller's contract; we stop at the NUL or `max`.
    while n < max && unsafe { *s.add(n) } != 0 {
        n += 1;
    }
    n
}

/// Compares at most `n` bytes as unsigned chars (`strncmp`).
///
/// # Safety
/// `a` and `b` are readable up to their NUL or `n` bytes.
pub unsafe fn strncmp(a: *const c_char, b: *const c_char, n: usize) -> c_int {
    for i in 0..n {
        // SAFETY: we stop at the first NUL of either string.
        let (x, y) = unsafe { (*a.add(i) as u8, *b.add(i) as u8) };
        if x != y || x == 0 {
            return c_int::from(x) - c_int::from(y);
        }
    }
    0
}

/// `strcmp`: `strncmp` without a bound.
///
/// # Safety
/// `a` and `b` are NUL-terminated.
pub unsafe fn strcmp(a: *const c_char, b: *const c_char) -> c_int {
    // SAFETY: both strings end before usize::MAX bytes.
    unsafe { strncmp(a, b, usize::MAX) }
}

/// Copies `src` with its NUL to `dst`; returns a pointer to `dst`'s NUL (`stpcpy`).
///
/// # Safety
/// `src` is NUL-terminated and `dst` has room for it; they do not overlap.
pub unsafe fn stpcpy(dst: *mut c_char, src: *const c_char) -> *mut c_char {
    let mut i = 0;
    loop {
        // SAFETY: the caller's contract.
        let c = unsafe { *src.add(i) };
        unsafe { *dst.add(i) = c };
        if c == 0 {
            // SAFETY: `i` is inside `dst`.
            return unsafe { dst.add(i) };
        }
        i += 1;
    }
}

/// First `c` in `s`, or `s`'s NUL (`strchrnul`); `c == 0` finds the NUL.
///
/// # Safety
/// `s` is NUL-terminated.
pub unsafe fn strchrnul(s: *const c_char, c: c_int) -> *mut c_char {
    let want = c as u8;
    let mut p = s;
    // SAFETY: we stop at the NUL.
    while unsafe { *p } as u8 != want && unsafe { *p } != 0 {
        p = unsafe { p.add(1) };
    }
    p.cast_mut()
}

/// First `c` in `s` or null (`strchr`).
///
/// # Safety
/// `s` is NUL-terminated.
pub unsafe fn strchr(s: *const c_char, c: c_int) -> *mut c_char {
    // SAFETY: the caller's contract.
    let p = unsafe { strchrnul(s, c) };
    if unsafe { *p } as u8 == c as u8 {
        p
    } else {
        core::ptr::null_mut()
    }
}

/// First byte `c` in the `n` bytes at `s`, or null (`memchr`).
///
/// # Safety
/// `s` is readable for `n` bytes.
pub unsafe fn memchr(s: *const u8, c: c_int, n: usize) -> *mut u8 {
    for i in 0..n {
        // SAFETY: `i < n`.
        if unsafe { *s.add(i) } == c as u8 {
            return unsafe { s.add(i) }.cast_mut();
        }
    }
    core::ptr::null_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    fn c(s: &str) -> CString {
        CString::new(s).unwrap()
    }

    #[test]
    fn lengths() {
        for (s, max, want) in [("", 9, 0), ("abc", 9, 3), ("abc", 2, 2), ("abc", 0, 0)] {
            assert_eq!(unsafe { strnlen(c(s).as_ptr(), max) }, want, "{s:?} {max}");
        }
    }

    #[test]
    fn comparisons_agree_with_byte_order() {
        let cases = [
            ("abc", "abc", 9, 0),
            ("abc", "abd", 9, -1),
            ("abd", "abc", 9, 1),
            ("ab", "abc", 9, -1),
            ("abc", "ab", 9, 1),
            ("abc", "abd", 2, 0),
            ("", "", 9, 0),
            ("\u{e9}", "e", 9, 1), // bytes compare unsigned: 0xc3 > 'e'
        ];
        for (a, b, n, sign) in cases {
            let got = unsafe { strncmp(c(a).as_ptr(), c(b).as_ptr(), n) };
            assert_eq!(got.signum(), sign, "strncmp({a:?}, {b:?}, {n})");
            if n == 9 {
                assert_eq!(
                    unsafe { strcmp(c(a).as_ptr(), c(b).as_ptr()) }.signum(),
                    sign
                );
            }
        }
    }

    #[test]
    fn copies_end_at_the_nul() {
        let src = c("path/x");
        let mut dst = [0x55 as c_char; 10];
        let end = unsafe { stpcpy(dst.as_mut_ptr(), src.as_ptr()) };
        assert_eq!(unsafe { end.offset_from(dst.as_ptr()) }, 6);
        assert_eq!(
            dst[..7].iter().map(|&b| b as u8).collect::<Vec<_>>(),
            b"path/x\0"
        );
        assert_eq!(dst[7] as u8, 0x55, "nothing written past the NUL");
    }

    #[test]
    fn searches() {
        let s = c("a=b=c");
        let p = s.as_ptr();
        let at = |q: *const c_char| unsafe { q.offset_from(p) };
        assert_eq!(at(unsafe { strchrnul(p, '=' as c_int) }), 1);
        assert_eq!(at(unsafe { strchrnul(p, 'z' as c_int) }), 5);
        assert_eq!(at(unsafe { strchrnul(p, 0) }), 5);
        assert_eq!(at(unsafe { strchr(p, 'c' as c_int) }), 4);
        assert!(unsafe { strchr(p, 'z' as c_int) }.is_null());
        assert_eq!(at(unsafe { strchr(p, 0) }), 5);
        let bytes = b"xy\0z";
        let m = unsafe { memchr(bytes.as_ptr(), 'z' as c_int, 4) };
        assert_eq!(unsafe { m.offset_from(bytes.as_ptr()) }, 3);
        assert!(unsafe { memchr(bytes.as_ptr(), 'z' as c_int, 3) }.is_null());
    }
}

//! wasi-libc's originals of the functions libwasix wraps (`--wrap=NAME`: every caller reaches
//! `__wrap_NAME`, the original stays reachable as `__real_NAME`), declared once, next to the
//! table in `wrapped-libc-symbols.txt` that the target spec and the sysroot builder check too.
//!
//! Each row also proves at compile time that the `__wrap_NAME` libwasix defines has the same
//! signature as the `__real_NAME` it forwards to; the host unit test below checks the rows
//! against the table's wasm32 signatures.

macro_rules! wrapped_libc {
    ($(
        $(#[$doc:meta])*
        $name:ident: $wrapper:path => fn $real:ident($($arg:ident: $ty:ty),*) -> $ret:ty;
    )*) => {
        #[cfg(target_arch = "wasm32")]
        unsafe extern "C" {
            $($(#[$doc])* pub fn $real($($arg: $ty),*) -> $ret;)*
        }

        #[cfg(target_arch = "wasm32")]
        const _: () = {
            $(let _ = [$real, $wrapper];)*
        };

        /// `(name, parameter types, result type)` as written above, for the table check.
        #[cfg(test)]
        const DECLARED: &[(&str, &[&str], &str)] = &[
            $((stringify!($name), &[$(stringify!($ty)),*], stringify!($ret)),)*
        ];
    };
}

#[cfg(target_arch = "wasm32")]
use core::ffi::{c_char, c_int, c_long};

wrapped_libc! {
    /// wasi-libc's `chdir`: resolves against the preopens and moves the emulated cwd.
    chdir: crate::cwd::__wrap_chdir => fn __real_chdir(path: *const c_char) -> c_int;
    /// wasi-libc's `getcwd`: the emulated cwd (a null `buf` allocates).
    getcwd: crate::cwd::__wrap_getcwd => fn __real_getcwd(buf: *mut c_char, size: usize) -> *mut c_char;
    /// wasi-libc's `fcntl`; its variadic argument arrives as a pointer to the argument buffer.
    fcntl: crate::io::dup::exports::__wrap_fcntl => fn __real_fcntl(fd: c_int, cmd: c_int, va: *const c_int) -> c_int;
    /// wasi-libc's `sysconf`.
    sysconf: crate::conf::__wrap_sysconf => fn __real_sysconf(name: c_int) -> c_long;
}

#[cfg(test)]
mod tests {
    use super::DECLARED;

    /// The wasm32 value type of a C/Rust type spelled as in the declarations.
    fn wasm32(ty: &str) -> &'static str {
        match ty.trim() {
            t if t.starts_with('*') => "i32",
            "c_int" | "c_long" | "usize" | "isize" | "u32" | "i32" => "i32",
            "i64" | "u64" | "c_longlong" => "i64",
            other => panic!("no wasm32 mapping for `{other}`: extend `wasm32()`"),
        }
    }

    #[test]
    fn declarations_match_the_table() {
        let table = include_str!("../wrapped-libc-symbols.txt");
        let rows: Vec<(&str, String)> = table
            .lines()
            .map(|l| l.split('#').next().unwrap_or_default().trim())
            .filter(|l| !l.is_empty())
            .map(|l| {
                // name, member, then the signature (which has spaces of its own)
                let (name, rest) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
                let (_member, sig) = rest
                    .trim_start()
                    .split_once(char::is_whitespace)
                    .unwrap_or_default();
                (name, sig.trim().to_owned())
            })
            .collect();
        let declared: Vec<(&str, String)> = DECLARED
            .iter()
            .map(|(name, params, ret)| {
                let params: Vec<&str> = params.iter().map(|p| wasm32(p)).collect();
                (*name, format!("({}) -> {}", params.join(", "), wasm32(ret)))
            })
            .collect();
        assert_eq!(
            declared, rows,
            "wrapped.rs and wrapped-libc-symbols.txt disagree"
        );
    }
}

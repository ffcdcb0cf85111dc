//! Calls into C and C++ compiled by `cc` for wasm32-wasmer-wasi (issue 10).

use std::ffi::{c_char, c_int, CStr};

extern "C" {
    fn c_format(buf: *mut c_char, len: usize, x: c_int) -> c_int;
    fn c_pipe_roundtrip(out: *mut c_char, len: usize) -> c_int;
    fn c_socket_type() -> c_int;
    fn c_threads() -> c_int;
    fn c_getpid_positive() -> c_int;
    fn cpp_area_sum() -> c_int;
}

fn text(buf: &[u8]) -> &str {
    CStr::from_bytes_until_nul(buf)
        .expect("nul-terminated")
        .to_str()
        .expect("utf-8")
}

fn main() {
    let mut buf = [0u8; 64];
    // SAFETY: the buffers are valid for their lengths; the C functions write within them.
    unsafe {
        c_format(buf.as_mut_ptr().cast(), buf.len(), 7);
        println!("format: {}", text(&buf));
        let n = c_pipe_roundtrip(buf.as_mut_ptr().cast(), buf.len());
        println!("pipe: {} ({n} bytes)", text(&buf));
        println!("socket: SO_TYPE = {}", c_socket_type());
        println!("threads: {}", c_threads());
        println!("getpid > 0: {}", c_getpid_positive());
        println!("c++: {}", cpp_area_sum());
    }
}

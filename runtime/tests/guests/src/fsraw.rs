//! Raw preview-1 and WASIX filesystem imports for the `fs_*` guests (std on wasm32-wasip1
//! has no stable `path_symlink`, `pread`, `path_open2`, `chdir`, `getcwd`, ...).
//! Included by each `fs_*` bin with `#[path = "../fsraw.rs"] mod fsraw;`.

#![allow(dead_code)]

pub mod p1 {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    unsafe extern "C" {
        pub fn fd_prestat_get(fd: u32, buf: *mut u8) -> i32;
        pub fn fd_prestat_dir_name(fd: u32, buf: *mut u8, len: usize) -> i32;
        pub fn fd_readdir(fd: u32, buf: *mut u8, len: usize, cookie: u64, used: *mut usize) -> i32;
        pub fn fd_pread(fd: u32, iovs: *const u32, n: usize, offset: u64, ret: *mut usize) -> i32;
        pub fn fd_pwrite(fd: u32, iovs: *const u32, n: usize, offset: u64, ret: *mut usize) -> i32;
        pub fn fd_seek(fd: u32, offset: i64, whence: u32, ret: *mut u64) -> i32;
        pub fn fd_tell(fd: u32, ret: *mut u64) -> i32;
        pub fn fd_filestat_get(fd: u32, buf: *mut u8) -> i32;
        pub fn fd_close(fd: u32) -> i32;
        pub fn path_open(
            fd: u32,
            dirflags: u32,
            path: *const u8,
            path_len: usize,
            oflags: u32,
            rights: u64,
            inheriting: u64,
            fdflags: u32,
            ret: *mut u32,
        ) -> i32;
        pub fn path_symlink(old: *const u8, old_len: usize, fd: u32, new: *const u8, new_len: usize) -> i32;
        pub fn path_readlink(fd: u32, path: *const u8, len: usize, buf: *mut u8, buf_len: usize, used: *mut usize) -> i32;
        pub fn path_filestat_get(fd: u32, flags: u32, path: *const u8, len: usize, buf: *mut u8) -> i32;
        pub fn path_create_directory(fd: u32, path: *const u8, len: usize) -> i32;
        pub fn fd_read(fd: u32, iovs: *const u32, n: usize, ret: *mut usize) -> i32;
        pub fn fd_write(fd: u32, iovs: *const u32, n: usize, ret: *mut usize) -> i32;
        pub fn fd_fdstat_get(fd: u32, buf: *mut u8) -> i32;
        pub fn fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64) -> i32;
        pub fn fd_renumber(from: u32, to: u32) -> i32;
        pub fn sock_shutdown(fd: u32, how: u32) -> i32;
    }
}

pub mod wasix {
    #[link(wasm_import_module = "wasix_32v1")]
    unsafe extern "C" {
        pub fn chdir(path: *const u8, len: usize) -> i32;
        pub fn getcwd(path: *mut u8, len: *mut usize) -> i32;
        pub fn path_open2(
            fd: u32,
            dirflags: u32,
            path: *const u8,
            path_len: usize,
            oflags: u32,
            rights: u64,
            inheriting: u64,
            fdflags: u32,
            fdflagsext: u32,
            ret: *mut u32,
        ) -> i32;
        pub fn fd_fdflags_get(fd: u32, ret: *mut u16) -> i32;
        pub fn fd_pipe(ret0: *mut u32, ret1: *mut u32) -> i32;
    }
}

pub const RIGHTS_RW: u64 = (1 << 1) | (1 << 6) | (1 << 2) | (1 << 5) | (1 << 21) | (1 << 22);
pub const OFLAGS_CREAT: u32 = 1;
pub const LOOKUP_FOLLOW: u32 = 1;

/// `path_open(3, path)` relative to the virtual root preopen, creating the file.
pub fn create_at_root(path: &str) -> Result<u32, i32> {
    let mut fd = 0;
    // SAFETY: `path` and `fd` outlive the call.
    let rc = unsafe {
        p1::path_open(3, LOOKUP_FOLLOW, path.as_ptr(), path.len(), OFLAGS_CREAT, RIGHTS_RW, RIGHTS_RW, 0, &mut fd)
    };
    if rc == 0 { Ok(fd) } else { Err(rc) }
}

/// WASIX `chdir`.
pub fn chdir(path: &str) -> i32 {
    // SAFETY: `path` outlives the call.
    unsafe { wasix::chdir(path.as_ptr(), path.len()) }
}

/// WASIX `getcwd` with a buffer of `size` bytes: `(errno, reported length, string)`.
pub fn getcwd(size: usize) -> (i32, usize, String) {
    let mut buf = vec![0xffu8; size];
    let mut len = size;
    // SAFETY: `buf` has `len` bytes and outlives the call.
    let rc = unsafe { wasix::getcwd(buf.as_mut_ptr(), &mut len) };
    let s = if rc == 0 {
        let end = buf.iter().position(|&b| b == 0).expect("getcwd writes a NUL");
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        String::new()
    };
    (rc, len, s)
}

/// Shows an `io::Result` as `ok` or `Kind/errno`.
pub fn show<T>(r: std::io::Result<T>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => format!("{:?}/{}", e.kind(), e.raw_os_error().unwrap_or(-1)),
    }
}

//! Helpers shared by guest programs: raw WASIX imports for calls plain wasip1 std lacks.

/// Raw `wasix_32v1` imports used by guests (std on wasm32-wasip1 has no WASIX calls).
pub mod wasix {
    #[link(wasm_import_module = "wasix_32v1")]
    unsafe extern "C" {
        pub fn proc_id(ret: *mut u32) -> i32;
        pub fn proc_parent(pid: u32, ret: *mut u32) -> i32;
        pub fn thread_id(ret: *mut u32) -> i32;
        pub fn thread_parallelism(ret: *mut usize) -> i32;
        pub fn thread_sleep(ns: u64) -> i32;
        pub fn fd_pipe(ret0: *mut u32, ret1: *mut u32) -> i32;
        pub fn fd_dup(fd: u32, ret: *mut u32) -> i32;
        pub fn fd_dup2(fd: u32, min: u32, cloexec: u32, ret: *mut u32) -> i32;
        pub fn fd_event(initial: u64, flags: u32, ret: *mut u32) -> i32;
        pub fn fd_fdflags_get(fd: u32, ret: *mut u16) -> i32;
        pub fn fd_fdflags_set(fd: u32, flags: u32) -> i32;
        pub fn proc_exit2(code: i32);
        pub fn clock_time_set(id: u32, ts: u64) -> i32;
        pub fn futex_wait(
            futex: *const u32,
            expected: u32,
            timeout: *const u8,
            ret: *mut u8,
        ) -> i32;
        pub fn futex_wake(futex: *const u32, ret: *mut u8) -> i32;
        pub fn futex_wake_all(futex: *const u32, ret: *mut u8) -> i32;
        pub fn tty_get(state: *mut u8) -> i32;
        pub fn proc_signals_sizes_get(ret: *mut u32) -> i32;
        pub fn callback_signal(name: *const u8, len: usize);
        pub fn port_mac(ret: *mut u8) -> i32;
        #[allow(clippy::too_many_arguments)]
        pub fn proc_spawn2(
            name: *const u8,
            name_len: usize,
            args: *const u8,
            args_len: usize,
            envs: *const u8,
            envs_len: usize,
            fd_ops: *const u8,
            fd_ops_len: usize,
            signals: *const u8,
            signals_len: usize,
            search_path: u32,
            path: *const u8,
            path_len: usize,
            ret_pid: *mut u32,
        ) -> i32;
        pub fn proc_join(pid: *mut u32, flags: u32, ret_status: *mut u8) -> i32;
        pub fn proc_signal(pid: u32, sig: i32) -> i32;
        pub fn thread_signal(tid: u32, sig: i32) -> i32;
        pub fn proc_raise_interval(sig: i32, interval_ns: u64, repeat: u32) -> i32;
        #[allow(clippy::too_many_arguments)]
        pub fn proc_exec3(
            name: *const u8,
            name_len: usize,
            args: *const u8,
            args_len: usize,
            envs: *const u8,
            envs_len: usize,
            search_path: u32,
            path: *const u8,
            path_len: usize,
        ) -> i32;
    }
}

/// `wasi_snapshot_preview1` imports std does not expose.
pub mod p1 {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    unsafe extern "C" {
        pub fn fd_write(fd: u32, iovs: *const u32, n: usize, ret: *mut usize) -> i32;
        pub fn fd_read(fd: u32, iovs: *const u32, n: usize, ret: *mut usize) -> i32;
        pub fn fd_close(fd: u32) -> i32;
        pub fn fd_renumber(from: u32, to: u32) -> i32;
        pub fn random_get(buf: *mut u8, len: usize) -> i32;
        pub fn proc_raise(sig: i32) -> i32;
    }
}

/// Writes all of `data` to a raw fd (panics on error; guests report through exit codes).
pub fn write_fd(fd: u32, data: &[u8]) -> usize {
    let iov = [data.as_ptr() as u32, data.len() as u32];
    let mut n = 0usize;
    // SAFETY: the iovec points at `data`, alive for the call.
    let rc = unsafe { p1::fd_write(fd, iov.as_ptr(), 1, &mut n) };
    assert_eq!(rc, 0, "fd_write({fd}) failed with errno {rc}");
    n
}

/// Reads up to `buf.len()` bytes from a raw fd.
pub fn read_fd(fd: u32, buf: &mut [u8]) -> usize {
    let iov = [buf.as_mut_ptr() as u32, buf.len() as u32];
    let mut n = 0usize;
    // SAFETY: the iovec points at `buf`, alive for the call.
    let rc = unsafe { p1::fd_read(fd, iov.as_ptr(), 1, &mut n) };
    assert_eq!(rc, 0, "fd_read({fd}) failed with errno {rc}");
    n
}

//! The raw WASIX and preview-1 imports, and thin wrappers returning `Result<T, Errno>`.
//!
//! This is the only module that declares imports. Signatures: `reference/wasix-abi.md` §1.3/§2
//! (wasm32; pointer-sized values are `usize`, so the same source serves `wasix_64v1`).
//! rustc mangles the Rust-side symbol of an item with `wasm_import_module`, so an import named
//! `chdir` or `getcwd` never collides with the libc functions of the same name.

#![allow(clippy::missing_safety_doc)]

use crate::abi::{ADDR_IP_SIZE, ADDR_PORT_SIZE, Errno, JOIN_STATUS_SIZE};

/// A preview-1 `iovec`/`ciovec` (`{buf, buf_len}`).
#[repr(C)]
pub struct IoVec {
    pub buf: *const u8,
    pub len: usize,
}

mod raw {
    use super::IoVec;

    #[cfg_attr(target_pointer_width = "32", link(wasm_import_module = "wasix_32v1"))]
    #[cfg_attr(target_pointer_width = "64", link(wasm_import_module = "wasix_64v1"))]
    unsafe extern "C" {
        pub fn sock_open(af: i32, ty: i32, proto: i32, ret_fd: *mut u32) -> i32;
        pub fn sock_pair(af: i32, ty: i32, proto: i32, ret0: *mut u32, ret1: *mut u32) -> i32;
        pub fn sock_bind(fd: i32, addr: *const u8) -> i32;
        pub fn sock_connect(fd: i32, addr: *const u8) -> i32;
        pub fn sock_listen(fd: i32, backlog: i32) -> i32;
        pub fn sock_accept_v2(fd: i32, flags: i32, ret_fd: *mut u32, ret_addr: *mut u8) -> i32;
        pub fn sock_addr_local(fd: i32, ret_addr: *mut u8) -> i32;
        pub fn sock_addr_peer(fd: i32, ret_addr: *mut u8) -> i32;
        pub fn sock_set_opt_flag(fd: i32, opt: i32, flag: i32) -> i32;
        pub fn sock_get_opt_flag(fd: i32, opt: i32, ret: *mut u8) -> i32;
        pub fn sock_set_opt_time(fd: i32, opt: i32, time: *const u8) -> i32;
        pub fn sock_get_opt_time(fd: i32, opt: i32, ret: *mut u8) -> i32;
        pub fn sock_set_opt_size(fd: i32, opt: i32, size: i64) -> i32;
        pub fn sock_get_opt_size(fd: i32, opt: i32, ret: *mut u64) -> i32;
        pub fn sock_join_multicast_v4(fd: i32, group: *const u8, iface: *const u8) -> i32;
        pub fn sock_leave_multicast_v4(fd: i32, group: *const u8, iface: *const u8) -> i32;
        pub fn sock_join_multicast_v6(fd: i32, group: *const u8, iface: u32) -> i32;
        pub fn sock_leave_multicast_v6(fd: i32, group: *const u8, iface: u32) -> i32;
        pub fn sock_send_to(
            fd: i32,
            data: *const IoVec,
            data_len: usize,
            flags: i32,
            addr: *const u8,
            ret_n: *mut usize,
        ) -> i32;
        pub fn sock_recv_from(
            fd: i32,
            data: *const IoVec,
            data_len: usize,
            flags: i32,
            ret_n: *mut usize,
            ret_oflags: *mut u16,
            ret_addr: *mut u8,
        ) -> i32;
        pub fn resolve(
            host: *const u8,
            host_len: usize,
            port: i32,
            addrs: *mut u8,
            naddrs: i32,
            ret_n: *mut u32,
        ) -> i32;
        pub fn fd_pipe(ret0: *mut u32, ret1: *mut u32) -> i32;
        pub fn epoll_create(ret_fd: *mut u32) -> i32;
        pub fn epoll_ctl(epfd: i32, op: i32, fd: i32, event: *const u8) -> i32;
        pub fn epoll_wait(
            epfd: i32,
            events: *mut u8,
            maxevents: i32,
            timeout: u64,
            ret_n: *mut usize,
        ) -> i32;
        pub fn fd_dup(fd: i32, ret_fd: *mut u32) -> i32;
        pub fn fd_dup2(fd: i32, min_fd: i32, cloexec: i32, ret_fd: *mut u32) -> i32;
        pub fn fd_fdflags_get(fd: i32, ret: *mut u16) -> i32;
        pub fn fd_fdflags_set(fd: i32, flags: i32) -> i32;
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
            search_path: i32,
            path: *const u8,
            path_len: usize,
            ret_pid: *mut u32,
        ) -> i32;
        pub fn proc_join(pid: *mut u8, flags: i32, ret_status: *mut u8) -> i32;
        pub fn proc_signal(pid: i32, sig: i32) -> i32;
        pub fn proc_raise(sig: i32) -> i32;
        pub fn proc_raise_interval(sig: i32, interval_ns: u64, repeat: i32) -> i32;
        pub fn proc_fork(copy_memory: i32, ret_pid: *mut u32) -> i32;
        pub fn callback_signal(name: *const u8, name_len: usize);
        pub fn proc_id(ret_pid: *mut u32) -> i32;
        pub fn proc_parent(pid: i32, ret_pid: *mut u32) -> i32;
        pub fn chdir(path: *const u8, path_len: usize) -> i32;
        pub fn getcwd(path: *mut u8, path_len: *mut usize) -> i32;
        pub fn thread_parallelism(ret: *mut usize) -> i32;
        pub fn thread_spawn_v2(start: *mut u8, ret_tid: *mut u32) -> i32;
        pub fn thread_id(ret_tid: *mut u32) -> i32;
        pub fn futex_wait(
            futex: *const u32,
            expected: u32,
            timeout: *const u8,
            ret: *mut u8,
        ) -> i32;
        pub fn futex_wake_all(futex: *const u32, ret: *mut u8) -> i32;
        pub fn futex_wake(futex: *const u32, ret: *mut u8) -> i32;
    }

    // wasix_64v1 carries the preview-1 names with 64-bit pointers and sizes.
    #[cfg_attr(
        target_pointer_width = "32",
        link(wasm_import_module = "wasi_snapshot_preview1")
    )]
    #[cfg_attr(target_pointer_width = "64", link(wasm_import_module = "wasix_64v1"))]
    unsafe extern "C" {
        pub fn environ_sizes_get(ret_count: *mut usize, ret_size: *mut usize) -> i32;
        pub fn environ_get(environ: *mut *mut u8, buf: *mut u8) -> i32;
        pub fn fd_prestat_get(fd: i32, ret: *mut u8) -> i32;
        pub fn fd_prestat_dir_name(fd: i32, path: *mut u8, path_len: usize) -> i32;
        pub fn proc_exit(code: i32) -> !;
        pub fn sched_yield() -> i32;
        pub fn clock_time_get(id: i32, precision: u64, ret: *mut u64) -> i32;
        pub fn random_get(buf: *mut u8, buf_len: usize) -> i32;
        pub fn poll_oneoff(subs: *const u8, events: *mut u8, nsubs: u32, ret_n: *mut u32) -> i32;
        pub fn sock_send(
            fd: i32,
            data: *const IoVec,
            data_len: usize,
            flags: i32,
            ret_n: *mut usize,
        ) -> i32;
        pub fn sock_recv(
            fd: i32,
            data: *const IoVec,
            data_len: usize,
            flags: i32,
            ret_n: *mut usize,
            ret_oflags: *mut u16,
        ) -> i32;
        pub fn sock_shutdown(fd: i32, how: i32) -> i32;
        pub fn fd_renumber(fd: i32, to: i32) -> i32;
        pub fn fd_close(fd: i32) -> i32;
        pub fn fd_fdstat_get(fd: i32, ret: *mut u8) -> i32;
        pub fn fd_fdstat_set_flags(fd: i32, flags: i32) -> i32;
    }
}

/// The file-layer imports of libc64 (wasm64 only: on wasm32 wasi-libc makes these calls).
#[cfg(target_arch = "wasm64")]
mod raw_fs {
    use super::IoVec;

    #[link(wasm_import_module = "wasix_64v1")]
    unsafe extern "C" {
        pub fn fd_read(fd: i32, iovs: *const IoVec, n: usize, ret_n: *mut usize) -> i32;
        pub fn fd_write(fd: i32, iovs: *const IoVec, n: usize, ret_n: *mut usize) -> i32;
        pub fn fd_pread(fd: i32, iovs: *const IoVec, n: usize, off: u64, ret_n: *mut usize) -> i32;
        pub fn fd_pwrite(fd: i32, iovs: *const IoVec, n: usize, off: u64, ret_n: *mut usize)
        -> i32;
        pub fn fd_seek(fd: i32, off: i64, whence: i32, ret_pos: *mut u64) -> i32;
        pub fn fd_filestat_get(fd: i32, ret: *mut u8) -> i32;
        pub fn fd_filestat_set_size(fd: i32, size: u64) -> i32;
        pub fn fd_filestat_set_times(fd: i32, atim: u64, mtim: u64, fst: i32) -> i32;
        pub fn fd_sync(fd: i32) -> i32;
        pub fn fd_datasync(fd: i32) -> i32;
        pub fn fd_readdir(fd: i32, buf: *mut u8, len: usize, cookie: u64, ret_n: *mut usize)
        -> i32;
        pub fn path_open2(
            fd: i32,
            dirflags: i32,
            path: *const u8,
            path_len: usize,
            oflags: i32,
            rights: u64,
            inheriting: u64,
            fdflags: i32,
            fdflagsext: i32,
            ret_fd: *mut u32,
        ) -> i32;
        pub fn path_create_directory(fd: i32, path: *const u8, len: usize) -> i32;
        pub fn path_filestat_get(
            fd: i32,
            flags: i32,
            path: *const u8,
            len: usize,
            ret: *mut u8,
        ) -> i32;
        pub fn path_filestat_set_times(
            fd: i32,
            flags: i32,
            path: *const u8,
            len: usize,
            atim: u64,
            mtim: u64,
            fst: i32,
        ) -> i32;
        pub fn path_link(
            old_fd: i32,
            old_flags: i32,
            old: *const u8,
            old_len: usize,
            new_fd: i32,
            new: *const u8,
            new_len: usize,
        ) -> i32;
        pub fn path_readlink(
            fd: i32,
            path: *const u8,
            len: usize,
            buf: *mut u8,
            buf_len: usize,
            ret_n: *mut usize,
        ) -> i32;
        pub fn path_remove_directory(fd: i32, path: *const u8, len: usize) -> i32;
        pub fn path_rename(
            old_fd: i32,
            old: *const u8,
            old_len: usize,
            new_fd: i32,
            new: *const u8,
            new_len: usize,
        ) -> i32;
        pub fn path_symlink(
            target: *const u8,
            target_len: usize,
            fd: i32,
            path: *const u8,
            len: usize,
        ) -> i32;
        pub fn path_unlink_file(fd: i32, path: *const u8, len: usize) -> i32;
    }
}

pub type Addr = [u8; ADDR_PORT_SIZE];

/// Records handed to the host are over-aligned: the runtime checks the natural alignment of
/// every guest record (2 for addresses, 8 for `option_timestamp`), and a `[u8; N]` local has 1.
#[repr(C, align(8))]
struct Aligned<T>(T);

/// An fd number from the host; one that does not fit a C `int` is a host bug.
fn fd(raw: u32) -> Result<i32, Errno> {
    i32::try_from(raw).map_err(|_| Errno::BADF)
}

pub fn sock_open(af: i32, ty: i32, proto: i32) -> Result<i32, Errno> {
    let mut out = 0;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::sock_open(af, ty, proto, &mut out) })?;
    fd(out)
}

pub fn sock_pair(af: i32, ty: i32, proto: i32) -> Result<(i32, i32), Errno> {
    let (mut a, mut b) = (0, 0);
    // SAFETY: both out-pointers are live locals.
    Errno::result(unsafe { raw::sock_pair(af, ty, proto, &mut a, &mut b) })?;
    Ok((fd(a)?, fd(b)?))
}

pub fn sock_bind(sock: i32, addr: &Addr) -> Result<(), Errno> {
    let addr = Aligned(*addr);
    // SAFETY: `addr` is a whole, aligned 110-byte record.
    Errno::result(unsafe { raw::sock_bind(sock, addr.0.as_ptr()) })
}

pub fn sock_connect(sock: i32, addr: &Addr) -> Result<(), Errno> {
    let addr = Aligned(*addr);
    // SAFETY: `addr` is a whole, aligned 110-byte record.
    Errno::result(unsafe { raw::sock_connect(sock, addr.0.as_ptr()) })
}

pub fn sock_listen(sock: i32, backlog: i32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw::sock_listen(sock, backlog) })
}

pub fn sock_accept(sock: i32, fdflags: u16) -> Result<(i32, Addr), Errno> {
    let (mut out, mut addr) = (0, Aligned([0u8; ADDR_PORT_SIZE]));
    // SAFETY: the out-pointers are live, aligned locals of the right size.
    Errno::result(unsafe {
        raw::sock_accept_v2(sock, fdflags.into(), &mut out, addr.0.as_mut_ptr())
    })?;
    Ok((fd(out)?, addr.0))
}

pub fn sock_addr_local(sock: i32) -> Result<Addr, Errno> {
    let mut addr = Aligned([0u8; ADDR_PORT_SIZE]);
    // SAFETY: `addr` is a whole, aligned record.
    Errno::result(unsafe { raw::sock_addr_local(sock, addr.0.as_mut_ptr()) })?;
    Ok(addr.0)
}

pub fn sock_addr_peer(sock: i32) -> Result<Addr, Errno> {
    let mut addr = Aligned([0u8; ADDR_PORT_SIZE]);
    // SAFETY: `addr` is a whole, aligned record.
    Errno::result(unsafe { raw::sock_addr_peer(sock, addr.0.as_mut_ptr()) })?;
    Ok(addr.0)
}

pub fn sock_set_opt_flag(sock: i32, opt: u8, flag: bool) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw::sock_set_opt_flag(sock, opt.into(), flag.into()) })
}

pub fn sock_get_opt_flag(sock: i32, opt: u8) -> Result<bool, Errno> {
    let mut out = 0u8;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::sock_get_opt_flag(sock, opt.into(), &mut out) })?;
    Ok(out != 0)
}

pub fn sock_set_opt_time(sock: i32, opt: u8, rec: &[u8; 16]) -> Result<(), Errno> {
    let rec = Aligned(*rec);
    // SAFETY: `rec` is a whole, 8-aligned option_timestamp.
    Errno::result(unsafe { raw::sock_set_opt_time(sock, opt.into(), rec.0.as_ptr()) })
}

pub fn sock_get_opt_time(sock: i32, opt: u8) -> Result<[u8; 16], Errno> {
    let mut rec = Aligned([0u8; 16]);
    // SAFETY: `rec` is a whole, 8-aligned option_timestamp.
    Errno::result(unsafe { raw::sock_get_opt_time(sock, opt.into(), rec.0.as_mut_ptr()) })?;
    Ok(rec.0)
}

pub fn sock_set_opt_size(sock: i32, opt: u8, size: u64) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw::sock_set_opt_size(sock, opt.into(), size as i64) })
}

pub fn sock_get_opt_size(sock: i32, opt: u8) -> Result<u64, Errno> {
    let mut out = 0u64;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::sock_get_opt_size(sock, opt.into(), &mut out) })?;
    Ok(out)
}

pub fn sock_multicast_v4(
    sock: i32,
    join: bool,
    group: &[u8; 4],
    iface: &[u8; 4],
) -> Result<(), Errno> {
    // SAFETY: both records are 4 bytes (`addr_ip4`).
    Errno::result(unsafe {
        if join {
            raw::sock_join_multicast_v4(sock, group.as_ptr(), iface.as_ptr())
        } else {
            raw::sock_leave_multicast_v4(sock, group.as_ptr(), iface.as_ptr())
        }
    })
}

pub fn sock_multicast_v6(sock: i32, join: bool, group: &[u8; 24], iface: u32) -> Result<(), Errno> {
    let group = Aligned(*group);
    // SAFETY: `group` is a whole, aligned 24-byte `addr_ip6`.
    Errno::result(unsafe {
        if join {
            raw::sock_join_multicast_v6(sock, group.0.as_ptr(), iface)
        } else {
            raw::sock_leave_multicast_v6(sock, group.0.as_ptr(), iface)
        }
    })
}

pub fn sock_send(sock: i32, buf: &[u8], siflags: u16) -> Result<usize, Errno> {
    let iov = IoVec {
        buf: buf.as_ptr(),
        len: buf.len(),
    };
    let mut n = 0;
    // SAFETY: one iovec over a live slice; the out-pointer is a live local.
    Errno::result(unsafe { raw::sock_send(sock, &iov, 1, siflags.into(), &mut n) })?;
    Ok(n)
}

pub fn sock_send_to(sock: i32, buf: &[u8], siflags: u16, addr: &Addr) -> Result<usize, Errno> {
    let iov = IoVec {
        buf: buf.as_ptr(),
        len: buf.len(),
    };
    let (mut n, addr) = (0, Aligned(*addr));
    // SAFETY: as in `sock_send`, plus a whole, aligned address record.
    Errno::result(unsafe {
        raw::sock_send_to(sock, &iov, 1, siflags.into(), addr.0.as_ptr(), &mut n)
    })?;
    Ok(n)
}

/// Receives into `buf` (a raw region: the caller's C buffer, possibly uninitialised).
///
/// # Safety
/// `buf` must be valid for writes of `len` bytes.
pub unsafe fn sock_recv(sock: i32, buf: *mut u8, len: usize, riflags: u16) -> Result<usize, Errno> {
    let iov = IoVec { buf, len };
    let (mut n, mut oflags) = (0, 0);
    // SAFETY: the caller guarantees the region; out-pointers are live locals.
    Errno::result(unsafe { raw::sock_recv(sock, &iov, 1, riflags.into(), &mut n, &mut oflags) })?;
    Ok(n.min(len))
}

/// # Safety
/// `buf` must be valid for writes of `len` bytes.
pub unsafe fn sock_recv_from(
    sock: i32,
    buf: *mut u8,
    len: usize,
    riflags: u16,
) -> Result<(usize, Addr), Errno> {
    let iov = IoVec { buf, len };
    let (mut n, mut oflags, mut addr) = (0, 0, Aligned([0u8; ADDR_PORT_SIZE]));
    // SAFETY: the caller guarantees the region; out-pointers are live, aligned locals.
    Errno::result(unsafe {
        raw::sock_recv_from(
            sock,
            &iov,
            1,
            riflags.into(),
            &mut n,
            &mut oflags,
            addr.0.as_mut_ptr(),
        )
    })?;
    Ok((n.min(len), addr.0))
}

pub fn sock_shutdown(sock: i32, how: u8) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw::sock_shutdown(sock, how.into()) })
}

/// Resolves `host` into up to `N` `addr_ip` records; returns them and how many the host wrote.
pub fn resolve<const N: usize>(
    host: &[u8],
    port: u16,
) -> Result<([[u8; ADDR_IP_SIZE]; N], usize), Errno> {
    let mut out = Aligned([[0u8; ADDR_IP_SIZE]; N]);
    let mut n = 0u32;
    let cap = i32::try_from(N).unwrap_or(i32::MAX);
    // SAFETY: `out` is `N` contiguous, aligned 18-byte records; the other pointers are live.
    Errno::result(unsafe {
        raw::resolve(
            host.as_ptr(),
            host.len(),
            port.into(),
            out.0.as_mut_ptr().cast(),
            cap,
            &mut n,
        )
    })?;
    Ok((out.0, (n as usize).min(N)))
}

pub fn fd_pipe() -> Result<(i32, i32), Errno> {
    let (mut a, mut b) = (0, 0);
    // SAFETY: both out-pointers are live locals.
    Errno::result(unsafe { raw::fd_pipe(&mut a, &mut b) })?;
    Ok((fd(a)?, fd(b)?))
}

pub fn epoll_create() -> Result<i32, Errno> {
    let mut out = 0;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::epoll_create(&mut out) })?;
    fd(out)
}

/// `event` is a WASIX `epoll_event` record, or null for a delete.
pub fn epoll_ctl(epfd: i32, op: i32, fd: i32, event: Option<&[u8; 32]>) -> Result<(), Errno> {
    let at = event.map_or(core::ptr::null(), |e| e.as_ptr());
    // SAFETY: `at` is null or a live 32-byte record.
    Errno::result(unsafe { raw::epoll_ctl(epfd, op, fd, at) })
}

/// Waits up to `timeout_ns` (u64::MAX: forever); fills the front of `out`, returns how many.
pub fn epoll_wait(epfd: i32, out: &mut [[u8; 32]], timeout_ns: u64) -> Result<usize, Errno> {
    let mut n = 0usize;
    let cap = i32::try_from(out.len()).unwrap_or(i32::MAX);
    // SAFETY: `out` is a live buffer of `cap` 32-byte records; the count is a live local.
    Errno::result(unsafe {
        raw::epoll_wait(epfd, out.as_mut_ptr().cast(), cap, timeout_ns, &mut n)
    })?;
    Ok(n.min(out.len()))
}

pub fn fd_dup(from: i32) -> Result<i32, Errno> {
    let mut out = 0;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::fd_dup(from, &mut out) })?;
    fd(out)
}

pub fn fd_dup2(from: i32, min_fd: i32, cloexec: bool) -> Result<i32, Errno> {
    let mut out = 0;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::fd_dup2(from, min_fd, cloexec.into(), &mut out) })?;
    fd(out)
}

pub fn fd_fdflags_get(of: i32) -> Result<u16, Errno> {
    let mut out = 0;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::fd_fdflags_get(of, &mut out) })?;
    Ok(out)
}

pub fn fd_fdflags_set(of: i32, flags: u16) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw::fd_fdflags_set(of, flags.into()) })
}

pub fn fd_renumber(from: i32, to: i32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw::fd_renumber(from, to) })
}

pub fn fd_close(of: i32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw::fd_close(of) })
}

/// The preview-1 `fdstat`: (filetype, fdflags).
pub fn fd_fdstat_get(of: i32) -> Result<(u8, u16), Errno> {
    // 24 bytes, align 8: filetype u8 @0, flags u16 @2, rights @8/@16.
    let mut rec = [0u64; 3];
    // SAFETY: `rec` is 24 bytes, 8-aligned.
    Errno::result(unsafe { raw::fd_fdstat_get(of, rec.as_mut_ptr().cast()) })?;
    let b = rec[0].to_le_bytes();
    Ok((b[0], u16::from_le_bytes([b[2], b[3]])))
}

pub fn fd_fdstat_set_flags(of: i32, fdflags: u16) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw::fd_fdstat_set_flags(of, fdflags.into()) })
}

/// The byte buffers `proc_spawn2` reads.
pub struct Spawn<'a> {
    pub name: &'a [u8],
    pub args: &'a [u8],
    pub envs: &'a [u8],
    /// `n` 56-byte `proc_spawn_fd_op` records; must be 8-aligned.
    pub fd_ops: &'a [u64],
    pub fd_ops_count: usize,
    pub signals: &'a [[u8; 2]],
    pub search_path: bool,
    pub path: &'a [u8],
}

pub fn proc_spawn2(s: &Spawn<'_>) -> Result<i32, Errno> {
    let mut pid = 0;
    // SAFETY: every pointer/length pair comes from a live slice; the fd-op records are the
    // first `fd_ops_count * 56` bytes of an 8-aligned buffer (checked by the caller's sizing).
    Errno::result(unsafe {
        raw::proc_spawn2(
            s.name.as_ptr(),
            s.name.len(),
            s.args.as_ptr(),
            s.args.len(),
            s.envs.as_ptr(),
            s.envs.len(),
            s.fd_ops.as_ptr().cast(),
            s.fd_ops_count,
            s.signals.as_ptr().cast(),
            s.signals.len(),
            s.search_path.into(),
            s.path.as_ptr(),
            s.path.len(),
            &mut pid,
        )
    })?;
    i32::try_from(pid).map_err(|_| Errno::SRCH)
}

/// `proc_join`: `target` none = any child. Returns the pid the host reports and the raw
/// `join_status` record.
pub fn proc_join(target: Option<u32>, flags: u32) -> Result<(i32, [u8; JOIN_STATUS_SIZE]), Errno> {
    // option_pid: tag u8 @0, u32 @4 (align 4); the host overwrites it with the child reported.
    let mut opt = [0u32; 2];
    if let Some(pid) = target {
        opt = [1, pid];
    }
    // join_status: 6 bytes, align 2.
    let mut status = [0u16; 3];
    // SAFETY: both records are live locals of the right size and alignment.
    Errno::result(unsafe {
        raw::proc_join(
            opt.as_mut_ptr().cast(),
            flags as i32,
            status.as_mut_ptr().cast(),
        )
    })?;
    let mut rec = [0u8; JOIN_STATUS_SIZE];
    for (i, w) in status.iter().enumerate() {
        rec[2 * i..2 * i + 2].copy_from_slice(&w.to_le_bytes());
    }
    Ok((opt[1] as i32, rec))
}

pub fn proc_signal(pid: i32, sig: i32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw::proc_signal(pid, sig) })
}

pub fn proc_raise(sig: i32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw::proc_raise(sig) })
}

/// Arms the process's interval timer: `sig` after `interval_ns`, again every `interval_ns`
/// when `repeat`; an interval of 0 cancels.
pub fn proc_raise_interval(sig: i32, interval_ns: u64, repeat: bool) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw::proc_raise_interval(sig, interval_ns, i32::from(repeat)) })
}

/// `fork` (`copy_memory`) or `vfork`: the child's pid.
pub fn proc_fork(copy_memory: bool) -> Result<i32, Errno> {
    let mut pid = 0;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::proc_fork(i32::from(copy_memory), &mut pid) })?;
    Ok(pid as i32)
}

/// Registers the export the runtime calls with each delivered signal.
pub fn callback_signal(export: &str) {
    // SAFETY: the name is a live string of that length.
    unsafe { raw::callback_signal(export.as_ptr(), export.len()) }
}

pub fn proc_id() -> Result<i32, Errno> {
    let mut out = 0;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::proc_id(&mut out) })?;
    i32::try_from(out).map_err(|_| Errno::SRCH)
}

pub fn proc_parent(pid: i32) -> Result<i32, Errno> {
    let mut out = 0;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::proc_parent(pid, &mut out) })?;
    i32::try_from(out).map_err(|_| Errno::SRCH)
}

pub fn chdir(path: &[u8]) -> Result<(), Errno> {
    // SAFETY: pointer and length of a live slice.
    Errno::result(unsafe { raw::chdir(path.as_ptr(), path.len()) })
}

/// Copies the host cwd into `buf`; returns its length, or `ERANGE` with the needed length.
pub fn getcwd(buf: &mut [u8]) -> Result<usize, (Errno, usize)> {
    let mut len = buf.len();
    // SAFETY: `buf` is writable for `len` bytes; `len` is a live local.
    match Errno::result(unsafe { raw::getcwd(buf.as_mut_ptr(), &mut len) }) {
        Ok(()) => Ok(len.min(buf.len())),
        Err(e) => Err((e, len)),
    }
}

pub fn thread_parallelism() -> Result<usize, Errno> {
    let mut out = 0;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::thread_parallelism(&mut out) })?;
    Ok(out)
}

// The libc64 (wasm64) start-up and environment calls; wasm32 has wasi-libc's.

/// `environ_sizes_get`: how many `NAME=value` strings and how many bytes they take.
#[cfg(target_arch = "wasm64")]
pub fn environ_sizes() -> Result<(usize, usize), Errno> {
    let (mut count, mut size) = (0, 0);
    // SAFETY: both out-pointers are live locals.
    Errno::result(unsafe { raw::environ_sizes_get(&mut count, &mut size) })?;
    Ok((count, size))
}

/// `environ_get` into a table of `count` pointers and a block of the size `environ_sizes` said.
///
/// # Safety
/// `table` and `block` are writable for those sizes.
#[cfg(target_arch = "wasm64")]
pub unsafe fn environ_get(table: *mut *mut u8, block: *mut u8) -> Result<(), Errno> {
    // SAFETY: the caller's contract.
    Errno::result(unsafe { raw::environ_get(table, block) })
}

/// A `prestat` record: tag 0 (a directory) @0 and its name length, a u32 @4, on both widths
/// (the witx `$size` stays 32-bit: our runtime's `fs::layout::prestat_dir` and Wasmer's
/// `PrestatUDir` write 8 bytes; reading a pointer-sized length @8 saw 0).
#[cfg(target_arch = "wasm64")]
#[repr(C)]
struct Prestat {
    tag: u8,
    name_len: u32,
}

/// The name length of preopen `fd`; `EBADF` past the last preopen.
#[cfg(target_arch = "wasm64")]
pub fn prestat_name_len(fd: i32) -> Result<usize, Errno> {
    let mut p = Prestat {
        tag: 0,
        name_len: 0,
    };
    // SAFETY: the record is a live local of the ABI's layout.
    Errno::result(unsafe { raw::fd_prestat_get(fd, (&raw mut p).cast()) })?;
    if p.tag != 0 {
        return Err(Errno::NOTSUP);
    }
    Ok(p.name_len as usize)
}

/// Writes preopen `fd`'s name (no NUL) into `buf`.
#[cfg(target_arch = "wasm64")]
pub fn prestat_dir_name(fd: i32, buf: &mut [u8]) -> Result<(), Errno> {
    // SAFETY: `buf` is writable for its length.
    Errno::result(unsafe { raw::fd_prestat_dir_name(fd, buf.as_mut_ptr(), buf.len()) })
}

/// Ends the process with `code` (`proc_exit`).
#[cfg(target_arch = "wasm64")]
pub fn proc_exit(code: i32) -> ! {
    // SAFETY: no pointers; the host does not return.
    unsafe { raw::proc_exit(code) }
}

#[cfg(target_arch = "wasm64")]
pub fn sched_yield() -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw::sched_yield() })
}

/// Fills `buf` from the host's random source.
#[cfg(target_arch = "wasm64")]
pub fn random_get(buf: &mut [u8]) -> Result<(), Errno> {
    // SAFETY: `buf` is writable for its length.
    Errno::result(unsafe { raw::random_get(buf.as_mut_ptr(), buf.len()) })
}

/// `clock_time_get` in nanoseconds.
#[cfg(target_arch = "wasm64")]
pub fn clock_time_get(id: i32, precision: u64) -> Result<u64, Errno> {
    let mut t = 0;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::clock_time_get(id, precision, &mut t) })?;
    Ok(t)
}

/// Starts a thread at the `thread_start` record `start` (`wasi_thread_start(tid, start)`).
///
/// # Safety
/// `start` is a filled record that lives until the thread ends.
#[cfg(target_arch = "wasm64")]
pub unsafe fn thread_spawn(start: *mut u8) -> Result<u32, Errno> {
    let mut tid = 0;
    // SAFETY: the caller's contract; the out-pointer is a live local.
    Errno::result(unsafe { raw::thread_spawn_v2(start, &mut tid) })?;
    Ok(tid)
}

#[cfg(target_arch = "wasm64")]
pub fn thread_id() -> Result<u32, Errno> {
    let mut tid = 0;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw::thread_id(&mut tid) })?;
    Ok(tid)
}

/// Sleeps while `*futex == expected` (no timeout), until a wake.
#[cfg(target_arch = "wasm64")]
pub fn futex_wait(futex: &core::sync::atomic::AtomicU32, expected: u32) -> Result<(), Errno> {
    futex_wait_for(futex, expected, None).map(|_| ())
}

#[cfg(target_arch = "wasm64")]
pub fn futex_wake_all(futex: &core::sync::atomic::AtomicU32) -> Result<(), Errno> {
    let mut woken = 0u8;
    // SAFETY: all pointers are live for the call.
    Errno::result(unsafe { raw::futex_wake_all(futex.as_ptr(), &mut woken) })
}

/// Sleeps while `*futex == expected`, at most `timeout_ns` when given; `Ok(false)` when the
/// timeout ended the wait, `Ok(true)` on a wake (or a value that already differed).
#[cfg(target_arch = "wasm64")]
pub fn futex_wait_for(
    futex: &core::sync::atomic::AtomicU32,
    expected: u32,
    timeout_ns: Option<u64>,
) -> Result<bool, Errno> {
    let timeout = OptionTimestamp {
        tag: u8::from(timeout_ns.is_some()),
        value: timeout_ns.unwrap_or(0),
    };
    let mut woken = 0u8;
    // SAFETY: all pointers are live for the call.
    Errno::result(unsafe {
        raw::futex_wait(
            futex.as_ptr(),
            expected,
            (&raw const timeout).cast(),
            &mut woken,
        )
    })?;
    Ok(woken != 0)
}

/// Wakes one thread sleeping on `futex`.
#[cfg(target_arch = "wasm64")]
pub fn futex_wake_one(futex: &core::sync::atomic::AtomicU32) -> Result<(), Errno> {
    let mut woken = 0u8;
    // SAFETY: all pointers are live for the call.
    Errno::result(unsafe { raw::futex_wake(futex.as_ptr(), &mut woken) })
}

/// A WASI `option_timestamp`: tag u8 @0, u64 @8.
#[cfg(target_arch = "wasm64")]
#[repr(C)]
struct OptionTimestamp {
    tag: u8,
    value: u64,
}

// The libc64 (wasm64) file layer.

/// `fd_read` into the C iovecs (`struct iovec` is `{ptr, len}`, the ABI's `iovec`).
///
/// # Safety
/// `iovs` points at `n` iovecs over writable regions.
#[cfg(target_arch = "wasm64")]
pub unsafe fn fd_read(fd: i32, iovs: *const IoVec, n: usize) -> Result<usize, Errno> {
    let mut done = 0;
    // SAFETY: the caller's contract; the out-pointer is a live local.
    Errno::result(unsafe { raw_fs::fd_read(fd, iovs, n, &mut done) })?;
    Ok(done)
}

/// # Safety
/// `iovs` points at `n` iovecs over readable regions.
#[cfg(target_arch = "wasm64")]
pub unsafe fn fd_write(fd: i32, iovs: *const IoVec, n: usize) -> Result<usize, Errno> {
    let mut done = 0;
    // SAFETY: the caller's contract; the out-pointer is a live local.
    Errno::result(unsafe { raw_fs::fd_write(fd, iovs, n, &mut done) })?;
    Ok(done)
}

/// # Safety
/// `iovs` points at `n` iovecs over writable regions.
#[cfg(target_arch = "wasm64")]
pub unsafe fn fd_pread(fd: i32, iovs: *const IoVec, n: usize, off: u64) -> Result<usize, Errno> {
    let mut done = 0;
    // SAFETY: the caller's contract; the out-pointer is a live local.
    Errno::result(unsafe { raw_fs::fd_pread(fd, iovs, n, off, &mut done) })?;
    Ok(done)
}

/// # Safety
/// `iovs` points at `n` iovecs over readable regions.
#[cfg(target_arch = "wasm64")]
pub unsafe fn fd_pwrite(fd: i32, iovs: *const IoVec, n: usize, off: u64) -> Result<usize, Errno> {
    let mut done = 0;
    // SAFETY: the caller's contract; the out-pointer is a live local.
    Errno::result(unsafe { raw_fs::fd_pwrite(fd, iovs, n, off, &mut done) })?;
    Ok(done)
}

/// `fd_seek`: the new offset. `whence` is WASI's (set 0, cur 1, end 2: C's `SEEK_*`).
#[cfg(target_arch = "wasm64")]
pub fn fd_seek(fd: i32, off: i64, whence: i32) -> Result<u64, Errno> {
    let mut pos = 0;
    // SAFETY: the out-pointer is a live local.
    Errno::result(unsafe { raw_fs::fd_seek(fd, off, whence, &mut pos) })?;
    Ok(pos)
}

/// A raw 64-byte `filestat` (`libc64::filestat` decodes it).
#[cfg(target_arch = "wasm64")]
pub type FilestatRecord = [u8; 64];

#[cfg(target_arch = "wasm64")]
pub fn fd_filestat_get(fd: i32) -> Result<FilestatRecord, Errno> {
    let mut rec = Aligned([0u8; 64]);
    // SAFETY: `rec` is a whole, 8-aligned record.
    Errno::result(unsafe { raw_fs::fd_filestat_get(fd, rec.0.as_mut_ptr()) })?;
    Ok(rec.0)
}

#[cfg(target_arch = "wasm64")]
pub fn fd_filestat_set_size(fd: i32, size: u64) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw_fs::fd_filestat_set_size(fd, size) })
}

#[cfg(target_arch = "wasm64")]
pub fn fd_filestat_set_times(fd: i32, (atim, mtim, fst): (u64, u64, u16)) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw_fs::fd_filestat_set_times(fd, atim, mtim, fst.into()) })
}

#[cfg(target_arch = "wasm64")]
pub fn fd_sync(fd: i32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw_fs::fd_sync(fd) })
}

#[cfg(target_arch = "wasm64")]
pub fn fd_datasync(fd: i32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    Errno::result(unsafe { raw_fs::fd_datasync(fd) })
}

/// Fills `buf` with `dirent` records from `cookie` on; returns the bytes used.
#[cfg(target_arch = "wasm64")]
pub fn fd_readdir(fd: i32, buf: &mut [u8], cookie: u64) -> Result<usize, Errno> {
    let mut used = 0;
    // SAFETY: `buf` is writable for its length; the out-pointer is a live local.
    Errno::result(unsafe {
        raw_fs::fd_readdir(fd, buf.as_mut_ptr(), buf.len(), cookie, &mut used)
    })?;
    Ok(used.min(buf.len()))
}

/// The preview-1 `fdstat`: (filetype, fdflags, base rights).
#[cfg(target_arch = "wasm64")]
pub fn fd_fdstat_rights(of: i32) -> Result<(u8, u16, u64), Errno> {
    // 24 bytes, align 8: filetype u8 @0, flags u16 @2, rights @8/@16.
    let mut rec = [0u64; 3];
    // SAFETY: `rec` is 24 bytes, 8-aligned.
    Errno::result(unsafe { raw::fd_fdstat_get(of, rec.as_mut_ptr().cast()) })?;
    let b = rec[0].to_le_bytes();
    Ok((b[0], u16::from_le_bytes([b[2], b[3]]), rec[1]))
}

/// `path_open2`: opens `path` under directory `dir`; the new fd.
#[cfg(target_arch = "wasm64")]
pub fn path_open2(
    dir: i32,
    path: &[u8],
    req: &crate::libc64::open_flags::OpenRequest,
) -> Result<i32, Errno> {
    let mut out = 0;
    // SAFETY: pointer and length of a live slice; the out-pointer is a live local.
    Errno::result(unsafe {
        raw_fs::path_open2(
            dir,
            req.lookup as i32,
            path.as_ptr(),
            path.len(),
            req.oflags.into(),
            req.rights_base,
            req.rights_inheriting,
            req.fdflags.into(),
            i32::from(req.cloexec) * i32::from(crate::abi::FDFLAGSEXT_CLOEXEC),
            &mut out,
        )
    })?;
    fd(out)
}

#[cfg(target_arch = "wasm64")]
pub fn path_create_directory(dir: i32, path: &[u8]) -> Result<(), Errno> {
    // SAFETY: pointer and length of a live slice.
    Errno::result(unsafe { raw_fs::path_create_directory(dir, path.as_ptr(), path.len()) })
}

/// `path_filestat_get`; `follow`: through a final symlink.
#[cfg(target_arch = "wasm64")]
pub fn path_filestat_get(dir: i32, path: &[u8], follow: bool) -> Result<FilestatRecord, Errno> {
    let mut rec = Aligned([0u8; 64]);
    // SAFETY: a live slice and a whole, 8-aligned record.
    Errno::result(unsafe {
        raw_fs::path_filestat_get(
            dir,
            follow.into(),
            path.as_ptr(),
            path.len(),
            rec.0.as_mut_ptr(),
        )
    })?;
    Ok(rec.0)
}

#[cfg(target_arch = "wasm64")]
pub fn path_filestat_set_times(
    dir: i32,
    path: &[u8],
    follow: bool,
    (atim, mtim, fst): (u64, u64, u16),
) -> Result<(), Errno> {
    // SAFETY: pointer and length of a live slice.
    Errno::result(unsafe {
        raw_fs::path_filestat_set_times(
            dir,
            follow.into(),
            path.as_ptr(),
            path.len(),
            atim,
            mtim,
            fst.into(),
        )
    })
}

#[cfg(target_arch = "wasm64")]
pub fn path_link(
    (old_dir, old): (i32, &[u8]),
    follow: bool,
    (new_dir, new): (i32, &[u8]),
) -> Result<(), Errno> {
    // SAFETY: pointers and lengths of live slices.
    Errno::result(unsafe {
        raw_fs::path_link(
            old_dir,
            follow.into(),
            old.as_ptr(),
            old.len(),
            new_dir,
            new.as_ptr(),
            new.len(),
        )
    })
}

/// Copies the link's target (cut to `buf`, no NUL) into `buf`; returns its length.
///
/// # Safety
/// `buf` is writable for `len` bytes.
#[cfg(target_arch = "wasm64")]
pub unsafe fn path_readlink(
    dir: i32,
    path: &[u8],
    buf: *mut u8,
    len: usize,
) -> Result<usize, Errno> {
    let mut n = 0;
    // SAFETY: the caller's contract for `buf`; a live slice and out-pointer.
    Errno::result(unsafe {
        raw_fs::path_readlink(dir, path.as_ptr(), path.len(), buf, len, &mut n)
    })?;
    Ok(n.min(len))
}

#[cfg(target_arch = "wasm64")]
pub fn path_remove_directory(dir: i32, path: &[u8]) -> Result<(), Errno> {
    // SAFETY: pointer and length of a live slice.
    Errno::result(unsafe { raw_fs::path_remove_directory(dir, path.as_ptr(), path.len()) })
}

#[cfg(target_arch = "wasm64")]
pub fn path_rename(
    (old_dir, old): (i32, &[u8]),
    (new_dir, new): (i32, &[u8]),
) -> Result<(), Errno> {
    // SAFETY: pointers and lengths of live slices.
    Errno::result(unsafe {
        raw_fs::path_rename(
            old_dir,
            old.as_ptr(),
            old.len(),
            new_dir,
            new.as_ptr(),
            new.len(),
        )
    })
}

#[cfg(target_arch = "wasm64")]
pub fn path_symlink(target: &[u8], dir: i32, path: &[u8]) -> Result<(), Errno> {
    // SAFETY: pointers and lengths of live slices.
    Errno::result(unsafe {
        raw_fs::path_symlink(
            target.as_ptr(),
            target.len(),
            dir,
            path.as_ptr(),
            path.len(),
        )
    })
}

#[cfg(target_arch = "wasm64")]
pub fn path_unlink_file(dir: i32, path: &[u8]) -> Result<(), Errno> {
    // SAFETY: pointer and length of a live slice.
    Errno::result(unsafe { raw_fs::path_unlink_file(dir, path.as_ptr(), path.len()) })
}

/// `poll_oneoff`: waits for the `subs` records; writes events into `events` (room for one per
/// subscription) and returns how many.
#[cfg(target_arch = "wasm64")]
pub fn poll_oneoff(subs: &[u8], events: &mut [u8], nsubs: usize) -> Result<usize, Errno> {
    // The count and the result are `u32` on both widths (`$size` in the witx).
    let count = u32::try_from(nsubs).map_err(|_| Errno::INVAL)?;
    if subs.len() < nsubs * 48 || events.len() < nsubs * 32 {
        return Err(Errno::INVAL);
    }
    let mut n = 0u32;
    // SAFETY: both buffers hold `nsubs` records; the out-pointer is a live local.
    Errno::result(unsafe { raw::poll_oneoff(subs.as_ptr(), events.as_mut_ptr(), count, &mut n) })?;
    Ok(n as usize)
}

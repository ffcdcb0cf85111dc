//! A guest written to break out of the sandbox (issue 14). Every attempt prints one line
//! `name: result`, where result is `ok ...` or the errno name the runtime answered; the test
//! (`cargo-wasix/tests/tests/sandbox.rs`) compares the lines and checks the host tree.
//!
//! Arguments: HOST_ROOT (the host path of the test's temp tree, to try it as a guest path)
//! and PORT (a host TCP listener that must never see a connection).
//!
//! Guest layout the test mounts: `/data` = HOST_ROOT/mnt (holding pre-made symlinks out),
//! `/other` = HOST_ROOT/other (holding a copy of this module, `escape.wasm`), `/ro` =
//! HOST_ROOT/ro read-only. HOST_ROOT/outside and HOST_ROOT/sibling are not mounted.
//!
//! `escape child HOST_ROOT PORT` is the child the parent spawns from `/other/escape.wasm`: it
//! repeats the attempts a child could make with more than its parent (fds, environment,
//! mounts, host paths, network, host programs), each line prefixed `child_`.

use std::fs;
use std::io::{ErrorKind, Read};
use std::os::fd::AsRawFd;

/// Raw WASI / WASIX imports, so the errno of the runtime is seen without libc in between.
mod raw {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    unsafe extern "C" {
        #[link_name = "path_open"]
        pub fn path_open(
            fd: i32,
            dirflags: i32,
            path: *const u8,
            path_len: usize,
            oflags: i32,
            rights_base: u64,
            rights_inheriting: u64,
            fdflags: i32,
            out: *mut i32,
        ) -> i32;
        #[link_name = "path_link"]
        pub fn path_link(
            old_fd: i32,
            old_flags: i32,
            old: *const u8,
            old_len: usize,
            new_fd: i32,
            new: *const u8,
            new_len: usize,
        ) -> i32;
        #[link_name = "path_rename"]
        pub fn path_rename(
            old_fd: i32,
            old: *const u8,
            old_len: usize,
            new_fd: i32,
            new: *const u8,
            new_len: usize,
        ) -> i32;
        #[link_name = "path_symlink"]
        pub fn path_symlink(
            old: *const u8,
            old_len: usize,
            fd: i32,
            new: *const u8,
            new_len: usize,
        ) -> i32;
        #[link_name = "fd_filestat_get"]
        pub fn fd_filestat_get(fd: i32, out: *mut u8) -> i32;
        #[link_name = "fd_fdstat_get"]
        pub fn fd_fdstat_get(fd: i32, out: *mut u8) -> i32;
        #[link_name = "fd_prestat_get"]
        pub fn fd_prestat_get(fd: i32, out: *mut u8) -> i32;
        #[link_name = "fd_prestat_dir_name"]
        pub fn fd_prestat_dir_name(fd: i32, out: *mut u8, len: usize) -> i32;
        #[link_name = "fd_read"]
        pub fn fd_read(fd: i32, iovs: *const [usize; 2], n: usize, nread: *mut usize) -> i32;
        #[link_name = "fd_close"]
        pub fn fd_close(fd: i32) -> i32;
    }

    #[link(wasm_import_module = "wasix_32v1")]
    unsafe extern "C" {
        #[link_name = "sock_open"]
        pub fn sock_open(af: i32, ty: i32, proto: i32, out: *mut i32) -> i32;
        #[link_name = "sock_pair"]
        pub fn sock_pair(af: i32, ty: i32, proto: i32, out1: *mut i32, out2: *mut i32) -> i32;
        #[link_name = "sock_bind"]
        pub fn sock_bind(fd: i32, addr: *const u8) -> i32;
        #[link_name = "sock_connect"]
        pub fn sock_connect(fd: i32, addr: *const u8) -> i32;
        #[link_name = "sock_send_to"]
        pub fn sock_send_to(
            fd: i32,
            iovs: *const [usize; 2],
            n: usize,
            flags: i32,
            addr: *const u8,
            sent: *mut usize,
        ) -> i32;
        #[link_name = "resolve"]
        pub fn resolve(
            host: *const u8,
            len: usize,
            port: i32,
            addrs: *mut u8,
            naddrs: i32,
            out: *mut usize,
        ) -> i32;
    }
}

/// WASI errno names (the numbers are WASI's, not Linux's).
const ERRNO: &[&str] = &[
    "ESUCCESS",
    "E2BIG",
    "EACCES",
    "EADDRINUSE",
    "EADDRNOTAVAIL",
    "EAFNOSUPPORT",
    "EAGAIN",
    "EALREADY",
    "EBADF",
    "EBADMSG",
    "EBUSY",
    "ECANCELED",
    "ECHILD",
    "ECONNABORTED",
    "ECONNREFUSED",
    "ECONNRESET",
    "EDEADLK",
    "EDESTADDRREQ",
    "EDOM",
    "EDQUOT",
    "EEXIST",
    "EFAULT",
    "EFBIG",
    "EHOSTUNREACH",
    "EIDRM",
    "EILSEQ",
    "EINPROGRESS",
    "EINTR",
    "EINVAL",
    "EIO",
    "EISCONN",
    "EISDIR",
    "ELOOP",
    "EMFILE",
    "EMLINK",
    "EMSGSIZE",
    "EMULTIHOP",
    "ENAMETOOLONG",
    "ENETDOWN",
    "ENETRESET",
    "ENETUNREACH",
    "ENFILE",
    "ENOBUFS",
    "ENODEV",
    "ENOENT",
    "ENOEXEC",
    "ENOLCK",
    "ENOLINK",
    "ENOMEM",
    "ENOMSG",
    "ENOPROTOOPT",
    "ENOSPC",
    "ENOSYS",
    "ENOTCONN",
    "ENOTDIR",
    "ENOTEMPTY",
    "ENOTRECOVERABLE",
    "ENOTSOCK",
    "ENOTSUP",
    "ENOTTY",
    "ENXIO",
    "EOVERFLOW",
    "EOWNERDEAD",
    "EPERM",
    "EPIPE",
    "EPROTO",
    "EPROTONOSUPPORT",
    "EPROTOTYPE",
    "ERANGE",
    "EROFS",
    "ESPIPE",
    "ESRCH",
    "ESTALE",
    "ETIMEDOUT",
    "ETXTBSY",
    "EXDEV",
    "ENOTCAPABLE",
    "ESHUTDOWN",
    "EMEMVIOLATION",
    "EUNKNOWN",
    "EPENDING",
];

fn errno_name(n: i32) -> String {
    usize::try_from(n)
        .ok()
        .and_then(|i| ERRNO.get(i))
        .map_or_else(|| format!("errno {n}"), |s| (*s).to_string())
}

/// The result of a raw call (0 = ok).
fn rc(n: i32) -> String {
    if n == 0 { "ok".into() } else { errno_name(n) }
}

/// The result of a std call: `ok` plus what it gave, or the errno.
fn res<T>(r: std::io::Result<T>, show: impl FnOnce(T) -> String) -> String {
    match r {
        Ok(v) => {
            let s = show(v);
            if s.is_empty() {
                "ok".into()
            } else {
                format!("ok {s}")
            }
        }
        Err(e) => match e.raw_os_error() {
            Some(n) => errno_name(n),
            None => format!("error({:?})", e.kind()),
        },
    }
}

fn none<T>(_: T) -> String {
    String::new()
}

fn show_bytes(b: Vec<u8>) -> String {
    format!("{:?}", String::from_utf8_lossy(&b))
}

fn say(name: &str, result: String) {
    println!("{name}: {result}");
}

const LOOKUP_FOLLOW: i32 = 1;
const RIGHTS_ALL: u64 = u64::MAX >> 3; // every defined preview-1 right (bits 0..=28 and more)

/// `path_open` relative to `fd`; on success the new fd is closed again.
fn open_at(fd: i32, path: &[u8]) -> String {
    let mut out = -1;
    // SAFETY: pointers to live locals; the runtime checks every guest access.
    let n = unsafe {
        raw::path_open(
            fd,
            LOOKUP_FOLLOW,
            path.as_ptr(),
            path.len(),
            0,
            RIGHTS_ALL,
            RIGHTS_ALL,
            0,
            &mut out,
        )
    };
    if n == 0 {
        // SAFETY: closing the fd the runtime just gave us.
        unsafe { raw::fd_close(out) };
    }
    rc(n)
}

/// `symlink(target, at)` through the raw call on the root preopen (std's wrapper is
/// unstable); `at` is an absolute guest path.
fn symlink_path(target: impl AsRef<str>, at: &str) -> std::io::Result<()> {
    let (target, at) = (target.as_ref(), at.trim_start_matches('/'));
    // SAFETY: pointers to live strings.
    let n = unsafe { raw::path_symlink(target.as_ptr(), target.len(), 3, at.as_ptr(), at.len()) };
    if n == 0 {
        Ok(())
    } else {
        Err(std::io::Error::from_raw_os_error(n))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (host_root, port) = match args.as_slice() {
        [_, root, port] => (root.clone(), port.parse::<u16>().unwrap_or(9)),
        [_, mode, root, port] if mode == "child" => {
            child(root, port.parse::<u16>().unwrap_or(9));
            return;
        }
        _ => {
            eprintln!("usage: escape HOST_ROOT PORT");
            std::process::exit(2);
        }
    };

    // First, before this program opens anything: which fds exist at all?
    fd_guessing();
    environment();
    dotdot(&host_root);
    absolute(&host_root);
    host_symlinks();
    guest_symlinks(&host_root);
    hard_links();
    renames();
    read_only();
    proc_paths();
    odd_paths();
    sockets(port);
    children(&host_root, port);
    println!("done");
}

/// Spawns this module again from the guest file system as a child (its stdout piped back and
/// printed here), with one variable set, and tries to start host programs.
fn children(host_root: &str, port: u16) {
    use std::process::{Command, Stdio};
    let spawned = Command::new("/other/escape.wasm")
        .args(["child", host_root, &port.to_string()])
        .env("PASSED", "by-parent")
        .current_dir("/data")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn();
    match spawned {
        Ok(child) => {
            // While the child runs: the parent's fds, to compare with the child's.
            say("parent_fds_while_child_runs", format!("ok {:?}", open_fds()));
            let out = child.wait_with_output();
            match out {
                Ok(out) => {
                    print!("{}", String::from_utf8_lossy(&out.stdout));
                    say("child_status", format!("ok {:?}", out.status.code()));
                }
                Err(e) => say("child_wait", res::<()>(Err(e), none)),
            }
        }
        Err(e) => say("child_spawn", res::<()>(Err(e), none)),
    }
    // A guest never starts a host program, by any name.
    let start = |program: &str| {
        res(
            Command::new(program)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .status(),
            |s| format!("{:?}", s.code()),
        )
    };
    say("spawn_host_sh", start("/bin/sh"));
    say("spawn_host_sh_via_path", start("sh"));
    say(
        "spawn_host_path_of_module",
        start(&format!("{host_root}/other/escape.wasm")),
    );
}

/// The fds `fd_fdstat_get` answers for, among 0..1024 and two large numbers.
fn open_fds() -> Vec<i32> {
    let mut buf = [0u8; 64];
    (0..1024)
        .chain([i32::MAX, 1 << 20])
        // SAFETY: a pointer to a live local buffer.
        .filter(|&fd| unsafe { raw::fd_fdstat_get(fd, buf.as_mut_ptr()) } == 0)
        .collect()
}

/// The child's attempts: it must see exactly what its parent sees, or less.
fn child(host_root: &str, port: u16) {
    say("child_fds", format!("ok {:?}", open_fds()));
    let mut names: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
    names.sort();
    say("child_env", format!("ok {names:?}"));
    say(
        "child_env_canary",
        match std::env::var("SANDBOX_CANARY") {
            Ok(v) => format!("ok LEAKED {v}"),
            Err(e) => format!("{e:?}"),
        },
    );
    say(
        "child_cwd",
        res(std::env::current_dir(), |p| p.display().to_string()),
    );
    say(
        "child_root_listing",
        res(fs::read_dir("/"), sorted_names),
    );
    say(
        "child_dotdot_from_cwd",
        res(fs::read("../../outside/secret.txt"), show_bytes),
    );
    say(
        "child_host_path",
        res(
            fs::read(format!("{host_root}/outside/secret.txt")),
            show_bytes,
        ),
    );
    say("child_etc_passwd", res(fs::read("/etc/passwd"), show_bytes));
    say("child_host_symlink", res(fs::read("/data/link_rel_out"), show_bytes));
    say("child_ro_write", res(fs::write("/ro/ro.txt", "child"), none));
    say("child_proc_environ", res(fs::read("/proc/self/environ"), show_bytes));
    let mut fd = -1;
    // SAFETY: a pointer to a live local.
    say(
        "child_sock_open_inet4",
        rc(unsafe { raw::sock_open(1, 1, 0, &mut fd) }),
    );
    say(
        "child_std_tcp_connect",
        res(std::net::TcpStream::connect(("127.0.0.1", port)), none),
    );
    use std::net::ToSocketAddrs;
    say(
        "child_getaddrinfo",
        res(("localhost", port).to_socket_addrs(), |it| {
            it.count().to_string()
        }),
    );
}

fn fd_guessing() {
    let mut filestat_ok = Vec::new();
    let mut fdstat_ok = Vec::new();
    let mut read_not_badf = Vec::new();
    let mut prestat_ok = Vec::new();
    let mut open_not_badf = Vec::new();
    let mut buf = [0u8; 64];
    let mut one = [0u8; 1];
    for fd in (0..1024).chain([-1, i32::MAX, i32::MIN, 1 << 20]) {
        // SAFETY: pointers to live locals; the runtime checks every guest access.
        unsafe {
            if raw::fd_filestat_get(fd, buf.as_mut_ptr()) == 0 {
                filestat_ok.push(fd);
            }
            if raw::fd_fdstat_get(fd, buf.as_mut_ptr()) == 0 {
                fdstat_ok.push(fd);
            }
            if raw::fd_prestat_get(fd, buf.as_mut_ptr()) == 0 {
                prestat_ok.push(fd);
            }
            // stdin (0) would block; every other fd is probed with a 1-byte read.
            if fd != 0 {
                let iov = [one.as_mut_ptr() as usize, 1];
                let mut n = 0;
                if raw::fd_read(fd, &iov, 1, &mut n) != 8 {
                    read_not_badf.push(fd);
                }
            }
        }
        if fd > 3 && open_at(fd, b".") != "EBADF" {
            open_not_badf.push(fd);
        }
    }
    say("fd_guess_filestat", format!("ok {filestat_ok:?}"));
    say("fd_guess_fdstat", format!("ok {fdstat_ok:?}"));
    say("fd_guess_read_not_ebadf", format!("ok {read_not_badf:?}"));
    say("fd_guess_prestat", format!("ok {prestat_ok:?}"));
    say(
        "fd_guess_path_open_not_ebadf",
        format!("ok {open_not_badf:?}"),
    );
    let mut name = [0u8; 8];
    // SAFETY: a live local buffer of the given size.
    let n = unsafe { raw::fd_prestat_dir_name(3, name.as_mut_ptr(), 1) };
    say(
        "fd_preopen_name",
        format!("{} {:?}", rc(n), String::from_utf8_lossy(&name[..1])),
    );
}

fn environment() {
    let mut names: Vec<String> = std::env::vars_os()
        .map(|(k, _)| k.to_string_lossy().into_owned())
        .collect();
    names.sort();
    say("env_names", format!("ok {names:?}"));
    say(
        "env_canary",
        match std::env::var("SANDBOX_CANARY") {
            Ok(v) => format!("ok LEAKED {v}"),
            Err(e) => format!("{e:?}"),
        },
    );
}

fn dotdot(host_root: &str) {
    say(
        "dotdot_abs",
        res(fs::read("/data/../../../outside/secret.txt"), show_bytes),
    );
    say(
        "dotdot_sibling",
        res(fs::read("/data/../sibling/sib.txt"), show_bytes),
    );
    say(
        "dotdot_host_root",
        res(
            fs::read(format!("/data/..{host_root}/outside/secret.txt")),
            show_bytes,
        ),
    );
    say("chdir_data", res(std::env::set_current_dir("/data"), none));
    say(
        "dotdot_rel_cwd",
        res(fs::read("../../../../outside/secret.txt"), show_bytes),
    );
    say(
        "chdir_up",
        res(std::env::set_current_dir("../../../.."), none),
    );
    say(
        "cwd_after_chdir_up",
        res(std::env::current_dir(), |p| p.display().to_string()),
    );
    say(
        "dotdot_rel_after_chdir",
        res(fs::read("outside/secret.txt"), show_bytes),
    );
    let _ = std::env::set_current_dir("/");
    // Raw calls relative to a directory fd: `..` may not leave that directory.
    match fs::File::open("/data") {
        Ok(dir) => {
            let fd = dir.as_raw_fd();
            say("dirfd_dotdot", open_at(fd, b"../outside/secret.txt"));
            say(
                "dirfd_dotdot_other_mount",
                open_at(fd, b"../other/other.txt"),
            );
            say("dirfd_dotdot_back_in", open_at(fd, b"../data/inner.txt"));
            say("dirfd_absolute", open_at(fd, b"/other/other.txt"));
            say("dirfd_inside", open_at(fd, b"sub/../inner.txt"));
        }
        Err(e) => say("dirfd_open", res::<()>(Err(e), none)),
    }
    say("rootfd_dotdot", open_at(3, b"../../../outside/secret.txt"));
    say(
        "mount_via_abs_path",
        res(fs::read("/other/other.txt"), show_bytes),
    );
}

fn absolute(host_root: &str) {
    say("abs_etc_passwd", res(fs::read("/etc/passwd"), show_bytes));
    say(
        "abs_host_path",
        res(
            fs::read(format!("{host_root}/outside/secret.txt")),
            show_bytes,
        ),
    );
    say(
        "abs_host_path_of_mount",
        res(fs::read(format!("{host_root}/mnt/inner.txt")), show_bytes),
    );
    say(
        "root_listing",
        res(fs::read_dir("/"), sorted_names),
    );
    say("mkdir_in_root", res(fs::create_dir("/evil"), none));
    say("create_in_root", res(fs::File::create("/evil.txt"), none));
    say("remove_mount_point", res(fs::remove_dir("/data"), none));
    say("remove_root", res(fs::remove_dir("/"), none));
}

fn host_symlinks() {
    say(
        "host_symlink_rel",
        res(fs::read("/data/link_rel_out"), show_bytes),
    );
    say(
        "host_symlink_abs",
        res(fs::read("/data/link_abs_out"), show_bytes),
    );
    say(
        "host_symlink_dir",
        res(fs::read("/data/link_dir_out/secret.txt"), show_bytes),
    );
    say(
        "host_symlink_deep",
        res(fs::read("/data/link_deep"), show_bytes),
    );
    say(
        "host_symlink_stat_follow",
        res(fs::metadata("/data/link_rel_out"), |m| {
            format!("len {}", m.len())
        }),
    );
    say(
        "host_symlink_readlink",
        res(fs::read_link("/data/link_rel_out"), |p| {
            p.display().to_string()
        }),
    );
    say(
        "host_symlink_dir_create",
        res(fs::File::create("/data/link_dir_out/planted.txt"), none),
    );
    say(
        "host_symlink_dir_mkdir",
        res(fs::create_dir("/data/link_dir_out/planted_dir"), none),
    );
    say(
        "host_symlink_dir_list",
        res(fs::read_dir("/data/link_dir_out"), |rd| {
            format!("{}", rd.count())
        }),
    );
    say(
        "host_symlink_chdir",
        res(std::env::set_current_dir("/data/link_dir_out"), none),
    );
    say(
        "host_symlink_truncate",
        res(
            fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open("/data/link_rel_out"),
            none,
        ),
    );
}

fn guest_symlinks(host_root: &str) {
    say(
        "guest_symlink_rel_create",
        res(
            symlink_path("../../outside/secret.txt", "/data/scratch/l1"),
            none,
        ),
    );
    say(
        "guest_symlink_rel_read",
        res(fs::read("/data/scratch/l1"), show_bytes),
    );
    say(
        "guest_symlink_abs_create",
        res(symlink_path("/etc/passwd", "/data/scratch/l2"), none),
    );
    say(
        "guest_symlink_host_abs_create",
        res(
            symlink_path(
                format!("{host_root}/outside/secret.txt"),
                "/data/scratch/l3",
            ),
            none,
        ),
    );
    say(
        "guest_symlink_dir_create",
        res(symlink_path("../../outside", "/data/scratch/d1"), none),
    );
    say(
        "guest_symlink_dir_write",
        res(fs::File::create("/data/scratch/d1/planted.txt"), none),
    );
    say(
        "guest_symlink_other_mount_create",
        res(
            symlink_path("../../other/other.txt", "/data/scratch/l4"),
            none,
        ),
    );
    say(
        "guest_symlink_other_mount_read",
        res(fs::read("/data/scratch/l4"), show_bytes),
    );
    say(
        "guest_symlink_chain_create",
        res(symlink_path("l1", "/data/scratch/l5"), none),
    );
    say(
        "guest_symlink_chain_read",
        res(fs::read("/data/scratch/l5"), show_bytes),
    );
    say(
        "guest_symlink_loop_create",
        res(symlink_path("l6", "/data/scratch/l6"), none),
    );
    say(
        "guest_symlink_loop_read",
        res(fs::read("/data/scratch/l6"), show_bytes),
    );
    say(
        "guest_symlink_ok_inside",
        res(
            symlink_path("../inner.txt", "/data/scratch/good")
                .and_then(|()| fs::read("/data/scratch/good")),
            show_bytes,
        ),
    );
}

fn hard_links() {
    say(
        "hardlink_across_mounts",
        res(fs::hard_link("/data/inner.txt", "/other/hl"), none),
    );
    say(
        "hardlink_to_root",
        res(fs::hard_link("/data/inner.txt", "/hl"), none),
    );
    say(
        "hardlink_via_symlink_dir",
        res(
            fs::hard_link("/data/inner.txt", "/data/link_dir_out/hl"),
            none,
        ),
    );
    say(
        "hardlink_from_ro",
        res(fs::hard_link("/ro/ro.txt", "/data/scratch/hl_ro"), none),
    );
    match fs::File::open("/data") {
        Ok(dir) => {
            let fd = dir.as_raw_fd();
            let link = |flags: i32, old: &[u8], new: &[u8]| {
                // SAFETY: pointers to live byte strings.
                rc(unsafe {
                    raw::path_link(
                        fd,
                        flags,
                        old.as_ptr(),
                        old.len(),
                        fd,
                        new.as_ptr(),
                        new.len(),
                    )
                })
            };
            say(
                "hardlink_follow_host_symlink",
                link(LOOKUP_FOLLOW, b"link_rel_out", b"scratch/hl1"),
            );
            say(
                "hardlink_follow_guest_symlink",
                link(LOOKUP_FOLLOW, b"scratch/l1", b"scratch/hl2"),
            );
            say(
                "hardlink_dirfd_dotdot_source",
                link(0, b"../outside/secret.txt", b"scratch/hl3"),
            );
            say(
                "hardlink_dirfd_dotdot_target",
                link(0, b"inner.txt", b"../outside/hl4"),
            );
        }
        Err(e) => say("hardlink_dirfd_open", res::<()>(Err(e), none)),
    }
}

fn renames() {
    say(
        "rename_across_mounts",
        res(fs::rename("/data/inner.txt", "/other/moved.txt"), none),
    );
    say(
        "rename_to_root",
        res(fs::rename("/data/inner.txt", "/moved.txt"), none),
    );
    say(
        "rename_via_symlink_dir",
        res(
            fs::rename("/data/inner.txt", "/data/link_dir_out/moved.txt"),
            none,
        ),
    );
    say(
        "rename_mount_point",
        res(fs::rename("/data", "/data2"), none),
    );
    say(
        "rename_over_mount_point",
        res(fs::rename("/data/scratch", "/other"), none),
    );
    say(
        "rename_dotdot_abs",
        res(
            fs::rename("/data/inner.txt", "/data/../../outside/moved.txt"),
            none,
        ),
    );
    match fs::File::open("/data") {
        Ok(dir) => {
            let fd = dir.as_raw_fd();
            let (old, new) = (b"inner.txt", b"../outside/moved.txt");
            // SAFETY: pointers to live byte strings.
            let n = unsafe {
                raw::path_rename(fd, old.as_ptr(), old.len(), fd, new.as_ptr(), new.len())
            };
            say("rename_dirfd_dotdot", rc(n));
        }
        Err(e) => say("rename_dirfd_open", res::<()>(Err(e), none)),
    }
}

fn read_only() {
    say("ro_read", res(fs::read("/ro/ro.txt"), show_bytes));
    say(
        "ro_write",
        res(fs::OpenOptions::new().write(true).open("/ro/ro.txt"), none),
    );
    say(
        "ro_append",
        res(fs::OpenOptions::new().append(true).open("/ro/ro.txt"), none),
    );
    say("ro_create", res(fs::File::create("/ro/new.txt"), none));
    say("ro_unlink", res(fs::remove_file("/ro/ro.txt"), none));
    say("ro_mkdir", res(fs::create_dir("/ro/d"), none));
    say(
        "ro_rename",
        res(fs::rename("/ro/ro.txt", "/ro/moved.txt"), none),
    );
    say("ro_symlink", res(symlink_path("ro.txt", "/ro/l"), none));
    say(
        "ro_set_len_via_read_fd",
        res(
            fs::File::open("/ro/ro.txt").and_then(|f| f.set_len(0)),
            none,
        ),
    );
    say(
        "ro_set_times",
        res(
            fs::File::open("/ro/ro.txt").and_then(|f| f.set_modified(std::time::UNIX_EPOCH)),
            none,
        ),
    );
}

fn proc_paths() {
    for (name, path) in [
        ("proc_self_environ", "/proc/self/environ"),
        ("proc_self_root", "/proc/self/root/etc/passwd"),
        ("proc_self_fd0", "/proc/self/fd/0"),
        ("proc_1_environ", "/proc/1/environ"),
        ("dev_zero", "/dev/zero"),
        ("sys_kernel", "/sys/kernel/hostname"),
    ] {
        say(
            name,
            res(
                fs::File::open(path).and_then(|mut f| {
                    let mut b = [0u8; 1];
                    f.read(&mut b)
                }),
                |n| n.to_string(),
            ),
        );
    }
    say(
        "proc_self_cwd_link",
        res(fs::read_link("/proc/self/cwd"), |p| p.display().to_string()),
    );
    say(
        "proc_self_fd_list",
        res(fs::read_dir("/proc/self/fd"), |rd| rd.count().to_string()),
    );
}

fn odd_paths() {
    let long = format!("/data/{}", "a/".repeat(2100));
    say("path_too_long", res(fs::read(&long), show_bytes));
    say(
        "path_nul_raw",
        open_at(3, b"data/inner.txt\0/../../outside"),
    );
    say("path_bad_utf8_raw", open_at(3, b"data/\xff\xfe"));
    say("path_empty_raw", open_at(3, b""));
    let kind = |r: std::io::Result<Vec<u8>>| match r {
        Err(e) if e.kind() == ErrorKind::InvalidInput => "refused by std".to_string(),
        other => res(other, show_bytes),
    };
    say("path_nul_std", kind(fs::read("/data/inner.txt\0")));
}

/// An `addr_port` record (110 bytes): family, pad, port (as the host writes it), IPv4.
fn addr_v4(ip: [u8; 4], port: u16) -> [u8; 110] {
    let mut a = [0u8; 110];
    a[0] = 1; // AF_INET in WASIX
    a[2..4].copy_from_slice(&port.to_be_bytes());
    a[4..8].copy_from_slice(&ip);
    a
}

fn sockets(port: u16) {
    const AF_INET: i32 = 1;
    const AF_INET6: i32 = 2;
    const AF_UNIX: i32 = 3;
    const STREAM: i32 = 1;
    const DGRAM: i32 = 2;
    let open = |af, ty| {
        let mut fd = -1;
        // SAFETY: a pointer to a live local.
        rc(unsafe { raw::sock_open(af, ty, 0, &mut fd) })
    };
    say("sock_open_inet4_stream", open(AF_INET, STREAM));
    say("sock_open_inet4_dgram", open(AF_INET, DGRAM));
    say("sock_open_inet6_stream", open(AF_INET6, STREAM));
    say("sock_open_unix_stream", open(AF_UNIX, STREAM));
    let (mut a, mut b) = (-1, -1);
    // SAFETY: pointers to live locals.
    let pair = unsafe { raw::sock_pair(AF_UNIX, STREAM, 0, &mut a, &mut b) };
    say("sock_pair_ipc", rc(pair));
    let target = addr_v4([127, 0, 0, 1], port);
    let any = addr_v4([0, 0, 0, 0], 0);
    // SAFETY: pointers to live locals for each call.
    unsafe {
        say("sock_bind_ip_on_pair", rc(raw::sock_bind(a, any.as_ptr())));
        say(
            "sock_connect_ip_on_pair",
            rc(raw::sock_connect(a, target.as_ptr())),
        );
        let data = *b"x";
        let iov = [data.as_ptr() as usize, 1];
        let mut sent = 0;
        say(
            "sock_send_to_ip_on_pair",
            rc(raw::sock_send_to(a, &iov, 1, 0, target.as_ptr(), &mut sent)),
        );
        let mut out = [0u8; 18 * 4];
        let mut n = 0;
        for (name, host) in [
            ("resolve_localhost", "localhost"),
            ("resolve_ip_literal", "127.0.0.1"),
            ("resolve_name", "example.com"),
        ] {
            say(
                name,
                rc(raw::resolve(
                    host.as_ptr(),
                    host.len(),
                    80,
                    out.as_mut_ptr(),
                    4,
                    &mut n,
                )),
            );
        }
    }
    say(
        "std_tcp_connect",
        res(std::net::TcpStream::connect(("127.0.0.1", port)), none),
    );
    say(
        "std_tcp_listen",
        res(std::net::TcpListener::bind("0.0.0.0:0"), none),
    );
    say(
        "std_udp_bind",
        res(std::net::UdpSocket::bind("127.0.0.1:0"), none),
    );
    say(
        "std_udp_send_to",
        res(
            std::net::UdpSocket::bind("0.0.0.0:0")
                .and_then(|s| s.send_to(b"x", ("127.0.0.1", port))),
            |n| n.to_string(),
        ),
    );
    use std::net::ToSocketAddrs;
    say(
        "std_getaddrinfo",
        res(("localhost", port).to_socket_addrs(), |it| {
            it.count().to_string()
        }),
    );
}

/// A directory listing's names, sorted, as one line.
fn sorted_names(rd: fs::ReadDir) -> String {
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    format!("{names:?}")
}

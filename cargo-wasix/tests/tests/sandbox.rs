//! The escape suite (issue 14): a guest written to break out of the sandbox
//! (`tests/escape`), run through `cargo wasix run-wasm` with three mounts over a temp tree
//! that holds symlinks pointing out of the mounts. Every attempt must give the errno listed
//! in `EXPECTED` (docs/security.md explains each), and the host tree must be unchanged
//! afterwards except for the symlinks the guest may create inside its scratch directory.
//! The guest also spawns itself from `/other/escape.wasm` as a child that repeats the
//! attempts: it must see no more than its parent.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use super::support::{cargo_wasix, fixture, outer_target, output, wasm_path};

/// `attempt: result` for every line the guest prints, in order.
const EXPECTED: &str = r#"fd_guess_filestat: ok [0, 1, 2, 3]
fd_guess_fdstat: ok [0, 1, 2, 3]
fd_guess_read_not_ebadf: ok [3]
fd_guess_prestat: ok [3]
fd_guess_path_open_not_ebadf: ok []
fd_preopen_name: ok "/"
env_names: ok []
env_canary: NotPresent
dotdot_abs: ENOENT
dotdot_sibling: ENOENT
dotdot_host_root: ENOENT
chdir_data: ok
dotdot_rel_cwd: ENOENT
chdir_up: ok
cwd_after_chdir_up: ok /
dotdot_rel_after_chdir: ENOENT
dirfd_dotdot: ENOTCAPABLE
dirfd_dotdot_other_mount: ENOTCAPABLE
dirfd_dotdot_back_in: ENOTCAPABLE
dirfd_absolute: ENOTCAPABLE
dirfd_inside: ok
rootfd_dotdot: ENOENT
mount_via_abs_path: ok "other\n"
abs_etc_passwd: ENOENT
abs_host_path: ENOENT
abs_host_path_of_mount: ENOENT
root_listing: ok ["data", "other", "ro"]
mkdir_in_root: EROFS
create_in_root: EROFS
remove_mount_point: EBUSY
remove_root: EBUSY
host_symlink_rel: EPERM
host_symlink_abs: EPERM
host_symlink_dir: EPERM
host_symlink_deep: EPERM
host_symlink_stat_follow: EPERM
host_symlink_readlink: ok ../outside/secret.txt
host_symlink_dir_create: EPERM
host_symlink_dir_mkdir: EPERM
host_symlink_dir_list: EPERM
host_symlink_chdir: EPERM
host_symlink_truncate: EPERM
guest_symlink_rel_create: ok
guest_symlink_rel_read: EPERM
guest_symlink_abs_create: EPERM
guest_symlink_host_abs_create: EPERM
guest_symlink_dir_create: ok
guest_symlink_dir_write: EPERM
guest_symlink_other_mount_create: ok
guest_symlink_other_mount_read: EPERM
guest_symlink_chain_create: ok
guest_symlink_chain_read: EPERM
guest_symlink_loop_create: ok
guest_symlink_loop_read: ELOOP
guest_symlink_ok_inside: ok "inner\n"
hardlink_across_mounts: EXDEV
hardlink_to_root: EROFS
hardlink_via_symlink_dir: EPERM
hardlink_from_ro: EROFS
hardlink_follow_host_symlink: EPERM
hardlink_follow_guest_symlink: EPERM
hardlink_dirfd_dotdot_source: ENOTCAPABLE
hardlink_dirfd_dotdot_target: ENOTCAPABLE
rename_across_mounts: EXDEV
rename_to_root: EROFS
rename_via_symlink_dir: EPERM
rename_mount_point: EBUSY
rename_over_mount_point: EBUSY
rename_dotdot_abs: ENOENT
rename_dirfd_dotdot: ENOTCAPABLE
ro_read: ok "read only\n"
ro_write: EROFS
ro_append: EROFS
ro_create: EROFS
ro_unlink: EROFS
ro_mkdir: EROFS
ro_rename: EROFS
ro_symlink: EROFS
ro_set_len_via_read_fd: ENOTCAPABLE
ro_set_times: EROFS
proc_self_environ: ENOENT
proc_self_root: ENOENT
proc_self_fd0: ENOENT
proc_1_environ: ENOENT
dev_zero: ENOENT
sys_kernel: ENOENT
proc_self_cwd_link: ENOENT
proc_self_fd_list: ENOENT
path_too_long: ENAMETOOLONG
path_nul_raw: EINVAL
path_bad_utf8_raw: EILSEQ
path_empty_raw: ENOENT
path_nul_std: refused by std
sock_open_inet4_stream: EACCES
sock_open_inet4_dgram: EACCES
sock_open_inet6_stream: EACCES
sock_open_unix_stream: ENOTSUP
sock_pair_ipc: ok
sock_bind_ip_on_pair: EACCES
sock_connect_ip_on_pair: EACCES
sock_send_to_ip_on_pair: EACCES
resolve_localhost: EACCES
resolve_ip_literal: EACCES
resolve_name: EACCES
std_tcp_connect: EACCES
std_tcp_listen: EACCES
std_udp_bind: EACCES
std_udp_send_to: EACCES
std_getaddrinfo: EACCES
parent_fds_while_child_runs: ok [0, 1, 2, 3, 4, 5, 7]
child_fds: ok [0, 1, 2, 3, 4, 5]
child_env: ok ["PASSED=by-parent"]
child_env_canary: NotPresent
child_cwd: ok /data
child_root_listing: ok ["data", "other", "ro"]
child_dotdot_from_cwd: ENOENT
child_host_path: ENOENT
child_etc_passwd: ENOENT
child_host_symlink: EPERM
child_ro_write: EROFS
child_proc_environ: ENOENT
child_sock_open_inet4: EACCES
child_std_tcp_connect: EACCES
child_getaddrinfo: EACCES
child_status: ok Some(0)
spawn_host_sh: ENOENT
spawn_host_sh_via_path: ENOENT
spawn_host_path_of_module: ENOENT
done
"#;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The host tree: `outside/` and `sibling/` (never mounted), `mnt/` at `/data` with
/// symlinks out, `other/` at `/other`, `ro/` read-only at `/ro`.
fn make_tree(root: &Path) {
    let write = |rel: &str, data: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create dirs");
        std::fs::write(path, data).expect("write fixture file");
    };
    write("outside/secret.txt", "host secret\n");
    write("sibling/sib.txt", "sibling\n");
    write("mnt/inner.txt", "inner\n");
    write("other/other.txt", "other\n");
    write("ro/ro.txt", "read only\n");
    std::fs::create_dir(root.join("mnt/scratch")).expect("scratch dir");
    let link = |target: &Path, at: &str| {
        std::os::unix::fs::symlink(target, root.join(at)).expect("create symlink")
    };
    link(Path::new("../outside/secret.txt"), "mnt/link_rel_out");
    link(&root.join("outside/secret.txt"), "mnt/link_abs_out");
    link(Path::new("../outside"), "mnt/link_dir_out");
    link(
        Path::new("../../../../../../../../../../etc/passwd"),
        "mnt/link_deep",
    );
}

/// What the check compares: per path, its kind, size, link count, mode, mtime and content
/// (files) or target (symlinks). Symlinks are never followed.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, String> {
    use std::os::unix::fs::MetadataExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("list the tree") {
            let path = entry.expect("dir entry").path();
            let md = std::fs::symlink_metadata(&path).expect("lstat");
            let what = if md.file_type().is_symlink() {
                format!(
                    "link -> {}",
                    std::fs::read_link(&path).expect("readlink").display()
                )
            } else if md.is_dir() {
                stack.push(path.clone());
                "dir".to_string()
            } else {
                format!("file {:?}", std::fs::read(&path).expect("read"))
            };
            let rel = path.strip_prefix(root).expect("below root").to_path_buf();
            out.insert(
                rel,
                format!(
                    "{what} len={} nlink={} mode={:o} mtime={}.{}",
                    md.len(),
                    md.nlink(),
                    md.mode(),
                    md.mtime(),
                    md.mtime_nsec()
                ),
            );
        }
    }
    out
}

#[test]
fn escape_attempts_all_fail() {
    let dir = fixture("escape");
    let built = output(&mut cargo_wasix(&dir, &["build", "-q"]));
    assert!(built.status.success(), "{}", text(&built.stderr));
    let wasm = wasm_path("debug", "escape");

    let scratch = outer_target().join("tmp");
    std::fs::create_dir_all(&scratch).expect("create target/tmp");
    let tmp = tempfile::tempdir_in(&scratch).expect("temp dir");
    let root = tmp.path().canonicalize().expect("canonical temp dir");
    make_tree(&root);
    // The module the guest spawns as its child, inside a mount.
    std::fs::copy(&wasm, root.join("other/escape.wasm")).expect("copy the module into /other");
    let before = snapshot(&root);

    // A host listener the guest tries to reach without --net: it must see nothing.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a host listener");
    let port = listener.local_addr().expect("listener address").port();

    let mapdir = |guest: &str, host: &str| format!("{guest}:{}", root.join(host).display());
    let volume_ro = format!("{}:/ro:ro", root.join("ro").display());
    let out = output(
        cargo_wasix(
            &dir,
            &[
                "run-wasm",
                "--mapdir",
                &mapdir("/data", "mnt"),
                "--mapdir",
                &mapdir("/other", "other"),
                "--volume",
                &volume_ro,
                wasm.to_str().expect("utf-8 path"),
                "--",
                root.to_str().expect("utf-8 temp path"),
                &port.to_string(),
            ],
        )
        // Host environment the guest must not see (no --env/--forward-env given).
        .env("SANDBOX_CANARY", "leaked-secret")
        .stdin(std::process::Stdio::null()),
    );
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );

    // Compare attempt by attempt so one report lists every difference.
    let got: Vec<&str> = stdout.lines().collect();
    let want: Vec<&str> = EXPECTED.lines().collect();
    let mut diffs = Vec::new();
    for i in 0..got.len().max(want.len()) {
        let (g, w) = (got.get(i).copied(), want.get(i).copied());
        if g != w {
            diffs.push(format!("  want {w:?}\n  got  {g:?}"));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} attempt(s) differ:\n{}\n--- full stdout\n{stdout}",
        diffs.len(),
        diffs.join("\n")
    );
    assert!(!stdout.contains("LEAKED") && !stdout.contains("leaked-secret"));

    listener
        .set_nonblocking(true)
        .expect("nonblocking listener");
    assert!(
        listener.accept().is_err(),
        "the guest reached a host listener without --net"
    );

    // The host tree is unchanged, except for new symlinks inside mnt/scratch.
    let mut after = snapshot(&root);
    let created: Vec<(PathBuf, String)> = after
        .iter()
        .filter(|(p, _)| p.starts_with("mnt/scratch") && !before.contains_key(*p))
        .map(|(p, v)| (p.clone(), v.clone()))
        .collect();
    for (path, what) in &created {
        assert!(
            what.starts_with("link -> "),
            "the guest created a non-symlink {path:?}: {what}"
        );
        after.remove(path);
    }
    // Creating entries in scratch changes the directory's own times and size.
    for key in ["mnt/scratch", "mnt"] {
        after.remove(Path::new(key));
    }
    let mut before = before;
    for key in ["mnt/scratch", "mnt"] {
        before.remove(Path::new(key));
    }
    assert_eq!(before, after, "the host tree changed");
}

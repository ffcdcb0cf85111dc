//! Filesystem: the virtual root, mounts (`--dir`, `--mapdir`, `--volume`, read-only, nested),
//! std::fs round trips, cwd (std's emulation and the WASIX `chdir`/`getcwd`), raw preview-1
//! calls, and escape attempts that must fail.

use std::path::Path;

use crate::harness::*;

/// Runs guest `name` with `opts` before the module and `args` after it.
fn run_fs(name: &str, opts: &[String], args: &[&str]) -> std::process::Output {
    let mut all: Vec<std::ffi::OsString> = opts.iter().map(Into::into).collect();
    all.push(guest(name).into_os_string());
    all.extend(args.iter().map(Into::into));
    run(&all)
}

fn mapdir(guest: &str, host: &Path) -> Vec<String> {
    vec!["--mapdir".into(), format!("{guest}:{}", host.display())]
}

/// Asserts exit 0 and the exact stdout, line by line for a readable diff.
#[track_caller]
fn assert_stdout(o: &std::process::Output, want: &str) {
    assert_code(o, 0);
    let got = stdout(o);
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(
            g,
            w,
            "line {} differs\n--- got:\n{got}--- want:\n{want}",
            i + 1
        );
    }
    assert_eq!(got, want, "--- stderr:\n{}", stderr(o));
}

#[test]
fn std_fs_round_trip_in_a_mount() {
    let host = tempfile::tempdir().unwrap();
    let o = run_fs("fs_basic", &mapdir("/data", host.path()), &["/data"]);
    assert_stdout(
        &o,
        "read=hello world\n\
         tail=WORLD pos=11\n\
         len=5 file=true dir=false\n\
         mtime_ok=true\n\
         old_gone=NotFound/44 new=hello\n\
         sub=b.txt,c.txt,deep\n\
         kinds=b.txt:f,c.txt:f,deep:d\n\
         rmdir_nonempty=Some(55)\n\
         unlink_dir=IsADirectory/31\n\
         mkdir_exists=AlreadyExists/20\n\
         open_missing=NotFound/44\n\
         notdir=NotADirectory/54\n\
         after=0\n",
    );
    // The guest's changes happened on the host directory.
    assert_eq!(std::fs::read_dir(host.path()).unwrap().count(), 0);
}

#[test]
fn std_fs_on_plain_wasip1_module() {
    // Own (non-shared) memory: the same syscalls through the other memory path.
    let host = tempfile::tempdir().unwrap();
    let mut args: Vec<std::ffi::OsString> = mapdir("/data", host.path())
        .into_iter()
        .map(Into::into)
        .collect();
    args.push(guest_p1("fs_basic").into_os_string());
    args.push("/data".into());
    let o = run(&args);
    assert_code(&o, 0);
    assert!(
        stdout(&o).ends_with("notdir=NotADirectory/54\nafter=0\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn dir_mounts_the_host_path_at_the_same_guest_path() {
    let host = tempfile::tempdir().unwrap();
    let path = host.path().to_str().unwrap().to_owned();
    let o = run_fs("fs_basic", &["--dir".into(), path.clone()], &[&path]);
    assert_code(&o, 0);
    assert!(
        stdout(&o).starts_with("read=hello world\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn cwd_std_emulation_and_wasix_calls() {
    let host = tempfile::tempdir().unwrap();
    let o = run_fs("fs_cwd", &mapdir("/data", host.path()), &[]);
    assert_stdout(
        &o,
        "initial rc=0 cwd=/\n\
         abs=relative\n\
         std_cwd=/data/sub\n\
         up=relative\n\
         set_missing=NotFound/44\n\
         chdir_sub=0\n\
         cwd=/data/sub\n\
         chdir_up=0\n\
         cwd=/data\n\
         chdir_rel=0\n\
         cwd=/data/sub\n\
         chdir_file=54\n\
         chdir_missing=44\n\
         chdir_escape=0\n\
         cwd=/\n\
         small rc=68 needed=10\n\
         exact rc=0 len=9 cwd=/data/sub\n",
    );
    assert_eq!(
        std::fs::read_to_string(host.path().join("rel.txt")).unwrap(),
        "relative"
    );
}

#[test]
fn initial_cwd_comes_from_the_cwd_option() {
    let host = tempfile::tempdir().unwrap();
    let mut opts = mapdir("/data", host.path());
    opts.extend(["--cwd".into(), "/data".into()]);
    let o = run_fs("fs_cwd", &opts, &[]);
    assert_code(&o, 0);
    assert!(
        stdout(&o).starts_with("initial rc=0 cwd=/data\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn escapes_fail() {
    let outer = tempfile::tempdir().unwrap();
    let mount = outer.path().join("mount");
    std::fs::create_dir(&mount).unwrap();
    let secret = outer.path().join("secret.txt");
    std::fs::write(&secret, b"do not read").unwrap();
    std::os::unix::fs::symlink("../secret.txt", mount.join("out-rel")).unwrap();
    std::os::unix::fs::symlink(&secret, mount.join("out-abs")).unwrap();
    let o = run_fs("fs_escape", &mapdir("/data", &mount), &[]);
    assert_stdout(
        &o,
        "read /data/../secret.txt: NotFound/44\n\
         read /data/../../../../secret.txt: NotFound/44\n\
         read /secret.txt: NotFound/44\n\
         read /etc/passwd: NotFound/44\n\
         read /data/out-rel: PermissionDenied/63\n\
         read /data/out-abs: PermissionDenied/63\n\
         read /data/sub/../../secret.txt: NotFound/44\n\
         read ../../secret.txt: NotFound/44\n\
         symlink to absolute: 63\n\
         root=data\n\
         write /x: ReadOnlyFilesystem/69\n\
         mkdir /y: ReadOnlyFilesystem/69\n",
    );
    assert!(!mount.join("evil").exists());
    assert_eq!(std::fs::read(&secret).unwrap(), b"do not read");
}

#[test]
fn read_only_volume_refuses_writes() {
    let host = tempfile::tempdir().unwrap();
    std::fs::write(host.path().join("ro.txt"), b"kept").unwrap();
    let opts = vec![
        "--volume".into(),
        format!("{}:/ro:ro", host.path().display()),
    ];
    let o = run_fs("fs_readonly", &opts, &[]);
    assert_stdout(
        &o,
        "read=kept\n\
         create=ReadOnlyFilesystem/69\n\
         open_rw=ReadOnlyFilesystem/69\n\
         append=ReadOnlyFilesystem/69\n\
         remove=ReadOnlyFilesystem/69\n\
         mkdir=ReadOnlyFilesystem/69\n\
         rename=ReadOnlyFilesystem/69\n\
         still=kept\n",
    );
    let mut names: Vec<_> = std::fs::read_dir(host.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["ro.txt"]);
}

#[test]
fn mapdir_at_a_nested_guest_path() {
    let host = tempfile::tempdir().unwrap();
    std::fs::write(host.path().join("f.txt"), b"nested").unwrap();
    let o = run_fs("fs_nested", &mapdir("/a/b/c", host.path()), &[]);
    assert_stdout(
        &o,
        "/=a\n\
         /a=b\n\
         /a/b=c\n\
         /a/b is_dir=true\n\
         f=nested\n\
         /a/b/c=f.txt,g.txt\n\
         write /a/x=ReadOnlyFilesystem/69\n\
         mkdir /a/b/new=ReadOnlyFilesystem/69\n\
         rmdir mount=ResourceBusy/10\n\
         missing=NotFound/44\n",
    );
    assert_eq!(std::fs::read(host.path().join("g.txt")).unwrap(), b"g");
}

#[test]
fn raw_preopen_open2_readdir_pread_readlink() {
    let host = tempfile::tempdir().unwrap();
    let o = run_fs("fs_raw", &mapdir("/data", host.path()), &[]);
    assert_stdout(
        &o,
        "prestat3 rc=0 tag=0 len=1\n\
         name rc=0 name=/\n\
         prestat4 rc=8\n\
         open2 rc=0 cloexec_rc=0 flags=1\n\
         pwrite rc=0 n=10\n\
         pread rc=0\n\
         pread n=4 data=3456\n\
         tell rc=0 pos=0\n\
         seek_bad_whence=28\n\
         seek_negative=28\n\
         seek_end rc=0 pos=8\n\
         fstat rc=0 type=4 size=10\n\
         seek_pipe=70\n\
         first=.,..\n\
         entries=7 rest=alpha,beta,delta-long-name,e,gamma\n\
         symlink=0\n\
         readlink rc=0 n=4 text=list\n\
         lstat rc=0 type=7\n\
         stat rc=0 type=4\n\
         via_link=alpha\n\
         root rc=0 type=3\n",
    );
    assert_eq!(
        std::fs::read_link(host.path().join("lnk")).unwrap(),
        Path::new("list/alpha")
    );
}

/// Runs the plain wasm32-wasip1 build of guest `name` with `opts` before the module.
fn run_fs_p1(name: &str, opts: &[String], args: &[&str]) -> std::process::Output {
    let mut all: Vec<std::ffi::OsString> = opts.iter().map(Into::into).collect();
    all.push(guest_p1(name).into_os_string());
    all.extend(args.iter().map(Into::into));
    run(&all)
}

#[test]
fn preview1_rights_and_capabilities_are_enforced() {
    // The rules wasi-testsuite checks (docs/wasi-testsuite.md), for a module that imports
    // preview 1 only: directory fds hold no fd_seek, set_rights narrows and is enforced,
    // paths cannot leave a directory fd, O_DIRECTORY with write access is EISDIR, O_TRUNC
    // needs path_filestat_set_size, fd_renumber needs an open target.
    let want = "root: seek=false readdir=true inherits write=true\n\
                dir: seek=false readdir=true seek_errno=76\n\
                dir rw open: Err(31)\n\
                dotdot: Err(76)\n\
                absolute: Err(76)\n\
                inside: Ok(\"ok\")\n\
                file: read=true write=true tell=false\n\
                write=0 narrow=0 write=76 read=76 widen=76\n\
                trunc: Ok(\"ok\")\n\
                drop=0 trunc: Err(76)\n\
                renumber open=0\n\
                renumber closed=8\n";
    type Runner = fn(&str, &[String], &[&str]) -> std::process::Output;
    let runs: [(&str, Runner); 2] = [("threads", run_fs), ("plain", run_fs_p1)];
    for (build, run_build) in runs {
        let host = tempfile::tempdir().unwrap();
        let o = run_build("fs_rights", &mapdir("/data", host.path()), &[]);
        assert_eq!(stdout(&o), want, "{build} build; stderr:\n{}", stderr(&o));
    }
}

#[test]
fn preview1_module_without_mounts_has_no_preopen() {
    // Like a preview-1 host given no directory: fd 3 is not open (wasi-testsuite's
    // sock_shutdown-invalid_fd). A WASIX module keeps the virtual root there
    // (`wasix_process_local_calls` sees its pipe at fds 4 and 5).
    let o = run_fs_p1("fs_rights", &[], &["unmounted"]);
    assert_stdout(&o, "prestat3=8\nshutdown3=8\n");
    let host = tempfile::tempdir().unwrap();
    let o = run_fs_p1("fs_rights", &mapdir("/data", host.path()), &["unmounted"]);
    assert_stdout(&o, "prestat3=0\nshutdown3=57\n");
}

#[test]
fn missing_mount_directory_is_a_clear_error() {
    let o = run_fs(
        "fs_basic",
        &mapdir("/data", Path::new("/definitely/not/here")),
        &["/data"],
    );
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("/definitely/not/here") && err.contains("help:"),
        "{err}"
    );
}

#[test]
fn cwd_outside_the_guest_filesystem_is_a_clear_error() {
    let host = tempfile::tempdir().unwrap();
    let mut opts = mapdir("/data", host.path());
    opts.extend(["--cwd".into(), "/elsewhere".into()]);
    let o = run_fs("fs_cwd", &opts, &[]);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("--cwd `/elsewhere`") && err.contains("help:"),
        "{err}"
    );
}

/// The filesystem calls under `wasix_64v1`: 64-bit pointers, iovecs (16 bytes), sizes and
/// out-lengths (a hand-written module: no wasm64 Rust target is installed).
#[test]
fn wasix_64v1_file_calls() {
    let host = tempfile::tempdir().unwrap();
    let wat = r#"(module
      (import "wasix_64v1" "path_open" (func $open (param i32 i32 i64 i64 i32 i64 i64 i32 i64) (result i32)))
      (import "wasix_64v1" "fd_pwrite" (func $pwrite (param i32 i64 i64 i64 i64) (result i32)))
      (import "wasix_64v1" "fd_pread" (func $pread (param i32 i64 i64 i64 i64) (result i32)))
      (import "wasix_64v1" "fd_write" (func $write (param i32 i64 i64 i64) (result i32)))
      (import "wasix_64v1" "chdir" (func $chdir (param i64 i64) (result i32)))
      (import "wasix_64v1" "getcwd" (func $getcwd (param i64 i64) (result i32)))
      (import "wasix_64v1" "fd_readdir" (func $readdir (param i32 i64 i64 i64 i64) (result i32)))
      (import "wasix_64v1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") i64 1)
      (data (i64.const 100) "data/f.txt")
      (data (i64.const 120) "wasm64 file\n")
      (data (i64.const 300) "/data")
      (data (i64.const 460) "\n")
      (func $print (param $at i64) (param $len i64)
        (i64.store (i64.const 0) (local.get $at))
        (i64.store (i64.const 8) (local.get $len))
        (drop (call $write (i32.const 1) (i64.const 0) (i64.const 1) (i64.const 40))))
      (func (export "_start") (local $rc i32) (local $fd i32)
        ;; create /data/f.txt relative to the root preopen
        (local.set $rc (call $open (i32.const 3) (i32.const 1) (i64.const 100) (i64.const 10)
          (i32.const 1) (i64.const -1) (i64.const -1) (i32.const 0) (i64.const 32)))
        (local.set $fd (i32.load (i64.const 32)))
        (i64.store (i64.const 16) (i64.const 120))
        (i64.store (i64.const 24) (i64.const 12))
        (local.set $rc (i32.add (local.get $rc)
          (call $pwrite (local.get $fd) (i64.const 16) (i64.const 1) (i64.const 0) (i64.const 40))))
        (i64.store (i64.const 16) (i64.const 200))
        (local.set $rc (i32.add (local.get $rc)
          (call $pread (local.get $fd) (i64.const 16) (i64.const 1) (i64.const 0) (i64.const 40))))
        (call $print (i64.const 200) (i64.load (i64.const 40)))
        ;; chdir + getcwd with an 8-byte in/out length
        (local.set $rc (i32.add (local.get $rc) (call $chdir (i64.const 300) (i64.const 5))))
        (i64.store (i64.const 48) (i64.const 64))
        (local.set $rc (i32.add (local.get $rc) (call $getcwd (i64.const 400) (i64.const 48))))
        (call $print (i64.const 400) (i64.load (i64.const 48)))
        (call $print (i64.const 460) (i64.const 1))
        ;; readdir of the root with an 8-byte bufused
        (local.set $rc (i32.add (local.get $rc)
          (call $readdir (i32.const 3) (i64.const 1000) (i64.const 256) (i64.const 0) (i64.const 56))))
        (if (i64.eqz (i64.load (i64.const 56))) (then (local.set $rc (i32.add (local.get $rc) (i32.const 100)))))
        (call $exit (local.get $rc))))"#;
    let module = host.path().join("fs64.wat");
    std::fs::write(&module, wat).unwrap();
    let data = host.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut args: Vec<std::ffi::OsString> =
        mapdir("/data", &data).into_iter().map(Into::into).collect();
    args.push(module.into_os_string());
    let o = run(&args);
    assert_stdout(&o, "wasm64 file\n/data\n");
    assert_eq!(std::fs::read(data.join("f.txt")).unwrap(), b"wasm64 file\n");
}

#[test]
fn threads_share_files_and_the_fd_table() {
    let host = tempfile::tempdir().unwrap();
    let o = run_fs("fs_threads", &mapdir("/data", host.path()), &[]);
    assert_stdout(
        &o,
        "log lines per thread=[50, 50, 50, 50]\nown=0:49,1:49,2:49,3:49\n",
    );
}

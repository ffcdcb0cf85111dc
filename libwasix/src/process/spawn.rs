//! `posix_spawn`/`posix_spawnp` over `proc_spawn2`, with `posix_spawn_file_actions_*` and
//! `posix_spawnattr_*` on the musl layouts of the libc overlay.
//!
//! File actions are a malloc'd singly linked list in `__actions`, in the order added; paths are
//! copied. Errors are returned as error numbers (posix_spawn does not set errno). What WASIX
//! cannot do (process groups, sessions, ids, scheduling, a non-empty signal mask) is `ENOTSUP`.
//! `addopen`'s `mode` is ignored: WASIX files have no permission bits.

use core::ffi::{CStr, c_char, c_int, c_short, c_void};
use core::ptr;

use libc::{mode_t, pid_t, posix_spawn_file_actions_t, posix_spawnattr_t, sigset_t};

use super::encode::{self, FdOp};
use crate::abi::Errno;
use crate::cbuf::CBuf;
use crate::{errno, sys};

crate::same_signature_as_libc!(
    posix_spawn,
    posix_spawnp,
    posix_spawn_file_actions_init,
    posix_spawn_file_actions_destroy,
    posix_spawn_file_actions_adddup2,
    posix_spawn_file_actions_addclose,
    posix_spawn_file_actions_addopen,
    posix_spawn_file_actions_addchdir_np,
    posix_spawn_file_actions_addfchdir_np,
    posix_spawnattr_init,
    posix_spawnattr_destroy,
    posix_spawnattr_getflags,
    posix_spawnattr_setflags,
    posix_spawnattr_getpgroup,
    posix_spawnattr_setpgroup,
    posix_spawnattr_getsigdefault,
    posix_spawnattr_setsigdefault,
    posix_spawnattr_getsigmask,
    posix_spawnattr_setsigmask,
);

/// musl's `posix_spawnattr_t` with WASIX's 8-byte sigsets.
#[repr(C)]
struct Attr {
    flags: c_int,
    pgrp: pid_t,
    def: [u32; 2],
    mask: [u32; 2],
    prio: c_int,
    pol: c_int,
    func: *mut c_void,
    pad: [u8; 60],
}

/// musl's `posix_spawn_file_actions_t`.
#[repr(C)]
struct Actions {
    pad0: [c_int; 2],
    head: *mut Action,
    pad: [c_int; 16],
}

/// One recorded action; `path` is its own malloc'd copy (null when the action has none).
struct Action {
    next: *mut Action,
    op: FdOp,
    path: *mut u8,
}

const _: () = {
    assert!(size_of::<Attr>() == size_of::<posix_spawnattr_t>());
    assert!(align_of::<Attr>() == align_of::<posix_spawnattr_t>());
    assert!(core::mem::offset_of!(Attr, def) == 8 && core::mem::offset_of!(Attr, mask) == 16);
    assert!(size_of::<Actions>() == size_of::<posix_spawn_file_actions_t>());
};

/// Iterates a NULL-terminated array of C strings (none when `arr` is null).
///
/// # Safety
/// `arr` must be null or a NULL-terminated array of NUL-terminated strings that outlive `'a`.
unsafe fn c_strings<'a>(arr: *const *mut c_char) -> impl Iterator<Item = &'a [u8]> + Clone {
    (0..)
        // SAFETY: entries up to the terminating NULL are readable (caller contract).
        .map(move |i| {
            if arr.is_null() {
                ptr::null_mut()
            } else {
                unsafe { *arr.add(i) }
            }
        })
        .take_while(|p| !p.is_null())
        // SAFETY: each entry is a NUL-terminated string (caller contract).
        .map(|p| unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// Builds a `\n`-terminated list in a malloc'd buffer.
fn list<'a>(entries: impl Iterator<Item = &'a [u8]> + Clone) -> Result<(CBuf, usize), Errno> {
    let len = encode::list_len(entries.clone())?;
    let mut buf = CBuf::new(len)?;
    encode::write_list(entries, buf.bytes())?;
    Ok((buf, len))
}

#[allow(clippy::too_many_arguments)]
unsafe fn spawn(
    pid: *mut pid_t,
    name: *const c_char,
    actions: *const posix_spawn_file_actions_t,
    attr: *const posix_spawnattr_t,
    argv: *const *mut c_char,
    envp: *const *mut c_char,
    search_path: bool,
) -> Result<(), Errno> {
    if name.is_null() {
        return Err(Errno::FAULT);
    }
    // SAFETY: a non-null `attr` was set up by `posix_spawnattr_init`.
    let (flags, def, mask) = match unsafe { attr.cast::<Attr>().as_ref() } {
        Some(a) => (a.flags, bits(a.def), bits(a.mask)),
        None => (0, 0, 0),
    };
    encode::check_spawn_flags(flags)?;
    encode::check_sigmask(flags, mask)?;
    // SAFETY: POSIX contract for `argv`/`envp`; a null `envp` means an empty environment.
    let (args, args_len) = list(unsafe { c_strings(argv) })?;
    let (envs, envs_len) = list(unsafe { c_strings(envp) })?;

    // SAFETY: a non-null `actions` was set up by `posix_spawn_file_actions_init`.
    let head = unsafe { actions.cast::<Actions>().as_ref() }.map_or(ptr::null_mut(), |a| a.head);
    let walk = || {
        // SAFETY: the list is made of live `Action` nodes ending in null.
        core::iter::successors(unsafe { head.as_ref() }, |a| unsafe { a.next.as_ref() })
    };
    let count = walk().count();
    let words_per_op = encode::FD_OP.size / 8;
    let ops = CBuf::new(count * encode::FD_OP.size)?;
    // SAFETY: malloc memory is 8-aligned and holds `count * FD_OP.size` bytes.
    let words = unsafe {
        core::slice::from_raw_parts_mut(ops.as_ptr().cast::<u64>(), count * words_per_op)
    };
    for (chunk, a) in words.chunks_exact_mut(words_per_op).zip(walk()) {
        let rec = encode::encode_fd_op(&a.op);
        for (w, b) in chunk
            .iter_mut()
            .zip(rec[..encode::FD_OP.size].chunks_exact(8))
        {
            *w = u64::from_ne_bytes(b.try_into().unwrap_or([0; 8]));
        }
    }

    let mut signals = [[0u8; 2]; 64];
    let mut nsig = 0;
    for (slot, rec) in signals
        .iter_mut()
        .zip(encode::sigdefault_records(flags, def))
    {
        *slot = rec;
        nsig += 1;
    }

    let path: &[u8] = if search_path {
        // SAFETY: `getenv` returns null or a NUL-terminated string.
        let p = unsafe { libc::getenv(c"PATH".as_ptr()) };
        if p.is_null() {
            b""
        } else {
            unsafe { CStr::from_ptr(p) }.to_bytes()
        }
    } else {
        b""
    };
    // SAFETY: `name` is non-null and NUL-terminated (POSIX contract); the buffers are live.
    let child = sys::proc_spawn2(&sys::Spawn {
        name: unsafe { CStr::from_ptr(name) }.to_bytes(),
        args: unsafe { core::slice::from_raw_parts(args.as_ptr(), args_len) },
        envs: unsafe { core::slice::from_raw_parts(envs.as_ptr(), envs_len) },
        fd_ops: words,
        fd_ops_count: count,
        signals: &signals[..nsig],
        search_path,
        path,
    })?;
    if !pid.is_null() {
        // SAFETY: a non-null `pid` is writable.
        unsafe { pid.write(child) };
    }
    Ok(())
}

/// Similar to `posix_spawn` in POSIX: `path` is used as given.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn(
    pid: *mut pid_t,
    path: *const c_char,
    actions: *const posix_spawn_file_actions_t,
    attr: *const posix_spawnattr_t,
    argv: *const *mut c_char,
    envp: *const *mut c_char,
) -> c_int {
    // SAFETY: forwarded caller contract.
    errno::code(unsafe { spawn(pid, path, actions, attr, argv, envp, false) })
}

/// Similar to `posix_spawnp` in POSIX: the host searches `file` in `$PATH`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnp(
    pid: *mut pid_t,
    file: *const c_char,
    actions: *const posix_spawn_file_actions_t,
    attr: *const posix_spawnattr_t,
    argv: *const *mut c_char,
    envp: *const *mut c_char,
) -> c_int {
    // SAFETY: forwarded caller contract.
    errno::code(unsafe { spawn(pid, file, actions, attr, argv, envp, true) })
}

/// Appends an action (with an optional path copy) to the list.
///
/// # Safety
/// `fa` must be null or initialised by `posix_spawn_file_actions_init`; `path` null or a
/// NUL-terminated string.
unsafe fn push(
    fa: *mut posix_spawn_file_actions_t,
    op: FdOp,
    path: *const c_char,
) -> Result<(), Errno> {
    // SAFETY: caller contract.
    let fa = unsafe { fa.cast::<Actions>().as_mut() }.ok_or(Errno::INVAL)?;
    let (copy, len) = if path.is_null() {
        (ptr::null_mut(), 0)
    } else {
        // SAFETY: NUL-terminated (caller contract).
        let bytes = unsafe { CStr::from_ptr(path) }.to_bytes();
        let mut buf = CBuf::new(bytes.len())?;
        buf.bytes().copy_from_slice(bytes);
        (buf.into_raw(), bytes.len())
    };
    // Guest pointers and lengths, widened; the record keeps this target's pointer width.
    let (p, l) = (copy as usize as u64, len as u64);
    let op = match op {
        FdOp::Open { fd, oflag, .. } => FdOp::Open {
            fd,
            path: p,
            path_len: l,
            oflag,
        },
        FdOp::Chdir { .. } => FdOp::Chdir {
            path: p,
            path_len: l,
        },
        other => other,
    };
    // SAFETY: plain allocation, checked below.
    let node = unsafe { libc::malloc(size_of::<Action>()) }.cast::<Action>();
    if node.is_null() {
        // SAFETY: `copy` is null or our malloc'd copy.
        unsafe { libc::free(copy.cast()) };
        return Err(Errno::NOMEM);
    }
    // SAFETY: `node` is fresh; the list is made of live nodes ending in null.
    unsafe {
        node.write(Action {
            next: ptr::null_mut(),
            op,
            path: copy,
        });
        let mut tail = &mut fa.head;
        while let Some(n) = tail.as_mut() {
            tail = &mut n.next;
        }
        *tail = node;
    }
    Ok(())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_init(
    fa: *mut posix_spawn_file_actions_t,
) -> c_int {
    if fa.is_null() {
        return Errno::INVAL.raw();
    }
    // SAFETY: `fa` points to a (possibly uninitialised) file-actions object.
    unsafe {
        fa.cast::<Actions>().write(Actions {
            pad0: [0; 2],
            head: ptr::null_mut(),
            pad: [0; 16],
        })
    };
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_destroy(
    fa: *mut posix_spawn_file_actions_t,
) -> c_int {
    // SAFETY: `fa` was initialised by `posix_spawn_file_actions_init`.
    let Some(fa) = (unsafe { fa.cast::<Actions>().as_mut() }) else {
        return Errno::INVAL.raw();
    };
    let mut n = core::mem::take(&mut fa.head);
    while !n.is_null() {
        // SAFETY: each node and its path were malloc'd by `push` and are freed once.
        unsafe {
            let next = (*n).next;
            libc::free((*n).path.cast());
            libc::free(n.cast());
            n = next;
        }
    }
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_adddup2(
    fa: *mut posix_spawn_file_actions_t,
    fd: c_int,
    newfd: c_int,
) -> c_int {
    if fd < 0 || newfd < 0 {
        return Errno::BADF.raw();
    }
    // SAFETY: forwarded caller contract.
    errno::code(unsafe { push(fa, FdOp::Dup2 { src: fd, fd: newfd }, ptr::null()) })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_addclose(
    fa: *mut posix_spawn_file_actions_t,
    fd: c_int,
) -> c_int {
    if fd < 0 {
        return Errno::BADF.raw();
    }
    // SAFETY: forwarded caller contract.
    errno::code(unsafe { push(fa, FdOp::Close { fd }, ptr::null()) })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_addopen(
    fa: *mut posix_spawn_file_actions_t,
    fd: c_int,
    path: *const c_char,
    oflag: c_int,
    _mode: mode_t,
) -> c_int {
    if fd < 0 {
        return Errno::BADF.raw();
    }
    if path.is_null() {
        return Errno::FAULT.raw();
    }
    // SAFETY: forwarded caller contract.
    errno::code(unsafe {
        push(
            fa,
            FdOp::Open {
                fd,
                path: 0,
                path_len: 0,
                oflag,
            },
            path,
        )
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_addchdir_np(
    fa: *mut posix_spawn_file_actions_t,
    path: *const c_char,
) -> c_int {
    if path.is_null() {
        return Errno::FAULT.raw();
    }
    // SAFETY: forwarded caller contract.
    errno::code(unsafe {
        push(
            fa,
            FdOp::Chdir {
                path: 0,
                path_len: 0,
            },
            path,
        )
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_addfchdir_np(
    fa: *mut posix_spawn_file_actions_t,
    fd: c_int,
) -> c_int {
    if fd < 0 {
        return Errno::BADF.raw();
    }
    // SAFETY: forwarded caller contract.
    errno::code(unsafe { push(fa, FdOp::Fchdir { fd }, ptr::null()) })
}

/// Runs `f` on an initialised attribute object (`EINVAL` for null).
///
/// # Safety
/// A non-null `attr` must point to a `posix_spawnattr_t` (initialised unless `f` only writes).
unsafe fn with_attr(
    attr: *mut posix_spawnattr_t,
    f: impl FnOnce(&mut Attr) -> Result<(), Errno>,
) -> c_int {
    // SAFETY: caller contract.
    match unsafe { attr.cast::<Attr>().as_mut() } {
        Some(a) => errno::code(f(a)),
        None => Errno::INVAL.raw(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnattr_init(attr: *mut posix_spawnattr_t) -> c_int {
    if attr.is_null() {
        return Errno::INVAL.raw();
    }
    // SAFETY: `attr` points to a (possibly uninitialised) attribute object.
    unsafe {
        attr.cast::<Attr>().write(Attr {
            flags: 0,
            pgrp: 0,
            def: [0; 2],
            mask: [0; 2],
            prio: 0,
            pol: 0,
            func: ptr::null_mut(),
            pad: [0; 60],
        })
    };
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnattr_destroy(attr: *mut posix_spawnattr_t) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { with_attr(attr, |_| Ok(())) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnattr_setflags(
    attr: *mut posix_spawnattr_t,
    flags: c_short,
) -> c_int {
    let all = 0xff;
    // SAFETY: forwarded caller contract.
    unsafe {
        with_attr(attr, |a| {
            if c_int::from(flags) & !all != 0 {
                return Err(Errno::INVAL);
            }
            a.flags = c_int::from(flags);
            Ok(())
        })
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnattr_getflags(
    attr: *const posix_spawnattr_t,
    flags: *mut c_short,
) -> c_int {
    // SAFETY: forwarded caller contract; `flags` is writable.
    unsafe { with_attr(attr.cast_mut(), |a| out(flags, a.flags as c_short)) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnattr_setpgroup(
    attr: *mut posix_spawnattr_t,
    pgroup: pid_t,
) -> c_int {
    // Recorded; `POSIX_SPAWN_SETPGROUP` itself is refused at spawn time.
    // SAFETY: forwarded caller contract.
    unsafe {
        with_attr(attr, |a| {
            a.pgrp = pgroup;
            Ok(())
        })
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnattr_getpgroup(
    attr: *const posix_spawnattr_t,
    pgroup: *mut pid_t,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { with_attr(attr.cast_mut(), |a| out(pgroup, a.pgrp)) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnattr_setsigdefault(
    attr: *mut posix_spawnattr_t,
    set: *const sigset_t,
) -> c_int {
    // SAFETY: forwarded caller contract; `set` is a readable sigset.
    unsafe { with_attr(attr, |a| read_set(set).map(|s| a.def = s)) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnattr_getsigdefault(
    attr: *const posix_spawnattr_t,
    set: *mut sigset_t,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { with_attr(attr.cast_mut(), |a| out(set.cast::<[u32; 2]>(), a.def)) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnattr_setsigmask(
    attr: *mut posix_spawnattr_t,
    set: *const sigset_t,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { with_attr(attr, |a| read_set(set).map(|s| a.mask = s)) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnattr_getsigmask(
    attr: *const posix_spawnattr_t,
    set: *mut sigset_t,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { with_attr(attr.cast_mut(), |a| out(set.cast::<[u32; 2]>(), a.mask)) }
}

/// Writes `v` to a caller out-pointer (`EINVAL` for null). Unaligned: a `sigset_t` is only
/// 4-aligned.
fn out<T>(p: *mut T, v: T) -> Result<(), Errno> {
    if p.is_null() {
        return Err(Errno::INVAL);
    }
    // SAFETY: non-null out-pointer supplied by the caller for exactly this value.
    unsafe { p.write_unaligned(v) };
    Ok(())
}

/// Reads a caller's `sigset_t` words (`EINVAL` for null).
fn read_set(set: *const sigset_t) -> Result<[u32; 2], Errno> {
    if set.is_null() {
        return Err(Errno::INVAL);
    }
    // SAFETY: a non-null `set` points to an 8-byte `sigset_t` (two native u32 words).
    Ok(unsafe { set.cast::<[u32; 2]>().read_unaligned() })
}

/// A sigset's words as 64 bits (bit n-1 = signal n).
fn bits(w: [u32; 2]) -> u64 {
    u64::from(w[0]) | (u64::from(w[1]) << 32)
}

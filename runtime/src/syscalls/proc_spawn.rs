//! Child processes: `proc_spawn2` (posix_spawn), `proc_join` (waitpid), and `proc_exec`,
//! `proc_exec2`, `proc_exec3` (execve). The work is in `crate::proc`; this file decodes the
//! guest's arguments. The older `proc_spawn` (stdio modes, preopens) and `proc_fork` are not
//! provided: they answer ENOSYS through the linker's named stubs.

use wasmtime::{Caller, Linker};

use crate::abi::Errno;
use crate::mem::{GuestMemory, MemSize, offset_by};
use crate::proc::exec;
use crate::proc::fdops::{self, FdOp};
use crate::proc::spawn::{SpawnRequest, spawn};
use crate::proc::status::{ExitStatus, JOIN_STATUS_SIZE, encode_join_status};
use crate::proc::table::Joined;
use crate::syscalls::thread::restartable;
use crate::syscalls::{errno, ptr};
use crate::thread::{ThreadCtx, split};

type Ctx<'a> = Caller<'a, ThreadCtx>;

/// Most file actions / signal dispositions one spawn may carry (bounds host allocations).
const MAX_FD_OPS: u64 = 4096;
const MAX_SIGNALS: u64 = 256;

/// `join_flags::NON_BLOCKING` (WNOHANG).
const JOIN_NON_BLOCKING: u32 = 1;
/// `option_pid`: tag u8 @0, pid u32 @4.
const OPTION_PID_VALUE: u64 = 4;
/// `disposition::IGNORE`.
const DISPOSITION_IGNORE: u8 = 1;

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    if module == crate::loader::PREVIEW1 {
        return Ok(());
    }
    linker.func_wrap(module, "proc_spawn2", proc_spawn2::<M>)?;
    linker.func_wrap(module, "proc_join", proc_join::<M>)?;
    linker.func_wrap(
        module,
        "proc_exec3",
        |mut c: Ctx<'_>,
         name: M::Offset,
         name_len: M::Offset,
         args: M::Offset,
         args_len: M::Offset,
         envs: M::Offset,
         envs_len: M::Offset,
         search: i32,
         path: M::Offset,
         path_len: M::Offset|
         -> wasmtime::Result<i32> {
            let (mem, ctx) = split(&mut c);
            let r = (|| {
                let (name, args, env) = read_exec(
                    &mem,
                    (ptr::<M>(name), ptr::<M>(name_len)),
                    (ptr::<M>(args), ptr::<M>(args_len)),
                    Some((ptr::<M>(envs), ptr::<M>(envs_len))),
                )?;
                let path = mem.read_str(ptr::<M>(path), ptr::<M>(path_len))?;
                let search = (search != 0).then_some(path.as_str());
                exec::prepare(ctx, &name, args, env, search, "proc_exec3")
            })();
            match r {
                Ok(image) => Err(wasmtime::Error::new(image)),
                Err(e) => Ok(e.raw()),
            }
        },
    )?;
    linker.func_wrap(
        module,
        "proc_exec2",
        |mut c: Ctx<'_>,
         name: M::Offset,
         name_len: M::Offset,
         args: M::Offset,
         args_len: M::Offset,
         envs: M::Offset,
         envs_len: M::Offset|
         -> wasmtime::Result<()> {
            let (mem, ctx) = split(&mut c);
            let r = read_exec(
                &mem,
                (ptr::<M>(name), ptr::<M>(name_len)),
                (ptr::<M>(args), ptr::<M>(args_len)),
                Some((ptr::<M>(envs), ptr::<M>(envs_len))),
            )
            .and_then(|(name, args, env)| exec::prepare(ctx, &name, args, env, None, "proc_exec2"));
            Err(exec_or_fail(c.data(), r, "proc_exec2"))
        },
    )?;
    linker.func_wrap(
        module,
        "proc_exec",
        |mut c: Ctx<'_>,
         name: M::Offset,
         name_len: M::Offset,
         args: M::Offset,
         args_len: M::Offset|
         -> wasmtime::Result<()> {
            let (mem, ctx) = split(&mut c);
            let r = read_exec(
                &mem,
                (ptr::<M>(name), ptr::<M>(name_len)),
                (ptr::<M>(args), ptr::<M>(args_len)),
                None,
            )
            .and_then(|(name, args, env)| exec::prepare(ctx, &name, args, env, None, "proc_exec"));
            Err(exec_or_fail(c.data(), r, "proc_exec"))
        },
    )?;
    Ok(())
}

/// What every exec call reads from the guest: the program name, its argument list and (for
/// the calls that take one) the environment list; each as a `(pointer, length)` pair.
type ExecArgs = (String, Vec<String>, Option<Vec<(String, String)>>);

fn read_exec(
    mem: &GuestMemory<'_>,
    name: (u64, u64),
    args: (u64, u64),
    envs: Option<(u64, u64)>,
) -> Result<ExecArgs, Errno> {
    let name = mem.read_str(name.0, name.1)?;
    let args = read_list(mem, args.0, args.1)?;
    let env = match envs {
        Some((at, len)) => read_env_opt(mem, at, len)?,
        None => None,
    };
    Ok((name, args, env))
}

/// For the exec calls that cannot return an errno: a failure ends the process with 127, the
/// code a shell uses for a program it cannot run.
fn exec_or_fail(ctx: &ThreadCtx, r: Result<exec::ExecImage, Errno>, call: &str) -> wasmtime::Error {
    match r {
        Ok(image) => wasmtime::Error::new(image),
        Err(e) => {
            crate::diag!(
                "error: {call} failed ({e:?}); it cannot return, so the process exits with 127"
            );
            crate::syscalls::proc::end(ctx, ExitStatus::Code(127))
        }
    }
}

/// `proc_spawn2(name, args, envs, fd_ops, signal_dispositions, search_path, path, ret_pid)`:
/// starts a child process. Similar to `posix_spawn` in POSIX.
#[allow(clippy::too_many_arguments)]
fn proc_spawn2<M: MemSize>(
    mut c: Ctx<'_>,
    name: M::Offset,
    name_len: M::Offset,
    args: M::Offset,
    args_len: M::Offset,
    envs: M::Offset,
    envs_len: M::Offset,
    fd_ops: M::Offset,
    fd_ops_len: M::Offset,
    sigs: M::Offset,
    sigs_len: M::Offset,
    search_path: i32,
    path: M::Offset,
    path_len: M::Offset,
    ret: M::Offset,
) -> i32 {
    let (mem, ctx) = split(&mut c);
    errno((|| {
        let req = SpawnRequest {
            name: mem.read_str(ptr::<M>(name), ptr::<M>(name_len))?,
            args: read_list(&mem, ptr::<M>(args), ptr::<M>(args_len))?,
            env: read_env(&mem, ptr::<M>(envs), ptr::<M>(envs_len))?,
            fd_ops: read_fd_ops::<M>(&mem, ptr::<M>(fd_ops), ptr::<M>(fd_ops_len))?,
            ignored: read_ignored(&mem, ptr::<M>(sigs), ptr::<M>(sigs_len))?,
            search_path: search_path != 0,
            path_var: mem.read_str(ptr::<M>(path), ptr::<M>(path_len))?,
        };
        // Check the result pointer before a child exists that the guest could not learn of.
        mem.read_u32(ptr::<M>(ret))?;
        let pid = spawn(&ctx.process, req)?;
        mem.write_u32(ptr::<M>(ret), pid)
    })())
}

/// `proc_join(pid: *option_pid, flags, ret: *join_status)`: waits for a child to end and
/// reports it (overwriting `*pid` with the child found). Similar to `waitpid` in POSIX.
fn proc_join<M: MemSize>(
    mut c: Ctx<'_>,
    pid: M::Offset,
    flags: i32,
    ret: M::Offset,
) -> wasmtime::Result<i32> {
    restartable(&mut c, |c| {
        join_once(c, ptr::<M>(pid), flags as u32, ptr::<M>(ret))
    })
}

/// One `proc_join` wait (EINTR when interrupted; see `thread::restartable`).
fn join_once(c: &mut Ctx<'_>, pid: u64, flags: u32, ret: u64) -> Result<(), Errno> {
    let (mem, ctx) = split(c);
    let target = match mem.read_u8(pid)? {
        0 => None,
        1 => Some(mem.read_u32(offset_by(pid, OPTION_PID_VALUE)?)?),
        _ => return Err(Errno::Inval),
    };
    // Check the output range before blocking, so a bad pointer fails at once.
    mem.read_bytes(ret, JOIN_STATUS_SIZE as u64)?;
    let nonblocking = flags & JOIN_NON_BLOCKING != 0;
    let (process, tid) = (ctx.process.clone(), ctx.tid);
    let joined = process
        .session
        .table
        .join(process.pid, target, nonblocking, || {
            process.interrupted(tid)
        })?;
    match joined {
        Joined::Exited(child, status) => {
            mem.write_u8(pid, 1)?;
            mem.write_u32(offset_by(pid, OPTION_PID_VALUE)?, child)?;
            mem.write_bytes(ret, &encode_join_status(Some(status)))
        }
        Joined::Nothing => mem.write_bytes(ret, &encode_join_status(None)),
    }
}

/// Splits a list of `\n`-terminated entries (wasix-libc's encoding; a missing final `\n` is
/// accepted).
pub fn split_list(bytes: &[u8]) -> Result<Vec<String>, Errno> {
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    body.split(|b| *b == b'\n')
        .map(|e| String::from_utf8(e.to_vec()).map_err(|_| Errno::Ilseq))
        .collect()
}

/// `KEY=VALUE` entries as pairs (an entry without `=` is a name with an empty value).
pub fn split_env(entries: Vec<String>) -> Vec<(String, String)> {
    entries
        .into_iter()
        .map(|e| match e.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (e, String::new()),
        })
        .collect()
}

fn read_list(mem: &GuestMemory<'_>, at: u64, len: u64) -> Result<Vec<String>, Errno> {
    split_list(&mem.read_bytes(at, len)?)
}

fn read_env(mem: &GuestMemory<'_>, at: u64, len: u64) -> Result<Vec<(String, String)>, Errno> {
    Ok(split_env(read_list(mem, at, len)?))
}

/// A null, empty list means "keep the current environment" (`execv`).
fn read_env_opt(
    mem: &GuestMemory<'_>,
    at: u64,
    len: u64,
) -> Result<Option<Vec<(String, String)>>, Errno> {
    if at == 0 && len == 0 {
        return Ok(None);
    }
    read_env(mem, at, len).map(Some)
}

fn read_fd_ops<M: MemSize>(
    mem: &GuestMemory<'_>,
    at: u64,
    count: u64,
) -> Result<Vec<FdOp<String>>, Errno> {
    if count > MAX_FD_OPS {
        return Err(Errno::Inval);
    }
    let wide = M::PTR_BYTES == 8;
    let size = fdops::record_size(wide) as u64;
    let bytes = mem.read_bytes(at, count * size)?;
    bytes
        .chunks_exact(size as usize)
        .map(|rec| {
            Ok(match fdops::decode(rec, wide)? {
                FdOp::Open { fd, path, open } => FdOp::Open {
                    fd,
                    path: mem.read_str(path.0, path.1)?,
                    open,
                },
                FdOp::Chdir { path } => FdOp::Chdir {
                    path: mem.read_str(path.0, path.1)?,
                },
                FdOp::Close { fd } => FdOp::Close { fd },
                FdOp::Dup2 { src, fd } => FdOp::Dup2 { src, fd },
                FdOp::Fchdir { fd } => FdOp::Fchdir { fd },
            })
        })
        .collect()
}

/// The `signal_disposition` records as an ignore mask; later records win.
fn read_ignored(mem: &GuestMemory<'_>, at: u64, count: u64) -> Result<u64, Errno> {
    if count > MAX_SIGNALS {
        return Err(Errno::Inval);
    }
    let bytes = mem.read_bytes(at, count * 2)?;
    Ok(ignore_mask(&bytes))
}

/// Pure part of [`read_ignored`].
pub fn ignore_mask(records: &[u8]) -> u64 {
    let mut mask = 0u64;
    for rec in records.chunks_exact(2) {
        let (s, disposition) = (rec[0], rec[1]);
        if !(1..=64).contains(&s) {
            continue;
        }
        let bit = 1u64 << (s - 1);
        if disposition == DISPOSITION_IGNORE {
            mask |= bit;
        } else {
            mask &= !bit;
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        type Case<'a> = (&'a [u8], Result<&'a [&'a str], Errno>);
        let cases: &[Case<'_>] = &[
            (b"", Ok(&[])),
            (b"a\n", Ok(&["a"])),
            (b"prog\n-x\n\n", Ok(&["prog", "-x", ""])),
            (b"no-final", Ok(&["no-final"])),
            (b"bad\xff\n", Err(Errno::Ilseq)),
        ];
        for (input, want) in cases {
            let got = split_list(input);
            let want = want.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(got, want, "{input:?}");
        }
        assert_eq!(
            split_env(vec!["A=1".into(), "B=x=y".into(), "C".into()]),
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "x=y".into()),
                ("C".into(), String::new())
            ]
        );
    }

    #[test]
    fn dispositions() {
        let cases: &[(&[u8], u64)] = &[
            (&[], 0),
            (&[13, 1], 1 << 12),
            (&[13, 1, 2, 1], (1 << 12) | (1 << 1)),
            (&[13, 1, 13, 0], 0),
            (&[0, 1, 99, 1], 0),
        ];
        for (recs, want) in cases {
            assert_eq!(ignore_mask(recs), *want, "{recs:?}");
        }
    }
}

//! `std::process` for WASIX (`target_vendor = "wasmer"`), added by cargo-wasix.
//!
//! Spawning goes through `posix_spawnp` (libwasix turns it into the WASIX `proc_spawn2`
//! call), with file actions for the child's stdio (`adddup2`) and working directory
//! (`addchdir_np`); waiting is `waitpid` (with `WNOHANG` for `try_wait`), killing is
//! `kill(SIGKILL)`. Exit statuses use the musl encoding decoded by the `W*` functions of the
//! patched libc. Credentials, process groups, sessions, chroot and `pre_exec` closures have
//! no WASIX meaning here and are reported as `Unsupported` instead of silently ignored.
#![forbid(unsafe_op_in_unsafe_fn)]

use libc::{c_char, c_int, pid_t};

use super::common::*;
use crate::io::{self, ErrorKind};
use crate::mem::MaybeUninit;
use crate::num::NonZero;
use crate::process::StdioPipes;
use crate::sys::{cvt, cvt_r};
use crate::{fmt, sys};

unsafe extern "C" {
    // The live environment of wasi-libc (what `std::env::set_var` changes).
    fn __wasilibc_get_environ() -> *mut *mut c_char;
}

////////////////////////////////////////////////////////////////////////////////
// Command
////////////////////////////////////////////////////////////////////////////////

impl Command {
    pub fn spawn(
        &mut self,
        default: Stdio,
        needs_stdin: bool,
    ) -> io::Result<(Process, StdioPipes)> {
        let envp = self.capture_env();
        if self.saw_nul() {
            return Err(io::const_error!(
                ErrorKind::InvalidInput,
                "nul byte found in provided data",
            ));
        }
        self.reject_unsupported()?;
        let (ours, theirs) = self.setup_io(default, needs_stdin)?;
        // SAFETY: `theirs` keeps the child's descriptors open until the spawn returns, and
        // `envp` outlives the call.
        let pid = unsafe { self.posix_spawn(&theirs, envp.as_ref())? };
        Ok((Process { pid, status: None }, ours))
    }

    // Used by a future `std::os::wasi::process::CommandExt`.
    #[allow(dead_code)]
    pub fn exec(&mut self, _default: Stdio) -> io::Error {
        io::const_error!(ErrorKind::Unsupported, "`exec` is not supported on WASIX yet")
    }

    fn reject_unsupported(&mut self) -> io::Result<()> {
        let what = if self.get_uid().is_some() {
            Some("setting the user id")
        } else if self.get_gid().is_some() {
            Some("setting the group id")
        } else if self.get_groups().is_some() {
            Some("setting supplementary groups")
        } else if self.get_chroot().is_some() {
            Some("chroot")
        } else if self.get_pgroup().is_some() {
            Some("setting the process group")
        } else if self.get_setsid() {
            Some("setsid")
        } else if !self.get_closures().is_empty() {
            Some("pre_exec closures")
        } else {
            None
        };
        match what {
            Some(what) => Err(io::Error::new(
                ErrorKind::Unsupported,
                format!("{what} is not supported when spawning processes on WASIX"),
            )),
            None => Ok(()),
        }
    }

    /// # Safety
    /// The descriptors in `stdio` must be open for the duration of the call.
    unsafe fn posix_spawn(
        &mut self,
        stdio: &ChildPipes,
        envp: Option<&CStringArray>,
    ) -> io::Result<pid_t> {
        let mut actions = FileActions::new()?;
        let sources = [
            (stdio.stdin.fd(), libc::STDIN_FILENO),
            (stdio.stdout.fd(), libc::STDOUT_FILENO),
            (stdio.stderr.fd(), libc::STDERR_FILENO),
        ];
        for (fd, target) in sources {
            if let Some(fd) = fd {
                // SAFETY: `actions.0` was initialised by `posix_spawn_file_actions_init`.
                cvt_nz(unsafe {
                    libc::posix_spawn_file_actions_adddup2(&mut actions.0, fd, target)
                })?;
            }
        }
        // Unix relies on these fds being close-on-exec; the `/dev/null` std opens for
        // `Stdio::null()` through WASI's `path_open` cannot be, so the child closes its copies
        // of them explicitly (after every dup2: two targets may share a source).
        for (fd, _) in sources {
            if let Some(fd) = fd.filter(|&fd| fd > libc::STDERR_FILENO) {
                // SAFETY: as above.
                cvt_nz(unsafe { libc::posix_spawn_file_actions_addclose(&mut actions.0, fd) })?;
            }
        }
        if let Some(cwd) = self.get_cwd() {
            // SAFETY: as above; `cwd` is a valid C string owned by `self`.
            cvt_nz(unsafe {
                libc::posix_spawn_file_actions_addchdir_np(&mut actions.0, cwd.as_ptr())
            })?;
        }

        let mut attrs = SpawnAttrs::new()?;
        // Rust ignores SIGPIPE in its own processes; children start with the default action,
        // as on Unix.
        let mut set = MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: sigemptyset initialises the set it is given.
        cvt(unsafe { libc::sigemptyset(set.as_mut_ptr()) })?;
        // SAFETY: initialised just above.
        let mut set = unsafe { set.assume_init() };
        // SAFETY: `set` is a valid, initialised sigset_t.
        cvt(unsafe { libc::sigaddset(&mut set, libc::SIGPIPE) })?;
        // SAFETY: `attrs.0` was initialised by `posix_spawnattr_init`.
        cvt_nz(unsafe { libc::posix_spawnattr_setsigdefault(&mut attrs.0, &set) })?;
        // SAFETY: as above.
        cvt_nz(unsafe {
            libc::posix_spawnattr_setflags(&mut attrs.0, libc::POSIX_SPAWN_SETSIGDEF as _)
        })?;

        // Hold the environment read lock while the child copies `environ`.
        let _env_lock = sys::env::env_read_lock();
        let envp: *const *mut c_char = match envp {
            Some(envp) => envp.as_ptr() as *const *mut c_char,
            // SAFETY: returns wasi-libc's environment array (NULL-terminated).
            None => (unsafe { __wasilibc_get_environ() }) as *const *mut c_char,
        };
        let mut pid: pid_t = 0;
        // SAFETY: every pointer is valid and NUL-terminated where required; argv and envp are
        // NULL-terminated arrays owned by `self` / the environment.
        cvt_nz(unsafe {
            libc::posix_spawnp(
                &mut pid,
                self.get_program_cstr().as_ptr(),
                &actions.0,
                &attrs.0,
                self.get_argv().as_ptr() as *const *mut c_char,
                envp,
            )
        })?;
        Ok(pid)
    }
}

/// Turns a `posix_spawn*` result (0 or an errno value) into `io::Result`.
fn cvt_nz(error: c_int) -> io::Result<()> {
    if error == 0 { Ok(()) } else { Err(io::Error::from_raw_os_error(error)) }
}

struct FileActions(libc::posix_spawn_file_actions_t);

impl FileActions {
    fn new() -> io::Result<Self> {
        let mut raw = MaybeUninit::uninit();
        // SAFETY: init writes the whole structure.
        cvt_nz(unsafe { libc::posix_spawn_file_actions_init(raw.as_mut_ptr()) })?;
        // SAFETY: initialised by the successful call above.
        Ok(FileActions(unsafe { raw.assume_init() }))
    }
}

impl Drop for FileActions {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, destroyed once.
        unsafe { libc::posix_spawn_file_actions_destroy(&mut self.0) };
    }
}

struct SpawnAttrs(libc::posix_spawnattr_t);

impl SpawnAttrs {
    fn new() -> io::Result<Self> {
        let mut raw = MaybeUninit::uninit();
        // SAFETY: init writes the whole structure.
        cvt_nz(unsafe { libc::posix_spawnattr_init(raw.as_mut_ptr()) })?;
        // SAFETY: initialised by the successful call above.
        Ok(SpawnAttrs(unsafe { raw.assume_init() }))
    }
}

impl Drop for SpawnAttrs {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, destroyed once.
        unsafe { libc::posix_spawnattr_destroy(&mut self.0) };
    }
}

////////////////////////////////////////////////////////////////////////////////
// Processes
////////////////////////////////////////////////////////////////////////////////

/// A spawned child process.
pub struct Process {
    pid: pid_t,
    status: Option<ExitStatus>,
}

impl Process {
    pub fn id(&self) -> u32 {
        self.pid as u32
    }

    pub fn kill(&self) -> io::Result<()> {
        self.send_signal(libc::SIGKILL)
    }

    pub fn send_signal(&self, signal: i32) -> io::Result<()> {
        // After a successful wait the pid may be reused: do not signal a stranger.
        if self.status.is_some() {
            return Ok(());
        }
        // SAFETY: plain syscall wrapper.
        cvt(unsafe { libc::kill(self.pid, signal) }).map(drop)
    }

    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        let mut status: c_int = 0;
        // SAFETY: `status` is a valid out pointer.
        cvt_r(|| unsafe { libc::waitpid(self.pid, &mut status, 0) })?;
        self.status = Some(ExitStatus(status));
        Ok(ExitStatus(status))
    }

    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let mut status: c_int = 0;
        // SAFETY: `status` is a valid out pointer.
        let pid = cvt(unsafe { libc::waitpid(self.pid, &mut status, libc::WNOHANG) })?;
        if pid == 0 {
            return Ok(None);
        }
        self.status = Some(ExitStatus(status));
        Ok(Some(ExitStatus(status)))
    }
}

/// A wait status (musl encoding).
#[derive(PartialEq, Eq, Clone, Copy, Default)]
pub struct ExitStatus(c_int);

impl fmt::Debug for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("wasix_wait_status").field(&self.0).finish()
    }
}

// `new`/`into_raw` are for a future `ExitStatusExt` (raw wait statuses).
#[allow(dead_code)]
impl ExitStatus {
    pub fn new(status: c_int) -> ExitStatus {
        ExitStatus(status)
    }

    fn exited(&self) -> bool {
        libc::WIFEXITED(self.0)
    }

    pub fn exit_ok(&self) -> Result<(), ExitStatusError> {
        // Exited with code 0 is exactly status 0 in this encoding.
        match NonZero::try_from(self.0) {
            Ok(failure) => Err(ExitStatusError(failure)),
            Err(_) => Ok(()),
        }
    }

    pub fn code(&self) -> Option<i32> {
        if self.exited() { Some(libc::WEXITSTATUS(self.0)) } else { None }
    }

    pub fn signal(&self) -> Option<i32> {
        if libc::WIFSIGNALED(self.0) { Some(libc::WTERMSIG(self.0)) } else { None }
    }

    pub fn core_dumped(&self) -> bool {
        libc::WIFSIGNALED(self.0) && (self.0 & 0x80) != 0
    }

    pub fn stopped_signal(&self) -> Option<i32> {
        if libc::WIFSTOPPED(self.0) { Some(libc::WSTOPSIG(self.0)) } else { None }
    }

    pub fn continued(&self) -> bool {
        self.0 == 0xffff
    }

    pub fn into_raw(&self) -> c_int {
        self.0
    }
}

/// Converts a raw wait status into an `ExitStatus` without changing it.
impl From<c_int> for ExitStatus {
    fn from(a: c_int) -> ExitStatus {
        ExitStatus(a)
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(code) = self.code() {
            write!(f, "exit status: {code}")
        } else if let Some(signal) = self.signal() {
            if self.core_dumped() {
                write!(f, "signal: {signal} (core dumped)")
            } else {
                write!(f, "signal: {signal}")
            }
        } else if let Some(signal) = self.stopped_signal() {
            write!(f, "stopped (not terminated) by signal: {signal}")
        } else if self.continued() {
            write!(f, "continued (WIFCONTINUED)")
        } else {
            write!(f, "unrecognised wait status: {} {:#x}", self.0, self.0)
        }
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
pub struct ExitStatusError(NonZero<c_int>);

impl Into<ExitStatus> for ExitStatusError {
    fn into(self) -> ExitStatus {
        ExitStatus(self.0.into())
    }
}

impl fmt::Debug for ExitStatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("wasix_wait_status").field(&self.0).finish()
    }
}

impl ExitStatusError {
    pub fn code(self) -> Option<NonZero<i32>> {
        ExitStatus(self.0.into()).code().map(|st| st.try_into().unwrap())
    }
}

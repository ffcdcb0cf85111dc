//! `proc_exec*`: replacing the running image. The calling (main) thread unwinds with an
//! [`ExecImage`]; the process's run loop (`thread::run_process`) then starts the new module as
//! the same pid with the same fd table (minus close-on-exec fds), cwd and ignored signals, and
//! every other thread of the old image ends, as `execve` does.

use std::sync::Arc;

use crate::abi::Errno;
use crate::abi::types::signal as sig;
use crate::fs::GuestPath;
use crate::loader::Loaded;
use crate::proc::fdops;
use crate::proc::spawn::load_program;
use crate::proc::status::ExitStatus;
use crate::process::{ChildSpec, Process};
use crate::thread::ThreadCtx;

/// A loaded program waiting to replace the caller's image (carried by the unwinding trap).
pub struct ExecImage {
    loaded: Loaded,
    args: Vec<String>,
    env: Vec<(String, String)>,
    exe: String,
}

impl std::fmt::Debug for ExecImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecImage").field("exe", &self.exe).finish()
    }
}

impl std::fmt::Display for ExecImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exec of `{}`", self.exe)
    }
}

impl std::error::Error for ExecImage {}

/// Looks up and loads the new program; errors are what `execve` reports. `env: None` keeps
/// the current environment (`execv`). `call` names the syscall in diagnostics.
pub fn prepare(
    ctx: &ThreadCtx,
    name: &str,
    args: Vec<String>,
    env: Option<Vec<(String, String)>>,
    search: Option<&str>,
    call: &str,
) -> Result<ExecImage, Errno> {
    if !ctx.is_main() {
        // Replacing the image from another thread would need the main thread's stack gone.
        crate::diag!(
            "warning: {call} from a thread other than the main thread is not supported by this runtime (ENOSYS)"
        );
        return Err(Errno::Nosys);
    }
    let process = &ctx.process;
    let cwd = GuestPath::parse_absolute(&process.cwd())?;
    let image = load_program(
        process,
        &cwd,
        name,
        search.is_some(),
        search.unwrap_or(""),
        call,
    )?;
    Ok(ExecImage {
        loaded: image.loaded,
        args,
        env: env.unwrap_or_else(|| process.env.clone()),
        exe: image.guest_path,
    })
}

/// The new image's process object (same pid), replacing `old` in the process table.
pub fn replace(old: &Arc<Process>, image: ExecImage) -> (Loaded, Arc<Process>) {
    let mut fds = std::mem::take(&mut *old.fd_table());
    fdops::close_on_exec(&mut fds);
    let new = Arc::new(Process::child(
        old,
        ChildSpec {
            abi: image.loaded.abi(),
            pid: old.pid,
            ppid: old.ppid,
            args: image.args,
            env: image.env,
            fds,
            cwd: old.cwd(),
            exe: image.exe,
            sig_ignored: old.sig_ignored.load(std::sync::atomic::Ordering::Relaxed),
            panic_seen: old.panic_seen.clone(),
        },
    ));
    // Only the calling thread survives an exec: the old image's other threads unwind.
    // The pid lives on in the new image: the old one's end is never reported to the parent.
    old.reaped.store(true, std::sync::atomic::Ordering::SeqCst);
    old.begin_exit(ExitStatus::Signal(sig::KILL));
    old.session.table.attach(old.pid, new.clone());
    (image.loaded, new)
}

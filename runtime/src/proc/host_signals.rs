//! Host SIGINT/SIGTERM/SIGHUP (Ctrl-C in the terminal, `kill` of `cargo wasix run`) reach the
//! guest: every process of the run gets the signal, as a shell's foreground process group
//! does. A process with a registered handler runs it at its main thread's next safe point.
//! Without one, the default action applies: a child ends (its threads unwind); the first
//! process ends the host process at once with 128 + signal (130/143/129, what a shell
//! reports), because its main thread may sit in a blocking host read that nothing else
//! could interrupt, and Ctrl-C must always work.

use std::sync::Arc;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};

use crate::proc::Session;
use crate::process::Process;
use crate::syscalls::signal::{Default, default_action, deliver};

/// Whether `process` runs a handler for `s`.
fn handles(process: &Process, s: u8) -> bool {
    !process.ignores(s)
        && process
            .signal_callback
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
}

/// Forwards host signals to the session's processes until dropped (the host's own default
/// actions are back afterwards).
pub struct Forwarder {
    handle: Handle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Forwarder {
    /// Starts forwarding; `None` when the host refuses the handlers (then signals keep their
    /// default action on the host process).
    pub fn start(session: Arc<Session>) -> Option<Forwarder> {
        let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP]).ok()?;
        let handle = signals.handle();
        let thread = std::thread::Builder::new()
            .name("wasix-host-signals".into())
            .spawn(move || {
                for s in signals.forever() {
                    // Linux and WASIX number these three alike.
                    let Ok(s) = u8::try_from(s) else { continue };
                    let Some(action) = default_action(s) else {
                        continue;
                    };
                    for process in session.table.running() {
                        if process.is_first() && !handles(&process, s) {
                            if action == Default::Terminate && !process.ignores(s) {
                                crate::thread::exit_process(128 + i32::from(s));
                            }
                            continue;
                        }
                        deliver(&process, s, action);
                    }
                }
            })
            .ok()?;
        Some(Forwarder {
            handle,
            thread: Some(thread),
        })
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.handle.close();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

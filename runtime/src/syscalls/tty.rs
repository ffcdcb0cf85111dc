//! `tty_get`/`tty_set`: whether stdio are terminals, the window size, and echo/line mode
//! (read from and applied to the host terminal through termios when stdin is one).

use rustix::termios::{self, LocalModes, OptionalActions};
use wasmtime::{Caller, Linker};

use crate::abi::Errno;
use crate::abi::types::tty;
use crate::mem::{GuestMemory, MemSize};
use crate::syscalls::{errno, ptr};
use crate::thread::{ThreadCtx, split};

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    linker.func_wrap(
        module,
        "tty_get",
        |mut c: Caller<'_, ThreadCtx>, state: M::Offset| {
            let (mem, _) = split(&mut c);
            errno(tty_get(&mem, ptr::<M>(state)))
        },
    )?;
    linker.func_wrap(
        module,
        "tty_set",
        |mut c: Caller<'_, ThreadCtx>, state: M::Offset| {
            let (mem, _) = split(&mut c);
            errno(tty_set(&mem, ptr::<M>(state)))
        },
    )?;
    Ok(())
}

/// Encodes the `tty` record for the host's stdio.
pub fn encode() -> [u8; tty::SIZE] {
    let (stdin, stdout, stderr) = (
        rustix::stdio::stdin(),
        rustix::stdio::stdout(),
        rustix::stdio::stderr(),
    );
    let size = [stdout, stdin, stderr]
        .into_iter()
        .find_map(|fd| termios::tcgetwinsize(fd).ok());
    let (cols, rows, w, h) = size.map_or((80, 25, 0, 0), |s| {
        (
            s.ws_col as u32,
            s.ws_row as u32,
            s.ws_xpixel as u32,
            s.ws_ypixel as u32,
        )
    });
    let modes = termios::tcgetattr(stdin).ok().map(|t| t.local_modes);
    let mut b = [0u8; tty::SIZE];
    b[tty::COLS..][..4].copy_from_slice(&cols.to_le_bytes());
    b[tty::ROWS..][..4].copy_from_slice(&rows.to_le_bytes());
    b[tty::WIDTH..][..4].copy_from_slice(&w.to_le_bytes());
    b[tty::HEIGHT..][..4].copy_from_slice(&h.to_le_bytes());
    b[tty::STDIN_TTY] = termios::isatty(stdin) as u8;
    b[tty::STDOUT_TTY] = termios::isatty(stdout) as u8;
    b[tty::STDERR_TTY] = termios::isatty(stderr) as u8;
    b[tty::ECHO] = modes.is_some_and(|m| m.contains(LocalModes::ECHO)) as u8;
    b[tty::LINE_BUFFERED] = modes.is_some_and(|m| m.contains(LocalModes::ICANON)) as u8;
    b[tty::LINE_FEEDS] = 1;
    b
}

fn tty_get(mem: &GuestMemory<'_>, state: u64) -> Result<(), Errno> {
    mem.write_bytes(state, &encode())
}

/// Applies echo and line mode to the host terminal when stdin is one; other fields are
/// properties of the host terminal and are not changeable from the guest.
fn tty_set(mem: &GuestMemory<'_>, state: u64) -> Result<(), Errno> {
    let b = mem.read_bytes(state, tty::SIZE as u64)?;
    let stdin = rustix::stdio::stdin();
    if !termios::isatty(stdin) {
        return Ok(());
    }
    let mut t = termios::tcgetattr(stdin)?;
    t.local_modes.set(LocalModes::ECHO, b[tty::ECHO] != 0);
    t.local_modes
        .set(LocalModes::ICANON, b[tty::LINE_BUFFERED] != 0);
    termios::tcsetattr(stdin, OptionalActions::Now, &t)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_has_sane_defaults() {
        let b = encode();
        let cols = u32::from_le_bytes(b[0..4].try_into().unwrap());
        assert!(cols > 0);
        assert_eq!(b[tty::LINE_FEEDS], 1);
        assert!(b[tty::STDIN_TTY] <= 1);
    }
}

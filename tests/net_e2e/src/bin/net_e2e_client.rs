//! A guest TCP client reaching a server the host runs: sends a line, half-closes, prints the
//! reply read to EOF.
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};

fn main() -> std::io::Result<()> {
    let addr = net_e2e::addr_arg();
    let mut conn = TcpStream::connect(addr)?;
    conn.write_all(b"hello from the guest\n")?;
    conn.shutdown(Shutdown::Write)?;
    let mut reply = String::new();
    conn.read_to_string(&mut reply)?;
    print!("reply: {reply}");
    Ok(())
}

//! A guest TCP server reached by a host client: prints its port, serves one line per
//! connection for the number of connections given (default 1), then exits.
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

fn main() -> std::io::Result<()> {
    let count: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    // The host reads this line to find us; println! flushes at the newline.
    println!("listening on {}", listener.local_addr()?.port());
    for _ in 0..count {
        let (conn, peer) = listener.accept()?;
        let mut line = String::new();
        BufReader::new(&conn).read_line(&mut line)?;
        (&conn).write_all(format!("echo: {line}").as_bytes())?;
        println!("served a client from loopback: {}", peer.ip().is_loopback());
    }
    Ok(())
}

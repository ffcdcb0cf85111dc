//! A small HTTP/1.1 server on std::net in the guest: prints its port, answers each request
//! with a body naming the path, for the number of requests given (default 1).
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

fn main() -> std::io::Result<()> {
    let count: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("listening on {}", listener.local_addr()?.port());
    for _ in 0..count {
        let (conn, _) = listener.accept()?;
        let mut reader = BufReader::new(&conn);
        let mut request_line = String::new();
        reader.read_line(&mut request_line)?;
        // Skip the headers up to the blank line; requests here have no body.
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header == "\r\n" {
                break;
            }
        }
        let mut parts = request_line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let (status, body) = match method {
            "GET" => ("200 OK", format!("hello from the guest, you asked for {path}\n")),
            _ => ("405 Method Not Allowed", "only GET\n".to_owned()),
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        (&conn).write_all(response.as_bytes())?;
        println!("{method} {path} -> {status}");
    }
    Ok(())
}

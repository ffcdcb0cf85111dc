//! The network benchmark's echo server, one source for three builds: on wasm32-wasip1-threads
//! (no `std::net`) it uses the raw WASIX socket imports; natively and on wasm32-wasmer-wasi
//! (`cargo wasix build`) the same calls go through `std::net` (accept, recv, send). Prints
//! `port=N`, serves N connections (first argument) each on its own thread, echoing until EOF,
//! then exits.

// `target_vendor = "wasmer"` is our custom target (wasm32-wasmer-wasi), unknown to rustc's
// built-in cfg list.
#![allow(unexpected_cfgs)]

#[cfg(all(target_os = "wasi", not(target_vendor = "wasmer")))]
#[path = "../netraw.rs"]
mod netraw;

#[cfg(all(target_os = "wasi", not(target_vendor = "wasmer")))]
mod imp {
    use super::netraw::{OPT_NO_DELAY, Sock};

    pub struct Conn(Sock);

    pub fn listen() -> (Sock, u16) {
        let (s, addr) = Sock::listener().expect("listen on 127.0.0.1");
        (s, addr.port())
    }

    pub fn accept(l: &Sock) -> Conn {
        let (c, _) = l.accept(0).expect("accept");
        c.set_flag(OPT_NO_DELAY, true).expect("TCP_NODELAY");
        Conn(c)
    }

    impl Conn {
        pub fn recv(&self, buf: &mut [u8]) -> usize {
            self.0.recv(buf).expect("recv")
        }

        pub fn send_all(&self, data: &[u8]) {
            self.0.send_all(data).expect("send")
        }
    }
}

#[cfg(any(not(target_os = "wasi"), target_vendor = "wasmer"))]
mod imp {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};

    pub struct Conn(TcpStream);

    pub fn listen() -> (TcpListener, u16) {
        let l = TcpListener::bind("127.0.0.1:0").expect("listen on 127.0.0.1");
        let port = l.local_addr().expect("local addr").port();
        (l, port)
    }

    pub fn accept(l: &TcpListener) -> Conn {
        let (c, _) = l.accept().expect("accept");
        c.set_nodelay(true).expect("TCP_NODELAY");
        Conn(c)
    }

    impl Conn {
        pub fn recv(&self, buf: &mut [u8]) -> usize {
            (&self.0).read(buf).expect("recv")
        }

        pub fn send_all(&self, data: &[u8]) {
            (&self.0).write_all(data).expect("send")
        }
    }
}

fn main() {
    let conns: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let (listener, port) = imp::listen();
    println!("port={port}");
    let mut workers = Vec::new();
    for _ in 0..conns {
        let conn = imp::accept(&listener);
        workers.push(std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 << 10];
            loop {
                let n = conn.recv(&mut buf);
                if n == 0 {
                    break;
                }
                conn.send_all(&buf[..n]);
            }
        }));
    }
    for w in workers {
        w.join().expect("echo thread");
    }
}

//! One `mio::Poll` drives a TCP listener, a client, the accepted stream, a UDP pair and a
//! `Waker` woken from another thread; prints what arrived. Without the mio overlay this does
//! not compile for WASIX (mio's wasip1 backend has no bind/connect and no `Waker`).

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::Duration;

use mio::net::{TcpListener, TcpStream, UdpSocket};
use mio::{Events, Interest, Poll, Token, Waker};

const LISTENER: Token = Token(0);
const CLIENT: Token = Token(1);
const ACCEPTED: Token = Token(2);
const WAKER: Token = Token(3);
const UDP: Token = Token(4);

fn main() -> io::Result<()> {
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(16);

    let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    let addr = listener.local_addr()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut client = TcpStream::connect(addr)?;
    poll.registry()
        .register(&mut client, CLIENT, Interest::READABLE | Interest::WRITABLE)?;

    let udp_a = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    let mut udp_b = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    poll.registry().register(&mut udp_b, UDP, Interest::READABLE)?;
    udp_a.send_to(b"udp datagram", udp_b.local_addr()?)?;

    let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
    let remote = Arc::clone(&waker);
    let waking = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        remote.wake()
    });

    let mut accepted: Option<TcpStream> = None;
    let (mut sent, mut tcp, mut udp, mut woken) = (false, Vec::new(), Vec::new(), false);
    for _ in 0..200 {
        if tcp == b"hello mio" && !udp.is_empty() && woken {
            break;
        }
        poll.poll(&mut events, Some(Duration::from_secs(5)))?;
        for event in events.iter() {
            match event.token() {
                LISTENER => {
                    let (mut stream, peer) = listener.accept()?;
                    assert_eq!(peer, client.local_addr()?, "accept's peer is the client");
                    poll.registry()
                        .register(&mut stream, ACCEPTED, Interest::READABLE)?;
                    accepted = Some(stream);
                }
                CLIENT if event.is_writable() && !sent => {
                    client.write_all(b"hello mio")?;
                    sent = true;
                }
                ACCEPTED => drain(accepted.as_mut().expect("accepted"), &mut tcp)?,
                UDP => {
                    let mut buf = [0u8; 64];
                    loop {
                        match udp_b.recv_from(&mut buf) {
                            Ok((n, from)) => {
                                assert_eq!(from, udp_a.local_addr()?, "datagram source");
                                udp.extend_from_slice(&buf[..n]);
                            }
                            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                            Err(e) => return Err(e),
                        }
                    }
                }
                WAKER => woken = true,
                _ => {}
            }
        }
    }
    waking.join().expect("waking thread")?;
    println!("tcp: {}", String::from_utf8_lossy(&tcp));
    println!("udp: {}", String::from_utf8_lossy(&udp));
    println!("waker: {woken}");
    Ok(())
}

/// Reads until the stream would block.
fn drain(stream: &mut TcpStream, into: &mut Vec<u8>) -> io::Result<()> {
    let mut buf = [0u8; 64];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => into.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

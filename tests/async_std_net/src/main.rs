//! async-std and async-io on WASIX: a TCP echo between two tasks, timers, a task join, a
//! blocking task on blocking's pool, and a raw `Async<TcpStream>` connect and timer.

use std::time::{Duration, Instant};

use async_std::io::{ReadExt, WriteExt};
use async_std::net::{TcpListener, TcpStream};
use async_std::task;

fn main() {
    task::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local_addr");
        let server = task::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
            let mut buf = vec![0u8; 64 * 1024];
            let mut total = 0;
            loop {
                let n = stream.read(&mut buf).await.expect("server read");
                if n == 0 {
                    break total;
                }
                stream.write_all(&buf[..n]).await.expect("server write");
                total += n;
            }
        });
        let data: Vec<u8> = (0..256 * 1024u32).map(|i| (i % 251) as u8).collect();
        let mut client = TcpStream::connect(addr).await.expect("connect");
        let writer = {
            let mut client = client.clone();
            let data = data.clone();
            task::spawn(async move {
                client.write_all(&data).await.expect("client write");
                client.shutdown(std::net::Shutdown::Write).expect("shutdown");
            })
        };
        let mut back = Vec::new();
        client.read_to_end(&mut back).await.expect("client read");
        writer.await;
        let seen = server.await;
        println!("tcp: echoed {} bytes intact {}, server saw {seen}", back.len(), back == data);

        let start = Instant::now();
        task::sleep(Duration::from_millis(30)).await;
        println!("sleep: at least 30 ms {}", start.elapsed() >= Duration::from_millis(30));
        let timed_out = async_std::future::timeout(Duration::from_millis(20), std::future::pending::<()>()).await;
        println!("timeout: {}", timed_out.is_err());
        println!("spawn: {}", task::spawn(async { 6 * 7 }).await);
        // On blocking's thread pool (the blocking overlay; it panicked on every wasm target).
        let off_thread = task::spawn_blocking(|| std::thread::current().id()).await;
        println!("spawn_blocking: on another thread {}", off_thread != std::thread::current().id());
    });

    // async-io directly: a non-blocking connect on its reactor.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("std bind");
    let addr = listener.local_addr().expect("std local_addr");
    let stream = futures_lite::future::block_on(async_io::Async::<std::net::TcpStream>::connect(addr))
        .expect("async-io connect");
    let (_peer, from) = listener.accept().expect("std accept");
    println!("async-io connect: {}", stream.get_ref().local_addr().expect("addr") == from);

    let start = Instant::now();
    futures_lite::future::block_on(async_io::Timer::after(Duration::from_millis(10)));
    println!("async-io timer: at least 10 ms {}", start.elapsed() >= Duration::from_millis(10));
}

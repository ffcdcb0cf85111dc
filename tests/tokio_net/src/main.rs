//! tokio `full` on the multi-threaded runtime: a 1 MiB TCP echo through a spawned server task,
//! UDP, `lookup_host`, a timer, `spawn_blocking`. tokio refuses `full` on wasm without the
//! overlays (compile_error!), and without the I/O driver's waker the timer would hang.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await?;
        let mut buf = vec![0u8; 1 << 16];
        let mut total = 0usize;
        loop {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Ok::<usize, std::io::Error>(total);
            }
            total += n;
            stream.write_all(&buf[..n]).await?;
        }
    });
    let mut client = TcpStream::connect(addr).await?;
    client.set_nodelay(true)?;
    let data: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    let (mut reader, mut writer) = client.split();
    let send = async {
        writer.write_all(&data).await?;
        writer.shutdown().await
    };
    let mut echoed = Vec::new();
    let (sent, received) = tokio::join!(send, reader.read_to_end(&mut echoed));
    sent?;
    received?;
    let seen = server.await.expect("server task")?;
    println!("tcp: echoed {} bytes intact {}, server saw {seen}", echoed.len(), echoed == data);

    let a = UdpSocket::bind("127.0.0.1:0").await?;
    let b = UdpSocket::bind("127.0.0.1:0").await?;
    a.send_to(b"ping", b.local_addr()?).await?;
    let mut buf = [0u8; 8];
    let (n, from) = b.recv_from(&mut buf).await?;
    println!("udp: {} from a {}", String::from_utf8_lossy(&buf[..n]), from == a.local_addr()?);

    let found = tokio::net::lookup_host("localhost:80").await?.count();
    println!("lookup_host: {}", found > 0);

    let start = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    println!("sleep: {}", start.elapsed() >= Duration::from_millis(20));

    let answer = tokio::task::spawn_blocking(|| 6 * 7).await.expect("blocking task");
    println!("spawn_blocking: {answer}");
    Ok(())
}

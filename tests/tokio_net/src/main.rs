//! tokio `full` on the multi-threaded runtime: a 1 MiB TCP echo through a spawned server task,
//! UDP, `lookup_host`, a timer, `spawn_blocking`, a child process through `tokio::process`
//! (this program again, `child` mode) and a SIGUSR1 a second child (`signal-parent`) sends,
//! received through `tokio::signal::unix` (both left out with the argument `net-only`). tokio
//! refuses `full` on wasm without the overlays (compile_error!), and without the I/O driver's
//! waker the timer would hang.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::process::Command;
use tokio::signal::unix::{signal, SignalKind};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("child") => return child().await,
        Some("signal-parent") => {
            // SAFETY: plain calls with no memory arguments.
            let sent = unsafe { libc::kill(libc::getppid(), libc::SIGUSR1) };
            std::process::exit(if sent == 0 { 0 } else { 1 });
        }
        _ => {}
    }
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

    // scripts/interop.sh compares the networking part with Wasmer's CLI.
    if std::env::args().nth(1).as_deref() == Some("net-only") {
        return Ok(());
    }
    processes_and_signals().await
}

/// The child: stdin upper-cased to stdout, an environment variable, exit code 3.
async fn child() -> std::io::Result<()> {
    let mut input = String::new();
    tokio::io::stdin().read_to_string(&mut input).await?;
    let greeting = std::env::var("GREETING").unwrap_or_default();
    let mut out = tokio::io::stdout();
    out.write_all(format!("{greeting}: {}", input.to_uppercase()).as_bytes()).await?;
    out.flush().await?;
    std::process::exit(3);
}

async fn processes_and_signals() -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    let mut child = Command::new(&exe)
        .arg("child")
        .env("GREETING", "child")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(b"ping from the parent").await?;
    drop(stdin);
    let output = child.wait_with_output().await?;
    println!(
        "process: {} (exit code {:?})",
        String::from_utf8_lossy(&output.stdout),
        output.status.code()
    );

    let mut usr1 = signal(SignalKind::user_defined1())?;
    let status = Command::new(&exe).arg("signal-parent").status().await?;
    let received = tokio::time::timeout(Duration::from_secs(10), usr1.recv()).await;
    println!(
        "signal: child's kill {}, SIGUSR1 received {}",
        status.success(),
        matches!(received, Ok(Some(())))
    );
    Ok(())
}

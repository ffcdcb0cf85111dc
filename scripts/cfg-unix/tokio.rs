//! dep: tokio = { version = "1", features = ["full"] }
//! net: yes
#[tokio::main]
async fn main() {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let a = l.local_addr().expect("addr");
    let c = tokio::spawn(async move { tokio::net::TcpStream::connect(a).await.expect("connect") });
    let _ = l.accept().await.expect("accept");
    c.await.expect("join");
    println!("ok");
}

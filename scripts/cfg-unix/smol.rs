//! dep: smol = "2"
//! net: yes
fn main() {
    smol::block_on(async {
        let listener = smol::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local_addr");
        let client = smol::spawn(async move {
            use smol::io::AsyncWriteExt;
            let mut s = smol::net::TcpStream::connect(addr).await.expect("connect");
            s.write_all(b"ping").await.expect("write");
        });
        let (mut s, _) = listener.accept().await.expect("accept");
        let mut buf = Vec::new();
        smol::io::AsyncReadExt::read_to_end(&mut s, &mut buf).await.expect("read");
        client.await;
        assert_eq!(buf, b"ping");
    });
    println!("ok");
}

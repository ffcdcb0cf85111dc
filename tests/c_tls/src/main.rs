//! An HTTPS-style exchange over loopback inside one WASIX guest: a tokio-rustls server with a
//! self-signed certificate and a client that trusts exactly that certificate.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let cert_der: CertificateDer<'static> = cert.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key_pair.serialize_der()));

    let server_config = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(vec![cert_der.clone()], key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");

    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        let mut tls = acceptor.accept(tcp).await.expect("handshake (server)");
        let mut request = vec![0u8; 1024];
        let n = tls.read(&mut request).await.expect("read request");
        let line = String::from_utf8_lossy(&request[..n]).lines().next().unwrap_or_default().to_owned();
        let body = format!("hello over TLS, you asked for {line}");
        let response = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}", body.len());
        tls.write_all(response.as_bytes()).await.expect("write response");
        tls.shutdown().await.expect("close_notify");
    });

    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert_der).expect("trust the certificate");
    let client_config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config));
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let name = ServerName::try_from("localhost").expect("name");
    let mut tls = connector.connect(name, tcp).await.expect("handshake (client)");
    let version = tls.get_ref().1.protocol_version();
    let suite = tls.get_ref().1.negotiated_cipher_suite().map(|s| s.suite());
    tls.write_all(b"GET /secret HTTP/1.1\r\nhost: localhost\r\n\r\n").await.expect("write");
    let mut response = String::new();
    tls.read_to_string(&mut response).await.expect("read response");
    server.await.expect("server task");
    println!("tls: {version:?} {suite:?}");
    println!("{}", response.split("\r\n\r\n").nth(1).unwrap_or_default());
}

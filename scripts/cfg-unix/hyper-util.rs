//! dep: hyper-util = { version = "0.1", features = ["client-legacy", "http1", "tokio", "server", "server-auto"] }
//! dep: hyper = { version = "1", features = ["http1", "server", "client"] }
//! dep: http-body-util = "0.1"
//! dep: tokio = { version = "1", features = ["full"] }
//! net: yes
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Bytes;

#[tokio::main]
async fn main() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        let service = hyper::service::service_fn(|_req| async {
            Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from("hello"))))
        });
        hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
            .await
            .expect("serve");
    });
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Empty<Bytes>>();
    let uri: hyper::Uri = format!("http://{addr}/").parse().expect("uri");
    let res = client.get(uri).await.expect("request");
    let body = res.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(&body[..], b"hello");
    println!("ok");
}

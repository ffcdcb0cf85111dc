//! `hyper_server [N]`: serves N HTTP/1.1 connections on 127.0.0.1 (a free port, printed as
//! `listening on PORT`), then exits. GET answers 200 with a body naming the path; other methods
//! get 405. Prints one line per request.

use std::convert::Infallible;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let (status, body) = if req.method() == Method::GET {
        (
            StatusCode::OK,
            format!("hello from hyper in the guest, you asked for {path}\n"),
        )
    } else {
        (StatusCode::METHOD_NOT_ALLOWED, "only GET here\n".to_owned())
    };
    println!("{} {path} -> {status}", req.method());
    Ok(Response::builder()
        .status(status)
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from(body)))
        .expect("a valid response"))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let connections: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on {}", listener.local_addr()?.port());
    for _ in 0..connections {
        let (stream, _) = listener.accept().await?;
        http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service_fn(handle))
            .await
            .map_err(std::io::Error::other)?;
    }
    Ok(())
}

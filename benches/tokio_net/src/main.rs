//! `tokio_net_bench echo|http`: prints `listening on PORT` (127.0.0.1, a free port), serves one
//! connection and exits when the client closes it.
//! - `echo`: a tokio TCP echo (`tokio::io::copy` from the socket's read half to its write half).
//! - `http`: hyper 1.x HTTP/1.1 with keep-alive; every request gets a 13-byte body.

use std::convert::Infallible;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(b"hello, world\n"))))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on {}", listener.local_addr()?.port());
    let (stream, _) = listener.accept().await?;
    stream.set_nodelay(true)?;
    match mode.as_str() {
        "echo" => {
            let (mut read, mut write) = stream.into_split();
            tokio::io::copy(&mut read, &mut write).await?;
        }
        "http" => {
            http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(hello))
                .await
                .map_err(std::io::Error::other)?;
        }
        other => {
            eprintln!("usage: tokio_net_bench echo|http (got `{other}`)");
            std::process::exit(2);
        }
    }
    Ok(())
}

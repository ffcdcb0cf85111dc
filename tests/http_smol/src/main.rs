//! Fetches `<base>/hello` and `<base>/missing` with hyper's HTTP/1.1 client on smol and prints
//! what came back (the same lines as the ureq and reqwest fixtures); `<base>` is the first
//! argument (e.g. `http://127.0.0.1:8080`).

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use smol_hyper::rt::FuturesIo;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), Error> {
    let base = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: http_smol http://HOST:PORT");
        std::process::exit(2)
    });
    let authority = base.strip_prefix("http://").ok_or("the base must start with http://")?.to_owned();
    smol::block_on(async {
        let (status, served_by, body) = get(&authority, "/hello").await?;
        println!("GET /hello: {status} (served by {served_by})");
        print!("body: {body}");
        let (missing, _, _) = get(&authority, "/missing").await?;
        println!("GET /missing: status {}", missing.as_u16());
        Ok(())
    })
}

/// One request on its own connection: status, `X-Served-By` and the body.
async fn get(authority: &str, path: &str) -> Result<(hyper::StatusCode, String, String), Error> {
    let stream = smol::net::TcpStream::connect(authority).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(FuturesIo::new(stream)).await?;
    let driver = smol::spawn(conn);
    let request = hyper::Request::get(path)
        .header("Host", authority)
        .header("X-Client", "wasix")
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    let served_by = response
        .headers()
        .get("x-served-by")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("?")
        .to_owned();
    let body = response.into_body().collect().await?.to_bytes();
    drop(sender);
    driver.await?;
    Ok((status, served_by, String::from_utf8_lossy(&body).into_owned()))
}

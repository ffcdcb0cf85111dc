//! Fetches `<base>/hello` and `<base>/missing` with ureq and prints what came back; `<base>` is
//! the first argument (e.g. `http://127.0.0.1:8080`).

fn main() -> Result<(), ureq::Error> {
    let base = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: http_ureq http://HOST:PORT");
        std::process::exit(2)
    });
    let mut response = ureq::get(format!("{base}/hello")).header("X-Client", "wasix").call()?;
    let served_by = response.headers().get("x-served-by").and_then(|v| v.to_str().ok()).unwrap_or("?").to_owned();
    println!("GET /hello: {} (served by {served_by})", response.status());
    print!("body: {}", response.body_mut().read_to_string()?);
    match ureq::get(format!("{base}/missing")).call() {
        Ok(response) => println!("GET /missing: unexpectedly {}", response.status()),
        Err(ureq::Error::StatusCode(code)) => println!("GET /missing: status {code}"),
        Err(other) => return Err(other),
    }
    Ok(())
}

//! Fetches `<base>/hello` and `<base>/missing` with reqwest on tokio and prints what came back
//! (the same lines as the ureq fixture); `<base>` is the first argument
//! (e.g. `http://127.0.0.1:8080`).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), reqwest::Error> {
    let base = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: http_reqwest http://HOST:PORT");
        std::process::exit(2)
    });
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{base}/hello"))
        .header("X-Client", "wasix")
        .send()
        .await?;
    let served_by = response
        .headers()
        .get("x-served-by")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("?")
        .to_owned();
    println!("GET /hello: {} (served by {served_by})", response.status());
    print!("body: {}", response.text().await?);
    let missing = client.get(format!("{base}/missing")).send().await?;
    println!("GET /missing: status {}", missing.status().as_u16());
    Ok(())
}

//! dep: tracing = "0.1"
//! dep: tracing-subscriber = { version = "0.3", features = ["env-filter", "fmt", "time", "local-time"] }
//! env: RUST_LOG=info
fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    tracing::info!(answer = 42, "from the guest");
    std::thread::spawn(|| tracing::info!("from a thread")).join().expect("join");
    println!("ok");
}

//! rayon's thread pool and a tokio runtime (timers, channels, select) on WASIX.
use rayon::prelude::*;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sum: u64 = (1..=10_000u64).into_par_iter().map(|x| x * 2).sum();
    println!("rayon: {sum}");

    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let producer = tokio::spawn(async move {
        for i in 0..3u32 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            tx.send(i).await.unwrap();
        }
    });
    let mut got = Vec::new();
    while let Some(v) = rx.recv().await {
        got.push(v);
    }
    producer.await.unwrap();
    println!("tokio: {got:?}");

    tokio::select! {
        _ = tokio::time::sleep(std::time::Duration::from_millis(10)) => println!("select: timer"),
        _ = std::future::pending::<()>() => unreachable!(),
    }
}

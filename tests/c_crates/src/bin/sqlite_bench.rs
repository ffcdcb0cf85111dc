//! SQLite inserts and queries, timed (BENCHMARKS.md "C dependencies"): the same program runs
//! natively and in the guest. Usage: sqlite_bench <dir> [rows]

use std::time::Instant;

fn main() -> rusqlite::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    let rows: i64 = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let path = format!("{dir}/bench.db");
    let _ = std::fs::remove_file(&path);
    let conn = rusqlite::Connection::open(&path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = DELETE;
         CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, value INTEGER);
         CREATE INDEX item_value ON item (value);",
    )?;

    let start = Instant::now();
    let tx = conn.unchecked_transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO item (name, value) VALUES (?1, ?2)")?;
        for i in 0..rows {
            insert.execute((format!("item-{i}"), (i * 7919) % 10_007))?;
        }
    }
    tx.commit()?;
    let insert_time = start.elapsed();

    let start = Instant::now();
    let mut total = 0i64;
    {
        let mut query = conn.prepare("SELECT count(*), sum(id) FROM item WHERE value BETWEEN ?1 AND ?2")?;
        for q in 0..2_000i64 {
            let low = (q * 37) % 10_000;
            let (count, sum): (i64, Option<i64>) =
                query.query_row((low, low + 50), |r| Ok((r.get(0)?, r.get(1)?)))?;
            total += count + sum.unwrap_or(0) % 1000;
        }
    }
    let query_time = start.elapsed();
    println!(
        "rows {rows}: insert {:.1} ms, 2000 indexed range queries {:.1} ms (checksum {total})",
        insert_time.as_secs_f64() * 1e3,
        query_time.as_secs_f64() * 1e3
    );
    let _ = std::fs::remove_file(&path);
    Ok(())
}

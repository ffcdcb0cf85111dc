//! SQLite inserts and queries, timed (BENCHMARKS.md "C dependencies"): the same program runs
//! natively and in the guest. Usage: sqlite_bench <dir> [rows]
//!
//! Two rounds: SQLite's default locking (a lock per transaction: on WASI SQLite locks with a
//! `<db>.lock` directory, so each query costs a mkdir/rmdir pair of syscalls) and
//! `locking_mode = EXCLUSIVE` (the lock is taken once), which leaves SQLite's own work.

use std::time::Instant;

fn round(path: &str, rows: i64, exclusive: bool) -> rusqlite::Result<(u128, u128, i64)> {
    let _ = std::fs::remove_file(path);
    let conn = rusqlite::Connection::open(path)?;
    if exclusive {
        conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE;")?;
    }
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
        let mut query =
            conn.prepare("SELECT count(*), sum(id) FROM item WHERE value BETWEEN ?1 AND ?2")?;
        for q in 0..2_000i64 {
            let low = (q * 37) % 10_000;
            let (count, sum): (i64, Option<i64>) =
                query.query_row((low, low + 50), |r| Ok((r.get(0)?, r.get(1)?)))?;
            total += count + sum.unwrap_or(0) % 1000;
        }
    }
    let query_time = start.elapsed();
    drop(conn);
    let _ = std::fs::remove_file(path);
    Ok((insert_time.as_micros(), query_time.as_micros(), total))
}

fn main() -> rusqlite::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    let rows: i64 = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let path = format!("{dir}/bench.db");
    // Whole microseconds: integer formatting only (float formatting was wrong in the guest
    // with `+wide-arithmetic`, once a default; see docs/c-dependencies.md).
    for (name, exclusive) in [("default", false), ("exclusive", true)] {
        let (insert, query, total) = round(&path, rows, exclusive)?;
        println!(
            "{name} locking, rows {rows}: insert {insert} us, 2000 indexed range queries {query} us (checksum {total})"
        );
    }
    Ok(())
}

//! Real crates with C inside, built by their own build scripts through `cc` for
//! wasm32-wasmer-wasi (issue 10): zstd, zlib (flate2 on libz-sys), ring and SQLite.
//! Usage: c_crates <dir for the SQLite database>

use std::io::{Read, Write};

fn sample() -> Vec<u8> {
    (0..10_000u32)
        .flat_map(|i| format!("line {} of a compressible text\n", i % 97).into_bytes())
        .take(10_000)
        .collect()
}

fn zstd_round_trip() {
    let data = sample();
    let packed = zstd::encode_all(&data[..], 3).expect("zstd compress");
    let unpacked = zstd::decode_all(&packed[..]).expect("zstd decompress");
    println!(
        "zstd: {} bytes, smaller: {}, round trip: {}",
        data.len(),
        packed.len() < data.len() / 4,
        unpacked == data
    );
}

fn zlib_round_trip() {
    // SAFETY: zlibVersion returns a static NUL-terminated string.
    let version = unsafe { std::ffi::CStr::from_ptr(libz_sys::zlibVersion()) };
    let data = sample();
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&data).expect("deflate");
    let packed = enc.finish().expect("deflate finish");
    let mut unpacked = Vec::new();
    flate2::read::ZlibDecoder::new(&packed[..])
        .read_to_end(&mut unpacked)
        .expect("inflate");
    println!(
        "zlib {}: smaller: {}, round trip: {}",
        version.to_str().expect("ascii"),
        packed.len() < data.len() / 4,
        unpacked == data
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn ring_digests() {
    let digest = ring::digest::digest(&ring::digest::SHA256, b"abc");
    println!("ring sha256(abc): {}", hex(digest.as_ref()));
    // RFC 4231, test case 2.
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"Jefe");
    let tag = ring::hmac::sign(&key, b"what do ya want for nothing?");
    println!("ring hmac-sha256: {}", hex(tag.as_ref()));
    let ok = ring::hmac::verify(&key, b"what do ya want for nothing?", tag.as_ref()).is_ok();
    println!("ring hmac verify: {ok}");
}

fn sqlite(dir: &str) -> rusqlite::Result<()> {
    use rusqlite::{Connection, ErrorCode};
    let path = format!("{dir}/c_crates.db");
    let _ = std::fs::remove_file(&path);
    {
        let conn = Connection::open(&path)?;
        conn.execute_batch(
            "CREATE TABLE fruit (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
             INSERT INTO fruit (name) VALUES ('apple'), ('banana'), ('cherry');",
        )?;
        conn.close().map_err(|(_, e)| e)?;
    }
    let conn = Connection::open(&path)?;
    let names: Vec<String> = conn
        .prepare("SELECT name FROM fruit ORDER BY id")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    println!("sqlite reopened: {}", names.join(", "));

    // Two connections to one file: the writer's lock makes the other one busy.
    let a = Connection::open(&path)?;
    let b = Connection::open(&path)?;
    b.busy_timeout(std::time::Duration::ZERO)?;
    a.execute_batch("BEGIN IMMEDIATE; INSERT INTO fruit (name) VALUES ('date');")?;
    let busy = match b.execute("INSERT INTO fruit (name) VALUES ('elderberry')", []) {
        Err(rusqlite::Error::SqliteFailure(e, _)) => e.code == ErrorCode::DatabaseBusy,
        _ => false,
    };
    println!("sqlite second writer busy while the first holds the lock: {busy}");
    a.execute_batch("COMMIT")?;
    b.execute("INSERT INTO fruit (name) VALUES ('elderberry')", [])?;
    let count: i64 = conn.query_row("SELECT count(*) FROM fruit", [], |r| r.get(0))?;
    println!("sqlite rows after both writers: {count}");
    Ok(())
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    zstd_round_trip();
    zlib_round_trip();
    ring_digests();
    if let Err(e) = sqlite(&dir) {
        eprintln!("sqlite failed: {e}");
        std::process::exit(1);
    }
}

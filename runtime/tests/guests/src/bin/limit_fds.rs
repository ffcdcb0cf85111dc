//! Opens the file given as the first argument again and again until opening fails. `count`
//! (second argument, default): prints how many opened and the error, exits 0; `unwrap`:
//! unwraps the error (a panic).
use std::fs::File;

fn main() {
    let path = std::env::args().nth(1).expect("usage: limit_fds FILE [count|unwrap]");
    let mode = std::env::args().nth(2).unwrap_or_else(|| "count".into());
    let mut open = Vec::new();
    loop {
        match File::open(&path) {
            Ok(f) => open.push(f),
            Err(e) if mode == "count" => {
                println!("opened {}, then: {e}", open.len());
                break;
            }
            Err(e) => panic!("open #{}: {e:?}", open.len() + 1),
        }
    }
    drop(open);
    println!("reopened: {}", File::open(&path).is_ok());
}

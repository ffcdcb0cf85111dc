//! Four threads use the one fd table at once: each writes its own file, all append to a
//! shared log through clones of one fd, and each lists the directory.
use std::fs;
use std::io::Write;
use std::sync::Arc;

fn main() {
    fs::create_dir_all("/data/t").unwrap();
    let log = Arc::new(fs::OpenOptions::new().create(true).append(true).open("/data/t/log").unwrap());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let log = log.clone();
            std::thread::spawn(move || {
                for j in 0..50 {
                    fs::write(format!("/data/t/own{i}"), format!("{i}:{j}")).unwrap();
                    (&*log).write_all(format!("{i}\n").as_bytes()).unwrap();
                    let n = fs::read_dir("/data/t").unwrap().count();
                    assert!((2..=5).contains(&n), "{n} entries");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let text = fs::read_to_string("/data/t/log").unwrap();
    let mut counts = [0; 4];
    for line in text.lines() {
        counts[line.parse::<usize>().unwrap()] += 1;
    }
    let own: Vec<String> = (0..4).map(|i| fs::read_to_string(format!("/data/t/own{i}")).unwrap()).collect();
    println!("log lines per thread={counts:?}");
    println!("own={}", own.join(","));
}

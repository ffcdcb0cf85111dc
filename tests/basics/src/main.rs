//! One small check per system area, chosen by the first argument, each printing only what is
//! the same on every correct runtime (scripts/interop.sh compares runtimes on it):
//! `basics env | files DIR | pipe | stdin | time | random | math`.

use std::io::{Read, Write};
use std::time::{Duration, Instant, SystemTime};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("env") => env(),
        Some("files") => files(args.get(1).map_or("/data", String::as_str)),
        Some("pipe") => pipe(),
        Some("stdin") => stdin(),
        Some("time") => time(),
        Some("random") => random(),
        Some("math") => math(),
        _ => {
            eprintln!("usage: basics env | files DIR | pipe | stdin | time | random | math");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The variables passed with `--env`, and nothing else from the host.
fn env() -> std::io::Result<()> {
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    for (k, v) in &vars {
        println!("{k}={v}");
    }
    println!("{} variables", vars.len());
    Ok(())
}

/// Create, append, read, list, stat, rename and remove inside a mounted directory.
fn files(dir: &str) -> std::io::Result<()> {
    let root = std::path::Path::new(dir).join("basics-files");
    if root.exists() {
        std::fs::remove_dir_all(&root)?;
    }
    std::fs::create_dir_all(root.join("sub"))?;
    std::fs::write(root.join("a.txt"), "hello")?;
    std::fs::OpenOptions::new()
        .append(true)
        .open(root.join("a.txt"))?
        .write_all(b", files")?;
    println!("read: {}", std::fs::read_to_string(root.join("a.txt"))?);
    let meta = std::fs::metadata(root.join("a.txt"))?;
    println!("len: {}, file: {}, dir: {}", meta.len(), meta.is_file(), meta.is_dir());
    std::fs::rename(root.join("a.txt"), root.join("sub/b.txt"))?;
    let mut names: Vec<String> = std::fs::read_dir(root.join("sub"))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    names.sort();
    println!("listing after rename: {names:?}");
    println!("old name exists: {}", root.join("a.txt").exists());
    std::fs::remove_file(root.join("sub/b.txt"))?;
    std::fs::remove_dir(root.join("sub"))?;
    std::fs::remove_dir(&root)?;
    println!("removed: {}", !root.exists());
    match std::fs::read("/no/such/file") {
        Ok(_) => println!("missing file: read"),
        Err(e) => println!("missing file: {:?}", e.kind()),
    }
    Ok(())
}

/// An anonymous pipe between two threads, to EOF.
fn pipe() -> std::io::Result<()> {
    let (mut reader, mut writer) = std::io::pipe()?;
    let producer = std::thread::spawn(move || -> std::io::Result<()> {
        for i in 0..1000 {
            writeln!(writer, "line {i}")?;
        }
        Ok(())
    });
    let mut text = String::new();
    reader.read_to_string(&mut text)?;
    producer.join().expect("the writer thread")?;
    println!("pipe: {} lines, last `{}`", text.lines().count(), text.lines().last().unwrap_or(""));
    Ok(())
}

/// Everything on stdin, to EOF.
fn stdin() -> std::io::Result<()> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    println!(
        "stdin: {} bytes, {} lines, first `{}`",
        text.len(),
        text.lines().count(),
        text.lines().next().unwrap_or("")
    );
    Ok(())
}

/// The wall clock is current and the monotonic clock measures a sleep.
fn time() -> std::io::Result<()> {
    let since_epoch = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(std::io::Error::other)?;
    // 2024-01-01T00:00:00Z.
    println!("wall clock after 2024: {}", since_epoch.as_secs() > 1_704_067_200);
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(20));
    let slept = start.elapsed();
    println!(
        "sleep(20ms) took 20ms..5s: {}",
        slept >= Duration::from_millis(20) && slept < Duration::from_secs(5)
    );
    Ok(())
}

/// Two draws from the host's entropy differ and are not all zero.
fn random() -> std::io::Result<()> {
    let draw = || -> std::io::Result<[u8; 32]> {
        let mut buf = [0u8; 32];
        // SAFETY: `buf` is 32 writable bytes (getentropy's limit is 256).
        if unsafe { libc::getentropy(buf.as_mut_ptr().cast(), buf.len()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(buf)
    };
    let (a, b) = (draw()?, draw()?);
    println!("random: nonzero {}, draws differ {}", a != [0; 32], a != b);
    Ok(())
}

/// The C math library behind std's float methods (wasi-libc's libm on wasm32, libc64's on
/// wasm64), to 12 decimals: the inputs are read from the arguments' count so no call is
/// folded at compile time.
fn math() -> std::io::Result<()> {
    let one = std::env::args().count() as f64 - 1.0;
    let x = 0.5 * one;
    let f = x as f32;
    let values: [(&str, f64); 20] = [
        ("pow", (2.0 * one).powf(10.5)),
        ("exp", one.exp()),
        ("exp2", (3.5 * one).exp2()),
        ("exp_m1", x.exp_m1()),
        ("ln", (10.0 * one).ln()),
        ("log10", (2.0 * one).log10()),
        ("log2", (3.0 * one).log2()),
        ("ln_1p", x.ln_1p()),
        ("sin", x.sin()),
        ("cos", x.cos()),
        ("tan", x.tan()),
        ("asin", x.asin()),
        ("acos", x.acos()),
        ("atan2", x.atan2(-one)),
        ("sinh", x.sinh()),
        ("cosh", x.cosh()),
        ("tanh", x.tanh()),
        ("cbrt", (27.5 * one).cbrt()),
        ("hypot", (3.0 * one).hypot(4.5)),
        ("powf32", f64::from((f * 3.0).powf(2.5) + f.sin() + f.exp())),
    ];
    for (name, value) in values {
        println!("{name}: {value:.12}");
    }
    Ok(())
}

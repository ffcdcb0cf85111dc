//! `std::process` inside the runtime: the program re-runs itself through `current_exe()`.
//! Without arguments it is the parent and prints one line per check; the other modes are
//! the children it starts.
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

fn me() -> Command {
    Command::new(std::env::current_exe().expect("current_exe"))
}

fn parent() {
    let exe = std::env::current_exe().expect("current_exe");
    println!("current_exe is absolute: {}", exe.is_absolute());

    // Piped stdin (read to EOF by the child) and stdout, env and cwd.
    let mut child = me()
        .arg("echo")
        .env("GREETING", "hello")
        .env_remove("UNSET_ME")
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn echo");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"piped text\n").expect("write");
    drop(stdin);
    let out = child.wait_with_output().expect("wait echo");
    print!("echo: {}", String::from_utf8_lossy(&out.stdout));
    println!("echo status: {}", out.status);

    // Every exit code a parent can see.
    let wrong: Vec<i32> = (0..=255)
        .filter(|code| {
            let status = me()
                .args(["exit", &code.to_string()])
                .status()
                .expect("spawn exit");
            status.code() != Some(*code)
        })
        .collect();
    println!("exit codes 0..=255, wrong: {wrong:?}");

    // 16 children at once.
    let children: Vec<_> = (0..16)
        .map(|i| {
            me().args(["print", &i.to_string()])
                .stdout(Stdio::piped())
                .spawn()
                .expect("spawn print")
        })
        .collect();
    let sum: u32 = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().expect("wait print");
            String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse::<u32>()
                .expect("number")
        })
        .sum();
    println!("16 children, sum of their outputs: {sum}");

    // output(): both streams captured, exit code kept.
    let out = me().arg("output").output().expect("output");
    println!(
        "output: {:?} {:?} {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        out.status
    );

    // try_wait on a running child, then kill + wait.
    let mut child = me().arg("sleep").spawn().expect("spawn sleep");
    println!(
        "try_wait while running: {:?}",
        child.try_wait().expect("try_wait")
    );
    child.kill().expect("kill");
    let status = child.wait().expect("wait killed");
    println!("killed: {status} (code {:?})", status.code());

    // env_clear, a program that does not exist.
    let out = me()
        .arg("env")
        .env_clear()
        .env("ONLY", "1")
        .output()
        .expect("env");
    print!("env_clear: {}", String::from_utf8_lossy(&out.stdout));
    let err = Command::new("/no/such/program")
        .status()
        .expect_err("spawn must fail");
    println!("missing program: {:?}", err.kind());
}

/// Spawn-and-wait of a child that prints one line, `n` times after a warm-up; prints the mean
/// (scripts/bench-spawn.sh runs this natively and in the runtime).
fn bench(n: u32) {
    let run = || {
        let out = me().args(["print", "hello"]).output().expect("spawn");
        assert_eq!(out.stdout, b"hello\n");
    };
    for _ in 0..5 {
        run();
    }
    let t = std::time::Instant::now();
    for _ in 0..n {
        run();
    }
    println!(
        "spawn+wait mean: {} us",
        t.elapsed().as_micros() / u128::from(n.max(1))
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => parent(),
        Some("echo") => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .expect("read stdin");
            let cwd = std::env::current_dir().expect("cwd");
            println!(
                "{} greeting={} cwd={}",
                input.trim().to_uppercase(),
                std::env::var("GREETING").unwrap_or_default(),
                cwd.display()
            );
        }
        Some("exit") => std::process::exit(args[1].parse().expect("code")),
        Some("print") => println!("{}", args[1]),
        Some("bench") => bench(args[1].parse().expect("count")),
        Some("output") => {
            print!("to stdout");
            eprint!("to stderr");
            std::process::exit(3);
        }
        Some("sleep") => std::thread::sleep(Duration::from_secs(60)),
        Some("env") => {
            let mut vars: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
            vars.sort();
            println!("{}", vars.join(" "));
        }
        Some(other) => {
            eprintln!("unknown mode {other}");
            std::process::exit(2);
        }
    }
}

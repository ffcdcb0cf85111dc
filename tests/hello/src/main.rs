//! Prints to stdout and stderr, echoes its arguments and exits with a chosen code:
//! `hello [exit CODE | panic | args...]`.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("exit") => {
            let code = args.get(1).and_then(|c| c.parse().ok()).unwrap_or(1);
            println!("exiting with {code}");
            std::process::exit(code);
        }
        Some("panic") => panic!("boom"),
        Some("fixture") => {
            // Under `cargo wasix test` the package dir is the cwd; here for `run` with --dir.
            let text = std::fs::read_to_string("data/fixture.txt").expect("read fixture");
            print!("{text}");
        }
        _ => {
            println!("Hello, world!");
            eprintln!("to stderr");
            if !args.is_empty() {
                println!("args: {}", args.join(" "));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_fixture_relative_to_package() {
        let text = std::fs::read_to_string("data/fixture.txt").unwrap();
        assert_eq!(text, "fixture contents\n");
    }

    #[test]
    fn tmp_is_writable() {
        let path = std::env::temp_dir().join("cargo-wasix-test.txt");
        std::fs::write(&path, b"x").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x");
    }

    #[test]
    fn arithmetic() {
        assert_eq!(2 + 2, 4);
    }
}

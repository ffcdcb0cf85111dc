//! `shout [--exit N] [WORD...]`: prints its words (or stdin when there are none) in capitals,
//! `$SHOUT_SUFFIX` after them; `--exit N` ends with code N after a message on stderr.
use std::io::Read;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--exit") {
        let code: i32 = args.get(1).and_then(|c| c.parse().ok()).unwrap_or(2);
        eprintln!("shout: giving up with {code}");
        std::process::exit(code);
    }
    if args.is_empty() {
        let mut input = String::new();
        std::io::stdin()
            .read_to_string(&mut input)
            .expect("read stdin");
        args = input.split_whitespace().map(str::to_owned).collect();
    }
    let suffix = std::env::var("SHOUT_SUFFIX").unwrap_or_default();
    println!("{}{suffix}", args.join(" ").to_uppercase());
}

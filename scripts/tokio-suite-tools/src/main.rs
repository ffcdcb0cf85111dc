//! One WASIX program that acts as `sh`, `echo`, `true` or `sleep`, chosen by the file name it
//! was started from (`current_exe()`, the guest path the runtime resolved), for tokio's process
//! tests (scripts/tokio-suite.sh). `sh` understands only `-c` with `;`-separated simple
//! commands among these four plus `exit N`; anything else exits 127 saying so, as a shell does
//! for an unknown command.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

/// What one simple command does.
#[derive(Debug, PartialEq)]
enum Step {
    Echo(String),
    Sleep(Duration),
    /// `true`/`false`: sets the status, the script goes on.
    Status(u8),
    Exit(u8),
    Unknown(String),
}

/// Parses one simple command of the tiny `sh -c` language (words split on whitespace).
fn parse(command: &str) -> Option<Step> {
    let mut words = command.split_whitespace();
    let name = words.next()?;
    let rest: Vec<&str> = words.collect();
    Some(match (name, rest.as_slice()) {
        ("echo", args) => Step::Echo(args.join(" ")),
        ("true" | ":", []) => Step::Status(0),
        ("false", []) => Step::Status(1),
        ("exit", []) => Step::Exit(0),
        ("exit", [code]) => match code.parse::<u8>() {
            Ok(code) => Step::Exit(code),
            Err(_) => Step::Unknown(command.to_owned()),
        },
        ("sleep", [secs]) => match secs.parse::<f64>() {
            Ok(secs) if secs >= 0.0 => Step::Sleep(Duration::from_secs_f64(secs)),
            _ => Step::Unknown(command.to_owned()),
        },
        _ => Step::Unknown(command.to_owned()),
    })
}

/// Runs a script; `exit` ends it early, the last command's status is the script's.
fn run_script(script: &str) -> u8 {
    let mut status = 0;
    for command in script.split(';') {
        match parse(command) {
            None => {}
            Some(Step::Echo(text)) => {
                println!("{text}");
                status = 0;
            }
            Some(Step::Sleep(time)) => {
                std::thread::sleep(time);
                status = 0;
            }
            Some(Step::Status(code)) => status = code,
            Some(Step::Exit(code)) => return code,
            Some(Step::Unknown(command)) => {
                eprintln!("sh (tokio-suite-tools): not supported here: {command}");
                status = 127;
            }
        }
    }
    status
}

fn main() -> ExitCode {
    let tool = std::env::current_exe()
        .ok()
        .and_then(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let status = match (tool.as_str(), args.as_slice()) {
        ("sh", [flag, script, ..]) if flag == "-c" => run_script(script),
        ("echo", words) => run_script(&format!("echo {}", words.join(" "))),
        ("true", _) => 0,
        ("sleep", [secs]) => run_script(&format!("sleep {secs}")),
        _ => {
            eprintln!("tokio-suite-tools: cannot act as `{tool}` with {args:?}");
            127
        }
    };
    let _ = std::io::stdout().flush();
    ExitCode::from(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let cases = [
            ("echo a  b", Some(Step::Echo("a b".into()))),
            ("  exit 2 ", Some(Step::Exit(2))),
            ("exit", Some(Step::Exit(0))),
            ("true", Some(Step::Status(0))),
            ("false", Some(Step::Status(1))),
            ("sleep 0.5", Some(Step::Sleep(Duration::from_millis(500)))),
            ("sleep -1", Some(Step::Unknown("sleep -1".into()))),
            ("exit 300", Some(Step::Unknown("exit 300".into()))),
            ("disown -a", Some(Step::Unknown("disown -a".into()))),
            ("   ", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input), want, "{input:?}");
        }
    }

    #[test]
    fn scripts_stop_at_exit() {
        assert_eq!(run_script("exit 2"), 2);
        assert_eq!(run_script("true; exit 7; exit 1"), 7);
        assert_eq!(run_script("nope"), 127);
        assert_eq!(run_script("nope; true"), 0);
    }
}

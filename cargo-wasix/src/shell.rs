//! Cargo-style output on stderr: a 12-column right-aligned green status verb, `warning:` and
//! `error:` prefixes, `-q` honoured, colour only on a terminal (or as `CARGO_TERM_COLOR` says).

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anstyle::{AnsiColor, Style};

use crate::args::Verbosity;

const STATUS: Style = AnsiColor::Green.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const NOTE: Style = AnsiColor::Cyan.on_default().bold();

/// Where our own messages go (cargo's own output is cargo's business).
#[derive(Debug, Clone)]
pub struct Shell {
    verbosity: Verbosity,
    color: bool,
}

impl Shell {
    /// A shell for stderr at the given verbosity; colour follows `CARGO_TERM_COLOR`, then the tty.
    pub fn new(verbosity: Verbosity) -> Self {
        let color = match std::env::var("CARGO_TERM_COLOR").as_deref() {
            Ok("always") => true,
            Ok("never") => false,
            _ => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        };
        Shell { verbosity, color }
    }

    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// Whether progress animations make sense (a terminal, not quiet).
    pub fn is_interactive(&self) -> bool {
        self.verbosity != Verbosity::Quiet && std::io::stderr().is_terminal()
    }

    /// `   Preparing WASIX sysroot` — suppressed by `-q`.
    pub fn status(&self, verb: &str, message: impl std::fmt::Display) {
        if self.verbosity > Verbosity::Quiet {
            self.print(&format_status(
                verb,
                &message.to_string(),
                self.color.then_some(STATUS),
            ));
        }
    }

    /// A status line shown only with `-v`.
    pub fn verbose_status(&self, verb: &str, message: impl std::fmt::Display) {
        if self.verbosity >= Verbosity::Verbose {
            self.print(&format_status(
                verb,
                &message.to_string(),
                self.color.then_some(STATUS),
            ));
        }
    }

    /// `warning: ...` — suppressed by `-q`, as cargo does.
    pub fn warn(&self, message: impl std::fmt::Display) {
        if self.verbosity > Verbosity::Quiet {
            self.print(&format_prefixed(
                "warning",
                &message.to_string(),
                self.color.then_some(WARNING),
            ));
        }
    }

    /// `note: ...` shown only with `-v`.
    pub fn verbose_note(&self, message: impl std::fmt::Display) {
        if self.verbosity >= Verbosity::Verbose {
            self.print(&format_prefixed(
                "note",
                &message.to_string(),
                self.color.then_some(NOTE),
            ));
        }
    }

    /// `error: ...` — always printed.
    pub fn error(&self, message: impl std::fmt::Display) {
        self.print(&format_prefixed(
            "error",
            &message.to_string(),
            self.color.then_some(ERROR),
        ));
    }

    fn print(&self, line: &str) {
        // A closed stderr is not worth a panic; there is nobody left to tell.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

/// `verb` right-aligned in 12 columns, then the message (cargo's layout).
pub fn format_status(verb: &str, message: &str, style: Option<Style>) -> String {
    match style {
        Some(style) => format!("{style}{verb:>12}{style:#} {message}"),
        None => format!("{verb:>12} {message}"),
    }
}

/// `prefix: message`, the prefix styled.
pub fn format_prefixed(prefix: &str, message: &str, style: Option<Style>) -> String {
    match style {
        Some(style) => format!("{style}{prefix}{style:#}: {message}"),
        None => format!("{prefix}: {message}"),
    }
}

/// `1m 23s` / `4.2s`, the way cargo reports durations.
pub fn format_elapsed(elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    if secs >= 60 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{:.2}s", elapsed.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_right_aligned_in_12_columns() {
        let cases = [
            ("Preparing", "WASIX sysroot", "   Preparing WASIX sysroot"),
            ("Finished", "x", "    Finished x"),
            ("Overlongverbname", "x", "Overlongverbname x"),
        ];
        for (verb, message, expected) in cases {
            assert_eq!(format_status(verb, message, None), expected);
        }
    }

    #[test]
    fn styled_status_keeps_text() {
        let line = format_status("Running", "a.wasm", Some(STATUS));
        assert!(line.contains("     Running"), "{line:?}");
        assert!(line.ends_with(" a.wasm"), "{line:?}");
        assert_ne!(line, format_status("Running", "a.wasm", None));
    }

    #[test]
    fn prefixed_lines() {
        assert_eq!(format_prefixed("error", "boom", None), "error: boom");
        assert_eq!(format_prefixed("warning", "hm", None), "warning: hm");
    }

    #[test]
    fn elapsed_format() {
        let cases = [
            (Duration::from_millis(4200), "4.20s"),
            (Duration::from_secs(83), "1m 23s"),
            (Duration::from_secs(60), "1m 00s"),
        ];
        for (elapsed, expected) in cases {
            assert_eq!(format_elapsed(elapsed), expected);
        }
    }
}

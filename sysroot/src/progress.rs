//! Progress reporting: the caller decides how status lines look (cargo's 12-column verb style
//! in the CLI, nothing in tests).

/// Receives one status line per step that takes time or changes the user's machine.
pub trait Progress {
    /// A step starts: `verb` is a short word (`Installing`, `Building`, `Blocking`, `Patching`),
    /// `message` says what and where.
    fn status(&mut self, verb: &str, message: &str);
}

/// Ignores all progress.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn status(&mut self, _verb: &str, _message: &str) {}
}

/// Prints status lines to stderr in cargo's style (verb right-aligned in 12 columns).
#[derive(Debug, Default, Clone, Copy)]
pub struct Stderr;

impl Progress for Stderr {
    fn status(&mut self, verb: &str, message: &str) {
        eprintln!("{verb:>12} {message}");
    }
}

/// Collects status lines in memory (useful for tests of callers).
#[derive(Debug, Default, Clone)]
pub struct Recorder {
    /// `(verb, message)` in order.
    pub lines: Vec<(String, String)>,
}

impl Progress for Recorder {
    fn status(&mut self, verb: &str, message: &str) {
        self.lines.push((verb.to_owned(), message.to_owned()));
    }
}

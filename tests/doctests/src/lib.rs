//! Doctests run on the bundled runtime under `cargo wasix test` (issue 8, step 8).
//!
//! ```
//! // The package directory is the cwd, as for `cargo wasix test`.
//! assert_eq!(std::fs::read_to_string("data.txt").unwrap(), "fixture data\n");
//! ```
#![cfg_attr(
    feature = "failing",
    doc = "```\nassert_eq!(doctests::two(), 3, \"a failing doctest\");\n```"
)]

/// Returns two.
///
/// ```
/// let h = std::thread::spawn(|| doctests::two() * 2);
/// assert_eq!(h.join().unwrap(), 4);
/// let v = semver::Version::parse("1.2.3").unwrap();
/// assert_eq!(v.minor, 2);
/// ```
///
/// ```should_panic
/// assert_eq!(doctests::two(), 3);
/// ```
///
/// ```no_run
/// // Compiled, never run: it would trap.
/// std::process::abort();
/// ```
///
/// ```compile_fail
/// let x: u32 = doctests::two() + "not a number";
/// ```
///
/// ```ignore
/// this is not Rust at all
/// ```
///
/// ```
/// # fn main() -> Result<(), std::num::ParseIntError> {
/// let n: u32 = "2".parse()?;
/// assert_eq!(n, doctests::two());
/// # Ok(())
/// # }
/// ```
///
/// ```text
/// not a test
/// ```
pub fn two() -> u32 {
    2
}

//! The library member of a two-member workspace.

/// Greets `name`.
///
/// ```
/// assert_eq!(util::greeting("doc"), "hello from the doc");
/// ```
pub fn greeting(name: &str) -> String {
    format!("hello from the {name}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn greets() {
        assert_eq!(super::greeting("x"), "hello from the x");
    }
}

// `user_rustflags_are_kept` builds with RUSTFLAGS="--cfg cargo_wasix_flag" and expects this.
#[cfg(cargo_wasix_flag)]
compile_error!("RUSTFLAGS reached rustc");

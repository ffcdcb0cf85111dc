//! The library member of a two-member workspace.
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

//! Where `cargo wasix install` takes the versions the crate overlays apply to (issue 13): the
//! `Cargo.lock` of the `--path` package's workspace, or for registry crates the lock of a probe
//! workspace that depends on them as `cargo install` would resolve them. Pure: the argument
//! reading and the probe's manifest; `commands/cargo.rs` writes and resolves it.

/// What a `cargo install` command line installs from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source<'a> {
    /// `--path DIR`.
    Path(&'a str),
    /// Crates from crates.io: `(name, version requirement)`.
    Registry(Vec<(&'a str, String)>),
    /// A source whose resolution we cannot reproduce (`--git`, another registry, or nothing
    /// named): the reason, for the warning.
    Other(&'static str),
}

/// Flags of `cargo install` that take a value (`--flag value`); `--flag=value` needs no list.
const VALUE_FLAGS: &[&str] = &[
    "--version",
    "--vers",
    "--git",
    "--branch",
    "--tag",
    "--rev",
    "--path",
    "--root",
    "--index",
    "--registry",
    "--features",
    "-F",
    "--profile",
    "--target",
    "--target-dir",
    "-j",
    "--jobs",
    "--config",
    "-Z",
    "--bin",
    "--example",
    "--message-format",
    "--color",
    "--lockfile-path",
];

/// Reads the install source from `cargo install`'s arguments (before `--`).
pub fn source(args: &[String]) -> Source<'_> {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let args = &args[..end];
    let value = |flag: &str| crate::args::flag_values(args, flag).last().copied();
    if let Some(path) = value("--path") {
        return Source::Path(path);
    }
    if value("--git").is_some() {
        return Source::Other("a `--git` install");
    }
    if value("--registry").is_some() || value("--index").is_some() {
        return Source::Other("an install from another registry");
    }
    let version = value("--version").or_else(|| value("--vers"));
    let mut crates = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if VALUE_FLAGS.contains(&arg.as_str()) {
            iter.next();
            continue;
        }
        if arg.starts_with('-') {
            continue;
        }
        let (name, at) = match arg.split_once('@') {
            Some((name, at)) => (name, Some(at)),
            None => (arg.as_str(), None),
        };
        crates.push((name, requirement(at.or(version))));
    }
    if crates.is_empty() {
        return Source::Other("an install naming no crate");
    }
    Source::Registry(crates)
}

/// cargo install's reading of a version: a bare `1.2.3` is exact, a requirement (`^1.2`, `~1`)
/// stays one, none is the newest release.
fn requirement(version: Option<&str>) -> String {
    match version {
        None => "*".to_owned(),
        Some(v) if v.starts_with(|c: char| c.is_ascii_digit()) => format!("={v}"),
        Some(v) => v.to_owned(),
    }
}

/// The features the install asks for: `(features, default features on)`.
pub fn features(args: &[String]) -> (Vec<String>, bool) {
    let mut features: Vec<String> = crate::args::flag_values(args, "--features")
        .into_iter()
        .chain(crate::args::flag_values(args, "-F"))
        .flat_map(|list| list.split([',', ' ']))
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect();
    features.sort();
    features.dedup();
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let defaults = !args[..end].iter().any(|a| a == "--no-default-features");
    (features, defaults)
}

/// The `Cargo.toml` of a probe workspace depending on `crates` as `cargo install` resolves them
/// (its lock then holds the versions the install will build).
pub fn probe_manifest(crates: &[(&str, String)], features: &[String], defaults: bool) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut text = String::from(
        "[package]\nname = \"cargo-wasix-install-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[lib]\npath = \"lib.rs\"\n\n[dependencies]\n",
    );
    for (name, requirement) in crates {
        let features: Vec<String> = features.iter().map(|f| quote(f)).collect();
        text.push_str(&format!(
            "{} = {{ version = {}, default-features = {defaults}, features = [{}] }}\n",
            quote(name),
            quote(requirement),
            features.join(", ")
        ));
    }
    text.push_str("\n[workspace]\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn sources() {
        let cases: &[(&[&str], Source)] = &[
            (&["--path", "."], Source::Path(".")),
            (&["--root", "r", "--path=x"], Source::Path("x")),
            (
                &["ripgrep"],
                Source::Registry(vec![("ripgrep", "*".into())]),
            ),
            (
                &["ripgrep@14.1.0", "--root", "r", "fd-find"],
                Source::Registry(vec![("ripgrep", "=14.1.0".into()), ("fd-find", "*".into())]),
            ),
            (
                &["--version", "~1.2", "-F", "x", "tool", "--locked"],
                Source::Registry(vec![("tool", "~1.2".into())]),
            ),
            (
                &["--vers=1.0.0", "tool"],
                Source::Registry(vec![("tool", "=1.0.0".into())]),
            ),
            (
                &["--git", "https://x/y", "tool"],
                Source::Other("a `--git` install"),
            ),
            (
                &["--registry", "mine", "tool"],
                Source::Other("an install from another registry"),
            ),
            (&["--list"], Source::Other("an install naming no crate")),
            (&["--", "tool"], Source::Other("an install naming no crate")),
        ];
        for (args, want) in cases {
            assert_eq!(source(&s(args)), *want, "{args:?}");
        }
    }

    #[test]
    fn feature_flags() {
        let cases: &[(&[&str], &[&str], bool)] = &[
            (&["tool"], &[], true),
            (
                &["tool", "--features", "a,b", "-F", "c"],
                &["a", "b", "c"],
                true,
            ),
            (
                &["tool", "--features=b a", "--no-default-features"],
                &["a", "b"],
                false,
            ),
        ];
        for (args, want, defaults) in cases {
            let (got, got_defaults) = features(&s(args));
            assert_eq!(
                got,
                want.iter().map(|f| (*f).to_owned()).collect::<Vec<_>>(),
                "{args:?}"
            );
            assert_eq!(got_defaults, *defaults, "{args:?}");
        }
    }

    #[test]
    fn probe_manifest_is_toml_with_the_dependencies() {
        let text = probe_manifest(
            &[("tool", "=1.0.0".into()), ("other", "*".into())],
            &["net".into()],
            false,
        );
        let value: toml::Value = toml::from_str(&text).expect("valid TOML");
        let tool = &value["dependencies"]["tool"];
        assert_eq!(tool["version"].as_str(), Some("=1.0.0"));
        assert_eq!(tool["default-features"].as_bool(), Some(false));
        assert_eq!(tool["features"][0].as_str(), Some("net"));
        assert_eq!(
            value["dependencies"]["other"]["version"].as_str(),
            Some("*")
        );
        assert!(value.get("workspace").is_some());
    }
}

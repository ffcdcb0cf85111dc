//! Which archive members a pack may hold (pure): paths of plain names only, and symlinks that
//! stay inside their entry. Together with install's rule that nothing is written below a
//! symlink (links are made last), no member can reach outside the directory it unpacks into.

use std::path::{Component, Path, PathBuf};

/// Splits a member path `<entry dir>/<path inside>` into its parts; refuses absolute paths,
/// `..`, `.` and prefixes anywhere. The entry directory alone gives an empty inside path.
pub fn split_member(path: &Path) -> Result<(String, PathBuf), String> {
    let mut components = path.components();
    let dir = match components.next() {
        Some(Component::Normal(name)) => name.to_string_lossy().into_owned(),
        _ => {
            return Err(format!(
                "member `{}` is not a relative path",
                path.display()
            ));
        }
    };
    let mut inside = PathBuf::new();
    for component in components {
        match component {
            Component::Normal(name) => inside.push(name),
            _ => {
                return Err(format!(
                    "member `{}` has a `..`, `.` or root component",
                    path.display()
                ));
            }
        }
    }
    Ok((dir, inside))
}

/// A symlink at `inside` (a path inside its entry) may point to `target` when the target is
/// relative, made of leading `..` then names only, and the `..` do not climb above the entry.
/// (A `..` after a name could climb out through another link: `a -> .` then `a/a/../..`.)
pub fn check_link(inside: &Path, target: &Path) -> Result<(), String> {
    let refuse = |why: &str| {
        Err(format!(
            "symlink `{}` -> `{}` {why}",
            inside.display(),
            target.display()
        ))
    };
    let depth = inside.components().count().saturating_sub(1);
    let mut ups = 0;
    let mut seen_name = false;
    for component in target.components() {
        match component {
            Component::ParentDir if !seen_name => ups += 1,
            Component::Normal(_) => seen_name = true,
            Component::ParentDir => return refuse("has a `..` after a name"),
            _ => return refuse("is absolute or has a `.` component"),
        }
    }
    if target.as_os_str().is_empty() {
        return refuse("is empty");
    }
    if ups > depth {
        return refuse("points outside its sysroot");
    }
    Ok(())
}

/// Whether `inside` is at or below one of `links` (members are never written through a link).
pub fn is_at_or_below_link(inside: &Path, links: &[PathBuf]) -> bool {
    links.iter().any(|link| inside.starts_with(link))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            (
                "abc-123/sysroot/lib/x.rlib",
                Some(("abc-123", "sysroot/lib/x.rlib")),
            ),
            ("abc-123", Some(("abc-123", ""))),
            ("abc-123/", Some(("abc-123", ""))),
            ("/etc/passwd", None),
            ("../evil", None),
            ("abc-123/../../evil", None),
            ("abc-123/sysroot/../../x", None),
            ("./abc-123/x", None),
            // `Path` drops a `.` inside a path: harmless.
            ("abc-123/./x", Some(("abc-123", "x"))),
            ("", None),
        ];
        for (path, want) in cases {
            let got = split_member(Path::new(path));
            match want {
                Some((dir, inside)) => assert_eq!(
                    got,
                    Ok(((*dir).to_owned(), PathBuf::from(inside))),
                    "{path}"
                ),
                None => assert!(got.is_err(), "{path}: {got:?}"),
            }
        }
    }

    #[test]
    fn links() {
        let cases: &[(&str, &str, bool)] = &[
            // The one link a sysroot entry has: sysroot/lib/rustlib/src/rust -> the entry.
            ("sysroot/lib/rustlib/src/rust", "../../../..", true),
            ("sysroot/lib/rustlib/src/rust", "../../../../library", true),
            ("sysroot/lib/rustlib/src/rust", "../../../../..", false),
            ("a/b", "c", true),
            ("a/b", "../c/d", true),
            ("top", "..", false),
            ("top", "library", true),
            ("a/b", "/etc", false),
            ("a/b", "./c", false),
            ("a/b", "c/../..", false),
            ("a/b", "c/..", false),
            ("a/b", "", false),
        ];
        for (inside, target, ok) in cases {
            let got = check_link(Path::new(inside), Path::new(target));
            assert_eq!(got.is_ok(), *ok, "{inside} -> {target}: {got:?}");
        }
    }

    #[test]
    fn below_links() {
        let links = vec![PathBuf::from("sysroot/lib/rustlib/src/rust")];
        let cases = [
            ("sysroot/lib/rustlib/src/rust", true),
            ("sysroot/lib/rustlib/src/rust/library/x.rs", true),
            ("sysroot/lib/rustlib/src/rusty", false),
            ("sysroot/lib/rustlib/src", false),
        ];
        for (inside, want) in cases {
            assert_eq!(
                is_at_or_below_link(Path::new(inside), &links),
                want,
                "{inside}"
            );
        }
    }
}

//! `[[rewrite]]`: one cfg predicate rewritten through every `.rs` file below a directory.
//!
//! Crates gate whole APIs on predicates like `not(target_family = "wasm")` ("no blocking in a
//! browser") repeated through many files; an anchored edit per file and count would break on
//! every upstream release that adds one more. A rewrite replaces every occurrence below its
//! directory and fails only when there is none at all (the crate changed its gate, so the
//! overlay would silently do nothing).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;

/// A rewrite as written in `edits.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// Directory relative to the tree root (`/`-separated); every `.rs` file below it.
    pub under: String,
    /// Exact text to replace.
    pub from: String,
    /// Its replacement.
    pub to: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRewrite {
    under: String,
    from: String,
    to: String,
}

impl RawRewrite {
    /// Validates the entry (`index` counts from 0) into a [`Rewrite`].
    pub(super) fn check(self, index: usize) -> Result<Rewrite, String> {
        let which = format!("rewrite #{} (under `{}`)", index + 1, self.under);
        if self.from.is_empty() {
            return Err(format!("{which} has an empty `from`"));
        }
        if self.to.contains(&self.from) {
            // Applying the overlay twice would then grow the text instead of failing.
            return Err(format!("{which}: `to` must not contain `from`"));
        }
        if self.under.is_empty()
            || self.under.starts_with('/')
            || self.under.split('/').any(|c| c == "..")
        {
            return Err(format!(
                "{which}: the path must be relative and stay inside the tree"
            ));
        }
        Ok(Rewrite {
            under: self.under,
            from: self.from,
            to: self.to,
        })
    }
}

/// Replaces every occurrence of `from` in `text` (pure); returns the text and the count.
pub fn rewrite_text(text: &str, from: &str, to: &str) -> (String, usize) {
    let count = text.matches(from).count();
    (text.replace(from, to), count)
}

impl Rewrite {
    /// Applies the rewrite below `root`; `patch_set` names the set in errors.
    pub(super) fn apply(&self, root: &Path, patch_set: &str) -> Result<(), Error> {
        let mut files = Vec::new();
        rust_files(&root.join(&self.under), &mut files)?;
        files.sort();
        let mut total = 0;
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
            let (patched, count) = rewrite_text(&text, &self.from, &self.to);
            if count > 0 {
                std::fs::write(&path, patched).map_err(|e| Error::io("write", &path, e))?;
                total += count;
            }
        }
        if total == 0 {
            return Err(Error::RewriteFoundNothing {
                patch_set: patch_set.to_owned(),
                under: self.under.clone(),
                from: self.from.clone(),
            });
        }
        Ok(())
    }
}

/// Every `.rs` file below `dir`, recursively (a missing directory has none).
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("read directory", dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read directory", dir, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| Error::io("stat", &path, e))?;
        if kind.is_dir() {
            rust_files(&path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::PatchSet;

    #[test]
    fn rewrite_text_table() {
        // (text, from, to, expected text, count)
        let cases: &[(&str, &str, &str, &str, usize)] = &[
            (
                "#[cfg(not(wasm))] a #[cfg(not(wasm))]",
                "not(wasm)",
                "not(w)",
                "#[cfg(not(w))] a #[cfg(not(w))]",
                2,
            ),
            ("nothing here", "not(wasm)", "x", "nothing here", 0),
            ("", "a", "b", "", 0),
            ("aaa", "aa", "b", "ba", 1),
        ];
        for (text, from, to, want, count) in cases {
            assert_eq!(
                rewrite_text(text, from, to),
                ((*want).to_owned(), *count),
                "{text:?}"
            );
        }
    }

    #[test]
    fn parse_errors_name_the_rewrite() {
        let bad: &[(&str, &str)] = &[
            (
                "[[rewrite]]\nunder='src'\nfrom=''\nto='x'\n",
                "empty `from`",
            ),
            (
                "[[rewrite]]\nunder='src'\nfrom='a'\nto='(a)'\n",
                "must not contain",
            ),
            (
                "[[rewrite]]\nunder='../x'\nfrom='a'\nto='b'\n",
                "inside the tree",
            ),
            (
                "[[rewrite]]\nunder='/x'\nfrom='a'\nto='b'\n",
                "inside the tree",
            ),
            ("[[rewrite]]\nunder='src'\nfrom='a'\n", "missing field"),
            (
                "[[rewrite]]\nunder='src'\nfrom='a'\nto='b'\ncount=2\n",
                "unknown field",
            ),
        ];
        crate::patch::tests::assert_parse_errors(bad);
    }

    #[test]
    fn applies_below_the_directory_only_and_fails_on_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/inner")).expect("mkdir");
        std::fs::write(root.join("src/lib.rs"), "#[cfg(not(W))] a\n").expect("write");
        std::fs::write(
            root.join("src/inner/m.rs"),
            "#[cfg(not(W))] b #[cfg(not(W))]\n",
        )
        .expect("write");
        std::fs::write(root.join("src/inner/notes.txt"), "not(W)\n").expect("write");
        std::fs::write(root.join("build.rs"), "not(W)\n").expect("write");
        let edits = "[[rewrite]]\nunder = 'src'\nfrom = 'not(W)'\nto = 'not(V)'\n";
        let set =
            PatchSet::from_entries("test set", [("edits.toml", edits.as_bytes())]).expect("parse");
        set.apply(root).expect("apply");
        let read = |p: &str| std::fs::read_to_string(root.join(p)).expect("read");
        assert_eq!(read("src/lib.rs"), "#[cfg(not(V))] a\n");
        assert_eq!(read("src/inner/m.rs"), "#[cfg(not(V))] b #[cfg(not(V))]\n");
        assert_eq!(read("src/inner/notes.txt"), "not(W)\n", "only .rs files");
        assert_eq!(read("build.rs"), "not(W)\n", "only below `under`");

        // Applied again, nothing is left to rewrite: a loud error, not a silent no-op.
        let err = set.apply(root).expect_err("nothing left").to_string();
        assert!(
            err.contains("test set") && err.contains("not(W)") && err.contains("`src`"),
            "{err}"
        );
    }
}

//! The patch engine: applies a patch set (`files/` + `edits.toml`) to a source tree.
//!
//! The format is documented in `sysroot/patches/README.md`. The pure core
//! ([`EditList::parse`], [`apply_edit`]) works on strings so it can be tested by tables;
//! [`PatchSet::apply`] is the thin I/O layer over it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;

mod rewrite;

pub use rewrite::Rewrite;

/// One anchored edit of an existing file, as written in `edits.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Path relative to the tree root, `/`-separated.
    pub file: String,
    /// Exact text that must occur exactly `count` times in the file.
    pub anchor: String,
    /// How many times the anchor occurs (1 unless `count` says otherwise); each occurrence
    /// is edited. An exact number, so an upstream change in either direction is noticed.
    pub count: usize,
    /// What to do at the anchor.
    pub action: Action,
}

/// What an [`Edit`] does with its anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Replace the anchor with this text.
    Replace(String),
    /// Insert this text immediately before the anchor.
    InsertBefore(String),
    /// Insert this text immediately after the anchor.
    InsertAfter(String),
}

/// The parsed contents of an `edits.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditList {
    /// The edits, in file order (which is application order).
    pub edits: Vec<Edit>,
    /// Predicate rewrites through a directory, applied after the edits.
    pub rewrites: Vec<Rewrite>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdits {
    #[serde(default)]
    edit: Vec<RawEdit>,
    #[serde(default)]
    rewrite: Vec<rewrite::RawRewrite>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdit {
    file: String,
    anchor: String,
    count: Option<usize>,
    replace: Option<String>,
    insert_before: Option<String>,
    insert_after: Option<String>,
}

impl EditList {
    /// Parses `edits.toml` text; `origin` names the file in error messages.
    pub fn parse(text: &str, origin: &str) -> Result<Self, Error> {
        let invalid = |reason: String| Error::PatchFormat {
            origin: origin.to_owned(),
            reason,
        };
        let raw: RawEdits = toml::from_str(text).map_err(|e| invalid(e.message().to_owned()))?;
        let mut edits = Vec::with_capacity(raw.edit.len());
        for (index, e) in raw.edit.into_iter().enumerate() {
            let which = format!("edit #{} (file `{}`)", index + 1, e.file);
            let action = match (e.replace, e.insert_before, e.insert_after) {
                (Some(t), None, None) => Action::Replace(t),
                (None, Some(t), None) => Action::InsertBefore(t),
                (None, None, Some(t)) => Action::InsertAfter(t),
                _ => {
                    return Err(invalid(format!(
                        "{which} must have exactly one of `replace`, `insert_before`, `insert_after`"
                    )));
                }
            };
            if e.anchor.is_empty() {
                return Err(invalid(format!("{which} has an empty anchor")));
            }
            if e.file.is_empty() || e.file.starts_with('/') || e.file.split('/').any(|c| c == "..")
            {
                return Err(invalid(format!(
                    "{which}: the path must be relative and stay inside the tree"
                )));
            }
            let count = e.count.unwrap_or(1);
            if count == 0 {
                return Err(invalid(format!("{which}: `count` must be at least 1")));
            }
            edits.push(Edit {
                file: e.file,
                anchor: e.anchor,
                count,
                action,
            });
        }
        let rewrites = raw
            .rewrite
            .into_iter()
            .enumerate()
            .map(|(index, r)| r.check(index).map_err(invalid))
            .collect::<Result<_, _>>()?;
        Ok(Self { edits, rewrites })
    }
}

/// Why an edit could not be applied to a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorProblem {
    /// The anchor does not occur.
    Missing,
    /// The anchor occurs this many times (more than once) where it must be unique.
    Ambiguous(usize),
    /// The anchor occurs `found` times where the edit says `expected` (its `count`).
    Count { expected: usize, found: usize },
}

/// Applies one edit to `text` (pure: no I/O): `anchor` must occur exactly `count` times
/// (overlapping occurrences included) and every occurrence gets `action`.
pub fn apply_edit(
    text: &str,
    anchor: &str,
    count: usize,
    action: &Action,
) -> Result<String, AnchorProblem> {
    let found = occurrences(text, anchor);
    if found == 0 {
        return Err(AnchorProblem::Missing);
    }
    if count == 1 && found > 1 {
        return Err(AnchorProblem::Ambiguous(found));
    }
    // Overlapping occurrences cannot all be edited: the count cannot match then.
    if found != count || text.matches(anchor).count() != found {
        return Err(AnchorProblem::Count {
            expected: count,
            found,
        });
    }
    let edited = match action {
        Action::Replace(new) => new.clone(),
        Action::InsertBefore(new) => format!("{new}{anchor}"),
        Action::InsertAfter(new) => format!("{anchor}{new}"),
    };
    Ok(text.replace(anchor, &edited))
}

/// Counts occurrences of `needle` in `text`, overlapping ones included.
fn occurrences(text: &str, needle: &str) -> usize {
    let mut count = 0;
    let mut from = 0;
    while let Some(i) = text[from..].find(needle) {
        count += 1;
        // Step one character (not one byte) so slicing stays on a char boundary.
        let step = text[from + i..].chars().next().map_or(1, char::len_utf8);
        from += i + step;
    }
    count
}

/// A patch set held in memory: new files plus anchored edits.
#[derive(Debug, Clone, Default)]
pub struct PatchSet {
    /// Human-readable name used in errors (e.g. `std patch set 1.95`).
    pub name: String,
    /// New files: path relative to the tree root and contents.
    pub files: Vec<(String, Vec<u8>)>,
    /// Edits of existing files.
    pub edits: EditList,
}

impl PatchSet {
    /// Builds a patch set from `(relative path, bytes)` pairs of a patch-set directory
    /// (paths like `files/std/src/x.rs`, `edits.toml`; other files are ignored).
    pub fn from_entries<'a>(
        name: &str,
        entries: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Result<Self, Error> {
        let mut set = PatchSet {
            name: name.to_owned(),
            ..PatchSet::default()
        };
        for (path, bytes) in entries {
            if let Some(rel) = path.strip_prefix("files/") {
                set.files.push((rel.to_owned(), bytes.to_vec()));
            } else if path == "edits.toml" {
                let text = std::str::from_utf8(bytes).map_err(|_| Error::PatchFormat {
                    origin: format!("{name}/edits.toml"),
                    reason: "not valid UTF-8".to_owned(),
                })?;
                set.edits = EditList::parse(text, &format!("{name}/edits.toml"))?;
            }
        }
        set.files.sort();
        Ok(set)
    }

    /// Applies the patch set to the (fresh, pristine) tree at `root`: copies `files/` first,
    /// then runs the edits in order. Fails on the first problem, naming file and anchor.
    pub fn apply(&self, root: &Path) -> Result<(), Error> {
        for (rel, bytes) in &self.files {
            let dest = root.join(rel);
            if dest.exists() {
                return Err(Error::PatchFileExists {
                    patch_set: self.name.clone(),
                    path: dest,
                });
            }
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
            }
            std::fs::write(&dest, bytes).map_err(|e| Error::io("write", &dest, e))?;
        }
        for edit in &self.edits.edits {
            let path: PathBuf = root.join(&edit.file);
            let text = std::fs::read_to_string(&path).map_err(|e| Error::PatchTarget {
                patch_set: self.name.clone(),
                path: path.clone(),
                source: e,
            })?;
            let patched =
                apply_edit(&text, &edit.anchor, edit.count, &edit.action).map_err(|problem| {
                    Error::Anchor {
                        patch_set: self.name.clone(),
                        file: edit.file.clone(),
                        anchor: edit.anchor.clone(),
                        problem,
                    }
                })?;
            std::fs::write(&path, patched).map_err(|e| Error::io("write", &path, e))?;
        }
        for r in &self.edits.rewrites {
            r.apply(root, &self.name)?;
        }
        Ok(())
    }
}

/// The state of a dry run: files as the patch sets so far left them (read lazily from the tree).
#[derive(Debug, Default)]
pub struct DryRun {
    texts: std::collections::BTreeMap<String, String>,
    added: Vec<String>,
}

impl PatchSet {
    /// Applies the patch set to `root` in memory only (after earlier sets in `run`), continuing
    /// past problems: one line per new file that already exists, missing file, or edit whose
    /// anchor no longer matches (naming file and anchor). Rewrites are not checked here.
    pub fn check(&self, root: &Path, run: &mut DryRun) -> Vec<String> {
        let mut problems = Vec::new();
        for (rel, bytes) in &self.files {
            if root.join(rel).exists() || run.added.contains(rel) {
                problems.push(format!("{}: new file `{rel}` already exists", self.name));
            }
            run.added.push(rel.clone());
            run.texts
                .insert(rel.clone(), String::from_utf8_lossy(bytes).into_owned());
        }
        for edit in &self.edits.edits {
            if !run.texts.contains_key(&edit.file) {
                match std::fs::read_to_string(root.join(&edit.file)) {
                    Ok(text) => {
                        run.texts.insert(edit.file.clone(), text);
                    }
                    Err(e) => {
                        problems.push(format!("{}: `{}`: {e}", self.name, edit.file));
                        continue;
                    }
                }
            }
            let Some(text) = run.texts.get_mut(&edit.file) else {
                continue;
            };
            match apply_edit(text, &edit.anchor, edit.count, &edit.action) {
                Ok(patched) => *text = patched,
                Err(problem) => problems.push(
                    Error::Anchor {
                        patch_set: self.name.clone(),
                        file: edit.file.clone(),
                        anchor: edit.anchor.clone(),
                        problem,
                    }
                    .to_string(),
                ),
            }
        }
        problems
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn apply_edit_table() {
        use Action::*;
        // (text, anchor, count, action, expected)
        type Case<'a> = (
            &'a str,
            &'a str,
            usize,
            Action,
            Result<&'a str, AnchorProblem>,
        );
        let cases: &[Case<'_>] = &[
            ("a X b", "X", 1, Replace("Y".into()), Ok("a Y b")),
            ("a X b", "X", 1, InsertBefore("Y".into()), Ok("a YX b")),
            ("a X b", "X", 1, InsertAfter("Y".into()), Ok("a XY b")),
            ("a X b", "X", 1, Replace(String::new()), Ok("a  b")),
            ("X", "X", 1, InsertAfter("\nZ".into()), Ok("X\nZ")),
            (
                "a b",
                "X",
                1,
                Replace("Y".into()),
                Err(AnchorProblem::Missing),
            ),
            (
                "X X",
                "X",
                1,
                Replace("Y".into()),
                Err(AnchorProblem::Ambiguous(2)),
            ),
            // Overlapping occurrences count too: the anchor is not unique.
            (
                "XXX",
                "XX",
                1,
                Replace("Y".into()),
                Err(AnchorProblem::Ambiguous(2)),
            ),
            (
                "unix => {\n",
                "unix => {",
                1,
                Replace("any(unix, W) => {".into()),
                Ok("any(unix, W) => {\n"),
            ),
            // `count`: exactly that many occurrences, each edited.
            ("X a X", "X", 2, Replace("Y".into()), Ok("Y a Y")),
            ("X a X", "X", 2, InsertAfter("!".into()), Ok("X! a X!")),
            (
                "X a X a X",
                "X",
                2,
                Replace("Y".into()),
                Err(AnchorProblem::Count {
                    expected: 2,
                    found: 3,
                }),
            ),
            (
                "X a",
                "X",
                2,
                Replace("Y".into()),
                Err(AnchorProblem::Count {
                    expected: 2,
                    found: 1,
                }),
            ),
            // Two overlapping occurrences cannot both be edited.
            (
                "aaa",
                "aa",
                2,
                Replace("Y".into()),
                Err(AnchorProblem::Count {
                    expected: 2,
                    found: 2,
                }),
            ),
        ];
        for (text, anchor, count, action, want) in cases {
            let got = apply_edit(text, anchor, *count, action);
            assert_eq!(
                got.as_deref().map_err(|e| *e),
                want.as_deref().map_err(|e| *e),
                "text {text:?} anchor {anchor:?} count {count} action {action:?}"
            );
        }
    }

    #[test]
    fn parse_table() {
        let ok = r#"
[[edit]]
file = "std/src/a.rs"
anchor = "foo"
replace = "bar"

[[edit]]
file = "std/src/b.rs"
anchor = "x"
insert_after = """
y"""
"#;
        let list = EditList::parse(ok, "t").expect("valid");
        assert_eq!(list.edits.len(), 2);
        assert_eq!(list.edits[0].action, Action::Replace("bar".into()));
        assert_eq!(list.edits[1].action, Action::InsertAfter("y".into()));
        assert_eq!(EditList::parse("", "t").expect("empty ok").edits.len(), 0);

        let bad: &[(&str, &str)] = &[
            ("[[edit]]\nfile='a'\nanchor='x'\n", "exactly one of"),
            (
                "[[edit]]\nfile='a'\nanchor='x'\ncount=0\nreplace='1'\n",
                "at least 1",
            ),
            (
                "[[edit]]\nfile='a'\nanchor='x'\nreplace='1'\ninsert_after='2'\n",
                "exactly one of",
            ),
            (
                "[[edit]]\nfile='a'\nanchor=''\nreplace='1'\n",
                "empty anchor",
            ),
            (
                "[[edit]]\nfile='../a'\nanchor='x'\nreplace='1'\n",
                "inside the tree",
            ),
            (
                "[[edit]]\nfile='/a'\nanchor='x'\nreplace='1'\n",
                "inside the tree",
            ),
            (
                "[[edit]]\nfile='a'\nanchor='x'\nreplce='1'\n",
                "unknown field",
            ),
            ("[[edit]]\nanchor='x'\nreplace='1'\n", "missing field"),
            ("[[edits]]\n", "unknown field"),
        ];
        assert_parse_errors(bad);
    }

    /// Each text fails to parse with an error holding its needle and naming the file.
    pub(crate) fn assert_parse_errors(bad: &[(&str, &str)]) {
        for (text, needle) in bad {
            let err = EditList::parse(text, "set/edits.toml")
                .expect_err(text)
                .to_string();
            assert!(err.contains(needle), "{text:?}: {err}");
            assert!(err.contains("set/edits.toml"), "{err}");
        }
    }

    #[test]
    fn apply_to_tree() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("std/src")).expect("mkdir");
        std::fs::write(root.join("std/src/lib.rs"), "mod a;\nmod b;\n").expect("write");
        let edits = "[[edit]]\nfile = 'std/src/lib.rs'\nanchor = 'mod b;'\ninsert_after = \"\\nmod c;\"\n\
                     [[edit]]\nfile = 'std/src/lib.rs'\nanchor = 'mod c;'\nreplace = 'mod wasix;'\n";
        let set = PatchSet::from_entries(
            "test set",
            [
                ("files/std/src/sys/new.rs", b"// new\n".as_slice()),
                ("edits.toml", edits.as_bytes()),
                ("README.md", b"ignored".as_slice()),
            ],
        )
        .expect("parse");
        set.apply(root).expect("apply");
        assert_eq!(
            std::fs::read_to_string(root.join("std/src/lib.rs")).expect("read"),
            "mod a;\nmod b;\nmod wasix;\n"
        );
        assert_eq!(
            std::fs::read_to_string(root.join("std/src/sys/new.rs")).expect("read"),
            "// new\n"
        );
        assert!(!root.join("README.md").exists());

        // A second application fails loudly instead of silently doubling text.
        let err = set.apply(root).expect_err("re-apply").to_string();
        assert!(err.contains("already exists"), "{err}");
    }

    #[test]
    fn errors_name_file_and_anchor() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("f.rs"), "one two two\n").expect("write");
        let cases = [
            ("three", 1, "not found"),
            ("two", 1, "occurs 2 times"),
            ("two", 3, "`count` says 3"),
        ];
        for (anchor, count, needle) in cases {
            let set = PatchSet {
                name: "std patch set 9.99".into(),
                files: vec![],
                edits: EditList {
                    edits: vec![Edit {
                        file: "f.rs".into(),
                        anchor: anchor.into(),
                        count,
                        action: Action::Replace("x".into()),
                    }],
                    rewrites: vec![],
                },
            };
            let err = set.apply(dir.path()).expect_err(anchor).to_string();
            assert!(err.contains(needle), "{err}");
            assert!(err.contains("`f.rs`"), "{err}");
            assert!(err.contains(anchor), "{err}");
            assert!(err.contains("std patch set 9.99"), "{err}");
        }
        let set = PatchSet {
            name: "s".into(),
            files: vec![],
            edits: EditList {
                edits: vec![Edit {
                    file: "missing.rs".into(),
                    anchor: "a".into(),
                    count: 1,
                    action: Action::Replace("x".into()),
                }],
                rewrites: vec![],
            },
        };
        let err = set.apply(dir.path()).expect_err("missing file").to_string();
        assert!(err.contains("missing.rs"), "{err}");
    }

    #[test]
    fn dry_run_reports_every_problem_and_chains_sets() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.rs"), "one two\n").expect("write");
        let first = PatchSet {
            name: "first".into(),
            files: vec![("new.rs".into(), b"fresh".to_vec())],
            edits: EditList::parse(
                "[[edit]]\nfile = \"a.rs\"\nanchor = \"one\"\nreplace = \"uno\"\n\
                 [[edit]]\nfile = \"a.rs\"\nanchor = \"gone\"\nreplace = \"x\"\n\
                 [[edit]]\nfile = \"missing.rs\"\nanchor = \"x\"\nreplace = \"y\"\n",
                "first",
            )
            .expect("parse"),
        };
        // The second set sees the first one's result and its new file.
        let second = PatchSet {
            name: "second".into(),
            files: vec![],
            edits: EditList::parse(
                "[[edit]]\nfile = \"a.rs\"\nanchor = \"uno\"\ninsert_after = \"!\"\n\
                 [[edit]]\nfile = \"new.rs\"\nanchor = \"fresh\"\ninsert_before = \"so \"\n",
                "second",
            )
            .expect("parse"),
        };
        let mut run = DryRun::default();
        let problems = first.check(dir.path(), &mut run);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].contains("`a.rs`") && problems[0].contains("gone"),
            "{problems:?}"
        );
        assert!(problems[1].contains("missing.rs"), "{problems:?}");
        assert!(second.check(dir.path(), &mut run).is_empty());
        // Nothing was written.
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.rs")).expect("read"),
            "one two\n"
        );
        assert!(!dir.path().join("new.rs").exists());
    }
}

//! Removing the libc.a members libwasix replaces, with llvm-ar: member lists are parsed and
//! checked by a pure core, so a missing or duplicated name fails before the archive is touched.

use std::path::Path;
use std::process::Command;

use crate::error::{Error, Result};
use crate::toolchain::{display_command, run_bytes, run_stdout};
use crate::wrapped::{Wrapped, defined_signature};

/// Parses `replaced-libc-members.txt`: one member per line; blank lines and `#` comments are
/// ignored, surrounding whitespace trimmed.
pub fn parse_member_list(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Checks that every member to delete occurs exactly once in the archive listing
/// (`llvm-ar t` output). Some names (e.g. `errno.c.obj`) occur twice in wasi-libc's libc.a;
/// deleting by such a name would remove an arbitrary one, so that is refused.
pub fn check_deletions(listing: &[&str], delete: &[String]) -> Result<(), String> {
    let mut problems = Vec::new();
    for (i, name) in delete.iter().enumerate() {
        if delete[..i].contains(name) {
            problems.push(format!("`{name}` is listed twice"));
            continue;
        }
        match listing.iter().filter(|m| **m == name).count() {
            1 => {}
            0 => problems.push(format!("member `{name}` is not in the archive")),
            n => problems.push(format!(
                "member name `{name}` occurs {n} times in the archive, cannot delete it unambiguously"
            )),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Lists the members of `archive`.
pub fn list_members(llvm_ar: &Path, archive: &Path) -> Result<Vec<String>> {
    let out = run_stdout(Command::new(llvm_ar).arg("t").arg(archive), AR_HELP)?;
    Ok(out.lines().map(str::to_owned).collect())
}

/// Deletes `members` from `archive` in place (llvm-ar rewrites the symbol index), then
/// verifies they are gone.
pub fn delete_members(llvm_ar: &Path, archive: &Path, members: &[String]) -> Result<()> {
    if members.is_empty() {
        return Ok(());
    }
    let before = list_members(llvm_ar, archive)?;
    let listing: Vec<&str> = before.iter().map(String::as_str).collect();
    check_deletions(&listing, members).map_err(|reason| Error::Archive {
        path: archive.to_owned(),
        reason: format!(
            "{reason}\nhelp: fix libwasix/replaced-libc-members.txt (members come from `llvm-ar t`)"
        ),
    })?;
    let mut cmd = Command::new(llvm_ar);
    cmd.arg("d").arg(archive).args(members);
    run_stdout(&mut cmd, AR_HELP)?;
    let after = list_members(llvm_ar, archive)?;
    if let Some(left) = members.iter().find(|m| after.contains(m)) {
        return Err(Error::Archive {
            path: archive.to_owned(),
            reason: format!(
                "`{left}` is still present after `{}`",
                display_command(&cmd)
            ),
        });
    }
    Ok(())
}

/// Checks that each wrapped function is still defined by its libc.a member with the signature
/// libwasix's `__real_NAME` declares (`libwasix/wrapped-libc-symbols.txt`).
pub fn check_wrapped(llvm_ar: &Path, archive: &Path, rows: &[Wrapped]) -> Result<()> {
    for row in rows {
        let object = run_bytes(
            Command::new(llvm_ar).arg("p").arg(archive).arg(&row.member),
            AR_HELP,
        )?;
        let problem = match defined_signature(&object, &row.name) {
            Ok(found) if found == row.signature => continue,
            Ok(found) => format!(
                "member `{}` defines `{}` as {found}, libwasix declares {}",
                row.member, row.name, row.signature
            ),
            Err(reason) => format!("member `{}`: {reason}", row.member),
        };
        return Err(Error::Archive {
            path: archive.to_owned(),
            reason: format!(
                "{problem}\nhelp: this wasi-libc differs from the one libwasix wraps; update \
                 libwasix/wrapped-libc-symbols.txt and libwasix/src/wrapped.rs together"
            ),
        });
    }
    Ok(())
}

const AR_HELP: &str = "install llvm-ar with `rustup component add llvm-tools`";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_member_list_table() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("a.o\nb.o\n", &["a.o", "b.o"]),
            (
                "# comment\n\n  accept-wasip1.c.obj  \n",
                &["accept-wasip1.c.obj"],
            ),
            ("send.c.obj # whole member\r\n", &["send.c.obj"]),
        ];
        for (text, want) in cases {
            assert_eq!(parse_member_list(text), *want, "{text:?}");
        }
    }

    #[test]
    fn check_deletions_table() {
        let listing = ["errno.c.obj", "send.c.obj", "recv.c.obj", "errno.c.obj"];
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases: &[(&[&str], Option<&str>)] = &[
            (&[], None),
            (&["send.c.obj", "recv.c.obj"], None),
            (&["errno.c.obj"], Some("occurs 2 times")),
            (&["shutdown.c.obj"], Some("not in the archive")),
            (&["send.c.obj", "send.c.obj"], Some("listed twice")),
        ];
        for (delete, want) in cases {
            let got = check_deletions(&listing, &owned(delete));
            match want {
                None => assert_eq!(got, Ok(()), "{delete:?}"),
                Some(needle) => {
                    let err = got.expect_err("should fail");
                    assert!(err.contains(needle), "{delete:?}: {err}");
                }
            }
        }
    }
}

//! Finding clang (with the WebAssembly backend) and llvm-ar on this machine: the candidate
//! order is pure and tested; probing runs each candidate's `--version` (`which` resolves
//! names on `PATH`). Nothing is bundled (DESIGN.md §7).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Oldest clang we accept: 18 is the first to know the `wasm32-wasip1-threads` triple.
pub const MIN_CLANG_MAJOR: u32 = 18;

/// Newest versioned name tried (`clang-30`), counting down.
const NEWEST_TRIED: u32 = 30;

/// Where a candidate came from (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A user's target variable, e.g. `CC_wasm32_wasmer_wasi`.
    Env(String),
    /// `$WASI_SDK_PATH/bin`.
    WasiSdk,
    /// A name looked up on `PATH`.
    Path,
    /// rustup's `llvm-tools` component.
    Rustup,
}

/// A program to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub program: PathBuf,
    pub origin: Origin,
}

/// A program that answered its version check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    /// The first line of `--version`.
    pub version: String,
    /// The LLVM/clang major version.
    pub major: u32,
    pub origin: Origin,
}

/// The candidates every tool list starts with: the user's `<var>_<target>` (either spelling),
/// then wasi-sdk's `bin/<tool>`. Returns true when the user set the variable: a user's choice
/// is final (a broken one is reported, not silently replaced).
fn user_then_sdk(
    var: &str,
    tool: &str,
    target: &str,
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut Vec<Candidate>,
) -> bool {
    for name in super::flags::target_var_names(var, target) {
        if let Some(value) = env(&name).filter(|v| !v.trim().is_empty()) {
            out.push(Candidate {
                program: PathBuf::from(value),
                origin: Origin::Env(name),
            });
            return true;
        }
    }
    if let Some(sdk) = env("WASI_SDK_PATH").filter(|v| !v.is_empty()) {
        out.push(Candidate {
            program: Path::new(&sdk).join("bin").join(tool),
            origin: Origin::WasiSdk,
        });
    }
    false
}

/// clang candidates, best first: the user's `CC_<target>` (either spelling), wasi-sdk's
/// clang, `clang`, then `clang-NN` newest first. Of those on `PATH`, [`probe_clang`] takes
/// the newest that works.
pub fn clang_candidates(target: &str, env: &dyn Fn(&str) -> Option<String>) -> Vec<Candidate> {
    let mut out = Vec::new();
    if user_then_sdk("CC", "clang", target, env, &mut out) {
        return out;
    }
    out.push(Candidate {
        program: "clang".into(),
        origin: Origin::Path,
    });
    for major in (MIN_CLANG_MAJOR..=NEWEST_TRIED).rev() {
        out.push(Candidate {
            program: format!("clang-{major}").into(),
            origin: Origin::Path,
        });
    }
    out
}

/// llvm-ar candidates for a clang of `major`: the user's `AR_<target>`, wasi-sdk's, the one
/// beside clang, `llvm-ar-<major>`, rustup's llvm-tools copy (as new as rustc's LLVM), then
/// whatever `llvm-ar` is on `PATH` ([`probe_ar`] refuses one older than clang).
pub fn ar_candidates(
    target: &str,
    clang: &Path,
    major: u32,
    rustup_ar: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    if user_then_sdk("AR", "llvm-ar", target, env, &mut out) {
        return out;
    }
    if clang.parent().is_some_and(|p| !p.as_os_str().is_empty()) {
        out.push(Candidate {
            program: clang.with_file_name("llvm-ar"),
            origin: Origin::Path,
        });
    }
    out.push(Candidate {
        program: format!("llvm-ar-{major}").into(),
        origin: Origin::Path,
    });
    if let Some(ar) = rustup_ar {
        out.push(Candidate {
            program: ar.to_owned(),
            origin: Origin::Rustup,
        });
    }
    out.push(Candidate {
        program: "llvm-ar".into(),
        origin: Origin::Path,
    });
    out
}

/// The major version in a `--version` first line: `Debian clang version 19.1.7 (3~deb12u1)`,
/// `clang version 20.1.0`, `LLVM version 19.1.7` (llvm-ar prints that on a later line).
pub fn parse_major(text: &str) -> Option<u32> {
    text.lines().find_map(|line| {
        let rest = line
            .split_once("clang version ")
            .or_else(|| line.split_once("LLVM version "))?
            .1;
        rest.split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    })
}

/// The C++ driver beside a clang: `clang-19` → `clang++-19`, `clang` → `clang++`; clang
/// itself when there is none (it compiles `.cpp` files as C++ by their extension).
pub fn cxx_for(clang: &Path) -> PathBuf {
    let name = clang
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cxx_name = match name.strip_prefix("clang") {
        Some(rest) if !rest.starts_with("++") => format!("clang++{rest}"),
        _ => return clang.to_owned(),
    };
    let cxx = clang.with_file_name(cxx_name);
    if cxx.is_file() { cxx } else { clang.to_owned() }
}

/// Why a candidate was passed over (kept for the error message).
#[derive(Debug, Clone)]
pub struct Rejected {
    pub program: PathBuf,
    pub reason: String,
}

/// The first clang candidate that exists, reports a version >= [`MIN_CLANG_MAJOR`] and lists
/// the `wasm32` backend in `--print-targets`.
pub fn probe_clang(candidates: &[Candidate]) -> (Option<Found>, Vec<Rejected>) {
    let mut rejected = Vec::new();
    let mut on_path = Vec::new();
    for candidate in candidates {
        let Some(path) = resolve(&candidate.program) else {
            if candidate.origin != Origin::Path {
                rejected.push(Rejected {
                    program: candidate.program.clone(),
                    reason: "not found".to_owned(),
                });
            }
            continue;
        };
        // `clang` is often a link to one of the `clang-NN` names: probe each binary once.
        let real = std::fs::canonicalize(&path).ok();
        if real.is_some()
            && on_path
                .iter()
                .any(|f: &Found| std::fs::canonicalize(&f.path).ok() == real)
        {
            continue;
        }
        match check_clang(&path) {
            Ok((version, major)) => {
                let found = Found {
                    path,
                    version,
                    major,
                    origin: candidate.origin.clone(),
                };
                if candidate.origin != Origin::Path {
                    // The user's variable or wasi-sdk: their choice, taken as it is.
                    return (Some(found), rejected);
                }
                on_path.push(found);
            }
            Err(reason) => rejected.push(Rejected {
                program: path,
                reason,
            }),
        }
    }
    (newest(on_path), rejected)
}

/// Of the clangs found on `PATH` (in candidate order), the newest: only clang 20+ can build
/// C that uses setjmp/longjmp for our runtime ([`super::flags::sjlj_flags`]), so a Debian
/// machine with both `clang` (19) and `clang-22` uses 22. The first wins a tie.
pub fn newest(found: Vec<Found>) -> Option<Found> {
    found.into_iter().reduce(
        |best, next| {
            if next.major > best.major { next } else { best }
        },
    )
}

/// The first llvm-ar candidate whose `--version` names LLVM `min_major` or newer (an older
/// llvm-ar cannot read newer clang's objects, and an archive without a symbol index does
/// not link). The user's own choice is taken as it is.
pub fn probe_ar(candidates: &[Candidate], min_major: u32) -> Option<Found> {
    candidates.iter().find_map(|candidate| {
        let path = resolve(&candidate.program)?;
        let text = version_text(&path, "--version").ok()?;
        let major = parse_major(&text)?;
        if major < min_major && !matches!(candidate.origin, Origin::Env(_)) {
            return None;
        }
        Some(Found {
            version: text
                .lines()
                .find(|l| l.contains("LLVM version"))?
                .trim()
                .to_owned(),
            path,
            major,
            origin: candidate.origin.clone(),
        })
    })
}

fn resolve(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_owned());
    }
    which::which(program.as_os_str()).ok()
}

fn check_clang(path: &Path) -> Result<(String, u32), String> {
    let text = version_text(path, "--version")?;
    let first = text.lines().next().unwrap_or_default().trim().to_owned();
    let major = parse_major(&text).ok_or_else(|| format!("`{first}` is not clang"))?;
    if major < MIN_CLANG_MAJOR {
        return Err(format!(
            "clang {major} is too old (the wasm32-wasip1-threads target needs clang {MIN_CLANG_MAJOR} or newer)"
        ));
    }
    let targets = version_text(path, "--print-targets")?;
    if !targets
        .lines()
        .any(|l| l.trim_start().starts_with("wasm32"))
    {
        return Err(
            "built without the WebAssembly backend (`--print-targets` has no wasm32)".to_owned(),
        );
    }
    Ok((first, major))
}

fn version_text(path: &Path, arg: impl AsRef<OsStr>) -> Result<String, String> {
    let out = Command::new(path)
        .arg(arg)
        .output()
        .map_err(|e| format!("failed to run: {e}"))?;
    if !out.status.success() {
        return Err(format!("exited with {}", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k: &str| map.get(k).cloned()
    }

    fn programs(c: &[Candidate]) -> Vec<String> {
        c.iter().map(|c| c.program.display().to_string()).collect()
    }

    #[test]
    fn newest_clang_on_path_wins() {
        let found = |name: &str, major: u32| Found {
            path: name.into(),
            version: format!("clang version {major}.1.0"),
            major,
            origin: Origin::Path,
        };
        let pick = |list: Vec<Found>| newest(list).map(|f| f.path.display().to_string());
        assert_eq!(
            pick(vec![
                found("clang", 19),
                found("clang-22", 22),
                found("clang-19", 19)
            ]),
            Some("clang-22".to_owned())
        );
        // A plain `clang` newer than every versioned name, and ties going to the first.
        assert_eq!(
            pick(vec![found("clang", 21), found("clang-20", 20)]),
            Some("clang".to_owned())
        );
        assert_eq!(
            pick(vec![found("clang", 22), found("clang-22", 22)]),
            Some("clang".to_owned())
        );
        assert_eq!(pick(Vec::new()), None);
    }

    #[test]
    fn clang_candidate_order() {
        let t = "wasm32-wasmer-wasi";
        let none = clang_candidates(t, &env_of(&[]));
        assert_eq!(programs(&none)[..3], ["clang", "clang-30", "clang-29"]);
        assert_eq!(programs(&none).last().map(String::as_str), Some("clang-18"));

        let sdk = clang_candidates(t, &env_of(&[("WASI_SDK_PATH", "/opt/wasi-sdk")]));
        assert_eq!(programs(&sdk)[..2], ["/opt/wasi-sdk/bin/clang", "clang"]);
        assert_eq!(sdk[0].origin, Origin::WasiSdk);

        // The user's variable is the only candidate, either spelling, hyphens first.
        for (var, both) in [
            ("CC_wasm32_wasmer_wasi", false),
            ("CC_wasm32-wasmer-wasi", true),
        ] {
            let mut pairs = vec![(var, "/my/clang"), ("WASI_SDK_PATH", "/sdk")];
            if both {
                pairs.push(("CC_wasm32_wasmer_wasi", "/other"));
            }
            let user = clang_candidates(t, &env_of(&pairs));
            assert_eq!(programs(&user), ["/my/clang"], "{var}");
            assert_eq!(user[0].origin, Origin::Env(var.to_owned()));
        }
    }

    #[test]
    fn ar_candidate_order() {
        let t = "wasm32-wasmer-wasi";
        let rustup = PathBuf::from("/r/llvm-ar");
        let got = ar_candidates(
            t,
            Path::new("/usr/bin/clang-19"),
            19,
            Some(&rustup),
            &env_of(&[]),
        );
        assert_eq!(
            programs(&got),
            ["/usr/bin/llvm-ar", "llvm-ar-19", "/r/llvm-ar", "llvm-ar"]
        );
        let user = ar_candidates(
            t,
            Path::new("clang"),
            19,
            None,
            &env_of(&[("AR_wasm32_wasmer_wasi", "/x/ar")]),
        );
        assert_eq!(programs(&user), ["/x/ar"]);
    }

    #[test]
    fn version_lines() {
        let cases = [
            (
                "Debian clang version 19.1.7 (3~deb12u1)\nTarget: x86_64",
                Some(19),
            ),
            ("clang version 22.1.8\n", Some(22)),
            ("Apple clang version 15.0.0 (clang-1500.3.9.4)", Some(15)),
            (
                "LLVM (http://llvm.org/):\n  LLVM version 19.1.7\n",
                Some(19),
            ),
            ("gcc (Debian 12.2.0-14) 12.2.0", None),
        ];
        for (text, major) in cases {
            assert_eq!(parse_major(text), major, "{text:?}");
        }
    }

    #[test]
    fn cxx_driver_names() {
        let dir = tempfile::tempdir().unwrap();
        let clang = dir.path().join("clang-19");
        let cxx = dir.path().join("clang++-19");
        assert_eq!(cxx_for(&clang), clang, "no clang++-19 yet: clang itself");
        std::fs::write(&cxx, "").unwrap();
        assert_eq!(cxx_for(&clang), cxx);
        assert_eq!(cxx_for(Path::new("/x/gcc")), PathBuf::from("/x/gcc"));
    }
}

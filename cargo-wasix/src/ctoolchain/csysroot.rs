//! The C sysroot beside the Rust one: `<cache>/c-sysroot-<key>/` holding wasi-libc's headers
//! (linked or copied from where the system has them), our WASIX headers, and the cmake
//! toolchain file. No libc: C objects only need headers and flags, and the Rust link step
//! already links the sysroot's libc.a (docs/c-dependencies.md). The one library of our own is
//! the setjmp/longjmp runtime, compiled here for clangs that can use it. Built in a work dir
//! under the cache lock and published with one rename, like the Rust sysroot.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::flags::CLANG_TARGET;
use super::headers::HEADERS;

/// Our setjmp/longjmp runtime (`libwasix/csrc/setjmp.c`), compiled into the C sysroot for
/// clangs that lower setjmp to exnref exceptions.
pub const SETJMP_SOURCE: &str = include_str!("../../../libwasix/csrc/setjmp.c");

/// File name of the compiled setjmp runtime in `lib/<rust target>/`.
pub const SETJMP_LIB: &str = "libwasix-setjmp.a";

/// How to compile the setjmp runtime: the clang and llvm-ar found and the C flags (which
/// carry the SjLj flags).
#[derive(Debug, Clone)]
pub struct SupportBuild<'a> {
    pub clang: &'a Path,
    pub ar: &'a Path,
    pub c_flags: &'a [String],
}

/// Where wasi-libc's headers are, and who said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderSource {
    /// The directory holding `stdio.h`.
    pub include: PathBuf,
    pub origin: String,
    /// The directory holding the matching `libc++.a` and `libc++abi.a`, when there is one.
    pub cxx_libs: Option<PathBuf>,
}

/// The library directory paired with an include directory: `<root>/include/<triple>` ->
/// `<root>/lib/<triple>` (Debian: `/usr/include/wasm32-wasi` -> `/usr/lib/wasm32-wasi`),
/// `<root>/include` -> `<root>/lib`.
pub fn lib_dir_for(include: &Path) -> Option<PathBuf> {
    let parent = include.parent()?;
    if parent.file_name()? == "include" {
        Some(parent.parent()?.join("lib").join(include.file_name()?))
    } else {
        Some(parent.join("lib"))
    }
}

/// Include directories to try, best first: the user's `WASI_SYSROOT`, then wasi-sdk's
/// sysroot, then the distributions' packages (Debian's `wasi-libc`: `/usr/include/wasm32-wasi`;
/// Fedora/Arch: `/usr/share/wasi-sysroot`). Per root, the threads layout first.
pub fn header_candidates(env: &dyn Fn(&str) -> Option<String>) -> Vec<(PathBuf, String)> {
    let mut roots: Vec<(PathBuf, String)> = Vec::new();
    if let Some(root) = env("WASI_SYSROOT").filter(|v| !v.is_empty()) {
        roots.push((root.into(), "WASI_SYSROOT".to_owned()));
    }
    if let Some(sdk) = env("WASI_SDK_PATH").filter(|v| !v.is_empty()) {
        roots.push((
            Path::new(&sdk).join("share").join("wasi-sysroot"),
            "WASI_SDK_PATH".to_owned(),
        ));
    }
    roots.push((
        "/usr/share/wasi-sysroot".into(),
        "wasi-libc package".to_owned(),
    ));
    let mut out = Vec::new();
    for (root, origin) in &roots {
        for sub in [
            "wasm32-wasip1-threads",
            "wasm32-wasi-threads",
            "wasm32-wasi",
        ] {
            out.push((root.join("include").join(sub), origin.clone()));
        }
        // A plain `include/` only under a wasi sysroot: `/usr/include` is the host's.
        out.push((root.join("include"), origin.clone()));
    }
    out.push((
        "/usr/include/wasm32-wasi".into(),
        "wasi-libc package".to_owned(),
    ));
    out
}

/// The first candidate that has wasi-libc's headers (`stdio.h` and `__header_unistd.h`
/// or `wasi/api.h`, so a host include dir never passes).
pub fn find_headers(env: &dyn Fn(&str) -> Option<String>) -> Option<HeaderSource> {
    header_candidates(env)
        .into_iter()
        .find(|(dir, _)| dir.join("stdio.h").is_file() && dir.join("wasi").join("api.h").is_file())
        .map(|(include, origin)| {
            let cxx_libs = lib_dir_for(&include)
                .filter(|lib| lib.join("libc++.a").is_file() && lib.join("libc++abi.a").is_file());
            HeaderSource {
                include,
                origin,
                cxx_libs,
            }
        })
}

/// The entry directory for these inputs.
pub fn entry_dir(cache_root: &Path, headers: &HeaderSource, tools: &[&Path]) -> PathBuf {
    cache_root.join(format!("c-sysroot-{}", key(headers, tools)))
}

fn key(headers: &HeaderSource, tools: &[&Path]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    headers.include.hash(&mut hasher);
    headers.cxx_libs.hash(&mut hasher);
    tools.hash(&mut hasher);
    HEADERS.hash(&mut hasher);
    SETJMP_SOURCE.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Include directory of our WASIX headers inside an entry.
pub fn wasix_include(entry: &Path) -> PathBuf {
    entry.join("include").join("wasix")
}

/// Where cc looks for the C++ runtime in an entry (`$WASI_SYSROOT/lib/<rust target>`).
pub fn cxx_lib_dir(entry: &Path) -> PathBuf {
    entry.join("lib").join(crate::env::TARGET)
}

/// The setjmp runtime inside an entry (present when it was built for a clang that can).
pub fn setjmp_lib(entry: &Path) -> PathBuf {
    cxx_lib_dir(entry).join(SETJMP_LIB)
}

/// The cmake toolchain file inside an entry.
pub fn cmake_file(entry: &Path) -> PathBuf {
    entry.join("wasix.cmake")
}

/// Makes sure `entry` exists and is complete: wasi-libc's headers at
/// `include/wasm32-wasip1-threads` (a symlink to the system's copy on unix), ours at
/// `include/wasix`, `cmake_text` as the toolchain file, and with `support` the setjmp runtime
/// at [`setjmp_lib`]. Returns whether it was built now.
pub fn ensure(
    cache_root: &Path,
    entry: &Path,
    headers: &HeaderSource,
    cmake_text: &str,
    support: Option<&SupportBuild<'_>>,
    progress: &mut dyn wasix_sysroot::progress::Progress,
) -> Result<bool> {
    let key = entry
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A link to headers that were since uninstalled does not count as complete.
    let usable = |e: &Path| {
        wasix_sysroot::cache::is_complete(e, &key)
            && e.join("include")
                .join(CLANG_TARGET)
                .join("stdio.h")
                .is_file()
            && (support.is_none() || setjmp_lib(e).is_file())
    };
    if usable(entry) {
        return Ok(false);
    }
    let lock = wasix_sysroot::cache::lock(cache_root, progress)?;
    if usable(entry) {
        return Ok(false);
    }
    progress.status(
        "Preparing",
        &format!(
            "C sysroot (wasi-libc headers from `{}`)",
            headers.include.display()
        ),
    );
    let work = wasix_sysroot::cache::work_dir(&lock, entry)?;
    let include = work.join("include");
    std::fs::create_dir_all(&include)
        .with_context(|| format!("failed to create `{}`", include.display()))?;
    link_or_copy(&headers.include, &include.join(CLANG_TARGET))?;
    let ours = wasix_include(&work);
    for (name, text) in HEADERS {
        let path = ours.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("failed to create `{}`", parent.display()))?;
        }
        std::fs::write(&path, text)
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    if let Some(libs) = &headers.cxx_libs {
        let dir = cxx_lib_dir(&work);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("failed to create `{}`", dir.display()))?;
        for name in ["libc++.a", "libc++abi.a"] {
            link_or_copy(&libs.join(name), &dir.join(name))?;
        }
    }
    if let Some(support) = support {
        build_setjmp_lib(support, &work)?;
    }
    let cmake = cmake_file(&work);
    std::fs::write(&cmake, cmake_text)
        .with_context(|| format!("failed to write `{}`", cmake.display()))?;
    wasix_sysroot::cache::publish(&lock, &work, entry, &key)?;
    Ok(true)
}

/// Compiles `setjmp.c` and archives it as [`setjmp_lib`] of `work` (an archive, so a link
/// takes it only when some object calls `__wasm_setjmp`/`__wasm_longjmp`).
fn build_setjmp_lib(support: &SupportBuild<'_>, work: &Path) -> Result<()> {
    let dir = cxx_lib_dir(work);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("failed to create `{}`", dir.display()))?;
    let source = work.join("wasix-setjmp.c");
    std::fs::write(&source, SETJMP_SOURCE)
        .with_context(|| format!("failed to write `{}`", source.display()))?;
    let object = work.join("wasix-setjmp.o");
    let mut compile = std::process::Command::new(support.clang);
    compile
        .args(support.c_flags)
        .args(["-O2", "-c"])
        .arg(&source)
        .arg("-o")
        .arg(&object);
    run_tool(&mut compile)?;
    let mut archive = std::process::Command::new(support.ar);
    archive.arg("rcs").arg(setjmp_lib(work)).arg(&object);
    run_tool(&mut archive)?;
    for file in [&source, &object] {
        std::fs::remove_file(file)
            .with_context(|| format!("failed to remove `{}`", file.display()))?;
    }
    Ok(())
}

/// Runs a tool of the C toolchain; a failure names the command and shows its output.
fn run_tool(cmd: &mut std::process::Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .with_context(|| format!("failed to run {shown}"))?;
    if !out.status.success() {
        anyhow::bail!(
            "failed to build the C sysroot's setjmp runtime: {shown} exited with {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

#[cfg(unix)]
fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    std::os::unix::fs::symlink(from, to)
        .with_context(|| format!("failed to link `{}` to `{}`", to.display(), from.display()))
}

#[cfg(not(unix))]
fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    let copied = if from.is_dir() {
        wasix_sysroot::cache::copy_tree(from, to).map_err(anyhow::Error::from)
    } else {
        std::fs::copy(from, to)
            .map(drop)
            .map_err(anyhow::Error::from)
    };
    copied.with_context(|| format!("failed to copy `{}` to `{}`", from.display(), to.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn header_candidate_order() {
        let env: HashMap<&str, &str> = [("WASI_SYSROOT", "/ws"), ("WASI_SDK_PATH", "/sdk")].into();
        let got: Vec<String> = header_candidates(&|k| env.get(k).map(|v| (*v).to_owned()))
            .into_iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        assert_eq!(
            got,
            [
                "/ws/include/wasm32-wasip1-threads",
                "/ws/include/wasm32-wasi-threads",
                "/ws/include/wasm32-wasi",
                "/ws/include",
                "/sdk/share/wasi-sysroot/include/wasm32-wasip1-threads",
                "/sdk/share/wasi-sysroot/include/wasm32-wasi-threads",
                "/sdk/share/wasi-sysroot/include/wasm32-wasi",
                "/sdk/share/wasi-sysroot/include",
                "/usr/share/wasi-sysroot/include/wasm32-wasip1-threads",
                "/usr/share/wasi-sysroot/include/wasm32-wasi-threads",
                "/usr/share/wasi-sysroot/include/wasm32-wasi",
                "/usr/share/wasi-sysroot/include",
                "/usr/include/wasm32-wasi",
            ]
        );
    }

    #[test]
    fn lib_dirs_pair_with_include_dirs() {
        let cases = [
            ("/usr/include/wasm32-wasi", "/usr/lib/wasm32-wasi"),
            (
                "/sdk/share/wasi-sysroot/include/wasm32-wasip1-threads",
                "/sdk/share/wasi-sysroot/lib/wasm32-wasip1-threads",
            ),
            ("/ws/include", "/ws/lib"),
        ];
        for (include, lib) in cases {
            assert_eq!(
                lib_dir_for(Path::new(include)),
                Some(PathBuf::from(lib)),
                "{include}"
            );
        }
    }

    struct Quiet;
    impl wasix_sysroot::progress::Progress for Quiet {
        fn status(&mut self, _: &str, _: &str) {}
    }

    #[cfg(unix)]
    #[test]
    fn ensure_publishes_once() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("wasi-include");
        std::fs::create_dir_all(fake.join("wasi")).unwrap();
        std::fs::write(fake.join("stdio.h"), "").unwrap();
        std::fs::write(fake.join("wasi/api.h"), "").unwrap();
        let env: HashMap<&str, String> = [("WASI_SYSROOT", fake.display().to_string())].into();
        // A WASI_SYSROOT that is itself the include dir is not a sysroot.
        let found = find_headers(&|k| env.get(k).cloned()).map(|h| h.include);
        assert_ne!(found, Some(fake.clone()));
        let source = HeaderSource {
            include: fake.clone(),
            origin: "test".to_owned(),
            cxx_libs: None,
        };
        let root = dir.path().join("cache");
        let entry = entry_dir(&root, &source, &[Path::new("/bin/clang")]);
        assert!(ensure(&root, &entry, &source, "cmake", None, &mut Quiet).unwrap());
        assert!(!ensure(&root, &entry, &source, "cmake", None, &mut Quiet).unwrap());
        assert!(entry.join("include/wasix/sys/socket.h").is_file());
        assert!(
            entry
                .join("include/wasm32-wasip1-threads/stdio.h")
                .is_file()
        );
        assert_eq!(
            std::fs::read_to_string(cmake_file(&entry)).unwrap(),
            "cmake"
        );
        // Headers uninstalled: the entry is rebuilt, not trusted.
        std::fs::remove_file(fake.join("stdio.h")).unwrap();
        assert!(ensure(&root, &entry, &source, "cmake", None, &mut Quiet).unwrap());
        let other = entry_dir(&root, &source, &[Path::new("/bin/clang-20")]);
        assert_ne!(entry, other);
    }
}

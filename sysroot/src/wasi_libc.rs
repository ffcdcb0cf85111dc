//! Where the self-contained wasi-libc (`libc.a`, `crt1-command.o`, `crt1-reactor.o`) comes from.
//!
//! Up to Rust 1.98 rustup ships it with the `wasm32-wasip1-threads` target of the user's own
//! toolchain (installed through rustup when missing). From 1.99 on that target has no `rust-std`
//! in the channel manifests, so we take the objects from the newest release that ships it
//! ([`FALLBACK_RELEASE`]): its `rust-std-<v>-wasm32-wasip1-threads.tar.gz` from
//! static.rust-lang.org (where rustup downloads from), checked against the sha256 of that
//! release's channel manifest, cached under `<cache>/wasi-libc/<version>/`. The user's rustup
//! state is not changed. Measurements and the offline route: docs/rust-versions.md.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::cache::{self, CacheLock};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::toolchain::{BASE_TARGET, Toolchain};

/// The newest Rust release whose channel has `rust-std` for `wasm32-wasip1-threads`.
pub const FALLBACK_RELEASE: &str = "1.98.0";
/// The first Rust minor without it (measured on the channel manifests, 2026-10).
pub const FIRST_MINOR_WITHOUT: (u64, u64) = (1, 99);
/// The objects we take from the self-contained directory.
pub const OBJECTS: [&str; 3] = ["crt1-command.o", "crt1-reactor.o", "libc.a"];
/// Overrides the distribution server (a mirror, or a local directory served over http).
pub const DIST_ENV: &str = "CARGO_WASIX_DIST_SERVER";
const DIST_SERVER: &str = "https://static.rust-lang.org";

/// Where a toolchain's wasi-libc comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `<toolchain sysroot>/lib/rustlib/wasm32-wasip1-threads/lib/self-contained`.
    Toolchain(PathBuf),
    /// The cached objects of another release (`1.98.0`) in this directory.
    Release { version: String, dir: PathBuf },
}

impl Source {
    /// The directory holding [`OBJECTS`].
    pub fn dir(&self) -> &Path {
        match self {
            Source::Toolchain(dir) | Source::Release { dir, .. } => dir,
        }
    }
}

/// Whether a Rust version's channel ships `wasm32-wasip1-threads` (pure: by version).
pub fn ships_base_target(rustc: &semver::Version) -> bool {
    (rustc.major, rustc.minor) < FIRST_MINOR_WITHOUT
}

/// The source for `tc` without touching the network: its own target when its release ships one,
/// else the cache directory of [`FALLBACK_RELEASE`] (filled by [`ensure`]).
pub fn source_for(tc: &Toolchain, cache_root: &Path) -> Source {
    if ships_base_target(&tc.version.semver) {
        Source::Toolchain(tc.base_self_contained())
    } else {
        Source::Release {
            version: FALLBACK_RELEASE.to_owned(),
            dir: release_dir(cache_root, FALLBACK_RELEASE),
        }
    }
}

/// `<cache>/wasi-libc/<version>`: keyed by the release the objects come from.
pub fn release_dir(cache_root: &Path, version: &str) -> PathBuf {
    cache_root.join("wasi-libc").join(version)
}

/// The channel manifest URL of a release.
pub fn manifest_url(server: &str, version: &str) -> String {
    format!(
        "{}/dist/channel-rust-{version}.toml",
        server.trim_end_matches('/')
    )
}

/// The `.tar.gz` URL and sha256 of `rust-std` for [`BASE_TARGET`] in a channel manifest.
pub fn std_package(manifest: &str) -> std::result::Result<(String, String), String> {
    let value: toml::Table = toml::from_str(manifest).map_err(|e| e.message().to_owned())?;
    let target = value
        .get("pkg")
        .and_then(|p| p.get("rust-std"))
        .and_then(|p| p.get("target"))
        .and_then(|t| t.get(BASE_TARGET))
        .ok_or_else(|| format!("no `pkg.rust-std.target.{BASE_TARGET}`"))?;
    if target.get("available").and_then(toml::Value::as_bool) != Some(true) {
        return Err(format!("`rust-std` for {BASE_TARGET} is not available"));
    }
    let field = |name: &str| {
        target
            .get(name)
            .and_then(toml::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("`pkg.rust-std.target.{BASE_TARGET}.{name}` is missing"))
    };
    let hash = field("hash")?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("`hash = \"{hash}\"` is not a sha256"));
    }
    Ok((field("url")?, hash.to_ascii_lowercase()))
}

/// The path of an object inside the `rust-std` tarball (`rust-std-1.98.0-.../rust-std-.../lib/...`),
/// by its file name, if it is one of [`OBJECTS`] under the self-contained directory.
pub fn object_name(path_in_tar: &str) -> Option<&'static str> {
    let suffix = format!("/lib/rustlib/{BASE_TARGET}/lib/self-contained/");
    let (_, name) = path_in_tar.rsplit_once(&suffix)?;
    OBJECTS.iter().copied().find(|o| *o == name)
}

/// Makes sure the objects of `source` exist: a toolchain source is checked by the component
/// logic; a release source is downloaded once (under the cache lock), verified and unpacked.
pub fn ensure(lock: &CacheLock, source: &Source, progress: &mut dyn Progress) -> Result<()> {
    let server = std::env::var(DIST_ENV)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DIST_SERVER.to_owned());
    ensure_from(lock, source, &server, progress)
}

/// [`ensure`] from a given distribution server (`https://static.rust-lang.org` or a mirror).
pub fn ensure_from(
    lock: &CacheLock,
    source: &Source,
    server: &str,
    progress: &mut dyn Progress,
) -> Result<()> {
    let Source::Release { version, dir } = source else {
        return Ok(());
    };
    if OBJECTS.iter().all(|o| dir.join(o).is_file()) {
        return Ok(());
    }
    let manifest_url = manifest_url(server, version);
    let offline = |url: &str, reason: String| Error::Download {
        url: url.to_owned(),
        reason,
        help: format!(
            "Rust 1.99 and later ship no {BASE_TARGET} target, so cargo-wasix takes wasi-libc from \
             Rust {version}; check the network (or set {DIST_ENV} to a mirror), or offline run \
             `rustup toolchain install {version} --profile minimal -t {BASE_TARGET}` and copy \
             {} from its `lib/rustlib/{BASE_TARGET}/lib/self-contained/` into `{}`",
            OBJECTS.join(", "),
            dir.display()
        ),
    };
    progress.status(
        "Downloading",
        &format!("wasi-libc of Rust {version} ({BASE_TARGET}), once: {manifest_url}"),
    );
    let client = reqwest::blocking::Client::builder()
        .user_agent(concat!("cargo-wasix/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| offline(&manifest_url, chain(&e)))?;
    let text = client
        .get(&manifest_url)
        .send()
        .and_then(reqwest::blocking::Response::error_for_status)
        .and_then(reqwest::blocking::Response::text)
        .map_err(|e| offline(&manifest_url, chain(&e)))?;
    let (url, sha256) = std_package(&text).map_err(|reason| offline(&manifest_url, reason))?;
    // A mirror serves the same paths as static.rust-lang.org.
    let url = match url.strip_prefix(DIST_SERVER) {
        Some(path) if server != DIST_SERVER => format!("{}{path}", server.trim_end_matches('/')),
        _ => url,
    };
    let work = cache::work_dir(lock, dir)?;
    let tarball = work.join("rust-std.tar.gz.partial");
    download(&client, &url, &sha256, &tarball, progress).map_err(|reason| offline(&url, reason))?;
    progress.status("Unpacking", &format!("{} from `{url}`", OBJECTS.join(", ")));
    let found = unpack_objects(&tarball, &work).map_err(|reason| Error::Download {
        url: url.clone(),
        reason,
        help: "the archive's sha256 matched its channel manifest; report this".to_owned(),
    })?;
    if found.len() != OBJECTS.len() {
        return Err(Error::Download {
            url,
            reason: format!("the archive holds only {}", found.join(", ")),
            help: format!(
                "expected {} under lib/rustlib/{BASE_TARGET}/lib/self-contained/",
                OBJECTS.join(", ")
            ),
        });
    }
    std::fs::remove_file(&tarball).map_err(|e| Error::io("remove", &tarball, e))?;
    cache::publish(lock, &work, dir, version)
}

/// Streams `url` into `dest`, hashing as it goes; fails unless the sha256 matches.
fn download(
    client: &reqwest::blocking::Client,
    url: &str,
    sha256: &str,
    dest: &Path,
    progress: &mut dyn Progress,
) -> std::result::Result<(), String> {
    let mut response = client
        .get(url)
        .send()
        .and_then(reqwest::blocking::Response::error_for_status)
        .map_err(|e| chain(&e))?;
    let total = response.content_length();
    let mut file = std::fs::File::create(dest)
        .map_err(|e| format!("failed to create `{}`: {e}", dest.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut done: u64 = 0;
    let mut shown_mib: u64 = 0;
    loop {
        let n = response.read(&mut buf).map_err(|e| chain(&e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])
            .map_err(|e| format!("failed to write `{}`: {e}", dest.display()))?;
        done += n as u64;
        // A line per 4 MiB: the Progress trait is line-based (the CLI shows it as a spinner).
        if done / (4 << 20) > shown_mib {
            shown_mib = done / (4 << 20);
            progress.status("Downloading", &progress_line(done, total));
        }
    }
    let got = format!("{:x}", hasher.finalize());
    if got != sha256 {
        return Err(format!(
            "sha256 mismatch after {done} bytes: got {got}, the channel manifest says {sha256}"
        ));
    }
    Ok(())
}

/// An error and its sources on one line (reqwest's own message hides the cause, e.g. TLS).
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `12.0 MiB of 30.1 MiB` (or without the total when the server sent none).
pub fn progress_line(done: u64, total: Option<u64>) -> String {
    let mib = |b: u64| b as f64 / f64::from(1u32 << 20);
    match total {
        Some(total) => format!("{:.1} MiB of {:.1} MiB", mib(done), mib(total)),
        None => format!("{:.1} MiB", mib(done)),
    }
}

/// Extracts [`OBJECTS`] from the tarball into `dir`; returns the names found.
fn unpack_objects(tarball: &Path, dir: &Path) -> std::result::Result<Vec<&'static str>, String> {
    let file = std::fs::File::open(tarball)
        .map_err(|e| format!("failed to open `{}`: {e}", tarball.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut found = Vec::new();
    for entry in archive.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry
            .path()
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .into_owned();
        let Some(name) = object_name(&path) else {
            continue;
        };
        let dest = dir.join(name);
        let mut out = std::fs::File::create(&dest)
            .map_err(|e| format!("failed to create `{}`: {e}", dest.display()))?;
        std::io::copy(&mut entry, &mut out)
            .map_err(|e| format!("failed to write `{}`: {e}", dest.display()))?;
        found.push(name);
    }
    found.sort_unstable();
    found.dedup();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ships_base_target_table() {
        let cases = [
            ("1.95.0", true),
            ("1.97.0-nightly", true),
            ("1.98.0", true),
            ("1.99.0", false),
            ("1.99.1", false),
            ("1.100.0-beta.7", false),
            ("1.101.0-nightly", false),
        ];
        for (v, want) in cases {
            let v = semver::Version::parse(v).expect("semver");
            assert_eq!(ships_base_target(&v), want, "{v}");
        }
    }

    #[test]
    fn cache_dir_is_keyed_by_release() {
        assert_eq!(
            release_dir(Path::new("/c"), "1.98.0"),
            Path::new("/c/wasi-libc/1.98.0")
        );
        assert_eq!(
            manifest_url("https://static.rust-lang.org/", "1.98.0"),
            "https://static.rust-lang.org/dist/channel-rust-1.98.0.toml"
        );
    }

    #[test]
    fn channel_manifest_table() {
        let ok = r#"
[pkg.rust-std.target.wasm32-wasip1-threads]
available = true
url = "https://static.rust-lang.org/dist/2026-08-20/rust-std-1.98.0-wasm32-wasip1-threads.tar.gz"
hash = "22646B886793cfb3ea6cfbec10f993f4ef73b614489c782e3bb7af45df80628d"
"#;
        let (url, hash) = std_package(ok).expect("parse");
        assert!(url.ends_with("rust-std-1.98.0-wasm32-wasip1-threads.tar.gz"));
        assert_eq!(
            hash,
            "22646b886793cfb3ea6cfbec10f993f4ef73b614489c782e3bb7af45df80628d"
        );
        let cases = [
            (
                "[pkg.rust-std.target.wasm32-wasip1]\navailable = true",
                "no `pkg.rust-std",
            ),
            (
                "[pkg.rust-std.target.wasm32-wasip1-threads]\navailable = false",
                "not available",
            ),
            (
                "[pkg.rust-std.target.wasm32-wasip1-threads]\navailable = true\nhash = \"ab\"\nurl = \"u\"",
                "is not a sha256",
            ),
            (
                "[pkg.rust-std.target.wasm32-wasip1-threads]\navailable = true",
                "`pkg.rust-std.target.wasm32-wasip1-threads.hash` is missing",
            ),
            ("not toml [", ""),
        ];
        for (text, want) in cases {
            let err = std_package(text).expect_err(text);
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    #[test]
    fn object_names_in_the_tarball() {
        let base = "rust-std-1.98.0-wasm32-wasip1-threads/rust-std-wasm32-wasip1-threads/lib/rustlib/wasm32-wasip1-threads/lib";
        let cases = [
            (format!("{base}/self-contained/libc.a"), Some("libc.a")),
            (
                format!("{base}/self-contained/crt1-command.o"),
                Some("crt1-command.o"),
            ),
            (
                format!("{base}/self-contained/crt1-reactor.o"),
                Some("crt1-reactor.o"),
            ),
            (format!("{base}/self-contained/libunwind.a"), None),
            (format!("{base}/libstd-abc.rlib"), None),
            ("manifest.in".to_owned(), None),
        ];
        for (path, want) in cases {
            assert_eq!(object_name(&path), want, "{path}");
        }
    }

    #[test]
    fn progress_lines() {
        assert_eq!(
            progress_line(4 << 20, Some(10 << 20)),
            "4.0 MiB of 10.0 MiB"
        );
        assert_eq!(progress_line(3 << 19, None), "1.5 MiB");
    }

    #[test]
    fn unreachable_server_is_a_clear_error_with_the_offline_route() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = cache::lock(dir.path(), &mut crate::progress::Silent).expect("lock");
        let source = Source::Release {
            version: "1.98.0".into(),
            dir: release_dir(dir.path(), "1.98.0"),
        };
        let mut rec = crate::progress::Recorder::default();
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        let msg = ensure_from(&lock, &source, "http://127.0.0.1:1", &mut rec)
            .expect_err("no server")
            .to_string();
        assert!(
            msg.starts_with(
                "failed to download `http://127.0.0.1:1/dist/channel-rust-1.98.0.toml`: "
            ),
            "{msg}"
        );
        assert!(
            msg.contains(
                "rustup toolchain install 1.98.0 --profile minimal -t wasm32-wasip1-threads"
            ),
            "{msg}"
        );
        assert!(msg.contains(DIST_ENV), "{msg}");
        assert_eq!(rec.lines[0].0, "Downloading", "{:?}", rec.lines);
        assert!(!source.dir().exists(), "nothing published");
        // Objects placed by hand (the offline route) are used without the network.
        std::fs::create_dir_all(source.dir()).expect("mkdir");
        for o in OBJECTS {
            std::fs::write(source.dir().join(o), b"x").expect("write");
        }
        ensure_from(&lock, &source, "http://127.0.0.1:1", &mut rec).expect("offline copy");
    }
}

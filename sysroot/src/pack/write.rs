//! Writing a pack: the manifest first, then each cache entry's files (symlinks kept as links,
//! the completion marker left out), gzip-compressed, hashed while written; published by a
//! rename, with the `.sha256` sidecar beside it.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::manifest::{FORMAT, Manifest, PackedEntry};
use super::{Candidate, PackError, Result};
use crate::cache::MARKER;
use crate::toolchain::Toolchain;

/// A written pack.
#[derive(Debug, Clone)]
pub struct Packed {
    /// The archive.
    pub path: PathBuf,
    /// Its sidecar (`<path>.sha256`).
    pub sha256_path: PathBuf,
    /// The archive's sha256.
    pub sha256: String,
    /// The archive's size in bytes.
    pub size: u64,
    /// What it holds.
    pub manifest: Manifest,
}

/// One file of an entry, in archive order.
struct Member {
    source: PathBuf,
    /// `<entry dir>/<path inside>`, `/`-separated.
    name: String,
    kind: Kind,
}

enum Kind {
    Dir,
    File,
    Link(PathBuf),
}

/// Writes the complete `entries` (cache entries of `toolchain`) into `output`; `progress` gets
/// the bytes written so far and the total.
pub fn write(
    toolchain: &Toolchain,
    entries: &[Candidate],
    output: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Packed> {
    let mut members = Vec::new();
    let mut packed = Vec::new();
    for candidate in entries {
        let (files, bytes) = collect(&candidate.entry, &mut members)?;
        packed.push(PackedEntry {
            dir: dir_name(&candidate.entry),
            target: candidate.target.clone(),
            features: candidate.features.clone(),
            std_patch_set: candidate.std_patch_set.clone(),
            key: candidate.key.clone(),
            files,
            bytes,
        });
    }
    let manifest = Manifest {
        format: FORMAT,
        made_by: super::made_by(),
        rustc: super::rustc_id(toolchain),
        entries: packed,
    };
    let total: u64 = manifest.entries.iter().map(|e| e.bytes).sum();

    let partial = sibling(output, ".partial");
    let result = write_archive(&partial, &manifest, &members, total, progress);
    let (sha256, size) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = fs::remove_file(&partial);
            return Err(e);
        }
    };
    fs::rename(&partial, output).map_err(|e| PackError::io("rename", &partial, e))?;
    let sha256_path = sibling(output, ".sha256");
    let file_name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sidecar_tmp = sibling(output, ".sha256.partial");
    fs::write(&sidecar_tmp, format!("{sha256}  {file_name}\n"))
        .and_then(|()| fs::rename(&sidecar_tmp, &sha256_path))
        .map_err(|e| PackError::io("write", &sha256_path, e))?;
    Ok(Packed {
        path: output.to_owned(),
        sha256_path,
        sha256,
        size,
        manifest,
    })
}

/// `<path><suffix>` (`pack.tar.gz.sha256`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn dir_name(entry: &Path) -> String {
    entry
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Adds the members of one entry (sorted, so equal entries give equal archives); returns its
/// (files + links, file bytes).
fn collect(entry: &Path, members: &mut Vec<Member>) -> Result<(u64, u64)> {
    let dir = dir_name(entry);
    let (mut files, mut bytes) = (0, 0);
    for item in walkdir::WalkDir::new(entry).sort_by_file_name() {
        let item = item.map_err(|e| {
            let path = e.path().unwrap_or(entry).to_owned();
            PackError::io("read", &path, e.into())
        })?;
        let inside = item.path().strip_prefix(entry).unwrap_or(item.path());
        // Install writes the marker itself, last.
        if inside == Path::new(MARKER) {
            continue;
        }
        let mut name = dir.clone();
        for component in inside.components() {
            name.push('/');
            name.push_str(&component.as_os_str().to_string_lossy());
        }
        let file_type = item.file_type();
        let kind = if file_type.is_symlink() {
            let target =
                fs::read_link(item.path()).map_err(|e| PackError::io("read", item.path(), e))?;
            files += 1;
            Kind::Link(target)
        } else if file_type.is_dir() {
            Kind::Dir
        } else {
            let meta = item
                .metadata()
                .map_err(|e| PackError::io("read", item.path(), e.into()))?;
            files += 1;
            bytes += meta.len();
            Kind::File
        };
        members.push(Member {
            source: item.path().to_owned(),
            name,
            kind,
        });
    }
    Ok((files, bytes))
}

/// Hashes and counts what goes to the file.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn write_archive(
    path: &Path,
    manifest: &Manifest,
    members: &[Member],
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(String, u64)> {
    let io = |e: std::io::Error| PackError::io("write", path, e);
    let file = File::create(path).map_err(|e| PackError::io("create", path, e))?;
    let hashing = Hashing {
        inner: BufWriter::new(file),
        hasher: Sha256::new(),
        written: 0,
    };
    let gz = flate2::write::GzEncoder::new(hashing, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    tar.follow_symlinks(false);

    let text = manifest.render();
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, super::MANIFEST_NAME, text.as_slice())
        .map_err(io)?;

    let mut done = 0;
    progress(done, total);
    for member in members {
        match &member.kind {
            Kind::Dir => {
                tar.append_dir(&member.name, &member.source).map_err(io)?;
            }
            Kind::File => {
                let mut file = File::open(&member.source)
                    .map_err(|e| PackError::io("open", &member.source, e))?;
                tar.append_file(&member.name, &mut file).map_err(io)?;
                done += file.metadata().map(|m| m.len()).unwrap_or(0);
                progress(done, total);
            }
            Kind::Link(target) => {
                let mut header = tar::Header::new_gnu();
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                header.set_mode(0o777);
                tar.append_link(&mut header, &member.name, target)
                    .map_err(io)?;
            }
        }
    }
    let gz = tar.into_inner().map_err(io)?;
    let mut hashing = gz.finish().map_err(io)?;
    hashing.flush().map_err(io)?;
    let file = hashing
        .inner
        .into_inner()
        .map_err(|e| PackError::io("write", path, e.into_error()))?;
    file.sync_all().map_err(io)?;
    Ok((format!("{:x}", hashing.hasher.finalize()), hashing.written))
}

//! Installing a pack into the cache: manifest first (checked against the local rustc and this
//! tool's keys before anything is written), then every member into a work directory beside its
//! entry, counted against the manifest, published by one rename with the marker written last.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::manifest::{Expected, MAX_MANIFEST_BYTES, Manifest};
use super::paths::{check_link, is_at_or_below_link, split_member};
use super::{PackError, Result};
use crate::cache::{self, CacheLock};
use crate::embedded::Inputs;
use crate::features::TargetFeatures;
use crate::progress::Progress;
use crate::{Options, Toolchain};

/// What an install did.
#[derive(Debug, Clone)]
pub struct Installed {
    /// The pack's manifest.
    pub manifest: Manifest,
    /// One per manifest entry, in its order.
    pub entries: Vec<InstalledEntry>,
}

/// One installed (or already present) sysroot.
#[derive(Debug, Clone)]
pub struct InstalledEntry {
    /// The target.
    pub target: String,
    /// The cache entry.
    pub entry: PathBuf,
    /// `false` when a complete entry with the same key was there already (and was kept).
    pub written: bool,
}

/// Installs the pack at `archive` into the cache of `options` for `toolchain`. Refuses a pack
/// for another rustc or other embedded inputs, a damaged or truncated one, and members that
/// would leave their entry; in each case the cache is as it was.
pub fn install(
    toolchain: &Toolchain,
    options: &Options,
    archive: &Path,
    progress: &mut dyn Progress,
) -> Result<Installed> {
    let file = File::open(archive).map_err(|e| PackError::io("open", archive, e))?;
    let mut gz = flate2::read::GzDecoder::new(BufReader::new(file));
    let (manifest, targets) = {
        let mut tar = tar::Archive::new(&mut gz);
        let mut members = tar
            .entries()
            .map_err(|e| PackError::damaged(archive, e.to_string()))?;
        let manifest = read_manifest(archive, members.next())?;
        let targets = check(toolchain, options, archive, &manifest)?;

        let root = options.cache_root()?;
        let lock = cache::lock(&root, progress)?;
        cache::remove_stale_work_dirs(&lock, &root)?;
        let mut work = Work::new(&lock, &manifest, &targets)?;
        let unpacked = work
            .unpack(archive, &mut members, progress)
            // The gzip trailer (length and CRC) is only checked when the stream is read to its
            // end (`tar` and its members borrow `gz` only up to here).
            .and_then(|()| {
                std::io::copy(&mut gz, &mut std::io::sink())
                    .map(drop)
                    .map_err(|e| PackError::damaged(archive, format!("after the last member: {e}")))
            })
            .and_then(|()| work.finish(archive, &manifest));
        if let Err(e) = unpacked {
            work.discard();
            return Err(e);
        }
        work.publish()?;
        (manifest, targets)
    };
    let entries = manifest
        .entries
        .iter()
        .zip(targets)
        .map(|(packed, target)| InstalledEntry {
            target: packed.target.clone(),
            entry: target.entry,
            written: !target.present,
        })
        .collect();
    Ok(Installed { manifest, entries })
}

/// The first member must be the manifest.
fn read_manifest<R: Read>(
    archive: &Path,
    first: Option<std::io::Result<tar::Entry<'_, R>>>,
) -> Result<Manifest> {
    let mut first = first
        .ok_or_else(|| PackError::damaged(archive, "the archive is empty"))?
        .map_err(|e| PackError::damaged(archive, e.to_string()))?;
    let path = first
        .path()
        .map_err(|e| PackError::damaged(archive, e.to_string()))?
        .into_owned();
    if path != Path::new(super::MANIFEST_NAME) || first.size() > MAX_MANIFEST_BYTES {
        return Err(PackError::damaged(
            archive,
            format!(
                "its first member is `{}`, not the manifest `{}`",
                path.display(),
                super::MANIFEST_NAME
            ),
        ));
    }
    let mut bytes = Vec::new();
    first
        .read_to_end(&mut bytes)
        .map_err(|e| PackError::damaged(archive, e.to_string()))?;
    Manifest::parse(&bytes).map_err(|reason| PackError::damaged(archive, reason))
}

/// Where one manifest entry goes.
#[derive(Debug, Clone)]
struct Target {
    entry: PathBuf,
    key: String,
    /// A complete entry with this key is already in the cache (kept, not replaced).
    present: bool,
}

/// Checks the manifest against the local rustc and this tool's cache keys.
fn check(
    toolchain: &Toolchain,
    options: &Options,
    archive: &Path,
    manifest: &Manifest,
) -> Result<Vec<Target>> {
    let mismatch = |mismatch| PackError::Mismatch {
        path: archive.to_owned(),
        mismatch,
    };
    manifest
        .check_rustc(&super::rustc_id(toolchain))
        .map_err(mismatch)?;
    let inputs = Inputs::embedded();
    let mut targets = Vec::new();
    let mut expected = Vec::new();
    for packed in &manifest.entries {
        let features = TargetFeatures::parse(&packed.features).map_err(|reason| {
            PackError::damaged(
                archive,
                format!(
                    "its target features `{}` are invalid: {reason}",
                    packed.features
                ),
            )
        })?;
        let options = Options {
            target: packed.target.clone(),
            features,
            ..options.clone()
        };
        let plan = crate::plan(toolchain, &options, &inputs)?;
        let dir = plan
            .entry
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        expected.push(Expected {
            dir,
            key: plan.key.clone(),
        });
        targets.push(Target {
            present: cache::is_complete(&plan.entry, &plan.key),
            entry: plan.entry,
            key: plan.key,
        });
    }
    manifest.check_entries(&expected).map_err(mismatch)?;
    Ok(targets)
}

/// The work directories of one install, by entry directory name.
struct Work<'a> {
    lock: &'a CacheLock,
    dirs: BTreeMap<String, WorkDir>,
}

struct WorkDir {
    /// `None` when the entry is present already (its members are skipped).
    work: Option<PathBuf>,
    entry: PathBuf,
    key: String,
    target: String,
    files: u64,
    bytes: u64,
    /// Symlinks, made after every other member: `(path inside, link target)`.
    links: Vec<(PathBuf, PathBuf)>,
}

impl<'a> Work<'a> {
    fn new(lock: &'a CacheLock, manifest: &Manifest, targets: &[Target]) -> Result<Self> {
        let mut dirs = BTreeMap::new();
        for (packed, target) in manifest.entries.iter().zip(targets) {
            let work = if target.present {
                None
            } else {
                Some(cache::work_dir(lock, &target.entry)?)
            };
            dirs.insert(
                packed.dir.clone(),
                WorkDir {
                    work,
                    entry: target.entry.clone(),
                    key: target.key.clone(),
                    target: packed.target.clone(),
                    files: 0,
                    bytes: 0,
                    links: Vec::new(),
                },
            );
        }
        Ok(Work { lock, dirs })
    }

    fn unpack<R: Read>(
        &mut self,
        archive: &Path,
        members: &mut tar::Entries<'_, R>,
        progress: &mut dyn Progress,
    ) -> Result<()> {
        let damaged = |reason: String| PackError::damaged(archive, reason);
        for target in self.dirs.values().filter(|d| d.work.is_some()) {
            progress.status(
                "Unpacking",
                &format!(
                    "WASIX sysroot for {} into `{}`",
                    target.target,
                    target.entry.display()
                ),
            );
        }
        for member in members {
            let mut member = member.map_err(|e| damaged(e.to_string()))?;
            let path = member
                .path()
                .map_err(|e| damaged(e.to_string()))?
                .into_owned();
            let (dir, inside) = split_member(&path).map_err(&damaged)?;
            let Some(work_dir) = self.dirs.get_mut(&dir) else {
                return Err(damaged(format!(
                    "member `{}` belongs to no sysroot of its manifest",
                    path.display()
                )));
            };
            let links: Vec<PathBuf> = work_dir.links.iter().map(|(p, _)| p.clone()).collect();
            if is_at_or_below_link(&inside, &links) {
                return Err(damaged(format!(
                    "member `{}` is at or below a symlink of the pack",
                    path.display()
                )));
            }
            let kind = member.header().entry_type();
            match kind {
                tar::EntryType::Directory => {}
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    work_dir.files += 1;
                    work_dir.bytes += member.size();
                }
                tar::EntryType::Symlink => {
                    let target = member
                        .link_name()
                        .map_err(|e| damaged(e.to_string()))?
                        .ok_or_else(|| {
                            damaged(format!("symlink `{}` has no target", path.display()))
                        })?
                        .into_owned();
                    check_link(&inside, &target).map_err(&damaged)?;
                    work_dir.files += 1;
                    work_dir.links.push((inside, target));
                    continue;
                }
                other => {
                    return Err(damaged(format!(
                        "member `{}` is a {other:?} entry; a pack holds only directories, files and symlinks",
                        path.display()
                    )));
                }
            }
            // Present entries are kept as they are: their members are only counted.
            let Some(work) = &work_dir.work else { continue };
            let dest = work.join(&inside);
            if kind == tar::EntryType::Directory {
                fs::create_dir_all(&dest).map_err(|e| PackError::io("create", &dest, e))?;
                continue;
            }
            if let Some(parent) = dest.parent() {
                fs::create_dir_all(parent).map_err(|e| PackError::io("create", parent, e))?;
            }
            // `unpack` (not `unpack_in`): the path was checked above, and it writes the member
            // as a new file with its permission bits (no set-id bits).
            member.set_preserve_permissions(false);
            member
                .unpack(&dest)
                .map_err(|e| damaged(format!("cannot unpack `{}`: {e}", path.display())))?;
        }
        Ok(())
    }

    /// Makes the links and checks every entry is exactly as its manifest says.
    fn finish(&mut self, archive: &Path, manifest: &Manifest) -> Result<()> {
        for packed in &manifest.entries {
            let Some(dir) = self.dirs.get(&packed.dir) else {
                continue;
            };
            if dir.files != packed.files || dir.bytes != packed.bytes {
                return Err(PackError::damaged(
                    archive,
                    format!(
                        "its sysroot `{}` should hold {} files of {} bytes, the archive holds {} files of {} bytes (truncated?)",
                        packed.dir, packed.files, packed.bytes, dir.files, dir.bytes
                    ),
                ));
            }
            let Some(work) = &dir.work else { continue };
            for (inside, target) in &dir.links {
                make_link(target, &work.join(inside))?;
            }
            let spec = crate::EntryLayout::new(work)
                .sysroot
                .join("lib/rustlib")
                .join(&packed.target)
                .join("target.json");
            if !spec.is_file() {
                return Err(PackError::damaged(
                    archive,
                    format!(
                        "its sysroot `{}` has no `lib/rustlib/{}/target.json`",
                        packed.dir, packed.target
                    ),
                ));
            }
        }
        Ok(())
    }

    fn publish(&self) -> Result<()> {
        for dir in self.dirs.values() {
            if let Some(work) = &dir.work {
                cache::publish(self.lock, work, &dir.entry, &dir.key)?;
            }
        }
        Ok(())
    }

    /// Removes the work directories (a failed install leaves the cache as it was).
    fn discard(&self) {
        for dir in self.dirs.values() {
            if let Some(work) = &dir.work {
                let _ = cache::remove_dir_if_exists(work);
            }
        }
    }
}

#[cfg(unix)]
fn make_link(target: &Path, at: &Path) -> Result<()> {
    if let Some(parent) = at.parent() {
        fs::create_dir_all(parent).map_err(|e| PackError::io("create", parent, e))?;
    }
    std::os::unix::fs::symlink(target, at).map_err(|e| PackError::io("create the symlink", at, e))
}

#[cfg(not(unix))]
fn make_link(_target: &Path, at: &Path) -> Result<()> {
    Err(PackError::io(
        "create the symlink",
        at,
        std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "sysroot packs are installed on unix hosts only",
        ),
    ))
}

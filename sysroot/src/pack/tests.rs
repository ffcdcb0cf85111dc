//! Pack and install on a fake cache entry (no std build): the round trip, and every refusal
//! leaving the cache as it was.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;
use crate::progress::Silent;

fn toolchain(commit: &str) -> Toolchain {
    crate::tests::fake_toolchain("1.95.0", commit)
}

const COMMIT: &str = "59807616e1fa2540724bfbac14d7976d7e4a3860";

fn options(home: &Path) -> Options {
    Options {
        cache_root: Some(home.to_owned()),
        ..Options::default()
    }
}

/// A published entry where the cache expects one: a few files, the rust-src link, a marker.
fn fake_entry(tc: &Toolchain, home: &Path) -> Candidate {
    let candidate = candidates(tc, &options(home))
        .expect("candidates")
        .remove(0);
    let e = &candidate.entry;
    let lib = e.join("sysroot/lib/rustlib/wasm32-wasmer-wasi/lib");
    fs::create_dir_all(lib.join("self-contained")).expect("mkdir");
    fs::write(lib.join("libstd-1.rlib"), vec![7u8; 100_000]).expect("write");
    fs::write(lib.join("self-contained/libc.a"), b"!<arch>\n").expect("write");
    fs::write(
        e.join("sysroot/lib/rustlib/wasm32-wasmer-wasi/target.json"),
        b"{}",
    )
    .expect("write");
    fs::create_dir_all(e.join("library/std")).expect("mkdir");
    fs::write(e.join("library/std/lib.rs"), b"// std").expect("write");
    fs::create_dir_all(e.join("sysroot/lib/rustlib/src")).expect("mkdir");
    std::os::unix::fs::symlink("../../../..", e.join("sysroot/lib/rustlib/src/rust"))
        .expect("symlink");
    fs::write(e.join(crate::cache::MARKER), &candidate.key).expect("marker");
    Candidate {
        complete: true,
        ..candidate
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    tc: Toolchain,
    pack: PathBuf,
    packed: Packed,
    root: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let tc = toolchain(COMMIT);
    let home = dir.path().join("home-a");
    let candidate = fake_entry(&tc, &home);
    let pack = dir.path().join("out.tar.gz");
    let packed = write(&tc, &[candidate], &pack, &mut |_, _| {}).expect("pack");
    let root = dir.path().to_owned();
    Setup {
        _dir: dir,
        tc,
        pack,
        packed,
        root,
    }
}

/// Writes a gzip'd tar: `members` as (path, contents or symlink target, is_link).
fn craft(path: &Path, manifest: &Manifest, members: &[(&str, &[u8], bool)]) {
    let file = fs::File::create(path).expect("create");
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    // Raw name bytes: `set_path`/`set_link_name` refuse `..` and absolute paths, an attacker's
    // archive does not.
    let mut add = |name: &str, data: &[u8], link: bool| {
        let mut header = tar::Header::new_gnu();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        if link {
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            header.as_old_mut().linkname[..data.len()].copy_from_slice(data);
        } else {
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(data.len() as u64);
        }
        header.set_mode(0o644);
        header.set_cksum();
        let body: &[u8] = if link { &[] } else { data };
        tar.append(&header, body).expect("append");
    };
    add(MANIFEST_NAME, &manifest.render(), false);
    for (name, data, link) in members {
        add(name, data, *link);
    }
    tar.into_inner().expect("tar").finish().expect("gz");
}

#[test]
fn round_trip_into_an_empty_cache() {
    let s = setup();
    assert!(s.packed.size > 0);
    assert_eq!(sha256_file(&s.pack).expect("hash"), s.packed.sha256);
    let sidecar = fs::read_to_string(&s.packed.sha256_path).expect("sidecar");
    assert_eq!(sidecar, format!("{}  out.tar.gz\n", s.packed.sha256));
    let entry = &s.packed.manifest.entries[0];
    // 4 files and the link; the marker is not packed.
    assert_eq!((entry.files, entry.bytes), (5, 100_000 + 8 + 2 + 6));

    let home = s.root.join("home-b");
    let installed = install(&s.tc, &options(&home), &s.pack, &mut Silent).expect("install");
    assert_eq!(installed.entries.len(), 1);
    let got = &installed.entries[0];
    assert!(got.written);
    assert!(crate::cache::is_complete(&got.entry, &entry.key));
    assert_eq!(got.entry.file_name().unwrap().to_string_lossy(), entry.dir);
    let lib = got.entry.join("sysroot/lib/rustlib/wasm32-wasmer-wasi/lib");
    assert_eq!(fs::read(lib.join("libstd-1.rlib")).unwrap().len(), 100_000);
    let link = got.entry.join("sysroot/lib/rustlib/src/rust");
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("../../../.."));
    assert!(link.join("library/std/lib.rs").is_file());
    // Nothing else is left in the cache root (no work dirs).
    let mut names: Vec<String> = fs::read_dir(&home)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec![".lock".to_owned(), entry.dir.clone()]);

    // Again: the complete entry is kept as it is.
    let again = install(&s.tc, &options(&home), &s.pack, &mut Silent).expect("install");
    assert!(!again.entries[0].written);

    // Packs are reproducible: the same entry gives the same bytes.
    let repack = s.root.join("again.tar.gz");
    let candidate = candidates(&s.tc, &options(&home)).unwrap().remove(0);
    let packed = write(&s.tc, &[candidate], &repack, &mut |_, _| {}).expect("pack");
    assert_eq!(packed.sha256, s.packed.sha256);
}

/// Each refused pack names what is wrong, and the installed sysroot stays complete.
#[test]
fn refusals_leave_the_cache_as_it_was() {
    let s = setup();
    let home = s.root.join("home-b");
    let installed = install(&s.tc, &options(&home), &s.pack, &mut Silent).expect("install");
    let entry = installed.entries[0].entry.clone();
    let key = s.packed.manifest.entries[0].key.clone();
    let bytes = fs::read(&s.pack).unwrap();
    let manifest = s.packed.manifest.clone();
    let dir = manifest.entries[0].dir.clone();

    // An empty home, where a refused install must not leave an entry behind.
    let empty = s.root.join("home-c");

    let truncated = s.root.join("truncated.tar.gz");
    fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let corrupted = s.root.join("corrupted.tar.gz");
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    fs::write(&corrupted, &flipped).unwrap();
    let not_gzip = s.root.join("not.tar.gz");
    fs::write(&not_gzip, b"hello").unwrap();

    let mut other_rustc = manifest.clone();
    other_rustc.rustc.commit_hash = "0".repeat(40);
    let other_rustc_pack = s.root.join("other-rustc.tar.gz");
    craft(&other_rustc_pack, &other_rustc, &[]);
    let mut other_key = manifest.clone();
    other_key.entries[0].key = "0123456789abcdef".into();
    let other_key_pack = s.root.join("other-key.tar.gz");
    craft(&other_key_pack, &other_key, &[]);

    let member = |inside: &str| format!("{dir}/{inside}");
    // (name, [(member path, contents or link target, is a symlink)])
    type Members = Vec<(String, Vec<u8>, bool)>;
    let escapes: Vec<(&str, Members)> = vec![
        ("dotdot", vec![(member("../../evil"), b"x".to_vec(), false)]),
        (
            "absolute",
            vec![("/tmp/evil-cargo-wasix".to_owned(), b"x".to_vec(), false)],
        ),
        (
            "link out",
            vec![(member("sysroot/out"), b"../..".to_vec(), true)],
        ),
        (
            "write through a link",
            vec![
                (member("sysroot/in"), b"../library".to_vec(), true),
                (member("sysroot/in/x"), b"x".to_vec(), false),
            ],
        ),
        (
            "foreign dir",
            vec![("elsewhere/x".to_owned(), b"x".to_vec(), false)],
        ),
    ];

    type Case = (String, PathBuf, &'static str);
    let mut cases: Vec<Case> = vec![
        ("truncated".into(), truncated, "not a usable sysroot pack"),
        ("corrupted".into(), corrupted, "not a usable sysroot pack"),
        ("not gzip".into(), not_gzip, "not a usable sysroot pack"),
        (
            "other rustc".into(),
            other_rustc_pack,
            "commit 000000000000",
        ),
        ("other key".into(), other_key_pack, "0123456789abcdef"),
    ];
    for (name, members) in &escapes {
        let path = s.root.join(format!("{}.tar.gz", name.replace(' ', "-")));
        let members: Vec<(&str, &[u8], bool)> = members
            .iter()
            .map(|(p, d, l)| (p.as_str(), d.as_slice(), *l))
            .collect();
        craft(&path, &manifest, &members);
        cases.push(((*name).to_owned(), path, "not a usable sysroot pack"));
    }

    for (what, pack, needle) in &cases {
        for home in [&home, &empty] {
            let err = install(&s.tc, &options(home), pack, &mut Silent)
                .expect_err(what)
                .to_string();
            assert!(err.contains(needle), "{what}: {err}");
            assert!(err.contains("help:"), "{what}: {err}");
        }
        assert!(crate::cache::is_complete(&entry, &key), "{what}");
        assert_eq!(
            fs::read(entry.join("sysroot/lib/rustlib/wasm32-wasmer-wasi/lib/libstd-1.rlib"))
                .unwrap()
                .len(),
            100_000,
            "{what}"
        );
        let left: Vec<_> = fs::read_dir(&empty)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n != ".lock")
                    .collect()
            })
            .unwrap_or_default();
        assert!(left.is_empty(), "{what}: left {left:?}");
    }
    assert!(!s.root.join("evil").exists());
    assert!(!Path::new("/tmp/evil-cargo-wasix").exists());
}

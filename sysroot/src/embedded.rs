//! The inputs compiled into the binary, so an installed `cargo-wasix` works without the repo:
//! target specs, std patch sets, the crate overlays and the libwasix sources.

use include_dir::{Dir, include_dir};

static TARGET_SPECS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../target-specs");
static STD_PATCHES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/patches");
static OVERLAYS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../overlays");
// Only what the sysroot needs from libwasix/ (not its tests or a stray target dir).
static LIBWASIX_SRC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../libwasix/src");
static REPLACED_MEMBERS: &[u8] = include_bytes!("../../libwasix/replaced-libc-members.txt");
static WRAPPED_TABLE: &[u8] = include_bytes!("../../libwasix/wrapped-libc-symbols.txt");

/// One embedded file: path relative to its input root (`/`-separated) and contents.
pub type File = (String, &'static [u8]);

/// All embedded inputs, each list sorted by path.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// `target-specs/*` (e.g. `wasm32-wasmer-wasi.json`).
    pub target_specs: Vec<File>,
    /// `sysroot/patches/**` (e.g. `std/std.toml`, `std/common/edits.toml`, `README.md`).
    pub std_patches: Vec<File>,
    /// `overlays/**` (e.g. `libc/overlay.toml`, `libc/files/src/wasi/wasix.rs`).
    pub overlays: Vec<File>,
    /// `libwasix/src/**` as `src/...`, plus `replaced-libc-members.txt`.
    pub libwasix: Vec<File>,
}

/// Name of the list of libc.a members libwasix replaces (in `libwasix/`).
pub const REPLACED_MEMBERS_FILE: &str = "replaced-libc-members.txt";
/// Name of the table of libc functions libwasix wraps (in `libwasix/`).
pub const WRAPPED_TABLE_FILE: &str = "wrapped-libc-symbols.txt";

impl Inputs {
    /// The inputs compiled into this binary.
    pub fn embedded() -> Self {
        Inputs {
            target_specs: flatten(&TARGET_SPECS),
            std_patches: flatten(&STD_PATCHES),
            overlays: flatten(&OVERLAYS),
            libwasix: {
                let mut files: Vec<File> = flatten(&LIBWASIX_SRC)
                    .into_iter()
                    .map(|(p, b)| (format!("src/{p}"), b))
                    .collect();
                files.push((REPLACED_MEMBERS_FILE.to_owned(), REPLACED_MEMBERS));
                files.push((WRAPPED_TABLE_FILE.to_owned(), WRAPPED_TABLE));
                files.sort();
                files
            },
        }
    }

    /// Only the overlays (the other lists empty): what planning a build needs, without
    /// walking the other inputs on every `cargo wasix build`.
    pub fn overlays_only() -> Self {
        Inputs {
            target_specs: Vec::new(),
            std_patches: Vec::new(),
            overlays: flatten(&OVERLAYS),
            libwasix: Vec::new(),
        }
    }

    /// The target spec JSON for `target` (e.g. `wasm32-wasmer-wasi`), if embedded.
    pub fn target_spec(&self, target: &str) -> Option<&'static [u8]> {
        let name = format!("{target}.json");
        find(&self.target_specs, &name)
    }

    /// The files of the overlay folder of `krate`, relative to that folder.
    pub fn overlay_files(&self, krate: &str) -> Vec<(&str, &'static [u8])> {
        let prefix = format!("{krate}/");
        self.overlays
            .iter()
            .filter_map(|(p, b)| p.strip_prefix(&prefix).map(|rel| (rel, *b)))
            .collect()
    }

    /// The crates that have an overlay folder (`overlays/<crate>/overlay.toml`), sorted.
    pub fn overlay_crates(&self) -> Vec<&str> {
        self.overlays
            .iter()
            .filter_map(|(p, _)| p.strip_suffix("/overlay.toml"))
            .filter(|krate| !krate.contains('/'))
            .collect()
    }

    /// The libwasix sources under `src/`, relative to `src/`.
    pub fn libwasix_src(&self) -> Vec<(&str, &'static [u8])> {
        self.libwasix
            .iter()
            .filter_map(|(p, b)| p.strip_prefix("src/").map(|rel| (rel, *b)))
            .collect()
    }

    /// The member names of `replaced-libc-members.txt`.
    pub fn replaced_members(&self) -> Vec<String> {
        find(&self.libwasix, REPLACED_MEMBERS_FILE)
            .map(|bytes| crate::archive::parse_member_list(&String::from_utf8_lossy(bytes)))
            .unwrap_or_default()
    }
}

impl Inputs {
    /// The text of `wrapped-libc-symbols.txt` (parsed by [`crate::wrapped::parse_table`]).
    pub fn wrapped_table(&self) -> String {
        find(&self.libwasix, WRAPPED_TABLE_FILE)
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
            .unwrap_or_default()
    }
}

fn find(files: &[File], name: &str) -> Option<&'static [u8]> {
    files.iter().find(|(p, _)| p == name).map(|(_, b)| *b)
}

fn flatten(dir: &'static Dir<'static>) -> Vec<File> {
    let mut out = Vec::new();
    collect(dir, &mut out);
    out.sort();
    out
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<File>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        out.push((path, file.contents()));
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_inputs_are_present() {
        let inputs = Inputs::embedded();
        let spec = inputs
            .target_spec("wasm32-wasmer-wasi")
            .expect("target spec embedded");
        assert!(
            std::str::from_utf8(spec)
                .expect("utf8")
                .contains("\"vendor\": \"wasmer\"")
        );
        assert!(
            inputs
                .std_patches
                .iter()
                .any(|(p, _)| p == "std/common/edits.toml"),
            "the common std part has edits.toml"
        );
        assert!(inputs.libwasix_src().iter().any(|(p, _)| *p == "lib.rs"));
        assert!(inputs.overlay_crates().contains(&"libc"));
        assert!(
            inputs
                .overlay_files("libc")
                .iter()
                .any(|(p, _)| *p == "files/src/wasi/wasix.rs")
        );
        assert!(inputs.libwasix.iter().all(|(p, _)| {
            p.starts_with("src/") || p == REPLACED_MEMBERS_FILE || p == WRAPPED_TABLE_FILE
        }));
        assert!(!inputs.replaced_members().is_empty());
        assert_eq!(Inputs::overlays_only().overlays, inputs.overlays);
    }
}
